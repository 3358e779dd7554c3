"""PostgreSQL, selected with ``--db postgresql://...`` (needs the ``postgres`` extra)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import MissingExtraError, StoreError
from .base import Record, Store

__all__ = ["PostgresStore", "qmark_to_pyformat"]


def qmark_to_pyformat(sql: str) -> str:
    """Rewrite ``?`` placeholders to psycopg's ``%s``, leaving quoted text alone.

    Literal ``%`` outside quotes is doubled, as psycopg requires when parameters are passed.
    """
    out: list[str] = []
    quote: str | None = None
    for ch in sql:
        if quote:
            out.append("%%" if ch == "%" else ch)
            if ch == quote:
                quote = None
        elif ch in ("'", '"'):
            quote = ch
            out.append(ch)
        elif ch == "?":
            out.append("%s")
        elif ch == "%":
            out.append("%%")
        else:
            out.append(ch)
    return "".join(out)


class PostgresStore(Store):
    """A store in a PostgreSQL database, one connection, explicit transactions."""

    engine = "postgresql"

    def __init__(self, url: str, *, merge_window_days: int = 1) -> None:
        super().__init__(url, merge_window_days=merge_window_days)
        try:
            import psycopg
            from psycopg.rows import dict_row
        except ImportError as exc:
            raise MissingExtraError("psycopg", "postgres") from exc
        try:
            self._conn = psycopg.connect(url, autocommit=True, row_factory=dict_row)
        except psycopg.Error as exc:
            raise StoreError(f"cannot connect to PostgreSQL at {_redact(url)}: {exc}".strip()) from None

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        if params:
            self._conn.execute(qmark_to_pyformat(sql), list(params))
        else:
            self._conn.execute(sql)

    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            with self._conn.cursor() as cur:
                cur.executemany(qmark_to_pyformat(sql), [list(r) for r in rows])

    def _fetch(self, sql: str, params: Sequence[Any] = ()) -> list[Record]:
        query = qmark_to_pyformat(sql) if params else sql
        with self._conn.cursor() as cur:
            cur.execute(query, list(params) if params else None)
            rows: list[Record] = cur.fetchall() if cur.description else []
        return [{k: bytes(v) if isinstance(v, memoryview) else v for k, v in r.items()} for r in rows]

    def _begin(self) -> None:
        self._conn.execute("BEGIN")

    def _commit(self) -> None:
        self._conn.execute("COMMIT")

    def _rollback(self) -> None:
        self._conn.execute("ROLLBACK")

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def size_bytes(self) -> int:
        """``pg_database_size`` of the current database."""
        return int(self._fetch("SELECT pg_database_size(current_database()) AS n")[0]["n"])


def _redact(url: str) -> str:
    """The URL without its password, for messages."""
    if "@" in url and ":" in url.split("@", 1)[0].split("//", 1)[-1]:
        scheme, rest = url.split("//", 1)
        user = rest.split("@", 1)[0].split(":", 1)[0]
        return f"{scheme}//{user}:***@{rest.split('@', 1)[1]}"
    return url
