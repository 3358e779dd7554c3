"""Ingest: files, JSONL, feeds and WARCs over HTTP; exactly-once (also across kill -9); bad input recorded."""

from __future__ import annotations

import gzip
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ARTICLES, SEED_TXT
from dateline.ingest import expand_sources, ingest, iter_items, run_info
from dateline.model import Failure, Story
from dateline.readers.feed import read_feed_bytes
from dateline.readers.jsonl import read_jsonl
from dateline.readers.url import Fetcher, FetchError, canonical_url
from dateline.readers.warc import read_warc_stream
from dateline.settings import load_settings
from dateline.store import open_store
from ingest_helpers import LOGIN_PAGE, article_html, rss, serve, warc_bytes

S = load_settings()
FAST = S.with_overrides(fetch__min_interval=0.0, fetch__timeout=1.0, fetch__retries=1, fetch__backoff=0.01)


def dev_files(n: int | None = None) -> list[str]:
    """The development articles (optionally the first n) and the seed."""
    files = sorted(str(p) for p in ARTICLES.glob("*.txt"))
    return [*(files[:n] if n else files), str(SEED_TXT)]


def body_of(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


# --- readers without the model ------------------------------------------------------


def test_canonical_url_drops_tracking_fragment_and_default_port() -> None:
    assert (
        canonical_url("HTTPS://WWW.Example.com:443/a/b/?utm_source=x&id=3#top")
        == "https://www.example.com/a/b?id=3"
    )
    assert canonical_url("http://example.com") == "http://example.com/"
    assert canonical_url(None) is None


def test_directory_walk_takes_article_files_not_gold_files(tmp_path: Path) -> None:
    for name in ("a.txt", "b.html", "c.jsonl", "d.gold.json", "e.png", "f.warc.gz"):
        (tmp_path / name).write_text("x")
    assert [Path(p).name for p in expand_sources([str(tmp_path)])] == [
        "a.txt",
        "b.html",
        "c.jsonl",
        "f.warc.gz",
    ]


def test_jsonl_bad_lines_become_failures_and_the_file_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(
        '{"text": "First article text here.", "url": "https://x.example/1", "title": "One"}\n'
        "{not json\n\n"
        '{"title": "no body"}\n'
        '{"html": "<p>Second article</p>", "published": "2022-01-20T10:00:00Z"}\n'
    )
    items = list(read_jsonl(str(path), S))
    assert [type(i).__name__ for i in items] == ["Story", "Failure", "Failure", "Story"]
    assert items[0].meta.title == "One" and items[0].meta.url == "https://x.example/1"
    assert "invalid JSON" in items[1].error and "no article text" in items[2].error
    assert items[3].content_type == "text/html" and items[3].meta.published.year == 2022


@pytest.mark.parametrize("compressed", [True, False])
def test_broken_warc_record_is_a_failure_and_reading_resumes(compressed: bool) -> None:
    pages = [
        (f"https://news.example/{i}", article_html(f"Story {i}", f"Body of story {i}. " * 30))
        for i in range(3)
    ]
    data = warc_bytes(pages, gzip=compressed, break_record=1)
    items = list(read_warc_stream(io.BytesIO(data), "crawl.warc", S))
    stories = [i for i in items if isinstance(i, Story)]
    failures = [i for i in items if isinstance(i, Failure)]
    assert [s.meta.url for s in stories] == ["https://news.example/0", "https://news.example/2"]
    assert failures and all(f.error.startswith("broken WARC record") for f in failures)


def test_invalid_feed_xml_is_a_failure() -> None:
    with Fetcher(FAST) as fetcher:
        items = list(read_feed_bytes(b"<rss><channel><item><title>x</ti", "bad.xml", FAST, fetcher))
    assert items and all(isinstance(i, Failure) for i in items)
    assert items[0].error.startswith("invalid feed XML") and items[0].kind == "error"


def test_fetcher_is_polite_and_reports_timeouts(tmp_path: Path) -> None:
    (tmp_path / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n")
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "a.html").write_text("secret")
    (tmp_path / "slow").mkdir()
    (tmp_path / "slow" / "a.html").write_text("late")
    (tmp_path / "ok.html").write_text("fine")
    slept: list[float] = []
    settings = FAST.with_overrides(fetch__min_interval=0.5)
    with serve(tmp_path) as base, Fetcher(settings, sleep=slept.append) as fetcher:
        assert fetcher.get(f"{base}/ok.html").content == b"fine"
        fetcher.get(f"{base}/ok.html")
        assert slept and max(slept) <= 0.5  # the second request to the host waited
        with pytest.raises(FetchError, match=r"robots\.txt"):
            fetcher.get(f"{base}/private/a.html")
        with pytest.raises(FetchError, match=r"timeout.*after 2 attempts"):
            fetcher.get(f"{base}/slow/a.html")
        assert 0.01 in slept  # backoff before the retry


def test_feed_file_links_are_fetched_with_our_user_agent(tmp_path: Path) -> None:
    log: list[tuple[str, str]] = []
    (tmp_path / "a0.html").write_text(article_html("A", "Some article text. " * 40), encoding="utf-8")
    with serve(tmp_path, log) as base:
        feed = tmp_path / "local.rss"
        feed.write_text(rss([("A", "/a0.html"), ("Gone", "/missing.html")], base=base), encoding="utf-8")
        with Fetcher(FAST) as fetcher:
            items = [item for _, item in iter_items([str(feed)], FAST, fetcher)]
    assert isinstance(items[0], Story) and items[0].meta.url == f"{base}/a0.html"
    assert items[0].meta.title == "A" and items[0].meta.published is not None
    assert isinstance(items[1], Failure) and items[1].error.startswith("HTTP 404")
    assert log and all(agent == FAST.fetch.user_agent for _, agent in log)
    assert log[0][0] == "/robots.txt"


# --- ingest with the real pipeline -----------------------------------------------------


@pytest.mark.model
def test_dev_articles_twice_leave_counts_unchanged(tmp_path: Path, coding_executor) -> None:
    files = dev_files()
    with open_store(str(tmp_path / "d.duckdb"), S) as store:
        first = ingest(files, store=store, settings=S, executor=coding_executor)
        counts = store.counts()
        second = ingest(files, store=store, settings=S, executor=coding_executor)
        assert store.counts() == counts
    assert first.read == len(files) and first.coded + first.duplicates + sum(first.skipped.values()) == len(
        files
    )
    assert counts["stories"] == len(files) and counts["events"] > 0
    assert second.coded == 0 and second.skipped["already stored"] == len(files)


def _ingest_cmd(db: Path, files: list[str]) -> list[str]:
    return [
        sys.executable,
        "-m",
        "dateline",
        "ingest",
        *files,
        "--db",
        str(db),
        "--batch-size",
        "2",
        "--no-progress",
        "-v",
    ]


@pytest.mark.model
@pytest.mark.slow
def test_kill_9_then_rerun_equals_one_clean_run(tmp_path: Path) -> None:
    files = dev_files(9)  # 10 stories, 5 batches
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("DATELINE_CONFIG", None)
    killed_db = tmp_path / "killed.duckdb"
    proc = subprocess.Popen(
        _ingest_cmd(killed_db, files),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    committed, deadline = 0, time.monotonic() + 240
    assert proc.stderr is not None
    for line in proc.stderr:
        committed += "batch committed" in line
        if committed == 2 or time.monotonic() > deadline:
            break
    proc.send_signal(signal.SIGKILL)  # in the middle of the third batch
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL and committed == 2
    with open_store(str(killed_db), S) as store:
        partial = store.counts()["stories"]
    assert 4 <= partial < len(files)

    rerun = subprocess.run(
        _ingest_cmd(killed_db, files),
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert "already stored" in rerun.stdout

    # The clean run goes through the same command, so both code with the same files on disk.
    clean_db = tmp_path / "clean.duckdb"
    clean = subprocess.run(
        _ingest_cmd(clean_db, files),
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    assert clean.returncode == 0, clean.stderr[-2000:]
    with open_store(str(clean_db), S) as store:
        expected = store.dump()
    with open_store(str(killed_db), S) as resumed:
        got = resumed.dump()
    assert got.keys() == expected.keys()
    for table in expected:
        assert got[table] == expected[table], table


@pytest.mark.model
def test_feed_and_warc_are_ingested_over_http(tmp_path: Path, coding_executor) -> None:
    arts = sorted(ARTICLES.glob("*.txt"))[:4]
    for i, path in enumerate(arts[:2]):
        (tmp_path / f"a{i}.html").write_text(
            article_html(f"Article {i}", body_of(str(path))), encoding="utf-8"
        )
    with serve(tmp_path) as base:
        (tmp_path / "feed.xml").write_text(
            rss([("Article 0", "/a0.html"), ("Article 1", "/a1.html")], base=base)
        )
        pages = [
            (f"https://cc-news.example/{i}", article_html(f"Crawl {i}", body_of(str(p))))
            for i, p in enumerate(arts[2:])
        ]
        (tmp_path / "crawl.warc.gz").write_bytes(warc_bytes(pages))
        with open_store(str(tmp_path / "h.duckdb"), FAST) as store:
            summary = ingest(
                [f"{base}/feed.xml", f"{base}/crawl.warc.gz"],
                store=store,
                settings=FAST,
                executor=coding_executor,
            )
            urls = [r["canonical_url"] for r in store.query("SELECT canonical_url FROM stories ORDER BY seq")]
            validators = store.query("SELECT url FROM http_cache")
            again = ingest([f"{base}/feed.xml"], store=store, settings=FAST, executor=coding_executor)
    assert summary.coded == 4 and summary.problems == 0, summary.render()
    assert urls == [
        f"{base}/a0.html",
        f"{base}/a1.html",
        "https://cc-news.example/0",
        "https://cc-news.example/1",
    ]
    assert {"url": f"{base}/feed.xml"} in validators  # Last-Modified kept for the next poll
    assert again.read == 0  # 304 Not Modified: nothing fetched again


@pytest.mark.model
def test_bad_inputs_are_recorded_and_the_batch_goes_on(tmp_path: Path, coding_executor) -> None:
    good = sorted(ARTICLES.glob("*.txt"))[:3]
    (tmp_path / "good.html").write_text(article_html("Good", body_of(str(good[0]))), encoding="utf-8")
    (tmp_path / "login.html").write_text(LOGIN_PAGE)
    (tmp_path / "slow").mkdir()
    (tmp_path / "slow" / "story.html").write_text(article_html("Late", body_of(str(good[1]))))
    (tmp_path / "broken.xml").write_text("<?xml version='1.0'?><rss><channel><item><title>oops</chan")
    pages = [
        (f"https://w.example/{i}", article_html(f"W{i}", body_of(str(p)))) for i, p in enumerate(good[1:])
    ]
    (tmp_path / "bad.warc.gz").write_bytes(
        warc_bytes([*pages, ("https://w.example/x", "<p>x</p>")], break_record=0)
    )
    with serve(tmp_path) as base:
        sources = [
            f"{base}/good.html",
            f"{base}/login.html",
            f"{base}/broken.xml",
            f"{base}/slow/story.html",
            f"{base}/bad.warc.gz",
        ]
        with open_store(str(tmp_path / "b.duckdb"), FAST) as store:
            summary = ingest(sources, store=store, settings=FAST, executor=coding_executor, batch_size=50)
            failures = store.query("SELECT reason, kind, source FROM failures ORDER BY source, reason")
            coded = store.query("SELECT canonical_url FROM stories WHERE status = 'coded' ORDER BY seq")
    reasons = {f["reason"] for f in failures}
    assert {"not an article", "invalid feed XML", "timeout", "broken WARC record"} <= reasons, failures
    assert [c["canonical_url"] for c in coded] == [f"{base}/good.html", "https://w.example/1"]
    assert summary.coded == 2 and summary.problems >= 3


def test_run_id_ignores_paths_and_politeness() -> None:
    assert run_info(S).id == run_info(S.with_overrides(store__db="x.duckdb", fetch__timeout=1.0)).id
    assert run_info(S).id != run_info(S.with_overrides(events__quad_convention="plover")).id


def test_items_keep_source_order(tmp_path: Path) -> None:
    for name in ("b.txt", "a.txt"):
        (tmp_path / name).write_text(f"News from {name}. " * 10)
    with Fetcher(S) as fetcher:
        items = list(iter_items([str(tmp_path)], S, fetcher))
    assert [Path(src).name for src, _ in items] == ["a.txt", "b.txt"]
    assert all(isinstance(i, Story) for _, i in items)


def test_gzip_story_file_is_refused_as_binary(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(gzip.compress(b"hello"))
    with Fetcher(S) as fetcher:
        [(_src, item)] = list(iter_items([str(path)], S, fetcher))
    assert isinstance(item, Failure) and item.kind == "skip" and "gzip" in item.error


@pytest.mark.model
def test_a_stop_request_ends_the_run_after_a_whole_batch(tmp_path: Path, coding_executor) -> None:
    files = dev_files(3)
    with open_store(str(tmp_path / "s.duckdb"), S) as store:
        summary = ingest(
            files, store=store, settings=S, executor=coding_executor, batch_size=2, stop=lambda: True
        )
        assert store.counts()["stories"] == 2
        rest = ingest(files, store=store, settings=S, executor=coding_executor, batch_size=2)
    assert summary.stopped and summary.read == 2
    assert rest.skipped["already stored"] == 2 and rest.coded == 2
