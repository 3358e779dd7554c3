"""A real, throwaway PostgreSQL server for the store tests (Debian's ``postgresql`` package).

``start_server`` runs ``initdb`` and ``pg_ctl`` on a private data directory and port, as the
``postgres`` system user when the tests run as root (PostgreSQL refuses to run as root).
The fixture that uses it lives in ``conftest.py`` (section "store: PostgreSQL server").
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def pg_bindir() -> Path | None:
    """Directory of the newest installed PostgreSQL server binaries, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(args: list[str], user: str | None) -> None:
    cmd = ["runuser", "-u", user, "--", *args] if user else args
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:2])} failed ({proc.returncode}): {proc.stderr.strip()[-800:]}")


@contextmanager
def start_server() -> Iterator[str]:
    """Start a PostgreSQL server; yields its URL and stops it (and removes its data) on exit."""
    bindir = pg_bindir()
    if bindir is None:
        raise FileNotFoundError("PostgreSQL server binaries not found (apt-get install postgresql)")
    user = "postgres" if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="dateline-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if user:
        shutil.chown(root, user)
        shutil.chown(sock, user)
    port = _free_port()
    db_user = user or "dateline"
    try:
        # C locale so text sorts byte-wise, exactly as DuckDB sorts it.
        _run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                db_user,
                "-A",
                "trust",
                "--locale=C",
                "-E",
                "UTF8",
            ],
            user,
        )
        opts = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off"
        _run(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                opts,
                "-w",
                "-t",
                "60",
                "-l",
                str(root / "log"),
                "start",
            ],
            user,
        )
        try:
            yield f"postgresql://{db_user}@127.0.0.1:{port}/postgres"
        finally:
            _run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], user)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def reset_database(url: str) -> None:
    """Drop every table in the server's public schema (a fresh store for the next test)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
