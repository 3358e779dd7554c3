"""Executors: run the same stage code in-process, in worker processes, or on Ray.

The seam: an executor takes plain story records (``Story.to_dict(include_raw=True)``)
and yields coded records (``Story.to_dict()``) — only plain, serialisable data
crosses a process boundary. Each worker builds its pipeline (and loads the spaCy
model) once, from the settings it is given.

    executor = get_executor("local", workers=1)
    for coded in executor.map_records(records, settings):
        ...

Order of results is not guaranteed across workers; callers key on ``record["id"]``.

Guarantees (see ``local.py``, ``ray.py`` and ``worker.py``): a story a stage cannot
code comes back with its ``failures``; a worker that dies is replaced and its batch
retried (whole, then story by story); a story that kills its worker on every attempt
comes back with an executor failure. Every input record yields exactly one output.
Per-stage seconds, CPU time and peak RSS per worker accumulate in ``executor.stats``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol

from ..errors import ConfigError, MissingExtraError
from ..settings import Settings
from .worker import RunStats

__all__ = ["Executor", "get_executor"]

Record = dict[str, Any]


class Executor(Protocol):
    """Codes story records; failures ride inside each record (``failures``)."""

    name: str
    workers: int
    stats: RunStats

    def start(self, settings: Settings) -> None:
        """Build the pipeline / start the workers now (``map_records`` does it on first use)."""
        ...

    def worker_pids(self) -> list[int]:
        """Process ids of the live workers (empty when coding in-process)."""
        ...

    def map_records(self, records: Iterable[Record], settings: Settings) -> Iterator[Record]:
        """Code each raw story record and yield the coded record."""
        ...

    def close(self) -> None:
        """Release workers."""
        ...

    def __enter__(self) -> Executor:
        """Use as a context manager; ``close()`` on exit."""
        ...

    def __exit__(self, *exc: object) -> None:
        """Release workers."""
        ...


def get_executor(
    name: str = "local",
    *,
    workers: int = 1,
    address: str | None = None,
    stages: Sequence[str] | None = None,
    batch_size: int | None = None,
) -> Executor:
    """The executor called ``name`` ("local" or "ray") with ``workers`` workers.

    Args:
        name: "local" (in-process when workers == 1, else worker processes) or "ray".
        workers: number of worker processes / Ray actors.
        address: Ray cluster address ("auto", "ray://host:port"); None starts a local Ray.
        stages: stage names or ``module:Class`` paths each worker builds (default: the full pipeline).
        batch_size: stories per batch handed to a worker (default: ``nlp.batch_size``).

    Returns:
        An executor; call ``close()`` (or use it as a context manager) when done.
    """
    if workers < 1:
        raise ConfigError(f"--workers must be at least 1, got {workers}")
    if name == "local":
        from .local import LocalExecutor

        return LocalExecutor(workers=workers, stages=stages, batch_size=batch_size)
    if name == "ray":
        try:
            import ray  # noqa: F401
        except ImportError as exc:
            raise MissingExtraError("ray", "ray") from exc
        from .ray import RayExecutor

        return RayExecutor(workers=workers, address=address, stages=stages, batch_size=batch_size)
    raise ConfigError(f"unknown executor {name!r}; choose 'local' or 'ray'")
