"""The stage registry: built-ins from one explicit list, third parties by entry point.

Third-party stages register under the ``dateline.stages`` entry-point group with a
versioned name, e.g. ``myorg.events.custom.v1 = mypkg.module:MyStage``.
"""

from __future__ import annotations

import importlib
from functools import cache
from importlib.metadata import entry_points

from .errors import PipelineError

__all__ = ["BUILTIN_STAGES", "DEFAULT_PIPELINE", "load_stage", "providers_of", "stage_names"]

#: versioned stage name -> "module:Class"
BUILTIN_STAGES: dict[str, str] = {
    "dateline.extract.v1": "dateline.extract:ExtractStage",
    "dateline.nlp.spacy.v1": "dateline.nlp:NlpStage",
    "dateline.actors.v1": "dateline.actors:ActorStage",
    "dateline.quotes.v1": "dateline.quotes:QuoteStage",
    "dateline.events.cameo.v1": "dateline.events:EventStage",
    "dateline.events.rerank.v1": "dateline.classifier:RerankStage",
    "dateline.dates.v1": "dateline.dates:DateStage",
    "dateline.places.v1": "dateline.places:PlaceStage",
}

#: the stages `dateline code` runs, in order
DEFAULT_PIPELINE: tuple[str, ...] = tuple(BUILTIN_STAGES)


@cache
def _all_stages() -> dict[str, str]:
    found = dict(BUILTIN_STAGES)
    for ep in entry_points(group="dateline.stages"):
        found.setdefault(ep.name, ep.value)
    return found


def stage_names() -> list[str]:
    """All registered stage names, built-ins first."""
    return list(_all_stages())


def load_stage(name: str) -> type:
    """Import the stage class registered under ``name``."""
    target = _all_stages().get(name)
    if target is None:
        raise PipelineError(f"no stage named {name!r}; registered: {', '.join(_all_stages())}")
    module, _, attr = target.partition(":")
    cls: type = getattr(importlib.import_module(module), attr)
    return cls


def providers_of(field: str) -> list[str]:
    """Names of registered stages that provide ``field``."""
    out = []
    for name in _all_stages():
        try:
            cls = load_stage(name)
        except Exception:  # noqa: BLE001 - a broken plugin must not hide the hint
            continue
        if field in getattr(cls, "provides", ()):
            out.append(name)
    return out
