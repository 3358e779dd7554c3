"""Direct quotes and their speakers.

1. :func:`find_quote_spans` pairs quotation marks (straight ``"``, curly ``“ ”``, ``« »``).
   A quote may run over several sentences. A quote left open at a paragraph end continues
   when the next paragraph opens with a quotation mark (the wire convention for
   multi-paragraph quotes); otherwise an unclosed mark is a stray and is dropped.
2. A quote's speaker is the subject of a reporting verb (``data/quotes/reporting_verbs.yaml``)
   next to it: after it ('"...," the ministry said', '"...," said Liu') when the quote ends
   in a comma, "?" or "!" or the text goes on in lower case; or before it ('Liu wrote: "..."',
   'he said, "..."'). "according to X" names X.
3. The speaker is coded through the actor mention at the subject (``Story.mentions``):
   the mention that holds the subject's head, else the longest one overlapping the subject.
   "he"/"she" take the latest earlier person mention that was a clause subject (else the
   latest person mention, else the pronoun's own mention).
4. Scare quotes are not quotes: a quote with no reporting verb next to it is kept only when
   it has at least ``MIN_UNATTRIBUTED_WORDS`` words ('"constructive"', '"all
   temporally-suspended activities"' are dropped; a long unattributed quote is kept with no
   speaker).
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from .errors import DictionaryError
from .model import Mention, Quote, Story, content_id
from .nlp import TokenView
from .pipeline import Stage

__all__ = ["MIN_UNATTRIBUTED_WORDS", "QuoteStage", "find_quote_spans", "load_reporting_verbs"]

#: an unattributed quoted stretch shorter than this is a scare quote or a title, not speech
MIN_UNATTRIBUTED_WORDS = 8
#: how many tokens after/before a quote to look for its reporting verb
_WINDOW = 20
#: longest attribution ('," the foreign ministry said in a statement. "') between two parts of a quote
_CONTINUATION_GAP = 80
_VERBS_FILE = "data/quotes/reporting_verbs.yaml"
_CLOSERS = {"\u201c": ("\u201d", '"'), '"': ('"', "\u201d"), "\u00ab": ("\u00bb",)}
_QUOTE_MARKS = frozenset('"\u201c\u201d\u00ab\u00bb')
#: the next opening mark, and per set of closers the next character _closing must look at:
#: the scans jump between these instead of stepping through every character of the body
_OPENER = re.compile("[" + re.escape("".join(_CLOSERS)) + "]")
_STOPS = {c: re.compile("[" + re.escape("".join(c) + "\u201c\n") + "]") for c in _CLOSERS.values()}
_PERSONAL = frozenset({"he", "she"})


def load_reporting_verbs(text: str | None = None, *, path: str = _VERBS_FILE) -> frozenset[str]:
    """Load the reporting-verb lemmas.

    Args:
        text: YAML text to parse instead of the bundled file.
        path: the name reported in errors.

    Returns:
        The lower-cased lemmas.

    Raises:
        DictionaryError: the file has no ``reporting_verbs`` list of words.
    """
    if text is None:
        text = resources.files("dateline").joinpath(_VERBS_FILE).read_text("utf-8")
    data = yaml.safe_load(text)
    verbs = data.get("reporting_verbs") if isinstance(data, dict) else None
    if not isinstance(verbs, list) or not verbs or not all(isinstance(v, str) and v.isalpha() for v in verbs):
        raise DictionaryError(path, 0, "expected 'reporting_verbs:' with a list of single-word lemmas")
    return frozenset(v.lower() for v in verbs)


def find_quote_spans(text: str) -> list[tuple[int, int]]:
    """Spans of quoted text, quotation marks excluded, in order.

    Args:
        text: the story body.

    Returns:
        ``(start, end)`` offsets of each quote's content (see step 1 of the module doc).
    """
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(text):
        found = _OPENER.search(text, i)
        if found is None:
            break
        i = found.start()
        closers = _CLOSERS[text[i]]
        if text[i] == '"' and not _opens(text, i):
            i += 1
            continue
        end = _closing(text, i + 1, closers)
        if end is None:
            i += 1
            continue
        if end > i + 1:
            spans.append((i + 1, end))
        i = end + 1
    return spans


def _opens(text: str, i: int) -> bool:
    """A straight quote opens when it starts the text or follows a space or opening bracket."""
    return i == 0 or text[i - 1].isspace() or text[i - 1] in "([{\u2014-:"


def _closing(text: str, start: int, closers: tuple[str, ...]) -> int | None:
    """Offset of the closing mark, following the quote across "paragraph-continued" breaks.

    Every newline counts as a paragraph break: the clean body has one paragraph per line.
    """
    j = start
    stops = _STOPS[closers]
    while j < len(text):
        found = stops.search(text, j)
        if found is None:
            return None
        j = found.start()
        ch = text[j]
        if ch in closers or (ch == "\u201c" and text[j - 1] in ",.?!"):  # a mistyped closer: 'reply,“ he'
            return j
        if ch == "\n":
            k = j
            while k < len(text) and text[k].isspace():
                k += 1
            if k < len(text) and text[k] in _CLOSERS:  # next paragraph reopens: same quote
                j = k + 1
                continue
            return None
        j += 1
    return None


@dataclass(frozen=True, slots=True)
class _Speaker:
    text: str
    start: int
    end: int
    head: int  # char offset of the subject's head token
    pronoun: bool


class QuoteStage(Stage):
    """Find direct quotes and code their speakers through the actor mentions."""

    name = "dateline.quotes.v1"
    requires = frozenset({"doc", "mentions"})
    provides = frozenset({"quotes"})

    def process(self, story: Story) -> Story:
        doc = story.doc
        if doc is None:
            return story
        verbs = self.ctx.resource("quotes.reporting_verbs", load_reporting_verbs)
        quotes: list[Quote] = []
        spans = find_quote_spans(story.text)
        if not spans:
            return dataclasses.replace(story, quotes=())
        view = TokenView(doc)
        for start, end in spans:
            quote = _quote(story, doc, view, start, end, verbs)
            if quotes:
                quote = _continued(story.text, quotes[-1], quote)
            if quote.speaker_text is not None or len(quote.text.split()) >= MIN_UNATTRIBUTED_WORDS:
                quotes.append(quote)  # step 4: shorter unattributed quotes are scare quotes
        return dataclasses.replace(story, quotes=tuple(quotes))


def _quote(story: Story, doc: Any, view: TokenView, start: int, end: int, verbs: frozenset[str]) -> Quote:
    """Steps 2-3 for one quoted span."""
    text = story.text[start:end]
    content = text.rstrip().rstrip(",;:").rstrip()
    speaker = _after(view, text, end, verbs) or _before(view, start, verbs)
    mention = _mention_for(speaker, story.mentions, start, doc) if speaker else None
    sentence = next((s.index for s in story.sentences if s.start <= start < s.end), 0)
    return Quote(
        id=content_id(story.id, "quote", start, start + len(content)),
        sentence=sentence,
        start=start,
        end=start + len(content),
        text=content,
        speaker_text=speaker.text if speaker else None,
        speaker=mention.actor if mention else None,
        speaker_mention=mention.id if mention else None,
    )


def _continued(text: str, previous: Quote, quote: Quote) -> Quote:
    """'"A," he said. "B."': B goes on A when only A's attribution stands between them."""
    if quote.speaker_text is not None or previous.speaker_text is None:
        return quote
    gap = text[previous.end : quote.start]
    # the new part must open its own sentence right after the attribution ('he said. "B')
    opens_sentence = gap[:-1].rstrip().endswith((".", ":"))
    if len(gap) > _CONTINUATION_GAP or previous.speaker_text not in gap or not opens_sentence:
        return quote
    return dataclasses.replace(
        quote,
        speaker_text=previous.speaker_text,
        speaker=previous.speaker,
        speaker_mention=previous.speaker_mention,
    )


def _after(view: TokenView, quoted: str, end: int, verbs: frozenset[str]) -> _Speaker | None:
    """'"...," the ministry said': a reporting verb right after a quote that runs on.

    Only the speaker may stand between the quote and the verb: a gap holding another
    clause ('"complete" denuclearization ... and strive to declare') is not attribution.
    """
    rest = view.text[end + 1 : end + 3].lstrip()
    runs_on = (
        quoted.rstrip()[-1:] in (",", "?", "!", "\u2014", "-") or rest[:1] in (",",) or rest[:1].islower()
    )
    if not runs_on:
        return None
    tokens = _tokens_after(view, end + 1)
    for k, tok in enumerate(tokens):
        if tok.lower_ == "according":
            return _according(tok, view.text) if k == 0 else None
        if tok.lemma_.lower() in verbs and tok.pos_ in ("VERB", "AUX"):
            if not _only_speaker_between(tokens[:k], tok):
                return None
            speaker = _subject(tok, view.text)
            if speaker is None or speaker.head >= end or not tokens[:k]:
                return speaker
            return _name_after(tokens[:k], view.text)  # the parser took the quote itself as the subject
    return None


def _only_speaker_between(between: Sequence[Any], verb: Any) -> bool:
    """No other clause between quote and verb: verbs there sit in relative clauses or are auxiliaries."""
    for tok in between:
        if tok.pos_ not in ("VERB", "AUX"):
            continue
        if tok.head == verb and tok.dep_ in ("aux", "auxpass"):
            continue
        if not any(t.dep_ in ("relcl", "acl", "appos") for t in (tok, *tok.ancestors)):
            return False
    return True


def _name_after(tokens: Sequence[Any], text: str) -> _Speaker | None:
    """The first run of proper nouns (else the first noun) after the quote: 'Serhiy Popko, ...'."""
    start = next((k for k, t in enumerate(tokens) if t.pos_ in ("PROPN", "NOUN", "PRON")), None)
    if start is None:
        return None
    stop = start + 1
    while tokens[start].pos_ == "PROPN" and stop < len(tokens) and tokens[stop].pos_ == "PROPN":
        stop += 1
    first, last = tokens[start], tokens[stop - 1]
    end = last.idx + len(last.text)
    return _Speaker(
        text=text[first.idx : end], start=first.idx, end=end, head=last.idx,
        pronoun=first.pos_ == "PRON",
    )  # fmt: skip


def _before(view: TokenView, start: int, verbs: frozenset[str]) -> _Speaker | None:
    """'Liu said: "..."': a reporting verb just before a quote introduced by ':' or ','."""
    lead = view.text[: start - 1].rstrip()
    if not lead.endswith((":", ",")):
        return None
    tokens = _tokens_before(view, start - 1)
    for tok in tokens:
        if tok.lemma_.lower() in verbs and tok.pos_ in ("VERB", "AUX"):
            return _subject(tok, view.text)
        if tok.lower_ == "according":
            return _according(tok, view.text)
    return None


def _tokens_after(view: TokenView, offset: int) -> list[Any]:
    """Up to _WINDOW tokens from ``offset``, stopping at a sentence end or a new quote."""
    out: list[Any] = []
    for tok in view.tokens[bisect.bisect_left(view.starts, offset) :]:
        if tok.text in _QUOTE_MARKS or (tok.is_punct and tok.text in ".!?") or len(out) >= _WINDOW:
            break
        out.append(tok)
    return out


def _tokens_before(view: TokenView, offset: int) -> list[Any]:
    """Up to _WINDOW tokens before ``offset``, nearest first, stopping at a sentence end or quote."""
    out: list[Any] = []
    for tok in reversed(view.tokens[: bisect.bisect_left(view.starts, offset)]):
        if tok.text in _QUOTE_MARKS or (tok.is_punct and tok.text in ".!?") or len(out) >= _WINDOW:
            break
        out.append(tok)
    return out


def _subject(verb: Any, text: str) -> _Speaker | None:
    """The verb's subject; a subjectless participle borrows its clause's ("X claimed it, stating")."""
    tok = verb
    while True:
        for child in tok.children:
            if child.dep_ in ("nsubj", "nsubjpass"):
                return _speaker(child, text)
        if tok.dep_ not in ("advcl", "xcomp", "conj", "pcomp") or tok.head == tok:
            return None
        tok = tok.head


def _according(token: Any, text: str) -> _Speaker | None:
    for child in token.children:
        if child.lower_ == "to":
            for obj in child.children:
                if obj.dep_ == "pobj":
                    return _speaker(obj, text)
    return None


def _speaker(head: Any, doc_text: str) -> _Speaker:
    """The subject phrase; a relative or appositive tail is cut off at its first comma."""
    tokens = [t for t in head.subtree if not (t.is_punct and t.i < head.i)] or [head]
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
    text = doc_text[start:end]
    if "," in text[head.idx - start :]:
        end = doc_text.index(",", head.idx, end)
        text = doc_text[start:end]
    return _Speaker(text=text, start=start, end=end, head=head.idx, pronoun=head.pos_ == "PRON")


def _mention_for(
    speaker: _Speaker, mentions: Sequence[Mention], quote_start: int, doc: Any
) -> Mention | None:
    """Step 3: the mention at the subject; for he/she the last earlier subject person.

    A quote's "she added" continues the last person who spoke, which a general pronoun
    resolver (nearest person) often misses, so here the subject rule goes first.
    """
    if speaker.pronoun and speaker.text.lower() in _PERSONAL:
        person = _nearest_person(mentions, min(speaker.start, quote_start), doc)
        if person is not None:
            return person
    holding = [m for m in mentions if m.start <= speaker.head < m.end]
    if holding:
        return min(holding, key=lambda m: m.end - m.start)
    overlapping = [m for m in mentions if m.start < speaker.end and speaker.start < m.end]
    if overlapping:
        return max(overlapping, key=lambda m: m.end - m.start)
    return None


def _nearest_person(mentions: Iterable[Mention], before: int, doc: Any) -> Mention | None:
    """The latest earlier person mention, preferring one that was a clause subject.

    "Kang said at the start of her talks with Kono. '...,' she added": Kono is nearer, but
    Kang is the subject, and a pronoun subject usually continues the last subject.
    """
    people = [m for m in mentions if m.end <= before and m.actor is not None and m.kind == "person"]
    subjects = [m for m in people if _is_subject(doc, m)]
    pool = subjects or people
    return max(pool, key=lambda m: m.start) if pool else None


def _is_subject(doc: Any, mention: Mention) -> bool:
    span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
    return span is not None and len(span) > 0 and span.root.dep_ in ("nsubj", "nsubjpass")
