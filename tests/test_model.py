"""Model records: JSON round trips and content ids."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from dateline.model import Actor, Event, Meta, Provenance, Span, Story, content_id

texts = st.text(max_size=40)
actors = st.builds(
    Actor,
    code=st.text(min_size=3, max_size=9),
    principal=st.text(max_size=6),
    valid_from=st.none() | st.dates(),
    valid_to=st.none() | st.dates(),
)
spans = st.builds(Span, start=st.integers(0, 10**6), end=st.integers(0, 10**6), text=texts)
events = st.builds(
    Event,
    id=texts,
    story_id=texts,
    sentence=st.integers(0, 500),
    cameo=st.sampled_from(["041", "0331", "19"]),
    root=st.sampled_from(["04", "03", "19"]),
    name=texts,
    goldstein=st.floats(-10, 10),
    quad_class=st.integers(1, 4),
    source_actor=st.none() | actors,
    trigger=st.none() | spans,
    date=st.none() | st.dates(),
)
tzs = st.sampled_from([UTC, timezone(timedelta(hours=9)), timezone(timedelta(hours=-5))])
metas = st.builds(
    Meta,
    title=st.none() | texts,
    authors=st.lists(texts, max_size=3).map(tuple),
    published=st.none() | st.datetimes(timezones=tzs),
    published_date=st.none() | st.dates(),
    provenance=st.lists(st.builds(Provenance, field=texts, source=texts), max_size=2).map(tuple),
)
stories = st.builds(Story, id=texts, text=texts, meta=metas, events=st.lists(events, max_size=3).map(tuple))


@given(stories)
def test_story_json_round_trip(story: Story) -> None:
    data = json.loads(json.dumps(story.to_dict()))
    assert Story.from_dict(data) == story


def test_aware_datetime_survives_round_trip() -> None:
    kst = timezone(timedelta(hours=9))
    story = Story(
        id="s",
        meta=Meta(published=datetime(2022, 1, 20, 21, 19, tzinfo=kst), published_date=date(2022, 1, 20)),
    )
    back = Story.from_dict(json.loads(json.dumps(story.to_dict())))
    assert back.meta.published is not None and back.meta.published.utcoffset() == timedelta(hours=9)


def test_doc_is_neither_serialised_nor_compared() -> None:
    a, b = Story(id="s", doc=object()), Story(id="s", doc=object())
    assert a == b
    assert "doc" not in a.to_dict()


@given(st.lists(st.text(), max_size=4))
def test_content_id_is_stable_and_sensitive(parts: list[str]) -> None:
    assert content_id(*parts) == content_id(*parts)
    assert content_id(*parts, "x") != content_id(*parts, "y")


def test_byline_joins_authors() -> None:
    assert Meta(authors=("Gawon Bae", "Junko Ogura")).byline == "Gawon Bae and Junko Ogura"
    assert Meta().byline is None
