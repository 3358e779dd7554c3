"""dateline: raw news in, coded political events (CAMEO / PLOVER) out.

>>> import dateline
>>> story = dateline.code_text(open("examples/yonhap-2022-01-20.txt").read())
>>> [(e.source, e.cameo, e.target) for e in story.events]
"""

from __future__ import annotations

from .api import build_pipeline, code_file, code_stories, code_text, make_context
from .context import Context
from .errors import DatelineError
from .model import Actor, Event, Failure, Mention, Meta, Place, Provenance, Quote, Sentence, Span, Story
from .pipeline import Pipeline, Stage
from .settings import Settings, load_settings

__version__ = "0.1.0"

__all__ = [
    "Actor",
    "Context",
    "DatelineError",
    "Event",
    "Failure",
    "Mention",
    "Meta",
    "Pipeline",
    "Place",
    "Provenance",
    "Quote",
    "Sentence",
    "Settings",
    "Span",
    "Stage",
    "Story",
    "__version__",
    "build_pipeline",
    "code_file",
    "code_stories",
    "code_text",
    "load_settings",
    "make_context",
]
