"""The scraped-text cleaner on hand-built inputs: wire regexes, captions, tails, templates."""

from __future__ import annotations

from datetime import date

import pytest

from dateline.textclean import LineStats, clean_scraped, load_sources, parse_dateline, source_for

LEDE = (
    "The foreign ministry said on Monday that the two sides had agreed to resume talks "
    "on the border dispute after a year of tension between the neighbours."
)
SECOND = (
    "Officials from both countries will meet in the capital next month to prepare the "
    "ground for a summit of their leaders, the ministry added in its statement."
)


@pytest.mark.parametrize(
    ("line", "place", "agency", "rest"),
    [
        ("SEOUL, Jan. 20 (Yonhap) -- South Korea said", "SEOUL", "Yonhap", "South Korea said"),
        (
            "DUBAI, United Arab Emirates (AP) — Houthi rebels fired",
            "DUBAI, United Arab Emirates",
            "AP",
            "Houthi rebels fired",
        ),
        ("(CNN) — North Korea has fired", None, "CNN", "North Korea has fired"),
        ("MANILA -- Top diplomats met", "MANILA", None, "Top diplomats met"),
        ("MUZAFFARABAD: As Pakistan began", "MUZAFFARABAD", None, "As Pakistan began"),
        ("Shafaq News/ The Israeli military said", None, "Shafaq News", "The Israeli military said"),
    ],
)
def test_wire_datelines_are_split(line: str, place: str | None, agency: str | None, rest: str) -> None:
    parsed = parse_dateline(line)
    assert parsed is not None
    found, length = parsed
    assert found.get("place") == place
    assert found.get("agency") == agency
    assert line[length:] == rest


@pytest.mark.parametrize(
    "line", ["South Korea said on Monday", "U.S. officials said", "NATO and the EU agreed"]
)
def test_ordinary_sentences_have_no_dateline(line: str) -> None:
    assert parse_dateline(line) is None


def test_header_byline_stamp_and_dateline_become_metadata() -> None:
    raw = (
        "Go to Contents Go to Navigation\n\nTalks resume on border dispute\n\n"
        "Politics 09:05 March 3, 2021\n\nBy Jane Doe and John Roe\n\n"
        f"SEOUL, March 3 (Yonhap) -- {LEDE}\n\n{SECOND}\n\n(END)\n\nRelated headline one\n"
    )
    out = clean_scraped(raw)
    assert out.paragraphs == [LEDE, SECOND]
    assert out.fields["title"] == "Talks resume on border dispute"
    assert out.fields["authors"] == ("Jane Doe", "John Roe")
    assert out.fields["section"] == "Politics"
    assert out.fields["dateline"] == "SEOUL"
    assert out.fields["agency"] == "Yonhap"
    published = out.fields["published"]
    assert published.isoformat() == "2021-03-03T09:05:00+09:00"  # type: ignore[attr-defined]
    assert out.fields["timezone"] == "Asia/Seoul"
    assert "Related headline one" in out.boilerplate
    assert {p.field for p in out.provenance.values()} >= {"title", "authors", "published", "timezone"}


def test_caption_with_credit_is_moved_to_captions() -> None:
    caption = "President Lee (R) shakes hands with the envoy in Seoul on March 3, 2021. (Yonhap)"
    raw = f"Envoy visits Seoul\n{LEDE}\n{caption}\n{SECOND}\n"
    out = clean_scraped(raw)
    assert out.captions == [caption]
    assert out.paragraphs == [LEDE, SECOND]


def test_repeated_caption_headline_is_boilerplate() -> None:
    raw = f"Envoy visits Seoul\n{LEDE}\nLeader meets envoy\nLeader meets envoy\n{SECOND}\n"
    out = clean_scraped(raw)
    assert out.paragraphs == [LEDE, SECOND]
    assert out.boilerplate.count("Leader meets envoy") == 2


def test_trailing_agency_credit_and_email_are_removed() -> None:
    raw = f"{LEDE}\n{SECOND} - AFP\nreporter@example.com\n"
    out = clean_scraped(raw)
    assert out.paragraphs[-1] == SECOND
    assert out.fields["agency"] == "AFP"
    assert "reporter@example.com" in out.boilerplate


@pytest.mark.parametrize("agency", ["AFP", "TASS"])
def test_agency_signed_last_paragraph_is_body_not_a_caption(agency: str) -> None:
    signed = f"{SECOND} ({agency})"
    out = clean_scraped(f"{LEDE}\n{signed}\n")
    assert out.paragraphs == [LEDE, SECOND]
    assert out.fields["agency"] == agency
    assert out.captions == []
    brief = clean_scraped(f"{signed}\n")  # a one-paragraph brief is not dropped whole
    assert brief.paragraphs == [SECOND]


def test_agency_credit_between_paragraphs_or_with_photo_words_stays_a_caption() -> None:
    between = "Residents wait for buses in Nairobi on March 3, 2021. (AFP)"
    out = clean_scraped(f"{LEDE}\n{between}\n{SECOND}\n")
    assert out.captions == [between]
    photo = "Residents wait for buses in Nairobi in this file photo. (AFP)"
    assert clean_scraped(f"{LEDE}\n{photo}\n").captions == [photo]
    after_end = "Leaders pose for a picture in Seoul on Jan. 19, 2022. (Yonhap)"
    assert clean_scraped(f"{LEDE}\n(END)\n{after_end}\n").paragraphs == [LEDE]


def test_one_long_paragraph_before_a_trailing_headline_stamp_and_link_is_the_body() -> None:
    long = " ".join([LEDE, SECOND, LEDE, SECOND])
    tail = "Talks end in a deal\n\nDecember 6, 2012\n\nhttp://www.example.com/talks-deal-1\n\n# # #\n"
    raw = f"{long}\n\n{tail}"
    out = clean_scraped(raw)
    assert out.paragraphs == [long]
    assert "http://www.example.com/talks-deal-1" in out.boilerplate
    assert "# # #" in out.boilerplate


def test_short_subheading_inside_body_is_kept() -> None:
    third = (
        "The president and other top officials have been forbidden from travelling to the West since then."
    )
    raw = f"{LEDE}\n{SECOND}\nTravel ban\n{third}\n"
    assert clean_scraped(raw).paragraphs == [LEDE, SECOND, "Travel ban", third]


def test_wrapped_line_is_rejoined() -> None:
    tail = "information about the scale of the attack on the capital overnight."
    raw = f"Officials said there was no immediate\n{tail}\n"
    assert clean_scraped(raw).paragraphs == [f"Officials said there was no immediate {tail}"]


def test_single_line_is_body_not_title() -> None:
    out = clean_scraped("North Korea fires missile")
    assert out.paragraphs == ["North Korea fires missile"]
    assert "title" not in out.fields


def test_date_marker_standfirst_and_dateline_year() -> None:
    raw = f" date 2024-03-02 Gangs attack police stations in the capital.\n\n{LEDE}\n"
    out = clean_scraped(raw)
    assert out.fields["published_date"] == date(2024, 3, 2)
    assert out.paragraphs == [LEDE]
    raw = f"HAVANA, Aug. 24 (Yonhap) -- {LEDE}\nPhoto taken on Aug. 24, 2021. (Yonhap)\n"
    assert clean_scraped(raw).fields["published_date"] == date(2021, 8, 24)


def test_view_date_is_not_a_publication_date() -> None:
    out = clean_scraped(f"View Date:2024-12-23 14:33:46\n{LEDE}\n{SECOND}\n")
    assert "published_date" not in out.fields
    assert out.paragraphs == [LEDE, SECOND]


def test_line_stats_learn_template_lines_per_source() -> None:
    stats = LineStats(min_docs=3)
    for i in range(4):
        stats.learn("site-a", f"Subscribe to our newsletter today\nStory number {i} about the talks.\n")
    stats.learn("site-b", "Subscribe to our newsletter today\n")
    assert stats.templates("site-a") == frozenset({"subscribe to our newsletter today"})
    assert stats.templates("site-b") == frozenset()
    raw = f"Subscribe to our newsletter today\n{LEDE}\n"
    out = clean_scraped(raw, templates=stats.templates("site-a"))
    assert out.paragraphs == [LEDE]


def test_time_zone_table_is_valid_and_matches_subdomains() -> None:
    rows = load_sources()
    assert any(r.key == "Yonhap" and r.zone == "Asia/Seoul" for r in rows)
    agency, domain = source_for(agency="yonhap", url="https://en.yna.co.kr/view/AEN1")
    assert agency is not None and agency.zone == "Asia/Seoul"
    assert domain is not None and domain.outlet == "Yonhap"
    assert source_for(url="https://example.org/x") == (None, None)


def test_local_time_without_known_zone_stays_naive_date_only() -> None:
    raw = f"Talks resume\nPolitics 09:05 March 3, 2021\n{LEDE}\n{SECOND}\n"
    out = clean_scraped(raw)
    assert out.fields["published_date"] == date(2021, 3, 3)
    assert "published" not in out.fields  # no zone known: no invented offset
