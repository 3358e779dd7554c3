"""Extraction throughput on the Zyte benchmark pages (one process, one core).

Usage: python bench/extraction.py [--root DIR] [--repeat N]

Prints pages per second for dateline's HTML extraction (body + metadata) and, for
comparison, for trafilatura's plain ``extract``. Pages are decompressed and decoded
before the clock starts, so only extraction is timed.
"""

from __future__ import annotations

import argparse
import gzip
import time
from collections.abc import Callable
from pathlib import Path


def load_pages(root: Path) -> list[str]:
    """The decoded HTML of every page under ``root/html``."""
    return [
        gzip.decompress(p.read_bytes()).decode("utf-8", "replace")
        for p in sorted((root / "html").glob("*.html.gz"))
    ]


def pages_per_second(pages: list[str], fn: Callable[[str], object], repeat: int) -> float:
    """Best-of-``repeat`` throughput of ``fn`` over ``pages``."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for html in pages:
            fn(html)
        best = min(best, time.perf_counter() - start)
    return len(pages) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--root", type=Path, default=Path(__file__).resolve().parents[2] / "shared/extraction/zyte"
    )
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--baseline", action="store_true", help="also time trafilatura.extract")
    args = parser.parse_args()

    import trafilatura

    from dateline.htmlextract import extract_html

    pages = load_pages(args.root)
    extract_html(pages[0])  # warm imports and caches outside the clock
    rate = pages_per_second(pages, lambda h: extract_html(h), args.repeat)
    print(f"dateline extract_html: {len(pages)} pages, {rate:.1f} pages/s")
    if args.baseline:
        base = pages_per_second(pages, lambda h: trafilatura.extract(h), args.repeat)
        print(f"trafilatura.extract:   {len(pages)} pages, {base:.1f} pages/s")


if __name__ == "__main__":
    main()
