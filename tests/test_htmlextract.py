"""HTML extraction on hand-built pages: structured metadata, captions, title, dates, fallback."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dateline.errors import NotAnArticleError
from dateline.htmlextract import extract_html, normalise_authors

PARA1 = (
    "The foreign ministry said on Monday that the two sides had agreed to resume talks on the border "
    "dispute after a year of tension between the neighbours, officials in both capitals confirmed."
)
PARA2 = (
    "Officials from both countries will meet in the capital next month to prepare the ground for a summit "
    "of their leaders, the ministry added in a statement released late on Monday evening."
)
PARA3 = (
    "Analysts said the agreement was the clearest sign yet that relations were improving after the "
    "clashes last spring, which left several soldiers dead on each side of the frontier."
)


def page(head: str = "", body: str = "", h1: str = "Talks to resume on border dispute") -> str:
    """A small article page; ``head`` and ``body`` add markup."""
    return (
        f"<html><head><title>{h1} | Example News</title>{head}</head><body>"
        f"<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>{h1}</h1>{body}<p>{PARA1}</p><p>{PARA2}</p><p>{PARA3}</p></article>"
        "<footer>Copyright Example News. All rights reserved.</footer></body></html>"
    )


def jsonld(**fields: str) -> str:
    import json

    return f'<script type="application/ld+json">{json.dumps({"@type": "NewsArticle", **fields})}</script>'


def test_body_without_headline_and_navigation() -> None:
    out = extract_html(page())
    assert out.text.split("\n\n") == [PARA1, PARA2, PARA3]
    assert out.meta.title == "Talks to resume on border dispute"


def test_jsonld_date_keeps_its_time_zone_and_authors_become_a_list() -> None:
    head = jsonld(
        datePublished="2022-01-20T21:19:00+09:00", author=[{"name": "Kim Eun-jung"}, {"name": "Lee Ji-won"}]
    )
    meta = extract_html(page(head=head)).meta
    assert meta.published is not None and meta.published.isoformat() == "2022-01-20T21:19:00+09:00"
    assert meta.published_date == date(2022, 1, 20)
    assert meta.authors == ("Kim Eun-jung", "Lee Ji-won")
    assert {p.field: p.source for p in meta.provenance}["published"] == "json-ld datePublished"


def test_opengraph_date_when_no_jsonld() -> None:
    head = '<meta property="article:published_time" content="2021-08-24T09:00:00Z">'
    meta = extract_html(page(head=head)).meta
    assert meta.published_date == date(2021, 8, 24)
    assert "article:published_time" in {p.field: p.source for p in meta.provenance}["published_date"]


def test_naive_time_takes_the_zone_of_the_site() -> None:
    head = '<meta property="article:published_time" content="2022-01-20T21:19:00">'
    meta = extract_html(page(head=head), url="https://en.yna.co.kr/view/AEN1").meta
    assert meta.published is not None and meta.published.isoformat() == "2022-01-20T21:19:00+09:00"
    assert meta.timezone == "Asia/Seoul"


def test_no_date_when_the_page_states_none() -> None:
    assert extract_html(page()).meta.published_date is None


def test_site_wide_date_only_counts_when_printed_on_the_page() -> None:
    webpage = (
        '<script type="application/ld+json">'
        '{"@type": "WebPage", "datePublished": "2019-12-12T14:07:03+00:00"}</script>'
    )
    assert extract_html(page(head=webpage)).meta.published_date is None
    printed = extract_html(page(head=webpage, body="<p class='date'>December 12, 2019</p>")).meta
    assert printed.published_date == date(2019, 12, 12)


def test_printed_local_date_beats_a_utc_timestamp_when_the_url_agrees() -> None:
    # the post went up on the evening of the 18th, local time; the metadata states 03:05 UTC on the 19th
    head = '<meta property="article:published_time" content="2025-12-19T03:05:00+00:00">'
    body = "<p class='byline'>Posted on December 18, 2025 by Jane Doe</p>"
    meta = extract_html(page(head=head, body=body), url="https://blog.example.org/2025/12/18/talks/").meta
    assert meta.published_date == date(2025, 12, 18)
    assert {p.field: p.source for p in meta.provenance}["published_date"] == "text near the headline"


def rules_date(html: str) -> date | None:
    """The hand rules' day alone (the learned ranker of :mod:`dateline.dateranker` may overrule it)."""
    from dateline import htmlextract as hx

    tree = hx._parse(html)
    structured = hx._structured(tree, hx._Found())
    headings = hx._headline_order(tree, structured, [hx._text(h) for h in tree.iter("h1")])
    choice = hx._rule_choice(tree, structured, None, hx._PageText(tree), headings)
    return hx._day(choice[0]) if choice else None


def test_printed_update_date_does_not_replace_the_publication_date() -> None:
    head = jsonld(datePublished="2024-02-27T00:00:00Z", dateModified="2025-12-04T00:00:00Z")
    head += '<meta name="sailthru.date" content="2025-12-04">'  # agrees, but the page calls it an update
    body = "<p class='byline'>Updated: December 4, 2025</p>"
    assert rules_date(page(head=head, body=body)) == date(2024, 2, 27)


def test_byline_date_replaces_a_structured_date_it_contradicts() -> None:
    # CMS migrations restamp datePublished; the byline under the headline keeps the real day
    head = jsonld(datePublished="2025-12-01T05:10:15Z")
    body = "<p class='byline'>By Jane Doe · April 24, 2000 · 3 min read</p>"
    meta = extract_html(page(head=head, body=body)).meta
    assert meta.published_date == date(2000, 4, 24)
    assert {p.field: p.source for p in meta.provenance}["published_date"] == "byline date after the headline"


@pytest.mark.parametrize(
    ("head", "byline"),
    [
        # the byline shows the day the metadata calls a modification: the publication date stands
        (
            jsonld(datePublished="2024-02-27T10:00:00Z", dateModified="2025-12-04T08:00:00Z"),
            "December 4, 2025",
        ),
        # a day away is the same moment in another time zone
        (jsonld(datePublished="2024-02-27T23:30:00-08:00"), "February 28, 2024"),
        # "03/04/2024" is March 4 or April 3: no guess
        (jsonld(datePublished="2024-02-27T10:00:00Z"), "03/04/2024"),
        # a review date is not a publication date
        (jsonld(datePublished="2024-02-27T10:00:00Z"), "Reviewed by Dr Ann Lee on May 5, 2025"),
    ],
)
def test_byline_date_that_is_no_contradiction_keeps_the_structured_date(head: str, byline: str) -> None:
    body = f"<p class='byline'>{byline}</p>"
    assert rules_date(page(head=head, body=body)) == date(2024, 2, 27)


def test_site_heading_before_the_headline_does_not_hide_the_date() -> None:
    html = page(body="<p class='date'>December 24, 2024</p>").replace("<nav>", "<nav><h1>Search</h1>")
    assert extract_html(html).meta.published_date == date(2024, 12, 24)


@pytest.mark.parametrize(
    ("tail", "expected"),
    [
        ("<p>Download PDF. Published Feb 2, 2023</p>", date(2023, 2, 2)),
        ("<p>Written by Moses Kim and Kate Shaw April 8, 2024</p>", date(2024, 4, 8)),
        ("<p>Last updated by Moses Kim April 8, 2024</p>", None),  # an update, not the publication
    ],
)
def test_labelled_date_anywhere_when_nothing_else_dates_the_page(tail: str, expected: date | None) -> None:
    far = f"<p>{' '.join([PARA1, PARA2, PARA3] * 2)}</p>"  # beyond the text searched near the headline
    html = page().replace("</article>", f"{far}</article>{tail}")
    assert extract_html(html).meta.published_date == expected


def test_one_published_statement_beats_metadata_but_a_list_of_them_does_not() -> None:
    head = jsonld(datePublished="2025-11-29T12:28:31-05:00")
    stated = page(head=head).replace("</article>", "</article><p>Published August 13, 2025</p>")
    assert rules_date(stated) == date(2025, 8, 13)
    assert extract_html(stated).meta.published_date == date(2025, 8, 13)
    teasers = "<p>Pruning roses. Published on May 2, 2024</p>" * 3  # related articles, not this one
    listed = page(head=head).replace("</article>", f"</article>{teasers}")
    assert rules_date(listed) == date(2025, 11, 29)
    assert extract_html(listed).meta.published_date == date(2025, 11, 29)  # the ranker may not overrule


def test_dates_inside_sentences_are_not_the_page_date() -> None:
    body = "<p>The offer is valid through January 23, 2026 in the Ponchatoula area.</p>"
    assert extract_html(page(body=body)).meta.published_date is None


def test_time_element_counts_only_when_the_page_shows_its_day() -> None:
    far = f"<p>{' '.join([PARA1, PARA2, PARA3] * 2)}</p>"
    shown = page().replace(
        "</article>", f'{far}</article><time datetime="2025-12-02">December 02, 2025</time>'
    )
    assert extract_html(shown).meta.published_date == date(2025, 12, 2)
    month = page().replace("</article>", f'{far}</article><time datetime="2025-04-14">April 2025</time>')
    assert extract_html(month).meta.published_date is None


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        ("12/19 — 2025", date(2025, 12, 19)),  # a layout no date format lists: its numbers are the day's
        ("19 | Dec | 25", date(2025, 12, 19)),
        ("12/18 — 2025", None),  # another day than the markup's
        ("12/19 — 2025 · 3 comments", None),  # a number that is not part of the day
    ],
)
def test_time_element_in_any_layout_counts_when_its_numbers_are_the_day(
    shown: str, expected: date | None
) -> None:
    far = f"<p>{' '.join([PARA1, PARA2, PARA3] * 2)}</p>"
    time = f'<time datetime="2025-12-19T15:55:39-08:00">{shown}</time>'
    html = page().replace("</article>", f"{far}</article>{time}")
    assert extract_html(html).meta.published_date == expected


def test_dotted_dates_are_read_day_first_near_the_headline() -> None:
    assert extract_html(page(body="<p>17.05.2021</p>")).meta.published_date == date(2021, 5, 17)


@pytest.mark.parametrize("printed", ["2025.12.17", "2025/12/17"])
def test_year_first_dates_read_one_way(printed: str) -> None:
    assert extract_html(page(body=f"<p>{printed}</p>")).meta.published_date == date(2025, 12, 17)
    far = f"<p>{' '.join([PARA1, PARA2, PARA3] * 2)}</p>"
    label = f"<p>Essay - Published: {printed} | programming</p>"
    labelled = page().replace("</article>", f"{far}</article>{label}")
    assert extract_html(labelled).meta.published_date == date(2025, 12, 17)


def test_dates_of_a_story_list_above_the_headline_are_not_the_page_date() -> None:
    recent = "<ul><li>Board appointments 12/17/2025</li><li>Exam pre-testers wanted 12/16/2025</li></ul>"
    byline = "<p>03/01/2017 by Agatha Caleo</p>"
    html = page(body=byline).replace("<article>", f"<article>{recent}")
    assert extract_html(html).meta.published_date == date(2017, 3, 1)
    kicker = page(body="<p>by Agatha Caleo</p>").replace("<article>", "<article><p>December 17, 2025</p>")
    assert extract_html(kicker).meta.published_date == date(2025, 12, 17)  # one date over the headline stays


def test_jsonld_in_a_meta_tag_is_read_like_a_script() -> None:
    item = '{"@type":"Article","datePublished":"2025-11-17T09:00:00-05:00","author":{"name":"Ann Lee"}}'
    head = f'<meta name="script:ld+json" content="{item.replace(chr(34), "&quot;")}">'
    meta = extract_html(page(head=head)).meta
    assert meta.published_date == date(2025, 11, 17)
    assert meta.published is not None and meta.published.utcoffset() is not None
    broken = '<meta name="script:ld+json" content="{&quot;@type">'
    assert extract_html(page(head=broken)).meta.published_date is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("w-published-date", date(2025, 5, 27)),
        ("cxenseparse:publishtime", date(2025, 5, 27)),
        ("shareaholic:article_published_time", date(2025, 5, 27)),
        ("date-pub", date(2025, 5, 27)),
        ("w-modified-date", None),  # a change date
        ("publisher", None),  # not a date name
        ("auto-publish", None),
    ],
)
def test_vendor_prefixed_publication_meta_names(name: str, expected: date | None) -> None:
    head = f'<meta name="{name}" content="2025-05-27T06:03:43.274Z">'
    assert extract_html(page(head=head)).meta.published_date == expected


def test_a_modification_date_alone_is_no_publication_date() -> None:
    head = '<meta property="article:modified_time" content="2023-06-12T10:39:42+00:00">'
    assert extract_html(page(head=head)).meta.published_date is None


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('<meta name="citation_publication_date" content="2023 Jan 7">', date(2023, 1, 7)),
        ('<meta property="article:published_time" content="Thu, 09/25/2025 - 11:38">', date(2025, 9, 25)),
        ('<meta name="published" content="July 17, 2025">', date(2025, 7, 17)),
    ],
)
def test_human_formatted_metadata_dates(head: str, expected: date) -> None:
    assert extract_html(page(head=head)).meta.published_date == expected


def test_url_date_when_the_page_states_nothing_else() -> None:
    meta = extract_html(page(), url="https://blog.example.org/2025/12/19/talks-resume").meta
    assert meta.published_date == date(2025, 12, 19)
    assert {p.field: p.source for p in meta.provenance}["published_date"] == "url date"


def test_repeated_paragraphs_and_widget_lines_leave_the_body() -> None:
    html = page().replace(f"<p>{PARA3}</p>", f"<p>{PARA3}</p><p>5 min read</p><p>{PARA1}</p>")
    out = extract_html(html)
    assert out.text.split("\n\n") == [PARA1, PARA2, PARA3]
    assert "5 min read" in out.boilerplate


def test_captions_are_kept_apart_from_the_body() -> None:
    caption = "<figcaption>Officials shake hands in Seoul on Monday. (Yonhap)</figcaption>"
    fig = f"<figure><img src='a.jpg'>{caption}</figure>"
    out = extract_html(page(body=fig))
    assert out.meta.captions == ("Officials shake hands in Seoul on Monday. (Yonhap)",)
    assert "shake hands" not in out.text


def test_title_prefers_the_h1_that_agrees_with_structured_headline() -> None:
    head = '<meta property="og:title" content="Talks to resume on border dispute - Example News">'
    out = extract_html(page(head=head, body="<h1>Newsletter</h1>"))
    assert out.meta.title == "Talks to resume on border dispute"


def test_wire_dateline_is_split_off_the_first_paragraph() -> None:
    html = page().replace(f"<p>{PARA1}</p>", f"<p>SEOUL, Jan. 20 (Yonhap) -- {PARA1}</p>")
    out = extract_html(html)
    assert out.text.startswith(PARA1)
    assert (out.meta.dateline, out.meta.agency) == ("SEOUL", "Yonhap")


def test_readability_fallback_is_recorded_when_trafilatura_finds_little() -> None:
    html = (
        "<html><body><div id='content'>"
        + "".join(f"<p>{p}</p>" for p in (PARA1, PARA2))
        + "</div></body></html>"
    )
    out = extract_html(html)
    assert PARA1 in out.text
    text_source = next(p.source for p in out.meta.provenance if p.field == "text")
    assert text_source.startswith(("trafilatura", "readability"))


@pytest.mark.parametrize(
    "html",
    ["", "<html>", "<html><body></body></html>", "<html><body><script>var x = 1;</script></body></html>"],
)
def test_broken_or_empty_pages_raise_not_an_article_or_give_no_text(html: str) -> None:
    try:
        out = extract_html(html)
    except NotAnArticleError:
        return
    assert not out.text.strip()


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["By Jane Doe and John Roe"], ("Jane Doe", "John Roe")),
        (["Jane Doe; John Roe", "Jane Doe"], ("Jane Doe", "John Roe")),
        (["Genevieve Carlton, Ph.D."], ("Genevieve Carlton, Ph.D.",)),
        (["Maria &amp; Katerina"], ("Maria", "Katerina")),
        (["https://example.com/author/jd", "Example News"], ()),
        (["Authors Jane Doe; John Roe"], ("Jane Doe", "John Roe")),  # "Authors", not "Author" + "s"
        (["Authored by: Dr. Ehsan Jazini"], ("Dr. Ehsan Jazini",)),
        (["This post was written by Jane Doe"], ("Jane Doe",)),
        (["Read more about The Upwork Team"], ("The Upwork Team",)),
        (["Written By"], ()),
        (["Meghan Neville Content Marketing Coordinator"], ("Meghan Neville",)),
    ],
)
def test_normalise_authors(values: list[str], expected: tuple[str, ...]) -> None:
    assert normalise_authors(values, publisher="Example News") == expected


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("<p>By <a href='/a/et'>Edzel Tabing</a></p><p>Table of contents</p>", ("Edzel Tabing",)),
        (
            "<p>Written By</p><p><a href='/a/pb'>Paige Brunton</a></p><p>Prefer to watch?</p>",
            ("Paige Brunton",),
        ),
        ("<p>Written by: <span>Shivkumar M</span></p>", ("Shivkumar M",)),
        ("<p>By Jane Doe | May 2, 2025</p>", ("Jane Doe",)),
        ("<p>The survey was funded by USF. It covered 300 schools.</p>", ()),  # a sentence, not a byline
        ("<p>Written By <a href='/'>Example News</a></p>", ("Example News",)),  # the site signs its post
    ],
)
def test_by_line_under_the_headline_is_a_whole_element(byline: str, expected: tuple[str, ...]) -> None:
    head = '<meta property="og:site_name" content="Example News">'
    assert extract_html(page(head=head, body=byline)).meta.authors == expected


def test_metadata_that_names_the_publisher_as_author_names_no_one() -> None:
    head = '<meta property="og:site_name" content="Example News"><meta name="author" content="Example News">'
    assert extract_html(page(head=head)).meta.authors == ()


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)), st.sampled_from(["/", "."]))
def test_a_numeric_date_reads_as_itself_and_at_most_one_other_day(day: date, sep: str) -> None:
    from dateline.htmldates import byline_date

    # the US order with slashes, the day-first order with dots, as pages print them
    printed = f"{day.month}/{day.day}/{day.year}" if sep == "/" else f"{day.day}.{day.month}.{day.year}"
    found = byline_date(f"talks resume by jane doe {printed} officials said", ["talks resume"])
    assert found is not None
    days, _ = found
    assert day in days and len(days) <= 2
    assert len(days) == 1 or day.day <= 12  # a second reading needs a day that can be a month


@given(st.text(max_size=400))
def test_date_text_helpers_never_raise(text: str) -> None:
    from dateline.htmldates import byline_date, in_prose, labelled_published, stated_publication

    lowered = text.lower()
    byline_date(lowered, [lowered[:20]])
    labelled_published(lowered)
    stated_publication(lowered)
    assert in_prose(lowered) in (True, False)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31)), st.text(max_size=60))
def test_a_time_label_shows_its_own_day_in_any_layout_and_never_raises(day: date, noise: str) -> None:
    from dateline.htmldates import readings
    from dateline.htmlextract import _NUMERIC_OR_NAMED_DATE, _shows_day

    month = day.strftime("%b").lower()
    assert _shows_day(day, f"{day.month}/{day.day} — {day.year}")
    assert _shows_day(day, f"{day.day} | {month} | {day.year % 100:02d}")
    assert not _shows_day(day, f"{day.month}/{day.day} — {day.year + 1}")
    _shows_day(day, noise.lower())
    for sep in "./":
        m = _NUMERIC_OR_NAMED_DATE.search(f"published: {day.year}{sep}{day.month:02d}{sep}{day.day:02d} |")
        assert m is not None and readings(m) == {day}  # year-first reads one way only
