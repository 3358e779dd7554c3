"""Cost of the event-type classifier: load time and milliseconds per event.

    .venv/bin/python bench/classifier.py [--events 300] [--plv /work/shared/eval/plv/plv_train.csv]

Prints figures; it is a script, not a timed test.
"""

from __future__ import annotations

import argparse
import time

from dateline import classifier, train


def main() -> None:
    """Time loading the shipped model and scoring events one at a time and in a batch."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--plv", default="/work/shared/eval/plv/plv_train.csv")
    args = parser.parse_args()

    path = classifier.models_dir() / classifier.MODEL_FILE
    t0 = time.perf_counter()
    model = classifier.load(path)
    load_s = time.perf_counter() - t0
    rows = train.load_plv(args.plv)[: args.events]

    t0 = time.perf_counter()
    for row in rows:
        model.predict_proba([row])
    single_ms = (time.perf_counter() - t0) * 1000 / len(rows)

    t0 = time.perf_counter()
    model.predict_proba(rows)
    batch_ms = (time.perf_counter() - t0) * 1000 / len(rows)

    size_mb = sum(p.stat().st_size for p in classifier.models_dir().iterdir()) / 1e6
    print(f"model       {model.model_id}  ({size_mb:.1f} MB on disk, {model.coef.shape[1]} features)")
    print(f"load        {load_s * 1000:.0f} ms")
    print(f"per event   {single_ms:.2f} ms one at a time, {batch_ms:.2f} ms in a batch of {len(rows)}")


if __name__ == "__main__":
    main()
