"""Profile the coding pipeline in-process: where does the time go?

    .venv/bin/python bench/profile_pipeline.py --stories 300

Prints (and writes to ``artifacts/bench/profile-<timestamp>.txt``):

1. CPU seconds per dateline stage (the executors' timing wrapper);
2. CPU seconds per spaCy component of the configured model, run one component at a time
   over the same texts;
3. pyinstrument's call tree for the whole run, trimmed to the expensive frames.

Needs ``pyinstrument`` (a dev dependency).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from typing import Any

from throughput import REPO, corpus_texts, read_records

from dateline.executors.worker import BatchCoder
from dateline.settings import Settings, load_settings


def spacy_components(texts: list[str], settings: Settings) -> dict[str, float]:
    """CPU seconds per component of the full model, each run alone over pre-tokenised docs."""
    import spacy

    nlp = spacy.load(settings.nlp.model)
    start = time.process_time()
    docs = [nlp.make_doc(t) for t in texts]
    out = {"tokenizer": time.process_time() - start}
    for name, proc in nlp.pipeline:
        start = time.process_time()
        docs = list(proc.pipe(docs, batch_size=settings.nlp.batch_size))
        out[name] = time.process_time() - start
    return out


def main(argv: list[str] | None = None) -> int:
    """Profile and print; returns the exit code."""
    from pyinstrument import Profiler

    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("--stories", type=int, default=300)
    p.add_argument("--stages", default="", help="stage names or module:Class, comma-separated (default: all)")
    args = p.parse_args(argv)
    settings = load_settings()
    records = read_records(corpus_texts(1))[: args.stories]
    coder = BatchCoder(settings, [s for s in args.stages.split(",") if s] or None)

    profiler = Profiler(interval=0.002)
    profiler.start()
    totals: dict[str, float] = {}
    size = settings.nlp.batch_size
    for i in range(0, len(records), size):
        for key, value in coder.code(records[i : i + size])["cpu_seconds"].items():
            totals[key] = totals.get(key, 0.0) + value
    profiler.stop()

    lines = [f"{len(records)} stories; stage CPU seconds:"]
    lines += [f"  {k:<32} {v:8.2f}" for k, v in sorted(totals.items(), key=lambda kv: -kv[1])]
    lines.append("spaCy components, full model, one at a time (CPU seconds):")
    comps: dict[str, Any] = spacy_components([r["raw"] for r in records], settings)
    lines += [f"  {k:<32} {v:8.2f}" for k, v in comps.items()]
    text = "\n".join(lines) + "\n\n" + profiler.output_text(unicode=False, color=False, show_all=False)
    print(text)
    out = REPO / "artifacts" / "bench" / f"profile-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, "utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
