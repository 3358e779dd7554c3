"""Per-process context: the settings plus heavy resources built once and shared.

Modules own their loaders and ask the context to cache what they build::

    nlp = ctx.resource("nlp", lambda: spacy.load(ctx.settings.nlp.model))

so a worker process builds its pipeline (and loads the spaCy model) exactly once,
and nothing heavy is ever pickled.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from .settings import Settings, load_settings

__all__ = ["Context"]

T = TypeVar("T")


class Context:
    """Settings and a cache of named resources (models, dictionaries, ontology)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings if settings is not None else load_settings()
        self._cache: dict[str, Any] = {}
        self._lock = threading.RLock()  # re-entrant: a factory may ask for another resource

    def resource(self, key: str, factory: Callable[[], T]) -> T:
        """The resource cached under ``key``, built by ``factory`` on first use."""
        with self._lock:
            if key not in self._cache:
                self._cache[key] = factory()
            value: T = self._cache[key]
            return value

    def loaded(self) -> list[str]:
        """Keys of the resources built so far."""
        return list(self._cache)
