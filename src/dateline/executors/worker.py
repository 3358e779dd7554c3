"""What every worker runs, whichever executor hosts it: build the pipeline once, code batches.

A :class:`BatchCoder` lives in one process (the caller's, a worker process, or a Ray
actor). It builds the stages once, warms them up so the spaCy model and dictionaries
load before the first real batch, and codes batches of plain records. Each batch comes
back as a :class:`BatchResult`-shaped dict: the coded records, the seconds spent in
each stage (measured by a light wrapper around each stage's generator, not inside the
stages), the worker's peak RSS and its pid.

The retry rules shared by the executors live here too: a batch whose worker died is
retried whole, then story by story, and a story that kills its worker every time is
recorded as a :class:`~dateline.model.Failure` instead of being lost.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import resource
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ..context import Context
from ..errors import PipelineError
from ..model import Failure, Story
from ..pipeline import Pipeline, Stage
from ..registry import DEFAULT_PIPELINE, load_stage
from ..settings import Settings

__all__ = [
    "EXECUTOR_STAGE",
    "Batch",
    "BatchCoder",
    "RunStats",
    "died_record",
    "limit_threads",
    "peak_rss_mb",
    "resolve_stage",
    "retry_plan",
]

Record = dict[str, Any]

#: the stage name a failure carries when the executor, not a stage, lost the story
EXECUTOR_STAGE = "dateline.executor.v1"

#: a one-line story pushed through every stage at start-up so lazy resources load once
WARM_UP_TEXT = "Officials met in Seoul on Monday to discuss the talks."


def limit_threads() -> None:
    """Pin numeric libraries to one thread: a worker per core, not a worker per core squared."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")


def peak_rss_mb() -> float:
    """This process's peak resident set size in MiB (Linux reports KiB)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(kib / 1024 if sys.platform != "darwin" else kib / 2**20, 1)


def resolve_stage(spec: str) -> type[Stage]:
    """The stage class for a registered name or a ``module:Class`` path.

    Args:
        spec: a versioned stage name from the registry (``dateline.nlp.spacy.v1``)
            or an importable ``package.module:Class``.

    Returns:
        The stage class (not an instance).
    """
    if ":" not in spec:
        cls: type[Stage] = load_stage(spec)
        return cls
    module, _, attr = spec.partition(":")
    try:
        found: type[Stage] = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise PipelineError(
            f"cannot import stage {spec!r}: {exc}. Give a registered stage name or an importable module:Class"
        ) from exc
    return found


class _Timer:
    """Wall and CPU seconds per key; CPU time stays meaningful when other processes share the cores."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    def add(self, key: str, wall: float, cpu: float) -> None:
        """Add one measurement to ``key``."""
        self.wall[key] = self.wall.get(key, 0.0) + wall
        self.cpu[key] = self.cpu.get(key, 0.0) + cpu


def _timed(stream: Iterator[Story], timer: _Timer, key: str) -> Iterator[Story]:
    """Yield from ``stream``, adding the time spent producing each item to ``timer`` under ``key``.

    The time is inclusive of the upstream stages the generator pulls from;
    :meth:`BatchCoder._pipe` subtracts them.
    """
    # The calling thread's CPU, not the process's: a Ray actor runs its own threads (RPC, metrics)
    # whose CPU belongs to the runtime, not to the stage. The batch total keeps process time.
    wall, cpu = time.perf_counter, time.thread_time
    while True:
        w0, c0 = wall(), cpu()
        try:
            item = next(stream)
        except StopIteration:
            timer.add(key, wall() - w0, cpu() - c0)
            return
        timer.add(key, wall() - w0, cpu() - c0)
        yield item


class BatchCoder:
    """The pipeline of one worker, built once; codes batches of records.

    Args:
        settings: the run's settings.
        stages: stage names or ``module:Class`` paths, in order (default: the full pipeline).
        warm_up: push a one-line story through every stage now, so the first batch
            does not pay for loading the model and dictionaries.
    """

    def __init__(
        self, settings: Settings, stages: Sequence[str] | None = None, *, warm_up: bool = True
    ) -> None:
        self.ctx = Context(settings)
        specs = tuple(stages) if stages is not None else DEFAULT_PIPELINE
        self.pipeline = Pipeline([resolve_stage(s)(self.ctx) for s in specs])
        if warm_up:
            list(self.pipeline.pipe([Story(id="warm-up", raw=WARM_UP_TEXT)]))

    def code(self, records: Sequence[Record]) -> Record:
        """Code a batch of raw records.

        Args:
            records: ``Story.to_dict(include_raw=True)`` dicts.

        Returns:
            ``{"records": [coded dicts], "seconds": {stage: wall s}, "cpu_seconds":
            {stage: CPU s}, "cpu_s": CPU s of the batch, "stories": n, "rss_mb": peak MiB,
            "pid": pid}``. A story a stage could not code carries
            its ``failures``; none is dropped.
        """
        timer = _Timer()
        cpu = time.process_time()
        with _measure(timer, "decode"):
            stories = [Story.from_dict(r) for r in records]
        try:
            coded = list(self._pipe(stories, timer))
        except Exception:  # noqa: BLE001 - a stage's pipe() broke the stream: isolate story by story
            timer = _Timer()
            coded = [self._one(s, timer) for s in stories]
        with _measure(timer, "encode"):
            out = [s.to_dict() for s in coded]
        return {
            "records": out,
            "seconds": timer.wall,
            "cpu_seconds": timer.cpu,
            "cpu_s": time.process_time() - cpu,
            "stories": len(out),
            "rss_mb": peak_rss_mb(),
            "pid": os.getpid(),
        }

    def _pipe(self, stories: list[Story], timer: _Timer) -> Iterator[Story]:
        """Chain the stages' generators with a timer around each one."""
        inclusive = _Timer()
        stream: Iterator[Story] = iter(stories)
        for stage in self.pipeline.stages:
            stream = _timed(stage.pipe(stream), inclusive, stage.name)
        yield from stream
        upstream_wall = upstream_cpu = 0.0
        for stage in self.pipeline.stages:
            # a stage's generator time includes the upstream stages it pulled from: subtract them
            wall, cpu = inclusive.wall.get(stage.name, 0.0), inclusive.cpu.get(stage.name, 0.0)
            timer.add(stage.name, max(0.0, wall - upstream_wall), max(0.0, cpu - upstream_cpu))
            upstream_wall, upstream_cpu = wall, cpu

    def _one(self, story: Story, timer: _Timer) -> Story:
        """Code one story through the stages' single-story path; never raises."""
        with _measure(timer, "pipeline"):
            try:
                return self.pipeline(story)
            except Exception as exc:  # noqa: BLE001 - record it, the batch goes on
                return with_failure(story, f"{type(exc).__name__}: {exc}")


@contextmanager
def _measure(timer: _Timer, key: str) -> Iterator[None]:
    """Time the block into ``timer`` under ``key``."""
    w0, c0 = time.perf_counter(), time.thread_time()
    try:
        yield
    finally:
        timer.add(key, time.perf_counter() - w0, time.thread_time() - c0)


def with_failure(story: Story, message: str) -> Story:
    """The story with an executor failure appended."""
    failure = Failure(story_id=story.id, stage=EXECUTOR_STAGE, error=message, kind="error")
    return dataclasses.replace(story, failures=(*story.failures, failure))


def died_record(record: Record, attempts: int, detail: str) -> Record:
    """The coded-record form of a story that killed its worker on every attempt."""
    story = Story.from_dict(record)
    message = (
        f"worker died while coding this story ({detail}) on each of {attempts} attempts; "
        "it is recorded, not retried again — check it for input that crashes the parser"
    )
    return with_failure(story, message).to_dict()


@dataclass
class Batch:
    """Records sent to a worker together, and how many times a worker died on them."""

    records: list[Record]
    attempts: int = 0


def retry_plan(batch: Batch, max_attempts: int, detail: str) -> tuple[list[Batch], list[Record]]:
    """What to do with a batch whose worker died: batches to retry, records to give up on.

    1. A batch that has failed fewer than ``max_attempts`` times is retried whole.
    2. After that, a batch of several stories is split into single stories, each
       retried on its own, so one poisonous story cannot keep its batch-mates out.
    3. A single story that still kills its worker is recorded as a failure.
    """
    batch.attempts += 1
    if batch.attempts < max_attempts:
        return [batch], []
    if len(batch.records) > 1:
        return [Batch([r], attempts=max_attempts - 1) for r in batch.records], []
    return [], [died_record(batch.records[0], batch.attempts, detail)]


def batches(records: Iterable[Record], size: int) -> Iterator[Batch]:
    """Cut a stream of records into batches of at most ``size``."""
    chunk: list[Record] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= size:
            yield Batch(chunk)
            chunk = []
    if chunk:
        yield Batch(chunk)


@dataclass
class RunStats:
    """Figures an executor collects from its workers' batch results."""

    stories: int = 0
    batches: int = 0
    worker_deaths: int = 0
    retried_batches: int = 0
    cpu_s: float = 0.0
    seconds: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    rss_mb: dict[int, float] = field(default_factory=dict)

    def add(self, result: Record) -> None:
        """Fold one batch result in (its records are not kept)."""
        self.stories += int(result["stories"])
        self.batches += 1
        self.cpu_s += float(result.get("cpu_s", 0.0))
        for key, value in result["seconds"].items():
            self.seconds[key] = self.seconds.get(key, 0.0) + float(value)
        for key, value in result.get("cpu_seconds", {}).items():
            self.cpu_seconds[key] = self.cpu_seconds.get(key, 0.0) + float(value)
        pid = int(result["pid"])
        self.rss_mb[pid] = max(self.rss_mb.get(pid, 0.0), float(result["rss_mb"]))

    def as_dict(self) -> Record:
        """JSON-ready figures (worker pids become strings)."""
        return {
            "stories": self.stories,
            "batches": self.batches,
            "worker_deaths": self.worker_deaths,
            "retried_batches": self.retried_batches,
            "cpu_s": round(self.cpu_s, 3),
            "stage_seconds": {k: round(v, 3) for k, v in self.seconds.items()},
            "stage_cpu_seconds": {k: round(v, 3) for k, v in self.cpu_seconds.items()},
            "peak_rss_mb": {str(k): v for k, v in self.rss_mb.items()},
        }
