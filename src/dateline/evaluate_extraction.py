"""Scorers for article extraction: the Zyte benchmark, WCXB and the dev articles.

Each scorer runs an extractor over a benchmark directory and returns a flat dict
of metrics, so ``dateline eval zyte|wcxb|articles`` only has to print it.

* ``zyte``: the benchmark's own metric. Text is split into ``\\w+`` tokens, each
  page becomes a set of 4-gram word shingles, precision and recall are computed per
  page and averaged over pages, and F1 is the harmonic mean of the two averages.
* ``wcxb``: word-level F1 (bag of lower-cased ``\\w+`` tokens) per page, averaged;
  title exact match, author exact match and date accuracy to the day, with the
  share of "no date" answers that are right when the page has no date.
* ``articles``: body start, body end and boilerplate removal on the annotated
  development articles, plus metadata agreement field by field.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

__all__ = [
    "HtmlResult",
    "score_articles_extraction",
    "score_wcxb",
    "score_zyte",
    "shingle_precision_recall",
    "word_f1",
]

_TOKEN = re.compile(r"\w+", re.UNICODE)


def _shared() -> Path:
    """The shared data folder (``DATELINE_SHARED``, else ``/work/shared``)."""
    return Path(os.environ.get("DATELINE_SHARED", "/work/shared"))


@dataclass(frozen=True, slots=True)
class HtmlResult:
    """What a scorer needs from an HTML extractor."""

    body: str
    title: str | None = None
    authors: tuple[str, ...] = ()
    published: date | None = None


HtmlExtractor = Callable[[str, str | None], HtmlResult]


def _dateline_html(html: str, url: str | None) -> HtmlResult:
    """The default extractor: dateline's own HTML extraction."""
    from .htmlextract import extract_html

    out = extract_html(html, url=url)
    return HtmlResult(
        body=out.text, title=out.meta.title, authors=out.meta.authors, published=out.meta.published_date
    )


# --- metrics ---------------------------------------------------------------------


def _shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    return {tuple(tokens[i : i + n]) for i in range(max(len(tokens) - n + 1, 0))}


def shingle_precision_recall(expected: str, predicted: str, n: int = 4) -> tuple[float, float]:
    """Per-page precision and recall over word n-gram shingles (the Zyte metric).

    Args:
        expected: the ground-truth article body.
        predicted: the extracted body.
        n: shingle length in words.

    Returns:
        (precision, recall); (1, 1) when both are empty, (0, 0) when nothing matches.
    """
    gold, pred = _shingles(expected, n), _shingles(predicted, n)
    tp = len(gold & pred)
    fp, fn = len(pred - gold), len(gold - pred)
    if fp == 0 and fn == 0:
        return 1.0, 1.0
    if tp == 0:
        return 0.0, 0.0
    return tp / (tp + fp), tp / (tp + fn)


def word_f1(expected: str, predicted: str) -> tuple[float, float, float]:
    """Bag-of-words precision, recall and F1 over lower-cased ``\\w+`` tokens.

    Args:
        expected: the ground-truth text.
        predicted: the extracted text.

    Returns:
        (precision, recall, f1); all 1.0 when both are empty.
    """
    gold = Counter(_TOKEN.findall((expected or "").lower()))
    pred = Counter(_TOKEN.findall((predicted or "").lower()))
    if not gold and not pred:
        return 1.0, 1.0, 1.0
    common = sum((gold & pred).values())
    if common == 0:
        return 0.0, 0.0, 0.0
    p, r = common / sum(pred.values()), common / sum(gold.values())
    return p, r, 2 * p * r / (p + r)


def _harmonic(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


_QUOTES = {0x2018: "'", 0x2019: "'", 0x201C: '"', 0x201D: '"'}


def _norm(text: str | None) -> str:
    """Normalise for exact-match comparison: NFKC, straight quotes, single spaces, casefold."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_QUOTES)
    return " ".join(text.split()).casefold()


# --- zyte ------------------------------------------------------------------------


def score_zyte(
    root: str | Path | None = None,
    extractor: HtmlExtractor | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Score body extraction on the Zyte article-extraction benchmark.

    Args:
        root: directory with ``ground-truth.json`` and ``html/<id>.html.gz``
            (default: ``$DATELINE_SHARED/extraction/zyte``).
        extractor: ``(html, url) -> HtmlResult``; dateline's own by default.
        limit: score only the first ``limit`` pages (for quick checks).

    Returns:
        ``{"pages", "precision", "recall", "f1"}``.
    """
    root = Path(root) if root else _shared() / "extraction" / "zyte"
    extractor = extractor or _dateline_html
    truth: dict[str, dict[str, Any]] = json.loads((root / "ground-truth.json").read_text("utf-8"))
    precisions, recalls = [], []
    for key in sorted(truth)[:limit]:
        html = gzip.decompress((root / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8", "replace")
        got = extractor(html, truth[key].get("url"))
        p, r = shingle_precision_recall(truth[key].get("articleBody") or "", got.body)
        precisions.append(p)
        recalls.append(r)
    p_mean = sum(precisions) / len(precisions) if precisions else 0.0
    r_mean = sum(recalls) / len(recalls) if recalls else 0.0
    return {"pages": len(precisions), "precision": p_mean, "recall": r_mean, "f1": _harmonic(p_mean, r_mean)}


# --- wcxb ------------------------------------------------------------------------


def _wcxb_pages(root: Path, limit: int | None) -> Iterable[tuple[str, str, dict[str, Any]]]:
    for gt_path in sorted((root / "ground-truth").glob("*.json"))[:limit]:
        record = json.loads(gt_path.read_text("utf-8"))
        html_path = root / "html" / f"{gt_path.stem}.html.gz"
        html = gzip.decompress(html_path.read_bytes()).decode("utf-8", "replace")
        yield gt_path.stem, html, record


def _authors_match(gold: str | None, got: tuple[str, ...]) -> bool:
    if not gold:
        return not got
    if _norm(gold) == _norm(", ".join(got)):
        return True  # the byline as printed, roles and all
    names = re.split(r"\s*(?:,|;|\band\b|&)\s*", gold)
    return sorted(_norm(n) for n in names if n.strip()) == sorted(_norm(a) for a in got)


def score_wcxb(
    root: str | Path | None = None,
    extractor: HtmlExtractor | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Score body, title, date and author extraction on the WCXB article pages.

    Args:
        root: directory with ``html/NNNN.html.gz`` and ``ground-truth/NNNN.json``
            (default: ``$DATELINE_SHARED/extraction/wcxb-dev``).
        extractor: ``(html, url) -> HtmlResult``; dateline's own by default.
        limit: score only the first ``limit`` pages.

    Returns:
        Body word-F1 (mean of per-page F1), title/author exact match, date accuracy
        (day, over the pages that have a gold date), and ``no_date_right``: the share
        of pages without a gold date where the extractor also answered "no date".
    """
    root = Path(root) if root else _shared() / "extraction" / "wcxb-dev"
    extractor = extractor or _dateline_html
    f1s: list[float] = []
    title_ok = author_ok = date_ok = dated_pages = nodate_pages = nodate_ok = 0
    for _key, html, record in _wcxb_pages(root, limit):
        gold = record["ground_truth"]
        got = extractor(html, record.get("url"))
        f1s.append(word_f1(gold.get("main_content") or "", got.body)[2])
        title_ok += _norm(gold.get("title")) == _norm(got.title)
        author_ok += _authors_match(gold.get("author"), got.authors)
        gold_date = gold.get("publish_date")
        got_date = got.published.isoformat() if got.published else None
        if gold_date:
            dated_pages += 1
            date_ok += got_date == gold_date[:10]
        else:
            nodate_pages += 1
            nodate_ok += got_date is None
    n = len(f1s) or 1
    return {
        "pages": len(f1s),
        "body_f1": sum(f1s) / n,
        "title_exact": title_ok / n,
        "date_accuracy": date_ok / dated_pages if dated_pages else 1.0,
        "no_date_pages": nodate_pages,
        "no_date_right": nodate_ok / nodate_pages if nodate_pages else 1.0,
        "author_exact": author_ok / n,
    }


# --- development articles --------------------------------------------------------


def _squash(text: str) -> str:
    return " ".join(text.split())


def _article_checks(gold: dict[str, Any], text: str, meta: dict[str, Any]) -> dict[str, bool]:
    """Body start/end, boilerplate and per-field metadata checks for one article."""
    body = _squash(text)
    checks = {
        "body_start": body.startswith(_squash(gold.get("body_first") or "")),
        "body_end": body.endswith(_squash(gold.get("body_last") or "")),
        "boilerplate_removed": not any(
            _squash(b) in body for b in gold.get("boilerplate") or [] if b.strip()
        ),
    }
    for name, want in (gold.get("meta") or {}).items():
        checks[f"meta.{name}"] = _norm(str(want) if want is not None else None) == _norm(meta.get(name))
    return checks


def score_articles_extraction(
    directory: str | Path | None = None,
) -> dict[str, Any]:
    """Extraction checks on the annotated development articles (``NNN.txt`` + gold).

    URLs come from ``SOURCES.jsonl`` beside the articles when it exists, as a
    scraper would know them.

    Args:
        directory: folder with ``NNN.txt``, ``NNN.gold.json`` and optional ``SOURCES.jsonl``
            (default: ``$DATELINE_SHARED/eval/articles``).

    Returns:
        Pass rates for ``body_start``, ``body_end``, ``boilerplate_removed``, their
        mean ``extraction_pass_rate``, one ``meta.<field>`` rate per gold field, and
        ``failures``: the article ids and checks that failed.
    """
    from .errors import InputError
    from .evaluate import predicted_meta  # lazy: the evaluation harness imports this module by path
    from .extract import extract

    directory = Path(directory) if directory else _shared() / "eval" / "articles"
    urls = _source_urls(directory / "SOURCES.jsonl")
    totals: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    failures: list[str] = []
    for gold_path in sorted(directory.glob("*.gold.json")):
        art_id = gold_path.name.split(".")[0]
        gold = json.loads(gold_path.read_text("utf-8"))
        raw = (directory / f"{art_id}.txt").read_text("utf-8")
        try:
            out = extract(raw, content_type="text/plain", url=urls.get(art_id))
            checks = _article_checks(gold, out.text, predicted_meta(out.meta))
        except InputError as exc:
            checks = {"body_start": False, "body_end": False, "boilerplate_removed": False}
            failures.append(f"{art_id}: {exc}")
        for name, ok in checks.items():
            totals[name] += 1
            counts[name] += ok
            if not ok:
                failures.append(f"{art_id}: {name}")
    rates = {name: counts[name] / totals[name] for name in sorted(totals)}
    core = [rates.get(k, 0.0) for k in ("body_start", "body_end", "boilerplate_removed")]
    return {
        "articles": totals["body_start"],
        **rates,
        "extraction_pass_rate": sum(core) / 3,
        "failures": failures,
    }


def _source_urls(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    out = {}
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            if rec.get("url"):
                out[str(rec["id"])] = rec["url"]
    return out
