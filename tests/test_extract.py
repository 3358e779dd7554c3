"""Article extraction: the seed's metadata, the dev articles, bad input, the stage, golden files."""

from __future__ import annotations

import difflib
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ARTICLES, SEED_GOLD, SEED_TXT, SHARED
from dateline.context import Context
from dateline.errors import InputError, LanguageError, NotAnArticleError
from dateline.evaluate import predicted_meta
from dateline.evaluate_extraction import score_articles_extraction
from dateline.extract import Extracted, ExtractStage, detect_language, extract, sniff_content_type
from dateline.model import Story

GOLDEN_DIR = Path(__file__).parent / "golden" / "extract"
SEED_URL = "https://en.yna.co.kr/view/AEN20220120008900325"
ZYTE_HTML = SHARED / "extraction" / "zyte" / "html"
WCXB_HTML = SHARED / "extraction" / "wcxb-dev" / "html"


def _diff(want: Any, got: Any) -> str:
    a = json.dumps(want, indent=1, sort_keys=True, ensure_ascii=False).splitlines()
    b = json.dumps(got, indent=1, sort_keys=True, ensure_ascii=False).splitlines()
    return "\n".join(difflib.unified_diff(a, b, "expected", "got", lineterm=""))


# --- the seed ------------------------------------------------------------------------


@pytest.mark.parametrize("url", [None, SEED_URL])
def test_seed_metadata_equals_gold(shared_dir: Path, url: str | None) -> None:
    gold = json.loads(SEED_GOLD.read_text("utf-8"))
    out = extract(SEED_TXT.read_text("utf-8"), url=url)
    got = predicted_meta(out.meta)
    assert got == gold["meta"], "seed metadata differs from gold:\n" + _diff(gold["meta"], got)
    assert out.meta.timezone == "Asia/Seoul"
    assert out.meta.language == "en"


def test_seed_body_bounds_boilerplate_and_caption(shared_dir: Path) -> None:
    gold = json.loads(SEED_GOLD.read_text("utf-8"))
    out = extract(SEED_TXT.read_text("utf-8"))
    assert out.text.startswith(gold["body_first"]), out.text[:120]
    assert out.text.endswith(gold["body_last"]), out.text[-120:]
    survivors = [b for b in gold["boilerplate"] if b in out.text]
    assert not survivors, f"boilerplate survived: {survivors}"
    assert out.meta.title not in out.text
    assert len(out.meta.captions) == 1 and "presides over a politburo meeting" in out.meta.captions[0]
    assert "SEOUL, Jan. 20 (Yonhap)" not in out.text
    assert "\n\n" in out.text and "\n\n\n" not in out.text


def test_seed_every_filled_field_has_provenance(shared_dir: Path) -> None:
    meta = extract(SEED_TXT.read_text("utf-8"), url=SEED_URL).meta
    filled = {
        name
        for name in (
            "title",
            "authors",
            "published",
            "published_date",
            "timezone",
            "dateline",
            "agency",
            "section",
            "url",
            "outlet",
            "language",
            "captions",
        )
        if getattr(meta, name) not in (None, "", ())
    }
    recorded = [p.field for p in meta.provenance]
    assert sorted(recorded) == sorted(filled)
    tz = next(p for p in meta.provenance if p.field == "timezone")
    assert "timezones.csv" in tz.source and "Yonhap" in tz.detail


# --- the development articles -------------------------------------------------------------


def test_dev_articles_pass_extraction_checks(shared_dir: Path) -> None:
    result = score_articles_extraction(ARTICLES)
    for check in ("body_start", "body_end", "boilerplate_removed"):
        assert result[check] >= 0.95, f"{check}: {result[check]:.2f}; failures: {result['failures']}"
    for field in ("meta.title", "meta.published", "meta.dateline", "meta.agency", "meta.byline"):
        assert result[field] >= 0.9, f"{field}: {result[field]:.2f}; failures: {result['failures']}"


# --- bad input ---------------------------------------------------------------------------


def test_empty_and_boilerplate_only_text_is_not_an_article() -> None:
    with pytest.raises(NotAnArticleError, match="no article text"):
        extract("   \n\n  ")
    with pytest.raises(NotAnArticleError):
        extract("Send Feedback\nHow can we improve?\nThanks for your feedback!\n")


def test_french_and_korean_are_refused_with_the_language_named() -> None:
    french = (
        "Le gouvernement a annoncé lundi que les négociations avec les syndicats reprendront "
        "la semaine prochaine, a déclaré le ministre dans un communiqué publié par ses services."
    )
    with pytest.raises(LanguageError, match=r"French \(fr\)"):
        extract(french)
    korean = (
        "북한이 20일 동해상으로 탄도미사일을 발사했다고 합동참모본부가 밝혔다. "
        "군 당국은 추가 도발에 대비하고 있다."
    )
    with pytest.raises(LanguageError, match=r"Korean \(ko\)"):
        extract(korean * 3)
    body = f"<article><p>{french}</p><p>{french}</p></article>"
    html = f"<html><head><title>Essai</title></head><body>{body}</body></html>"
    with pytest.raises(LanguageError, match="French"):
        extract(html, content_type="text/html")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("The government said on Monday that it would not raise taxes this year, officials said.", "en"),
        (
            "Die Regierung hat am Montag beschlossen, dass die Steuern nicht erhöht werden und der Minister",
            "de",
        ),
        (
            "El gobierno dijo el lunes que no subirá los impuestos este año, según los funcionarios del país",
            "es",
        ),
        ("Кремль заявил в понедельник, что переговоры с Украиной возобновятся на следующей неделе.", "ru"),
        ("Short", "und"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_sniff_content_type() -> None:
    assert sniff_content_type("<!DOCTYPE html><html><body><p>x</p></body></html>") == "text/html"
    assert sniff_content_type("SEOUL, Jan. 20 (Yonhap) -- text") == "text/plain"


# --- the stage ---------------------------------------------------------------------------


def test_stage_fills_text_meta_boilerplate(shared_dir: Path) -> None:
    story = Story(id="seed", raw=SEED_TXT.read_text("utf-8"), source=str(SEED_TXT))
    out = ExtractStage(Context())(story)
    assert not out.failures
    assert out.stages == ("dateline.extract.v1",)
    assert out.meta.agency == "Yonhap" and out.text.startswith("South Korea's top nuclear envoy")
    assert "Send Feedback" in out.boilerplate


def test_stage_records_a_skip_for_non_english_and_goes_on() -> None:
    stage = ExtractStage(Context())
    french = Story(
        id="fr",
        raw="Le gouvernement a annoncé lundi que les négociations reprendront la semaine prochaine "
        "avec les syndicats.",
    )
    english = Story(
        id="en", raw="The government said on Monday that talks with the unions would resume next week."
    )
    out = list(stage.pipe([french, english]))
    assert out[0].failures and out[0].failures[0].kind == "skip" and "French" in out[0].failures[0].error
    assert not out[1].failures and out[1].text.startswith("The government said")


def test_stage_pipe_learns_template_lines_per_site() -> None:
    stage = ExtractStage(Context())
    promo = "This page is brought to you by the regional desk of the example news network every day."
    stories = [
        Story(
            id=str(i),
            source=f"https://news.example.com/story/{i}",
            raw=f"{promo}\nThe ministry said on day {i} that the two sides would meet again soon.\n",
        )
        for i in range(4)
    ]
    out = list(stage.pipe(stories))
    assert all(promo not in s.text and s.text.startswith("The ministry said") for s in out)
    assert promo in stage(stories[0]).text  # one page alone cannot tell template from prose


# --- property: extraction never raises anything but an InputError -------------------------

_HTML_PAGE = (
    "<html><head><title>Talks resume | Example News</title>"
    '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Talks resume",'
    ' "datePublished": "2021-03-03T09:05:00+09:00", "author": {"name": "Jane Doe"}}</script></head>'
    "<body><h1>Talks resume</h1><article><p>SEOUL, March 3 (Yonhap) -- The foreign ministry said on Monday "
    "that the two sides had agreed to resume talks on the border dispute.</p>"
    "<figure><img src='x.jpg'><figcaption>Officials meet in Seoul. (Yonhap)</figcaption></figure>"
    "<p>Officials will meet next month to prepare a summit of their leaders, the ministry added.</p>"
    "</article>"
    "</body></html>"
)


def _guarded(raw: str, content_type: str | None = None) -> Extracted | None:
    try:
        return extract(raw, content_type=content_type)
    except InputError:
        return None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=2000))
def test_extract_never_raises_on_arbitrary_text(raw: str) -> None:
    out = _guarded(raw)
    if out is not None:
        assert out.text.strip()


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=len(_HTML_PAGE)))
def test_extract_never_raises_on_truncated_html(cut: int) -> None:
    _guarded(_HTML_PAGE[:cut], content_type="text/html")


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=1500))
def test_extract_never_raises_on_arbitrary_bytes_decoded(data: bytes) -> None:
    _guarded(data.decode("latin-1"))
    _guarded(data.decode("utf-8", "replace"), content_type="text/html")


# --- golden files ------------------------------------------------------------------------------

GOLDEN_CASES: dict[str, tuple[Path, str | None]] = {
    "text-seed": (SEED_TXT, None),
    "text-002-yonhap-end": (ARTICLES / "002.txt", None),
    "text-018-ap-nav": (ARTICLES / "018.txt", None),
    "text-055-sports-gaps": (ARTICLES / "055.txt", None),
    "html-zyte-first": (ZYTE_HTML, "zyte:0"),
    "html-zyte-second": (ZYTE_HTML, "zyte:1"),
    "html-wcxb-0001": (WCXB_HTML / "0001.html.gz", None),
    "html-wcxb-0007": (WCXB_HTML / "0007.html.gz", None),
}


def _read_case(path: Path, pick: str | None) -> str:
    if pick:
        path = sorted(path.glob("*.html.gz"))[int(pick.split(":")[1])]
    data = path.read_bytes()
    return (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8", "replace")


def _summary(out: Extracted) -> dict[str, Any]:
    meta = Story(id="g", meta=out.meta).to_dict()["meta"]
    meta["provenance"] = sorted(f"{p['field']}: {p['source']}" for p in meta["provenance"])
    words = out.text.split()
    return {
        "meta": meta,
        "body_first": " ".join(words[:12]),
        "body_last": " ".join(words[-12:]),
        "body_words": len(words),
        "boilerplate_lines": len(out.boilerplate),
    }


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_golden_extraction(name: str, shared_dir: Path, request: pytest.FixtureRequest) -> None:
    path, pick = GOLDEN_CASES[name]
    got = _summary(extract(_read_case(path, pick)))
    golden = GOLDEN_DIR / f"{name}.json"
    if request.config.getoption("--update-golden") or not golden.exists():
        GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
        golden.write_text(json.dumps(got, indent=1, sort_keys=True, ensure_ascii=False) + "\n", "utf-8")
        if not request.config.getoption("--update-golden"):
            pytest.fail(f"golden file {golden.name} was missing and has been written; rerun")
    want = json.loads(golden.read_text("utf-8"))
    assert got == want, f"{name} differs from {golden} (pytest --update-golden if intended):\n" + _diff(
        want, got
    )
