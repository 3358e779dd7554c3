"""The event store: DuckDB (embedded default) or PostgreSQL, one schema, numbered migrations.

    store = open_store(None, settings)          # settings.store.db, "dateline.duckdb"
    store = open_store("postgresql://u@h/db", settings)
    store.migrate()
    store.write_stories(coded_records, run_id)  # one transaction per batch
    rows = store.query("SELECT * FROM events WHERE root = ? ORDER BY id", ["04"])

Queries use ``?`` placeholders on both engines (see :mod:`dateline.store.base`).
"""

from __future__ import annotations

from ..errors import ConfigError
from ..settings import Settings
from .base import LinkedDuplicate, Store, WriteResult

__all__ = ["LinkedDuplicate", "Store", "WriteResult", "is_postgres_url", "open_store"]


def is_postgres_url(url: str) -> bool:
    """True for ``postgresql://`` and ``postgres://`` URLs."""
    return url.startswith(("postgresql://", "postgres://"))


def open_store(url: str | None, settings: Settings, *, migrate: bool = True) -> Store:
    """Open (and by default migrate) the store at ``url``.

    Args:
        url: a DuckDB file path, ``:memory:``, or a ``postgresql://`` URL; None uses ``store.db``.
        settings: the settings (``store.db`` and ``dedup.merge_window_days`` are read).
        migrate: apply pending migrations now.

    Returns:
        The open store; close it with ``store.close()`` or use it as a context manager.
    """
    target = url or settings.store.db
    window = settings.dedup.merge_window_days
    store: Store
    if is_postgres_url(target):
        from .postgres import PostgresStore

        store = PostgresStore(target, merge_window_days=window)
    elif "://" in target:
        raise ConfigError(f"--db {target!r}: use a DuckDB file path or a postgresql:// URL")
    else:
        from .duckdb import DuckDBStore

        store = DuckDBStore(target, merge_window_days=window)
    if migrate:
        store.migrate()
    return store
