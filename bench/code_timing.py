"""Time to code the seed (cold process and warm) and words per second on the dev articles.

    .venv/bin/python bench/code_timing.py [--shared ../shared]

Cold = a fresh interpreter running ``dateline code`` on the seed (imports, model and
dictionary loading included). Warm = ``code_text`` again in a process that already coded it.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    seed = args.shared / "seed" / "yonhap-2022-01-20.txt"

    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "dateline", "code", "--format", "jsonl", str(seed)],
        check=True,
        capture_output=True,
    )
    cold = time.perf_counter() - t0

    import dateline
    import dateline.readers

    ctx = dateline.make_context()
    text = seed.read_text("utf-8")
    dateline.code_text(text, ctx=ctx)
    warm = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        dateline.code_text(text, ctx=ctx)
        warm.append(time.perf_counter() - t0)

    articles = sorted((args.shared / "eval" / "articles").glob("*.txt"))
    stories = [dateline.code_text(p.read_text("utf-8"), source=str(p), ctx=ctx) for p in articles]  # warm-up
    t0 = time.perf_counter()
    stories = list(
        dateline.code_stories(
            (dateline.readers.story_from_text(p.read_text("utf-8"), source=str(p)) for p in articles), ctx=ctx
        )
    )
    elapsed = time.perf_counter() - t0
    words = sum(len(s.text.split()) for s in stories)

    print(f"seed, cold (new process, dateline code): {cold:6.2f} s")
    print(f"seed, warm (median of {args.runs}):            {sorted(warm)[len(warm) // 2] * 1000:6.0f} ms")
    print(
        f"dev articles: {len(stories)} stories, {words} body words in {elapsed:.2f} s "
        f"= {words / elapsed:,.0f} words/s"
    )


if __name__ == "__main__":
    main()
