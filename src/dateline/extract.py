"""Article extraction: raw page or scraped text -> clean body, metadata, boilerplate.

:func:`extract` is a pure function (no Context) used by the stage, the
``dateline extract`` command, the evaluation and the HTTP API. It dispatches on the
content type: HTML goes to :mod:`dateline.htmlextract` (trafilatura plus structured
metadata), text to :mod:`dateline.textclean` (line classifier and wire regexes).

Inputs that cannot be coded raise an :class:`~dateline.errors.InputError`
subclass: :class:`NotAnArticleError` for an empty body, :class:`LanguageError`
for a body that is clearly not English (checked by :func:`detect_language`, a
light script + stopword test with no downloads).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar
from urllib.parse import urlparse

from .context import Context
from .errors import LanguageError, NotAnArticleError
from .model import Meta, Provenance, Story
from .pipeline import Stage
from .settings import Settings
from .textclean import LineStats, _data_rows, clean_scraped

__all__ = ["ExtractStage", "Extracted", "detect_language", "extract", "extract_story", "sniff_content_type"]

_HTML_SNIFF = re.compile(r"<\s*(?:!doctype\s+html|html|head|body|div|p|article|meta|title)\b", re.I)
#: below this many letters the language check abstains ("und")
_MIN_LETTERS = 40


@dataclass(frozen=True, slots=True)
class Extracted:
    """The result of :func:`extract`."""

    text: str
    meta: Meta
    boilerplate: tuple[str, ...] = ()


def sniff_content_type(raw: str) -> str:
    """``"text/html"`` when the text starts like markup, else ``"text/plain"``."""
    return "text/html" if _HTML_SNIFF.search(raw[:2000]) else "text/plain"


def extract(
    raw: str,
    *,
    content_type: str | None = None,
    url: str | None = None,
    templates: Iterable[str] = (),
    languages: Iterable[str] = ("en",),
) -> Extracted:
    """Extract the article body and metadata from raw HTML or scraped text.

    Args:
        raw: the decoded input.
        content_type: ``"text/html"`` or ``"text/plain"``; sniffed when None.
        url: the article URL, when known (time zone, outlet, relative links).
        templates: normalised lines known to be template text for this source.
        languages: language codes the caller accepts; others raise LanguageError.

    Returns:
        The clean body (paragraphs separated by a blank line), the metadata with
        one provenance record per filled field, and the removed lines.

    Raises:
        NotAnArticleError: nothing that looks like article text is left.
        LanguageError: the body is clearly in another language.
    """
    kind = content_type or sniff_content_type(raw)
    if kind == "text/plain" and sniff_content_type(raw) == "text/html" and raw.lstrip().startswith("<"):
        kind = "text/html"  # readers may label a saved page as text
    if kind == "text/html":
        from .htmlextract import extract_html

        result = extract_html(raw, url=url)
    else:
        result = _extract_text(raw, url=url, templates=templates)
    if not re.search(r"\w", result.text):
        raise NotAnArticleError(
            "no article text found: the input is empty or all navigation/boilerplate; "
            "check that it is a news article (for a page, pass the HTML, not a listing)"
        )
    return _check_language(result, tuple(languages))


def _extract_text(raw: str, *, url: str | None, templates: Iterable[str]) -> Extracted:
    cleaned = clean_scraped(raw, url=url, templates=templates)
    fields: dict[str, Any] = dict(cleaned.fields)
    prov = dict(cleaned.provenance)
    if url:
        fields["url"] = url
        prov["url"] = Provenance(field="url", source="input", detail="given by the caller")
    if cleaned.captions:
        fields["captions"] = tuple(cleaned.captions)
        prov["captions"] = Provenance(
            field="captions", source="textclean.caption", detail=f"{len(cleaned.captions)} line(s)"
        )
    known = {k: v for k, v in fields.items() if k in _META_FIELDS}
    meta = Meta(**known, provenance=tuple(prov.values()))
    return Extracted(text="\n\n".join(cleaned.paragraphs), meta=meta, boilerplate=tuple(cleaned.boilerplate))


_META_FIELDS = frozenset(f.name for f in dataclasses.fields(Meta)) - {"provenance"}


def _check_language(result: Extracted, accepted: tuple[str, ...]) -> Extracted:
    lang = detect_language(result.text)
    if lang != "und" and accepted and lang not in accepted:
        names = _language_names()
        wanted = ", ".join(names.get(a, a) for a in accepted)
        raise LanguageError(
            f"text is in {names.get(lang, lang)} ({lang}); dateline codes {wanted} only. "
            "Translate the article first or skip it."
        )
    if lang == "und":
        return result
    prov = (*result.meta.provenance, Provenance(field="language", source="extract.detect_language"))
    meta = dataclasses.replace(result.meta, language=lang, provenance=prov)
    return dataclasses.replace(result, meta=meta)


# --- language check ----------------------------------------------------------------


@lru_cache(maxsize=1)
def _stopwords() -> dict[str, frozenset[str]]:
    return {row["lang"]: frozenset(row["words"].split()) for row in _data_rows("stopwords.csv")}


@lru_cache(maxsize=1)
def _scripts() -> tuple[tuple[str, int, int], ...]:
    return tuple((r["lang"], int(r["start"], 16), int(r["end"], 16)) for r in _data_rows("scripts.csv"))


@lru_cache(maxsize=1)
def _language_names() -> dict[str, str]:
    names = {row["lang"]: row["name"] for row in _data_rows("stopwords.csv")}
    names.update({row["lang"]: row["name"] for row in _data_rows("scripts.csv")})
    return names


def detect_language(text: str) -> str:
    """A light language guess: script first, then stopword share among Latin-script words.

    Args:
        text: any text (only the first 5,000 characters are looked at).

    Returns:
        An ISO 639-1 code ("en", "fr", "ko", ...) or "und" when the text is too
        short or too mixed to tell.
    """
    sample = text[:5000]
    letters = [c for c in sample if c.isalpha()]
    if len(letters) < _MIN_LETTERS:
        return "und"
    # 1. non-Latin scripts identify the language on their own
    counts: dict[str, int] = {}
    for c in letters:
        cp = ord(c)
        if cp < 0x0370:
            continue
        for lang, lo, hi in _scripts():
            if lo <= cp <= hi:
                counts[lang] = counts.get(lang, 0) + 1
                break
    if counts:
        lang, n = max(counts.items(), key=lambda kv: kv[1])
        if n / len(letters) >= 0.3:
            return lang
    # 2. Latin script: the stopword list that covers most tokens
    tokens = re.findall(r"[^\W\d_]+", sample.lower())
    if len(tokens) < 8:
        return "und"
    scores = {lang: sum(t in words for t in tokens) / len(tokens) for lang, words in _stopwords().items()}
    best = max(scores, key=lambda k: scores[k])
    if scores[best] < 0.08:
        return "und"
    return best


# --- the stage ---------------------------------------------------------------------


class ExtractStage(Stage):
    """raw -> text, meta, boilerplate. Failures to find an article become recorded skips.

    In ``pipe`` the stage first learns per-site template lines over a chunk of
    stories (:class:`~dateline.textclean.LineStats`), so a line repeated across many
    pages of the same site is removed as template text.
    """

    name: ClassVar[str] = "dateline.extract.v1"
    requires: ClassVar[frozenset[str]] = frozenset({"raw"})
    provides: ClassVar[frozenset[str]] = frozenset({"text", "meta", "boilerplate"})
    chunk_size: ClassVar[int] = 256

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        # template lines of the site of the story being processed (set per chunk in pipe)
        self._templates: frozenset[str] = frozenset()

    def process(self, story: Story) -> Story:
        """Extract one story (URL from ``story.meta.url`` or an http ``story.source``)."""
        url = story.meta.url or (story.source if story.source.startswith(("http://", "https://")) else None)
        languages = tuple(self.ctx.settings.input.languages)
        out = extract(
            story.raw,
            content_type=story.content_type,
            url=url,
            templates=self._templates,
            languages=languages,
        )
        return dataclasses.replace(story, text=out.text, meta=out.meta, boilerplate=out.boilerplate)

    def pipe(self, stories: Iterable[Story]) -> Iterator[Story]:
        """Process in chunks; template lines are learned per site within each chunk."""
        chunk: list[Story] = []
        for story in stories:
            chunk.append(story)
            if len(chunk) >= self.chunk_size:
                yield from self._run_chunk(chunk)
                chunk = []
        yield from self._run_chunk(chunk)

    def _run_chunk(self, chunk: list[Story]) -> Iterator[Story]:
        stats = LineStats()
        for story in chunk:
            if story.content_type != "text/html":
                stats.learn(_site(story), story.raw)
        for story in chunk:
            self._templates = (
                stats.templates(_site(story)) if story.content_type != "text/html" else frozenset()
            )
            try:
                yield self(story)
            finally:
                self._templates = frozenset()


def _site(story: Story) -> str:
    """The grouping key for template learning: the URL host, else the source's folder."""
    url = story.meta.url or story.source
    host = urlparse(url).hostname if url.startswith(("http://", "https://")) else None
    return host or url.rsplit("/", 1)[0]


# --- command-line helper -------------------------------------------------------------


def extract_story(source: str, settings: Settings, *, url: str | None = None) -> dict[str, object]:
    """Read a file, stdin ("-") or URL and extract it; the JSON-ready result.

    Args:
        source: a path, "-" or an http(s) URL.
        settings: the run's settings (reader limits, fetch user agent and timeout).
        url: the article URL when ``source`` is a file.

    Returns:
        ``{"source", "url", "text", "meta", "boilerplate", "provenance"}`` with one
        provenance entry per filled metadata field.
    """
    story = _read_source(source, settings, url)
    out = extract(
        story.raw,
        content_type=story.content_type,
        url=url or story.meta.url,
        languages=tuple(settings.input.languages),
    )
    meta = Story(id=story.id, meta=out.meta).to_dict()["meta"]
    provenance = meta.pop("provenance")
    return {
        "source": source,
        "url": url or story.meta.url,
        "text": out.text,
        "meta": meta,
        "boilerplate": list(out.boilerplate),
        "provenance": {p["field"]: {"source": p["source"], "detail": p["detail"]} for p in provenance},
    }


def _read_source(source: str, settings: Settings, url: str | None) -> Story:
    if source.startswith(("http://", "https://")):
        from .readers.url import Fetcher, story_from_response

        with Fetcher(settings) as fetcher:
            return story_from_response(fetcher.get(source, whole=True), settings, source=source)
    try:
        from .readers import read_path
    except ImportError:  # readers not installed in this checkout: plain UTF-8
        from pathlib import Path

        raw = Path(source).read_text("utf-8", "replace")
        return Story(
            id="input", raw=raw, source=source, content_type=sniff_content_type(raw), meta=Meta(url=url)
        )
    return read_path(source, settings)
