"""Coded stories built by hand with the model dataclasses, for store, dedup and export tests.

They exercise the event merge rule without the spaCy model: stories A and B report the
same Korea-US consultation a day apart (one merged event), C reports another one a week
later (a new event), E is the sanctions dyad of A in another place (a new event), D was
skipped by the extractor.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from dateline.model import Actor, Event, Failure, Mention, Meta, Place, Quote, Sentence, Span, Story

KORGOV = Actor(code="KORGOV", principal="KOR", role="GOV", name="South Korea", kind="state")
USAGOV = Actor(code="USAGOV", principal="USA", role="GOV", name="United States", kind="state")
CHNGOV = Actor(code="CHNGOV", principal="CHN", role="GOV", name="China", kind="state")
PRKGOV = Actor(code="PRKGOV", principal="PRK", role="GOV", name="North Korea", kind="state")

CAMEO = {  # code: (root, name, goldstein, quad, plover type)
    "041": ("04", "Discuss by telephone", 1.0, 1, "CONSULT"),
    "042": ("04", "Make a visit", 1.9, 1, "CONSULT"),
    "040": ("04", "Consult, not specified below", 1.0, 1, "CONSULT"),
    "163": ("16", "Impose embargo, boycott, or sanctions", -8.0, 3, "SANCTION"),
}


def event(
    story_id: str,
    n: int,
    cameo: str,
    src: Actor,
    tgt: Actor,
    day: date,
    text: str,
    place: Place | None = None,
) -> Event:
    """One coded event with evidence spans inside ``text``."""
    root, name, goldstein, quad, plover = CAMEO[cameo]
    s_end, t_start = len(src.name), text.rfind(tgt.name)
    return Event(
        id=f"{story_id}-e{n}",
        story_id=story_id,
        sentence=n,
        cameo=cameo,
        root=root,
        name=name,
        goldstein=goldstein,
        quad_class=quad,
        plover_type=plover,
        source=src.code,
        target=tgt.code,
        source_actor=src,
        target_actor=tgt,
        trigger=Span(start=s_end + 1, end=s_end + 6, text=text[s_end + 1 : s_end + 6]),
        source_span=Span(start=0, end=s_end, text=src.name),
        target_span=Span(start=t_start, end=t_start + len(tgt.name), text=tgt.name),
        date=day,
        place=place,
        reason="hand-built",
        coder_version="dateline.events.cameo.v1",
        dictionary_version="test-dict-1",
        ontology_version="cameo-1.1b3",
    )


def story(sid: str, url: str | None, published: datetime, lines: list[str], events: list[tuple]) -> Story:
    """A coded story: one sentence per line, events as (cameo, src, tgt, day[, place])."""
    text = " ".join(lines)
    sentences, pos = [], 0
    for i, line in enumerate(lines):
        sentences.append(Sentence(index=i, start=pos, end=pos + len(line), text=line))
        pos += len(line) + 1
    evs = tuple(event(sid, i, c, s, t, d, lines[i], *rest) for i, (c, s, t, d, *rest) in enumerate(events))
    mentions = tuple(
        Mention(
            id=f"{sid}-m{i}",
            sentence=i,
            start=sentences[i].start,
            end=sentences[i].start + len(e.source_actor.name),
            text=e.source_actor.name,
            actor=e.source_actor,
            kind="name",
        )
        for i, e in enumerate(evs)
        if e.source_actor is not None
    )
    return Story(
        id=sid,
        raw=text,
        source=url or f"{sid}.txt",
        text=text,
        meta=Meta(title=f"Story {sid}", url=url, published=published, outlet=None, language="en"),
        sentences=tuple(sentences),
        mentions=mentions,
        events=evs,
        quotes=(
            Quote(id=f"{sid}-q0", sentence=0, start=0, end=5, text=text[:5], speaker_text="the ministry"),
        ),
        places=(
            Place(
                text="Seoul",
                name="Seoul",
                country="KOR",
                country_code2="KR",
                lat=37.57,
                lon=126.98,
                geonames_id=1835848,
                feature="city",
                role="dateline",
                start=0,
                end=5,
                sentence=0,
            ),
        ),
        stages=("dateline.extract.v1", "dateline.events.cameo.v1"),
    )


def sample_stories() -> list[Story]:
    """Five hand-coded stories (see the module docstring)."""
    d20, d21, d25 = date(2022, 1, 20), date(2022, 1, 21), date(2022, 1, 25)
    seoul = Place(
        text="Seoul",
        name="Seoul",
        country="KOR",
        country_code2="KR",
        lat=37.57,
        lon=126.98,
        geonames_id=1835848,
        feature="city",
        role="event",
    )
    wash = Place(
        text="Washington",
        name="Washington",
        country="USA",
        country_code2="US",
        lat=38.9,
        lon=-77.04,
        geonames_id=4140963,
        feature="city",
        role="event",
    )
    a = story(
        "A",
        "https://a.example/news/1",
        datetime(2022, 1, 20, 12, 0, tzinfo=UTC),
        [
            "South Korea talks with United States on Thursday.",
            "South Korea calls with China about the North.",
            "United States sanctioned North Korea last week in Seoul.",
        ],
        [("041", KORGOV, USAGOV, d20), ("041", KORGOV, CHNGOV, d20), ("163", USAGOV, PRKGOV, d20, seoul)],
    )
    b = story(
        "B",
        "https://b.example/world/2",
        datetime(2022, 1, 21, 3, 0, tzinfo=UTC),
        [
            "South Korea visit to United States was confirmed.",
        ],
        [("042", KORGOV, USAGOV, d21)],
    )
    c = story(
        "C",
        "https://c.example/3",
        datetime(2022, 1, 25, 9, 30, tzinfo=UTC),
        [
            "South Korea consult with United States again.",
        ],
        [("040", KORGOV, USAGOV, d25)],
    )
    d = Story(
        id="D",
        raw="<html><nav>Home</nav></html>",
        source="https://d.example/",
        content_type="text/html",
        failures=(
            Failure(story_id="D", stage="dateline.extract.v1", error="not an article: no body", kind="skip"),
        ),
    )
    e = story(
        "E",
        "https://e.example/5",
        datetime(2022, 1, 20, 18, 0, tzinfo=UTC),
        [
            "United States sanction on North Korea announced in Washington.",
        ],
        [("163", USAGOV, PRKGOV, d20, wash)],
    )
    return [a, b, c, d, e]


def sample_records() -> list[dict]:
    """The sample stories as coded records (what an executor yields)."""
    return [s.to_dict() for s in sample_stories()]
