"""Body helpers for HTML extraction: trafilatura's two modes combined, page furniture dropped.

1. :func:`recall_within` fills the gaps of trafilatura's default mode with its recall mode.
   The default mode sometimes prunes parts of an article (lists, subheads, short paragraphs
   between boxes) that recall mode keeps; recall mode in turn lets in the furniture around
   the article (date and byline lines, "related" lists, cookie notices, footers). Keeping
   the recall-mode lines between the first and the last line both modes agree on fills the
   gaps inside the article and leaves its edges where the default mode put them.
2. :func:`drop_boxes` removes what both modes keep by mistake: one-line links to other
   articles ("Related: ...") and, in the second half of a body, the boxes that follow a
   heading such as "More from ...", "About the author" or "Sign up for our newsletter".
   The patterns are data: ``data/extract/html_boxes.csv``.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from importlib import resources

from .errors import DictionaryError

__all__ = ["drop_boxes", "recall_within"]

_BOXES_FILE = "data/extract/html_boxes.csv"
_KINDS = ("box_heading", "link_line")
#: a box heading is a short line (words) ...
_HEADING_WORDS = 8
#: ... found after this share of the body's characters (an article's own "Tags" or "Comments"
#: section headings near the top are rare; its last sections are where the boxes sit)
_BOX_AFTER = 0.5
#: a box ends where a paragraph at least this long (words) resumes the article
_PARAGRAPH_WORDS = 40
#: a link line is at most this long (words): longer lines are sentences that start alike
_LINK_WORDS = 25


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def recall_within(default: str, recall: str) -> str:
    """The recall-mode text trimmed to the span it shares with the default-mode text.

    Args:
        default: trafilatura's text in its default (balanced) mode.
        recall: trafilatura's text for the same page in recall mode.

    Returns:
        The recall-mode lines from the first to the last line that also appears in the
        default text, joined by newlines; ``default`` unchanged when no line is shared
        (the two modes found different blocks: there is nothing to fill in).
    """
    shared = set(_lines(default))
    lines = _lines(recall)
    inside = [i for i, line in enumerate(lines) if line in shared]
    if not inside:
        return default
    return "\n".join(lines[inside[0] : inside[-1] + 1])


@lru_cache(maxsize=1)
def box_patterns() -> dict[str, tuple[re.Pattern[str], ...]]:
    """The furniture patterns of ``data/extract/html_boxes.csv``, compiled and validated.

    Returns:
        ``{"box_heading": (...), "link_line": (...)}``.

    Raises:
        DictionaryError: a row has an unknown kind or a pattern that does not compile.
    """
    text = resources.files("dateline").joinpath(_BOXES_FILE).read_text("utf-8")
    rows = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    out: dict[str, list[re.Pattern[str]]] = {kind: [] for kind in _KINDS}
    for i, row in enumerate(csv.DictReader(rows), start=2):
        kind = row.get("kind") or ""
        if kind not in out:
            raise DictionaryError(_BOXES_FILE, i, f"unknown kind {kind!r}; expected one of {_KINDS}")
        try:
            out[kind].append(re.compile(row.get("pattern") or "", re.IGNORECASE))
        except re.error as exc:
            raise DictionaryError(_BOXES_FILE, i, f"bad pattern ({exc}); check the regex") from None
    return {kind: tuple(patterns) for kind, patterns in out.items()}


def _matches(kind: str, line: str) -> bool:
    return any(p.match(line) for p in box_patterns()[kind])


def drop_boxes(paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """Drop link lines and the link/sign-up/author boxes in the second half of a body.

    Steps: 1. a short line that links to another article is dropped wherever it is;
    2. past half of the body's characters, a short box heading starts a box;
    3. the box runs until a paragraph of at least ``_PARAGRAPH_WORDS`` words resumes the article.

    Args:
        paragraphs: the body's lines, in order.

    Returns:
        ``(kept, removed)``, both in order.
    """
    total = sum(len(p) for p in paragraphs)
    seen = 0
    in_box = False
    kept: list[str] = []
    removed: list[str] = []
    for line in paragraphs:
        words = len(line.split())
        if in_box and words >= _PARAGRAPH_WORDS:
            in_box = False
        if not in_box and seen >= _BOX_AFTER * total and words <= _HEADING_WORDS:
            in_box = _matches("box_heading", line)
        seen += len(line)
        drop = in_box or (words <= _LINK_WORDS and _matches("link_line", line))
        (removed if drop else kept).append(line)
    return kept, removed
