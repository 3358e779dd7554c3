"""Fit the date ranker (:mod:`dateline.dateranker`) on the WCXB development pages.

Usage: python -m dateline.dateranker_train [--root DIR] [--write] [--no-date-target SHARE]

1. Every page is read as ``extract_html`` reads it; its candidate days get their features
   and the label "this day is the gold publication day".
2. Two-fold cross-fitting: fit on the even-numbered pages and score the odd ones, then the
   reverse. The figures printed are those of pages the model never saw, next to the hand rules'.
3. With ``--write``, and only when the cross-fitted accuracy beats the rules while keeping the
   "no date" answers right often enough, a model fitted on all pages is written to
   ``data/extract/date_ranker.json`` as plain numbers (no pickle).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .dateranker import FEATURES, Ranker

#: thresholds that keep the hand rules' "no date" decision: the ranker never drops the rules'
#: answer (any score passes 0) and never answers where the rules found nothing (no score reaches 1).
#: Cross-fitted, thresholds fitted to a no-date target did worse on the unseen fold.
_KEEP_RULES_NO_DATE = (0.0, 1.0)
#: inverse regularisation strength of the logistic regression
_C = 1.0


@dataclass(frozen=True, slots=True)
class PageRow:
    """One page's candidates, features and gold day."""

    key: str
    gold: str | None  # the gold date's first 10 characters ("YYYY-MM-DD"), None for "no date"
    candidates: dict[date, dict[str, float]]


def page_rows(root: Path) -> list[PageRow]:
    """Candidates of every page under ``root`` (``html/*.html.gz`` + ``ground-truth/*.json``).

    Args:
        root: the WCXB development folder.

    Returns:
        One row per page, in key order.
    """
    from . import htmlextract as hx

    rows = []
    for gt in sorted((root / "ground-truth").glob("*.json")):
        record = json.loads(gt.read_text("utf-8"))
        html = gzip.decompress((root / "html" / f"{gt.stem}.html.gz").read_bytes()).decode("utf-8", "replace")
        url = record.get("url")
        tree = hx._parse(html)
        structured = hx._structured(tree, hx._Found())
        page = hx._PageText(tree)
        headings = hx._headline_order(tree, structured, [hx._text(h) for h in tree.iter("h1")])
        choice = hx._rule_choice(tree, structured, url, page, headings)
        stated = hx._stated_days(tree, structured, url)
        gold = record["ground_truth"].get("publish_date") or None
        rows.append(
            PageRow(gt.stem, gold[:10] if gold else None, hx._date_candidates(choice, stated, page, headings))
        )
    return rows


def fit(rows: Sequence[PageRow], no_date_target: float | None = None) -> Ranker:
    """A logistic regression over the candidates of ``rows``, with its "no date" threshold.

    Args:
        rows: training pages.
        no_date_target: share of no-date pages that must get "no date" on the training pages,
            when the thresholds are fitted; None keeps the rules' "no date" decision.

    Returns:
        The fitted :class:`Ranker`.
    """
    from sklearn.linear_model import LogisticRegression

    x, y = [], []
    for row in rows:
        for day, feats in row.candidates.items():
            x.append([feats.get(f, 0.0) for f in FEATURES])
            y.append(int(day.isoformat() == row.gold))
    model = LogisticRegression(C=_C, max_iter=2000).fit(x, y)
    ranker = Ranker(
        FEATURES, tuple(float(w) for w in model.coef_[0]), float(model.intercept_[0]), *_KEEP_RULES_NO_DATE
    )
    return ranker if no_date_target is None else _with_thresholds(ranker, rows, no_date_target)


def _with_thresholds(ranker: Ranker, rows: Sequence[PageRow], target: float) -> Ranker:
    """The ranker with the two thresholds that are most accurate while meeting the no-date target.

    Pages where the rules found a date and pages where they found none are disjoint, so the
    counts of right answers add up: each threshold is tried on a grid for its own pages.
    """
    cuts = [i / 100 for i in range(101)]
    tables = []
    for rules_none in (False, True):
        part = [r for r in rows if bool(r.candidates) and _rules_none(r) == rules_none]
        best = [ranker.choose(r.candidates)[0] for r in part]
        probs = [ranker.choose(r.candidates)[1] for r in part]
        tables.append([_counts(part, best, probs, cut) for cut in cuts])
    empty = [r for r in rows if not r.candidates]  # "no date" whatever the thresholds
    n_none = sum(not r.gold for r in rows)
    base_right = sum(not r.gold for r in empty)
    scored = []
    for i, (acc_a, right_a) in enumerate(tables[0]):
        for j, (acc_b, right_b) in enumerate(tables[1]):
            if base_right + right_a + right_b >= target * n_none:
                scored.append(
                    (acc_a + acc_b, right_a + right_b, -abs(i - 50) - abs(j - 50), cuts[i], cuts[j])
                )
    _, _, _, cut, cut_none = max(scored) if scored else (0, 0, 0, 1.0, 1.0)
    return Ranker(ranker.features, ranker.weights, ranker.intercept, cut, cut_none)


def _rules_none(row: PageRow) -> bool:
    return not any(f.get("src_rules") for f in row.candidates.values())


def _counts(
    rows: Sequence[PageRow], best: Sequence[date | None], probs: Sequence[float], cut: float
) -> tuple[int, int]:
    """(right days on dated pages, right "no date" answers) with this threshold."""
    right_days = right_none = 0
    for row, day, p in zip(rows, best, probs, strict=True):
        answer = day if p >= cut else None
        if row.gold:
            right_days += answer is not None and answer.isoformat() == row.gold
        else:
            right_none += answer is None
    return right_days, right_none


def _figures(rows: Sequence[PageRow], chosen: Sequence[date | None]) -> tuple[float, float]:
    """(date accuracy over dated pages, share of no-date pages answered "no date")."""
    dated = [(r, d) for r, d in zip(rows, chosen, strict=True) if r.gold]
    empty = [d for r, d in zip(rows, chosen, strict=True) if not r.gold]
    acc = sum(d is not None and d.isoformat() == r.gold for r, d in dated) / max(1, len(dated))
    return acc, sum(d is None for d in empty) / max(1, len(empty))


def rules_figures(rows: Sequence[PageRow]) -> tuple[float, float]:
    """The hand rules' figures on ``rows`` (their answer is the candidate with ``src_rules``).

    Args:
        rows: pages.

    Returns:
        ``(date accuracy, no-date right)``.
    """
    return _figures(
        rows, [next((d for d, f in r.candidates.items() if f.get("src_rules")), None) for r in rows]
    )


def ranker_figures(ranker: Ranker, rows: Sequence[PageRow]) -> tuple[float, float]:
    """The ranker's figures on ``rows``.

    Args:
        ranker: a fitted ranker.
        rows: pages.

    Returns:
        ``(date accuracy, no-date right)``.
    """
    return _figures(rows, [ranker.choose(r.candidates)[0] for r in rows])


def crossfit(rows: Sequence[PageRow], no_date_target: float | None = None) -> dict[str, tuple[float, float]]:
    """Two-fold (even/odd page number) figures of rules and ranker on unseen pages.

    Args:
        rows: all pages.
        no_date_target: see :func:`fit`.

    Returns:
        ``{"rules even": (acc, right), "ranker even": ..., "rules odd": ..., ..., "ranker all": ...}``.
    """
    even = [r for r in rows if int(r.key) % 2 == 0]
    odd = [r for r in rows if int(r.key) % 2 == 1]
    out: dict[str, tuple[float, float]] = {}
    chosen: dict[str, date | None] = {}
    for name, test, train in (("even", even, odd), ("odd", odd, even)):
        ranker = fit(train, no_date_target)
        out[f"rules {name}"] = rules_figures(test)
        out[f"ranker {name}"] = ranker_figures(ranker, test)
        chosen.update({r.key: ranker.choose(r.candidates)[0] for r in test})
    out["rules all"] = rules_figures(rows)
    out["ranker all"] = _figures(rows, [chosen[r.key] for r in rows])
    return out


def write(ranker: Ranker, path: Path) -> None:
    """Write the ranker as JSON (feature names, weights, intercept, threshold).

    Args:
        ranker: the fitted ranker.
        path: the output file.
    """
    body: dict[str, Any] = {
        "about": "date ranker for HTML pages; written by python -m dateline.dateranker_train",
        "features": list(ranker.features),
        "weights": [round(w, 6) for w in ranker.weights],
        "intercept": round(ranker.intercept, 6),
        "threshold": round(ranker.threshold, 6),
        "threshold_none": round(ranker.threshold_none, 6),
    }
    path.write_text(json.dumps(body, indent=1) + "\n", "utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    """Print cross-fitted figures; with ``--write``, ship a model when it beats the rules."""
    shared = Path(os.environ.get("DATELINE_SHARED", "/work/shared"))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=shared / "extraction" / "wcxb-dev")
    parser.add_argument(
        "--no-date-target",
        type=float,
        default=None,
        help="fit the no-date thresholds to this share (default: keep the rules')",
    )
    parser.add_argument("--write", action="store_true", help="write data/extract/date_ranker.json")
    args = parser.parse_args(argv)
    rows = page_rows(args.root)
    figures = crossfit(rows, args.no_date_target)
    for name, (acc, right) in figures.items():
        print(f"{name:12s} date_accuracy={acc:.4f} no_date_right={right:.4f}")
    (acc, right), (base, _) = figures["ranker all"], figures["rules all"]
    if not args.write:
        return
    if acc <= base or right < 0.80:
        print("not written: the cross-fitted ranker does not beat the rules")
        return
    out = Path(__file__).parent / "data" / "extract" / "date_ranker.json"
    write(fit(rows, args.no_date_target), out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
