"""Publication dates printed in a page's text, weighed by :mod:`dateline.htmlextract` against metadata.

A page says when it appeared in three places a reader sees: a byline date right after the
headline, a date labelled "Published"/"Posted on", and machine-readable markup. The helpers
here read the first two from the page's visible text (lower-cased, whitespace collapsed):

1. :func:`headline_first` puts the ``<h1>`` that is the article's title before site-wide
   headings ("Search", "Menu"), and falls back to the document title when no ``<h1>`` is usable.
2. :func:`byline_date` is the date printed just after the headline, with every reading of an
   ambiguous numeric date ("03/04/2025") so that the caller can refuse to guess.
3. :func:`labelled_published` is the first date the page labels as its publication date
   ("Published", "Posted on") or prints after a "by Jane Doe" byline; :func:`stated_publication`
   is such a label printed exactly once (several are a list of other articles).
4. :func:`in_prose` tells a date a sentence talks about ("valid through May 2") from a dateline.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

__all__ = [
    "CHANGE_LABEL",
    "CHANGE_WORDS",
    "byline_date",
    "change_values",
    "headline_first",
    "in_prose",
    "labelled_dates",
    "labelled_published",
    "marked_as_change",
    "readings",
    "stated_publication",
]

#: a date printed right after one of these words is the page's own publication date
_PUBLISHED_LABEL = re.compile(r"(?:published|posted)\s*(?:on)?\s*:?\s*$")
#: the same label, searched ahead of the date it introduces
_LABEL_AHEAD = re.compile(r"(?:published|posted)\s*(?:on)?\s*:?\s*")
#: ... or after a byline: "by Jane Doe", "written by A and B", "interview by C", then the date
_BYLINE_LABEL = re.compile(
    r"\b(?:written |posted |interview )?by\s+[\w.'’-]+(?:\s+(?:and\s+)?[\w.'’-]+){0,5}\s*[,|·•—–-]?\s*$"
)
#: characters of page text before a date searched for a byline (a name is longer than a label)
_BYLINE_CHARS = 45
#: characters of page text before a date searched for its label
_LABEL_CHARS = 25
#: characters after the end of the headline where a byline prints its date
_BYLINE_REACH = 300
#: labels and markup names that say a date is a change, not a publication
CHANGE_WORDS = re.compile(r"modif|updat|revis", re.I)
#: words before a printed date that make it a change or review date ("Reviewed by Dr X, May 2")
CHANGE_LABEL = re.compile(r"modif|updat|revis|review", re.I)
#: words that put a date inside a sentence ("valid through May 2", "the season is April 15"):
#: a date the text talks about, not the date of the text
_PROSE_BEFORE = re.compile(
    r"\b(?:through|from|to|until|till|since|before|after|between|is|was|are|were|will be|due|valid"
    r"|effective|expires?|deadline|(?:begins?|starts?|ends?|began|started|ended|held|opens?|closes?) on)"
    r"\s*,?\s*(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s*)?$"
)
#: a title shorter than this (characters) is too weak a key to find the headline in the text
_MIN_KEY = 12
#: separators between a document title and the site name ("Headline | Site", "Site - Headline")
_TITLE_SPLIT = re.compile(r"\s+(?:[|\-–—:·•»]|::)\s+")


def readings(m: re.Match[str]) -> set[date]:
    """Every calendar day a printed date can mean: two for "03/04/2025" or "03.04.2025"."""
    from .htmlextract import _match_day

    if not m.group("num") and not m.group("dot"):  # a month name or year first: one reading
        day = _match_day(m)
        return {day} if day else set()
    first, second, year = (m["m"], m["d"], m["y"]) if m.group("num") else (m["dd"], m["dm"], m["dy"])
    out = set()
    for a, b in ((first, second), (second, first)):  # either order is printed somewhere
        try:
            out.add(date(int(year), int(a), int(b)))
        except ValueError:
            pass
    return out


def headline_first(headings: list[str], titles: list[Any]) -> list[str]:
    """The ``<h1>`` headings with the article's title first.

    Args:
        headings: the page's ``<h1>`` texts in document order.
        titles: other statements of the title (``og:title``, JSON-LD headline, ``<title>``).

    Returns:
        Headings that a title contains first, then the rest; when no heading is usable,
        the titles themselves (and their longest part, without the site name).
    """
    keys = [" ".join(t.split()).lower() for t in titles if isinstance(t, str) and t.strip()]
    usable = [h for h in headings if h.strip()]
    if not usable:
        parts = [max(_TITLE_SPLIT.split(k), key=len) for k in keys]
        return [k for k in dict.fromkeys(keys + parts) if len(k) >= _MIN_KEY]
    matched = [h for h in usable if any(h.lower()[:60] in k for k in keys)]
    return matched + [h for h in usable if h not in matched]


def in_prose(before: str) -> bool:
    """Does the text before a printed date make it part of a sentence, not a dateline?"""
    return bool(_PROSE_BEFORE.search(before[-_BYLINE_CHARS:]))


def _headline_end(text: str, headings: list[str]) -> int | None:
    for heading in headings:
        key = heading.lower()[:60]
        at = text.find(key) if key else -1
        if at >= 0:
            return at + len(heading)
    return None


def byline_date(text: str, headings: list[str]) -> tuple[set[date], str] | None:
    """The first date printed within a byline's reach after the headline.

    Args:
        text: the page's visible text, lower-cased.
        headings: headline candidates, best first (see :func:`headline_first`).

    Returns:
        The date's readings and the text between the headline and the date, or None.
    """
    from .htmlextract import _NUMERIC_OR_NAMED_DATE

    end = _headline_end(text, headings)
    if end is None:
        return None
    window = text[end : end + _BYLINE_REACH]
    for m in _NUMERIC_OR_NAMED_DATE.finditer(window):
        days = readings(m)
        if days and not in_prose(window[: m.start()]):
            return days, window[: m.start()]
    return None


def labelled_dates(text: str, *, bylines: bool = True) -> list[date]:
    """Dates the page labels "Published"/"Posted (on)" (or prints after a "by" byline), in order.

    Args:
        text: the page's visible text, lower-cased.
        bylines: also count dates printed after "by Jane Doe".

    Returns:
        Every such date, one entry per printing; ambiguous numeric dates are left out.
    """
    from .htmlextract import _NUMERIC_OR_NAMED_DATE

    if bylines:
        matches: Iterator[re.Match[str]] = _NUMERIC_OR_NAMED_DATE.finditer(text)
    else:  # labels are rarer than dates: find them first, then the date right after each
        found = (_NUMERIC_OR_NAMED_DATE.match(text, lm.end()) for lm in _LABEL_AHEAD.finditer(text))
        matches = (m for m in found if m is not None)
    out = []
    for m in matches:
        before = text[max(0, m.start() - _BYLINE_CHARS) : m.start()]
        if CHANGE_LABEL.search(before):
            continue  # "Updated by ...", "Reviewed by ...": a change, not the publication
        if _PUBLISHED_LABEL.search(before[-_LABEL_CHARS:]) or (bylines and _BYLINE_LABEL.search(before)):
            days = readings(m)
            if len(days) == 1:  # an ambiguous numeric date is not worth a guess
                out.append(days.pop())
    return out


def labelled_published(text: str) -> date | None:
    """The first date the page labels "Published"/"Posted (on)" or prints after a "by" byline.

    Args:
        text: the page's visible text, lower-cased.

    Returns:
        That date, or None when no date carries such a label.
    """
    found = labelled_dates(text)
    return found[0] if found else None


def stated_publication(text: str) -> date | None:
    """The one date the page labels "Published"/"Posted"; None when none or several are printed.

    Args:
        text: the page's visible text, lower-cased.

    Returns:
        The date, when it is printed with such a label exactly once (a label printed again
        and again belongs to a list of other articles).
    """
    if "published" not in text and "posted" not in text:
        return None  # most pages: skip the scan for dates (this runs on every dated page)
    found = labelled_dates(text, bylines=False)
    return found[0] if len(found) == 1 else None


def change_values(jsonld_dates: list[tuple[str, Any]], meta: dict[str, Any], times: list[Any]) -> list[Any]:
    """Raw values of the machine-readable dates that say when a page was changed.

    Args:
        jsonld_dates: ``(field, value)`` pairs from JSON-LD.
        meta: ``meta|name``/``og|name`` values.
        times: ``<time datetime>`` elements.

    Returns:
        The unparsed values: JSON-LD ``dateModified``, modified/updated meta tags and
        ``<time>`` elements whose class or itemprop names a change.
    """
    values = [v for field, v in jsonld_dates if field == "dateModified"]
    values += [v for k, v in meta.items() if k.startswith(("meta|", "og|")) and CHANGE_WORDS.search(k)]
    values += [el.get("datetime") for el in times if marked_as_change(el)]
    return values


def marked_as_change(el: Any) -> bool:
    """Does a ``<time>`` element's class or itemprop say it is a change date ("updated", "dateModified")?

    Args:
        el: an lxml element.

    Returns:
        True for a modification/update/revision date.
    """
    return bool(CHANGE_WORDS.search(f"{el.get('class', '')} {el.get('itemprop', '')}"))
