"""Ray end to end: `dateline ingest --executor ray` stores exactly what the local executor stores.

The test starts a local Ray instance (the ``ray_local`` fixture); the CLI, run in this
process, finds it initialised and schedules its actors on it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from dateline.cli import main
from dateline.settings import load_settings
from dateline.store import open_store

pytestmark = [pytest.mark.ray, pytest.mark.model]


def _ingest(runner: CliRunner, folder: Path, db: Path, *options: str) -> None:
    result = runner.invoke(main, ["ingest", str(folder), "--db", str(db), "--no-progress", *options])
    assert result.exit_code in (0, 1), result.output + repr(result.exception)


def test_ingest_on_ray_stores_the_same_rows_as_local(
    shared_dir: Path, ray_local: None, tmp_path: Path
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for path in sorted((shared_dir / "eval" / "articles").glob("*.txt"))[:6]:
        shutil.copy(path, folder / path.name)
    runner = CliRunner()
    _ingest(runner, folder, tmp_path / "local.duckdb", "--executor", "local", "--batch-size", "2")
    _ingest(
        runner, folder, tmp_path / "ray.duckdb", "--executor", "ray", "--workers", "2", "--batch-size", "2"
    )

    settings = load_settings()
    with (
        open_store(str(tmp_path / "local.duckdb"), settings) as local,
        open_store(str(tmp_path / "ray.duckdb"), settings) as on_ray,
    ):
        expected, got = local.dump(), on_ray.dump()
        counts = local.counts()
    assert counts["stories"] == 6 and counts["events"] > 0
    for table in expected:
        assert got[table] == expected[table], f"table {table} differs between local and ray"
