"""Read queries behind the API, written once for DuckDB and PostgreSQL.

Every value from a request is a bound ``?`` parameter; the only text spliced into SQL
is chosen from fixed tables here (column names, the date_trunc unit). Filters arrive
already validated by :class:`~dateline.web.schemas.EventFilters`.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from ..store import Store
from .errors import ApiError
from .schemas import EventFilters

__all__ = [
    "Where",
    "actor_profile",
    "aggregates",
    "article",
    "articles",
    "decode_cursor",
    "dyads",
    "encode_cursor",
    "event_page",
    "events_by_id",
    "places",
    "search_actors",
]

Row = dict[str, Any]
#: events without a date sort last in the newest-first order
_NO_DATE = date(1, 1, 1)
_SORT = "coalesce(e.event_date, DATE '0001-01-01')"
_TRUNC = {"day": "day", "week": "week", "month": "month"}
_EVENT_COLUMNS = (
    "e.id, e.story_id, e.event_date, e.cameo, e.root, e.name, e.goldstein, e.quad_class, e.plover_type, "
    "e.plover_mode, e.source, e.target, e.source_name, e.target_name, e.place_name, e.place_country, e.lat, "
    "e.lon, e.num_mentions, e.num_sources, e.num_articles, e.source_url"
)


@dataclass
class Where:
    """A conjunction of SQL conditions and their parameters."""

    clauses: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, clause: str, *params: Any) -> None:
        """Add one condition with its ``?`` parameters."""
        self.clauses.append(clause)
        self.params.extend(params)

    def sql(self) -> str:
        """``WHERE ...`` or the empty string."""
        return ("WHERE " + " AND ".join(self.clauses)) if self.clauses else ""


def _prefix(code: str) -> str:
    # Codes are pattern-checked alphanumerics, so appending % cannot smuggle a wildcard in.
    return code.upper() + "%"


def _dyad_clause(where: Where, dyad: str, directed: bool) -> None:
    a, b = dyad.split("-", 1)
    forward = "(e.source LIKE ? AND e.target LIKE ?)"
    if directed:
        where.add(forward, _prefix(a), _prefix(b))
    else:
        where.add(f"({forward} OR {forward})", _prefix(a), _prefix(b), _prefix(b), _prefix(a))


def event_where(f: EventFilters) -> Where:
    """The WHERE clause over ``events e`` for the filters.

    Args:
        f: validated filters.

    Returns:
        The conditions and parameters.
    """
    w = Where()
    if f.actor:
        w.add("(e.source LIKE ? OR e.target LIKE ?)", _prefix(f.actor), _prefix(f.actor))
    if f.source:
        w.add("e.source LIKE ?", _prefix(f.source))
    if f.target:
        w.add("e.target LIKE ?", _prefix(f.target))
    if f.dyad:
        _dyad_clause(w, f.dyad, f.directed)
    if f.cameo:
        w.add("e.cameo LIKE ?", f.cameo + "%")
    if f.root:
        w.add("e.root = ?", f.root)
    if f.plover_type:
        w.add("upper(e.plover_type) = ?", f.plover_type.upper())
    if f.quad_class:
        w.add("e.quad_class = ?", f.quad_class)
    if f.date_from:
        w.add("e.event_date >= ?", f.date_from)
    if f.date_to:
        w.add("e.event_date <= ?", f.date_to)
    if f.country:
        c = f.country.upper()
        w.add("(e.source_country = ? OR e.target_country = ? OR e.place_country = ?)", c, c, c)
    if f.place:
        w.add("strpos(lower(coalesce(e.place_name, '')), lower(?)) > 0", f.place)
    if f.story_id:
        w.add("e.id IN (SELECT m.event_id FROM event_mentions m WHERE m.story_id = ?)", f.story_id)
    if f.q:
        w.add(
            "e.id IN (SELECT m.event_id FROM event_mentions m JOIN sentences s ON s.story_id = m.story_id "
            "AND s.idx = m.sentence JOIN stories st ON st.id = m.story_id "
            "WHERE strpos(lower(s.text), lower(?)) > 0 OR strpos(lower(coalesce(st.title, "
            "'')), lower(?)) > 0)",
            f.q,
            f.q,
        )
    if f.corrected is not None:
        w.add(
            ("" if f.corrected else "NOT ") + "EXISTS (SELECT 1 FROM corrections c WHERE c.event_id = e.id)"
        )
    return w


# --- cursors ------------------------------------------------------------------------


def encode_cursor(*parts: Any) -> str:
    """An opaque cursor (URL-safe base64 of a JSON list)."""
    raw = json.dumps([p.isoformat() if isinstance(p, date) else p for p in parts])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, kinds: Sequence[type]) -> list[Any]:
    """The parts of a cursor, checked against ``kinds`` (``date``, ``str`` or ``int``).

    Raises:
        ApiError: 400 when the cursor was not made by this API.
    """
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        parts = json.loads(raw)
        if not isinstance(parts, list) or len(parts) != len(kinds):
            raise ValueError("wrong length")
        return [_cursor_part(p, k) for p, k in zip(parts, kinds, strict=True)]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ApiError(
            400,
            "invalid cursor: pass back the next_cursor of the previous page unchanged",
            code="invalid_cursor",
        ) from None


def _cursor_part(value: Any, kind: type) -> Any:
    if kind is date:
        return date.fromisoformat(value)
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("not an int")
        return value
    if not isinstance(value, str):
        raise ValueError("not a string")
    return value


# --- events -------------------------------------------------------------------------


def event_page(store: Store, f: EventFilters, limit: int, cursor: str | None) -> tuple[list[Row], str | None]:
    """One page of events, newest first (undated last), with keyset pagination.

    Args:
        store: the event store.
        f: filters.
        limit: page size.
        cursor: ``next_cursor`` of the previous page, or None for the first.

    Returns:
        The event rows (with evidence and corrections) and the next cursor (None at the end).
    """
    w = event_where(f)
    if cursor:
        day, last_id = decode_cursor(cursor, (date, str))
        w.add(f"({_SORT} < ? OR ({_SORT} = ? AND e.id < ?))", day, day, last_id)
    sql = f"SELECT {_EVENT_COLUMNS} FROM events e {w.sql()} ORDER BY {_SORT} DESC, e.id DESC LIMIT ?"
    rows = store.query(sql, [*w.params, limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    attach_evidence(store, rows)
    next_cursor = None
    if more and rows:
        last = rows[-1]
        next_cursor = encode_cursor(last["event_date"] or _NO_DATE, last["id"])
    return rows, next_cursor


def events_by_id(store: Store, ids: Sequence[str]) -> list[Row]:
    """Events by merged id, with evidence and corrections."""
    if not ids:
        return []
    marks = ", ".join("?" * len(ids))
    rows = store.query(
        f"SELECT {_EVENT_COLUMNS} FROM events e WHERE e.id IN ({marks}) ORDER BY e.id", list(ids)
    )
    attach_evidence(store, rows)
    return rows


def attach_evidence(store: Store, rows: list[Row], story_id: str | None = None) -> None:
    """Add the reporting mention (spans, sentence, headline) and corrections to each event row.

    The mention shown is the one from ``story_id`` when given, else from the event's first article.
    """
    if not rows:
        return
    ids = [r["id"] for r in rows]
    marks = ", ".join("?" * len(ids))
    mentions = store.query(
        "SELECT m.event_id, m.story_id, m.sentence, m.trigger_start, m.trigger_end, m.trigger_text, "
        "m.source_start, m.source_end, m.source_text, m.target_start, m.target_end, m.target_text, "
        "s.text AS evidence, st.title, st.canonical_url AS url "
        "FROM event_mentions m LEFT JOIN sentences s ON s.story_id = m.story_id AND s.idx = m.sentence "
        "LEFT JOIN stories st ON st.id = m.story_id "
        f"WHERE m.linked_from IS NULL AND m.event_id IN ({marks}) ORDER BY m.event_id, "
        "m.story_id, m.sentence, m.id",
        ids,
    )
    by_event: dict[str, Row] = {}
    for m in mentions:
        want = story_id or _row_for(rows, m["event_id"])["story_id"]
        if m["event_id"] not in by_event or (
            m["story_id"] == want and by_event[m["event_id"]]["story_id"] != want
        ):
            by_event[m["event_id"]] = m
    fixes = corrections_for_events(store, ids)
    for r in rows:
        r["mention"] = by_event.get(r["id"])
        r["corrections"] = fixes.get(r["id"], [])


def _row_for(rows: list[Row], event_id: str) -> Row:
    return next(r for r in rows if r["id"] == event_id)


def corrections_for_events(store: Store, ids: Sequence[str]) -> dict[str, list[Row]]:
    """Corrections keyed by event id."""
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    out: dict[str, list[Row]] = {}
    for c in store.query(
        f"SELECT * FROM corrections WHERE event_id IN ({marks}) ORDER BY created, id", list(ids)
    ):
        out.setdefault(c["event_id"], []).append(c)
    return out


# --- aggregates ---------------------------------------------------------------------


def _periods(first: date, last: date, interval: str) -> list[date]:
    """Every period start from ``first`` to ``last`` (both already truncated)."""
    out, cur = [], first
    while cur <= last:
        out.append(cur)
        if interval == "day":
            cur += timedelta(days=1)
        elif interval == "week":
            cur += timedelta(days=7)
        else:
            cur = date(cur.year + cur.month // 12, cur.month % 12 + 1, 1)
    return out


def truncate(day: date, interval: str) -> date:
    """The start of the period holding ``day`` (weeks start on Monday, as date_trunc does)."""
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


def _event_series(store: Store, f: EventFilters, interval: str) -> dict[date, Row]:
    w = event_where(f)
    w.add("e.event_date IS NOT NULL")
    unit = _TRUNC[interval]
    period = f"CAST(date_trunc('{unit}', e.event_date) AS DATE)"
    sql = (
        f"SELECT {period} AS period, count(*) AS events, "
        + ", ".join(f"sum(CASE WHEN e.quad_class = {q} THEN 1 ELSE 0 END) AS q{q}" for q in range(1, 5))
        + ", coalesce(sum(e.goldstein), 0) AS goldstein_sum, CAST(avg(e.goldstein) AS DOUBLE "
        "PRECISION) AS goldstein_mean "
        f"FROM events e {w.sql()} GROUP BY {period} ORDER BY period"
    )
    return {_as_date(r["period"]): r for r in store.query(sql, w.params)}


def _article_volume(store: Store, first: date, last: date, interval: str) -> dict[date, int]:
    """Stories published per period (near-duplicates included: they are articles too)."""
    unit = _TRUNC[interval]
    period = f"CAST(date_trunc('{unit}', published_date) AS DATE)"
    rows = store.query(
        f"SELECT {period} AS period, count(*) AS n FROM stories WHERE published_date BETWEEN ? AND ? "
        f"AND status IN ('coded', 'duplicate') GROUP BY {period}",
        [first, last + timedelta(days=31)],
    )
    return {_as_date(r["period"]): int(r["n"]) for r in rows}


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):  # PostgreSQL returns date_trunc as a timestamp
        return value.date()
    return value  # type: ignore[no-any-return]


def aggregates(
    store: Store, f: EventFilters, interval: str, baseline: tuple[date, date] | None, max_periods: int
) -> dict[str, Any]:
    """Counts by quad class, Goldstein sum/mean, article-normalised counts and change vs a baseline.

    Args:
        store: the event store.
        f: filters (``date_from``/``date_to`` bound the series; gaps are filled with zeros).
        interval: ``day``, ``week`` or ``month``.
        baseline: optional (from, to) window whose mean per period is the reference.
        max_periods: refuse series longer than this (a hint to use a coarser interval).

    Returns:
        ``{"interval", "series": [...], "baseline": {...} | None}``.
    """
    found = _event_series(store, f, interval)
    series: list[Row] = []
    if found or (f.date_from and f.date_to):
        first = truncate(f.date_from, interval) if f.date_from else min(found)
        last = truncate(f.date_to, interval) if f.date_to else max(found)
        _check_length(first, last, interval, max_periods)
        volume = _article_volume(store, first, last, interval)
        series = [_series_row(p, found.get(p), volume.get(p, 0)) for p in _periods(first, last, interval)]
    base = _baseline(store, f, interval, baseline, max_periods) if baseline else None
    if base:
        for row in series:
            row["change_vs_baseline"] = (
                (row["events"] - base["mean_events"]) / base["mean_events"] if base["mean_events"] else None
            )
            gm, bm = row["goldstein_mean"], base["mean_goldstein"]
            row["goldstein_change_vs_baseline"] = gm - bm if gm is not None and bm is not None else None
    return {"interval": interval, "series": series, "baseline": base}


def _check_length(first: date, last: date, interval: str, max_periods: int) -> None:
    days = (last - first).days
    approx = days + 1 if interval == "day" else days // 7 + 1 if interval == "week" else days // 28 + 1
    if approx > max_periods:
        raise ApiError(
            400,
            f"{approx} {interval}s is over the limit of {max_periods}; narrow the dates or use a "
            "coarser interval",
            code="too_many_periods",
        )


def _series_row(period: date, row: Row | None, articles: int) -> Row:
    row = row or {}
    events = int(row.get("events") or 0)
    mean = row.get("goldstein_mean")
    return {
        "period": period,
        "events": events,
        **{f"q{q}": int(row.get(f"q{q}") or 0) for q in range(1, 5)},
        "goldstein_sum": float(row.get("goldstein_sum") or 0.0),
        "goldstein_mean": None if mean is None else round(float(mean), 4),
        "articles": articles,
        "events_per_100_articles": round(100.0 * events / articles, 3) if articles else None,
    }


def _baseline(
    store: Store, f: EventFilters, interval: str, window: tuple[date, date], max_periods: int
) -> Row:
    start, end = window
    if start > end:
        raise ApiError(422, "baseline_from is after baseline_to", code="invalid_request")
    scoped = f.model_copy(update={"date_from": start, "date_to": end})
    found = _event_series(store, scoped, interval)
    first, last = truncate(start, interval), truncate(end, interval)
    _check_length(first, last, interval, max_periods)
    periods = len(_periods(first, last, interval))
    events = sum(int(r["events"]) for r in found.values())
    gsum = sum(float(r["goldstein_sum"] or 0.0) for r in found.values())
    return {
        "date_from": start,
        "date_to": end,
        "periods": periods,
        "mean_events": events / periods if periods else 0.0,
        "mean_goldstein": round(gsum / events, 4) if events else None,
    }


def dyads(store: Store, f: EventFilters, level: str, directed: bool, limit: int) -> list[Row]:
    """Goldstein sum and mean per dyad, most active first.

    Args:
        store: the event store.
        f: filters.
        level: ``principal`` (country/IGO, e.g. KOR) or ``actor`` (full code, e.g. KORGOV).
        directed: keep A->B and B->A apart; otherwise each pair is ordered alphabetically.
        limit: the most dyads to return.

    Returns:
        Rows with source, target, events, goldstein_sum, goldstein_mean.
    """
    src, tgt = ("e.source_country", "e.target_country") if level == "principal" else ("e.source", "e.target")
    if not directed:
        src, tgt = f"least({src}, {tgt})", f"greatest({src}, {tgt})"
    w = event_where(f)
    w.add("coalesce(e.source, '') <> '' AND coalesce(e.target, '') <> ''")
    sql = (
        f"SELECT {src} AS source, {tgt} AS target, count(*) AS events, "
        "coalesce(sum(e.goldstein), 0) AS goldstein_sum, "
        f"CAST(avg(e.goldstein) AS DOUBLE PRECISION) AS goldstein_mean FROM events e {w.sql()} "
        f"GROUP BY {src}, {tgt} ORDER BY events DESC, source, target LIMIT ?"
    )
    rows = store.query(sql, [*w.params, limit])
    return [r for r in rows if r["source"] and r["target"]]


def places(store: Store, f: EventFilters, limit: int) -> list[Row]:
    """Event counts per named place, with coordinates when geocoded."""
    w = event_where(f)
    w.add("e.place_name IS NOT NULL AND e.place_name <> ''")
    sql = (
        "SELECT e.place_name AS name, max(e.place_country) AS country, avg(e.lat) AS lat, avg(e.lon) AS lon, "
        f"count(*) AS events FROM events e {w.sql()} GROUP BY e.place_name ORDER BY events DESC, name LIMIT ?"
    )
    return store.query(sql, [*w.params, limit])


# --- actors -------------------------------------------------------------------------


def search_actors(store: Store, q: str | None, limit: int) -> list[Row]:
    """Actor codes seen in events, matching ``q`` in the code or the dictionary name."""
    w = Where()
    if q:
        w.add(
            "(strpos(lower(c.code), lower(?)) > 0 OR strpos(lower(coalesce(a.name, '')), lower(?)) > 0)", q, q
        )
    sql = (
        "WITH c AS (SELECT source AS code FROM events WHERE source <> '' "
        "UNION ALL SELECT target AS code FROM events WHERE target <> '') "
        "SELECT c.code, max(a.name) AS name, count(*) AS events FROM c LEFT JOIN actors a ON "
        "a.code = c.code "
        f"{w.sql()} GROUP BY c.code ORDER BY events DESC, c.code LIMIT ?"
    )
    return store.query(sql, [*w.params, limit])


def _partners(store: Store, code: str, side: str, other: str) -> list[Row]:
    return store.query(
        f"SELECT {other} AS code, count(*) AS events, CAST(avg(goldstein) AS DOUBLE PRECISION) "
        "AS goldstein_mean "
        f"FROM events WHERE {side} = ? AND {other} <> '' GROUP BY {other} ORDER BY events "
        "DESC, code LIMIT 10",
        [code],
    )


def actor_profile(store: Store, code: str) -> Row | None:
    """Who an actor is and what it does: counts, dates, quad classes, partners, names in text.

    Returns:
        The profile, or None when the code is neither in the dictionary table nor in any event.
    """
    stats = store.query(
        "SELECT sum(CASE WHEN source = ? THEN 1 ELSE 0 END) AS as_source, "
        "sum(CASE WHEN target = ? THEN 1 ELSE 0 END) AS as_target, min(event_date) AS first_date, "
        "max(event_date) AS last_date, CAST(avg(goldstein) AS DOUBLE PRECISION) AS goldstein_mean, "
        + ", ".join(f"sum(CASE WHEN quad_class = {q} THEN 1 ELSE 0 END) AS q{q}" for q in range(1, 5))
        + " FROM events WHERE source = ? OR target = ?",
        [code, code, code, code],
    )[0]
    info = store.query("SELECT name, principal, role, kind FROM actors WHERE code = ?", [code])
    if not info and not stats["as_source"] and not stats["as_target"]:
        return None
    names = store.query(
        "SELECT text, count(*) AS n FROM mentions WHERE actor_code = ? GROUP BY text ORDER BY "
        "n DESC, text LIMIT 10",
        [code],
    )
    base = info[0] if info else {}
    return {
        "code": code,
        **{k: base.get(k) for k in ("name", "principal", "role", "kind")},
        "as_source": int(stats["as_source"] or 0),
        "as_target": int(stats["as_target"] or 0),
        "first_date": stats["first_date"],
        "last_date": stats["last_date"],
        "goldstein_mean": stats["goldstein_mean"],
        "quad_counts": {str(q): int(stats[f"q{q}"] or 0) for q in range(1, 5)},
        "top_targets": _partners(store, code, "source", "target"),
        "top_sources": _partners(store, code, "target", "source"),
        "names_in_text": [r["text"] for r in names],
    }


# --- articles -----------------------------------------------------------------------


def articles(store: Store, q: str | None, limit: int, cursor: str | None) -> tuple[list[Row], str | None]:
    """Stored articles, latest ingested first, optionally matching ``q`` in headline or text."""
    w = Where()
    w.add("s.status IN ('coded', 'duplicate')")
    if q:
        w.add(
            "(strpos(lower(coalesce(s.title, '')), lower(?)) > 0 OR "
            "strpos(lower(coalesce(s.text, '')), lower(?)) > 0)",
            q,
            q,
        )
    if cursor:
        (seq,) = decode_cursor(cursor, (int,))
        w.add("s.seq < ?", seq)
    rows = store.query(
        "SELECT s.id, s.title, s.published_date AS published, s.outlet, s.canonical_url AS url, s.seq, "
        "(SELECT count(*) FROM event_mentions m WHERE m.story_id = s.id) AS events "
        f"FROM stories s {w.sql()} ORDER BY s.seq DESC LIMIT ?",
        [*w.params, limit + 1],
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(int(rows[-1]["seq"])) if more and rows else None)


def article(store: Store, story_id: str) -> Row | None:
    """One article with sentences, mention/quote spans, its events and corrections, or None."""
    found = store.query(
        "SELECT id, title, published_date AS published, outlet, canonical_url AS url, "
        "dateline, agency, status, "
        "duplicate_of, text FROM stories WHERE id = ?",
        [story_id],
    )
    if not found:
        return None
    story = found[0]
    # A near-duplicate is shown with its original's analysis (it was linked, not coded).
    coded_id = story["duplicate_of"] or story_id
    story["sentences"] = store.query(
        'SELECT idx AS "index", start_char AS start, end_char AS "end" FROM sentences WHERE '
        "story_id = ? ORDER BY idx",
        [coded_id],
    )
    story["mentions"] = store.query(
        'SELECT start_char AS start, end_char AS "end", text, actor_code AS actor FROM mentions '
        "WHERE story_id = ? ORDER BY start_char, id",
        [coded_id],
    )
    story["quotes"] = store.query(
        'SELECT start_char AS start, end_char AS "end", text, speaker_code AS speaker FROM quotes '
        "WHERE story_id = ? ORDER BY start_char, id",
        [coded_id],
    )
    ids = [
        r["event_id"]
        for r in store.query(
            "SELECT DISTINCT event_id FROM event_mentions WHERE story_id = ? AND linked_from IS NULL",
            [coded_id],
        )
    ]
    marks = ", ".join("?" * len(ids))
    events = store.query(f"SELECT {_EVENT_COLUMNS} FROM events e WHERE e.id IN ({marks})", ids) if ids else []
    attach_evidence(store, events, story_id=coded_id)
    events.sort(key=lambda r: (r["mention"]["sentence"] if r["mention"] else 1 << 30, r["id"]))
    story["events"] = events
    return story
