"""The engine-independent store: migrations, writing coded stories, merging events, queries.

An engine subclass (DuckDB, PostgreSQL) supplies only a connection and five primitives
(``_execute``, ``_fetch``, ``_begin``/``_commit``/``_rollback``); everything else, the
schema included, is shared so both engines hold exactly the same rows.

SQL placeholders: write ``?`` (qmark style, positional) in every query passed to
:meth:`Store.query` or :meth:`Store.execute`; the PostgreSQL engine rewrites them to its
own style. Use standard SQL both engines accept: cast averages to ``DOUBLE PRECISION``
(PostgreSQL's ``avg`` of integers is a ``numeric``), always ``ORDER BY`` when order matters.

Writing is exactly-once: :meth:`Store.write_stories` writes one batch in one transaction
and ignores stories whose id is already stored, so a batch cut off by ``kill -9`` leaves
nothing behind and a rerun picks up where the last committed batch ended.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from ..errors import StoreError
from ..model import Event, Story, content_id

__all__ = [
    "LinkedDuplicate",
    "Store",
    "WriteResult",
    "canonical_outlet",
    "short_reason",
    "story_status",
    "utc_naive",
]

Record = dict[str, Any]

#: tables in dependency order; ``dump`` and ``counts`` walk them
TABLES: tuple[str, ...] = (
    "runs",
    "stories",
    "sentences",
    "actors",
    "mentions",
    "events",
    "event_mentions",
    "quotes",
    "places",
    "failures",
    "article_clusters",
    "story_minhash",
    "corrections",
    "http_cache",
)

_EVENT_MENTION_COLUMNS = (
    "id, story_id, event_id, linked_from, sentence, cameo, source, target, trigger_start, trigger_end, "
    "trigger_text, source_start, source_end, source_text, target_start, target_end, target_text, event_date, "
    "date_text, reason, confidence, decided_by, coder_version, dictionary_version, ontology_version, "
    "quad_convention, outlet, published, url"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkedDuplicate:
    """A near-duplicate article: stored and counted, never coded (see docs/dedup.md)."""

    id: str
    duplicate_of: str
    similarity: float
    source: str
    text: str
    content_hash: str
    canonical_url: str | None = None
    outlet: str | None = None
    title: str | None = None
    published: datetime | None = None


@dataclass(slots=True)
class WriteResult:
    """What one call to :meth:`Store.write_stories` added."""

    stories: int = 0
    duplicates: int = 0
    events_new: int = 0
    event_mentions: int = 0
    already_stored: int = 0
    touched_events: set[str] = field(default_factory=set)


def utc_naive(value: datetime | None) -> datetime | None:
    """An aware datetime as naive UTC (the store's convention); naive values are taken as UTC."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def canonical_outlet(url: str | None, fallback: str | None = None) -> str | None:
    """The unit of ``num_sources``: the URL's host without ``www.``, else ``fallback``."""
    if url:
        host = (urlsplit(url).hostname or "").lower()
        if host:
            return host.removeprefix("www.")
    return fallback


class Store:
    """An event store on one database connection.

    Subclasses implement the engine primitives; see the module docstring for the SQL dialect.
    """

    engine = "abstract"

    def __init__(self, url: str, *, merge_window_days: int = 1) -> None:
        self.url = url
        self.merge_window_days = merge_window_days
        self._in_tx = False

    # --- engine primitives -----------------------------------------------------------

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        raise NotImplementedError

    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        for row in rows:
            self._execute(sql, row)

    def _fetch(self, sql: str, params: Sequence[Any] = ()) -> list[Record]:
        raise NotImplementedError

    def _begin(self) -> None:
        raise NotImplementedError

    def _commit(self) -> None:
        raise NotImplementedError

    def _rollback(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Close the connection."""
        raise NotImplementedError

    def size_bytes(self) -> int:
        """Bytes the database takes on disk."""
        raise NotImplementedError

    # --- public API ------------------------------------------------------------------

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction: committed on success, rolled back on any error."""
        if self._in_tx:
            yield
            return
        self._begin()
        self._in_tx = True
        try:
            yield
        except BaseException:
            self._rollback()
            raise
        else:
            self._commit()
        finally:
            self._in_tx = False

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Record]:
        """Run a read query with ``?`` placeholders; rows as dicts keyed by column name."""
        return self._fetch(sql, params)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Run one statement with ``?`` placeholders (in its own transaction unless inside one)."""
        with self.transaction():
            self._execute(sql, params)

    def migrate(self) -> list[int]:
        """Apply the numbered migrations not yet applied; returns the versions applied now."""
        self._execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)"
        )
        done = {r["version"] for r in self._fetch("SELECT version FROM schema_migrations")}
        applied = []
        for version, name, sql in _migrations():
            if version in done:
                continue
            with self.transaction():
                for statement in _split_sql(sql):
                    self._execute(statement)
                self._execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", (version, name))
            applied.append(version)
        return applied

    def schema_version(self) -> int:
        """The highest applied migration (0 for an empty database)."""
        rows = self._fetch("SELECT max(version) AS v FROM schema_migrations")
        return int(rows[0]["v"] or 0)

    def counts(self) -> dict[str, int]:
        """Row count of every table."""
        return {t: int(self._fetch(f"SELECT count(*) AS n FROM {t}")[0]["n"]) for t in TABLES}

    def dump(self, *, volatile: bool = False) -> dict[str, list[tuple[Any, ...]]]:
        """Every table's rows, sorted; wall-clock columns are left out unless ``volatile``."""
        out = {}
        for table in TABLES:
            rows = self._fetch(f"SELECT * FROM {table}")
            if not volatile:
                rows = [
                    {k: v for k, v in r.items() if k not in ("started", "finished", "created")} for r in rows
                ]
            out[table] = sorted((tuple(r.items()) for r in rows), key=repr)
        return out

    def stored_ids(self, ids: Iterable[str]) -> set[str]:
        """The subset of story ``ids`` already stored."""
        wanted = list(dict.fromkeys(ids))
        found: set[str] = set()
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            marks = ", ".join("?" * len(chunk))
            found.update(r["id"] for r in self._fetch(f"SELECT id FROM stories WHERE id IN ({marks})", chunk))
        return found

    # --- runs ------------------------------------------------------------------------

    def start_run(self, *, run_id: str, code_version: str, stages: Sequence[str], settings_hash: str) -> None:
        """Record that a run of this configuration started (the id is a hash of it, not the clock)."""
        now = utc_naive(datetime.now(UTC))
        with self.transaction():
            if self._fetch("SELECT id FROM runs WHERE id = ?", (run_id,)):
                self._execute("UPDATE runs SET started = ?, finished = NULL WHERE id = ?", (now, run_id))
            else:
                self._execute(
                    "INSERT INTO runs (id, code_version, stages, settings_hash, started) VALUES (?, ?, ?, "
                    "?, ?)",
                    (run_id, code_version, ",".join(stages), settings_hash, now),
                )

    def finish_run(self, run_id: str) -> None:
        """Stamp the run finished and fill the coder versions from the mentions it stored."""
        versions = self._fetch(
            "SELECT coder_version, dictionary_version, ontology_version FROM event_mentions e "
            "JOIN stories s ON s.id = e.story_id WHERE s.run_id = ? AND e.coder_version IS NOT NULL "
            "ORDER BY s.seq DESC, e.id LIMIT 1",
            (run_id,),
        )
        v = (
            versions[0]
            if versions
            else {"coder_version": None, "dictionary_version": None, "ontology_version": None}
        )
        self.execute(
            "UPDATE runs SET finished = ?, coder_version = coalesce(?, coder_version), "
            "dictionary_version = coalesce(?, dictionary_version), ontology_version = coalesce(?, "
            "ontology_version) "
            "WHERE id = ?",
            (
                utc_naive(datetime.now(UTC)),
                v["coder_version"],
                v["dictionary_version"],
                v["ontology_version"],
                run_id,
            ),
        )

    # --- writing ---------------------------------------------------------------------

    def write_stories(
        self,
        coded_records: Iterable[Record],
        run_id: str,
        *,
        duplicates: Iterable[LinkedDuplicate] = (),
        signatures: dict[str, bytes] | None = None,
        read_failures: Iterable[tuple[str, str, str, str, str]] = (),
    ) -> WriteResult:
        """Write one batch in one transaction.

        Args:
            coded_records: ``Story.to_dict()`` records, in input order. A record may carry an
                ``"ingest"`` dict with ``canonical_url``, ``content_hash`` and ``outlet``.
            run_id: the run (see :meth:`start_run`) that produced them.
            duplicates: near-duplicates to link to coded stories (this batch's or earlier ones).
            signatures: MinHash signature bytes per story id, kept for later dedup.
            read_failures: ``(item id, stage, kind, error, source)`` for inputs that never became stories.

        Returns:
            What was added. Stories already stored are skipped (exactly-once).
        """
        result = WriteResult()
        records = list(coded_records)
        dups = list(duplicates)
        try:
            with self.transaction():
                self._write_batch(records, dups, run_id, signatures or {}, list(read_failures), result)
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(f"{self.engine} store {self.url}: writing a batch failed: {exc}") from exc
        return result

    def _write_batch(
        self,
        records: list[Record],
        dups: list[LinkedDuplicate],
        run_id: str,
        signatures: dict[str, bytes],
        read_failures: list[tuple[str, str, str, str, str]],
        result: WriteResult,
    ) -> None:
        """1. collect every row in memory; 2. bulk-insert per table; 3. link duplicates; 4. recount."""
        stored = self.stored_ids([r["id"] for r in records] + [d.id for d in dups])
        seq = self._next_seq()
        rows = _Rows()
        stories = []
        for record in records:
            if record["id"] in stored:
                result.already_stored += 1
                continue
            stored.add(record["id"])
            extra = {
                **(record.get("ingest") or {}),
                "meta_json": json.dumps(record.get("meta") or {}, sort_keys=True),
            }
            stories.append((Story.from_dict({k: v for k, v in record.items() if k != "ingest"}), extra, seq))
            seq += 1
        merger = _EventMerger(self, [s for s, _, _ in stories], self.merge_window_days)
        for story, extra, story_seq in stories:
            self._story_rows(story, extra, run_id, story_seq, rows, merger, result)
        linked = []
        for dup in dups:
            if dup.id in stored:
                result.already_stored += 1
                continue
            stored.add(dup.id)
            rows.add("stories", _duplicate_row(dup, run_id, seq))
            rows.add("article_clusters", (dup.id, dup.duplicate_of, round(dup.similarity, 6)))
            linked.append(dup)
            seq += 1
        for story_id, sig in signatures.items():
            rows.add("story_minhash", (story_id, sig))
        for item_id, stage, kind, error, source in read_failures:
            rows.add("failures", (item_id, stage, kind, short_reason(error), error, source, run_id))
        for table in TABLES:
            if rows.get(table):
                self._insert_rows(table, COLUMNS[table], rows.get(table))
        for dup in linked:
            self._link_duplicate(dup, result)
        self._refresh_events(result.touched_events)

    def _insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Insert many rows, skipping any whose key is already stored (engines may do this faster)."""
        marks = ", ".join("?" * len(columns))
        self._executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) ON CONFLICT DO NOTHING", rows
        )

    def _next_seq(self) -> int:
        rows = self._fetch("SELECT max(seq) AS s FROM stories")
        return int(rows[0]["s"] or 0) + 1

    def _story_rows(
        self,
        story: Story,
        extra: Record,
        run_id: str,
        seq: int,
        rows: _Rows,
        merger: _EventMerger,
        result: WriteResult,
    ) -> None:
        """All rows of one coded story: the story, its parts, failures and event mentions."""
        url = extra.get("canonical_url") or story.meta.url
        outlet = extra.get("outlet") or canonical_outlet(url, story.meta.outlet or story.meta.agency)
        meta = story.meta
        rows.add(
            "stories",
            (
                story.id,
                extra.get("content_hash") or content_id(story.text or story.raw, length=32),
                url,
                story.source,
                outlet,
                story_status(story),
                None,
                meta.title,
                utc_naive(meta.published),
                _published_date(story),
                meta.dateline,
                meta.agency,
                meta.language,
                story.text,
                extra["meta_json"],
                ",".join(story.stages),
                run_id,
                seq,
            ),
        )
        rows.add("article_clusters", (story.id, story.id, 1.0))
        _part_rows(story, rows)
        for f in story.failures:
            rows.add(
                "failures", (story.id, f.stage, f.kind, short_reason(f.error), f.error, story.source, run_id)
            )
        published = utc_naive(meta.published)
        for event in story.events:
            event_id, new = merger.assign(story, event, seq)
            if new:
                rows.add("events", _event_row(event_id, event, merger.day_of(story, event), story, url, seq))
                result.events_new += 1
            rows.add("event_mentions", _mention_row(event, story.id, event_id, None, outlet, published, url))
            result.event_mentions += 1
            result.touched_events.add(event_id)
        result.stories += 1

    def _link_duplicate(self, dup: LinkedDuplicate, result: WriteResult) -> None:
        """Count a near-duplicate as one more article for each of its original's events.

        A republished copy has the same events; its mentions are copies of the original's
        rows with this article's outlet, URL and time, so the merged counts see it.
        """
        linked = self._fetch(
            "SELECT DISTINCT event_id FROM event_mentions WHERE story_id = ? AND linked_from IS NULL",
            (dup.duplicate_of,),
        )
        cols = ", ".join(c for c in COLUMNS["event_mentions"] if c not in _LINK_OVERRIDES)
        self._execute(
            f"INSERT INTO event_mentions (story_id, linked_from, outlet, published, url, {cols}) "
            f"SELECT ?, story_id, ?, ?, ?, {cols} FROM event_mentions "
            "WHERE story_id = ? AND linked_from IS NULL ON CONFLICT DO NOTHING",
            (dup.id, dup.outlet, utc_naive(dup.published), dup.canonical_url, dup.duplicate_of),
        )
        result.duplicates += 1
        result.touched_events.update(str(r["event_id"]) for r in linked)

    def _refresh_events(self, event_ids: set[str]) -> None:
        """Recompute the GDELT-style counts and first/last seen of the touched events."""
        ids = sorted(event_ids)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ", ".join("?" * len(chunk))
            self._execute(
                "UPDATE events SET num_mentions = a.n, num_articles = a.articles, num_sources = a.sources, "
                "first_seen = a.first_seen, last_seen = a.last_seen FROM (SELECT event_id, count(*) AS n, "
                "count(DISTINCT story_id) AS articles, "
                "count(DISTINCT coalesce(outlet, story_id)) AS sources, "
                "min(published) AS first_seen, max(published) AS last_seen FROM event_mentions "
                f"WHERE event_id IN ({marks}) GROUP BY event_id) a WHERE events.id = a.event_id",
                chunk,
            )


#: columns each batch insert writes, per table
COLUMNS: dict[str, tuple[str, ...]] = {
    "stories": (
        "id",
        "content_hash",
        "canonical_url",
        "source",
        "outlet",
        "status",
        "duplicate_of",
        "title",
        "published",
        "published_date",
        "dateline",
        "agency",
        "language",
        "text",
        "meta_json",
        "stages",
        "run_id",
        "seq",
    ),
    "sentences": ("story_id", "idx", "start_char", "end_char", "text"),
    "actors": ("code", "principal", "role", "kind", "name"),
    "mentions": (
        "story_id",
        "id",
        "sentence",
        "start_char",
        "end_char",
        "text",
        "actor_code",
        "kind",
        "reason",
    ),
    "events": (
        "id",
        "event_date",
        "cameo",
        "base_code",
        "root",
        "name",
        "goldstein",
        "quad_class",
        "plover_type",
        "plover_mode",
        "source",
        "source_name",
        "source_country",
        "source_role",
        "target",
        "target_name",
        "target_country",
        "target_role",
        "place_key",
        "place_name",
        "place_country",
        "place_country2",
        "place_feature",
        "lat",
        "lon",
        "geonames_id",
        "story_id",
        "source_url",
        "num_mentions",
        "num_sources",
        "num_articles",
        "seq",
    ),
    "event_mentions": tuple(c.strip() for c in _EVENT_MENTION_COLUMNS.split(",")),
    "quotes": (
        "story_id",
        "id",
        "sentence",
        "start_char",
        "end_char",
        "text",
        "speaker_text",
        "speaker_code",
        "speaker_mention",
    ),
    "places": (
        "story_id",
        "idx",
        "text",
        "name",
        "country",
        "country2",
        "lat",
        "lon",
        "geonames_id",
        "feature",
        "role",
        "start_char",
        "end_char",
        "sentence",
    ),
    "failures": ("story_id", "stage", "kind", "reason", "error", "source", "run_id"),
    "article_clusters": ("story_id", "cluster_id", "similarity"),
    "story_minhash": ("story_id", "signature"),
}
#: leading columns that form each table's primary key (rows are deduplicated on them)
_KEY_WIDTH = {"sentences": 2, "mentions": 2, "event_mentions": 2, "quotes": 2, "places": 2, "failures": 2}
#: event_mentions columns a linked duplicate's copy takes from the duplicate, not the original
_LINK_OVERRIDES = frozenset({"story_id", "linked_from", "outlet", "published", "url"})


class _Rows:
    """Rows of one batch per table, first occurrence of each key kept."""

    def __init__(self) -> None:
        self._rows: dict[str, dict[tuple[Any, ...], tuple[Any, ...]]] = {}

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        key = row[: _KEY_WIDTH.get(table, 1)]
        self._rows.setdefault(table, {}).setdefault(key, row)

    def get(self, table: str) -> list[tuple[Any, ...]]:
        return list(self._rows.get(table, {}).values())


class _EventMerger:
    """Assigns event mentions to merged events (the rule: docs/dedup.md), one query per batch.

    Candidates are the stored events whose dyad and date window could match any event of
    the batch; events created by the batch join them as they are made, so the outcome is
    the same as matching one mention at a time in input order.
    """

    def __init__(self, store: Store, stories: list[Story], window_days: int) -> None:
        self.window = timedelta(days=window_days)
        self._by_key: dict[tuple[str, str, str, str], list[tuple[int, str, date | None]]] = {}
        self._load(store, stories)

    def day_of(self, story: Story, event: Event) -> date | None:
        """The date an event is merged on: its own, else its article's publication date."""
        return event.date or _published_date(story)

    def assign(self, story: Story, event: Event, seq: int) -> tuple[str, bool]:
        """(merged event id, True when it is new) for one mention."""
        day = self.day_of(story, event)
        key = (event.source, event.target, event.root, _place_key(event))
        for _seq, event_id, known in sorted(self._by_key.get(key, [])):
            if (day is None and known is None) or (
                day is not None and known is not None and abs(day - known) <= self.window
            ):
                return event_id, False
        event_id = content_id(day, *key[:3], key[3], event.story_id, event.id)
        self._by_key.setdefault(key, []).append((seq, event_id, day))
        return event_id, True

    def _load(self, store: Store, stories: list[Story]) -> None:
        events = [(s, e) for s in stories for e in s.events]
        if not events:
            return
        sources = sorted({e.source for _, e in events})
        days = [d for d in (self.day_of(s, e) for s, e in events) if d is not None]
        where = f"source IN ({', '.join('?' * len(sources))})"
        params: list[Any] = list(sources)
        if days:
            where += " AND (event_date IS NULL OR event_date BETWEEN ? AND ?)"
            params += [min(days) - self.window, max(days) + self.window]
        else:
            where += " AND event_date IS NULL"
        rows = store.query(
            f"SELECT id, source, target, root, place_key, event_date, seq FROM events WHERE {where}", params
        )
        for r in rows:
            key = (r["source"], r["target"], r["root"], r["place_key"])
            self._by_key.setdefault(key, []).append((int(r["seq"]), str(r["id"]), r["event_date"]))


def _part_rows(story: Story, rows: _Rows) -> None:
    """Sentences, actors, mentions, quotes and places of a story."""
    for s in story.sentences:
        rows.add("sentences", (story.id, s.index, s.start, s.end, s.text))
    actors = [m.actor for m in story.mentions if m.actor is not None]
    actors += [a for e in story.events for a in (e.source_actor, e.target_actor) if a is not None]
    for a in sorted(actors, key=lambda a: a.code):
        rows.add("actors", (a.code, a.principal, a.role, a.kind, a.name))
    for m in story.mentions:
        code = m.actor.code if m.actor else None
        rows.add("mentions", (story.id, m.id, m.sentence, m.start, m.end, m.text, code, m.kind, m.reason))
    for q in story.quotes:
        speaker = q.speaker.code if q.speaker else None
        rows.add(
            "quotes",
            (story.id, q.id, q.sentence, q.start, q.end, q.text, q.speaker_text, speaker, q.speaker_mention),
        )
    for i, p in enumerate(story.places):
        rows.add(
            "places",
            (
                story.id,
                i,
                p.text,
                p.name,
                p.country,
                p.country_code2,
                p.lat,
                p.lon,
                p.geonames_id,
                p.feature,
                p.role,
                p.start,
                p.end,
                p.sentence,
            ),
        )


def _event_row(
    event_id: str, e: Event, day: date | None, story: Story, url: str | None, seq: int
) -> tuple[Any, ...]:
    p, src, tgt = e.place, e.source_actor, e.target_actor
    return (
        event_id,
        day,
        e.cameo,
        e.cameo[:3],
        e.root,
        e.name,
        e.goldstein,
        e.quad_class,
        e.plover_type,
        e.plover_mode,
        e.source,
        src.name if src else None,
        _country(e.source, src),
        src.role if src else None,
        e.target,
        tgt.name if tgt else None,
        _country(e.target, tgt),
        tgt.role if tgt else None,
        _place_key(e),
        p.name if p else None,
        p.country if p else None,
        p.country_code2 if p else None,
        p.feature if p else None,
        p.lat if p else None,
        p.lon if p else None,
        p.geonames_id if p else None,
        story.id,
        url,
        0,
        0,
        0,
        seq,
    )


def _mention_row(
    e: Event,
    story_id: str,
    event_id: str,
    linked_from: str | None,
    outlet: str | None,
    published: datetime | None,
    url: str | None,
) -> tuple[Any, ...]:
    tr, ss, ts = e.trigger, e.source_span, e.target_span
    return (
        e.id,
        story_id,
        event_id,
        linked_from,
        e.sentence,
        e.cameo,
        e.source,
        e.target,
        tr.start if tr else None,
        tr.end if tr else None,
        tr.text if tr else None,
        ss.start if ss else None,
        ss.end if ss else None,
        ss.text if ss else None,
        ts.start if ts else None,
        ts.end if ts else None,
        ts.text if ts else None,
        e.date,
        e.date_text,
        e.reason,
        e.confidence,
        e.decided_by,
        e.coder_version,
        e.dictionary_version,
        e.ontology_version,
        e.quad_convention,
        outlet,
        published,
        url,
    )


def _duplicate_row(dup: LinkedDuplicate, run_id: str, seq: int) -> tuple[Any, ...]:
    published = utc_naive(dup.published)
    return (
        dup.id,
        dup.content_hash,
        dup.canonical_url,
        dup.source,
        dup.outlet,
        "duplicate",
        dup.duplicate_of,
        dup.title,
        published,
        published.date() if published else None,
        None,
        None,
        None,
        dup.text,
        "{}",
        "",
        run_id,
        seq,
    )


def short_reason(error: str) -> str:
    """The part of an error message before the first colon-space, for summaries (<= 60 chars)."""
    head = error.split(": ", 1)[0] if ": " in error else error
    return head.strip()[:60] or "error"


def story_status(story: Story) -> str:
    """coded | skipped | failed: a story that never got sentences failed or was skipped."""
    if story.failures and not story.sentences:
        return "skipped" if all(f.kind == "skip" for f in story.failures) else "failed"
    return "coded"


def _published_date(story: Story) -> date | None:
    if story.meta.published_date is not None:
        return story.meta.published_date
    published = utc_naive(story.meta.published)
    return published.date() if published else None


def _place_key(event: Event) -> str:
    """The place part of the merge key: country, else place name, else empty."""
    if event.place is None:
        return ""
    return event.place.country or event.place.name or event.place.text or ""


def _country(code: str, actor: Any) -> str | None:
    principal = getattr(actor, "principal", "") or code[:3]
    return principal or None


def _migrations() -> list[tuple[int, str, str]]:
    """(version, name, SQL) of every bundled migration, in order."""
    folder = resources.files("dateline.store").joinpath("migrations")
    out = []
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            out.append((int(name[:3]), name, entry.read_text("utf-8")))
    return sorted(out)


def _split_sql(sql: str) -> list[str]:
    """Statements of a migration file, split on lines holding only ';'."""
    parts: list[str] = []
    current: list[str] = []
    for line in sql.splitlines():
        if line.strip() == ";":
            parts.append("\n".join(current))
            current = []
        elif not line.lstrip().startswith("--"):
            current.append(line)
    parts.append("\n".join(current))
    return [p.strip() for p in parts if p.strip()]
