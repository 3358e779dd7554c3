"""Domain records: frozen, slotted, keyword-only dataclasses.

Every record is plain data that can cross a process boundary (``to_dict`` /
``from_dict`` round-trip through JSON). The only exception is ``Story.doc``, the
in-process spaCy ``Doc`` cache, which is never serialised or compared.

Character offsets (``start``/``end``) always index ``Story.text``, the clean
article body, as Python string indices (end exclusive).

IDs are content hashes (see :func:`content_id`), never random or clock-based, so
a rerun over the same input yields the same IDs.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar, cast

__all__ = [
    "Actor",
    "Event",
    "Failure",
    "Mention",
    "Meta",
    "Place",
    "Provenance",
    "Quote",
    "Sentence",
    "Span",
    "Story",
    "content_id",
    "to_jsonable",
]

T = TypeVar("T")


def content_id(*parts: object, length: int = 16) -> str:
    """Stable hex id from the given parts (sha256 over their ``repr``-free string form)."""
    h = hashlib.sha256()
    for p in parts:
        h.update(str(p).encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    return h.hexdigest()[:length]


@dataclass(frozen=True, slots=True, kw_only=True)
class Span:
    """A character span of ``Story.text``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Provenance:
    """Where a value came from: which field, which extractor/rule, and any detail."""

    field: str
    source: str
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Meta:
    """Article metadata. ``published`` is an aware datetime when a time is known."""

    title: str | None = None
    authors: tuple[str, ...] = ()
    published: datetime | None = None
    published_date: date | None = None
    timezone: str | None = None
    dateline: str | None = None
    agency: str | None = None
    section: str | None = None
    url: str | None = None
    outlet: str | None = None
    language: str | None = None
    captions: tuple[str, ...] = ()
    provenance: tuple[Provenance, ...] = ()

    @property
    def byline(self) -> str | None:
        """Authors joined as printed in a byline ("A and B"), or None."""
        if not self.authors:
            return None
        if len(self.authors) == 1:
            return self.authors[0]
        return ", ".join(self.authors[:-1]) + " and " + self.authors[-1]


@dataclass(frozen=True, slots=True, kw_only=True)
class Sentence:
    """A sentence of the clean body."""

    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Actor:
    """A coded actor: CAMEO-style code = principal (country/IGO/NGO) + optional role.

    ``valid_from``/``valid_to`` give the dates of the affiliation that was used.
    """

    code: str
    principal: str
    role: str = ""
    name: str = ""
    kind: str = ""  # state | person | igo | ngo | group | agent
    valid_from: date | None = None
    valid_to: date | None = None
    source: str = ""  # dictionary entry id or rule that produced it


@dataclass(frozen=True, slots=True, kw_only=True)
class Mention:
    """A stretch of text that refers to an actor."""

    id: str
    sentence: int
    start: int
    end: int
    text: str
    actor: Actor | None = None
    kind: str = ""  # name | demonym | capital | metonym | person | role | pronoun | title
    head: int | None = None  # char offset of the syntactic head, when known
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Quote:
    """A direct quote and its speaker."""

    id: str
    sentence: int
    start: int
    end: int
    text: str
    speaker_text: str | None = None
    speaker: Actor | None = None
    speaker_mention: str | None = None  # Mention.id


@dataclass(frozen=True, slots=True, kw_only=True)
class Place:
    """A place named in the story, geocoded offline when possible."""

    text: str
    name: str = ""
    country: str = ""  # ISO 3166-1 alpha-3
    country_code2: str = ""  # ISO 3166-1 alpha-2 (as GeoNames prints it)
    lat: float | None = None
    lon: float | None = None
    geonames_id: int | None = None
    feature: str = ""  # city | country | region | ...
    role: str = "mention"  # dateline | mention | event
    start: int | None = None
    end: int | None = None
    sentence: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """A coded event with its evidence.

    ``cameo`` is the 2-4 digit CAMEO code; ``root`` its 2-digit root. ``source`` and
    ``target`` are actor codes ("" when unknown). Spans index ``Story.text``.
    """

    id: str
    story_id: str
    sentence: int
    cameo: str
    root: str
    name: str
    goldstein: float
    quad_class: int
    plover_type: str = ""
    plover_mode: str = ""
    source: str = ""
    target: str = ""
    source_actor: Actor | None = None
    target_actor: Actor | None = None
    trigger: Span | None = None
    source_span: Span | None = None
    target_span: Span | None = None
    date: date | None = None
    date_text: str | None = None
    date_span: Span | None = None
    place: Place | None = None
    reason: str = ""
    confidence: float = 1.0
    decided_by: str = ""
    coder_version: str = ""
    dictionary_version: str = ""
    ontology_version: str = ""
    quad_convention: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Failure:
    """A story that a stage could not process: recorded, not raised."""

    story_id: str
    stage: str
    error: str
    kind: str = "error"  # error | skip


@dataclass(frozen=True, slots=True, kw_only=True)
class Story:
    """A news story as it moves through the pipeline.

    Stages return a new Story (``dataclasses.replace``); fields a stage has not
    filled keep their defaults. ``doc`` holds the spaCy Doc in-process only.
    """

    id: str
    raw: str = ""
    source: str = ""  # path, URL or "-"
    content_type: str = "text/plain"
    text: str = ""
    meta: Meta = field(default_factory=Meta)
    boilerplate: tuple[str, ...] = ()
    sentences: tuple[Sentence, ...] = ()
    mentions: tuple[Mention, ...] = ()
    quotes: tuple[Quote, ...] = ()
    places: tuple[Place, ...] = ()
    events: tuple[Event, ...] = ()
    failures: tuple[Failure, ...] = ()
    stages: tuple[str, ...] = ()  # versioned names of the stages that ran
    doc: Any = field(default=None, compare=False, repr=False)

    def to_dict(self, *, include_raw: bool = False) -> dict[str, Any]:
        """JSON-ready dict (dates as ISO strings); ``doc`` is dropped."""
        d: dict[str, Any] = _to_jsonable(self)
        d.pop("doc", None)
        if not include_raw:
            d.pop("raw", None)
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Story:
        """Inverse of :meth:`to_dict`."""
        return _from_jsonable(cls, data)


# --- JSON round trip -------------------------------------------------------------

_RECORDS: dict[str, type] = {}


def to_jsonable(obj: Any) -> Any:
    """Any record (or tuple of records) as JSON-ready data: dates as ISO strings, tuples as lists."""
    return _to_jsonable(obj)


#: types returned as they are; checked first because they are most of a record's values
_PLAIN = frozenset({str, int, float, bool, type(None)})


@functools.cache
def _field_names(cls: type) -> tuple[str, ...] | None:
    """The serialised field names of a record class (None for other types), computed once per class."""
    if not dataclasses.is_dataclass(cls):
        return None
    return tuple(f.name for f in dataclasses.fields(cls) if f.name != "doc")


def _to_jsonable(obj: Any) -> Any:
    cls: type = type(obj)
    if cls in _PLAIN:
        return obj
    names = _field_names(cls)
    if names is not None:
        return {name: _to_jsonable(getattr(obj, name)) for name in names}
    if isinstance(obj, datetime | date):
        return obj.isoformat()
    if isinstance(obj, tuple | list):
        return [_to_jsonable(x) for x in obj]
    return obj


@functools.cache
def _type_hints(cls: type) -> dict[str, Any]:
    """The resolved field types of a record class (resolving them is slow: cached per class)."""
    import typing

    return typing.get_type_hints(cls)


def _from_jsonable(cls: type[T], data: dict[str, Any]) -> T:
    kwargs: dict[str, Any] = {}
    for name, convert in _plan(cast(type, cls)):
        if name in data:
            value = data[name]
            kwargs[name] = None if value is None else convert(value)
    return cls(**kwargs)


@functools.cache
def _plan(cls: type) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """(field name, converter) for each field of a record class, worked out once per class.

    Reading the type hints for every value cost more than the rest of decoding
    (``Story.from_dict`` is called for every record the store writes).
    """
    hints = _type_hints(cls)
    return tuple((f.name, _converter(hints[f.name])) for f in dataclasses.fields(cls) if f.name != "doc")


def _identity(value: Any) -> Any:
    return value


@functools.cache
def _converter(tp: Any) -> Callable[[Any], Any]:
    """The function that turns a non-None JSON value into a value of type ``tp``."""
    import types
    import typing

    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _converter(args[0]) if len(args) == 1 else _identity
    if origin is tuple:
        inner = _converter(typing.get_args(tp)[0])
        return lambda value: tuple(None if v is None else inner(v) for v in value)
    if tp is datetime:
        return datetime.fromisoformat
    if tp is date:
        return date.fromisoformat
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return lambda value: _from_jsonable(tp, value)
    return _identity
