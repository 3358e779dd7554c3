"""The Python API: build a pipeline and code text, files or bytes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from .context import Context
from .model import Story
from .pipeline import Pipeline
from .registry import DEFAULT_PIPELINE, load_stage
from .settings import Settings, load_settings

__all__ = ["build_pipeline", "code_file", "code_stories", "code_text", "make_context"]


def make_context(
    settings: Settings | None = None, config: str | Path | None = None, **options: Any
) -> Context:
    """A context from settings, or from a config file plus ``section__key`` options."""
    if settings is None:
        settings = load_settings(config, **options)
    elif options:
        settings = settings.with_overrides(**options)
    return Context(settings)


def build_pipeline(ctx: Context, stages: Sequence[str] = DEFAULT_PIPELINE) -> Pipeline:
    """Instantiate the named stages (default: the full coding pipeline) for ``ctx``."""
    return Pipeline([load_stage(name)(ctx) for name in stages])


def code_text(
    text: str,
    *,
    source: str = "<text>",
    url: str | None = None,
    ctx: Context | None = None,
    **options: Any,
) -> Story:
    """Code one raw text (scraped article or HTML) and return the coded story.

    Args:
        text: the raw input, boilerplate and all. HTML is detected and extracted.
        source: a name for the input (path, URL), kept on the story.
        url: the article's URL, when known (helps metadata and time zones).
        ctx: a context to reuse across calls (keeps the model loaded).
        **options: ``section__key`` settings overrides, e.g. ``events__quad_convention="plover"``.

    Returns:
        The story with ``text``, ``meta``, ``sentences``, ``mentions``, ``quotes``,
        ``events`` and ``places`` filled. If the input could not be coded,
        ``story.failures`` says why.
    """
    from .readers import story_from_text

    ctx = ctx or make_context(**options)
    story = story_from_text(text, source=source, url=url)
    return build_pipeline(ctx)(story)


def code_file(path: str | Path, *, ctx: Context | None = None, **options: Any) -> Story:
    """Read and code one file (any common encoding, text or HTML)."""
    from .readers import read_path

    ctx = ctx or make_context(**options)
    story = read_path(Path(path), ctx.settings)
    return build_pipeline(ctx)(story)


def code_stories(stories: Iterable[Story], *, ctx: Context) -> Iterator[Story]:
    """Code a stream of read stories with batching; failures ride on each story."""
    return build_pipeline(ctx).pipe(stories)
