"""Tests for dateline.places: offline geocoding and the place stage."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest

from dateline.context import Context
from dateline.errors import DictionaryError
from dateline.model import Event, Meta, Span, Story
from dateline.places import Gazetteer, PlaceStage, build_gazetteer, geocode, load_aliases, load_regions


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return build_gazetteer()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("SEOUL", ("Seoul", "KOR", "KR", "city")),
        ("Pyongyang", ("Pyongyang", "PRK", "KP", "city")),
        ("Beijing", ("Beijing", "CHN", "CN", "city")),
        ("Kiev", ("Kyiv", "UKR", "UA", "city")),  # an alternate name
        ("the U.S.", ("United States", "USA", "US", "country")),
        ("North Korea's", ("North Korea", "PRK", "KP", "country")),
        ("Britain", ("United Kingdom", "GBR", "GB", "country")),
    ],
)
def test_geocode(name: str, expected: tuple[str, str, str, str], gaz: Gazetteer) -> None:
    place = geocode(name, gazetteer=gaz)
    assert place is not None
    assert (place.name, place.country, place.country_code2, place.feature) == expected
    assert place.lat is not None and place.lon is not None and place.geonames_id


def test_seoul_coordinates(gaz: Gazetteer) -> None:
    place = geocode("Seoul", gazetteer=gaz)
    assert place is not None and place.lat is not None and place.lon is not None
    assert abs(place.lat - 37.57) < 0.1 and abs(place.lon - 126.98) < 0.1


def test_country_hint_disambiguates(gaz: Gazetteer) -> None:
    # Without a hint the largest city wins; the story's country wins over population.
    no_hint = geocode("Birmingham", gazetteer=gaz)
    assert no_hint is not None and no_hint.country == "GBR"
    hinted = geocode("Birmingham", "USA", gazetteer=gaz)
    assert hinted is not None and hinted.country == "USA"
    assert geocode("Birmingham", ["US"], gazetteer=gaz) == hinted


def test_unknown_names(gaz: Gazetteer) -> None:
    assert geocode("Narnia", gazetteer=gaz) is None
    assert geocode("", gazetteer=gaz) is None
    # GeoNames lists "North" as an alternate name of North Salt Lake; "the North" is no city
    assert geocode("the North", gazetteer=gaz) is None
    assert geocode("North's", gazetteer=gaz) is None


def test_country_centres_are_inside_plausible_bounds(gaz: Gazetteer) -> None:
    # The US centre is in the contiguous states; Fiji straddles the antimeridian.
    us = geocode("United States", gazetteer=gaz)
    assert us is not None and us.lat is not None and us.lon is not None
    assert 30 < us.lat < 45 and -105 < us.lon < -80
    fiji = geocode("Fiji", gazetteer=gaz)
    assert fiji is not None and fiji.lon is not None and abs(fiji.lon) > 170


def test_alias_table_validation() -> None:
    assert load_aliases("alias,iso2\nU.S.,us\n") == {"u.s.": "US"}
    with pytest.raises(DictionaryError, match=":2:"):
        load_aliases("alias,iso2\nNowhere,USA\n")
    with pytest.raises(DictionaryError, match="columns"):
        load_aliases("name,code\n")
    with pytest.raises(DictionaryError, match="unknown country"):
        build_gazetteer({"atlantis": "QQ"})


TEXT = (
    "South Korea's envoy held talks in Seoul with officials from Pyongyang. "
    "He asked for Beijing's role, the ministry said. "
    "North Korea fired a missile off the east coast of Wonsan."
)


@pytest.mark.model
def test_stage_dateline_mentions_and_event_place() -> None:
    from dateline.nlp import load_nlp, sentences_of

    ctx = Context()
    doc = load_nlp(ctx)(TEXT)
    sentences = sentences_of(doc)
    start = TEXT.index("talks")
    ev = Event(
        id="e", story_id="s", sentence=0, cameo="040", root="04", name="", goldstein=1.0,
        quad_class=1, trigger=Span(start=start, end=start + 5, text="talks"),
    )  # fmt: skip
    fired = dataclasses.replace(ev, id="f", sentence=2, trigger=Span(
        start=TEXT.index("fired"), end=TEXT.index("fired") + 5, text="fired"))  # fmt: skip
    story = Story(
        id="s", text=TEXT, meta=Meta(dateline="SEOUL", published_date=date(2022, 1, 20)),
        doc=doc, sentences=sentences, events=(ev, fired),
    )  # fmt: skip
    out = PlaceStage(ctx)(story)
    assert not out.failures
    assert out.places[0].role == "dateline" and out.places[0].name == "Seoul"
    assert out.places[0].start is None
    mentions = {(p.name, p.country) for p in out.places if p.role == "mention"}
    assert {("Seoul", "KOR"), ("Pyongyang", "PRK"), ("Beijing", "CHN"), ("South Korea", "KOR")} <= mentions
    for p in out.places[1:]:
        assert p.start is not None and p.end is not None
        assert TEXT[p.start : p.end] == p.text
    talks, fire = out.events
    assert talks.place is not None and talks.place.name == "Seoul" and talks.place.role == "event"
    assert fire.place is not None and fire.place.country == "PRK" and fire.place.text == "Wonsan"


def test_stage_without_doc_keeps_the_dateline() -> None:
    story = Story(id="s", text="x", meta=Meta(dateline="Nowhere-on-Earth"))
    out = PlaceStage(Context()).process(story)
    assert out.places == ()
    out = PlaceStage(Context()).process(dataclasses.replace(story, meta=Meta(dateline="KYIV")))
    assert [(p.name, p.role) for p in out.places] == [("Kyiv", "dateline")]


SEED = Path(__file__).resolve().parents[2] / "shared" / "seed"


@pytest.mark.model
@pytest.mark.skipif(
    not (SEED / "yonhap-2022-01-20.gold.json").exists(), reason="shared seed data not present"
)
def test_seed_gold_places() -> None:
    from dateline.extract import ExtractStage
    from dateline.nlp import NlpStage

    ctx = Context()
    gold = json.loads((SEED / "yonhap-2022-01-20.gold.json").read_text("utf-8"))
    story = Story(id="seed", raw=(SEED / "yonhap-2022-01-20.txt").read_text("utf-8"))
    out = PlaceStage(ctx)(NlpStage(ctx)(ExtractStage(ctx)(story)))
    assert not out.failures
    found = {(p.text, f"{p.name}, {p.country_code2}", p.role) for p in out.places}
    for place in gold["places"]:
        assert (place["text"], place["geonames"], place.get("role", "mention")) in found


def test_saint_abbreviation_and_small_foreign_namesakes(gaz: Gazetteer) -> None:
    petersburg = geocode("St. Petersburg", gazetteer=gaz)
    assert petersburg is not None and petersburg.country == "RUS"
    assert geocode("St. Petersburg", "USA", gazetteer=gaz) is not None
    florida = geocode("St. Petersburg", "USA", gazetteer=gaz)
    assert florida is not None and florida.country == "USA"
    # a town of ~40,000 in Brazil is no match in a story about Venezuela
    assert geocode("Machado", "VEN", gazetteer=gaz) is None
    machado = geocode("Machado", gazetteer=gaz)
    assert machado is not None and machado.country == "BRA"


def test_regions_and_seas(gaz: Gazetteer) -> None:
    darfur = geocode("Darfur", gazetteer=gaz)
    assert darfur is not None and (darfur.country, darfur.feature) == ("SDN", "region")
    sea = geocode("the Red Sea", gazetteer=gaz)
    assert sea is not None and (sea.country, sea.feature, sea.text) == ("", "sea", "the Red Sea")
    with pytest.raises(DictionaryError, match=":2:"):
        load_regions("name,iso2,feature,lat,lon\nAtlantis,,island,0,0\n")
