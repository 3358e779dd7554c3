"""The scraped-text cleaner: boilerplate out, body and wire metadata in.

Scraped news text (copied from a page, or dumped by a crawler) keeps the page's
furniture: navigation, headline, byline, time stamp, photo captions and credits,
feedback widgets, related-headline lists, e-mail sign-offs and "(END)". The
cleaner works line by line:

1. Every line is classified: wire regexes (time stamps, bylines, "(ATTN: ...)",
   "(END)", e-mails), pattern lists from ``data/extract/boilerplate.csv``,
   caption rules (a line with a trailing photo/agency credit and no dateline,
   or a line that repeats another line), lines learned as per-site template text
   (:class:`LineStats`), and otherwise a jusText-style length/stopword class
   (``good``: a prose paragraph, ``short``: anything else).
2. The header zone (headline, byline, time stamps, standfirst) is found and the
   body starts at the wire dateline or the first prose after the header.
3. The tail is cut at "(END)" or where only short, unconnected lines follow.
4. Inside the body, boilerplate lines are dropped and captions are kept apart;
   short lines between prose paragraphs (sub-headings) stay.
5. Metadata is read from what was removed: title, byline, time stamp with its time
   zone, dateline place/date/agency, section and trailing credits.

Every filled field carries a :class:`~dateline.model.Provenance`.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from .errors import DictionaryError
from .model import Provenance

__all__ = [
    "Cleaned",
    "LineStats",
    "SourceInfo",
    "clean_scraped",
    "load_sources",
    "parse_dateline",
    "source_for",
    "split_dateline",
]

# --- data -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """One row of ``data/extract/timezones.csv``."""

    kind: str  # agency | domain
    key: str
    zone: str
    outlet: str


def _data_rows(name: str) -> list[dict[str, str]]:
    """Rows of a CSV in ``data/extract`` (``#`` lines are comments)."""
    text = resources.files("dateline").joinpath(f"data/extract/{name}").read_text("utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return list(csv.DictReader(lines))


@lru_cache(maxsize=1)
def load_sources() -> tuple[SourceInfo, ...]:
    """The source -> time zone table, validated (unknown zones are a DictionaryError).

    Returns:
        All rows of ``data/extract/timezones.csv``.
    """
    rows = []
    for i, row in enumerate(_data_rows("timezones.csv"), start=2):
        kind, key, zone = row.get("kind", ""), row.get("key", "").strip(), row.get("zone", "").strip()
        if kind not in {"agency", "domain"} or not key:
            raise DictionaryError("data/extract/timezones.csv", i, f"bad kind/key {kind!r}/{key!r}")
        if zone:
            try:
                ZoneInfo(zone)
            except Exception:  # noqa: BLE001 - any failure means the zone name is wrong
                raise DictionaryError(
                    "data/extract/timezones.csv", i, f"unknown IANA zone {zone!r}"
                ) from None
        rows.append(SourceInfo(kind=kind, key=key, zone=zone, outlet=row.get("outlet", "").strip()))
    return tuple(rows)


def source_for(
    *, agency: str | None = None, url: str | None = None
) -> tuple[SourceInfo | None, SourceInfo | None]:
    """The table rows for an agency name and for a URL's host (either may be None).

    Args:
        agency: agency name as printed ("Yonhap").
        url: the article URL; subdomains match their parent's row.

    Returns:
        ``(agency_row, domain_row)``.
    """
    host = (urlparse(url).hostname or "").lower() if url else ""
    by_agency = by_domain = None
    for row in load_sources():
        if row.kind == "agency" and agency and row.key.lower() == agency.lower():
            by_agency = row
        elif row.kind == "domain" and host and (host == row.key or host.endswith("." + row.key)):
            by_domain = row
    return by_agency, by_domain


@lru_cache(maxsize=1)
def _boilerplate_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    out = []
    for i, row in enumerate(_data_rows("boilerplate.csv"), start=2):
        try:
            out.append((row["kind"], re.compile(row["pattern"], re.IGNORECASE)))
        except (re.error, KeyError) as exc:
            raise DictionaryError("data/extract/boilerplate.csv", i, f"bad pattern: {exc}") from None
    return tuple(out)


@lru_cache(maxsize=1)
def _agency_names() -> frozenset[str]:
    return frozenset(r.key.lower() for r in load_sources() if r.kind == "agency")


@lru_cache(maxsize=1)
def _english_stopwords() -> frozenset[str]:
    for row in _data_rows("stopwords.csv"):
        if row["lang"] == "en":
            return frozenset(row["words"].split())
    return frozenset()


# --- wire regexes -----------------------------------------------------------------

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_DASH = r"(?:--|—|–|-)"

#: "SEOUL, Jan. 20 (Yonhap) --", "DUBAI, United Arab Emirates (AP) —"
_WIRE_DATELINE = re.compile(
    rf"^(?P<place>[A-Z][A-Z'.\- ]*[A-Z]\.?)"
    rf"(?:, (?!{_MONTH} \d)(?P<region>[A-Z][\w.' ]+?))?"
    rf"(?:, (?P<date>{_MONTH} \d{{1,2}}))?"
    rf" \((?P<agency>[A-Z][^()]{{1,40}})\)\s*{_DASH}\s*"
)
#: "(CNN) —"
_AGENCY_ONLY = re.compile(rf"^\((?P<agency>[A-Z][\w .&-]{{1,30}})\)\s*{_DASH}\s*")
#: "MANILA --", "MUZAFFARABAD:"
_PLACE_ONLY = re.compile(r"^(?P<place>[A-Z][A-Z'.\-]{2,}(?: [A-Z][A-Z'.\-]+){0,3})\s*(?:--|—|–|:)\s+(?=\S)")
#: "Shafaq News/ The Israeli military ..."
_AGENCY_SLASH = re.compile(r"^(?P<agency>[A-Z][\w]+(?: [A-Z][\w]+){0,3})/\s+(?=[A-Z])")
#: trailing credit on the last paragraph: "... waters. - AFP", "... votes. | BGNES"
_TRAILING_CREDIT = re.compile(r"(?<=[.!?\"”'’])\s+[-–—|]\s*(?P<agency>[A-Z][A-Za-z]+(?: [A-Z][a-z]+)?)\s*$")
#: ... or in brackets: "... the measure. (AFP)"
_TRAILING_AGENCY = re.compile(r"(?<=[.!?\"”'’])\s*\((?P<agency>[A-Z][\w .&-]{1,30})\)\s*$")

#: scraper marker: " date 2024-01-14 rest-of-line"
_DATEMARK = re.compile(r"^date (?P<date>\d{4}-\d{2}-\d{2})\b\s*(?P<rest>.*)$")
#: "All News 21:19 January 20, 2022" (section, time, date)
_SECTION_STAMP = re.compile(
    rf"^(?P<section>[A-Z][\w&' ]{{1,30}}?)\s+(?P<time>\d{{1,2}}:\d{{2}})"
    rf"\s+(?P<date>{_MONTH} \d{{1,2}},? \d{{4}})$"
)
#: "• Published : Aug 8, 2017 - 09:44", "- Published", "Updated: ..."
_LABEL_STAMP = re.compile(
    r"^[•·\-–]?\s*(?P<label>Published|Updated|Posted|First published)\b\s*:?\s*(?P<rest>.*)$", re.I
)
#: "This story is from September 15, 2022"
_STORY_FROM = re.compile(r"^This (?:story|article) is from (?P<rest>.+)$", re.I)
#: "View Date:2024-12-23 14:33:46" -- when the page was viewed, not published
_VIEW_STAMP = re.compile(r"^(?:View|Access(?:ed)?|Retrieved) ?Date\s*:", re.I)
_DATE_TEXT = re.compile(
    rf"(?P<md>(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}}))"
    rf"|(?P<dm>(?P<day2>\d{{1,2}})\s+(?P<month2>{_MONTH})\s+(?P<year2>\d{{4}}))"
    r"|(?P<iso>(?P<y3>\d{4})-(?P<m3>\d{2})-(?P<d3>\d{2}))"
)
_TIME_TEXT = re.compile(r"\b(?P<h>\d{1,2}):(?P<m>\d{2})(?::\d{2})?\s*(?P<ampm>[ap]\.?m\.?)?", re.I)
_BYLINE = re.compile(r"^By\s+(?P<names>[A-Z][^\n]{1,120})$")
_CAPTION_CREDIT = re.compile(r"\((?P<credit>[^()]{2,80})\)\s*$")
_CAPTION_WORDS = re.compile(
    r"photo|pool|redistribution|getty|file|corps|courtesy|handout|reuters|afp|\bap\b", re.I
)
_CAPTION_MARKERS = re.compile(
    r"\((?:L|R|C|C, rear|front|\d+(?:st|nd|rd|th) from [LR])\)"
    r"|in this (?:file )?photo|photo (?:provided|released) by"
    r"|/ Photo:|\bPhoto:\s*\w+\s*$"
)
_TERMINAL = re.compile(r"[.!?…\"”’')\]]$")


# --- line model -------------------------------------------------------------------


@dataclass(slots=True)
class _Line:
    text: str
    gap: int  # blank lines before this one
    kind: str = ""  # "" (unclassified), good, short, or a boilerplate family
    note: str = ""


@dataclass(slots=True)
class Cleaned:
    """The cleaner's result: body paragraphs, removed lines and metadata with provenance."""

    paragraphs: list[str]
    boilerplate: list[str]
    captions: list[str]
    fields: dict[str, object] = field(default_factory=dict)
    provenance: dict[str, Provenance] = field(default_factory=dict)

    def put(self, name: str, value: object, source: str, detail: str = "") -> None:
        """Set a metadata field once (first rule wins) and record where it came from."""
        if value in (None, "", ()) or name in self.fields:
            return
        self.fields[name] = value
        self.provenance[name] = Provenance(field=name, source=source, detail=detail)


class LineStats:
    """Per-source line frequencies: a line seen on many pages of a site is template text.

    Args:
        min_docs: a line must occur in at least this many documents of the source.
        min_share: ... and in at least this share of them.
    """

    def __init__(self, min_docs: int = 3, min_share: float = 0.5) -> None:
        self.min_docs, self.min_share = min_docs, min_share
        self._docs: Counter[str] = Counter()
        self._lines: dict[str, Counter[str]] = defaultdict(Counter)

    def learn(self, source: str, text: str) -> None:
        """Count the distinct non-blank lines of one document from ``source``."""
        self._docs[source] += 1
        self._lines[source].update({_line_key(ln) for ln in text.splitlines() if ln.strip()})

    def templates(self, source: str) -> frozenset[str]:
        """Normalised lines that count as template text for ``source``."""
        n = self._docs[source]
        if n < self.min_docs:
            return frozenset()
        need = max(self.min_docs, self.min_share * n)
        return frozenset(k for k, c in self._lines[source].items() if c >= need)


def _line_key(line: str) -> str:
    return " ".join(line.split()).casefold()


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'’-]+", text)


# --- public entry -----------------------------------------------------------------


def clean_scraped(raw: str, *, url: str | None = None, templates: Iterable[str] = ()) -> Cleaned:
    """Clean one scraped article and read its metadata.

    Args:
        raw: the scraped text, boilerplate and all.
        url: the article's URL, when known (time zone and outlet by domain).
        templates: normalised lines known to be template text for this source
            (see :class:`LineStats`).

    Returns:
        The body paragraphs, removed lines, captions and metadata fields
        (``title``, ``authors``, ``published``, ``published_date``, ``timezone``,
        ``dateline``, ``agency``, ``section``, ``outlet``) with provenance.
    """
    out = Cleaned(paragraphs=[], boilerplate=[], captions=[])
    lines = _split(raw)
    _classify(lines, frozenset(templates), out)
    _credited_last_paragraph(lines)
    start = _body_start(lines, out)
    end = _body_end(lines, start)
    _title(lines, start, out)
    body = _body(lines, start, end, out)
    _dateline_meta(body, out)
    _trailing_credit(body, out)
    out.paragraphs = body
    _resolve_published(raw, url, out)
    _outlet(url, out)
    return out


# --- 1. classify --------------------------------------------------------------------


def _split(raw: str) -> list[_Line]:
    """Non-blank lines with the count of blank lines before each; "date ..." markers split."""
    lines: list[_Line] = []
    gap = 0
    for ln in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        text = " ".join(ln.replace("\u00a0", " ").split())
        if not text:
            gap += 1
            continue
        lines.append(_Line(text=text, gap=gap))
        gap = 0
    return lines


def _classify(lines: list[_Line], templates: frozenset[str], out: Cleaned) -> None:
    """Step 1: give every line a kind; metadata found on the way goes into ``out``."""
    seen = Counter(ln.text for ln in lines)
    i = 0
    while i < len(lines):
        ln = lines[i]
        rest = _datemark(ln, out)
        if rest is not None:
            if rest:
                lines.insert(i + 1, _Line(text=rest, gap=0, note="after-datemark"))
        elif _line_key(ln.text) in templates:
            ln.kind = "template"
        else:
            ln.kind = _kind(ln.text, out)
            if not ln.kind and seen[ln.text] > 1 and len(ln.text.split()) < 20:  # repeated headline
                ln.kind = "repeated"
            if not ln.kind:
                ln.kind = _prose_class(ln.text)
        i += 1


def _datemark(ln: _Line, out: Cleaned) -> str | None:
    """A crawler's " date YYYY-MM-DD ..." prefix: record the date, return the rest."""
    m = _DATEMARK.match(ln.text)
    if not m:
        return None
    ln.kind = "datemark"
    try:
        out.put("published_date", date.fromisoformat(m["date"]), "textclean.datemark", ln.text[:40])
    except ValueError:
        pass
    rest = m["rest"].strip()
    if rest and rest.isupper() and len(rest.split()) <= 3 and not _PLACE_ONLY.match(rest + " x"):
        out.put("section", rest.title(), "textclean.datemark", "section word after the date marker")
        return ""
    return rest


def _kind(text: str, out: Cleaned) -> str:
    """Boilerplate family of a line, or "" when it is not boilerplate."""
    for kind, pattern in _boilerplate_patterns():
        if pattern.search(text):
            return kind
    for rule in (_stamp_kind, _byline_kind, _caption_kind):
        kind = rule(text, out)
        if kind:
            return kind
    return ""


def _stamp_kind(text: str, out: Cleaned) -> str:
    """Time stamps: "All News 21:19 January 20, 2022", "Published : ...", bare dates."""
    if _VIEW_STAMP.match(text):
        return "stamp"
    m = _SECTION_STAMP.match(text)
    if m:
        out.put("section", m["section"].strip(), "textclean.stamp", text)
        _put_stamp(f"{m['date']} {m['time']}", text, out)
        return "stamp"
    m = _LABEL_STAMP.match(text) or _STORY_FROM.match(text)
    if m and len(text) < 80:
        if m["rest"] and (m.re is _STORY_FROM or m["label"].lower() != "updated"):
            _put_stamp(m["rest"], text, out)
        return "stamp"
    d = _DATE_TEXT.fullmatch(text.strip(" ."))
    if d:
        _put_stamp(text, text, out)
        return "stamp"
    return ""


def _put_stamp(stamp: str, line: str, out: Cleaned) -> None:
    """Record a printed date (and time, if any) from a stamp line."""
    day = _parse_date(stamp)
    if day is None:
        return
    out.put("published_date", day, "textclean.stamp", line)
    t = _TIME_TEXT.search(_DATE_TEXT.sub(" ", stamp))
    if t:
        hour, minute = int(t["h"]), int(t["m"])
        if t["ampm"] and t["ampm"].lower().startswith("p") and hour < 12:
            hour += 12
        if hour < 24 and minute < 60:
            out.fields.setdefault("_local_time", (hour, minute, line))


def _parse_date(text: str) -> date | None:
    m = _DATE_TEXT.search(text)
    if not m:
        return None
    try:
        if m["md"]:
            return date(int(m["year"]), _month(m["month"]), int(m["day"]))
        if m["dm"]:
            return date(int(m["year2"]), _month(m["month2"]), int(m["day2"]))
        return date(int(m["y3"]), int(m["m3"]), int(m["d3"]))
    except ValueError:
        return None


def _month(name: str) -> int:
    return _MONTHS[name[:3].lower()]


def _byline_kind(text: str, out: Cleaned) -> str:
    """ "By A and B, CNN" -> authors (and the agency after the last comma)."""
    m = _BYLINE.match(text)
    if not m or len(text.split()) > 14:
        return ""
    names = m["names"].strip().rstrip(".")
    parts = [p.strip() for p in names.split(",")]
    if len(parts) > 1 and parts[-1].lower() in _agency_names():
        out.put("agency", parts[-1], "textclean.byline", text)
        parts = parts[:-1]
    authors = tuple(a.strip() for a in re.split(r",|\band\b|&", ", ".join(parts)) if a.strip())
    out.put("authors", authors, "textclean.byline", text)
    return "byline"


def _caption_kind(text: str, out: Cleaned) -> str:
    """A photo caption: a trailing photo/agency credit or caption markers, and no dateline."""
    if _WIRE_DATELINE.match(text) or _AGENCY_ONLY.match(text):
        return ""
    credit = _CAPTION_CREDIT.search(text)
    credited = credit is not None and (
        credit["credit"].lower() in _agency_names() or bool(_CAPTION_WORDS.search(credit["credit"]))
    )
    if credited and credit is not None and credit.start() == 0:
        return "credit"  # a credit on its own line: "(Korea Summit Press Pool)"
    if credited or (_CAPTION_MARKERS.search(text) and len(text.split()) < 80):
        return "caption"
    return ""


_PHOTO_WORDS = re.compile(r"photo|pool|redistribution|getty|file|courtesy|handout|pictured|shown", re.I)


def _credited_last_paragraph(lines: list[_Line]) -> None:
    """A prose line whose only caption sign is an agency credit, with no prose after it, is
    the article's last paragraph signed by its agency ("... against the measure. (AFP)"), not
    a photo caption. Captions sit between paragraphs or carry photo words; dropping the last
    paragraph (or a one-paragraph brief whole) would lose text silently.
    """
    ended = False
    for i, ln in enumerate(lines):
        ended = ended or _is_end_mark(ln)
        if ln.kind != "caption" or ended or any(later.kind == "good" for later in lines[i + 1 :]):
            continue
        credit = _CAPTION_CREDIT.search(ln.text)
        prose = ln.text[: credit.start()].rstrip() if credit else ""
        if (
            credit is not None
            and credit["credit"].lower() in _agency_names()
            and _TERMINAL.search(prose)
            and not _CAPTION_MARKERS.search(ln.text)
            and not _PHOTO_WORDS.search(ln.text)
        ):
            ln.kind = _prose_class(ln.text)


def _prose_class(text: str) -> str:
    """jusText-style class: ``good`` for a prose paragraph, ``short`` otherwise."""
    words = _words(text)
    if len(words) >= 10 and _TERMINAL.search(text):
        stop = _english_stopwords()
        density = sum(w.lower() in stop for w in words) / len(words)
        if density >= 0.12 or len(words) >= 25:
            return "good"
    if len(words) >= 20:
        return "good"
    return "short"


# --- 2./3. body bounds --------------------------------------------------------------

_HEADER_KINDS = {
    "datemark",
    "stamp",
    "byline",
    "wire",
    "navigation",
    "caption",
    "credit",
    "template",
    "repeated",
}
_STRONG_HEADER = {"datemark", "stamp", "byline", "wire", "navigation", "template"}
_HEAD_WINDOW = 12


def _body_start(lines: list[_Line], out: Cleaned) -> int:
    """Step 2: index of the first body line."""
    window = range(min(len(lines), _HEAD_WINDOW))
    for i in window:  # a wire dateline opens the body
        if lines[i].kind == "good" and _is_dateline(lines[i].text):
            return i
    first_run = next((i for i in window if _opens_prose(lines, i)), len(lines))
    header_end = -1
    for i in window:  # the last strong header line (stamp, byline, ...) before the prose
        if i >= first_run or _is_end_mark(lines[i]):
            break  # "(END)" closes the story: what follows is no header of its body
        if lines[i].kind in _STRONG_HEADER or _is_head_block(lines, i):
            header_end = i
    while header_end + 1 < len(lines) and lines[header_end + 1].kind in _HEADER_KINDS:
        header_end += 1  # captions and credits right after it belong to the header too
    start = header_end + 1
    while start < len(lines) and lines[start].kind not in ("good",) and _is_title_like(lines, start):
        start += 1  # the headline
    start = _skip_standfirst(lines, start, out)
    return min(start, len(lines))


#: a paragraph this long is article prose even with no second paragraph after it
_LONG_PARAGRAPH_WORDS = 60


def _opens_prose(lines: list[_Line], i: int) -> bool:
    """Line ``i`` starts the prose: two paragraphs in a row, or one long paragraph."""
    if lines[i].kind != "good":
        return False
    return (i + 1 < len(lines) and lines[i + 1].kind == "good") or len(
        _words(lines[i].text)
    ) >= _LONG_PARAGRAPH_WORDS


def _is_end_mark(ln: _Line) -> bool:
    return ln.kind == "wire" and ln.text.upper() == "(END)"


def _is_dateline(text: str) -> bool:
    return bool(_WIRE_DATELINE.match(text) or _AGENCY_ONLY.match(text) or _PLACE_ONLY.match(text))


def _is_head_block(lines: list[_Line], i: int) -> bool:
    """A run of short lines cut off from the rest by a wide gap (menus, video strips)."""
    nxt = i + 1
    return lines[i].kind == "short" and nxt < len(lines) and lines[nxt].gap >= 3 and i == 0


def _is_title_like(lines: list[_Line], i: int) -> bool:
    ln = lines[i]
    if ln.kind != "short" or (_TERMINAL.search(ln.text) and not ln.text.endswith(")")):
        return False
    return 2 <= len(_words(ln.text)) <= 30 and i + 1 < len(lines) and not _continues(lines, i)


def _continues(lines: list[_Line], i: int) -> bool:
    """The next line carries on this one's sentence (a wrapped line, not a headline)."""
    nxt = lines[i + 1] if i + 1 < len(lines) else None
    return nxt is not None and nxt.gap == 0 and nxt.text[:1].islower()


def _skip_standfirst(lines: list[_Line], start: int, out: Cleaned) -> int:
    """A one-sentence summary on the date-marker line is a standfirst, not the lede."""
    if start >= len(lines) - 1 or lines[start].note != "after-datemark":
        return start
    ln = lines[start]
    if _is_dateline(ln.text) or len(_words(ln.text)) >= 25 or not _TERMINAL.search(ln.text):
        return start
    ln.kind = "standfirst"
    return start + 1


def _body_end(lines: list[_Line], start: int) -> int:
    """Step 3: index one past the last body line."""
    end = len(lines)
    for i in range(start, len(lines)):
        if _is_end_mark(lines[i]):
            end = i
            break
    # a block of short lines after a wide gap is the next item or a link list
    last_good = max((i for i in range(start, end) if lines[i].kind == "good"), default=-1)
    for i in range(max(start + 1, last_good + 1), end):
        if lines[i].gap >= 3:
            end = i
            break
    # trailing boilerplate and stray fragments ("L")
    while end > start:
        ln = lines[end - 1]
        if ln.kind in _HEADER_KINDS | {"copyright", "source", "email", "link", "separator", "feedback"}:
            end -= 1
        elif ln.kind == "short" and len(ln.text) <= 3:
            end -= 1
        else:
            break
    return end


# --- 4. body ------------------------------------------------------------------------


def _title(lines: list[_Line], start: int, out: Cleaned) -> None:
    """The headline: the first title-like line near the top (repeats count once)."""
    for i in range(min(len(lines), start + 3)):
        ln = lines[i]
        if (
            ln.kind in ("short", "repeated")
            and _is_title_like_text(ln.text)
            and i + 1 < len(lines)
            and not _continues(lines, i)
        ):
            if i >= start and i > 1:
                break
            out.put("title", ln.text, "textclean.title", f"headline-like line {i + 1}")
            ln.kind = "title"
            for other in lines:
                if other.text == ln.text and other is not ln:
                    other.kind = "title-repeat"
            return


def _is_title_like_text(text: str) -> bool:
    if _TERMINAL.search(text) and not text.endswith(")"):
        return False
    return 2 <= len(_words(text)) <= 30 and not _is_dateline(text)


def _body(lines: list[_Line], start: int, end: int, out: Cleaned) -> list[str]:
    """Step 4: keep prose and sub-headings, move captions aside, drop the rest."""
    keep: list[str] = []
    for i, ln in enumerate(lines):
        inside = start <= i < end
        if ln.kind == "title":
            continue
        if ln.kind == "caption":
            out.captions.append(ln.text)
        if inside and ln.kind in ("good", "short"):
            if ln.kind == "short" and _caption_headline(lines, i):
                out.boilerplate.append(ln.text)
                continue
            _append(keep, ln)
        else:
            out.boilerplate.append(ln.text)
    return keep


def _caption_headline(lines: list[_Line], i: int) -> bool:
    """A short line right before a caption is the caption's headline."""
    return i + 1 < len(lines) and lines[i + 1].kind in ("caption", "repeated", "title-repeat")


def _append(keep: list[str], ln: _Line) -> None:
    """Add a line as a paragraph, re-joining a paragraph that was wrapped mid-sentence."""
    if keep and ln.gap == 0 and ln.text[:1].islower() and not _TERMINAL.search(keep[-1]):
        keep[-1] = f"{keep[-1]} {ln.text}"
    else:
        keep.append(ln.text)


# --- 5. metadata ----------------------------------------------------------------------


def parse_dateline(text: str) -> tuple[dict[str, str], int] | None:
    """Split a wire dateline off the start of a paragraph.

    Args:
        text: a paragraph, e.g. ``"SEOUL, Jan. 20 (Yonhap) -- South Korea's ..."``.

    Returns:
        ``({"place", "date", "agency"} (those found), length of the prefix)`` or None.
    """
    for pattern in (_WIRE_DATELINE, _AGENCY_ONLY, _PLACE_ONLY, _AGENCY_SLASH):
        m = pattern.match(text)
        if not m or m.end() >= len(text):
            continue
        found = {k: v for k, v in m.groupdict().items() if v}
        if "region" in found:
            found["place"] = f"{found['place']}, {found.pop('region')}"
        if pattern is _AGENCY_SLASH and found["agency"].lower() not in _agency_names():
            if len(found["agency"].split()) < 2:
                continue
        return found, m.end()
    return None


def split_dateline(paragraphs: list[str], *, wire_only: bool = False) -> tuple[dict[str, str], str] | None:
    """Cut a wire dateline off the first paragraph, in place.

    Args:
        paragraphs: the body paragraphs; the first one loses its dateline prefix.
        wire_only: accept only "PLACE, Date (Agency) --" and "(Agency) --" openings (HTML
            pages, where a bare "PLACE:" opens a heading more often than a dateline).

    Returns:
        The dateline's parts (see :func:`parse_dateline`) and the prefix cut off, or None.
    """
    if not paragraphs:
        return None
    first = paragraphs[0]
    if wire_only and not (_WIRE_DATELINE.match(first) or _AGENCY_ONLY.match(first)):
        return None
    parsed = parse_dateline(first)
    if parsed is None:
        return None
    found, length = parsed
    paragraphs[0] = first[length:].lstrip()
    return found, first[:length].strip()


def _dateline_meta(body: list[str], out: Cleaned) -> None:
    split = split_dateline(body)
    if split is None:
        return
    found, prefix = split
    out.put("dateline", found.get("place", "").strip(), "textclean.dateline", prefix)
    out.put("agency", found.get("agency"), "textclean.dateline", prefix)
    if found.get("date"):
        out.fields["_dateline_date"] = found["date"]


def _trailing_credit(body: list[str], out: Cleaned) -> None:
    """ "... waters. - AFP" at the very end: the agency, not body text."""
    if not body:
        return
    m = _TRAILING_CREDIT.search(body[-1])
    if not m or (m["agency"].lower() not in _agency_names() and not m["agency"].isupper()):
        m = _TRAILING_AGENCY.search(body[-1])  # "... the measure. (AFP)"
        if not m or m["agency"].lower() not in _agency_names():
            return
    out.put("agency", m["agency"], "textclean.credit", m.group(0).strip())
    out.boilerplate.append(m.group(0).strip())
    body[-1] = body[-1][: m.start()].rstrip()


def _resolve_published(raw: str, url: str | None, out: Cleaned) -> None:
    """Publication date/time: stamps first, then the dateline's month-day with a known year."""
    md = out.fields.pop("_dateline_date", None)
    if "published_date" not in out.fields and isinstance(md, str):
        from_dateline = _dateline_day(md, raw, url)
        if from_dateline:
            out.put(
                "published_date", from_dateline, "textclean.dateline", f"{md} with the year printed elsewhere"
            )
    local = out.fields.pop("_local_time", None)
    day = out.fields.get("published_date")
    if not isinstance(local, tuple) or not isinstance(day, date):
        return
    agency_row, domain_row = source_for(agency=str(out.fields.get("agency") or ""), url=url)
    row = next((r for r in (agency_row, domain_row) if r and r.zone), None)
    if row is None:
        return
    hour, minute, line = local
    when = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(row.zone))
    out.put("published", when, "textclean.stamp", f"{line} (local time)")
    out.put("timezone", row.zone, "data/extract/timezones.csv", f"{row.kind} {row.key}")


def _dateline_day(md: str, raw: str, url: str | None) -> date | None:
    """Month-day from a dateline, with the year of a full date for that day in the text or URL."""
    m = re.match(rf"(?P<month>{_MONTH}) (?P<day>\d{{1,2}})", md)
    if not m:
        return None
    month, day = _month(m["month"]), int(m["day"])
    for found in _DATE_TEXT.finditer(raw):
        d = _parse_date(found.group(0))
        if d and (d.month, d.day) == (month, day):
            return d
    for y, mo, dd in re.findall(r"(?<!\d)(20\d\d|19\d\d)[/-]?(\d\d)[/-]?(\d\d)(?!\d)", url or ""):
        if (int(mo), int(dd)) == (month, day):
            return date(int(y), month, day)
    return None


def _outlet(url: str | None, out: Cleaned) -> None:
    _, row = source_for(url=url)
    if row and row.outlet:
        out.put("outlet", row.outlet, "data/extract/timezones.csv", f"domain {row.key}")
