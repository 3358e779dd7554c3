"""Executors: run the same stage code in-process, in worker processes, or on Ray.

The seam: an executor takes plain story records (``Story.to_dict(include_raw=True)``)
and yields coded records (``Story.to_dict()``) — only plain, serialisable data
crosses a process boundary. Each worker builds its pipeline (and loads the spaCy
model) once, from the settings it is given.

    executor = get_executor("local", workers=1)
    for coded in executor.map_records(records, settings):
        ...

Order of results is not guaranteed across workers; callers key on ``record["id"]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from ..errors import ConfigError, MissingExtraError
from ..settings import Settings

__all__ = ["Executor", "get_executor"]

Record = dict[str, Any]


class Executor(Protocol):
    """Codes story records; failures ride inside each record (``failures``)."""

    name: str
    workers: int

    def map_records(self, records: Iterable[Record], settings: Settings) -> Iterator[Record]:
        """Code each raw story record and yield the coded record."""
        ...

    def close(self) -> None:
        """Release workers."""
        ...


def get_executor(name: str = "local", *, workers: int = 1, address: str | None = None) -> Executor:
    """The executor called ``name`` ("local" or "ray") with ``workers`` workers.

    Args:
        name: "local" (in-process when workers == 1, else worker processes) or "ray".
        workers: number of worker processes / Ray actors.
        address: Ray cluster address ("auto", "ray://host:port"); None starts a local Ray.
    """
    if workers < 1:
        raise ConfigError(f"--workers must be at least 1, got {workers}")
    if name == "local":
        from .local import LocalExecutor

        return LocalExecutor(workers=workers)
    if name == "ray":
        try:
            import ray  # noqa: F401
        except ImportError as exc:
            raise MissingExtraError("ray", "ray") from exc
        from .ray import RayExecutor

        return RayExecutor(workers=workers, address=address)
    raise ConfigError(f"unknown executor {name!r}; choose 'local' or 'ray'")
