"""The learned date ranker: candidates, features, choice, the shipped model and its training."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dateline.dateranker import FEATURES, Ranker, candidate_features, load_ranker, ranker_from
from dateline.dateranker_train import PageRow, fit, ranker_figures
from dateline.errors import DictionaryError
from dateline.htmlextract import extract_html

HEADLINE = "talks to resume on border dispute"
FILLER = "officials in both capitals confirmed the plan. " * 40


def text_with(byline: str, tail: str = "") -> tuple[str, tuple[int, int]]:
    """Page text with the headline, a byline and a long body; the headline's span."""
    text = f"home world {HEADLINE} {byline} {FILLER}{tail}"
    at = text.index(HEADLINE)
    return text, (at, at + len(HEADLINE))


def test_the_shipped_model_loads_and_names_known_features() -> None:
    ranker = load_ranker()
    assert ranker is not None
    assert set(ranker.features) <= set(FEATURES)
    assert len(ranker.weights) == len(ranker.features)


@pytest.mark.parametrize(
    "raw",
    [
        {"features": ["printed"], "weights": [1.0], "intercept": 0.0, "threshold": 0.5},  # no threshold_none
        {
            "features": ["no_such_feature"],
            "weights": [1.0],
            "intercept": 0,
            "threshold": 0,
            "threshold_none": 1,
        },
        {"features": ["printed"], "weights": [], "intercept": 0, "threshold": 0, "threshold_none": 1},
        {"features": ["printed"], "weights": ["x"], "intercept": 0, "threshold": 0, "threshold_none": 1},
    ],
)
def test_a_malformed_model_is_a_dictionary_error(raw: dict[str, object]) -> None:
    with pytest.raises(DictionaryError, match="ranker"):
        ranker_from(raw)


def test_candidates_are_stated_days_and_days_printed_by_the_headline() -> None:
    text, span = text_with("by jane doe · april 24, 2000", tail="see also our march 3, 2019 report")
    cands = candidate_features(
        [("jsonld_published", date(2025, 12, 1)), ("rules", date(2025, 12, 1))], text, span
    )
    assert set(cands) == {date(2025, 12, 1), date(2000, 4, 24)}  # the far date is no candidate
    byline = cands[date(2000, 4, 24)]
    assert byline["byline"] == byline["first_near_headline"] == byline["byline_label"] == 1.0
    stated = cands[date(2025, 12, 1)]
    assert stated["src_jsonld_published"] == stated["src_rules"] == stated["rules_unprinted"] == 1.0
    assert stated["other_first_near"] == 1.0 and "printed" not in stated


def test_an_ambiguous_printed_date_alone_is_no_candidate() -> None:
    text, span = text_with("03/04/2024")
    assert candidate_features([], text, span) == {}
    # ... but it still tells whether a stated day is printed
    cands = candidate_features([("time", date(2024, 3, 4))], text, span)
    assert cands[date(2024, 3, 4)]["only_ambiguous"] == 1.0


def test_change_labels_are_features() -> None:
    text, span = text_with("updated: december 4, 2025")
    cands = candidate_features([("jsonld_modified", date(2025, 12, 4))], text, span)
    assert cands[date(2025, 12, 4)]["change_label"] == 1.0
    assert cands[date(2025, 12, 4)]["modified_first_near"] == 1.0


def test_choose_prefers_the_higher_score_and_answers_no_date_under_the_threshold() -> None:
    ranker = Ranker(("printed",), (4.0,), -2.0, 0.5, 1.0)
    a, b = date(2024, 1, 1), date(2024, 1, 2)
    assert ranker.choose({a: {}, b: {"printed": 1.0}})[0] == b
    assert ranker.choose({a: {}})[0] is None  # p = 0.12 < 0.5
    assert ranker.choose({b: {"printed": 1.0, "rules_none": 1.0}})[0] is None  # the rules found none
    assert ranker.choose({}) == (None, 0.0)


def test_fit_learns_a_signal_and_keeps_the_rules_no_date_decision() -> None:
    rows = []
    for i in range(60):
        gold, other = date(2024, 1, 1 + i % 28), date(2023, 6, 1 + i % 28)
        cands = {gold: {"printed": 1.0, "src_rules": 1.0}, other: {"src_jsonld_modified": 1.0}}
        rows.append(PageRow(key=str(i), gold=gold.isoformat(), candidates=cands))
    rows.append(PageRow(key="x", gold=None, candidates={date(2020, 1, 1): {"rules_none": 1.0}}))
    ranker = fit(rows)
    assert (ranker.threshold, ranker.threshold_none) == (0.0, 1.0)
    assert ranker_figures(ranker, rows) == (1.0, 1.0)


def test_extraction_keeps_no_date_when_only_a_modification_date_is_stated() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "dateModified": "2025-11-04"}</script>'
    )
    html = f"<html><head>{head}</head><body><h1>Talks to resume</h1><p>{FILLER}</p></body></html>"
    assert extract_html(html).meta.published_date is None


@given(st.text(max_size=400), st.lists(st.dates(), max_size=4))
def test_candidates_are_stated_or_printed_and_never_raise(text: str, days: list[date]) -> None:
    low = " ".join(text.lower().split())
    cands = candidate_features([("time", d) for d in days], low, (0, min(5, len(low))) if low else None)
    for day, feats in cands.items():
        assert day in days or feats.get("printed") == 1.0
        assert set(feats) <= set(FEATURES)
