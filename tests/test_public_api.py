"""The public API is what __init__.__all__ lists (and nothing listed is missing)."""

from __future__ import annotations

import dateline


def test_all_names_exist() -> None:
    missing = [name for name in dateline.__all__ if not hasattr(dateline, name)]
    assert not missing


def test_no_unlisted_public_names() -> None:
    public = {n for n in vars(dateline) if not n.startswith("_")}
    modules = {n for n in public if type(getattr(dateline, n)).__name__ == "module"}
    assert public - modules - {"annotations"} == set(dateline.__all__) - {"__version__"}
