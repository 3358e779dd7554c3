"""Event dates: find the time expression that belongs to an event and resolve it to a day.

Resolution rules (``../shared/eval/ANNOTATION.md``), against the publication date P:

- ``2022-01-19``, ``Jan. 19, 2022``, ``19 January 2022``: that day.
- ``Jan. 19``, ``January 19``, ``19 January``: that day in P's year; a day after P means
  the previous year. Without P, only dates that carry a year resolve.
- ``Thursday`` / ``on Thursday``: the most recent Thursday on or before P (P itself when P
  is a Thursday); ``last Thursday`` is strictly before P; ``next Thursday`` is None.
- ``today``, ``this morning``, ``tonight``: P. ``yesterday``, ``last night``: P - 1.
  ``three days ago``: P - 3. (Lexicon: ``data/dates/expressions.yaml``.)
- ``earlier in the day``, ``hours after``: the story's *reference day* (below), else P.
- ``last week``, ``this month``, ``recently``, ``in the coming months``: not a day, so the
  date is None, but ``date_text`` keeps the phrase.
- A relative date is never after P, and never more than ``dates.max_lookback_days`` before.

Which expression belongs to an event (:class:`DateStage`), numbered as the code runs:

1. an expression inside the trigger's dependency subtree (the closest one in the tree);
2. else the expression in the same sentence nearest to the trigger ("X met Y, his office
   said Tuesday": the day of the report is the day of the meeting);
3. else, *carry-forward*: news narrates around one reference day. The reference day starts
   as P and moves to each recent day an earlier sentence names ("on Monday"). A trigger in
   the simple past (VBD) without an expression of its own gets the reference day. A
   present-perfect lead ("North Korea has fired a missile") gets P. Every other tense
   (present, progressive, past perfect, modal) keeps None: "is pushing for sanctions" is
   ongoing, "had agreed" happened before the reference day.

Only days within ``_REFERENCE_WINDOW_DAYS`` of P move the reference day: a background
sentence naming a birthday months away does not move the story's "now".
"""

from __future__ import annotations

import calendar
import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any

import yaml

from .errors import DictionaryError
from .model import Event, Meta, Span, Story
from .pipeline import Stage

__all__ = ["DateLexicon", "DateStage", "find_time_expressions", "load_lexicon", "publication_date", "resolve"]

#: reference-day updates only come from days this close to publication (see module doc)
_REFERENCE_WINDOW_DAYS = 7
_LEXICON_FILE = "data/dates/expressions.yaml"
#: subordinators whose clause narrates background, not the story's news (step 3)
_BACKGROUND_MARKERS = frozenset({"after", "since", "when", "before", "until"})
_KINDS = ("publication", "reference", "vague", "future")

_MONTHS: dict[str, int] = {}
for _i in range(1, 13):
    _MONTHS[calendar.month_name[_i].lower()] = _i
    _MONTHS[calendar.month_abbr[_i].lower()] = _i
_MONTHS["sept"] = 9
_WEEKDAYS = {calendar.day_name[i].lower(): i for i in range(7)}
del _i

# Month names are matched capitalised only: "may" and "march" are common lower-case words.
_MONTH_RE = (
    r"(?P<{g}>(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)"
)
_DAY_RE = r"(?P<{g}>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR_RE = r"(?P<{g}>(?:19|20)\d\d)(?!-\d)"
_WEEKDAY_RE = r"(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"

_ABSOLUTE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("iso", re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b")),
    (
        "month_day",
        re.compile(
            r"\b"
            + _MONTH_RE.format(g="m")
            + r"\s+"
            + _DAY_RE.format(g="d")
            + r"\b(?:,?\s+"
            + _YEAR_RE.format(g="y")
            + r"\b)?"
        ),
    ),
    (
        "day_month",
        re.compile(
            r"\b"
            + _DAY_RE.format(g="d")
            + r"\s+(?:of\s+)?"
            + _MONTH_RE.format(g="m")
            + r"(?:,?\s+"
            + _YEAR_RE.format(g="y")
            + r")?\b"
        ),
    ),
    (
        "weekday",
        re.compile(
            r"\b(?:(?P<mod>[Ll]ast|[Tt]his|[Nn]ext|[Oo]n|[Ee]arly|[Ll]ate)\s+)?"
            + _WEEKDAY_RE
            + r"(?:\s+(?:morning|afternoon|evening|night))?\b"
        ),
    ),
    (
        "ago",
        re.compile(
            r"\b(?P<n>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|a)\s+days?\s+ago\b",
            re.IGNORECASE,
        ),
    ),
    (
        "month_only",
        re.compile(
            r"\b(?:[Ii]n|[Ss]ince|[Uu]ntil|[Bb]y|[Ee]arly|[Ll]ate|[Mm]id-?)\s*"
            + _MONTH_RE.format(g="m")
            + r"(?:\s+"
            + _YEAR_RE.format(g="y")
            + r")?\b(?!\s+[0-3]?\d\b)"  # "in January 19" is a day, not a month
        ),
    ),
)
_NUMBER_WORDS = {
    "a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip


@dataclass(frozen=True, slots=True, eq=False)  # hashed by identity: it keys a regex cache
class DateLexicon:
    """Phrases that are time expressions but not calendar dates (see the YAML file)."""

    publication: Mapping[str, int]
    reference: frozenset[str]
    vague: frozenset[str]
    future: frozenset[str]

    def kind_of(self, phrase: str) -> str | None:
        """The lexicon kind of a phrase (lower-cased, whitespace-normalised), or None."""
        key = " ".join(phrase.lower().split())
        if key in self.publication:
            return "publication"
        for kind in ("reference", "vague", "future"):
            if key in getattr(self, kind):
                return kind
        return None

    def phrases(self) -> list[str]:
        """All phrases, longest first so that a regex alternation prefers them."""
        every = [*self.publication, *self.reference, *self.vague, *self.future]
        return sorted(every, key=len, reverse=True)


def load_lexicon(text: str | None = None, *, path: str = _LEXICON_FILE) -> DateLexicon:
    """Load and validate the date lexicon.

    Args:
        text: YAML text to parse instead of the bundled file (for tests and overrides).
        path: the name reported in errors.

    Returns:
        The validated lexicon.

    Raises:
        DictionaryError: a section is missing or has a bad entry.
    """
    if text is None:
        text = resources.files("dateline").joinpath(_LEXICON_FILE).read_text("utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or set(data) != set(_KINDS):
        raise DictionaryError(path, 0, f"expected exactly the sections {', '.join(_KINDS)}")
    publication = data["publication"]
    if not isinstance(publication, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and v <= 0 for k, v in publication.items()
    ):
        raise DictionaryError(path, 0, "'publication' must map phrases to day offsets <= 0")
    lists: dict[str, frozenset[str]] = {}
    for kind in ("reference", "vague", "future"):
        values = data[kind]
        if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
            raise DictionaryError(path, 0, f"'{kind}' must be a list of non-empty phrases")
        lists[kind] = frozenset(" ".join(v.lower().split()) for v in values)
    return DateLexicon(
        publication={" ".join(k.lower().split()): v for k, v in publication.items()},
        reference=lists["reference"],
        vague=lists["vague"],
        future=lists["future"],
    )


@cache
def default_lexicon() -> DateLexicon:
    """The bundled lexicon, parsed once (it is immutable)."""
    return load_lexicon()


@cache
def _lexicon_pattern(lexicon: DateLexicon) -> re.Pattern[str]:
    alternation = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in lexicon.phrases())
    return re.compile(rf"\b(?:{alternation})\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Match:
    start: int
    end: int
    text: str
    kind: str  # a pattern name or a lexicon kind
    groups: Mapping[str, str | None]


def _matches(text: str, lexicon: DateLexicon) -> list[_Match]:
    """Every candidate match, overlapping; :func:`_select` picks among them."""
    found = [
        _Match(m.start(), m.end(), m.group(0), name, m.groupdict())
        for name, pattern in _ABSOLUTE_PATTERNS
        for m in pattern.finditer(text)
    ]
    for m in _lexicon_pattern(lexicon).finditer(text):
        kind = lexicon.kind_of(m.group(0)) or "vague"
        found.append(_Match(m.start(), m.end(), m.group(0), kind, {}))
    return found


def _select(found: Iterable[_Match]) -> list[_Match]:
    """Non-overlapping matches, preferring the longest at each position."""
    chosen: list[_Match] = []
    for m in sorted(found, key=lambda m: (m.start, -(m.end - m.start))):
        if chosen and m.start < chosen[-1].end:
            continue
        chosen.append(m)
    return chosen


def _expressions(text: str, lexicon: DateLexicon | None = None) -> list[_Match]:
    return _select(_matches(text, lexicon or default_lexicon()))


def find_time_expressions(text: str, lexicon: DateLexicon | None = None) -> list[tuple[int, int, str]]:
    """Time expressions in a text, in order and non-overlapping.

    Args:
        text: any text (a sentence or a whole body).
        lexicon: phrases to recognise besides calendar dates (default: the bundled one).

    Returns:
        ``(start, end, text)`` for each expression; offsets index ``text``.
    """
    return [(m.start, m.end, m.text) for m in _expressions(text, lexicon)]


def resolve(
    expr: str,
    published: date | None,
    *,
    reference: date | None = None,
    max_lookback_days: int = 366,
    lexicon: DateLexicon | None = None,
) -> date | None:
    """The day a time expression names, or None when it names no single past day.

    Args:
        expr: the expression, e.g. "on Thursday", "Jan. 19", "earlier in the day".
        published: the publication date; without it only dates with a year resolve.
        reference: the story's reference day, used by "earlier in the day" / "hours after"
            (defaults to ``published``).
        max_lookback_days: relative dates further back than this resolve to None.
        lexicon: the phrase lexicon (default: the bundled one).

    Returns:
        The date, or None (vague, future, unparseable, or no publication date to count from).
    """
    found = _expressions(expr, lexicon)
    if not found:
        return None
    return _resolve_match(found[0], published, reference, max_lookback_days, lexicon or default_lexicon())


def _resolve_match(
    m: _Match, published: date | None, reference: date | None, lookback: int, lexicon: DateLexicon
) -> date | None:
    if m.kind in ("iso", "month_day", "day_month"):
        return _absolute(m.groups, published)
    if published is None:
        return None
    if m.kind == "weekday":
        day = _weekday(m.groups, published)
    elif m.kind == "ago":
        count = m.groups["n"] or ""
        days = int(count) if count.isdigit() else _NUMBER_WORDS[count.lower()]
        day = published - timedelta(days=days)
    elif m.kind == "publication":
        day = published + timedelta(days=lexicon.publication[" ".join(m.text.lower().split())])
    elif m.kind == "reference":
        day = reference if reference is not None and reference <= published else published
    else:  # vague, future, month_only: not a single past day
        return None
    if day is None or day > published or (published - day).days > lookback:
        return None
    return day


def _absolute(groups: Mapping[str, str | None], published: date | None) -> date | None:
    """A calendar date; the year comes from the text, else from publication (see module doc)."""
    month_text = (groups.get("m") or "").rstrip(".").lower()
    month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text)
    day_text, year_text = groups.get("d"), groups.get("y")
    if month is None or not day_text:
        return None
    day = int(day_text)
    try:
        if year_text:
            return date(int(year_text), month, day)
        if published is None:
            return None
        guess = date(published.year, month, day)
        return guess if guess <= published else date(published.year - 1, month, day)
    except ValueError:  # "Feb. 30", "Feb. 29" outside a leap year
        return None


def _weekday(groups: Mapping[str, str | None], published: date) -> date | None:
    modifier = (groups.get("mod") or "").lower()
    if modifier == "next":
        return None
    back = (published.weekday() - _WEEKDAYS[(groups.get("wd") or "").lower()]) % 7
    if modifier == "last" and back == 0:
        back = 7  # "last Thursday" said on a Thursday is a week ago
    return published - timedelta(days=back)


# --- the stage ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Found:
    """An expression in the story body with its resolution."""

    span: Span
    match: _Match
    date: date | None


def publication_date(meta: Meta) -> date | None:
    """The publication day: ``meta.published_date``, else the date of ``meta.published``."""
    if meta.published_date is not None:
        return meta.published_date
    return meta.published.date() if meta.published is not None else None


class DateStage(Stage):
    """Give each event the day it happened (see the module docstring for the rules)."""

    name = "dateline.dates.v1"
    requires = frozenset({"doc", "events", "meta"})
    provides = frozenset({"event_dates"})

    def process(self, story: Story) -> Story:
        if not story.events:
            return story
        published = publication_date(story.meta)
        lookback = self.ctx.settings.dates.max_lookback_days
        lexicon = self.ctx.resource("dates.lexicon", load_lexicon)
        # sentences after the last event's cannot date it: the scan stops there
        last = max(ev.sentence for ev in story.events)
        per_sentence, references = _scan(story, published, lookback, lexicon, last)
        events = tuple(
            _date_event(story, ev, per_sentence, references, published, lexicon, lookback)
            for ev in story.events
        )
        return dataclasses.replace(story, events=events)


def _scan(
    story: Story, published: date | None, lookback: int, lexicon: DateLexicon, last: int
) -> tuple[dict[int, list[_Found]], dict[int, date | None]]:
    """Expressions per sentence, and the reference day in force at the start of each sentence.

    Sentences after index ``last`` are not scanned: a sentence's reference day depends
    only on the sentences before it.
    """
    per_sentence: dict[int, list[_Found]] = {}
    references: dict[int, date | None] = {}
    reference = published
    for sent in story.sentences:
        if sent.index > last:
            break
        references[sent.index] = reference
        found = []
        for m in _expressions(sent.text, lexicon):
            start = sent.start + m.start
            span = Span(start=start, end=start + len(m.text), text=m.text)
            found.append(_Found(span, m, _resolve_match(m, published, reference, lookback, lexicon)))
        per_sentence[sent.index] = found
        for f in found:
            if _moves_reference(f, published):
                reference = f.date
    return per_sentence, references


def _moves_reference(found: _Found, published: date | None) -> bool:
    if found.date is None or published is None or found.match.kind == "reference":
        return False
    return (published - found.date).days <= _REFERENCE_WINDOW_DAYS


def _date_event(
    story: Story,
    event: Event,
    per_sentence: dict[int, list[_Found]],
    references: dict[int, date | None],
    published: date | None,
    lexicon: DateLexicon,
    lookback: int,
) -> Event:
    found = per_sentence.get(event.sentence, [])
    trigger = _trigger_token(story.doc, event)
    chosen = _choose(found, trigger, event)
    if chosen is not None:
        reference = references.get(event.sentence)
        day = _resolve_match(chosen.match, published, reference, lookback, lexicon)
        return dataclasses.replace(event, date=day, date_text=chosen.span.text, date_span=chosen.span)
    day = _carry_forward(trigger, event, references.get(event.sentence), published)
    return dataclasses.replace(event, date=day, date_text=None, date_span=None)


def _trigger_token(doc: Any, event: Event) -> Any:
    """The syntactic head of the trigger span in the Doc, or None."""
    if doc is None or event.trigger is None:
        return None
    span = doc.char_span(event.trigger.start, event.trigger.end, alignment_mode="expand")
    return span.root if span is not None and len(span) else None


def _choose(found: list[_Found], trigger: Any, event: Event) -> _Found | None:
    """Steps 1 and 2: the expression in the trigger's subtree, else the nearest in the sentence."""
    if not found:
        return None
    if trigger is not None:
        doc = trigger.doc
        # depth below the trigger of each token of its subtree (the number of its ancestors up
        # to and including the trigger), one walk down the tree instead of one up per token
        depth: dict[int, int] = {trigger.i: 0}
        todo = [trigger]
        while todo:
            tok = todo.pop()
            for child in tok.children:
                depth[child.i] = depth[tok.i] + 1
                todo.append(child)
        inside = []
        for f in found:
            span = doc.char_span(f.span.start, f.span.end, alignment_mode="expand")
            if span is not None and all(t.i in depth for t in span):
                inside.append((min(depth[t.i] for t in span), f))
        if inside:
            return min(inside, key=lambda pair: pair[0])[1]
    anchor = event.trigger.start if event.trigger is not None else found[0].span.start
    return min(found, key=lambda f: abs(f.span.start - anchor))


def _carry_forward(trigger: Any, event: Event, reference: date | None, published: date | None) -> date | None:
    """Step 3: simple past takes the reference day; a present-perfect lead takes publication.

    Three exceptions keep None: the copula ("they were in Manila" is a state), a trigger in
    a background clause ("after the North blasted ...", "when they intervened") and any
    tense but the simple past. Speech reported in the present ("'I hope ...,' Kang said")
    takes the tense of its past-tense reporting verb.
    """
    verb = _governing_verb(trigger)
    if verb is None or verb.lemma_ == "be" or _in_background_clause(verb):
        return None
    if _simple_past(verb):
        return reference
    if verb.tag_ == "VBN" and _auxes(verb) & {"has", "have"} and event.sentence == 0:
        return published
    head = verb.head
    if verb.dep_ in ("ccomp", "parataxis") and head != verb and _simple_past(head):
        return reference
    return None


def _auxes(verb: Any) -> set[str]:
    return {c.lower_ for c in verb.children if c.dep_ in ("aux", "auxpass")}


def _simple_past(verb: Any) -> bool:
    """True for "fired" and for the simple-past passive "was fired"."""
    auxes = _auxes(verb)
    if verb.tag_ == "VBD" and not auxes:
        return True
    return bool(verb.tag_ == "VBN" and auxes and auxes <= {"was", "were"})


def _in_background_clause(verb: Any) -> bool:
    """True inside a clause introduced by "after", "since", "when", "before" or "until"."""
    for tok in (verb, *verb.ancestors):
        if tok.dep_ in ("advcl", "pcomp", "relcl") and any(
            c.dep_ in ("mark", "advmod") and c.lower_ in _BACKGROUND_MARKERS for c in tok.children
        ):
            return True
        if tok.dep_ == "pcomp" and tok.head.lower_ in _BACKGROUND_MARKERS:
            return True
    return False


def _governing_verb(token: Any) -> Any:
    """The trigger if it is a verb, else its nearest verbal ancestor ("talks" -> "held")."""
    if token is None:
        return None
    for tok in (token, *token.ancestors):
        if tok.pos_ in ("VERB", "AUX"):
            return tok
    return None
