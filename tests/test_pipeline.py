"""Pipeline contract: order checked at build time; failures recorded, not raised."""

from __future__ import annotations

import dataclasses

import pytest

from dateline.context import Context
from dateline.errors import EmptyInputError, PipelineError
from dateline.model import Story
from dateline.pipeline import Pipeline, Stage
from dateline.registry import BUILTIN_STAGES, DEFAULT_PIPELINE, load_stage


class Upper(Stage):
    name = "test.upper.v1"
    requires = frozenset({"raw"})
    provides = frozenset({"text"})

    def process(self, story: Story) -> Story:
        if story.raw == "boom":
            raise ValueError("exploded")
        if story.raw == "empty":
            raise EmptyInputError("nothing here")
        return dataclasses.replace(story, text=story.raw.upper())


class NeedsDoc(Stage):
    name = "test.needsdoc.v1"
    requires = frozenset({"doc"})
    provides = frozenset({"events"})

    def process(self, story: Story) -> Story:
        return story


def test_missing_field_names_the_provider() -> None:
    with pytest.raises(PipelineError) as err:
        Pipeline([Upper(Context()), NeedsDoc(Context())])
    assert "'doc'" in str(err.value) and "dateline.nlp.spacy.v1" in str(err.value)


def test_failures_are_recorded_and_the_batch_goes_on() -> None:
    pipe = Pipeline([Upper(Context())])
    out = list(
        pipe.pipe(
            [
                Story(id="1", raw="a"),
                Story(id="2", raw="boom"),
                Story(id="3", raw="empty"),
                Story(id="4", raw="b"),
            ]
        )
    )
    assert [s.text for s in out] == ["A", "", "", "B"]
    assert out[1].failures[0].kind == "error" and "exploded" in out[1].failures[0].error
    assert out[1].failures[0].stage == "test.upper.v1"
    assert out[2].failures[0].kind == "skip"
    assert out[0].stages == ("test.upper.v1",)


def test_default_pipeline_order_is_valid() -> None:
    ctx = Context()
    stages = [load_stage(name)(ctx) for name in DEFAULT_PIPELINE]
    assert Pipeline(stages).names == list(DEFAULT_PIPELINE)


def test_builtin_names_carry_a_version() -> None:
    assert all(name.rsplit(".", 1)[-1].startswith("v") for name in BUILTIN_STAGES)
