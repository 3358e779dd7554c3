"""The extraction scorers: metric definitions on hand-made inputs, and small real runs."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pytest

from dateline.evaluate_extraction import (
    HtmlResult,
    score_articles_extraction,
    score_wcxb,
    score_zyte,
    shingle_precision_recall,
    word_f1,
)

GOLD = "one two three four five six"


def test_shingles_identical_empty_and_disjoint() -> None:
    assert shingle_precision_recall(GOLD, GOLD) == (1.0, 1.0)
    assert shingle_precision_recall("", "") == (1.0, 1.0)
    assert shingle_precision_recall(GOLD, "") == (0.0, 0.0)
    assert shingle_precision_recall(GOLD, "seven eight nine ten eleven") == (0.0, 0.0)


def test_shingles_partial_overlap() -> None:
    # gold shingles: 1234 2345 3456; predicted: 2345 3456 4567
    p, r = shingle_precision_recall(GOLD, "two three four five six seven")
    assert p == pytest.approx(2 / 3) and r == pytest.approx(2 / 3)
    # punctuation is not a token: "\w+" only
    assert shingle_precision_recall(GOLD, "one, two; three - four five six!") == (1.0, 1.0)


def test_word_f1_is_a_bag_of_lowercased_words() -> None:
    assert word_f1("The cat sat", "the CAT sat") == (1.0, 1.0, 1.0)
    p, r, f = word_f1("a b c d", "a b")
    assert (p, r) == (1.0, 0.5) and f == pytest.approx(2 / 3)
    assert word_f1("", "") == (1.0, 1.0, 1.0)
    assert word_f1("a", "") == (0.0, 0.0, 0.0)


def _zyte_fixture(tmp_path: Path) -> Path:
    truth = {
        "p1": {"articleBody": "alpha beta gamma delta epsilon"},
        "p2": {"articleBody": "one two three four five"},
    }
    (tmp_path / "html").mkdir()
    (tmp_path / "ground-truth.json").write_text(json.dumps(truth), "utf-8")
    for key in truth:
        (tmp_path / "html" / f"{key}.html.gz").write_bytes(gzip.compress(f"<p>{key}</p>".encode()))
    return tmp_path


def test_zyte_f1_is_the_harmonic_mean_of_averaged_precision_and_recall(tmp_path: Path) -> None:
    root = _zyte_fixture(tmp_path)
    answers = {
        "<p>p1</p>": "alpha beta gamma delta epsilon",
        "<p>p2</p>": "one two three four five six seven",
    }
    result = score_zyte(root, extractor=lambda html, url: HtmlResult(body=answers[html]))
    # p1: P=R=1; p2: P=2/4, R=1 -> mean P=0.75, mean R=1.0
    assert result["precision"] == pytest.approx(0.75) and result["recall"] == pytest.approx(1.0)
    assert result["f1"] == pytest.approx(2 * 0.75 / 1.75)


def _wcxb_fixture(tmp_path: Path) -> Path:
    (tmp_path / "html").mkdir()
    (tmp_path / "ground-truth").mkdir()
    pages = {
        "0001": {
            "title": "Talks resume",
            "author": "Jane Doe, John Roe",
            "publish_date": "2021-03-03",
            "main_content": "a b c d",
        },
        "0002": {"title": "Other", "author": None, "publish_date": None, "main_content": "e f g h"},
    }
    for key, gt in pages.items():
        (tmp_path / "ground-truth" / f"{key}.json").write_text(
            json.dumps({"url": None, "ground_truth": gt}), "utf-8"
        )
        (tmp_path / "html" / f"{key}.html.gz").write_bytes(gzip.compress(key.encode()))
    return tmp_path


def test_wcxb_metrics(tmp_path: Path) -> None:
    root = _wcxb_fixture(tmp_path)
    answers = {
        "0001": HtmlResult(
            body="a b c d",
            title="Talks  resume",
            authors=("John Roe", "Jane Doe"),
            published=date(2021, 3, 3),
        ),
        "0002": HtmlResult(body="e f", title="Wrong", authors=(), published=date(2020, 1, 1)),
    }
    result = score_wcxb(root, extractor=lambda html, url: answers[html])
    assert result["pages"] == 2
    assert result["body_f1"] == pytest.approx((1.0 + 2 / 3) / 2)
    assert result["title_exact"] == 0.5
    assert result["author_exact"] == 1.0
    assert result["date_accuracy"] == 1.0  # over pages with a gold date
    assert result["no_date_pages"] == 1 and result["no_date_right"] == 0.0


def test_articles_extraction_on_a_tiny_annotated_folder(tmp_path: Path) -> None:
    lede = "The ministry said on Monday that the two sides agreed to resume talks on the border dispute."
    (tmp_path / "001.txt").write_text(f"Talks resume\nBy Jane Doe\n{lede}\nSend Feedback\n", "utf-8")
    gold = {
        "meta": {"title": "Talks resume", "byline": "Jane Doe", "published": None},
        "body_first": "The ministry said on Monday",
        "body_last": "on the border dispute.",
        "boilerplate": ["Send Feedback"],
    }
    (tmp_path / "001.gold.json").write_text(json.dumps(gold), "utf-8")
    result = score_articles_extraction(tmp_path)
    assert result["articles"] == 1
    assert result["extraction_pass_rate"] == 1.0
    assert result["meta.title"] == result["meta.byline"] == result["meta.published"] == 1.0
    assert result["failures"] == []


def test_real_suites_run_on_a_few_pages(shared_dir: Path) -> None:
    zyte = score_zyte(limit=3)
    assert zyte["pages"] == 3 and 0.0 <= zyte["f1"] <= 1.0
    wcxb = score_wcxb(limit=3)
    assert wcxb["pages"] == 3 and 0.0 <= wcxb["body_f1"] <= 1.0
