"""HTML article extraction: trafilatura for the body, structured metadata first.

Steps for one page:

1. Parse once with lxml; read the structured metadata before anything mutates the
   tree: JSON-LD (``headline``, ``datePublished``, ``author``, ``publisher``,
   ``image.caption``) and OpenGraph/meta tags via extruct, the ``<h1>`` headings,
   and ``figcaption``/caption-class elements.
2. The body comes from trafilatura; its recall mode fills the gaps inside the article
   (``htmlbody.recall_within``); when it returns too little, recall mode and then
   readability-lxml are tried. The choice is recorded in the provenance.
3. The headline, widget lines, link lines and trailing link/sign-up boxes
   (``htmlbody.drop_boxes``) are kept out of the body, captions are moved to ``Meta.captions``
   and a wire dateline on the first paragraph is split into place, date, agency.
4. Title: the ``<h1>`` that agrees with the structured headline, else the
   structured headline without the site name. Authors: JSON-LD, then meta tags,
   then trafilatura, normalised into a list. Date: JSON-LD/OpenGraph/meta with the
   time zone kept; htmldate is the fallback and is run without its extensive text
   search, so a page that states no date gets "no date" rather than a guess. A byline date or a
   "Published on" statement printed on the page beats metadata it contradicts (:mod:`.htmldates`).
   A learned ranker (:mod:`.dateranker`) then weighs the rules' answer against every other day
   the page states or prints near its headline; the rules' "no date" stands.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

import lxml.html
from lxml import etree

from .errors import NotAnArticleError
from .htmlbody import drop_boxes, recall_within
from .htmldates import CHANGE_WORDS as _CHANGED  # names of dates that say when a page changed
from .htmldates import marked_as_change
from .model import Meta, Provenance

__all__ = ["extract_html", "normalise_authors"]

#: trafilatura bodies shorter than this (characters) trigger the readability fallback
_MIN_BODY = 250
#: ... or shorter than this share of the page's paragraph text (trafilatura kept one section only)
_SHORT_SHARE = 0.4
#: readability's body replaces trafilatura's only when it is this many times longer
_LONGER = 1.5
#: recall mode's text (within the default mode's span) replaces the default text when it is this
#: many times longer (tuned on the even WCXB-dev pages, confirmed on the odd ones)
_RECALL_LONGER = 1.05
#: ... and is not tried when the default text is this many times the page's <p> text (it already
#: took in the lists and tables around the paragraphs; skips a third of the pages for speed)
_FULL_SHARE = 1.2
#: a paragraph at least this long (characters of its word key) seen twice is printed twice: keep one
_REPEATED = 50
#: whole lines that are page widgets, not article text ("Read more", "5 min read", "Share")
_WIDGET_LINE = re.compile(
    r"^\W*(?:read more|learn more|see more|show more|table of contents|in this article|jump to"
    r"|\d+\s*-?\s*min(?:ute)?s? read|\d+ (?:seconds?|minutes?|hours?|days?|weeks?|months?) ago"
    r"|share(?: this(?: article| post)?)?|related(?: posts?| articles?| stories)?|posted on"
    r"|advertisement|sponsored|where to buy|subscribe|sign up|click here|back to top|print"
    r"|home|contents|author|written by|published|back to blog|book a demo|download now|get started(?: today)?"
    r"|facebook|twitter|instagram|linkedin|pinterest)\W*$",
    re.I,
)
_TITLE_SPLIT = re.compile(r"\s+(?:[|\-–—:·•»]|::)\s+")
_AUTHOR_NOISE = re.compile(
    r"^(?:.{0,30}\bposts by|article by|recipe by|by|.{0,30}\bwritten by|posted by|published by|authored by"
    r"|authors?|words by|story by|reviewed by|(?:read )?more (?:about|from))\b\s*:?\s*(?=\S)|^By(?=[A-Z])",
    re.I,
)
#: where a byline stops being a name: a date, a month, "Updated", a bullet
_AUTHOR_TAIL = re.compile(
    r"\s*(?:[•|·]|(?i:\b(?:last )?updated\b|\bpublished\b|\bsponsored\b|\beditorial guidelines\b)|\d"
    r"|\b(?:January|February|March|April|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\b\.?(?:\s|$)).*$"
)
#: words that start a job title printed after a name in a byline ("Keith Barry Senior Autos Reporter")
_ROLE_WORDS = frozenset(
    "senior junior staff contributing freelance tech technology former lead chief managing deputy associate"
    " executive guest writer reporter editor founder contributor correspondent consultant columnist producer"
    " ceo cto president director head manager coordinator specialist strategist analyst content".split()
)
#: byline leftovers that are not names
_NOT_NAMES = frozenset(
    {
        "view more posts",
        "admin",
        "webmaster",
        "by",
        "written by",
        "author",
        "the author",
        "unknown",
        "undefined",
        "null",
        "name",
    }
)
_ARTICLE_TYPES = re.compile(r"Article|BlogPosting|Report|NewsArticle|WebPage|Posting|Story", re.I)
_META_DATE_KEYS = (
    "article:published_time",
    "og:published_time",
    "article:published",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "dc.date.issued",
    "dc.date",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "citation_publication_date",
    "og:article:published_time",
    "published-date",
    "published",
)
#: any other meta name that says "publication date" after a vendor prefix ("w-published-date",
#: "cxenseparse:publishtime", "shareaholic:article_published_time"); read after the known keys
_PUBLISHED_NAME = re.compile(
    r"(?:^|[:._ -])(?:article[_-]?|first[_-]?)*(?:publish(?:ed)?|pub)[_-]?(?:date|time)$"
    r"|(?:^|[:._-])date[_-]?pub(?:lished)?$"
)


def _vendor_published(key: str) -> bool:
    """Is this ``meta|name``/``og|name`` key a publication date under a vendor's prefix?"""
    return key.startswith(("meta|", "og|")) and _PUBLISHED_NAME.search(key.split("|", 1)[1]) is not None


#: metadata names that hold a date (used to corroborate a printed date)
_DATE_NAME = re.compile(r"date|time|publish|created|issued", re.I)
#: a full date in the URL path: /2025/12/18/, /2025-12-15+title
_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-](\d{1,2})[/-](\d{1,2})(?=[/+_-]|$)")
#: page text searched before a printed date for the word that marks it as a change date
_LABEL_CHARS = 25
#: ... and for "Reviewed by <name> on" before a byline date (a name makes the label longer)
_BYLINE_LABEL_CHARS = 45


#: XPaths run on every page, compiled once (lxml recompiles a string on each call)
_XP_META = etree.XPath("//meta[@content]")
_XP_CAPTIONS = etree.XPath(
    # one pass over the page: "caption" in a class also finds WordPress's "wp-caption-text"
    "//figcaption | //*[contains(@class, 'caption') and not(self::body) and not(self::article)]"
)
# Script and style hold only text children in a parsed HTML tree, so checking the parent is
# enough (and cheaper than walking every ancestor of every text node).
_XP_TEXT = etree.XPath("//body//text()[not(parent::script) and not(parent::style)]")
_XP_TIME_PUBLISHED = etree.XPath('//time[@datetime][@itemprop="datePublished" or @pubdate]')
_XP_TIME = etree.XPath("//time[@datetime]")
_XP_BYLINE = etree.XPath(
    '//*[@rel="author"] | //*[@itemprop="author"]//*[@itemprop="name"] | //*[@itemprop="author"][not(*)]'
    ' | //*[contains(@class, "author-name") or contains(@class, "byline__name")'
    ' or contains(@class, "author__name")'
    ' or @class="author" or contains(@class, "entry-author") or contains(@class, "post-author")]'
)


def extract_html(html: str, *, url: str | None = None) -> Any:
    """Extract the body and metadata from one HTML page.

    Args:
        html: the decoded page.
        url: the page URL, when known.

    Returns:
        An :class:`~dateline.extract.Extracted` (text, meta, boilerplate).

    Raises:
        NotAnArticleError: the page cannot be parsed or has no text.
    """
    from .extract import Extracted

    tree = _parse(html)
    found = _Found()
    # 1. everything read from the markup comes first: trafilatura prunes the tree it is given
    structured = _structured(tree, found)
    headings = [_text(h) for h in tree.iter("h1")]
    captions = _captions(tree, structured)
    title = _pick_title(headings, structured, tree, found)
    page = _PageText(tree)
    _authors(tree, structured, found)
    _published(tree, structured, url, found, headings, page)
    paragraph_chars = _paragraph_chars(tree)
    # 2./3. the body, without headline and captions, dateline split off
    body, body_source = _body(tree, html, url, paragraph_chars)
    paragraphs, removed = _clean_body(body, title, captions)
    _dateline(paragraphs, found)
    found.put("url", url, "input", "given by the caller")
    found.put("outlet", structured.get("publisher"), "json-ld/og", "publisher / og:site_name")
    found.put(
        "captions", tuple(captions), "html.captions", "figcaption, caption classes, JSON-LD image.caption"
    )
    found.provenance.append(Provenance(field="text", source=body_source))
    meta = Meta(**found.fields, provenance=tuple(found.provenance))
    return Extracted(text="\n\n".join(paragraphs), meta=meta, boilerplate=tuple(removed))


class _PageText:
    """The page's visible text, built once and only when a rule needs it (it costs a full walk)."""

    def __init__(self, tree: Any) -> None:
        self._tree = tree

    @cached_property
    def raw(self) -> str:
        return " ".join(" ".join(_XP_TEXT(self._tree)).split())

    @cached_property
    def lower(self) -> str:
        return self.raw.lower()


class _Found:
    """Metadata fields with provenance (first value wins)."""

    def __init__(self) -> None:
        self.fields: dict[str, Any] = {}
        self.provenance: list[Provenance] = []

    def put(self, name: str, value: Any, source: str, detail: str = "") -> None:
        if value in (None, "", ()) or name in self.fields:
            return
        self.fields[name] = value
        self.provenance.append(Provenance(field=name, source=source, detail=detail[:200]))


# --- 1. parse and structured metadata -----------------------------------------------


def _parse(html: str) -> Any:
    """An lxml document; bytes-encode so pages with an XML encoding declaration parse."""
    try:
        parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)
        tree = lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise NotAnArticleError(f"the HTML page cannot be parsed ({exc}); is it a complete page?") from None
    if tree is None or (tree.find(".//body") is None and not _text(tree)):
        raise NotAnArticleError("the HTML page has no body; is it a complete page?")
    return tree


def _text(el: Any) -> str:
    return " ".join((el.text_content() if hasattr(el, "text_content") else "").split())


def _structured(tree: Any, found: _Found) -> dict[str, Any]:
    """Headline, dates, authors, publisher and image captions from JSON-LD and meta tags."""
    out: dict[str, Any] = {"jsonld_authors": [], "image_captions": [], "jsonld_dates": []}
    for item in _jsonld_items(tree):
        types = item.get("@type")
        types = " ".join(types) if isinstance(types, list) else str(types or "")
        if not _ARTICLE_TYPES.search(types):
            continue
        article = "WebPage" not in types or not out.get("headline")
        if article:
            _from_jsonld(item, out, page="WebPage" in types)
    out.update({k: v for k, v in _meta_tags(tree).items() if k not in out})
    return out


def _trafilatura_author(tree: Any) -> list[str]:
    """trafilatura's byline heuristics (author XPaths with discard rules)."""
    from trafilatura.metadata import extract_author

    try:
        found = extract_author(tree)
    except Exception:  # noqa: BLE001 - a heuristic that fails means "no byline"
        return []
    return [found] if found else []


def _jsonld_items(tree: Any) -> Iterator[dict[str, Any]]:
    """JSON-LD objects (``@graph`` flattened); malformed blocks are skipped."""
    from extruct.jsonld import JsonLdExtractor

    try:
        items = JsonLdExtractor().extract_items(tree)
    except Exception:  # noqa: BLE001 - one broken script block must not sink the page
        items = _jsonld_lenient(tree)
    stack = list(items) + _jsonld_in_meta(tree)
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack[:0] = item
        elif isinstance(item, dict):
            if "@graph" in item:
                stack[:0] = item["@graph"] if isinstance(item["@graph"], list) else [item["@graph"]]
            yield item


def _jsonld_in_meta(tree: Any) -> list[Any]:
    """JSON-LD that a framework put in ``<meta name="script:ld+json" content="...">`` (Remix/Hydrogen
    meta exports rendered as a tag instead of a script)."""
    return _json_values(m.get("content") for m in tree.xpath('//meta[@name="script:ld+json"][@content]'))


def _jsonld_lenient(tree: Any) -> list[Any]:
    return _json_values(s.text or "" for s in tree.xpath('//script[@type="application/ld+json"]'))


def _json_values(texts: Iterable[str]) -> list[Any]:
    """Each text parsed as JSON; texts that are not JSON are skipped."""
    out = []
    for text in texts:
        try:
            out.append(json.loads(text))
        except ValueError:
            continue
    return out


def _from_jsonld(item: dict[str, Any], out: dict[str, Any], *, page: bool) -> None:
    key = "page_" if page else ""
    headline = item.get("headline") or item.get("name")
    if isinstance(headline, str):
        out.setdefault(f"{key}headline", html_lib.unescape(headline).strip())
    for field in ("datePublished", "dateCreated", "dateModified"):
        if isinstance(item.get(field), str):
            out.setdefault(f"{key}{field}", item[field])
            out.setdefault("jsonld_dates", []).append((field, item[field]))
            if page:  # the date ranker weighs a WebPage's dates apart from an article's
                out.setdefault("jsonld_page_dates", []).append((field, item[field]))
    authors = item.get("author") or item.get("creator")
    if authors and not page:
        out["jsonld_authors"].extend(_names(authors))
    publisher = item.get("publisher")
    if publisher and not page:
        names = _names(publisher)
        if names:
            out.setdefault("publisher", names[0])
    image = item.get("image")
    for img in image if isinstance(image, list) else [image]:
        if isinstance(img, dict) and isinstance(img.get("caption"), str) and img["caption"].strip():
            out["image_captions"].append(" ".join(img["caption"].split()))


def _names(value: Any) -> list[str]:
    """Names from a JSON-LD Person/Organization, a string, or a list of them."""
    if isinstance(value, str):
        return [html_lib.unescape(value)]
    if isinstance(value, dict):
        name = value.get("name")
        return [name] if isinstance(name, str) else []
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    return []


def _meta_tags(tree: Any) -> dict[str, Any]:
    """OpenGraph and <meta name=...> values (extruct's OpenGraph reader plus plain meta)."""
    from extruct.opengraph import OpenGraphExtractor

    out: dict[str, Any] = {}
    try:
        for block in OpenGraphExtractor().extract_items(tree):
            for k, v in block.get("properties", []):
                out.setdefault(f"og|{k.lower()}", v)
    except Exception:  # noqa: BLE001 - broken OpenGraph must not sink the page
        pass
    for el in _XP_META(tree):
        name = (el.get("name") or el.get("property") or el.get("itemprop") or "").lower()
        if name:
            out.setdefault(f"meta|{name}", el.get("content", "").strip())
    if out.get("og|og:site_name"):
        out["publisher"] = out["og|og:site_name"]
    return out


# --- 2. body ----------------------------------------------------------------------


def _body(tree: Any, html: str, url: str | None, paragraph_chars: int) -> tuple[str, str]:
    """Body text and the name of the extractor that produced it (the tree is pruned)."""
    import trafilatura

    text = (
        trafilatura.extract(
            tree,
            url=url,
            include_comments=False,
            include_tables=True,
            deduplicate=False,
            favor_precision=False,
        )
        or ""
    )
    if len(text) >= _MIN_BODY and len(text) >= _SHORT_SHARE * paragraph_chars:
        # 1. recall mode fills the gaps (lists, subheads, short paragraphs) the default mode
        # pruned inside the article; only its lines within the span both modes share are kept
        if len(text) >= _FULL_SHARE * paragraph_chars:
            return text, "trafilatura"  # it holds more than every <p>: nothing left to fill in
        filled = recall_within(text, _recall(html, url, fast=True))
        if len(filled) > _RECALL_LONGER * len(text):
            return filled, f"trafilatura favor_recall within the default span ({len(text)} characters)"
        return text, "trafilatura"
    # 2. on a short answer, recall mode, else readability-lxml's single densest block
    for name, fallback in (("trafilatura favor_recall", _recall), ("readability", _readability)):
        longer = fallback(html, url)
        if len(longer) > max(_MIN_BODY, _LONGER * len(text)):
            return longer, f"{name} (trafilatura returned {len(text)} characters)"
    return text, "trafilatura"


def _recall(html: str, url: str | None, *, fast: bool = False) -> str:
    """trafilatura in recall mode, on a fresh parse (the first pass pruned the tree).

    ``fast`` skips trafilatura's own comparison with its external extractors (half the cost).
    """
    import trafilatura

    try:
        tree = _parse(html)
        return (
            trafilatura.extract(
                tree,
                url=url,
                include_comments=False,
                include_tables=True,
                deduplicate=False,
                favor_recall=True,
                fast=fast,
            )
            or ""
        )
    except Exception:  # noqa: BLE001 - a failing fallback leaves the first answer in place
        return ""


def _paragraph_chars(tree: Any) -> int:
    """Characters of text in the page's <p> elements: what an article body could hold."""
    return sum(len(p.text_content()) for p in tree.iter("p"))


def _readability(html: str, url: str | None = None) -> str:
    """readability-lxml's densest block, as lines of text (``url`` unused: the shape of _recall)."""
    from readability import Document

    try:
        summary = Document(html).summary(html_partial=True)
        doc = lxml.html.fragment_fromstring(summary, create_parent="div")
    except Exception:  # noqa: BLE001 - readability raises bare Exceptions on odd pages
        return ""
    blocks = [_text(el) for el in doc.iter("p", "h2", "h3", "h4", "li", "blockquote", "pre")]
    return "\n".join(b for b in blocks if b)


def _captions(tree: Any, structured: dict[str, Any]) -> list[str]:
    """Caption and credit texts: figcaption, caption classes, JSON-LD image.caption."""
    seen: dict[str, None] = {}
    for el in _XP_CAPTIONS(tree):
        text = _text(el)
        if 3 <= len(text) <= 600:
            seen.setdefault(text, None)
    for text in structured.get("image_captions", []):
        seen.setdefault(text, None)
    return list(seen)


# --- 3. body cleaning -----------------------------------------------------------------


def _clean_body(body: str, title: str | None, captions: list[str]) -> tuple[list[str], list[str]]:
    """Paragraphs without the headline, captions, link lines and link boxes; the removed lines."""
    key = _key(title) if title else None
    cap_keys = {_key(c) for c in captions}
    seen: set[str] = set()
    keep, removed = [], []
    for i, line in enumerate(ln.strip() for ln in body.splitlines()):
        if not line:
            continue
        k = _key(line)
        if (
            (key and k == key and i < 3)
            or (k in cap_keys and len(k) > 20)
            or (len(k) >= _REPEATED and k in seen)  # a page that prints its article twice (mobile + desktop)
            or _WIDGET_LINE.match(line)
        ):
            removed.append(line)
            continue
        seen.add(k)
        keep.append(line)
    keep, boxes = drop_boxes(keep)
    return keep, removed + boxes


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _dateline(paragraphs: list[str], found: _Found) -> None:
    """Split a wire dateline ("SEOUL, Jan. 20 (Yonhap) --") off the first paragraph."""
    from .textclean import split_dateline

    split = split_dateline(paragraphs, wire_only=True)
    if split is None:
        return
    parts, prefix = split
    found.put("dateline", parts.get("place"), "html.dateline", prefix)
    found.put("agency", parts.get("agency"), "html.dateline", prefix)


# --- 4. title, authors, date ------------------------------------------------------------


def _pick_title(headings: list[str], structured: dict[str, Any], tree: Any, found: _Found) -> str | None:
    """The h1 that agrees with the structured headline, else the headline without the site name."""
    candidates = [
        ("json-ld headline", structured.get("headline")),
        ("og:title", structured.get("og|og:title") or structured.get("meta|og:title")),
        ("twitter:title", structured.get("meta|twitter:title")),
        ("json-ld page name", structured.get("page_headline")),
        ("<title>", " ".join((tree.findtext(".//title") or "").split())),
    ]
    refs = [(src, v) for src, v in candidates if isinstance(v, str) and v.strip()]
    h1s = [h for h in headings if 2 <= len(h.split()) <= 40]
    for h in h1s:
        for src, ref in refs:
            if _agrees(h, ref):
                found.put("title", h, "html.h1", f"agrees with {src}")
                return h
    if len(h1s) == 1 and not refs:
        found.put("title", h1s[0], "html.h1", "only h1")
        return h1s[0]
    for src, ref in refs:
        title = _strip_site(ref, structured.get("publisher"))
        if title:
            found.put("title", title, "html.meta", src)
            return title
    if h1s:
        found.put("title", h1s[0], "html.h1", "first h1")
        return h1s[0]
    return None


def _agrees(heading: str, ref: str) -> bool:
    """A heading agrees with a reference title when it is (nearly) a part of it."""
    h, r = _key(heading), _key(ref)
    if not h or not r:
        return False
    if h == r or (r.startswith(h) and len(h) >= 0.5 * len(r)) or (h in r and len(h) >= 0.6 * len(r)):
        return True
    hw, rw = set(h.split()), set(r.split())
    return len(hw & rw) / len(hw) >= 0.8 and len(hw & rw) / len(rw) >= 0.6


def _strip_site(title: str, publisher: Any) -> str:
    """Drop a " | Site name" / "Site - " part: the longest segment is the headline."""
    parts = _TITLE_SPLIT.split(" ".join(title.split()))
    if len(parts) == 1:
        return parts[0]
    pub = _key(str(publisher or ""))
    kept = [p for p in parts if _key(p) != pub]
    return max(kept or parts, key=len)


def normalise_authors(values: list[str], publisher: str | None = None) -> tuple[str, ...]:
    """Author names as a clean, de-duplicated list.

    Args:
        values: raw author strings ("By A and B", "A; B", "A, Staff Writer").
        publisher: the site name, which is not an author.

    Returns:
        The names, in order, without "By", roles after a comma, URLs or the publisher.
    """
    out: dict[str, None] = {}
    pub = _key(publisher or "")
    for value in values:
        value = _AUTHOR_NOISE.sub("", " ".join(html_lib.unescape(str(value)).split()))
        value = _AUTHOR_TAIL.sub("", value) if not _AUTHOR_TAIL.match(value) else value
        for name in _split_names(value):
            name = _drop_role(_AUTHOR_TAIL.sub("", _AUTHOR_NOISE.sub("", name))).strip(" :-,\"'“”")
            if name.casefold() in _NOT_NAMES or (re.search(r"\w\.\w+\.\w", name) and " " not in name):
                continue
            last = name.split()[-1] if name.split() else ""
            if last.endswith(".") and "." not in last[:-1] and len(last) > 3:
                name = name[:-1]  # a sentence period, not "Jr." or "Ph.D."
            if (
                not name
                or "http" in name
                or "@" in name
                or len(name) > 60
                or not re.search(r"[^\W\d_]", name)
            ):
                continue
            if _key(name) == pub or len(name.split()) > 6:
                continue
            out.setdefault(name, None)
    return tuple(out)


def _drop_role(name: str) -> str:
    """Cut a byline at the first job-title word after the name's first two words."""
    words = name.split()
    for i, word in enumerate(words[2:], start=2):
        if word.casefold() in _ROLE_WORDS:
            return " ".join(words[:i])
    return name


#: "By Jane Doe" in text whose element boundaries are marked with ``_BOUNDARY``: the label may end
#: one element ("By" <a>Jane Doe</a>); the name ends its element or a byline separator ("|", "·"),
#: so it neither runs into the next element ("Jane Doe" "Share") nor comes from a sentence
#: ("funded by USF. It ...")
_BY_NAME = re.compile(
    r"\b(?:[Bb]y|BY|Author|Written by|Contributors?)(?: ?:)?[\s\x1f]+"
    r"([A-Z][\w.'’-]+(?: [A-Z][\w.'’-]*){1,3})(?=[ ]?(?:\x1f|$|[|·•]))"
)
_BOUNDARY = "\x1f"
_XP_TEXT_AFTER = etree.XPath("following::text()[not(parent::script) and not(parent::style)]")


def _by_near_headline(tree: Any) -> list[str]:
    """A "By Jane Doe" printed just under the first h1, the name being a whole element's text."""
    h1 = next((el for el in tree.iter("h1") if _text(el)), None)
    if h1 is None:
        return []
    parts: list[str] = []
    size = 0
    for node in _XP_TEXT_AFTER(h1):
        part = " ".join(str(node).split())
        if part:
            parts.append(part)
            size += len(part) + 1
            if size > _NEAR_AFTER:
                break
    m = _BY_NAME.search(_BOUNDARY.join(parts)[:_NEAR_AFTER])
    return [m.group(1)] if m else []


def _split_names(value: str) -> list[str]:
    """Split on ; & "and" |, and on commas only between names ("A, Ph.D." stays whole)."""
    names: list[str] = []
    for part in re.split(r"\s*(?:;|\band\b|&|\|)\s*", value):
        pieces = [p.strip() for p in part.split(",")]
        while len(pieces) > 1 and _is_role(pieces[-1]):
            pieces.pop()  # "Tom Krisher, AP Auto Writer": the job title is not a second author
        part = ", ".join(pieces)
        if len(pieces) > 1 and all(_looks_like_name(p) for p in pieces):
            names.extend(pieces)
        else:
            names.append(part.strip())
    return names


def _is_role(text: str) -> bool:
    return any(w.casefold() in _ROLE_WORDS for w in text.split())


def _looks_like_name(text: str) -> bool:
    words = text.split()
    return 2 <= len(words) <= 4 and all(w[:1].isupper() and "." not in w[1:] for w in words)


def _byline_elements(tree: Any) -> list[str]:
    """Visible bylines: rel/itemprop author, author/byline classes (first few)."""
    out = []
    for el in _XP_BYLINE(tree)[:5]:
        text = _text(el)
        if 2 <= len(text) <= 80:
            out.append(text)
    return out[:1]


def _authors(tree: Any, structured: dict[str, Any], found: _Found) -> None:
    """Structured authors first, then bylines in the markup (trafilatura's rules, then ours).

    Metadata that repeats the publisher as the author names no one, so the publisher is dropped
    from it; a byline printed on the page may name the site itself ("Written By Audiophile On").
    """
    publisher = structured.get("publisher")
    meta_keys = ("meta|author", "meta|article:author", "meta|dc.creator")
    meta = [structured[k] for k in meta_keys if structured.get(k)]
    sources: list[tuple[str, Any, str | None]] = [  # (source, values, publisher to drop)
        ("json-ld author", structured.get("jsonld_authors") or [], publisher),
        ("meta author", meta, publisher),
        ("html byline", lambda: _byline_elements(tree), None),
        ("trafilatura byline", lambda: _trafilatura_author(tree), None),
        ("'By ...' near the headline", lambda: _by_near_headline(tree), None),
    ]
    for src, values, not_author in sources:
        values = values() if callable(values) else values  # bylines are only searched when needed
        names = normalise_authors([v for v in values if isinstance(v, str)], not_author)
        if names:
            found.put("authors", names, src, "; ".join(values)[:200])
            return


def _published(
    tree: Any,
    structured: dict[str, Any],
    url: str | None,
    found: _Found,
    headings: list[str],
    page: _PageText,
) -> None:
    """The publication date, with where it came from.

    1. Structured ISO dates first (JSON-LD, the known meta tags, ``<time datePublished>``, then any
       meta name that says "published date" after a vendor prefix), time zone kept.
    2. Weaker evidence (site-wide WebPage dates, htmldate's markup rules) only when that day is
       printed on the page near the headline: the rule that answers "no date" instead of guessing.
    3. A date printed next to the headline (not one of several dates above it: a list of other
       stories), then structured dates in human formats
       ("Thu, 09/25/2025", "2023 Jan 7"), then a full date in the URL path.
    4. A date printed next to the headline replaces the answer when it is not labelled as a change
       ("Updated ...") and an independent machine-readable date agrees with it: pages that state
       a UTC time for a post their URL and byline date locally, or a stale structured date.
    5. Failing all that, a `<time datetime>` that prints its day (in any layout whose numbers are
       that day's), then a date the page labels
       "Published"/"Posted on" or prints after a "by ..." byline anywhere in its text.
    6. A byline date printed just after the headline replaces a structured date that it contradicts,
       unless it is labelled or marked up as a change, is a day away (a time-zone shift) or is an
       ambiguous numeric date: CMS imports and migrations restamp metadata, not the byline.
    7. Likewise the page's one "Published on X" statement ("originally published on ...").
    8. The learned ranker (:func:`_ranked`) keeps that answer or picks another candidate day.
    """
    headings = _headline_order(tree, structured, headings)
    choice = _rule_choice(tree, structured, url, page, headings)
    choice = _ranked(choice, tree, structured, url, page, headings)
    if choice is not None:
        _put_when(*choice, found)


def _headline_order(tree: Any, structured: dict[str, Any], headings: list[str]) -> list[str]:
    """The ``<h1>`` texts, the article's headline first ("Search" or "Menu" h1s are not it)."""
    from .htmldates import headline_first

    titles = [structured.get("og|og:title"), structured.get("headline"), tree.findtext(".//title")]
    return headline_first(headings, titles)


def _rule_choice(
    tree: Any, structured: dict[str, Any], url: str | None, page: _PageText, headings: list[str]
) -> _Choice | None:
    """The hand rules' publication date (steps 1-7 of :func:`_published`)."""
    choice = _structured_when(tree, structured, url) or _weak_when(structured, tree, url, page, headings)
    if choice is None:
        near = _dates_near_headline(page.lower, headings)
        if near:
            choice = (near[0][0], "text near the headline", near[0][0].isoformat())
    if choice is None:
        # human-formatted dates in metadata ("Jun 24, 2025") are often a template's: they come late
        choice = _structured_when(tree, structured, url, _parse_loose)
    if choice is None:
        day = _url_date(url)
        choice = (day, "url date", url or "") if day else None
    if choice is None:
        choice = _shown_time(tree, url, page) or _labelled(page)
    printed = _corroborated_printed(choice, tree, structured, url, page, headings)
    printed = printed or _byline_over_metadata(choice, tree, structured, url, page, headings)
    printed = printed or _statement_over_metadata(choice, page)
    return printed if printed is not None else choice


def _ranked(
    choice: _Choice | None,
    tree: Any,
    structured: dict[str, Any],
    url: str | None,
    page: _PageText,
    headings: list[str],
) -> _Choice | None:
    """The learned ranker's day among all candidates, when one ships (step 8).

    The rules' answer is one candidate among the days the markup states and the page prints;
    the ranker (:mod:`.dateranker`) keeps it, picks another, or answers "no date".
    """
    from .dateranker import load_ranker

    ranker = load_ranker()
    if ranker is None:
        return choice
    stated = _stated_days(tree, structured, url)
    candidates = _date_candidates(choice, stated, page, headings)
    day, _ = ranker.choose(candidates)
    if day is None:
        return None
    if choice is not None and _day(choice[0]) == day:
        return choice  # the rules' value keeps its time and zone
    if choice is not None and day not in {_day(w) for _, w, _ in stated} and _lists_items(page.lower):
        return choice  # a day only the text gives does not overrule the rules on a list page
    when = next((w for _, w, _ in stated if _day(w) == day and isinstance(w, datetime)), day)
    return when, "date ranker", f"ranked over {len(candidates)} candidate days"


def _lists_items(text: str) -> bool:
    """A "Published on <date>" label printed again and again: a list of other articles
    (the rule :func:`.htmldates.stated_publication` applies to the page's own statement)."""
    from .htmldates import labelled_dates

    return len(labelled_dates(text, bylines=False)) > 1


def _date_candidates(
    choice: _Choice | None,
    stated: list[tuple[str, datetime | date, str]],
    page: _PageText,
    headings: list[str],
) -> dict[date, dict[str, float]]:
    """Candidate days with the ranker's features (the rules' answer is the source "rules")."""
    from .dateranker import candidate_features

    pairs = [(src, d) for src, w, _ in stated if (d := _day(w)) is not None]
    rules_day = _day(choice[0]) if choice else None
    if rules_day is not None:
        pairs.append(("rules", rules_day))
    text = page.lower
    span = None
    for heading in headings:
        key = heading.lower()[:60]
        at = text.find(key) if key else -1
        if at >= 0:
            span = (at, at + len(heading))
            break
    return candidate_features(pairs, text, span)


def _stated_days(
    tree: Any, structured: dict[str, Any], url: str | None
) -> list[tuple[str, datetime | date, str]]:
    """Every machine-readable date of the page as ``(source, value, raw)``, sources as in ``dateranker``."""
    page = structured.get("jsonld_page_dates", [])
    raw: list[tuple[str, Any]] = [
        ({"dateCreated": "jsonld_created", "dateModified": "jsonld_modified"}.get(f, "jsonld_published"), v)
        for f, v in structured.get("jsonld_dates", [])
        if (f, v) not in page
    ]
    raw += [("jsonld_page_modified" if f == "dateModified" else "jsonld_page", v) for f, v in page]
    known = set()
    for k in _META_DATE_KEYS:
        known |= {f"og|{k}", f"meta|{k}"}
        value = structured.get(f"og|{k}") or structured.get(f"meta|{k}")
        raw.append(("meta_published" if _parse_when(value, url) else "meta_loose", value))
    for k, v in structured.items():
        if k.startswith(("meta|", "og|")) and k not in known and _DATE_NAME.search(k):
            published = _vendor_published(k) and _parse_when(v, url)
            kind = "meta_modified" if _CHANGED.search(k) else "meta_published" if published else "meta_other"
            raw.append((kind, v))
    for el in _XP_TIME(tree)[:15]:
        kind = "time_modified" if marked_as_change(el) else "time"
        if el.get("itemprop") == "datePublished" or el.get("pubdate") is not None:
            kind = "time_published"
        raw.append((kind, el.get("datetime")))
    out: list[tuple[str, datetime | date, str]] = []
    for src, value in raw:
        when = (_parse_loose if src == "meta_loose" else _parse_when)(value, url)
        if when is not None:
            out.append((src, when, str(value)))
    day = _url_date(url)
    if day is not None:
        out.append(("url", day, url or ""))
    return out


_Choice = tuple[datetime | date, str, str]  # the date, its source, the raw value
_Parser = Callable[[Any, str | None], datetime | date | None]


def _shown_time(tree: Any, url: str | None, page: _PageText) -> _Choice | None:
    """The first ``<time datetime>`` that prints its own day and is not a change date (step 5)."""
    from .htmldates import CHANGE_LABEL

    for el in _XP_TIME(tree)[:15]:
        if marked_as_change(el):
            continue
        day, shown = _day(_parse_when(el.get("datetime"), url)), " ".join(_text(el).lower().split())
        if day is None or not shown or not (_printed(day, shown) or _shows_day(day, shown)):
            continue  # a reader cannot see this date: markup alone is not the page's word
        at = page.lower.find(shown)
        if at >= 0 and CHANGE_LABEL.search(page.lower[max(0, at - _LABEL_CHARS) : at]):
            continue  # "Last updated: <time>"
        return day, "<time> shown on the page", el.get("datetime") or ""
    return None


def _labelled(page: _PageText) -> _Choice | None:
    """A date labelled "Published"/"Posted on", or printed after a "by" byline, in the text (step 5)."""
    from .htmldates import labelled_published

    day = labelled_published(page.lower)
    return (day, "labelled date in the text", day.isoformat()) if day else None


def _byline_over_metadata(
    choice: _Choice | None,
    tree: Any,
    structured: dict[str, Any],
    url: str | None,
    page: _PageText,
    headings: list[str],
) -> _Choice | None:
    """The byline date after the headline, when no metadata says it is a change date (step 6)."""
    from .htmldates import CHANGE_LABEL, byline_date, change_values

    if choice is None:
        return None
    found = byline_date(page.lower, headings)
    if found is None:
        return None
    days, before = found
    current = _day(choice[0])
    if len(days) != 1 or current is None or CHANGE_LABEL.search(before[-_BYLINE_LABEL_CHARS:]):
        return None
    day = days.pop()
    if abs((day - current).days) <= 1:  # the same moment seen from another time zone
        return None
    times = _XP_TIME(tree)[:15]
    changed = change_values(structured.get("jsonld_dates", []), structured, times)
    if day in {_day(_parse_when(v, url)) for v in changed}:
        return None  # the byline shows the update date: the publication date stands
    return day, "byline date after the headline", f"metadata said {current}"


def _statement_over_metadata(choice: _Choice | None, page: _PageText) -> _Choice | None:
    """The page's one "Published on X" statement, when it contradicts the answer (step 7)."""
    from .htmldates import stated_publication

    current = _day(choice[0]) if choice else None
    if current is None:
        return None
    day = stated_publication(page.lower)
    if day is None or abs((day - current).days) <= 1:  # a day apart: the same moment, another zone
        return None
    return day, "labelled date in the text", f"the page says published {day}; metadata said {current}"


def _structured_when(
    tree: Any, structured: dict[str, Any], url: str | None, parse: _Parser | None = None
) -> _Choice | None:
    """The first structured publication date that ``parse`` (ISO by default) reads."""
    parse = parse or _parse_when
    candidates = [("json-ld datePublished", structured.get("datePublished"))]
    candidates += [
        (f"meta {k}", structured.get(f"og|{k}") or structured.get(f"meta|{k}")) for k in _META_DATE_KEYS
    ]
    for el in _XP_TIME_PUBLISHED(tree)[:1]:
        candidates.append(("<time datePublished>", el.get("datetime")))
    candidates += [(f"meta {k.split('|', 1)[1]}", v) for k, v in structured.items() if _vendor_published(k)]
    for src, value in candidates:
        when = parse(value, url)
        if when is not None:
            return when, src, str(value)
    return None


def _weak_when(
    structured: dict[str, Any], tree: Any, url: str | None, page: _PageText, headings: list[str]
) -> _Choice | None:
    """A WebPage or htmldate date, only when that day is printed near the headline."""
    weak = [("json-ld page datePublished", _parse_when(structured.get("page_datePublished"), url))]
    weak.append(("htmldate", _htmldate(tree, url)))
    zone = None
    for src, when in weak:
        if when is None:
            continue
        zone = _headline_zone(page.lower, headings) if zone is None else zone
        day = when.date() if isinstance(when, datetime) else when
        if _printed(day, zone):
            return when, src, "printed on the page"
    return None


def _corroborated_printed(
    choice: _Choice | None,
    tree: Any,
    structured: dict[str, Any],
    url: str | None,
    page: _PageText,
    headings: list[str],
) -> _Choice | None:
    """The first date printed near the headline, when a machine-readable date backs it (step 4)."""
    current = choice[0] if choice else None
    current_day = current.date() if isinstance(current, datetime) else current
    machine = _machine_days(tree, structured, url)
    if not machine - {current_day}:
        return None  # nothing could corroborate a different day: skip the page-text search
    near = _dates_near_headline(page.lower, headings)
    if not near:
        return None
    day, before = near[0]
    if day == current_day or day not in machine or _CHANGED.search(before[-_LABEL_CHARS:]):
        return None
    return day, "text near the headline", f"agrees with a machine-readable date; was {current_day}"


def _machine_days(tree: Any, structured: dict[str, Any], url: str | None) -> set[date]:
    """Days stated in markup that are not change dates: JSON-LD, meta tags, <time>, the URL."""
    values = [v for field, v in structured.get("jsonld_dates", []) if field != "dateModified"]
    values += [
        v
        for k, v in structured.items()
        if k.startswith(("meta|", "og|")) and _DATE_NAME.search(k) and not _CHANGED.search(k)
    ]
    for el in _XP_TIME(tree)[:15]:
        if not marked_as_change(el):
            values.append(el.get("datetime"))
    days = {_day(_parse_when(v, url)) for v in values} | {_url_date(url)}
    return {d for d in days if d is not None}


def _day(when: datetime | date | None) -> date | None:
    return when.date() if isinstance(when, datetime) else when


def _url_date(url: str | None) -> date | None:
    """A full year/month/day in the URL path, as blogs print their posts' dates."""
    m = _URL_DATE.search(url or "")
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def _parse_loose(value: Any, url: str | None) -> datetime | date | None:
    """ISO first, then the forms seen in metadata: "09/25/2025", "2023 Jan 7", "July 17, 2025"."""
    when = _parse_when(value, url)
    if when is not None or not isinstance(value, str):
        return when
    from .textclean import _parse_date

    m = re.search(r"\b(\d{1,2})/(\d{1,2})/((?:19|20)\d\d)\b", value)  # US order, as the metadata of US sites
    if m:
        try:
            return date(int(m[3]), int(m[1]), int(m[2]))
        except ValueError:
            return None
    m = re.match(r"\s*((?:19|20)\d\d)\s+([A-Za-z]{3,9})\.?\s+(\d{1,2})\s*$", value)
    if m:
        return _parse_date(f"{m[2]} {m[3]}, {m[1]}")
    return _parse_date(value) if len(value) <= 40 else None


def _parse_when(value: Any, url: str | None) -> datetime | date | None:
    """An ISO-ish date string as an aware datetime (zone kept) or a date."""
    if not isinstance(value, str) or not re.match(r"\s*\d{4}-\d{2}", value):
        return None
    text = value.strip().replace("Z", "+00:00").replace(" ", "T", 1)
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            return None
    if when.tzinfo is None:
        if len(text) <= 10 or when.time() == datetime.min.time():
            return when.date()
        from .textclean import source_for

        _, row = source_for(url=url)
        return when.replace(tzinfo=ZoneInfo(row.zone)) if row and row.zone else when.date()
    return when


def _put_when(when: datetime | date, src: str, raw: str, found: _Found) -> None:
    if isinstance(when, datetime):
        found.put("published", when, src, raw)
        found.put("published_date", when.date(), src, raw)
        if when.tzinfo is not None and hasattr(when.tzinfo, "key"):
            found.put("timezone", when.tzinfo.key, src, raw)
    else:
        found.put("published_date", when, src, raw)


def _htmldate(tree: Any, url: str | None) -> date | datetime | None:
    """htmldate's markup-based answer (no extensive text search: no guessing)."""
    from htmldate import find_date

    try:
        value = find_date(tree, url=url, original_date=True, extensive_search=False)
    except Exception:  # noqa: BLE001 - htmldate raises on odd markup; no date is the answer
        value = None
    return _parse_when(value, url) if value else None


_NEAR_BEFORE, _NEAR_AFTER = 300, 1000  # characters of page text around the headline searched for a date


def _headline_zone(text: str, headings: list[str]) -> str:
    """The page text around the first h1 found in it (all of it when no h1 is found)."""
    for heading in headings:
        key = heading.lower()[:60]
        at = text.find(key) if key else -1
        if at >= 0:
            return text[max(0, at - 3 * _NEAR_BEFORE) : at + len(heading) + 3 * _NEAR_AFTER]
    return text


def _dates_near_headline(text: str, headings: list[str]) -> list[tuple[date, str]]:
    """Full dates printed around the first h1 found in the text, with the text before each.

    Dates inside a sentence ("valid through May 2") are skipped: the page talks about them.
    """
    from .htmldates import in_prose

    for heading in headings:
        key = heading.lower()[:60]
        at = text.find(key) if key else -1
        if at < 0:
            continue
        window = text[max(0, at - _NEAR_BEFORE) : at + len(heading) + _NEAR_AFTER]
        out = []
        for m in _NUMERIC_OR_NAMED_DATE.finditer(window):
            day = _match_day(m)
            if day is not None and not in_prose(window[: m.start()]):
                out.append((day, window[: m.start()]))
        starts = at - max(0, at - _NEAR_BEFORE)  # where the headline starts in the window
        if sum(len(before) < starts for _, before in out) > 1:
            # several dates above the headline are a list of other stories ("recent news"), not a kicker
            out = [(day, before) for day, before in out if len(before) >= starts]
        return out
    return []


_NUMERIC_OR_NAMED_DATE = re.compile(
    r"\b(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d\d"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,?\s+(?:19|20)\d\d"
    r"|(?:19|20)\d\d-\d\d-\d\d"
    r"|(?P<num>(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>(?:19|20)\d\d))"
    # dotted dates ("17.05.2021") are mostly day-first; htmldates.readings keeps both orders
    r"|(?P<dot>(?P<dd>\d{1,2})\.(?P<dm>\d{1,2})\.(?P<dy>(?:19|20)\d\d))"
    # year-first with dots or slashes ("2025.12.17", "2025/12/17") reads one way only
    r"|(?P<ymd>(?P<yy>(?:19|20)\d\d)(?P<ysep>[./])(?P<ym>\d{1,2})(?P=ysep)(?P<yd>\d{1,2})))\b"
)


def _match_day(m: re.Match[str]) -> date | None:
    """The day a :data:`_NUMERIC_OR_NAMED_DATE` match prints, numeric dates read in their usual order
    (month first with slashes, day first with dots; :func:`.htmldates.readings` gives both)."""
    from .textclean import _parse_date

    if m.group("num") or m.group("dot") or m.group("ymd"):
        return _numeric_date(m)
    return _parse_date(re.sub(r"(?<=\d)(?:st|nd|rd|th)\b", "", m.group(0)).title())  # "19th" -> "19"


def _numeric_date(m: re.Match[str]) -> date | None:
    try:
        if m.group("dot"):
            return date(int(m["dy"]), int(m["dm"]), int(m["dd"]))
        if m.group("ymd"):
            return date(int(m["yy"]), int(m["ym"]), int(m["yd"]))
        return date(int(m["y"]), int(m["m"]), int(m["d"]))
    except ValueError:
        return None


_MONTH_NAMES = "january february march april may june july august september october november december".split()


def _shows_day(day: date, text: str) -> bool:
    """Does a short date label print this day in any layout ("12/19 — 2025", "19 | 12 | 2025")?

    Its numbers and month name must be the day's year, month and day and nothing else.
    """
    if len(text) > 40:
        return False
    numbers = [int(x) for x in re.findall(r"\d+", text)]
    year = next((y for y in (day.year, day.year % 100) if y in numbers), None)
    if year is None:
        return False
    numbers.remove(year)
    words = re.findall(r"[a-z]{3,}", text)
    months = {i + 1 for i, name in enumerate(_MONTH_NAMES) for w in words if name.startswith(w)}
    if months:
        return months == {day.month} and numbers == [day.day]
    return sorted(numbers) == sorted([day.month, day.day])


def _printed(day: date, text: str) -> bool:
    """Is this day printed in the page text in a common format?"""
    y, m, d = day.year, day.month, day.day
    month = _MONTH_NAMES[m - 1]
    names = (month, month[:3], month[:3] + ".", "sept" if m == 9 else month, "sept." if m == 9 else month)
    forms = {
        f"{y}-{m:02d}-{d:02d}",
        f"{m:02d}/{d:02d}/{y}",
        f"{m}/{d}/{y}",
        f"{d:02d}/{m:02d}/{y}",
        f"{d}/{m}/{y}",
        f"{d:02d}.{m:02d}.{y}",
        f"{y}/{m:02d}/{d:02d}",
        f"{y}/{m}/{d}",
        f"{y}.{m:02d}.{d:02d}",
        f"{d}.{m}.{y}",
    }
    for name in names:
        for dd in (str(d), f"{d:02d}"):
            forms |= {
                f"{name} {dd}, {y}",
                f"{name} {dd} {y}",
                f"{dd} {name} {y}",
                f"{dd} {name}, {y}",
                f"{dd}. {name} {y}",
                f"{name} {dd}th, {y}",
                f"{name} {dd}st, {y}",
                f"{name} {dd}nd, {y}",
                f"{name} {dd}rd, {y}",
            }
    return any(f in text for f in forms)
