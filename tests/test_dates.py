"""Tests for dateline.dates: expression finding, resolution, and the stage on parsed text."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dateline.context import Context
from dateline.dates import DateStage, find_time_expressions, load_lexicon, resolve
from dateline.errors import DictionaryError
from dateline.model import Event, Meta, Span, Story

THURSDAY = date(2022, 1, 20)  # publication date of the seed article (a Thursday)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("on Thursday", THURSDAY),
        ("Thursday", THURSDAY),
        ("Tuesday", date(2022, 1, 18)),
        ("last Thursday", date(2022, 1, 13)),
        ("Friday", date(2022, 1, 14)),
        ("today", THURSDAY),
        ("earlier in the day", THURSDAY),
        ("this morning", THURSDAY),
        ("tonight", THURSDAY),
        ("yesterday", date(2022, 1, 19)),
        ("last night", date(2022, 1, 19)),
        ("three days ago", date(2022, 1, 17)),
        ("Jan. 19", date(2022, 1, 19)),
        ("January 19", date(2022, 1, 19)),
        ("19 January", date(2022, 1, 19)),
        ("Jan 19, 2022", date(2022, 1, 19)),
        ("2022-01-19", date(2022, 1, 19)),
        ("Dec. 24", date(2021, 12, 24)),  # after publication in its year: the previous year
        ("last week", None),
        ("this month", None),
        ("last month", None),
        ("in the coming months", None),
        ("recently", None),
        ("tomorrow", None),
        ("next Monday", None),
        ("in March", None),
        ("Feb. 30", None),
    ],
)
def test_resolve_against_publication(expr: str, expected: date | None) -> None:
    assert resolve(expr, THURSDAY) == expected


def test_without_publication_only_dates_with_a_year_resolve() -> None:
    assert resolve("Jan. 19, 2022", None) == date(2022, 1, 19)
    assert resolve("2021-08-24", None) == date(2021, 8, 24)
    assert resolve("Jan. 19", None) is None
    assert resolve("on Thursday", None) is None
    assert resolve("yesterday", None) is None


def test_reference_day_drives_same_day_phrases() -> None:
    monday = date(2017, 8, 7)
    assert resolve("earlier in the day", date(2017, 8, 8), reference=monday) == monday
    assert resolve("hours after", date(2017, 8, 8), reference=monday) == monday
    # a reference after publication is ignored
    assert resolve("earlier in the day", THURSDAY, reference=THURSDAY + timedelta(days=3)) == THURSDAY


def test_lookback_limit() -> None:
    assert resolve("three days ago", THURSDAY, max_lookback_days=2) is None


def test_find_time_expressions_offsets_and_overlaps() -> None:
    text = "talks on Thursday, hours after it fired missiles this month and on Jan. 19, 2022 in May."
    found = find_time_expressions(text)
    assert [t for _, _, t in found] == ["on Thursday", "hours after", "this month", "Jan. 19, 2022", "in May"]
    for start, end, t in found:
        assert text[start:end] == t


def test_lower_case_month_words_are_not_dates() -> None:
    assert find_time_expressions("It may march on and may 5 people") == []


def test_lexicon_validation() -> None:
    with pytest.raises(DictionaryError, match="sections"):
        load_lexicon("publication: {}\n")
    with pytest.raises(DictionaryError, match="offsets"):
        load_lexicon("publication: {tomorrow: 1}\nreference: []\nvague: []\nfuture: []\n")


_EXPRESSIONS = st.sampled_from(
    [
        "on Monday", "Tuesday", "last Wednesday", "Thursday night", "Friday", "early Saturday",
        "Sunday", "today", "yesterday", "last night", "two days ago", "earlier in the day",
        "hours after", "Jan. 19", "19 March", "December 31", "Feb. 29", "this month", "last week",
    ]
)  # fmt: skip


@given(
    expr=_EXPRESSIONS,
    published=st.dates(min_value=date(1990, 1, 1), max_value=date(2035, 12, 31)),
    reference=st.none() | st.dates(min_value=date(1990, 1, 1), max_value=date(2036, 12, 31)),
)
def test_relative_dates_are_never_after_publication(
    expr: str, published: date, reference: date | None
) -> None:
    day = resolve(expr, published, reference=reference)
    assert day is None or day <= published
    if day is not None:
        assert (published - day).days <= 366


# --- the stage, on parsed text ------------------------------------------------------

SEED_LIKE = (
    "South Korea's top nuclear envoy had phone talks with his American counterpart on Thursday, "
    "the foreign ministry said. "
    "Noh talked with Sung Kim, hours after the North hinted at restarting tests. "
    "In a separate conversation, Noh asked for Beijing's role in defusing tension, it noted. "
    "The North fired ballistic missiles four times in a row this month. "
    "The Biden administration last week imposed its first sanctions and is pushing for more sanctions. "
    '"We hope members of the Security Council will act," Liu wrote on Twitter earlier in the day.'
)


def _event(story_text: str, trigger: str, doc: object, index: int, *, rightmost: bool = False) -> Event:
    start = story_text.rindex(trigger) if rightmost else story_text.index(trigger)
    sent = next(i for i, s in enumerate(doc.sents) if s.start_char <= start < s.end_char)  # type: ignore[attr-defined]
    return Event(
        id=f"e{index}", story_id="s", sentence=sent, cameo="010", root="01", name="",
        goldstein=0.0, quad_class=1, trigger=Span(start=start, end=start + len(trigger), text=trigger),
    )  # fmt: skip


@pytest.fixture(scope="module")
def ctx() -> Context:
    return Context()


@pytest.mark.model
def test_stage_on_seed_like_story(ctx: Context) -> None:
    from dateline.nlp import load_nlp, sentences_of

    doc = load_nlp(ctx)(SEED_LIKE)
    triggers = ["talks", "talked", "hinted", "asked", "fired", "imposed", "pushing", "hope"]
    events = tuple(_event(SEED_LIKE, t, doc, i) for i, t in enumerate(triggers))
    story = Story(
        id="s", text=SEED_LIKE, meta=Meta(published_date=THURSDAY), doc=doc,
        sentences=sentences_of(doc), events=events,
    )  # fmt: skip
    out = DateStage(ctx)(story)
    assert not out.failures
    got = {ev.trigger.text: ev.date for ev in out.events if ev.trigger}
    assert got == {
        "talks": THURSDAY, "talked": THURSDAY, "hinted": THURSDAY, "asked": THURSDAY,
        "fired": None, "imposed": None, "pushing": None, "hope": THURSDAY,
    }  # fmt: skip
    texts = {ev.trigger.text: ev.date_text for ev in out.events if ev.trigger}
    assert texts["fired"] == "this month" and texts["imposed"] == "last week"
    for ev in out.events:
        if ev.date_span is not None:
            assert SEED_LIKE[ev.date_span.start : ev.date_span.end] == ev.date_span.text


@pytest.mark.model
def test_stage_background_clause_and_reference_day(ctx: Context) -> None:
    from dateline.nlp import load_nlp, sentences_of

    text = (
        "Top diplomats from South Korea and Japan expressed hopes Monday to increase cooperation. "
        "Kang and Kono agreed to improve ties. "
        "His visit comes after the North blasted the South for the drills. "
        "Earlier in the day, they held a three-way meeting."
    )
    doc = load_nlp(ctx)(text)
    events = tuple(_event(text, t, doc, i) for i, t in enumerate(["expressed", "agreed", "blasted", "held"]))
    story = Story(
        id="s", text=text, meta=Meta(published_date=date(2017, 8, 8)), doc=doc,
        sentences=sentences_of(doc), events=events,
    )  # fmt: skip
    out = DateStage(ctx)(story)
    monday = date(2017, 8, 7)
    assert [ev.date for ev in out.events] == [monday, monday, None, monday]


def test_stage_without_events_or_publication(ctx: Context) -> None:
    story = Story(id="s", text="Nothing happened.", meta=Meta())
    assert DateStage(ctx).process(story) == story
    ev = Event(
        id="e", story_id="s", sentence=0, cameo="010", root="01", name="", goldstein=0.0,
        quad_class=1, trigger=Span(start=0, end=7, text="Nothing"),
    )  # fmt: skip
    from dateline.model import Sentence

    story = dataclasses.replace(
        story,
        events=(ev,),
        sentences=(Sentence(index=0, start=0, end=17, text="Nothing happened."),),
        meta=Meta(published_date=None),
    )
    assert DateStage(ctx).process(story).events[0].date is None


SEED = Path(__file__).resolve().parents[2] / "shared" / "seed"


@pytest.mark.model
@pytest.mark.skipif(
    not (SEED / "yonhap-2022-01-20.gold.json").exists(), reason="shared seed data not present"
)
def test_seed_gold_dates(ctx: Context) -> None:
    """Each gold event, placed at the root of its evidence, gets the gold date."""
    from dateline.extract import ExtractStage
    from dateline.nlp import load_nlp, sentences_of

    gold = json.loads((SEED / "yonhap-2022-01-20.gold.json").read_text("utf-8"))
    story = ExtractStage(ctx)(Story(id="seed", raw=(SEED / "yonhap-2022-01-20.txt").read_text("utf-8")))
    assert not story.failures and story.meta.published_date == THURSDAY
    doc = load_nlp(ctx)(story.text)
    events = []
    for k, gev in enumerate(gold["events"]):
        start = story.text.index(gev["evidence"])
        root = doc.char_span(start, start + len(gev["evidence"]), alignment_mode="expand").root
        events.append(_event(story.text[: root.idx + len(root.text)], root.text, doc, k, rightmost=True))
    story = dataclasses.replace(story, doc=doc, sentences=sentences_of(doc), events=tuple(events))
    out = DateStage(ctx)(story)
    got = [(g["evidence"][:40], ev.date) for g, ev in zip(gold["events"], out.events, strict=True)]
    expected = [(g["evidence"][:40], g["date"] and date.fromisoformat(g["date"])) for g in gold["events"]]
    assert got == expected
