"""A learned chooser among a page's candidate publication days.

The hand rules of :func:`dateline.htmlextract._published` take the first source that fires.
This module looks at every day the page states instead and scores each with a logistic
regression over generic features (no site names):

1. Candidates are the days stated in markup (JSON-LD, meta tags, ``<time>``, the URL; see
   :data:`SOURCES`), the rules' own answer, and the days printed near the headline or labelled
   "Published"/"Posted" in the visible text.
2. Each candidate gets features (:data:`FEATURES`): which sources state it, how often and where
   the text prints it, the label words printed just before it, whether it is the earliest or the
   latest candidate and how many sources agree on it.
3. The best-scoring day wins; when its probability is under the fitted threshold the page gets
   "no date", the answer that is right when a page states none.

The model is plain data (``data/extract/date_ranker.json``: feature names, weights, intercept,
threshold), written by :mod:`dateline.dateranker_train` and loaded by :func:`load_ranker`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

from .errors import DictionaryError

__all__ = [
    "FEATURES",
    "SOURCES",
    "Ranker",
    "candidate_features",
    "load_ranker",
    "ranker_from",
]

#: where a machine-readable day can come from (htmlextract names each stated day with one of these)
SOURCES: tuple[str, ...] = (
    "jsonld_published",  # an article item's datePublished
    "jsonld_created",
    "jsonld_modified",
    "jsonld_page",  # a WebPage item's datePublished/dateCreated (often the site's, not the article's)
    "jsonld_page_modified",
    "meta_published",  # OpenGraph / <meta> publication keys, ISO
    "meta_loose",  # the same keys in a human format ("Jun 24, 2025")
    "meta_modified",
    "meta_other",  # other meta names that hold a date
    "time_published",  # <time itemprop=datePublished | pubdate>
    "time",  # other <time datetime>
    "time_modified",
    "url",
    "rules",  # the hand rules' answer
)
_TEXT_FEATURES: tuple[str, ...] = (
    "printed",  # printed anywhere in the visible text
    "printings",  # log(1 + times printed)
    "near_headline",  # printed within the headline zone
    "first_near_headline",  # the first date printed in that zone
    "byline",  # the first date printed just after the headline
    "before_headline",  # printed only before the headline (a date bar, a ticker)
    "published_label",  # "Published", "Posted on" just before a printing
    "byline_label",  # "by Jane Doe" just before a printing
    "change_label",  # "Updated", "Modified", "Reviewed" just before a printing
    "only_ambiguous",  # printed only as an ambiguous numeric date ("03/04/2025")
    "in_prose",  # every printing sits in a sentence ("valid through May 2")
)
_RELATION_FEATURES: tuple[str, ...] = (
    "n_sources",  # how many machine sources state this day
    "machine_and_printed",  # stated in markup and printed
    "earliest",
    "latest",
    "after_earliest",  # log(1 + days after the earliest candidate)
    "before_latest",  # log(1 + days before the latest candidate)
    "only_candidate",
    "rules_none",  # page-level: the hand rules found no date
    "n_candidates",  # page-level: log(number of candidates)
    "other_first_near",  # another day is the first printed near the headline
    "rules_unprinted",  # the rules' day, printed nowhere
    "rules_first_near",  # the rules' day, printed first near the headline
    "published_unprinted",  # stated as published in markup, printed nowhere
    "modified_first_near",  # stated as modified in markup, printed first near the headline
    "machine_first_near",  # stated in markup, printed first near the headline
)
#: the feature vector, in the order the weights are stored
FEATURES: tuple[str, ...] = tuple(f"src_{s}" for s in SOURCES) + _TEXT_FEATURES + _RELATION_FEATURES

#: characters of page text around the headline where a byline date is printed
_ZONE_BEFORE, _ZONE_AFTER, _BYLINE_REACH = 300, 1000, 300
#: characters before a printing searched for its label ("Published:", "by Jane Doe,")
_LABEL_CHARS, _BYLINE_CHARS = 25, 45
_MODEL = "data/extract/date_ranker.json"


@dataclass(frozen=True, slots=True)
class _Printing:
    """One date printed in the page text."""

    at: int
    days: frozenset[date]
    before: str  # the lower-cased text just before it


@dataclass(frozen=True, slots=True)
class Ranker:
    """A fitted logistic regression over candidate features, with its "no date" thresholds.

    The best day must score ``threshold`` on pages where the hand rules found a date, and
    ``threshold_none`` where they found none (their "no date" is usually right).
    """

    features: tuple[str, ...]
    weights: tuple[float, ...]
    intercept: float
    threshold: float
    threshold_none: float

    def probability(self, feats: Mapping[str, float]) -> float:
        """The model's probability that a candidate with these features is the publication day.

        Args:
            feats: feature name -> value (missing features count as 0).

        Returns:
            A probability in (0, 1).
        """
        z = self.intercept + sum(
            w * feats.get(f, 0.0) for f, w in zip(self.features, self.weights, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def choose(self, candidates: Mapping[date, Mapping[str, float]]) -> tuple[date | None, float]:
        """The best candidate day, or None when even the best is under the threshold.

        Args:
            candidates: day -> features (see :func:`candidate_features`).

        Returns:
            ``(day or None, best probability)``; ties go to the earlier day.
        """
        if not candidates:
            return None, 0.0
        best, p = max(
            ((d, self.probability(f)) for d, f in candidates.items()), key=lambda x: (x[1], -x[0].toordinal())
        )
        cut = self.threshold_none if candidates[best].get("rules_none") else self.threshold
        return (best if p >= cut else None), p


@lru_cache(maxsize=1)
def load_ranker() -> Ranker | None:
    """The shipped date ranker, validated; None when the package ships none.

    Returns:
        The :class:`Ranker` in ``data/extract/date_ranker.json``, or None.

    Raises:
        DictionaryError: the file exists but is malformed or names unknown features.
    """
    ref = resources.files("dateline").joinpath(_MODEL)
    if not ref.is_file():
        return None
    try:
        raw = json.loads(ref.read_text("utf-8"))
    except ValueError as exc:
        raise DictionaryError(
            _MODEL, 0, f"not JSON ({exc}); rerun python -m dateline.dateranker_train"
        ) from None
    return ranker_from(raw)


def ranker_from(raw: Mapping[str, Any]) -> Ranker:
    """A :class:`Ranker` from its JSON form, validated.

    Args:
        raw: ``{"features": [...], "weights": [...], "intercept": x, "threshold": t, "threshold_none": t}``.

    Returns:
        The ranker.

    Raises:
        DictionaryError: a field is missing or malformed, or a feature is unknown.
    """
    try:
        ranker = Ranker(
            features=tuple(str(f) for f in raw["features"]),
            weights=tuple(float(w) for w in raw["weights"]),
            intercept=float(raw["intercept"]),
            threshold=float(raw["threshold"]),
            threshold_none=float(raw["threshold_none"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise DictionaryError(
            _MODEL, 0, f"malformed date ranker ({exc!r}); rerun python -m dateline.dateranker_train"
        ) from None
    unknown = set(ranker.features) - set(FEATURES)
    if unknown or len(ranker.weights) != len(ranker.features):
        raise DictionaryError(
            _MODEL, 0, f"features {sorted(unknown)} unknown or weights miscounted; retrain the ranker"
        )
    return ranker


def candidate_features(
    stated: Iterable[tuple[str, date]], text: str, headline: tuple[int, int] | None
) -> dict[date, dict[str, float]]:
    """Every candidate publication day of a page, with its features.

    Args:
        stated: ``(source, day)`` pairs read from markup, source one of :data:`SOURCES`
            (``"rules"`` for the hand rules' answer).
        text: the page's visible text, lower-cased, whitespace collapsed.
        headline: start and end of the headline in ``text``, when it is found there.

    Returns:
        day -> feature name -> value, for the stated days and for the days printed near the
        headline or labelled as the publication date.
    """
    from .htmldates import CHANGE_LABEL

    stated = list(stated)
    rules_none = not any(src == "rules" for src, _ in stated)
    printings = _printings(text)
    out: dict[date, dict[str, float]] = {}
    for src, day in stated:
        out.setdefault(day, {})[f"src_{src}"] = 1.0
    # 1. text features of every printed day; printed days near the headline or labelled join
    by_day: dict[date, list[_Printing]] = {}
    for p in printings:
        for day in p.days:
            by_day.setdefault(day, []).append(p)
    zone = _zone(headline, len(text))
    first_near = next((p for p in printings if zone[0] <= p.at < zone[1] and not _prose(p)), None)
    byline = _byline(printings, headline)
    for day, found in by_day.items():
        feats = _text_features(found, zone, headline, first_near, byline, CHANGE_LABEL)
        if day in out:
            out[day].update(feats)
        elif not feats.get("only_ambiguous") and _text_candidate(feats):  # "03/04/2025" alone: no guess
            out[day] = feats
    first_day = next((d for d, f in out.items() if f.get("first_near_headline")), None)
    _relations(out, rules_none, first_day)
    return out


def _text_candidate(feats: Mapping[str, float]) -> bool:
    """Is a day printed where a page prints its own date (near the headline, or labelled)?"""
    return any(feats.get(f) for f in ("near_headline", "published_label", "byline_label"))


def _printings(text: str) -> list[_Printing]:
    """Every full date printed in the text, with each reading of an ambiguous numeric date."""
    from .htmldates import readings
    from .htmlextract import _NUMERIC_OR_NAMED_DATE

    out = []
    for m in _NUMERIC_OR_NAMED_DATE.finditer(text):
        days = readings(m)
        if days:
            out.append(
                _Printing(
                    at=m.start(),
                    days=frozenset(days),
                    before=text[max(0, m.start() - _BYLINE_CHARS) : m.start()],
                )
            )
    return out


def _zone(headline: tuple[int, int] | None, size: int) -> tuple[int, int]:
    if headline is None:
        return (0, 0)
    return (max(0, headline[0] - _ZONE_BEFORE), min(size, headline[1] + _ZONE_AFTER))


def _prose(p: _Printing) -> bool:
    from .htmldates import in_prose

    return in_prose(p.before)


def _byline(printings: list[_Printing], headline: tuple[int, int] | None) -> _Printing | None:
    """The first date printed just after the headline, outside a sentence."""
    if headline is None:
        return None
    end = headline[1]
    return next((p for p in printings if end <= p.at < end + _BYLINE_REACH and not _prose(p)), None)


def _text_features(
    found: list[_Printing],
    zone: tuple[int, int],
    headline: tuple[int, int] | None,
    first_near: _Printing | None,
    byline: _Printing | None,
    change: re.Pattern[str],
) -> dict[str, float]:
    """Where and how a day is printed (see :data:`_TEXT_FEATURES`)."""
    from .htmldates import _BYLINE_LABEL, _PUBLISHED_LABEL

    near = [p for p in found if zone[0] <= p.at < zone[1]]
    feats = {
        "printed": 1.0,
        "printings": math.log1p(len(found)),
        "near_headline": float(bool(near)),
        "first_near_headline": float(first_near is not None and first_near in found),
        "byline": float(byline is not None and byline in found),
        "before_headline": float(headline is not None and all(p.at < headline[0] for p in found)),
        "published_label": float(any(_PUBLISHED_LABEL.search(p.before[-_LABEL_CHARS:]) for p in found)),
        "byline_label": float(any(_BYLINE_LABEL.search(p.before) for p in found)),
        "change_label": float(any(change.search(p.before) for p in (near or found[:3]))),
        "only_ambiguous": float(all(len(p.days) > 1 for p in found)),
        "in_prose": float(all(_prose(p) for p in found[:5])),
    }
    return {k: v for k, v in feats.items() if v}


def _relations(out: dict[date, dict[str, float]], rules_none: bool, first_near_day: date | None) -> None:
    """Features that compare a candidate with the page's other candidates (in place)."""
    if not out:
        return
    first, last = min(out), max(out)
    for day, feats in out.items():
        n = sum(1 for s in SOURCES if s != "rules" and feats.get(f"src_{s}"))
        feats["n_sources"] = float(n)
        feats["machine_and_printed"] = float(n > 0 and bool(feats.get("printed")))
        feats["earliest"] = float(day == first)
        feats["latest"] = float(day == last)
        feats["after_earliest"] = math.log1p((day - first).days)
        feats["before_latest"] = math.log1p((last - day).days)
        feats["only_candidate"] = float(len(out) == 1)
        feats["rules_none"] = float(rules_none)
        feats["n_candidates"] = math.log(len(out))
        _interactions(feats, day, first_near_day)


def _interactions(feats: dict[str, float], day: date, first_near_day: date | None) -> None:
    """Products of features that a linear model cannot form itself (in place)."""
    printed, first_near = bool(feats.get("printed")), bool(feats.get("first_near_headline"))
    rules = bool(feats.get("src_rules"))
    published = any(feats.get(f"src_{s}") for s in ("jsonld_published", "meta_published", "time_published"))
    modified = any(feats.get(f"src_{s}") for s in ("jsonld_modified", "meta_modified", "time_modified"))
    feats["other_first_near"] = float(first_near_day is not None and first_near_day != day)
    feats["rules_unprinted"] = float(rules and not printed)
    feats["rules_first_near"] = float(rules and first_near)
    feats["published_unprinted"] = float(published and not printed)
    feats["modified_first_near"] = float(modified and first_near)
    feats["machine_first_near"] = float(first_near and feats["n_sources"] > 0)
