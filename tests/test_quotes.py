"""Tests for dateline.quotes: quotation-mark pairing and speaker attribution."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dateline.context import Context
from dateline.errors import DictionaryError
from dateline.model import Actor, Mention, Quote, Story
from dateline.quotes import MIN_UNATTRIBUTED_WORDS, QuoteStage, find_quote_spans, load_reporting_verbs


def _contents(text: str) -> list[str]:
    return [text[s:e] for s, e in find_quote_spans(text)]


def _spans_char_by_char(text: str) -> list[tuple[int, int]]:
    """Step 1 of the module doc read literally: look at every character (the reference)."""
    closers_of = {"\u201c": ("\u201d", '"'), '"': ('"', "\u201d"), "\u00ab": ("\u00bb",)}
    spans, i = [], 0
    while i < len(text):
        closers = closers_of.get(text[i])
        opens = i == 0 or text[i - 1].isspace() or text[i - 1] in "([{\u2014-:"
        end = None
        if closers is not None and (text[i] != '"' or opens):
            j = i + 1
            while j < len(text) and end is None:
                ch = text[j]
                if ch in closers or (ch == "\u201c" and text[j - 1] in ",.?!"):
                    end = j
                elif ch == "\n":
                    k = j
                    while k < len(text) and text[k].isspace():
                        k += 1
                    if k >= len(text) or text[k] not in closers_of:
                        break
                    j = k + 1
                else:
                    j += 1
        if end is None:
            i += 1
            continue
        if end > i + 1:
            spans.append((i + 1, end))
        i = end + 1
    return spans


@settings(max_examples=500)
@given(st.text(alphabet=st.sampled_from(list('ab ,.?!:(-\n"\u201c\u201d\u00ab\u00bb\u2014')), max_size=40))
def test_quote_scan_jumps_to_the_same_spans(text: str) -> None:
    assert find_quote_spans(text) == _spans_char_by_char(text)


def test_straight_and_curly_quotes() -> None:
    text = 'He said "yes, we will" and she wrote \u201cno, we won\u2019t.\u201d Then \u00abmaybe\u00bb.'
    assert _contents(text) == ["yes, we will", "no, we won\u2019t.", "maybe"]


def test_quote_over_several_sentences_and_paragraphs() -> None:
    text = '"One. Two? Three,\n"Four." Done.'
    assert _contents(text) == ['One. Two? Three,\n"Four.']


def test_unclosed_and_inch_marks_are_not_quotes() -> None:
    assert _contents('A 12" pipe and a stray " mark\nnext line.') == []


def test_reporting_verbs_validation() -> None:
    assert "say" in load_reporting_verbs()
    with pytest.raises(DictionaryError, match="reporting_verbs"):
        load_reporting_verbs("verbs: [say]")
    with pytest.raises(DictionaryError):
        load_reporting_verbs("reporting_verbs: ['two words']")


SEED_EXCERPT = (
    "Noh Kyu-duk talked with his American counterpart, Sung Kim, hours after the North hinted at "
    'restarting "all temporally-suspended activities" -- an apparent allusion to its moratorium.\n'
    '"The two sides agreed to remain in close coordination to stably manage the situation on the Korean '
    "Peninsula, sharing the view that the peninsula's problem can be only solved through dialogue and "
    'diplomacy," the ministry said in a release.\n'
    "In a separate conversation with his Chinese counterpart Liu Xiaoming, Noh asked for Beijing's "
    '"constructive" role in defusing tension, it noted.\n'
    '"We hope members of the #SecurityCouncil will view the current situation prudently with a long-term '
    "perspective and the big picture in mind, give serious consideration to #China's proposal & make "
    'effort to stabilize the situation, accumulate mutual trust & resume dialogue," Liu wrote on Twitter '
    "earlier in the day.\n"
    'Kim Jong-un said: "We will never give up." He added that it was final.\n'
    '"We are ready," he said. "The talks are over."'
)


def _mention(text: str, needle: str, code: str, kind: str, nth: int = 0) -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    actor = Actor(code=code, principal=code[:3], role=code[3:], name=needle, kind=kind)
    return Mention(
        id=f"m{start}", sentence=0, start=start, end=start + len(needle), text=needle,
        actor=actor, kind=kind, head=start,
    )  # fmt: skip


@pytest.mark.model
def test_stage_on_seed_excerpt_with_hand_built_mentions() -> None:
    from dateline.nlp import load_nlp, sentences_of

    ctx = Context()
    doc = load_nlp(ctx)(SEED_EXCERPT)
    mentions = (
        _mention(SEED_EXCERPT, "the ministry", "KORGOV", "role"),
        _mention(SEED_EXCERPT, "Liu Xiaoming", "CHNGOV", "person"),
        _mention(SEED_EXCERPT, "Liu", "CHNGOV", "person", nth=1),
        _mention(SEED_EXCERPT, "Kim Jong-un", "PRKGOV", "person"),
    )
    story = Story(id="s", text=SEED_EXCERPT, doc=doc, sentences=sentences_of(doc), mentions=mentions)
    out = QuoteStage(ctx)(story)
    assert not out.failures
    got = [(q.text.split()[0:3], q.speaker_text, q.speaker.code if q.speaker else None) for q in out.quotes]
    assert got == [
        (["The", "two", "sides"], "the ministry", "KORGOV"),
        (["We", "hope", "members"], "Liu", "CHNGOV"),
        (["We", "will", "never"], "Kim Jong-un", "PRKGOV"),
        (["We", "are", "ready"], "he", "PRKGOV"),  # "he" -> nearest earlier person mention
        (["The", "talks", "are"], "he", "PRKGOV"),  # continues the quote before it
    ]
    first, second = out.quotes[0], out.quotes[1]
    assert first.text.endswith("dialogue and diplomacy")  # the closing comma is not quoted
    assert SEED_EXCERPT[first.start : first.end] == first.text
    assert second.speaker_mention == mentions[2].id
    assert len({q.id for q in out.quotes}) == len(out.quotes)


@pytest.mark.model
def test_scare_quotes_and_unattributed_quotes() -> None:
    from dateline.nlp import load_nlp, sentences_of

    ctx = Context()
    long_quote = " ".join(["word"] * MIN_UNATTRIBUTED_WORDS)
    text = (
        'The leaders agreed to pursue "complete" denuclearization and strive to declare an end to the war. '
        f'The summit will "{long_quote}" for both sides.'
    )
    doc = load_nlp(ctx)(text)
    out = QuoteStage(ctx)(Story(id="s", text=text, doc=doc, sentences=sentences_of(doc)))
    assert [(q.text, q.speaker_text) for q in out.quotes] == [(long_quote, None)]


def test_stage_without_doc_is_a_no_op() -> None:
    story = Story(id="s", text='"Hello there," she said.')
    assert QuoteStage(Context()).process(story).quotes == ()


SEED = Path(__file__).resolve().parents[2] / "shared" / "seed"


@pytest.mark.model
@pytest.mark.skipif(
    not (SEED / "yonhap-2022-01-20.gold.json").exists(), reason="shared seed data not present"
)
def test_seed_gold_quotes() -> None:
    """Both gold quotes, with speakers coded through hand-built mentions of the gold speakers."""
    from dateline.extract import ExtractStage
    from dateline.nlp import NlpStage

    ctx = Context()
    gold = json.loads((SEED / "yonhap-2022-01-20.gold.json").read_text("utf-8"))
    story = NlpStage(ctx)(
        ExtractStage(ctx)(Story(id="seed", raw=(SEED / "yonhap-2022-01-20.txt").read_text()))
    )
    mentions = []
    for q in gold["quotes"]:
        for k in range(story.text.count(q["speaker"])):
            mentions.append(_mention(story.text, q["speaker"], q["speaker_code"], "person", nth=k))
    out = QuoteStage(ctx)(dataclasses.replace(story, mentions=tuple(mentions)))
    got = [(q.text, q.speaker_text, q.speaker.code if q.speaker else None) for q in out.quotes]
    assert got == [(q["text"], q["speaker"], q["speaker_code"]) for q in gold["quotes"]]


def test_mistyped_curly_closer() -> None:
    text = "\u201cWe are awaiting their reply,\u201c Marcos told reporters. \u201cNext\u201d"
    assert _contents(text) == ["We are awaiting their reply,", "Next"]


@pytest.mark.model
def test_pronoun_speaker_prefers_the_last_subject() -> None:
    from dateline.nlp import load_nlp, sentences_of

    ctx = Context()
    text = (
        "Kang spoke at the start of her first talks with Kono in Manila.\n"
        '"We will meet again soon and talk about the problems," she added.'
    )
    doc = load_nlp(ctx)(text)
    mentions = (
        _mention(text, "Kang", "KORGOV", "person"),
        _mention(text, "Kono", "JPNGOV", "person"),
        _mention(text, "she", "JPNGOV", "pronoun"),  # a nearest-person resolver's guess
    )
    story = Story(id="s", text=text, doc=doc, sentences=sentences_of(doc), mentions=mentions)
    (quote,) = QuoteStage(ctx)(story).quotes
    assert quote.speaker_text == "she"
    assert quote.speaker is not None and quote.speaker.code == "KORGOV"


def test_partial_quote_after_an_attribution_is_not_a_continuation() -> None:
    from dateline.quotes import _continued

    text = (
        '"We will talk," she added. Kono called it a "partner that shares strategic interest in the region."'
    )
    (a_start, a_end), (b_start, b_end) = find_quote_spans(text)
    first = Quote(
        id="a", sentence=0, start=a_start, end=a_end - 1, text=text[a_start : a_end - 1], speaker_text="she"
    )
    second = Quote(id="b", sentence=1, start=b_start, end=b_end, text=text[b_start:b_end])
    assert _continued(text, first, second).speaker_text is None
    follow = '"We will talk," she added. "And we will meet."'
    (a_start, a_end), (b_start, b_end) = find_quote_spans(follow)
    first = dataclasses.replace(first, start=a_start, end=a_end - 1)
    second = Quote(id="b", sentence=1, start=b_start, end=b_end, text=follow[b_start:b_end])
    assert _continued(follow, first, second).speaker_text == "she"
