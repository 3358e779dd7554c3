"""RSS and Atom feeds (feedparser): each entry's article is fetched politely.

An entry whose link cannot be fetched falls back to the entry's own full content
(``content:encoded``, Atom ``content``) when the feed carries the article; otherwise
the entry is recorded as a failure and the feed goes on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from ..errors import InputError
from ..model import Failure, Story, content_id
from ..settings import Settings
from .url import Fetcher, canonical_url, failure_for, is_url, story_from_response

__all__ = ["looks_like_feed", "read_feed", "read_feed_bytes"]

#: an entry's embedded content shorter than this is a teaser, not the article
MIN_EMBEDDED_CHARS = 400


def looks_like_feed(content: bytes, content_type: str = "") -> bool:
    """True when a response or file is an RSS/Atom document rather than a web page."""
    if any(t in content_type for t in ("rss", "atom")):
        return True
    head = content[:1024].lstrip().lower()
    return head.startswith((b"<rss", b"<feed", b"<rdf")) or (
        head.startswith(b"<?xml")
        and any(t in content[:4096].lower() for t in (b"<rss", b"<feed", b"<rdf:rdf"))
    )


def read_feed(
    location: str,
    settings: Settings,
    fetcher: Fetcher,
    *,
    skip_url: Callable[[str], bool] | None = None,
) -> Iterator[Story | Failure]:
    """The stories of a feed file or feed URL (conditional GET: an unchanged feed yields nothing)."""
    if is_url(location):
        try:
            result = fetcher.get(location, conditional=True)
        except InputError as exc:
            yield failure_for(location, "read:feed", exc)
            return
        if result.not_modified:
            return
        data = result.content
    else:
        try:
            with open(location, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            yield failure_for(location, "read:feed", InputError(f"cannot read feed file {location}: {exc}"))
            return
    yield from read_feed_bytes(data, location, settings, fetcher, skip_url=skip_url)


def read_feed_bytes(
    data: bytes,
    source: str,
    settings: Settings,
    fetcher: Fetcher,
    *,
    skip_url: Callable[[str], bool] | None = None,
) -> Iterator[Story | Failure]:
    """Parse a feed document and yield a story (or failure) per entry.

    Args:
        data: the feed bytes.
        source: its path or URL, for provenance.
        settings: the settings.
        fetcher: fetches the entries' links.
        skip_url: entries whose canonical link this returns True for are not fetched (already stored).
    """
    import feedparser

    parsed = feedparser.parse(data)
    entries = list(parsed.entries)
    broken = bool(parsed.bozo) and not isinstance(
        parsed.get("bozo_exception"), feedparser.CharacterEncodingOverride | feedparser.NonXMLContentType
    )
    if broken or not entries:
        # Broken XML is recorded even when the lenient parser recovered some entries: the
        # feed may have lost items, and whoever runs it should know.
        reason = "invalid feed XML" if broken else "empty feed"
        detail = str(parsed.get("bozo_exception", "")) or "no entries"
        yield Failure(
            story_id=content_id("unreadable", source),
            stage="read:feed",
            error=f"{reason}: {source}: {detail}",
            kind="error" if broken else "skip",
        )
    for index, entry in enumerate(entries):
        link = canonical_url(entry.get("link"))
        if link and skip_url is not None and skip_url(link):
            continue
        yield _entry_story(entry, index, link, source, settings, fetcher)


def _entry_story(
    entry: Any, index: int, link: str | None, source: str, settings: Settings, fetcher: Fetcher
) -> Story | Failure:
    """1. fetch the link; 2. else use the entry's full embedded content; 3. else a failure."""
    item = link or f"{source}#entry{index}"
    error: InputError | None = None
    if link and is_url(link):
        try:
            story = story_from_response(fetcher.get(link), settings, source=link)
            return _with_entry_meta(story, entry)
        except InputError as exc:
            error = exc
    embedded = _embedded_content(entry)
    if len(embedded) >= MIN_EMBEDDED_CHARS:
        from . import story_from_text

        story = story_from_text(embedded, source=item, url=link, content_type="text/html")
        return _with_entry_meta(story, entry)
    return failure_for(
        item, "read:feed", error or InputError(f"feed entry has no link and no article: {item}")
    )


def _embedded_content(entry: Any) -> str:
    contents = entry.get("content") or []
    values = [c.get("value", "") for c in contents if isinstance(c, dict)]
    return max(values, key=len, default="") or str(entry.get("summary", "") or "")


def _with_entry_meta(story: Story, entry: Any) -> Story:
    """Title and publication time from the feed, where the page gives none (extract may refine them)."""
    meta = story.meta
    title = meta.title or entry.get("title")
    published = meta.published
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    if published is None and stamp:
        year, month, day, hour, minute, second = stamp[:6]
        published = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    return dataclasses.replace(story, meta=dataclasses.replace(meta, title=title, published=published))
