"""Helpers for the ingest, dedup and watch tests: a local HTTP server, WARC and feed builders,
a republished copy of the seed, and an executor that remembers what the real one coded.
"""

from __future__ import annotations

import html
import io
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from dateline.settings import Settings

SLOW_SECONDS = 3.0


class CachingExecutor:
    """The real executor, remembering each coded record by id so tests code a story once per session.

    Coding is deterministic (same input, same output), so a remembered record is exactly what
    the executor would return again.
    """

    name = "local"
    workers = 1

    def __init__(self, inner: Any, settings: Settings) -> None:
        self.inner, self.settings = inner, settings
        self.memo: dict[tuple[str, str], dict[str, Any]] = {}

    def map_records(self, records: Iterable[dict[str, Any]], settings: Settings) -> Iterator[dict[str, Any]]:
        records = list(records)
        todo = [r for r in records if _key(r) not in self.memo]
        if todo:
            # Always the session's settings: only fetch/ingest options differ between tests,
            # and they do not change coding; the inner executor then keeps its pipeline.
            by_id = {c["id"]: c for c in self.inner.map_records(todo, self.settings)}
            for r in todo:
                self.memo[_key(r)] = by_id[r["id"]]
        for r in records:
            yield self.memo[_key(r)]

    def close(self) -> None:
        """The session fixture closes the inner executor."""


def _key(record: dict[str, Any]) -> tuple[str, str]:
    return record["id"], record.get("raw", "")


class _Handler(SimpleHTTPRequestHandler):
    """Static files, plus ``/slow/...`` that answers after SLOW_SECONDS (a URL that times out).

    Each request's path and User-Agent are appended to ``log`` when one is given.
    """

    def __init__(self, *args: Any, log: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        self._log = log
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        if self._log is not None:
            self._log.append((self.path, self.headers.get("User-Agent", "")))
        if self.path.startswith("/slow/"):
            time.sleep(SLOW_SECONDS)
        super().do_GET()

    def log_message(self, *args: Any) -> None:
        """Quiet."""


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (the timeout test) is expected; say nothing."""


@contextmanager
def serve(directory: Path, log: list[tuple[str, str]] | None = None) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (a free port); yields the base URL. Requests go to ``log``."""
    server = _QuietServer(("127.0.0.1", 0), partial(_Handler, directory=str(directory), log=log))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def article_html(title: str, body: str) -> str:
    """A plain news page around ``body`` (paragraphs split on blank lines)."""
    paras = "".join(f"<p>{html.escape(p.strip())}</p>\n" for p in body.split("\n\n") if p.strip())
    return (
        f"<!DOCTYPE html><html><head><title>{html.escape(title)}</title></head><body>"
        f"<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>{html.escape(title)}</h1>\n{paras}</article>"
        f"<footer>Copyright Example News. All rights reserved.</footer></body></html>"
    )


LOGIN_PAGE = (
    "<!DOCTYPE html><html><head><title>Sign in</title></head><body><nav><a href='/'>Home</a></nav>"
    "<form><input name='user'><input type='password' name='pw'><button>Sign in</button></form>"
    "<footer>Copyright Example News.</footer></body></html>"
)


def rss(items: list[tuple[str, str]], *, base: str) -> str:
    """An RSS 2.0 feed with one item per (title, path)."""
    start = datetime(2022, 1, 20, 12, tzinfo=UTC)
    entries = "".join(
        f"<item><title>{html.escape(t)}</title><link>{base}{path}</link>"
        f"<guid>{base}{path}</guid><pubDate>{format_datetime(start + timedelta(hours=i))}</pubDate></item>"
        for i, (t, path) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Example News</title>'
        f"<link>{base}/</link><description>test feed</description>{entries}</channel></rss>"
    )


def warc_bytes(pages: list[tuple[str, str]], *, gzip: bool = True, break_record: int | None = None) -> bytes:
    """A WARC with a response record per (url, html), plus a request record; optionally one broken record."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gzip)
    spans = []
    for url, page in pages:
        start = buf.tell()
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
        )
        writer.write_record(
            writer.create_warc_record(
                url, "response", payload=io.BytesIO(page.encode("utf-8")), http_headers=headers
            )
        )
        req = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example")], is_http_request=True)
        writer.write_record(
            writer.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=req)
        )
        spans.append((start, buf.tell()))
    data = bytearray(buf.getvalue())
    if break_record is not None:
        start, end = spans[break_record]
        for i in range(start + 3, min(start + 60, end)):
            data[i] ^= 0x5A  # garbage in the record's first bytes: its header cannot be parsed
    return bytes(data)


def republished(seed_raw: str) -> str:
    """The seed's body under another site's boilerplate (header, menus, related links, footer)."""
    lines = seed_raw.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("SEOUL, Jan. 20"))
    end = (
        next(i for i, line in enumerate(lines) if "(END)" in line)
        if any("(END)" in x for x in lines)
        else len(lines)
    )
    body = "\n".join(lines[start : end + 1])
    return (
        "Skip to main content\n\nThe Daily Example - World\n\nSubscribe | Sign in | Newsletters\n\n"
        "S. Korea's nuke envoy holds phone talks with U.S., Chinese counterparts over North Korea\n\n"
        "Published January 20, 2022\n\nBy Kim Eun-jung, Yonhap\n\n"
        f"{body}\n\n"
        "Read more: Markets rally as tech shares rebound\nMost popular: Ten recipes for winter\n\n"
        "(c) 2022 The Daily Example. Distributed by Yonhap News Agency.\n"
    )
