"""Body helpers: trafilatura's recall mode within the default span, link lines and boxes dropped."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dateline.htmlbody import box_patterns, drop_boxes, recall_within
from dateline.htmlextract import extract_html

LONG = " ".join(["The ministry said the talks would resume next month after a year of tension."] * 4)


def test_recall_fills_the_gaps_but_not_the_edges() -> None:
    default = "First paragraph.\nSecond paragraph.\nLast paragraph."
    recall = (
        "Posted on May 2\nFirst paragraph.\n- a list item\nSecond paragraph.\nLast paragraph.\nMore stories"
    )
    assert recall_within(default, recall).splitlines() == [
        "First paragraph.",
        "- a list item",
        "Second paragraph.",
        "Last paragraph.",
    ]


def test_recall_without_a_shared_line_keeps_the_default_text() -> None:
    assert recall_within("One.\nTwo.", "Cookie notice\nFooter") == "One.\nTwo."


lines = st.lists(st.sampled_from(["a", "b", "c", "d", "e", "f"]), max_size=8)


@given(lines, lines)
def test_recall_within_keeps_recall_lines_and_starts_and_ends_on_shared_ones(
    default: list[str], recall: list[str]
) -> None:
    out = recall_within("\n".join(default), "\n".join(recall)).splitlines()
    if not set(default) & set(recall):
        assert out == default
        return
    assert all(line in recall for line in out)
    assert out[0] in default and out[-1] in default


def test_link_lines_go_wherever_they_are_but_sentences_stay() -> None:
    sentence = "Related: " + " ".join(["the ministry said the talks would resume"] * 4)
    paragraphs = ["Read more: Border talks collapse", LONG, "Related » Floods close schools", sentence]
    kept, removed = drop_boxes(paragraphs)
    assert kept == [LONG, sentence]
    assert removed == ["Read more: Border talks collapse", "Related » Floods close schools"]


def test_box_after_the_middle_runs_until_a_long_paragraph_resumes() -> None:
    paragraphs = [LONG, LONG, "More from Example News", "Floods close schools", "Markets rally", LONG]
    kept, removed = drop_boxes(paragraphs)
    assert kept == [LONG, LONG, LONG]
    assert removed == ["More from Example News", "Floods close schools", "Markets rally"]


def test_box_heading_in_the_first_half_is_a_section_of_the_article() -> None:
    paragraphs = ["Comments", "What readers said", LONG, LONG]
    assert drop_boxes(paragraphs) == (paragraphs, [])


def test_box_patterns_load_for_every_kind() -> None:
    patterns = box_patterns()
    assert set(patterns) == {"box_heading", "link_line"}
    assert all(patterns.values())
    assert any(p.match("About the Author") for p in patterns["box_heading"])


def test_newsletter_box_after_the_article_is_dropped_from_the_body() -> None:
    from test_htmlextract import PARA3, page

    box = (
        "<h3>Sign up for our newsletter</h3><p>Expert advice delivered to your inbox every week.</p>"
        "<p>Enter your email address</p>"
    )
    out = extract_html(page().replace("</article>", box + "</article>"))
    assert out.text.endswith(PARA3)
    assert "Sign up for our newsletter" in out.boilerplate
    assert "Enter your email address" in out.boilerplate


def _wcxb_pages(root: Path, limit: int) -> list[tuple[str, str | None]]:
    pages = []
    for gt in sorted((root / "ground-truth").glob("*.json"))[:limit]:
        url = json.loads(gt.read_text("utf-8")).get("url")
        html = gzip.decompress((root / "html" / f"{gt.stem}.html.gz").read_bytes()).decode("utf-8", "replace")
        pages.append((html, url))
    return pages


def test_recall_mode_only_adds_to_the_default_text_on_real_pages(shared_dir: Path) -> None:
    import trafilatura

    from dateline.htmlextract import _key

    root = shared_dir / "extraction" / "wcxb-dev"
    if not root.exists():
        pytest.skip("no WCXB pages")
    filled = 0
    for html, url in _wcxb_pages(root, 60):
        out = extract_html(html, url=url)
        source = {p.field: p.source for p in out.meta.provenance}["text"]
        if not source.startswith("trafilatura favor_recall within"):
            continue
        filled += 1
        default = trafilatura.extract(html, url=url, include_tables=True, deduplicate=False) or ""
        body = f" {_key(out.text + ' ' + ' '.join(out.boilerplate))} "
        missing = [ln for ln in default.splitlines() if ln.strip() and f" {_key(ln)} " not in body]
        assert len(missing) <= 0.05 * len(default.splitlines()), missing[:3]
        assert len(out.text) > len(default) * 0.9
    assert filled >= 1
