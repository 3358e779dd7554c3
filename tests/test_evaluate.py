"""The evaluation harness: event matching and scoring on hand-made lists, checks, output."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dateline.errors import ConfigError
from dateline.evaluate import (
    SUITES,
    EventTally,
    GoldEvent,
    PredEvent,
    SuiteOptions,
    article_pairs,
    extraction_checks,
    match_events,
    principal,
    run_suite,
    score_article_events,
    score_events,
    write_result,
)
from dateline.model import Meta, Story

SHARED = Path("/work/shared")


def gold(
    src: str, tgt: str, code: str, alts: tuple[str, ...] = (), d: str | None = None, optional: bool = False
) -> GoldEvent:
    return GoldEvent(
        source=src,
        target=tgt,
        cameo=code,
        alt_cameo=alts,
        date=date.fromisoformat(d) if d else None,
        optional=optional,
    )


def pred(src: str, tgt: str, code: str, d: str | None = None) -> PredEvent:
    return PredEvent(source=src, target=tgt, cameo=code, date=date.fromisoformat(d) if d else None)


def test_principal_keeps_igo_and_ngo_whole_and_cuts_states_to_three_letters() -> None:
    assert principal("KORGOV") == "KOR"
    assert principal("IGOUNO") == "IGOUNO"
    assert principal("NGOICRC") == "NGOICRC"
    assert principal("PSEREB") == "PSE"
    assert principal("") == ""


def test_lenient_matches_root_and_principals_but_strict_needs_code_roles_and_date() -> None:
    g = [gold("KORGOV", "USAGOV", "041", ("040",), "2022-01-20")]
    p = [pred("KOR", "USAMIL", "042", "2022-01-20")]
    lenient, _ = score_events(p, g, "lenient")
    strict, _ = score_events(p, g, "strict")
    assert (lenient.tp, lenient.fp, lenient.fn) == (1, 0, 0)
    assert (strict.tp, strict.fp, strict.fn) == (0, 1, 1)


def test_strict_accepts_an_alt_code_and_ignores_date_when_gold_has_none() -> None:
    g = [gold("USAGOV", "PRKGOV", "163", ("160",))]
    strict, _ = score_events([pred("USAGOV", "PRKGOV", "160", "2022-01-13")], g, "strict")
    assert strict.tp == 1


def test_strict_rejects_a_wrong_date() -> None:
    g = [gold("KORGOV", "USAGOV", "041", (), "2022-01-20")]
    strict, _ = score_events([pred("KORGOV", "USAGOV", "041", "2022-01-19")], g, "strict")
    assert strict.tp == 0


def test_alt_root_counts_for_lenient() -> None:
    g = [gold("PRK", "", "150", ("15", "190"))]
    lenient, _ = score_events([pred("PRKMIL", "", "190")], g, "lenient")
    assert lenient.tp == 1


def test_unknown_target_must_stay_unknown() -> None:
    g = [gold("PRK", "", "150")]
    lenient, _ = score_events([pred("PRK", "JPN", "150")], g, "lenient")
    assert (lenient.tp, lenient.fp, lenient.fn) == (0, 1, 1)


def test_optional_gold_is_neither_required_nor_a_false_positive() -> None:
    g = [gold("KORGOV", "USAGOV", "041"), gold("PRK", "", "138", optional=True)]
    with_optional, _ = score_events([pred("KORGOV", "USAGOV", "041"), pred("PRK", "", "138")], g, "lenient")
    without, _ = score_events([pred("KORGOV", "USAGOV", "041")], g, "lenient")
    assert (with_optional.tp, with_optional.fp, with_optional.fn) == (1, 0, 0)
    assert (without.tp, without.fp, without.fn) == (1, 0, 0)


def test_matching_is_one_to_one() -> None:
    g = [gold("KORGOV", "USAGOV", "041")]
    counts, pairs = score_events(
        [pred("KORGOV", "USAGOV", "041"), pred("KORGOV", "USAGOV", "040")], g, "lenient"
    )
    assert len(pairs) == 1
    assert (counts.tp, counts.fp) == (1, 1)


def test_matching_prefers_a_required_gold_over_an_optional_one() -> None:
    # one prediction could match either; it must go to the required event
    g = [gold("KORGOV", "USAGOV", "040", optional=True), gold("KORGOV", "USAGOV", "041")]
    counts, pairs = score_events([pred("KORGOV", "USAGOV", "042")], g, "lenient")
    assert pairs == [(0, 1)]
    assert counts.tp == 1


def test_hungarian_finds_the_assignment_greedy_would_miss() -> None:
    g = [gold("KOR", "USA", "041", ("040",)), gold("KOR", "USA", "040")]
    # p0 fits both gold events, p1 only the first: the best assignment matches both
    counts, _ = score_events([pred("KOR", "USA", "040"), pred("KOR", "USA", "041")], g, "strict")
    assert counts.tp == 2


def test_tally_per_root_and_confusion() -> None:
    tally = EventTally()
    g = [gold("KORGOV", "USAGOV", "041"), gold("USAGOV", "PRKGOV", "163")]
    p = [pred("KORGOV", "USAGOV", "041"), pred("USAGOV", "PRKGOV", "112"), pred("CHN", "", "010")]
    out = score_article_events(p, g, tally)
    assert out["lenient"]["tp"] == 1
    assert tally.per_root["04"].tp == 1
    assert tally.per_root["16"].fn == 1
    assert tally.per_root["11"].fp == 1
    assert tally.confusion[("16", "11")] == 1
    assert tally.confusion[("04", "04")] == 1
    assert tally.confusion[("-", "01")] == 1


codes = st.sampled_from(["KORGOV", "USAGOV", "PRK", "CHNGOV", "IGOUNO", ""])
cameos = st.sampled_from(["041", "040", "163", "112", "020", "190"])
events = st.tuples(codes, codes, cameos)


@given(st.lists(events, max_size=6), st.lists(events, max_size=6))
def test_counts_are_consistent_and_strict_never_beats_lenient(
    ps: list[tuple[str, str, str]], gs: list[tuple[str, str, str]]
) -> None:
    p = [pred(*x) for x in ps]
    g = [gold(*x) for x in gs]
    lenient, pairs = score_events(p, g, "lenient")
    strict, _ = score_events(p, g, "strict")
    assert lenient.tp + lenient.fn == len(g)
    assert lenient.tp + lenient.fp == len(p)
    assert strict.tp <= lenient.tp
    assert len({i for i, _ in pairs}) == len(pairs) == len({j for _, j in pairs})


@given(st.lists(events, max_size=6))
def test_predicting_the_gold_scores_perfectly(gs: list[tuple[str, str, str]]) -> None:
    g = [gold(*x) for x in gs]
    p = [pred(*x) for x in gs]
    counts, _ = score_events(p, g, "strict")
    assert counts.prf()["f1"] == 1.0


def test_match_events_with_nothing_on_one_side() -> None:
    assert match_events([], [gold("KOR", "USA", "041")], "lenient") == []
    counts, _ = score_events([], [gold("KOR", "USA", "041")], "lenient")
    assert counts.prf()["recall"] == 0.0


def test_extraction_checks() -> None:
    g = {
        "body_first": "Unification Minister Lee",
        "body_last": 'security crisis."',
        "boilerplate": ["(PHOTO NOT FOR SALE)"],
    }
    good = "Unification  Minister Lee met Kim.\nIt warned of a “security crisis.”"
    assert extraction_checks(g, good) == {"body_first": True, "body_last": True, "boilerplate_removed": True}
    bad = "(PHOTO NOT FOR SALE) Unification Minister Lee met Kim."
    assert extraction_checks(g, bad) == {
        "body_first": False,
        "body_last": False,
        "boilerplate_removed": False,
    }


def test_meta_checks_compare_normalised_fields() -> None:
    from dateline.evaluate import meta_checks

    story = Story(
        id="x",
        meta=Meta(
            title="S. Korea’s  envoy",
            published_date=date(2022, 1, 20),
            agency="Yonhap",
            authors=("Kim Eun-jung",),
        ),
    )
    gold_meta = {
        "title": "S. Korea's envoy",
        "published": "2022-01-20",
        "agency": "yonhap",
        "dateline": "SEOUL",
        "byline": "Kim Eun-jung",
    }
    assert meta_checks(gold_meta, story) == {
        "title": True,
        "published": True,
        "agency": True,
        "dateline": False,
        "byline": True,
    }


def test_article_pairs_need_both_files(tmp_path: Path) -> None:
    (tmp_path / "001.txt").write_text("x")
    (tmp_path / "001.gold.json").write_text("{}")
    (tmp_path / "002.txt").write_text("y")
    assert [a for a, _, _ in article_pairs(tmp_path)] == ["001"]


def test_shared_gold_files_parse() -> None:
    pairs = article_pairs(SHARED / "eval" / "articles") + article_pairs(SHARED / "seed")
    assert len(pairs) >= 20
    for _, _, path in pairs:
        for e in json.loads(path.read_text("utf-8"))["events"]:
            g = GoldEvent.from_json(e)
            assert g.cameo.isdigit() and 2 <= len(g.cameo) <= 4


def test_unknown_suite_is_a_config_error() -> None:
    from dateline.context import Context

    with pytest.raises(ConfigError, match="unknown suite"):
        run_suite("nope", Context(), SuiteOptions())
    assert {"articles", "plv", "plover-gsr", "actors", "zyte", "wcxb"} <= set(SUITES)


def test_write_result_drops_tables(tmp_path: Path) -> None:
    out = write_result(
        {"suite": "x", "summary": {"a": 1}, "tables": [{"title": "t"}]}, tmp_path / "d" / "x.json"
    )
    assert json.loads(out.read_text()) == {"suite": "x", "summary": {"a": 1}}


def test_overlaps_finds_any_occurrence_of_the_gold_span() -> None:
    from dateline.evaluate import _overlaps
    from dateline.model import Span

    text = "Iran said Iran would respond."
    assert _overlaps(text, "Iran", Span(start=10, end=14, text="Iran"))
    assert not _overlaps(text, "Iran", Span(start=15, end=20, text="would"))
    assert not _overlaps(text, "Iran", None)
    assert _overlaps(text, "", None)  # no gold target: nothing to overlap


def test_plv_classify_on_another_file_uses_the_shipped_model(tmp_path: Path) -> None:
    import csv

    from dateline.classifier import models_dir
    from dateline.context import Context
    from dateline.evaluate import suite_plv

    if not (models_dir() / "event_type.npz").exists():
        pytest.skip("no model built yet")
    src = SHARED / "eval" / "plv" / "plv_train.csv"
    with open(src, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))[::35]
    path = tmp_path / "plv_sample.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = suite_plv(Context(), SuiteOptions(data=path))
    assert result["classify"]["protocol"].startswith("shipped model")
    assert result["summary"]["sentences"] == len(rows)
    assert result["summary"]["classify_accuracy"] > 0.7  # rows the model was trained on
