"""Ingest: sources -> readers -> near-duplicate check -> executor -> store, batch by batch.

    summary = ingest(["articles/", "feed.xml", "crawl.warc.gz"], store=store, settings=settings)
    print(summary.render())

Exactly-once: a story's id is ``content_id(canonical URL, raw text)``; ids already in the
store are skipped before coding, and each batch is written in one transaction. A run
killed at any point leaves only whole batches behind, and rerunning the same command
completes it: the database ends exactly as one clean run leaves it.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from itertools import islice
from pathlib import Path
from typing import Any

from .context import Context
from .dedup import DuplicateIndex, minhash, signature_bytes, with_body
from .errors import InputError
from .model import Failure, Story, content_id
from .readers.feed import looks_like_feed, read_feed, read_feed_bytes
from .readers.jsonl import read_json, read_jsonl
from .readers.url import Fetcher, canonical_url, failure_for, is_url, story_from_response
from .readers.warc import is_warc, read_warc, read_warc_stream
from .registry import DEFAULT_PIPELINE
from .settings import Settings
from .store import LinkedDuplicate, Store
from .store.base import canonical_outlet, short_reason, story_status

log = logging.getLogger(__name__)

__all__ = ["IngestSummary", "RunInfo", "StoreValidators", "ingest", "iter_items", "run_info"]

Record = dict[str, Any]
Item = Story | Failure

#: file suffixes a directory walk ingests
INGEST_SUFFIXES = (
    ".txt",
    ".text",
    ".html",
    ".htm",
    ".xhtml",
    ".json",
    ".jsonl",
    ".warc",
    ".warc.gz",
    ".xml",
    ".rss",
    ".atom",
)
#: settings sections that change what is coded (the run id hashes these, not paths or politeness)
_CODING_SECTIONS = ("input", "nlp", "actors", "events", "dates", "dedup")


@dataclass(frozen=True, slots=True)
class RunInfo:
    """The configuration a run codes with; its id is a hash of it, so a rerun shares it."""

    id: str
    code_version: str
    stages: tuple[str, ...]
    settings_hash: str


@dataclass
class IngestSummary:
    """Counts of one ingest run; ``render()`` prints them for people."""

    read: int = 0
    coded: int = 0
    duplicates: int = 0
    events_new: int = 0
    event_mentions: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    store_seconds: float = 0.0
    stopped: bool = False

    @property
    def problems(self) -> int:
        """Inputs that failed (skips are expected and not counted)."""
        return sum(self.failed.values())

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready counts."""
        out = dataclasses.asdict(self)
        out["skipped"], out["failed"] = dict(self.skipped), dict(self.failed)
        return out

    def render(self) -> str:
        """The summary as printed by ``dateline ingest``."""
        rate = self.read / self.seconds if self.seconds else 0.0
        lines = [
            f"read {self.read}, coded {self.coded}, duplicates {self.duplicates}, "
            f"skipped {sum(self.skipped.values())}, failed {self.problems} "
            f"({self.seconds:.1f} s, {rate:.1f} items/s)",
            f"events: {self.events_new} new, {self.event_mentions} mentions",
        ]
        for title, counter in (("skipped", self.skipped), ("failed", self.failed)):
            for reason, n in counter.most_common():
                lines.append(f"  {title}: {n} x {reason}")
        return "\n".join(lines)


def run_info(settings: Settings) -> RunInfo:
    """The run identity for these settings and this code version."""
    try:
        code_version = version("dateline")
    except PackageNotFoundError:
        code_version = "unknown"
    coding = {k: v for k, v in settings.model_dump().items() if k in _CODING_SECTIONS}
    settings_hash = content_id(json.dumps(coding, sort_keys=True, default=str))
    return RunInfo(
        id=content_id("run", code_version, ",".join(DEFAULT_PIPELINE), settings_hash),
        code_version=code_version,
        stages=DEFAULT_PIPELINE,
        settings_hash=settings_hash,
    )


# --- sources -> items ---------------------------------------------------------------


def expand_sources(sources: Iterable[str]) -> Iterator[str]:
    """URLs as given; directories to their ingestible files, sorted; files as given."""
    for source in sources:
        path = Path(source)
        if not is_url(source) and path.is_dir():
            for f in sorted(path.rglob("*")):
                if (
                    f.is_file()
                    and f.name.lower().endswith(INGEST_SUFFIXES)
                    and not f.name.endswith(".gold.json")
                ):
                    yield str(f)
        else:
            yield source


def iter_items(
    sources: Iterable[str],
    settings: Settings,
    fetcher: Fetcher,
    *,
    skip_url: Callable[[str], bool] | None = None,
) -> Iterator[tuple[str, Item]]:
    """``(source, story or failure)`` for every item of every source, in a stable order."""
    for source in expand_sources(sources):
        for item in _read_source(source, settings, fetcher, skip_url):
            yield source, item


def _read_source(
    source: str, settings: Settings, fetcher: Fetcher, skip_url: Callable[[str], bool] | None
) -> Iterator[Item]:
    """Dispatch one file or URL to its reader by name (files) or content (URLs)."""
    name = source.lower()
    if is_warc(name):
        yield from read_warc(source, settings, fetcher)
    elif is_url(source):
        yield from _read_remote(source, settings, fetcher, skip_url)
    elif name.endswith(".jsonl"):
        yield from read_jsonl(source, settings)
    elif name.endswith(".json"):
        yield from read_json(source, settings)
    elif name.endswith((".xml", ".rss", ".atom")):
        yield from read_feed(source, settings, fetcher, skip_url=skip_url)
    else:
        yield _read_file(source, settings)


def _read_file(source: str, settings: Settings) -> Item:
    from .readers import read_path

    try:
        return read_path(source, settings)
    except InputError as exc:
        return failure_for(source, "read:file", exc)


def _read_remote(
    url: str, settings: Settings, fetcher: Fetcher, skip_url: Callable[[str], bool] | None
) -> Iterator[Item]:
    """A URL is a feed or an article: fetch once (conditionally) and decide by the content."""
    canon = canonical_url(url)
    if skip_url is not None and canon and skip_url(canon):
        return
    try:
        result = fetcher.get(url, conditional=True)
    except InputError as exc:
        yield failure_for(url, "read:url", exc)
        return
    if result.not_modified:
        return
    if looks_like_feed(result.content, result.content_type):
        yield from read_feed_bytes(result.content, url, settings, fetcher, skip_url=skip_url)
    elif is_warc(result.url) or result.content[:3] == b"\x1f\x8b\x08" or result.content.startswith(b"WARC/"):
        import io

        yield from read_warc_stream(io.BytesIO(fetcher.get(url, whole=True).content), url, settings)
    else:
        try:
            yield story_from_response(result, settings, source=url)
        except InputError as exc:
            yield failure_for(url, "read:url", exc)


# --- the run ------------------------------------------------------------------------


@dataclass
class _Batch:
    """One batch on its way to the store."""

    to_code: list[Story] = field(default_factory=list)
    extras: dict[str, Record] = field(default_factory=dict)
    duplicates: list[LinkedDuplicate] = field(default_factory=list)
    signatures: dict[str, bytes] = field(default_factory=dict)
    read_failures: list[tuple[str, str, str, str, str]] = field(default_factory=list)


def ingest(
    sources: Sequence[str],
    *,
    store: Store,
    settings: Settings,
    executor: Any = None,
    batch_size: int | None = None,
    fetcher: Fetcher | None = None,
    ctx: Context | None = None,
    progress: bool = False,
    stop: Callable[[], bool] | None = None,
) -> IngestSummary:
    """Read, deduplicate, code and store every item of ``sources``.

    Args:
        sources: directories, files (.txt/.html/.json/.jsonl/.warc[.gz]/.xml feeds) and URLs.
        store: an open, migrated store.
        settings: the settings.
        executor: from :func:`dateline.executors.get_executor` (default: local, one worker).
        batch_size: stories per transaction (default ``ingest.batch_size``).
        fetcher: a polite fetcher to reuse (default: a new one using the store's validators).
        ctx: a context for the in-process extract used by dedup (default: a new one).
        progress: show a progress bar with rate and ETA on stderr.
        stop: checked between batches; when it returns True the run ends after the last whole batch.

    Returns:
        The run's summary.
    """
    from .executors import get_executor

    started = time.perf_counter()
    ctx = ctx or Context(settings)
    own_executor = executor is None
    executor = executor or get_executor("local")
    own_fetcher = fetcher is None
    fetcher = fetcher or Fetcher(settings, cache=StoreValidators(store))
    info = run_info(settings)
    store.start_run(
        run_id=info.id, code_version=info.code_version, stages=info.stages, settings_hash=info.settings_hash
    )
    index = DuplicateIndex(settings)
    index.load(store)
    summary = IngestSummary()
    items = iter_items(sources, settings, fetcher, skip_url=lambda url: _url_known(store, url))
    size = batch_size or settings.ingest.batch_size
    try:
        with _progress(progress, _count_files(sources)) as advance:
            while chunk := list(islice(items, size)):
                _run_batch(
                    chunk,
                    store=store,
                    settings=settings,
                    executor=executor,
                    index=index,
                    ctx=ctx,
                    run_id=info.id,
                    summary=summary,
                )
                advance(len(chunk))
                if stop is not None and stop():
                    summary.stopped = True
                    break
        pending = fetcher.pending_validators()
        if not summary.stopped:
            # A run stopped early has not stored everything its feeds held: keep no validators,
            # so the next run fetches them whole instead of getting 304 Not Modified.
            _store_validators(store, pending)
        store.finish_run(info.id)
    finally:
        if own_fetcher:
            fetcher.close()
        if own_executor:
            executor.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _run_batch(
    chunk: list[tuple[str, Item]],
    *,
    store: Store,
    settings: Settings,
    executor: Any,
    index: DuplicateIndex,
    ctx: Context,
    run_id: str,
    summary: IngestSummary,
) -> None:
    """Triage one batch (failures, stored, duplicates), code the rest, write it all in one transaction."""
    summary.read += len(chunk)
    batch = _Batch()
    stories: list[Story] = []
    for source, item in chunk:
        if isinstance(item, Failure):
            batch.read_failures.append((item.story_id, item.stage, item.kind, item.error, source))
            _count_failure(summary, item.kind, item.error)
        else:
            stories.append(_identify(item))
    t0 = time.perf_counter()
    stored = store.stored_ids(s.id for s in stories)
    summary.store_seconds += time.perf_counter() - t0
    seen: set[str] = set()
    for story in stories:
        if story.id in stored or story.id in seen:
            summary.skipped["already stored"] += 1
            continue
        seen.add(story.id)
        _triage(story, batch, index=index, ctx=ctx, settings=settings, summary=summary)
    coded = _code(batch.to_code, executor, settings)
    for record in coded:
        record["ingest"] = batch.extras[record["id"]]
        _count_story(summary, Story.from_dict({k: v for k, v in record.items() if k != "ingest"}))
    t0 = time.perf_counter()
    result = store.write_stories(
        coded,
        run_id,
        duplicates=batch.duplicates,
        signatures=batch.signatures,
        read_failures=batch.read_failures,
    )
    summary.store_seconds += time.perf_counter() - t0
    log.info(
        "batch committed: %d read, %d coded, %d duplicates, %d events new",
        len(chunk),
        result.stories,
        result.duplicates,
        result.events_new,
    )
    summary.duplicates += result.duplicates
    summary.events_new += result.events_new
    summary.event_mentions += result.event_mentions


def _identify(story: Story) -> Story:
    """Give the story its store identity: content hash + canonical URL."""
    canon = canonical_url(story.meta.url)
    return dataclasses.replace(story, id=content_id(canon or "", story.raw))


def _triage(
    story: Story,
    batch: _Batch,
    *,
    index: DuplicateIndex,
    ctx: Context,
    settings: Settings,
    summary: IngestSummary,
) -> None:
    """Skip a page that is not an article, link a near-duplicate to its original, or queue for coding."""
    canon = canonical_url(story.meta.url)
    body = with_body(story, ctx)
    words = len(body.text.split())
    if words < settings.ingest.min_article_words:
        error = (
            f"not an article: {story.source}: the body has {words} words, fewer than "
            f"ingest.min_article_words = {settings.ingest.min_article_words}"
        )
        batch.read_failures.append((story.id, "ingest", "skip", error, story.source))
        _count_failure(summary, "skip", error)
        return
    mh = minhash(body.text, settings)
    match = index.find(mh) if mh is not None else None
    if match is not None:
        if canon and match.url == canon:
            # Same address, slightly changed page (an ad, a timestamp): an update, not another article.
            summary.skipped["changed copy of a stored URL"] += 1
            return
        batch.duplicates.append(
            LinkedDuplicate(
                id=story.id,
                duplicate_of=match.story_id,
                similarity=match.similarity,
                source=story.source,
                text=body.text,
                content_hash=content_id(story.raw, length=32),
                canonical_url=canon,
                outlet=canonical_outlet(canon, body.meta.outlet or body.meta.agency),
                title=body.meta.title,
                published=body.meta.published,
            )
        )
        return
    if mh is not None:
        index.add(story.id, mh, canon)
        batch.signatures[story.id] = signature_bytes(mh)
    batch.extras[story.id] = {
        "canonical_url": canon,
        "content_hash": content_id(story.raw, length=32),
        "outlet": canonical_outlet(canon),
    }
    batch.to_code.append(story)


def _code(stories: list[Story], executor: Any, settings: Settings) -> list[Record]:
    """Code the stories; results back in input order. A crashed executor fails the batch's stories."""
    if not stories:
        return []
    records = [s.to_dict(include_raw=True) for s in stories]
    try:
        by_id = {r["id"]: r for r in executor.map_records(records, settings)}
    except Exception as exc:  # noqa: BLE001 - one broken batch must not stop the run
        error = f"executor failed: {type(exc).__name__}: {exc}"
        by_id = {}
        for s in stories:
            failed = dataclasses.replace(
                s, failures=(*s.failures, Failure(story_id=s.id, stage="executor", error=error))
            )
            by_id[s.id] = failed.to_dict()
    out = []
    for s in stories:
        record = by_id.get(s.id)
        if record is None:
            missing = Failure(
                story_id=s.id, stage="executor", error="executor returned no result for this story"
            )
            record = dataclasses.replace(s, failures=(missing,)).to_dict()
        out.append(record)
    return out


def _count_story(summary: IngestSummary, story: Story) -> None:
    status = story_status(story)
    if status == "coded":
        summary.coded += 1
    for f in story.failures:
        if status != "coded" or f.kind == "error":
            _count_failure(summary, f.kind if status != "failed" else "error", f.error)
            break


def _count_failure(summary: IngestSummary, kind: str, error: str) -> None:
    (summary.skipped if kind == "skip" else summary.failed)[short_reason(error)] += 1


def _url_known(store: Store, url: str) -> bool:
    """True when a story with this canonical URL is stored (feeds skip fetching it again)."""
    return bool(store.query("SELECT 1 AS x FROM stories WHERE canonical_url = ? LIMIT 1", (url,)))


class StoreValidators:
    """The store's ``http_cache`` table as a fetcher's validator cache."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def validators(self, url: str) -> tuple[str | None, str | None] | None:
        """(etag, last_modified) stored for ``url``, or None."""
        rows = self.store.query("SELECT etag, last_modified FROM http_cache WHERE url = ?", (url,))
        return (rows[0]["etag"], rows[0]["last_modified"]) if rows else None


def _store_validators(store: Store, pending: dict[str, tuple[str | None, str | None, int]]) -> None:
    """Keep validators only after everything their responses held is stored."""
    with store.transaction():
        for url, (etag, modified, status) in sorted(pending.items()):
            store.execute("DELETE FROM http_cache WHERE url = ?", (url,))
            store.execute(
                "INSERT INTO http_cache (url, etag, last_modified, status) VALUES (?, ?, ?, ?)",
                (url, etag, modified, status),
            )


def _count_files(sources: Sequence[str]) -> int | None:
    """Number of items when every source is a plain file (the bar can show an ETA), else None."""
    files = list(expand_sources(sources))
    plain = (".txt", ".text", ".html", ".htm", ".xhtml")
    if all(not is_url(f) and f.lower().endswith(plain) for f in files):
        return len(files)
    return None


class _progress:
    """A rich progress bar (items, rate, ETA) on stderr, or a no-op."""

    def __init__(self, enabled: bool, total: int | None) -> None:
        self.enabled, self.total = enabled, total
        self._bar: Any = None

    def __enter__(self) -> Callable[[int], None]:
        if not self.enabled:
            return lambda n: None
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._bar = Progress(
            TextColumn("ingest"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._bar.start()
        task = self._bar.add_task("ingest", total=self.total, rate="")

        def advance(n: int) -> None:
            self._bar.advance(task, n)
            speed = self._bar.tasks[0].speed
            self._bar.update(task, rate=f"{speed:.1f} items/s" if speed else "")

        return advance

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
