"""Watch: polls feeds, ingests only what is new, stops cleanly on SIGINT and SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ARTICLES
from dateline.settings import load_settings
from dateline.store import open_store
from dateline.watch import StopFlag, watch
from ingest_helpers import article_html, rss, serve

FAST = load_settings().with_overrides(fetch__min_interval=0.0, fetch__timeout=5.0)


def _site(root: Path, base: str, n: int) -> None:
    """Article pages 0..n-1 and a feed listing them."""
    arts = sorted(ARTICLES.glob("*.txt"))
    for i in range(n):
        body = arts[i].read_text(encoding="utf-8")
        (root / f"a{i}.html").write_text(article_html(f"Article {i}", body), encoding="utf-8")
    feed = root / "feed.xml"
    feed.write_text(rss([(f"Article {i}", f"/a{i}.html") for i in range(n)], base=base), encoding="utf-8")
    # Last-Modified has one-second resolution: move the clock on so a rewrite is seen as new.
    stamp = time.time() + n * 5
    os.utime(feed, (stamp, stamp))


def test_stop_flag_wakes_a_wait() -> None:
    stop = StopFlag()
    started = time.monotonic()
    stop.set(signal.SIGTERM)
    assert stop.wait(30) and time.monotonic() - started < 1 and stop.signal_name == "SIGTERM"


@pytest.mark.model
def test_polls_ingest_only_what_is_new(tmp_path: Path, coding_executor) -> None:
    polls: list[tuple[int, int, int]] = []
    with serve(tmp_path) as base, open_store(str(tmp_path / "w.duckdb"), FAST) as store:
        _site(tmp_path, base, 2)

        def record(n: int, summary) -> None:  # type: ignore[no-untyped-def]
            polls.append((n, summary.read, summary.coded))

        watch(
            [f"{base}/feed.xml"],
            store=store,
            settings=FAST,
            interval=0,
            executor=coding_executor,
            max_polls=2,
            stop=StopFlag(),
            on_poll=record,
        )
        _site(tmp_path, base, 3)  # one new item
        watch(
            [f"{base}/feed.xml"],
            store=store,
            settings=FAST,
            interval=0,
            executor=coding_executor,
            max_polls=1,
            stop=StopFlag(),
            on_poll=record,
        )
        assert store.counts()["stories"] == 3
    # poll 1 reads both items, poll 2 gets 304 Not Modified, the rewritten feed yields only the new item
    assert polls == [(1, 2, 2), (2, 0, 0), (1, 1, 1)]


@pytest.mark.model
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_watch_process_stops_cleanly_on_signal(tmp_path: Path, signum: int) -> None:
    db = tmp_path / "watch.duckdb"
    with serve(tmp_path) as base:
        _site(tmp_path, base, 1)
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("DATELINE_CONFIG", None)
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dateline",
                "watch",
                f"{base}/feed.xml",
                "--interval",
                "0.2",
                "--db",
                str(db),
            ],
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        assert proc.stderr is not None
        first = ""
        deadline = time.monotonic() + 240
        for line in proc.stderr:
            if line.startswith("poll 1:") or time.monotonic() > deadline:
                first = line
                break
        proc.send_signal(signum)
        rest = proc.stderr.read()
        code = proc.wait(timeout=60)
    assert "read 1, coded 1" in first, first + rest
    assert code == 0, rest
    assert "watch stopped" in rest and "Traceback" not in rest
    with open_store(str(db), FAST) as store:
        assert store.query("SELECT count(*) AS n FROM stories") == [{"n": 1}]
        assert store.query("SELECT finished FROM runs")[0]["finished"] is not None
