"""Executors: same records out whatever runs them; failures recorded; dead workers replaced.

The stages defined here are real stages (they subclass :class:`dateline.Stage`); the
worker processes import them by ``module:Class`` path, as they would a plugin's.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from dateline.errors import ConfigError, MissingExtraError
from dateline.executors import get_executor
from dateline.executors.local import LocalExecutor
from dateline.executors.worker import EXECUTOR_STAGE, Batch, BatchCoder, retry_plan
from dateline.model import Story, content_id
from dateline.pipeline import Stage
from dateline.registry import DEFAULT_PIPELINE
from dateline.settings import load_settings

HERE = __name__


# --- stages used by the tests ---------------------------------------------------------


class CopyText(Stage):
    """raw -> text, unchanged (stands in for extraction, which is not under test here)."""

    name = "tests.copy_text.v1"
    requires = frozenset({"raw"})
    provides = frozenset({"text", "meta"})

    def process(self, story: Story) -> Story:
        return dataclasses.replace(story, text=story.raw)


class Explode(Stage):
    """Raises on any story that says EXPLODE."""

    name = "tests.explode.v1"
    requires = frozenset({"text"})

    def process(self, story: Story) -> Story:
        if "EXPLODE" in story.text:
            raise ValueError("this story asked to explode")
        return story


class KillOnce(Stage):
    """SIGKILLs its own worker the first time it sees ``KILLONCE <flag path>``."""

    name = "tests.kill_once.v1"
    requires = frozenset({"text"})

    def process(self, story: Story) -> Story:
        if story.text.startswith("KILLONCE "):
            flag = Path(story.text.split()[1])
            if not flag.exists():
                flag.write_text("killed")
                os.kill(os.getpid(), signal.SIGKILL)
        if story.text.startswith("KILLALWAYS"):
            os.kill(os.getpid(), signal.SIGKILL)
        return story


class Slow(Stage):
    """Sleeps a little per story, so a test can kill a worker while it is busy."""

    name = "tests.slow.v1"
    requires = frozenset({"text"})

    def process(self, story: Story) -> Story:
        time.sleep(0.15)
        return story


LIGHT = (f"{HERE}:CopyText", f"{HERE}:Explode", f"{HERE}:KillOnce")


def records(texts: list[str]) -> list[dict[str, Any]]:
    """Raw story records, as the ingest command hands them to an executor."""
    return [
        Story(id=content_id(i, t), raw=t, source=f"t{i}").to_dict(include_raw=True)
        for i, t in enumerate(texts)
    ]


def by_id(coded: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    ids = Counter(r["id"] for r in coded)
    assert all(n == 1 for n in ids.values()), f"duplicated: {[k for k, n in ids.items() if n > 1]}"
    return {r["id"]: r for r in coded}


# --- plumbing without workers ---------------------------------------------------------


def test_get_executor_rejects_bad_arguments() -> None:
    with pytest.raises(ConfigError, match="at least 1"):
        get_executor("local", workers=0)
    with pytest.raises(ConfigError, match="unknown executor"):
        get_executor("spark")


def test_ray_executor_without_ray_prints_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "ray", None)  # what a missing package looks like to import
    with pytest.raises(MissingExtraError, match=r"pip install 'dateline\[ray\]'"):
        get_executor("ray", workers=2)


def test_retry_plan_retries_then_splits_then_records() -> None:
    batch = Batch(records(["a", "b"]))
    retry, lost = retry_plan(batch, max_attempts=2, detail="exit code -9")
    assert retry == [batch] and lost == []
    retry, lost = retry_plan(batch, max_attempts=2, detail="exit code -9")
    assert [len(b.records) for b in retry] == [1, 1] and lost == []
    retry, lost = retry_plan(retry[0], max_attempts=2, detail="exit code -9")
    assert retry == []
    (failure,) = lost[0]["failures"]
    assert failure["stage"] == EXECUTOR_STAGE and "exit code -9" in failure["error"]


def test_batch_coder_times_each_stage_and_isolates_a_raising_stage() -> None:
    coder = BatchCoder(load_settings(), LIGHT)
    result = coder.code(records(["fine", "EXPLODE here", "also fine"]))
    out = by_id(result["records"])
    failed = [r for r in out.values() if r["failures"]]
    assert len(out) == 3 and len(failed) == 1
    assert failed[0]["failures"][0]["stage"] == Explode.name
    assert "asked to explode" in failed[0]["failures"][0]["error"]
    assert set(result["seconds"]) >= {"decode", "encode", CopyText.name, Explode.name, KillOnce.name}
    assert result["rss_mb"] > 0 and result["pid"] == os.getpid()


# --- worker processes ------------------------------------------------------------------


def test_local_pool_matches_in_process_and_records_a_raising_stage() -> None:
    texts = [f"story {i}" for i in range(9)] + ["EXPLODE at the end"]
    settings = load_settings()
    one = by_id(list(get_executor("local", stages=LIGHT, batch_size=3).map_records(records(texts), settings)))
    with get_executor("local", workers=2, stages=LIGHT, batch_size=3) as pool:
        two = by_id(list(pool.map_records(records(texts), settings)))
    assert one == two
    assert sum(bool(r["failures"]) for r in two.values()) == 1


def test_worker_that_kills_itself_mid_batch_is_replaced_and_batch_retried(tmp_path: Path) -> None:
    texts = [f"story {i}" for i in range(10)]
    texts[5] = f"KILLONCE {tmp_path / 'flag'}"
    raw = records(texts)
    with LocalExecutor(workers=2, stages=LIGHT, batch_size=4) as pool:
        pool.start(load_settings())
        before = set(pool.worker_pids())
        out = by_id(list(pool.map_records(raw, load_settings())))
        after = set(pool.worker_pids())
        stats = pool.stats
    assert (tmp_path / "flag").exists(), "the worker never reached the kill"
    assert set(out) == {r["id"] for r in raw}
    assert not any(r["failures"] for r in out.values())
    assert stats.worker_deaths == 1 and stats.retried_batches == 1
    assert len(before & after) == 1, "exactly one worker should have been replaced"


def test_story_that_always_kills_its_worker_is_recorded_not_lost() -> None:
    texts = [f"story {i}" for i in range(6)]
    texts[2] = "KILLALWAYS"
    raw = records(texts)
    with LocalExecutor(workers=2, stages=LIGHT, batch_size=3, max_attempts=2) as pool:
        out = by_id(list(pool.map_records(raw, load_settings())))
    assert set(out) == {r["id"] for r in raw}
    failed = {k: r for k, r in out.items() if r["failures"]}
    assert list(failed) == [raw[2]["id"]]
    assert failed[raw[2]["id"]]["failures"][0]["stage"] == EXECUTOR_STAGE
    assert all(r["stages"] for k, r in out.items() if k not in failed)


def test_worker_killed_from_outside_mid_batch_loses_and_duplicates_nothing() -> None:
    raw = records([f"story number {i}" for i in range(24)])
    stages = (f"{HERE}:CopyText", f"{HERE}:Slow")
    got: list[dict[str, Any]] = []
    with LocalExecutor(workers=2, stages=stages, batch_size=3) as pool:
        stream = pool.map_records(raw, load_settings())
        got.append(next(stream))  # one batch done: both workers now hold a batch
        victim = pool.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        got.extend(stream)
        assert victim not in pool.worker_pids()
        assert pool.stats.worker_deaths == 1
    out = by_id(got)
    assert set(out) == {r["id"] for r in raw}
    assert all(r["stages"] == [CopyText.name, Slow.name] and not r["failures"] for r in out.values())


# --- the real pipeline: same coded records whoever runs it -----------------------------


def _default_pipeline_or_skip() -> tuple[str, ...]:
    from dateline.executors.worker import resolve_stage

    try:
        for name in DEFAULT_PIPELINE:
            resolve_stage(name)
    except ImportError as exc:
        pytest.skip(f"the default pipeline is not complete yet: {exc}")
    return DEFAULT_PIPELINE


def dev_records(shared_dir: Path, n: int) -> list[dict[str, Any]]:
    """The first ``n`` development articles as raw records."""
    from dateline.readers import story_from_text

    paths = sorted((shared_dir / "eval" / "articles").glob("*.txt"))[:n]
    return [story_from_text(p.read_text("utf-8"), source=p.name).to_dict(include_raw=True) for p in paths]


@pytest.mark.model
def test_full_pipeline_gives_identical_records_in_process_and_in_workers(shared_dir: Path) -> None:
    stages = _default_pipeline_or_skip()
    raw = dev_records(shared_dir, 8)
    settings = load_settings()
    one = by_id(list(get_executor("local", stages=stages, batch_size=3).map_records(raw, settings)))
    with get_executor("local", workers=2, stages=stages, batch_size=3) as pool:
        two = by_id(list(pool.map_records(raw, settings)))
    assert set(one) == {r["id"] for r in raw}
    assert one == two
    assert any(r["events"] for r in one.values()), "the dev articles should yield events"


@pytest.mark.model
@pytest.mark.ray
def test_ray_gives_the_same_records_as_in_process(shared_dir: Path, ray_local: None) -> None:
    from dateline.executors.ray import RayExecutor

    stages = _default_pipeline_or_skip()
    raw = dev_records(shared_dir, 6)
    settings = load_settings()
    one = by_id(list(get_executor("local", stages=stages, batch_size=2).map_records(raw, settings)))
    with RayExecutor(workers=2, stages=stages, batch_size=2) as ex:
        on_ray = by_id(list(ex.map_records(raw, settings)))
    assert on_ray == one


@pytest.mark.ray
def test_ray_replaces_a_killed_actor_and_records_a_raising_stage(ray_local: None, tmp_path: Path) -> None:
    from dateline.executors.ray import RayExecutor

    texts = [f"story {i}" for i in range(8)] + [f"KILLONCE {tmp_path / 'flag'}", "EXPLODE"]
    raw = records(texts)
    with RayExecutor(workers=2, stages=LIGHT, batch_size=3) as ex:
        ex.start(load_settings())
        before = set(ex.worker_pids())
        out = by_id(list(ex.map_records(raw, load_settings())))
        assert ex.stats.worker_deaths == 1
        assert len(before & set(ex.worker_pids())) == 1
    assert (tmp_path / "flag").exists()
    assert set(out) == {r["id"] for r in raw}
    failed = [r for r in out.values() if r["failures"]]
    assert [f["stage"] for r in failed for f in r["failures"]] == [Explode.name]


def test_pool_abandoned_mid_stream_serves_the_next_run_cleanly() -> None:
    raw = records([f"story number {i}" for i in range(12)])
    stages = (f"{HERE}:CopyText", f"{HERE}:Slow")
    with LocalExecutor(workers=2, stages=stages, batch_size=2) as pool:
        stream = pool.map_records(raw, load_settings())
        next(stream)
        stream.close()  # the caller gives up with batches still in flight
        again = by_id(list(pool.map_records(raw[:4], load_settings())))
    assert set(again) == {r["id"] for r in raw[:4]}
