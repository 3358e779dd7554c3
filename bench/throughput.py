"""Throughput benchmark: dateline end to end against raw spaCy, local and Ray, 1 and 2 workers.

    .venv/bin/python bench/throughput.py                 # full corpus (>= 2 minutes of work)
    .venv/bin/python bench/throughput.py --stories 300   # a quick run
    .venv/bin/python bench/throughput.py --runs local:1,local:2 --no-store

Corpus: the 4,500 NGEC synthetic stories (``eval/synthetic``) plus the development
articles (``eval/articles``), the latter repeated ``--dev-repeat`` times. Each run codes
the same records; the figures are printed side by side and written as JSON to
``artifacts/bench/throughput-<timestamp>.json`` so runs can be compared.

What is measured, and where:

- read: building raw records from the corpus files (the driver, once);
- the stages (extract, nlp, actors, quotes, events, dates, places) plus decode/encode
  of records: seconds summed over the workers, measured by the executor's timing
  wrapper around each stage's generator;
- store: writing coded batches to a fresh DuckDB file (the driver);
- raw nlp.pipe: the full spaCy model (no component disabled) over the same texts in a
  separate process, one core — the bar end-to-end throughput is compared with;
- peak RSS: each worker's ``ru_maxrss`` (for local:1 that is the driver process).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import multiprocessing
import os
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dateline.executors import get_executor
from dateline.executors.worker import limit_threads, peak_rss_mb
from dateline.model import content_id
from dateline.readers import story_from_text
from dateline.settings import Settings, load_settings

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SYNTHETIC = SHARED / "eval" / "synthetic" / "ngec_synthetic_events.csv.zip"
ARTICLES = SHARED / "eval" / "articles"

Record = dict[str, Any]

#: the issue's targets (ratio name -> minimum), checked at the end of a run
TARGETS = {
    "local:1 / raw nlp.pipe": 0.8,
    "local:2 / local:1": 1.7,
    "ray:2 / local:2": 0.85,
}
RSS_LIMIT_MB = 1536.0


# --- corpus -----------------------------------------------------------------------------


def corpus_texts(dev_repeat: int) -> list[tuple[str, str]]:
    """(source name, raw text) for the synthetic stories and the repeated dev articles."""
    with zipfile.ZipFile(SYNTHETIC) as z, z.open(z.namelist()[0]) as fh:
        rows = csv.DictReader(io.TextIOWrapper(fh, "utf-8"))
        texts = [(f"ngec-{i}", row["text"]) for i, row in enumerate(rows) if row["text"].strip()]
    dev = [(p.name, p.read_text("utf-8")) for p in sorted(ARTICLES.glob("*.txt"))]
    for copy in range(dev_repeat):
        # a distinct leading line per copy keeps the ids (content hashes) distinct
        texts.extend((f"{name}#{copy}", f"Copy {copy}.\n\n{text}" if copy else text) for name, text in dev)
    return texts


def read_records(texts: list[tuple[str, str]]) -> list[Record]:
    """Raw story records, as the ingest command hands them to an executor."""
    return [story_from_text(text, source=name).to_dict(include_raw=True) for name, text in texts]


def word_count(records: list[Record]) -> int:
    """Whitespace-separated words of the raw input (the words/s denominator)."""
    return sum(len(r["raw"].split()) for r in records)


# --- raw spaCy baseline -------------------------------------------------------------------


def _raw_nlp(texts: list[str], model: str, batch_size: int, out: Any) -> None:
    """Child process: time the full model's nlp.pipe over ``texts``."""
    limit_threads()
    import spacy

    nlp = spacy.load(model)
    list(nlp.pipe(texts[:20]))  # warm-up, as the executors' workers do
    start, cpu = time.perf_counter(), time.process_time()
    for _doc in nlp.pipe(texts, batch_size=batch_size):
        pass
    out.send(
        {
            "seconds": time.perf_counter() - start,
            "cpu_s": time.process_time() - cpu,
            "rss_mb": peak_rss_mb(),
            "components": list(nlp.pipe_names),
        }
    )


def raw_nlp_baseline(records: list[Record], settings: Settings) -> dict[str, Any]:
    """Seconds for the full spaCy model's ``nlp.pipe`` over the raw texts, in a fresh process."""
    mp = multiprocessing.get_context("spawn")
    parent, child = mp.Pipe()
    texts = [r["raw"] for r in records]
    proc = mp.Process(target=_raw_nlp, args=(texts, settings.nlp.model, settings.nlp.batch_size, child))
    proc.start()
    result: dict[str, Any] = parent.recv()
    proc.join()
    return result


# --- executor runs --------------------------------------------------------------------------


def _batched(items: Iterator[Record], size: int) -> Iterator[list[Record]]:
    chunk: list[Record] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def run_executor(
    spec: str, records: list[Record], settings: Settings, store_dir: Path | None, stages: list[str] | None
) -> dict[str, Any]:
    """Code ``records`` with one executor configuration ("local:2"); return its figures."""
    name, _, count = spec.partition(":")
    workers = int(count or 1)
    executor = get_executor(name, workers=workers, stages=stages)
    store = None
    if store_dir is not None:
        from dateline.store import open_store

        store = open_store(str(store_dir / f"{name}-{workers}.duckdb"), settings)
        store.start_run(
            run_id=f"bench-{name}-{workers}", code_version="bench", stages=[], settings_hash="bench"
        )
    try:
        start = time.perf_counter()
        executor.start(settings)
        startup = time.perf_counter() - start
        start, store_s, store_cpu, failed, events = time.perf_counter(), 0.0, 0.0, 0, 0
        for chunk in _batched(executor.map_records(records, settings), settings.nlp.batch_size):
            failed += sum(1 for r in chunk if r["failures"])
            events += sum(len(r["events"]) for r in chunk)
            if store is not None:
                t, c = time.perf_counter(), time.process_time()
                store.write_stories(chunk, f"bench-{name}-{workers}")
                store_s += time.perf_counter() - t
                store_cpu += time.process_time() - c
        wall = time.perf_counter() - start
        stats = executor.stats.as_dict()
    finally:
        executor.close()
        if store is not None:
            store.close()
    stats["stage_seconds"]["store"] = round(store_s, 3)
    stats["stage_cpu_seconds"]["store"] = round(store_cpu, 3)
    return {
        "executor": name,
        "workers": workers,
        "startup_s": round(startup, 2),
        "wall_s": round(wall, 2),
        "stories": stats["stories"],
        "failed_stories": failed,
        "events": events,
        "worker_deaths": stats["worker_deaths"],
        "cpu_s": stats["cpu_s"],
        "load_avg_1m": os.getloadavg()[0],
        "stage_seconds": stats["stage_seconds"],
        "stage_cpu_seconds": stats["stage_cpu_seconds"],
        "peak_rss_mb_per_worker": max(stats["peak_rss_mb"].values(), default=0.0),
        # worker CPU no stage accounts for (stages are timed on their own thread): the executor's
        # runtime, e.g. a Ray actor's RPC and metrics threads
        "runtime_cpu_s": round(
            stats["cpu_s"] - sum(v for k, v in stats["stage_cpu_seconds"].items() if k != "store"), 3
        ),
    }


# --- report ------------------------------------------------------------------------------


def add_rates(run: dict[str, Any], n: int, words: int) -> None:
    """Articles/s and words/s from wall time."""
    run["articles_per_s"] = round(n / run["wall_s"], 2)
    run["words_per_s"] = round(words / run["wall_s"], 1)
    # CPU seconds are robust to other processes sharing the cores: articles per worker-CPU-second
    run["articles_per_cpu_s"] = round(n / run["cpu_s"], 2) if run["cpu_s"] else None


def ratios(runs: dict[str, dict[str, Any]], raw: dict[str, Any]) -> dict[str, float]:
    """The issue's target ratios, for the runs that were made."""
    out: dict[str, float] = {}
    rate = {k: v["articles_per_s"] for k, v in runs.items()}
    for key in rate:
        out[f"{key} / raw nlp.pipe"] = round(rate[key] / raw["articles_per_s"], 3)
    for kind in ("local", "ray"):
        if f"{kind}:1" in rate and f"{kind}:2" in rate:
            out[f"{kind}:2 / {kind}:1"] = round(rate[f"{kind}:2"] / rate[f"{kind}:1"], 3)
    if "ray:2" in rate and "local:2" in rate:
        out["ray:2 / local:2"] = round(rate["ray:2"] / rate["local:2"], 3)
    if "ray:1" in rate and "local:1" in rate:
        out["ray:1 / local:1"] = round(rate["ray:1"] / rate["local:1"], 3)
    if "local:1" in runs and runs["local:1"]["articles_per_cpu_s"]:
        cpu_rate = runs["local:1"]["articles_per_cpu_s"]
        out["local:1 / raw nlp.pipe, per CPU-second"] = round(cpu_rate / raw["articles_per_cpu_s"], 3)
    return out


def print_report(report: dict[str, Any]) -> None:
    """The figures side by side, one column per run."""
    runs = report["runs"]
    cols = ["raw nlp.pipe", *runs]
    raw = report["raw_nlp"]
    rows: list[tuple[str, list[str]]] = [
        ("wall s", [f"{raw['seconds']:.1f}"] + [f"{r['wall_s']:.1f}" for r in runs.values()]),
        (
            "articles/s",
            [f"{raw['articles_per_s']:.2f}"] + [f"{r['articles_per_s']:.2f}" for r in runs.values()],
        ),
        ("words/s", [f"{raw['words_per_s']:.0f}"] + [f"{r['words_per_s']:.0f}" for r in runs.values()]),
        (
            "x raw nlp.pipe",
            ["1.00"] + [f"{r['articles_per_s'] / raw['articles_per_s']:.2f}" for r in runs.values()],
        ),
        ("worker CPU s", [f"{raw['cpu_s']:.1f}"] + [f"{r['cpu_s']:.1f}" for r in runs.values()]),
        (
            "articles/CPU-s",
            [f"{raw['articles_per_cpu_s']:.2f}"] + [f"{r['articles_per_cpu_s']:.2f}" for r in runs.values()],
        ),
        ("load avg (1 min)", ["-"] + [f"{r['load_avg_1m']:.1f}" for r in runs.values()]),
        (
            "peak RSS/worker MB",
            [f"{raw['rss_mb']:.0f}"] + [f"{r['peak_rss_mb_per_worker']:.0f}" for r in runs.values()],
        ),
        ("start-up s", ["-"] + [f"{r['startup_s']:.1f}" for r in runs.values()]),
        ("failed stories", ["-"] + [str(r["failed_stories"]) for r in runs.values()]),
    ]
    stages = sorted({s for r in runs.values() for s in r["stage_seconds"]}, key=_stage_order)
    rows.append(("stage CPU seconds (summed over workers)", [""] * len(cols)))
    rows.append(("  read (driver, once)", [f"{report['read_s']:.1f}"] + [""] * len(runs)))
    for stage in stages:
        rows.append(
            (f"  {_short(stage)}", ["-"] + [_fmt(r["stage_cpu_seconds"].get(stage)) for r in runs.values()])
        )
    rows.append(("  runtime (not in a stage)", ["-"] + [_fmt(r.get("runtime_cpu_s")) for r in runs.values()]))
    width = max(len(label) for label, _ in rows) + 2
    corpus = report["corpus"]
    print(f"\ncorpus: {corpus['stories']} stories, {corpus['words']} words; {report['conditions']}")
    print("".ljust(width) + "".join(c.rjust(14) for c in cols))
    for label, values in rows:
        print(label.ljust(width) + "".join(v.rjust(14) for v in values))
    print()
    for name, value in report["ratios"].items():
        target = TARGETS.get(name)
        verdict = "" if target is None else f"  {'PASS' if value >= target else 'FAIL'} (target >= {target})"
        print(f"{name:<40} {value:>6.3f}{verdict}")
    worst = max([r["peak_rss_mb_per_worker"] for r in runs.values()], default=0.0)
    verdict = "PASS" if worst < RSS_LIMIT_MB else "FAIL"
    print(f"{'peak RSS per worker MB':<40} {worst:>6.0f}  {verdict} (< {RSS_LIMIT_MB:.0f})")


_ORDER = (
    "read",
    "decode",
    "extract",
    "nlp",
    "actors",
    "quotes",
    "events",
    "dates",
    "places",
    "encode",
    "store",
)


def _stage_order(name: str) -> int:
    short = _short(name)
    return next((i for i, key in enumerate(_ORDER) if short.startswith(key)), len(_ORDER))


def _short(name: str) -> str:
    """'dateline.events.cameo.v1' -> 'events.cameo'."""
    parts = name.split(".")
    if parts[0] == "dateline" and len(parts) > 2:
        parts = parts[1:-1] if parts[-1].startswith("v") else parts[1:]
    return ".".join(parts)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


# --- main ------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument(
        "--stories",
        type=int,
        default=0,
        help="use N stories: the dev articles plus the first synthetic (0: all)",
    )
    p.add_argument("--dev-repeat", type=int, default=1, help="times the development articles are included")
    p.add_argument("--runs", default="local:1,local:2,ray:1,ray:2", help="executor:workers, comma-separated")
    p.add_argument("--stages", default="", help="stage names or module:Class, comma-separated (default: all)")
    p.add_argument("--no-store", action="store_true", help="do not write to a DuckDB store")
    p.add_argument("--no-raw", action="store_true", help="skip the raw nlp.pipe baseline")
    p.add_argument(
        "--out", type=Path, default=REPO / "artifacts" / "bench", help="directory for the JSON figures"
    )
    p.add_argument("--note", default="", help="free text saved with the figures (machine load, what changed)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write its JSON; returns the exit code."""
    args = parse_args(argv)
    settings = load_settings()
    stages = [s for s in args.stages.split(",") if s] or None
    start = time.perf_counter()
    records = read_records(corpus_texts(args.dev_repeat))
    if args.stories:
        # keep the (longer, messier) development articles in a quick run too
        dev = [r for r in records if not r["source"].startswith("ngec-")][: args.stories // 2]
        records = [r for r in records if r["source"].startswith("ngec-")][: args.stories - len(dev)] + dev
    read_s = time.perf_counter() - start
    n, words = len(records), word_count(records)
    print(f"{n} stories, {words} words (read in {read_s:.1f} s)", flush=True)

    nan = float("nan")
    raw: dict[str, Any] = {
        "seconds": nan,
        "cpu_s": nan,
        "rss_mb": 0.0,
        "articles_per_s": nan,
        "words_per_s": 0,
    }
    raw["articles_per_cpu_s"] = nan
    if not args.no_raw:
        raw = raw_nlp_baseline(records, settings)
        raw["articles_per_s"] = round(n / raw["seconds"], 2)
        raw["words_per_s"] = round(words / raw["seconds"], 1)
        raw["articles_per_cpu_s"] = round(n / raw["cpu_s"], 2)
        print(f"raw nlp.pipe: {raw['seconds']:.1f} s", flush=True)

    runs: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="dateline-bench-") as tmp:
        for spec in args.runs.split(","):
            run = run_executor(spec, records, settings, None if args.no_store else Path(tmp), stages)
            add_rates(run, n, words)
            runs[spec] = run
            print(f"{spec}: {run['wall_s']:.1f} s, {run['articles_per_s']:.2f} articles/s", flush=True)

    report = {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "conditions": f"{multiprocessing.cpu_count()} cores; {args.note or 'no note'}",
        "corpus": {"stories": n, "words": words, "dev_repeat": args.dev_repeat},
        "stages": stages or "default",
        "settings": {
            "model": settings.nlp.model,
            "disable": list(settings.nlp.disable),
            "batch_size": settings.nlp.batch_size,
        },
        "read_s": round(read_s, 2),
        "raw_nlp": raw,
        "runs": runs,
        "ratios": ratios(runs, raw) if not args.no_raw else {},
        "corpus_id": content_id(*(r["id"] for r in records)),
    }
    print_report(report)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"throughput-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(report, indent=2, default=str) + "\n", "utf-8")
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
