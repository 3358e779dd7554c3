"""Shared fixtures. Sections are owned by the module they serve; keep them apart."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__import__("os").environ.get("DATELINE_SHARED", REPO.parent / "shared"))
SEED_TXT = SHARED / "seed" / "yonhap-2022-01-20.txt"
SEED_GOLD = SHARED / "seed" / "yonhap-2022-01-20.gold.json"
ARTICLES = SHARED / "eval" / "articles"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="Rewrite golden files from current output.")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.exists():
        pytest.skip(f"shared data not found at {SHARED}; set DATELINE_SHARED")
    return SHARED


@pytest.fixture(scope="session")
def ctx():  # type: ignore[no-untyped-def]
    """One dateline Context (spaCy model loaded once) for the whole session."""
    from dateline.api import make_context

    return make_context()


@pytest.fixture(scope="session")
def seed_story(ctx):  # type: ignore[no-untyped-def]
    """The seed article coded by the full default pipeline."""
    from dateline.api import code_file

    return code_file(SEED_TXT, ctx=ctx)
