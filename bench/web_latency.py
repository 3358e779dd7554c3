"""Latency of the HTTP API on a store of >= 50,000 events, measured against the running server.

    .venv/bin/python bench/web_latency.py [--db artifacts/bench/web.duckdb] [--events 50000]

1. Fills the DuckDB store (once; reused on later runs) with synthetic coded stories: rows of
   the store's schema (stories, sentences, events, event_mentions), bulk-loaded.
2. Starts ``dateline serve`` on 127.0.0.1 as a subprocess and waits for /api/health.
3. Times sequential requests: a filtered events page (dyad + date range + root, 50 rows)
   and a year of daily aggregates for a dyad and for a country.
4. Prints p50/p95 per endpoint and stops the server. All traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from dateline.model import content_id
from dateline.settings import load_settings
from dateline.store import open_store

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("DATELINE_SHARED", REPO.parent / "shared"))
ACTORS = [
    "USAGOV",
    "USAMIL",
    "KORGOV",
    "PRKGOV",
    "PRK",
    "CHNGOV",
    "JPNGOV",
    "RUSGOV",
    "RUSMIL",
    "UKRGOV",
    "UKRMIL",
    "ISRGOV",
    "ISRMIL",
    "PSEREB",
    "IRNGOV",
    "SYRGOV",
    "TURGOV",
    "FRAGOV",
    "DEUGOV",
    "GBRGOV",
    "IGOUNO",
    "IGONATO",
    "IGOEU",
    "INDGOV",
    "PAKGOV",
    "EGYGOV",
    "QATGOV",
    "SDNMIL",
    "SDNREB",
    "YEMREB",
]
START = date(2023, 1, 1)
DAYS = 730


def _codes() -> list[dict[str, str]]:
    with (SHARED / "ontology" / "cameo_codes.csv").open(encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if len(r["code"]) == 3]


def _rows(n_stories: int, per_story: int, seed: int) -> dict[str, list[dict[str, Any]]]:
    """Synthetic stories, sentences, events and their mentions (one article per event)."""
    rng, codes = random.Random(seed), _codes()
    out: dict[str, list[dict[str, Any]]] = {
        "stories": [],
        "sentences": [],
        "events": [],
        "event_mentions": [],
    }
    for i in range(n_stories):
        day = START + timedelta(days=rng.randrange(DAYS))
        story_id = content_id("bench", i)
        text = ""
        for j in range(per_story):
            src, tgt = rng.sample(ACTORS, 2)
            code = rng.choice(codes)
            line = f"Officials of {src} and {tgt} were reported in event {i}-{j} ({code['name']}). "
            start, trig = len(text), len(text) + line.index("reported")
            text += line
            out["sentences"].append(
                {
                    "story_id": story_id,
                    "idx": j,
                    "start_char": start,
                    "end_char": start + len(line) - 1,
                    "text": line[:-1],
                }
            )
            event_id = content_id(story_id, j)
            when = day - timedelta(days=rng.randrange(3))
            out["events"].append(
                {
                    "id": event_id,
                    "event_date": when,
                    "cameo": code["code"],
                    "base_code": code["code"],
                    "root": code["root"],
                    "name": code["name"],
                    "goldstein": float(code["goldstein"]),
                    "quad_class": int(code["quad_class"]),
                    "plover_type": "",
                    "plover_mode": "",
                    "source": src,
                    "source_country": src[:6] if src.startswith("IGO") else src[:3],
                    "target": tgt,
                    "target_country": tgt[:6] if tgt.startswith("IGO") else tgt[:3],
                    "place_key": "",
                    "story_id": story_id,
                    "num_mentions": 1,
                    "num_sources": 1,
                    "num_articles": 1,
                    "seq": i + 1,
                }
            )
            out["event_mentions"].append(
                {
                    "id": event_id,
                    "story_id": story_id,
                    "event_id": event_id,
                    "sentence": j,
                    "cameo": code["code"],
                    "source": src,
                    "target": tgt,
                    "trigger_start": trig,
                    "trigger_end": trig + 8,
                    "trigger_text": "reported",
                    "event_date": when,
                    "outlet": f"outlet{i % 40}",
                }
            )
        out["stories"].append(
            {
                "id": story_id,
                "content_hash": story_id,
                "source": f"bench://{i}",
                "outlet": f"outlet{i % 40}",
                "status": "coded",
                "title": f"Synthetic story {i}",
                "published_date": day,
                "text": text,
                "seq": i + 1,
                "run_id": "bench",
            }
        )
    return out


def fill(db: str, target: int, seed: int = 7) -> int:
    """Load synthetic rows until the store holds ``target`` events; returns the count.

    The rows are bulk-loaded through DuckDB's Arrow import (row-by-row ``write_stories``
    with its merge step would take many minutes for 50,000 events on this machine); the
    benchmark measures reading, and the rows have the shape ingest writes.
    """
    import pyarrow as pa

    with open_store(db, load_settings()) as store:
        have = store.counts()["events"]
        if have >= target:
            return have
        if store.counts()["stories"]:
            raise SystemExit(f"{db} holds a store with fewer than {target} events; delete it first")
        rows = _rows(-(-target // 6), 6, seed)
        conn = store._conn  # type: ignore[attr-defined]  # DuckDB only: bench-time bulk load
        for table, records in rows.items():
            arrow = pa.Table.from_pylist(records)  # noqa: F841 - read by DuckDB's replacement scan
            cols = ", ".join(records[0])
            conn.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM arrow")
        return store.counts()["events"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _time(client: httpx.Client, path: str, params: list[dict[str, Any]]) -> list[float]:
    out = []
    for p in params:
        t = time.perf_counter()
        r = client.get(path, params=p)
        out.append((time.perf_counter() - t) * 1000)
        r.raise_for_status()
    return out


def _report(name: str, ms: list[float]) -> None:
    q = statistics.quantiles(ms, n=100)
    print(f"{name:<44} n={len(ms):<4} p50={q[49]:7.1f} ms  p95={q[94]:7.1f} ms  max={max(ms):7.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default=str(REPO / "artifacts" / "bench" / "web.duckdb"))
    ap.add_argument("--events", type=int, default=50_000)
    ap.add_argument("--requests", type=int, default=200)
    args = ap.parse_args()
    Path(args.db).parent.mkdir(parents=True, exist_ok=True)
    n = fill(args.db, args.events)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "dateline", "serve", "--db", args.db, "--port", str(port)],
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=30) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    client.get("/api/health").raise_for_status()
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("the server did not start") from None
                    time.sleep(0.2)
            rng = random.Random(11)
            pairs = [rng.sample([a[:3] for a in ACTORS], 2) for _ in range(args.requests)]
            events = []
            for a, b in pairs:
                start = START + timedelta(days=rng.randrange(DAYS - 90))
                events.append(
                    {
                        "dyad": f"{a}-{b}",
                        "date_from": start.isoformat(),
                        "date_to": (start + timedelta(days=90)).isoformat(),
                        "limit": 50,
                    }
                )
            year = {"interval": "day", "date_from": "2023-01-01", "date_to": "2023-12-31"}
            print(f"store: {args.db}, {n} merged events; server {base}")
            _time(client, "/api/events", events[:10])  # warm up
            _report("events page (dyad + 90 days, 50 rows)", _time(client, "/api/events", events))
            _report(
                "events page (root filter, newest 50)",
                _time(client, "/api/events", [{"root": f"{rng.randrange(1, 21):02d}"} for _ in events]),
            )
            _report(
                "aggregates: a year daily, dyad",
                _time(client, "/api/aggregates", [{**year, "dyad": p["dyad"]} for p in events[:100]]),
            )
            _report(
                "aggregates: a year daily, country",
                _time(client, "/api/aggregates", [{**year, "country": a} for a, _ in pairs[:100]]),
            )
            _report("aggregates: a year daily, everything", _time(client, "/api/aggregates", [year] * 50))
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
