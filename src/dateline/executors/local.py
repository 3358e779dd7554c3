"""The local executor: in-process for one worker, worker processes for more.

With ``workers > 1`` each worker is a fresh interpreter (``spawn`` by default, or
``forkserver``) that builds the pipeline once and then codes batches it receives over
its own pipe. The parent hands a batch only to an idle worker, so a pipe never holds
more than one message each way and neither side can block the other. When a worker
dies (killed, out of memory, a crash in native code) the parent sees its sentinel,
starts a replacement and re-sends the batch it held (see
:func:`~dateline.executors.worker.retry_plan`): nothing is lost and, because a dead
worker's batch never produced a result, nothing is duplicated.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError, DatelineError
from ..settings import Settings
from .worker import Batch, BatchCoder, RunStats, batches, limit_threads, retry_plan

__all__ = ["LocalExecutor"]

Record = dict[str, Any]

#: how long a new worker may take to build its pipeline and load the model
START_TIMEOUT_S = 300.0


def _worker_main(conn: Any, settings: Settings, stages: Sequence[str] | None) -> None:
    """Body of a worker process: build the pipeline once, then code batches until told to stop."""
    limit_threads()
    try:
        coder = BatchCoder(settings, stages)
    except Exception as exc:  # noqa: BLE001 - report why start-up failed instead of dying silently
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", None))
    while True:
        batch = conn.recv()
        if batch is None:
            return
        conn.send(("done", coder.code(batch)))


@dataclass
class _Worker:
    """One worker process, its end of the pipe, and the batch it is coding (if any)."""

    process: Any
    conn: Any
    batch: Batch | None = None


class LocalExecutor:
    """Codes records in this process (``workers == 1``) or in worker processes.

    Args:
        workers: 1 codes in-process; more start that many worker processes.
        stages: stage names or ``module:Class`` paths (default: the full pipeline).
        batch_size: stories per batch sent to a worker (default: ``nlp.batch_size``).
        max_attempts: times a batch is retried whole after its worker died.
        start_method: "spawn" or "forkserver" (never "fork": a forked spaCy model
            shares state with the parent).
    """

    name = "local"

    def __init__(
        self,
        workers: int = 1,
        *,
        stages: Sequence[str] | None = None,
        batch_size: int | None = None,
        max_attempts: int = 2,
        start_method: str = "spawn",
    ) -> None:
        if start_method not in ("spawn", "forkserver"):
            raise ConfigError(f"start_method must be 'spawn' or 'forkserver', got {start_method!r}")
        self.workers = workers
        self.stages = tuple(stages) if stages is not None else None
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.stats = RunStats()
        self._mp: Any = multiprocessing.get_context(start_method)
        self._pool: list[_Worker] = []
        self._coder: BatchCoder | None = None  # the in-process pipeline when workers == 1
        self._settings: Settings | None = None

    # --- public -------------------------------------------------------------------

    def start(self, settings: Settings) -> None:
        """Build the pipeline (in-process) or start the workers now; ``map_records`` does it on first use."""
        if self._settings == settings and (self._pool or self._coder):
            return
        self.close()
        self._settings = settings
        if self.workers == 1:
            self._coder = BatchCoder(settings, self.stages)
            return
        self._pool = [self._spawn() for _ in range(self.workers)]
        for worker in self._pool:
            self._await_ready(worker)

    def worker_pids(self) -> list[int]:
        """Process ids of the live workers (empty in-process)."""
        return [w.process.pid for w in self._pool]

    def map_records(self, records: Iterable[Record], settings: Settings) -> Iterator[Record]:
        """Code each record and yield it as soon as its batch is done (order not kept).

        Args:
            records: ``Story.to_dict(include_raw=True)`` dicts.
            settings: the run's settings; workers build their pipeline from them.

        Returns:
            An iterator of coded records (``Story.to_dict()``), one per input record.
        """
        size = self.batch_size or settings.nlp.batch_size
        if self.workers == 1:
            return self._map_in_process(records, settings, size)
        return self._map_pool(records, settings, size)

    def close(self) -> None:
        """Stop the worker processes (or drop the in-process pipeline)."""
        self._coder = None
        self._settings = None
        for worker in self._pool:
            if worker.batch is not None:
                worker.process.kill()  # abandoned mid-batch (the caller stopped reading): no result wanted
                continue
            try:
                worker.conn.send(None)
            except (OSError, ValueError):
                pass  # already gone
        for worker in self._pool:
            worker.process.join(timeout=10)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.conn.close()
        self._pool = []

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the pool -----------------------------------------------------------------

    def _map_in_process(self, records: Iterable[Record], settings: Settings, size: int) -> Iterator[Record]:
        self.start(settings)
        assert self._coder is not None
        for batch in batches(records, size):
            result = self._coder.code(batch.records)
            self.stats.add(result)
            yield from result["records"]

    def _spawn(self) -> _Worker:
        parent, child = self._mp.Pipe()
        process = self._mp.Process(
            target=_worker_main,
            args=(child, self._settings, self.stages),
            daemon=True,
            name="dateline-worker",
        )
        process.start()
        child.close()
        return _Worker(process=process, conn=parent)

    def _await_ready(self, worker: _Worker) -> None:
        ready = multiprocessing.connection.wait(
            [worker.conn, worker.process.sentinel], timeout=START_TIMEOUT_S
        )
        if worker.conn not in ready:
            code = worker.process.exitcode
            raise DatelineError(
                f"a worker process did not start (exit code {code}); run with --workers 1 to see why"
            )
        kind, detail = worker.conn.recv()
        if kind == "error":
            raise DatelineError(f"a worker could not build the pipeline: {detail}")

    def _map_pool(self, records: Iterable[Record], settings: Settings, size: int) -> Iterator[Record]:
        self.start(settings)
        source = batches(records, size)
        todo: deque[Batch] = deque()
        finished = False
        try:
            while True:
                self._assign(todo, source)
                busy = [w for w in self._pool if w.batch is not None]
                if not busy:
                    finished = True
                    return
                handles = [w.conn for w in busy] + [w.process.sentinel for w in busy]
                ready = multiprocessing.connection.wait(handles)
                for worker in busy:
                    if worker.conn in ready and worker.conn.poll():
                        yield from self._collect(worker, todo, source)
                    elif worker.process.sentinel in ready:
                        yield from self._replace(worker, todo)
        finally:
            if not finished:
                # the caller stopped early (or an error escaped): workers still hold batches
                # whose results nobody will read, so they must not serve the next call
                self.close()

    def _assign(self, todo: deque[Batch], source: Iterator[Batch]) -> None:
        """Give a batch to every idle worker: retries first, then new input."""
        for worker in self._pool:
            if worker.batch is not None:
                continue
            batch = todo.popleft() if todo else next(source, None)
            if batch is None:
                return
            worker.batch = batch
            try:
                worker.conn.send(batch.records)
            except OSError:
                pass  # the worker just died: its sentinel fires next and the batch is requeued

    def _collect(self, worker: _Worker, todo: deque[Batch], source: Iterator[Batch]) -> Iterator[Record]:
        try:
            _kind, result = worker.conn.recv()
        except (EOFError, OSError):
            yield from self._replace(worker, todo)
            return
        worker.batch = None
        # keep the worker busy while the caller consumes this batch's records
        self._assign(todo, source)
        self.stats.add(result)
        yield from result["records"]

    def _replace(self, worker: _Worker, todo: deque[Batch]) -> Iterator[Record]:
        """A worker died: start another in its place and requeue (or give up on) its batch."""
        worker.process.join()
        detail = f"exit code {worker.process.exitcode}"
        worker.conn.close()
        batch, worker.batch = worker.batch, None
        fresh = self._spawn()
        self._await_ready(fresh)
        worker.process, worker.conn = fresh.process, fresh.conn
        self.stats.worker_deaths += 1
        if batch is None:
            return
        retry, given_up = retry_plan(batch, self.max_attempts, detail)
        self.stats.retried_batches += len(retry)
        todo.extendleft(reversed(retry))
        yield from given_up
