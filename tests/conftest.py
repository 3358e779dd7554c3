"""Shared fixtures. Sections are owned by the module they serve; keep them apart."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__import__("os").environ.get("DATELINE_SHARED", REPO.parent / "shared"))
SEED_TXT = SHARED / "seed" / "yonhap-2022-01-20.txt"
SEED_GOLD = SHARED / "seed" / "yonhap-2022-01-20.gold.json"
ARTICLES = SHARED / "eval" / "articles"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="Rewrite golden files from current output.")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.exists():
        pytest.skip(f"shared data not found at {SHARED}; set DATELINE_SHARED")
    return SHARED


@pytest.fixture(scope="session")
def ctx():  # type: ignore[no-untyped-def]
    """One dateline Context (spaCy model loaded once) for the whole session."""
    from dateline.api import make_context

    return make_context()


@pytest.fixture(scope="session")
def seed_story(ctx):  # type: ignore[no-untyped-def]
    """The seed article coded by the full default pipeline."""
    from dateline.api import code_file

    return code_file(SEED_TXT, ctx=ctx)


# --- executors (tests/test_executors.py, tests/test_ray.py) ------------------------------


@pytest.fixture(scope="session")
def ray_local():  # type: ignore[no-untyped-def]
    """A local Ray instance for the session, sized for a 2-core machine, shut down after.

    The tests directory goes on the actors' PYTHONPATH so they can import the test stages.
    """
    ray = pytest.importorskip("ray", reason="the ray extra is not installed: pip install 'dateline[ray]'")
    import os
    import sys

    paths = os.pathsep.join([str(Path(__file__).parent), *sys.path])
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        object_store_memory=100 * 2**20,
        log_to_driver=False,
        runtime_env={"env_vars": {"PYTHONPATH": paths}},
    )
    yield
    ray.shutdown()


# --- store: PostgreSQL server (owned by the store tests) -------------------------------


@pytest.fixture(scope="session")
def pg_server():  # type: ignore[no-untyped-def]
    """URL of a real PostgreSQL server started for this session (see tests/conftest_pg.py)."""
    from conftest_pg import pg_bindir, start_server

    if pg_bindir() is None:
        pytest.skip("PostgreSQL binaries not installed (apt-get install postgresql; .ci/run does it)")
    pytest.importorskip("psycopg", reason="psycopg missing: pip install 'dateline[postgres]'")
    with start_server() as url:
        yield url


@pytest.fixture()
def pg_url(pg_server):  # type: ignore[no-untyped-def]
    """The session's PostgreSQL server with an empty public schema."""
    from conftest_pg import reset_database

    reset_database(pg_server)
    return pg_server


# --- ingest: one coding executor for the session (owned by the ingest tests) -----------


@pytest.fixture(scope="session")
def coding_executor():  # type: ignore[no-untyped-def]
    """The real local executor, remembering what it coded (see tests/ingest_helpers.py)."""
    from dateline.executors import get_executor
    from dateline.settings import load_settings
    from ingest_helpers import CachingExecutor

    inner = get_executor("local", workers=1)
    yield CachingExecutor(inner, load_settings())
    inner.close()
