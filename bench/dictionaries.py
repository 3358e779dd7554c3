"""Benchmark: what loading the actor dictionaries adds to start-up.

Runs each measurement in a fresh interpreter (so nothing is cached) and prints the median:

* import: ``import dateline.dictionaries`` (pydantic, yaml)
* load:   ``load_dictionary()`` (every built-in file, parsed and validated)
* lookup: 10,000 dated lookups against the loaded dictionary

Usage: ``.venv/bin/python bench/dictionaries.py [--runs N]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

_PROBE = r"""
import json, time
t0 = time.perf_counter()
import dateline.dictionaries as dd
t1 = time.perf_counter()
d = dd.load_dictionary()
t2 = time.perf_counter()
from datetime import date
names = ["Kim Jong-un", "U.S.", "the Kremlin", "Joe Biden", "Kandahar", "nobody at all", "IAEA", "Taliban"]
for i in range(10_000):
    d.lookup(names[i % len(names)], date(2022, 1, 20))
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "lookup_10k": t3 - t2,
                  "names": len(d.names) + len(d.phoenix), "agents": len(d.agents), "cities": len(d.cities)}))
"""


def main() -> None:
    """Print the median of each figure over ``--runs`` fresh interpreters."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    runs = []
    for _ in range(args.runs):
        out = subprocess.run(
            [sys.executable, "-c", _PROBE], check=True, capture_output=True, text=True
        ).stdout
        runs.append(json.loads(out))
    for key in ("import", "load", "lookup_10k"):
        values = [r[key] for r in runs]
        print(
            f"{key:11} median {statistics.median(values):.3f} s"
            f"   (min {min(values):.3f}, max {max(values):.3f})"
        )
    total = [r["import"] + r["load"] for r in runs]
    print(f"{'start-up':11} median {statistics.median(total):.3f} s   (import + load; budget 2 s)")
    r = runs[0]
    print(f"entries: {r['names']} names, {r['agents']} agent phrases, {r['cities']} cities; {args.runs} runs")


if __name__ == "__main__":
    main()
