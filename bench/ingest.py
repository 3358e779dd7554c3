"""Benchmark the ingest path and the store; prints figures (not a test).

    .venv/bin/python bench/ingest.py [--db postgresql://...] [--events 10000] [--repeat 1]

1. Ingest throughput: the development articles and the seed through the real pipeline
   (local executor, one worker, model loaded before timing) into a fresh store: articles/s
   and the share of wall time spent in the store (lookups and batch writes).
2. Store size: a synthetic year of coded stories (hand-built records, many dyads, one to
   three events each) written through ``Store.write_stories``: bytes per 1,000 events.
3. Query time: daily dyad aggregates over that year (median of 5 runs).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from dateline.executors import get_executor
from dateline.ingest import ingest
from dateline.model import Actor, Event, Meta, Sentence, Span, Story
from dateline.settings import load_settings
from dateline.store import Store, open_store

SHARED = Path(os.environ.get("DATELINE_SHARED", Path(__file__).resolve().parents[2] / "shared"))
COUNTRIES = [
    "USA",
    "CHN",
    "RUS",
    "KOR",
    "PRK",
    "JPN",
    "GBR",
    "FRA",
    "DEU",
    "IND",
    "IRN",
    "ISR",
    "UKR",
    "TUR",
    "BRA",
]
ROLES = ["GOV", "MIL", "", "BUS"]
CODES = [
    ("010", "01", 0.0, 1),
    ("036", "03", 4.0, 1),
    ("042", "04", 1.9, 1),
    ("043", "04", 2.8, 1),
    ("057", "05", 8.0, 2),
    ("112", "11", -2.0, 3),
    ("130", "13", -4.4, 3),
    ("163", "16", -8.0, 4),
    ("173", "17", -5.0, 4),
    ("190", "19", -10.0, 4),
]

DYAD_QUERY = (
    "SELECT event_date, source, target, count(*) AS events, sum(num_mentions) AS mentions, "
    "CAST(avg(goldstein) AS DOUBLE PRECISION) AS goldstein FROM events "
    "WHERE event_date BETWEEN ? AND ? GROUP BY event_date, source, target "
    "ORDER BY event_date, source, target"
)


def bench_ingest(db: str, repeat: int) -> dict[str, float]:
    """Ingest the development articles (``repeat`` copies with distinct URLs) and time it."""
    settings = load_settings()
    files = sorted(str(p) for p in (SHARED / "eval" / "articles").glob("*.txt"))
    files.append(str(SHARED / "seed" / "yonhap-2022-01-20.txt"))
    executor = get_executor("local", workers=1)
    executor.start(settings)  # type: ignore[attr-defined]  # load the model before timing
    with tempfile.TemporaryDirectory() as tmp, open_store(db, settings) as store:
        sources = files
        if repeat > 1:
            sources = [_jsonl_copies(files, repeat, Path(tmp))]
        summary = ingest(sources, store=store, settings=settings, executor=executor)
        counts = store.counts()
    executor.close()
    return {
        "articles": summary.read,
        "coded": summary.coded,
        "seconds": summary.seconds,
        "articles_per_s": summary.read / summary.seconds,
        "store_share": summary.store_seconds / summary.seconds,
        "events": counts["events"],
    }


def _jsonl_copies(files: list[str], repeat: int, tmp: Path) -> str:
    """``repeat`` copies of the articles under other URLs: copies after the first are linked as
    near-duplicates, so this measures the dedup path, not coding."""
    import json

    path = tmp / "copies.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for r in range(repeat):
            for i, f in enumerate(files):
                text = Path(f).read_text(encoding="utf-8")
                fh.write(json.dumps({"text": text, "url": f"https://copy{r}.example/{i}"}) + "\n")
    return str(path)


def synthetic_year(n_events: int, seed: int = 7) -> list[dict[str, Any]]:
    """Coded story records spread over 2023, one to three events each."""
    rng = random.Random(seed)
    records, made = [], 0
    while made < n_events:
        day = date(2023, 1, 1) + timedelta(days=rng.randrange(365))
        sid = f"s{len(records):07d}"
        k = min(rng.randint(1, 3), n_events - made)
        text = f"Synthetic story {sid} with {k} events. " * 4
        events = tuple(_event(rng, sid, i, day) for i in range(k))
        story = Story(
            id=sid,
            raw=text,
            text=text,
            source=f"https://n{rng.randrange(40)}.example/{sid}",
            meta=Meta(
                url=f"https://n{rng.randrange(40)}.example/{sid}",
                published=datetime(day.year, day.month, day.day, rng.randrange(24), tzinfo=UTC),
            ),
            sentences=tuple(Sentence(index=i, start=0, end=10, text=text[:10]) for i in range(k)),
            events=events,
        )
        records.append(story.to_dict())
        made += k
    records.sort(key=lambda r: r["meta"]["published"])
    return records


def _event(rng: random.Random, sid: str, i: int, day: date) -> Event:
    src, tgt = rng.sample(COUNTRIES, 2)
    code, root, goldstein, quad = rng.choice(CODES)
    sa = Actor(code=src + rng.choice(ROLES), principal=src, name=src)
    ta = Actor(code=tgt + rng.choice(ROLES), principal=tgt, name=tgt)
    return Event(
        id=f"{sid}-{i}",
        story_id=sid,
        sentence=i,
        cameo=code,
        root=root,
        name=code,
        goldstein=goldstein,
        quad_class=quad,
        source=sa.code,
        target=ta.code,
        source_actor=sa,
        target_actor=ta,
        trigger=Span(start=0, end=5, text="event"),
        date=day,
        coder_version="bench",
    )


def bench_store(db: str, n_events: int) -> dict[str, float]:
    """Write a synthetic year, then measure size per 1,000 events and the dyad-aggregate query."""
    settings = load_settings()
    records = synthetic_year(n_events)
    with open_store(db, settings) as store:
        started = time.perf_counter()
        for i in range(0, len(records), 200):
            store.write_stories(records[i : i + 200], "bench")
        write_s = time.perf_counter() - started
        events = store.counts()["events"]
        size = store.size_bytes()
        query_s = _time_query(store)
        groups = len(store.query(DYAD_QUERY, (date(2023, 1, 1), date(2023, 12, 31))))
    return {
        "stories": len(records),
        "event_mentions": n_events,
        "events": events,
        "write_s": write_s,
        "mentions_per_s": n_events / write_s,
        "bytes_per_1000_events": size / events * 1000,
        "dyad_query_ms": query_s * 1000,
        "dyad_day_groups": groups,
    }


def _time_query(store: Store) -> float:
    times = []
    for _ in range(5):
        started = time.perf_counter()
        store.query(DYAD_QUERY, (date(2023, 1, 1), date(2023, 12, 31)))
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _reset(db: str | None, tmp: Path, name: str) -> str:
    if db is None:
        return str(tmp / f"{name}.duckdb")
    import psycopg

    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    return db


def main(argv: list[str] | None = None) -> int:
    """Run both benchmarks and print the figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--db", help="postgresql:// URL (its public schema is dropped!); default: temp DuckDB files"
    )
    parser.add_argument("--events", type=int, default=10_000, help="event mentions in the synthetic year")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="copies of the corpus under other URLs (the extra ones are duplicates)",
    )
    args = parser.parse_args(argv)
    engine = "postgresql" if args.db else "duckdb"
    with tempfile.TemporaryDirectory() as tmp:
        ing = bench_ingest(_reset(args.db, Path(tmp), "ingest"), args.repeat)
        print(f"engine: {engine}  python {sys.version.split()[0]}  cpus {os.cpu_count()}")
        print(
            f"ingest: {ing['articles']} articles ({ing['coded']} coded, {ing['events']} events) in "
            f"{ing['seconds']:.1f} s = {ing['articles_per_s']:.2f} articles/s; "
            f"store share {ing['store_share']:.1%}"
        )
        st = bench_store(_reset(args.db, Path(tmp), "year"), args.events)
    print(
        f"synthetic year: {st['stories']} stories, {st['event_mentions']} mentions -> {st['events']} events; "
        f"written in {st['write_s']:.1f} s ({st['mentions_per_s']:.0f} mentions/s)"
    )
    print(f"size: {st['bytes_per_1000_events'] / 1e6:.2f} MB per 1,000 events (whole database / events)")
    print(
        f"query: daily dyad aggregates for the year ({st['dyad_day_groups']} day-dyad rows): "
        f"{st['dyad_query_ms']:.1f} ms (median of 5)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
