"""WARC files (plain or per-record gzip, as Common Crawl's CC-NEWS publishes them), via warcio.

Only ``response`` records with a 2xx HTTP status and an HTML or text payload become
stories; requests, metadata and images are passed over. A broken record is recorded as
a failure and reading resumes at the next record boundary, so one bad record does not
lose the rest of the archive.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import IO, Any

from ..errors import InputError
from ..model import Failure, Story
from ..settings import Settings
from .url import Fetcher, failure_for, is_url

__all__ = ["is_warc", "read_warc", "read_warc_stream"]

_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_MAGIC = b"WARC/1."
_TEXT_TYPES = ("text/html", "application/xhtml", "text/plain")


def is_warc(name: str) -> bool:
    """True for ``.warc`` and ``.warc.gz`` names (paths or URLs)."""
    lower = name.lower().split("?", 1)[0]
    return lower.endswith((".warc", ".warc.gz"))


def read_warc(location: str, settings: Settings, fetcher: Fetcher, **_: Any) -> Iterator[Story | Failure]:
    """The article stories of a WARC file or WARC URL."""
    if is_url(location):
        try:
            # A WARC over HTTP is one download; the size cap for a story does not apply to it.
            data = fetcher.get(location, whole=True).content
        except InputError as exc:
            yield failure_for(location, "read:warc", exc)
            return
        yield from read_warc_stream(io.BytesIO(data), location, settings)
        return
    try:
        fh = open(location, "rb")
    except OSError as exc:
        yield failure_for(location, "read:warc", InputError(f"cannot read WARC file {location}: {exc}"))
        return
    with fh:
        yield from read_warc_stream(fh, location, settings)


def read_warc_stream(stream: IO[bytes], source: str, settings: Settings) -> Iterator[Story | Failure]:
    """Stories from a seekable WARC byte stream; broken records become failures.

    Steps: 1. iterate records from the current offset; 2. on a broken record, record a
    failure and search forward for the next record start (gzip member or ``WARC/1.``);
    3. resume there until the end of the stream.
    """
    from warcio.archiveiterator import ArchiveIterator

    offset = 0
    while True:
        stream.seek(offset)
        iterator = ArchiveIterator(stream)
        try:
            for record in iterator:
                item = _record_item(record, source, settings)
                if item is not None:
                    yield item
            return
        except Exception as exc:  # noqa: BLE001 - warcio raises several types for a broken record
            broken_at = iterator.offset if iterator.offset is not None else offset
            where = f"{source}@{broken_at}"
            yield failure_for(
                where, "read:warc", InputError(f"broken WARC record: {where}: {exc}"), kind="error"
            )
            next_offset = _next_record_start(stream, max(broken_at, offset) + 1)
            if next_offset is None:
                return
            offset = next_offset


def _record_item(record: Any, source: str, settings: Settings) -> Story | Failure | None:
    """A story for an HTML/text 2xx response record; None for records that are not articles."""
    if record.rec_type != "response":
        return None
    uri = record.rec_headers.get_header("WARC-Target-URI")
    http = record.http_headers
    if http is None or not str(http.get_statuscode() or "").startswith("2"):
        return None
    content_type = (http.get_header("Content-Type") or "").lower()
    if content_type and not content_type.startswith(_TEXT_TYPES):
        return None
    from . import story_from_bytes

    item = f"{source}#{uri}"
    try:
        payload = record.content_stream().read(settings.input.max_bytes + 1)
        kind = "text/html" if "html" in content_type else None
        return story_from_bytes(payload, source=uri or item, url=uri, settings=settings, content_type=kind)
    except InputError as exc:
        return failure_for(item, "read:warc", exc)


def _next_record_start(stream: IO[bytes], start: int) -> int | None:
    """Offset of the next gzip member or ``WARC/1.`` line at or after ``start``, or None."""
    stream.seek(start)
    chunk_size, carry, position = 1 << 16, b"", start
    while True:
        chunk = stream.read(chunk_size)
        if not chunk:
            return None
        window = carry + chunk
        hits = [i for i in (window.find(_GZIP_MAGIC), window.find(_WARC_MAGIC)) if i >= 0]
        if hits:
            return position - len(carry) + min(hits)
        carry = window[-8:]
        position += len(chunk)
