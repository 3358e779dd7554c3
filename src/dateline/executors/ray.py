"""The Ray executor: a pool of Ray actors, each building the pipeline (and model) once.

``address`` "auto" or "ray://host:port" joins an existing cluster; None starts a
local Ray instance sized for a laptop (no dashboard, a small object store) and shuts
it down on :meth:`RayExecutor.close`. If Ray is already initialised in this process
(a test fixture, a notebook), the executor uses it and leaves it running.

Each actor holds at most ``inflight`` batches. When an actor dies (its process is
killed, the node goes away) every batch it held fails with ``RayActorError``; the
executor starts a new actor in its place and requeues those batches with the same
rules as the local executor (:func:`~dateline.executors.worker.retry_plan`). A batch
is yielded only from a result Ray delivered, so nothing is yielded twice.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import ray
from ray.exceptions import RayActorError, RayTaskError

from ..errors import ConfigError, DatelineError
from ..settings import Settings
from .worker import Batch, BatchCoder, RunStats, batches, limit_threads, retry_plan

__all__ = ["RayExecutor"]

Record = dict[str, Any]


class _Coder:
    """The body of a Ray actor: one :class:`BatchCoder`, built when the actor starts."""

    def __init__(self, settings: Settings, stages: Sequence[str] | None) -> None:
        limit_threads()
        self.coder = BatchCoder(settings, stages)

    def pid(self) -> int:
        """The actor's process id (tests kill it with this)."""
        return os.getpid()

    def code(self, records: list[Record]) -> Record:
        """Code one batch (see :meth:`BatchCoder.code`)."""
        return self.coder.code(records)


@dataclass
class _Slot:
    """One place in the pool: the current actor, its pid, and which incarnation it is."""

    actor: Any
    pid: int
    generation: int = 0


class RayExecutor:
    """Codes records on a pool of Ray actors.

    Args:
        workers: number of actors (each reserves ``cpus_per_worker`` CPUs).
        address: "auto" or "ray://host:port" to join a cluster; None starts a local Ray.
        stages: stage names or ``module:Class`` paths (default: the full pipeline).
        batch_size: stories per batch (default: ``nlp.batch_size``).
        max_attempts: times a batch is retried whole after its actor died.
        inflight: batches queued on each actor, so it never waits for the driver.
        cpus_per_worker: CPUs each actor reserves.
        object_store_mb: object store size when this executor starts Ray itself.
    """

    name = "ray"

    def __init__(
        self,
        workers: int = 1,
        *,
        address: str | None = None,
        stages: Sequence[str] | None = None,
        batch_size: int | None = None,
        max_attempts: int = 2,
        inflight: int = 2,
        cpus_per_worker: float = 1.0,
        object_store_mb: int = 128,
    ) -> None:
        self.workers = workers
        self.address = address
        self.stages = tuple(stages) if stages is not None else None
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.inflight = inflight
        self.cpus_per_worker = cpus_per_worker
        self.object_store_mb = object_store_mb
        self.stats = RunStats()
        self._slots: list[_Slot] = []
        self._settings: Settings | None = None
        self._owns_ray = False

    # --- public -------------------------------------------------------------------

    def start(self, settings: Settings) -> None:
        """Connect to (or start) Ray and start the actors (``map_records`` does it on first use)."""
        if self._slots and self._settings == settings:
            return
        self._kill_actors()
        self._settings = settings
        self._init_ray()
        actors = [self._new_actor() for _ in range(self.workers)]
        pids = self._await_ready(actors)
        self._slots = [_Slot(actor=a, pid=p) for a, p in zip(actors, pids, strict=True)]

    def worker_pids(self) -> list[int]:
        """Process ids of the live actors."""
        return [slot.pid for slot in self._slots]

    def map_records(self, records: Iterable[Record], settings: Settings) -> Iterator[Record]:
        """Code each record on the actors, yielding each batch as it completes (order not kept).

        Args:
            records: ``Story.to_dict(include_raw=True)`` dicts.
            settings: the run's settings; each actor builds its pipeline from them.

        Returns:
            An iterator of coded records (``Story.to_dict()``), one per input record.
        """
        self.start(settings)
        size = self.batch_size or settings.nlp.batch_size
        return self._run(batches(records, size))

    def close(self) -> None:
        """Stop the actors, and Ray itself if this executor started it."""
        self._kill_actors()
        if self._owns_ray and ray.is_initialized():
            ray.shutdown()
        self._owns_ray = False

    def __enter__(self) -> RayExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- Ray plumbing -------------------------------------------------------------

    def _init_ray(self) -> None:
        if ray.is_initialized():
            return
        if self.address is not None:
            try:
                ray.init(address=self.address, log_to_driver=False)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise ConfigError(
                    f"cannot join the Ray cluster at {self.address!r}: {exc}. Start one with "
                    "`ray start --head`, or leave out --address to run a local Ray instance"
                ) from exc
            return
        ray.init(
            num_cpus=max(self.workers, os.cpu_count() or 1),
            include_dashboard=False,
            object_store_memory=self.object_store_mb * 2**20,
            log_to_driver=False,
        )
        self._owns_ray = True

    def _new_actor(self) -> Any:
        cls = ray.remote(_Coder).options(num_cpus=self.cpus_per_worker, max_restarts=0, max_task_retries=0)
        return cls.remote(self._settings, self.stages)

    def _await_ready(self, actors: list[Any]) -> list[int]:
        try:
            pids: list[int] = ray.get([a.pid.remote() for a in actors])
        except RayActorError as exc:
            raise DatelineError(f"a Ray worker could not build the pipeline: {exc}") from exc
        return pids

    def _kill_actors(self) -> None:
        for slot in self._slots:
            ray.kill(slot.actor)
        self._slots = []

    def _replace(self, index: int) -> None:
        """Start a new actor in slot ``index`` (its predecessor died)."""
        old = self._slots[index]
        actor = self._new_actor()
        (pid,) = self._await_ready([actor])
        self._slots[index] = _Slot(actor=actor, pid=pid, generation=old.generation + 1)
        self.stats.worker_deaths += 1

    # --- scheduling ---------------------------------------------------------------

    def _run(self, source: Iterator[Batch]) -> Iterator[Record]:
        todo: deque[Batch] = deque()
        pending: dict[Any, tuple[int, int, Batch]] = {}  # ref -> (slot, generation, batch)
        while True:
            self._submit(pending, todo, source)
            if not pending:
                return
            (ref,), _ = ray.wait(list(pending), num_returns=1)
            index, generation, batch = pending.pop(ref)
            try:
                result = ray.get(ref)
            except (RayActorError, RayTaskError) as exc:
                if self._slots[index].generation == generation:
                    self._replace(index)
                retry, given_up = retry_plan(batch, self.max_attempts, type(exc).__name__)
                self.stats.retried_batches += len(retry)
                todo.extendleft(reversed(retry))
                yield from given_up
                continue
            self.stats.add(result)
            yield from result["records"]

    def _submit(
        self, pending: dict[Any, tuple[int, int, Batch]], todo: deque[Batch], source: Iterator[Batch]
    ) -> None:
        """Top every actor up to ``inflight`` batches: retries first, then new input."""
        load = [0] * len(self._slots)
        for index, _gen, _batch in pending.values():
            load[index] += 1
        for index, slot in enumerate(self._slots):
            while load[index] < self.inflight:
                batch = todo.popleft() if todo else next(source, None)
                if batch is None:
                    return
                pending[slot.actor.code.remote(batch.records)] = (index, slot.generation, batch)
                load[index] += 1
