"""Watch feeds: poll on an interval, ingest what is new, stop cleanly on SIGINT or SIGTERM.

Each poll is one :func:`dateline.ingest.ingest` run over the feeds, so everything it
promises holds per poll: conditional requests (an unchanged feed costs one 304), links
already stored are not fetched again, and a batch is written whole or not at all. A
signal is honoured between batches and during the wait, never mid-transaction.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any

from .context import Context
from .ingest import IngestSummary, StoreValidators, ingest
from .readers.url import Fetcher
from .settings import Settings
from .store import Store

__all__ = ["StopFlag", "watch"]


class StopFlag:
    """Set by SIGINT/SIGTERM; ``wait`` sleeps until the interval ends or the flag is set."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.signal_name: str | None = None

    def set(self, signum: int | None = None, _frame: FrameType | None = None) -> None:
        """Ask the watcher to stop (usable as a signal handler)."""
        if signum is not None:
            self.signal_name = signal.Signals(signum).name
        self._event.set()

    @property
    def is_set(self) -> bool:
        """True once a stop was asked for."""
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True when woken by a stop."""
        return self._event.wait(seconds)


def watch(
    feeds: Sequence[str],
    *,
    store: Store,
    settings: Settings,
    interval: float,
    executor: Any = None,
    max_polls: int | None = None,
    stop: StopFlag | None = None,
    on_poll: Callable[[int, IngestSummary], None] | None = None,
) -> int:
    """Poll ``feeds`` every ``interval`` seconds until a signal (or ``max_polls``).

    Args:
        feeds: feed URLs or files.
        store: the open store.
        settings: the settings.
        interval: seconds between the start of one poll and the next.
        executor: the executor to code with (default: local).
        max_polls: stop after this many polls (None: run until signalled).
        stop: a stop flag to use (default: a new one bound to SIGINT and SIGTERM).
        on_poll: called with the poll number and its summary after each poll.

    Returns:
        The number of polls completed.
    """
    from .executors import get_executor

    own_stop = stop is None
    stop = stop or StopFlag()
    previous = _install_handlers(stop) if own_stop else {}
    executor = executor or get_executor("local")
    ctx = Context(settings)
    polls = 0
    try:
        with Fetcher(settings, cache=StoreValidators(store)) as fetcher:
            while not stop.is_set and (max_polls is None or polls < max_polls):
                summary = ingest(
                    feeds,
                    store=store,
                    settings=settings,
                    executor=executor,
                    fetcher=fetcher,
                    ctx=ctx,
                    stop=lambda: stop.is_set,
                )
                polls += 1
                if on_poll is not None:
                    on_poll(polls, summary)
                if max_polls is not None and polls >= max_polls:
                    break
                stop.wait(interval)
    finally:
        executor.close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return polls


def _install_handlers(stop: StopFlag) -> dict[int, Any]:
    """Route SIGINT and SIGTERM to ``stop`` (main thread only); returns the old handlers."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    previous: dict[int, Any] = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.signal(signum, stop.set)
    return previous
