"""HTTP schemas (pydantic): query filters, request bodies and response documents.

Codes are validated by pattern at the edge, so nothing the client sends reaches SQL
except as a bound parameter, and LIKE patterns never carry client wildcards.
"""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "ActorOut",
    "ActorProfile",
    "AggregateOut",
    "ArticleOut",
    "ArticleSummary",
    "CodeRequest",
    "CorrectionIn",
    "CorrectionOut",
    "DyadOut",
    "EventFilters",
    "EventOut",
    "Page",
]

ACTOR = r"^[A-Za-z0-9]{1,24}$"
DYAD = r"^[A-Za-z0-9]{1,24}-[A-Za-z0-9]{1,24}$"
CAMEO = r"^[0-9]{2,4}$"
ROOT = r"^[0-9]{2}$"
COUNTRY = r"^[A-Za-z]{3}$"
WORD = r"^[A-Za-z_]{1,40}$"
CorrectionKind = Literal["wrong_code", "wrong_actor", "not_event", "missed_event"]


class _Out(BaseModel):
    # Rows may carry helper columns (seq, mention); only the declared fields are sent.
    model_config = ConfigDict(extra="ignore")


class EventFilters(BaseModel):
    """Filters shared by the events, aggregates, dyads and places endpoints."""

    # "ignore": the endpoints add their own parameters (limit, cursor, interval) beside these.
    model_config = ConfigDict(extra="ignore")

    actor: str | None = Field(
        None, pattern=ACTOR, description="actor code or prefix, as source or target (KOR, KORGOV)"
    )
    source: str | None = Field(None, pattern=ACTOR, description="source actor code or prefix")
    target: str | None = Field(None, pattern=ACTOR, description="target actor code or prefix")
    dyad: str | None = Field(
        None, pattern=DYAD, description="two actor codes or prefixes, A-B (e.g. KOR-USA)"
    )
    directed: bool = Field(
        False, description="dyad A-B means source A and target B only (default: either way)"
    )
    cameo: str | None = Field(None, pattern=CAMEO, description="CAMEO code or prefix (04, 041, 0411)")
    root: str | None = Field(None, pattern=ROOT, description="CAMEO root (two digits)")
    plover_type: str | None = Field(None, pattern=WORD, description="PLOVER event type, e.g. CONSULT")
    quad_class: int | None = Field(
        None, ge=1, le=4, description="1 verbal coop, 2 material coop, 3 verbal conflict, 4 material conflict"
    )
    date_from: Date | None = Field(None, description="first event date (inclusive)")
    date_to: Date | None = Field(None, description="last event date (inclusive)")
    country: str | None = Field(
        None, pattern=COUNTRY, description="ISO alpha-3 of the source, target or place"
    )
    place: str | None = Field(None, min_length=1, max_length=100, description="place name (substring)")
    q: str | None = Field(
        None, min_length=1, max_length=200, description="free text in the evidence sentence or headline"
    )
    story_id: str | None = Field(
        None, pattern=r"^[A-Za-z0-9_.:-]{1,80}$", description="events reported by this story"
    )
    corrected: bool | None = Field(
        None, description="only events with (true) or without (false) analyst corrections"
    )

    @model_validator(mode="after")
    def _dates_in_order(self) -> EventFilters:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from is after date_to")
        return self


class Span(_Out):
    start: int
    end: int
    text: str | None = None


class PlaceOut(_Out):
    name: str | None = None
    country: str | None = None
    lat: float | None = None
    lon: float | None = None


class CorrectionOut(_Out):
    """An analyst's correction, stored apart from machine output."""

    id: str
    event_id: str | None
    story_id: str | None
    kind: CorrectionKind
    cameo: str | None = None
    source: str | None = None
    target: str | None = None
    date: Date | None = None
    evidence: str | None = None
    note: str | None = None
    author: str | None = None
    created: datetime


class EventOut(_Out):
    """A merged event with the evidence of one article that reported it."""

    id: str
    story_id: str
    sentence: int | None = None
    date: Date | None = None
    cameo: str
    root: str
    name: str | None = None
    goldstein: float | None = None
    quad_class: int | None = None
    plover_type: str | None = None
    plover_mode: str | None = None
    source: str
    target: str
    source_name: str | None = None
    target_name: str | None = None
    source_text: str | None = None
    target_text: str | None = None
    trigger: Span | None = None
    source_span: Span | None = None
    target_span: Span | None = None
    evidence: str | None = None
    place: PlaceOut | None = None
    num_mentions: int = 0
    num_sources: int = 0
    num_articles: int = 0
    title: str | None = None
    url: str | None = None
    corrections: list[CorrectionOut] = []


class Page(_Out):
    items: list[EventOut]
    next_cursor: str | None = None


class AggregateRow(_Out):
    period: Date
    events: int
    q1: int
    q2: int
    q3: int
    q4: int
    goldstein_sum: float
    goldstein_mean: float | None
    articles: int
    events_per_100_articles: float | None
    change_vs_baseline: float | None = None
    goldstein_change_vs_baseline: float | None = None


class Baseline(_Out):
    date_from: Date
    date_to: Date
    periods: int
    mean_events: float
    mean_goldstein: float | None


class AggregateOut(_Out):
    interval: Literal["day", "week", "month"]
    series: list[AggregateRow]
    baseline: Baseline | None = None


class DyadOut(_Out):
    source: str
    target: str
    events: int
    goldstein_sum: float
    goldstein_mean: float | None


class DyadList(_Out):
    level: Literal["principal", "actor"]
    directed: bool
    items: list[DyadOut]


class PlaceCount(_Out):
    name: str
    country: str | None
    lat: float | None
    lon: float | None
    events: int


class PlaceList(_Out):
    items: list[PlaceCount]


class ActorOut(_Out):
    code: str
    name: str | None = None
    events: int


class ActorList(_Out):
    items: list[ActorOut]


class Partner(_Out):
    code: str
    events: int
    goldstein_mean: float | None


class ActorProfile(_Out):
    code: str
    name: str | None = None
    principal: str | None = None
    role: str | None = None
    kind: str | None = None
    as_source: int
    as_target: int
    first_date: Date | None = None
    last_date: Date | None = None
    quad_counts: dict[str, int]
    goldstein_mean: float | None
    top_targets: list[Partner]
    top_sources: list[Partner]
    names_in_text: list[str]


class ArticleSummary(_Out):
    id: str
    title: str | None = None
    published: Date | None = None
    outlet: str | None = None
    url: str | None = None
    events: int


class ArticleList(_Out):
    items: list[ArticleSummary]
    next_cursor: str | None = None


class SentenceOut(_Out):
    index: int
    start: int
    end: int


class MentionOut(_Out):
    start: int
    end: int
    text: str
    actor: str | None = None


class QuoteOut(_Out):
    start: int
    end: int
    text: str
    speaker: str | None = None


class ArticleOut(_Out):
    id: str
    title: str | None = None
    published: Date | None = None
    outlet: str | None = None
    url: str | None = None
    dateline: str | None = None
    agency: str | None = None
    status: str
    duplicate_of: str | None = None
    text: str
    sentences: list[SentenceOut]
    mentions: list[MentionOut]
    quotes: list[QuoteOut]
    events: list[EventOut]
    corrections: list[CorrectionOut]


class CodeRequest(BaseModel):
    """Raw text or a URL to code; exactly one of them."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(None, min_length=1, description="raw article text or HTML")
    url: str | None = Field(
        None, pattern=r"^https?://\S+$", max_length=2000, description="article URL (needs the token)"
    )

    @model_validator(mode="after")
    def _one_input(self) -> CodeRequest:
        if (self.text is None) == (self.url is None):
            raise ValueError("send exactly one of 'text' or 'url'")
        return self


class CorrectionIn(BaseModel):
    """An analyst's fix: a wrong code or actor, not an event, or a missed event."""

    model_config = ConfigDict(extra="forbid")

    kind: CorrectionKind
    event_id: str | None = Field(
        None, pattern=r"^[A-Za-z0-9_.:-]{1,80}$", description="the event (not for missed_event)"
    )
    story_id: str | None = Field(
        None, pattern=r"^[A-Za-z0-9_.:-]{1,80}$", description="the article (needed for missed_event)"
    )
    cameo: str | None = Field(None, pattern=CAMEO)
    source: str | None = Field(None, pattern=r"^[A-Za-z0-9]{0,24}$")
    target: str | None = Field(None, pattern=r"^[A-Za-z0-9]{0,24}$")
    date: Date | None = None
    evidence: str | None = Field(None, max_length=1000)
    note: str | None = Field(None, max_length=2000)
    author: str | None = Field(None, max_length=100)

    @model_validator(mode="after")
    def _consistent(self) -> CorrectionIn:
        if self.kind == "missed_event":
            if not self.story_id or not self.cameo:
                raise ValueError("a missed_event correction needs story_id and cameo")
        elif not self.event_id:
            raise ValueError(f"a {self.kind} correction needs event_id")
        if self.kind == "wrong_code" and not self.cameo:
            raise ValueError("a wrong_code correction needs the right cameo code")
        if self.kind == "wrong_actor" and self.source is None and self.target is None:
            raise ValueError("a wrong_actor correction needs the right source or target")
        return self


class CorrectionList(_Out):
    items: list[CorrectionOut]
