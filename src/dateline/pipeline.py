"""The pipeline: an ordered list of stages, each a function of a story.

A stage is an object with a versioned ``name``, the story fields it ``requires``
and ``provides``, ``__call__(story) -> story`` and ``pipe(stories) -> stories``.
:class:`Pipeline` checks the order once, when it is built, and names the stage
that would provide a missing field.

Field names used by the built-in stages:

    raw        the input as read (Story.raw)
    text       clean body (Story.text)
    meta       article metadata (Story.meta)
    doc        the spaCy Doc (in-process only)
    sentences  Story.sentences
    mentions   Story.mentions (actor mentions with codes)
    quotes     Story.quotes
    events     Story.events (codes, actors, evidence)
    event_dates  events with resolved ``date``
    places     Story.places (and event places)

A story that fails in a stage gets a :class:`~dateline.model.Failure` and passes
through the remaining stages untouched; the batch goes on.
"""

from __future__ import annotations

import dataclasses
import traceback
from collections.abc import Iterable, Iterator, Sequence
from typing import ClassVar

from .context import Context
from .errors import InputError, PipelineError
from .model import Failure, Story

__all__ = ["Pipeline", "Stage"]


class Stage:
    """Base class for stages. Subclasses set the class attributes and ``process``."""

    name: ClassVar[str] = "dateline.stage.v0"
    requires: ClassVar[frozenset[str]] = frozenset()
    provides: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def process(self, story: Story) -> Story:
        """Return the story with this stage's fields filled."""
        raise NotImplementedError

    def __call__(self, story: Story) -> Story:
        if story.failures:
            return story
        try:
            out = self.process(story)
        except InputError as exc:
            return _failed(story, self.name, exc, "skip")
        except Exception as exc:  # noqa: BLE001 - one story must not sink the batch
            return _failed(story, self.name, exc, "error")
        return dataclasses.replace(out, stages=(*out.stages, self.name))

    def pipe(self, stories: Iterable[Story]) -> Iterator[Story]:
        """Process a stream; stages that batch (spaCy) override this."""
        for story in stories:
            yield self(story)


def _failed(story: Story, stage: str, exc: BaseException, kind: str) -> Story:
    if kind == "error":
        tb = traceback.extract_tb(exc.__traceback__)
        where = f" at {tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno}" if tb else ""
        message = f"{type(exc).__name__}: {exc}{where}"
    else:
        message = str(exc)
    failure = Failure(story_id=story.id, stage=stage, error=message, kind=kind)
    return dataclasses.replace(story, failures=(*story.failures, failure))


class Pipeline:
    """Stages in order, checked once at construction.

    Args:
        stages: the stage objects, in order.
        available: fields present on the stories fed in (readers provide ``raw``).
    """

    def __init__(self, stages: Sequence[Stage], available: Iterable[str] = ("raw",)) -> None:
        self.stages = list(stages)
        have = set(available)
        for stage in self.stages:
            missing = sorted(stage.requires - have)
            if missing:
                raise PipelineError(_missing_message(stage, missing, self.stages))
            have |= stage.provides
        self.provides = frozenset(have)

    @property
    def names(self) -> list[str]:
        """Versioned names of the stages, in order."""
        return [s.name for s in self.stages]

    def __call__(self, story: Story) -> Story:
        for stage in self.stages:
            story = stage(story)
        return story

    def pipe(self, stories: Iterable[Story]) -> Iterator[Story]:
        """Chain the stages' generators over a stream of stories."""
        stream: Iterable[Story] = stories
        for stage in self.stages:
            stream = stage.pipe(stream)
        yield from stream


def _missing_message(stage: Stage, missing: list[str], stages: list[Stage]) -> str:
    from .registry import providers_of

    hints = []
    for name in missing:
        providers = providers_of(name)
        hint = f"'{name}' (provided by {', '.join(providers)})" if providers else f"'{name}'"
        hints.append(hint)
    order = " -> ".join(s.name for s in stages)
    return (
        f"stage {stage.name} requires {', '.join(hints)}, which no earlier stage provides. "
        f"Pipeline order was: {order}. Put the providing stage before {stage.name}."
    )
