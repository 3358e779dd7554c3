"""Polite fetching of article and feed URLs.

A :class:`Fetcher` sends a clear User-Agent, honours robots.txt, waits at least
``fetch.min_interval`` seconds between requests to one host, gives up after
``fetch.timeout`` seconds, retries timeouts, connection errors, 429 and 5xx with
exponential backoff, and makes conditional requests (ETag / Last-Modified).

Validators learnt from a response are *pending* until the caller has stored what the
response held (:meth:`Fetcher.pending_validators`): a run killed before its batch was
written must refetch the feed, not receive ``304 Not Modified`` and lose its items.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import httpx

from ..errors import InputError
from ..model import Failure, Story, content_id
from ..settings import Settings

__all__ = [
    "FetchError",
    "FetchResult",
    "Fetcher",
    "ValidatorCache",
    "canonical_url",
    "is_url",
    "read_url",
]

# Query parameters that track the reader, not the article: dropped from canonical URLs.
_TRACKING_PREFIXES = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "ocid", "cmpid")


class FetchError(InputError):
    """A URL could not be fetched (timeout, HTTP error, robots.txt)."""

    reason = "fetch failed"


class ValidatorCache(Protocol):
    """Where ETag / Last-Modified validators are kept between runs (the store implements it)."""

    def validators(self, url: str) -> tuple[str | None, str | None] | None:
        """(etag, last_modified) last stored for ``url``."""
        ...


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One response: ``not_modified`` is True for a 304 (``content`` is then empty)."""

    url: str
    status: int
    content: bytes
    content_type: str
    not_modified: bool = False


def is_url(text: str) -> bool:
    """True for http(s) URLs."""
    return text.startswith(("http://", "https://"))


def canonical_url(url: str | None) -> str | None:
    """The URL that identifies an article: lower-case scheme and host, no fragment,
    no tracking parameters, no default port, no trailing slash on a non-root path."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if not parts.scheme or not parts.netloc:
        return url.strip()
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not ((parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = urlencode(
        sorted(
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not k.lower().startswith(_TRACKING_PREFIXES)
        )
    )
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    return urlunsplit((parts.scheme.lower(), host, path, query, ""))


class Fetcher:
    """A polite HTTP client shared by the feed, WARC and URL readers.

    Args:
        settings: ``fetch.*`` (agent, timeout, retries, backoff, rate limit, robots) and ``input.max_bytes``.
        cache: where validators of earlier runs are read from (None: no conditional requests).
        sleep: the sleep function (tests pass a recorder).
    """

    def __init__(
        self,
        settings: Settings,
        cache: ValidatorCache | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.cache = cache
        self._sleep = sleep
        self._client = httpx.Client(
            headers={"User-Agent": settings.fetch.user_agent},
            timeout=settings.fetch.timeout,
            follow_redirects=True,
        )
        self._last_request: dict[str, float] = {}
        self._robots: dict[str, RobotFileParser | None] = {}
        self._pending: dict[str, tuple[str | None, str | None, int]] = {}

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def pending_validators(self) -> dict[str, tuple[str | None, str | None, int]]:
        """Validators learnt since the last call, to store once their content is stored."""
        out, self._pending = self._pending, {}
        return out

    def get(self, url: str, *, conditional: bool = False, whole: bool = False) -> FetchResult:
        """Fetch ``url`` politely.

        Args:
            url: an http(s) URL.
            conditional: send the stored ETag / Last-Modified and accept ``304 Not Modified``.
            whole: keep the whole body (archives); otherwise it is cut at ``input.max_bytes`` + 1,
                enough for the reader to refuse it as too large.

        Returns:
            The response body (cut at ``input.max_bytes``) and content type.

        Raises:
            FetchError: robots.txt forbids it, it timed out, or the server answered with an error.
        """
        if self.settings.fetch.respect_robots and not self._allowed(url):
            raise FetchError(f"disallowed by robots.txt: {url}")
        headers = self._conditional_headers(url) if conditional else {}
        response = self._request_with_retries(url, headers)
        if response.status_code == 304:
            return FetchResult(url=url, status=304, content=b"", content_type="", not_modified=True)
        if response.status_code >= 400:
            raise FetchError(f"HTTP {response.status_code}: {url}")
        etag, modified = response.headers.get("etag"), response.headers.get("last-modified")
        if etag or modified:
            self._pending[url] = (etag, modified, response.status_code)
        return FetchResult(
            url=str(response.url),
            status=response.status_code,
            content=response.content if whole else response.content[: self.settings.input.max_bytes + 1],
            content_type=response.headers.get("content-type", ""),
        )

    def _conditional_headers(self, url: str) -> dict[str, str]:
        known = self.cache.validators(url) if self.cache is not None else None
        if not known:
            return {}
        etag, modified = known
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        return headers

    def _request_with_retries(self, url: str, headers: dict[str, str]) -> httpx.Response:
        """GET with retries: timeouts, connection errors, 429 and 5xx are retried with backoff."""
        fetch = self.settings.fetch
        last_error = "no attempt"
        for attempt in range(fetch.retries + 1):
            if attempt:
                self._sleep(fetch.backoff * 2 ** (attempt - 1))
            self._wait_for_host(url)
            try:
                response = self._client.get(url, headers=headers)
            except httpx.TimeoutException:
                last_error = f"timeout: no answer from {url} within {fetch.timeout:g} s"
                continue
            except httpx.HTTPError as exc:
                last_error = f"connection failed: {url}: {exc}"
                continue
            if response.status_code == 429 or response.status_code >= 500:
                last_error = f"HTTP {response.status_code}: {url}"
                continue
            return response
        raise FetchError(f"{last_error} (after {fetch.retries + 1} attempts)")

    def _wait_for_host(self, url: str) -> None:
        """Sleep until ``fetch.min_interval`` has passed since the last request to this host."""
        host = urlsplit(url).netloc
        now = time.monotonic()
        last = self._last_request.get(host)
        if last is not None:
            wait = self.settings.fetch.min_interval - (now - last)
            if wait > 0:
                self._sleep(wait)
        self._last_request[host] = time.monotonic()

    def _allowed(self, url: str) -> bool:
        """robots.txt says this agent may fetch ``url`` (a missing or unreadable robots.txt allows)."""
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        if root not in self._robots:
            self._robots[root] = self._load_robots(root)
        parser = self._robots[root]
        return parser is None or parser.can_fetch(self.settings.fetch.user_agent, url)

    def _load_robots(self, root: str) -> RobotFileParser | None:
        self._wait_for_host(root)
        try:
            response = self._client.get(f"{root}/robots.txt")
        except httpx.HTTPError:
            return None
        if response.status_code >= 400:
            return None
        parser = RobotFileParser()
        parser.parse(response.text.splitlines())
        return parser


def failure_for(source: str, stage: str, exc: Exception, *, kind: str | None = None) -> Failure:
    """A read failure for an input item that never became a story.

    Unusable content (empty, binary, not an article) is a skip; fetch errors and anything
    else are errors, unless ``kind`` says otherwise.
    """
    if kind is None:
        kind = "skip" if isinstance(exc, InputError) and not isinstance(exc, FetchError) else "error"
    message = str(exc) or type(exc).__name__
    return Failure(story_id=content_id("unreadable", source), stage=stage, error=message, kind=kind)


def story_from_response(result: FetchResult, settings: Settings, *, source: str) -> Story:
    """A story from a fetched page (decoded and sniffed by the shared reader)."""
    from . import story_from_bytes

    content_type = "text/html" if "html" in result.content_type else None
    return story_from_bytes(
        result.content, source=source, url=result.url, settings=settings, content_type=content_type
    )


def read_url(url: str, settings: Settings, fetcher: Fetcher, **_: Any) -> Iterator[Story | Failure]:
    """One article URL as a story, or the failure that stopped it."""
    try:
        yield story_from_response(fetcher.get(url), settings, source=url)
    except InputError as exc:
        yield failure_for(url, "read:url", exc)
