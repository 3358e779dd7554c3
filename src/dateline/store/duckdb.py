"""The embedded default: one DuckDB file, nothing to start."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from ..errors import StoreError
from .base import Record, Store

__all__ = ["DuckDBStore"]


class DuckDBStore(Store):
    """A store in a DuckDB file (``:memory:`` for a throwaway one).

    DuckDB allows one writing process per file: a second ``dateline ingest`` on the same
    file waits for nothing, it fails with a clear error instead.
    """

    engine = "duckdb"

    def __init__(self, path: str, *, merge_window_days: int = 1) -> None:
        super().__init__(path, merge_window_days=merge_window_days)
        import duckdb

        try:
            self._conn = duckdb.connect(path)
        except duckdb.Error as exc:
            raise StoreError(
                f"cannot open DuckDB file {path}: {exc}; is another dateline process writing to it?"
            ) from None

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._conn.execute(sql, list(params))

    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self._conn.executemany(sql, [list(r) for r in rows])

    def _insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Bulk insert through an Arrow table: one statement per table and batch, not one per row."""
        import pyarrow as pa

        data = pa.table({c: pa.array([r[i] for r in rows]) for i, c in enumerate(columns)})
        self._conn.register("_dateline_rows", data)
        try:
            names = ", ".join(columns)
            self._conn.execute(
                f"INSERT INTO {table} ({names}) SELECT {names} FROM _dateline_rows ON CONFLICT DO NOTHING"
            )
        finally:
            self._conn.unregister("_dateline_rows")

    def _fetch(self, sql: str, params: Sequence[Any] = ()) -> list[Record]:
        cur = self._conn.execute(sql, list(params))
        names = [d[0] for d in cur.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def _begin(self) -> None:
        self._conn.execute("BEGIN TRANSACTION")

    def _commit(self) -> None:
        self._conn.execute("COMMIT")

    def _rollback(self) -> None:
        self._conn.execute("ROLLBACK")

    def close(self) -> None:
        """Checkpoint and close the file."""
        self._conn.close()

    def size_bytes(self) -> int:
        """Size of the DuckDB file after a checkpoint (0 in memory)."""
        if self.url == ":memory:":
            return 0
        self._conn.execute("CHECKPOINT")
        return os.path.getsize(self.url)
