"""The event store: migrations, exactly-once writes, the merge rule, DuckDB == PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dateline.errors import ConfigError, StoreError
from dateline.model import Meta, Sentence, Story
from dateline.settings import load_settings
from dateline.store import LinkedDuplicate, Store, open_store
from dateline.store.postgres import qmark_to_pyformat
from store_samples import sample_records, sample_stories

S = load_settings()

#: queries an analyst (or the web helper) runs; both engines must answer them identically
QUERIES: list[tuple[str, tuple[Any, ...]]] = [
    ("SELECT * FROM events ORDER BY id", ()),
    ("SELECT * FROM event_mentions ORDER BY id, story_id", ()),
    ("SELECT * FROM stories ORDER BY seq", ()),
    (
        "SELECT event_date, source, target, count(*) AS n, sum(num_articles) AS articles, "
        "CAST(avg(goldstein) AS DOUBLE PRECISION) AS tone FROM events GROUP BY event_date, source, target "
        "ORDER BY event_date, source, target",
        (),
    ),
    (
        "SELECT e.id, s.title FROM events e JOIN stories s ON s.id = e.story_id WHERE e.root = ? AND "
        "e.event_date "
        "BETWEEN ? AND ? ORDER BY e.id",
        ("04", date(2022, 1, 19), date(2022, 1, 22)),
    ),
    (
        "SELECT root, count(DISTINCT story_id) AS stories FROM events WHERE source LIKE ? GROUP BY root "
        "ORDER BY root",
        ("KOR%",),
    ),
    ("SELECT reason, kind FROM failures ORDER BY story_id", ()),
]


@pytest.fixture()
def duck() -> Store:
    store = open_store(":memory:", S)
    yield store
    store.close()


def _fill(store: Store) -> None:
    store.start_run(run_id="run1", code_version="0.1.0", stages=["x"], settings_hash="h")
    store.write_stories(sample_records(), "run1")
    store.finish_run("run1")


def test_migrations_apply_once_and_record_their_version(duck: Store) -> None:
    assert duck.schema_version() >= 1
    assert duck.migrate() == []
    names = {r["name"] for r in duck.query("SELECT name FROM schema_migrations")}
    assert "001_init.sql" in names


def test_open_store_refuses_unknown_url_schemes() -> None:
    with pytest.raises(ConfigError, match="postgresql://"):
        open_store("mysql://localhost/db", S)


def test_writing_twice_adds_nothing(duck: Store) -> None:
    _fill(duck)
    before = duck.dump()
    result = duck.write_stories(sample_records(), "run1")
    assert result.stories == 0 and result.already_stored == len(sample_records())
    assert duck.dump() == before


def test_merge_rule_counts_articles_and_sources(duck: Store) -> None:
    _fill(duck)
    rows = duck.query(
        "SELECT * FROM events WHERE source = ? AND target = ? ORDER BY event_date", ("KORGOV", "USAGOV")
    )
    # A (Jan 20, 041) and B (Jan 21, 042): same dyad, root 04, no place, within one day -> one event.
    assert [(r["event_date"], r["num_articles"], r["num_sources"], r["num_mentions"]) for r in rows] == [
        (date(2022, 1, 20), 2, 2, 2),
        (date(2022, 1, 25), 1, 1, 1),  # C, five days later: a new event
    ]
    assert rows[0]["first_seen"] < rows[0]["last_seen"]
    # The sanctions dyad in Seoul (A) and in Washington (E) differ by place: two events.
    places = duck.query("SELECT place_key FROM events WHERE root = ? ORDER BY place_key", ("16",))
    assert [r["place_key"] for r in places] == ["KOR", "USA"]


def test_every_mention_keeps_its_provenance(duck: Store) -> None:
    _fill(duck)
    mentions = duck.query("SELECT * FROM event_mentions ORDER BY id")
    coded = {e.id: e for s in sample_stories() for e in s.events}
    assert {m["id"] for m in mentions} == set(coded)
    for m in mentions:
        e = coded[m["id"]]
        assert (m["story_id"], m["sentence"], m["trigger_start"], m["trigger_end"]) == (
            e.story_id,
            e.sentence,
            e.trigger.start,
            e.trigger.end,
        )
        assert (m["coder_version"], m["dictionary_version"], m["ontology_version"]) == (
            e.coder_version,
            e.dictionary_version,
            e.ontology_version,
        )
    run = duck.query("SELECT * FROM runs")[0]
    assert run["dictionary_version"] == "test-dict-1" and run["finished"] is not None


def test_skipped_story_is_recorded_with_its_reason(duck: Store) -> None:
    _fill(duck)
    assert duck.query("SELECT status FROM stories WHERE id = ?", ("D",)) == [{"status": "skipped"}]
    assert duck.query("SELECT stage, kind, reason FROM failures") == [
        {"stage": "dateline.extract.v1", "kind": "skip", "reason": "not an article"}
    ]


def test_linked_duplicate_counts_as_one_more_article(duck: Store) -> None:
    _fill(duck)
    dup = LinkedDuplicate(
        id="A2",
        duplicate_of="A",
        similarity=0.93,
        source="https://mirror.example/a",
        text="copy",
        content_hash="h",
        canonical_url="https://mirror.example/a",
        outlet="mirror.example",
    )
    result = duck.write_stories([], "run1", duplicates=[dup])
    assert result.duplicates == 1
    counts = duck.query(
        "SELECT e.num_articles, e.num_sources FROM events e WHERE e.story_id = ? ORDER BY e.id", ("A",)
    )
    assert counts and all(c["num_articles"] >= 2 and c["num_sources"] >= 2 for c in counts)
    assert duck.query("SELECT cluster_id FROM article_clusters WHERE story_id = ?", ("A2",)) == [
        {"cluster_id": "A"}
    ]
    assert duck.query("SELECT count(*) AS n FROM sentences WHERE story_id = ?", ("A2",)) == [{"n": 0}]


def test_a_failed_batch_leaves_nothing_behind(duck: Store) -> None:
    records = sample_records()
    broken = dict(records[1])
    broken["events"] = [dict(broken["events"][0], cameo=None)]  # NOT NULL violated mid-batch
    with pytest.raises(StoreError, match="writing a batch failed"):
        duck.write_stories([records[0], broken, records[2]], "run1")
    assert all(n == 0 for t, n in duck.counts().items() if t not in ("runs",))


def test_corrections_table_accepts_only_known_kinds(duck: Store) -> None:
    duck.execute(
        "INSERT INTO corrections (id, event_id, kind, fields, note, author, created) "
        "VALUES (?, ?, ?, ?, ?, ?, CURRENT_TIMESTAMP)",
        ("c1", "e1", "wrong_code", '{"cameo": "042"}', "", "ana"),
    )
    with pytest.raises(Exception, match=r"(?i)check"):
        duck.execute(
            "INSERT INTO corrections (id, event_id, kind, created) VALUES (?, ?, ?, CURRENT_TIMESTAMP)",
            ("c2", "e1", "typo"),
        )


def test_qmark_rewrite_leaves_quoted_text_alone() -> None:
    assert qmark_to_pyformat("SELECT '?', x FROM t WHERE a = ? AND b LIKE 'x%'") == (
        "SELECT '?', x FROM t WHERE a = %s AND b LIKE 'x%%'"
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(min_size=1, max_size=200), st.none() | st.text(max_size=40))
def test_story_text_and_title_round_trip(duck: Store, text: str, title: str | None) -> None:
    text = text.replace("\x00", "")  # PostgreSQL text cannot hold NUL; readers never produce it
    sid = f"p{abs(hash((text, title)))}"
    s = Story(
        id=sid,
        raw=text,
        text=text,
        meta=Meta(title=title),
        sentences=(Sentence(index=0, start=0, end=len(text), text=text),),
    )
    duck.write_stories([s.to_dict()], "run1")
    assert duck.query("SELECT text, title FROM stories WHERE id = ?", (sid,)) == [
        {"text": text, "title": title}
    ]
    back = duck.query("SELECT text FROM sentences WHERE story_id = ?", (sid,))
    assert back == [{"text": text}]


@pytest.mark.postgres
def test_duckdb_and_postgres_answer_identically(duck: Store, pg_url: str) -> None:
    pg = open_store(pg_url, S)
    try:
        for store in (duck, pg):
            _fill(store)
            store.write_stories(
                [],
                "run1",
                duplicates=[
                    LinkedDuplicate(
                        id="A2",
                        duplicate_of="A",
                        similarity=0.9,
                        source="m",
                        text="copy",
                        content_hash="h",
                        canonical_url="https://mirror.example/a",
                        outlet="mirror.example",
                    )
                ],
            )
        assert pg.counts() == duck.counts()
        for sql, params in QUERIES:
            assert pg.query(sql, params) == duck.query(sql, params), sql
        assert pg.dump() == duck.dump()
    finally:
        pg.close()


@pytest.mark.postgres
def test_postgres_rolls_back_a_failed_batch(pg_url: str) -> None:
    pg = open_store(pg_url, S)
    try:
        broken = dataclasses.replace(sample_stories()[0], id="X").to_dict()
        broken["events"][0]["cameo"] = None
        with pytest.raises(StoreError):
            pg.write_stories([sample_records()[1], broken], "run1")
        assert pg.counts()["stories"] == 0
        assert pg.migrate() == []
    finally:
        pg.close()
