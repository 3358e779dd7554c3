"""The command line end to end, including bad input: one-line messages, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SEED_TXT

pytestmark = pytest.mark.model


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dateline", *args],
        input=stdin.decode("latin-1") if stdin else None,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("bad")
    files = {
        "empty": d / "empty.txt",
        "png": d / "image.png",
        "huge": d / "huge.txt",
        "korean": d / "korean.html",
        "french": d / "french.txt",
    }
    files["empty"].write_bytes(b"")
    files["png"].write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    with files["huge"].open("wb") as fh:
        fh.write(b"word " * (50 * 1024 * 1024 // 5))
    files["korean"].write_text(
        "<html><head><title>북한 미사일</title></head><body><article><h1>북한, 탄도미사일 발사</h1>"
        + "<p>북한이 14일 동해상으로 탄도미사일을 발사했다고 합동참모본부가 밝혔다. "
        "군은 추가 발사에 대비해 감시를 강화했다.</p>" * 6 + "</article></body></html>",
        encoding="utf-8",
    )
    files["french"].write_text(
        "PARIS, 20 janv. (AFP) -- Le ministre des Affaires étrangères a rencontré jeudi son homologue "
        "américain pour discuter de la situation dans la péninsule coréenne, a indiqué le ministère. "
        "Les deux parties ont convenu de rester en étroite coordination, selon un communiqué publié "
        "dans la soirée par les services du ministre.\n" * 3,
        encoding="utf-8",
    )
    return files


@pytest.mark.parametrize("kind", ["empty", "png", "huge", "korean", "french"])
def test_bad_input_gets_one_clear_line(bad_inputs: dict[str, Path], kind: str) -> None:
    r = run("code", str(bad_inputs[kind]))
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr
    lines = [line for line in r.stderr.splitlines() if line.startswith("dateline: skipped")]
    assert len(lines) == 1 and str(bad_inputs[kind]) in lines[0], r.stderr
    expected = {"empty": "empty", "png": "PNG", "huge": "limit", "korean": "Korean", "french": "French"}[kind]
    assert expected.lower() in lines[0].lower(), lines[0]


def test_latin1_and_cp1252_files_are_coded(tmp_path: Path) -> None:
    text = SEED_TXT.read_text(encoding="utf-8").replace("Noh Kyu-duk", "Noh Kyu-dük")
    for enc in ("latin-1", "cp1252"):
        p = tmp_path / f"seed-{enc}.txt"
        p.write_bytes(text.replace("’", "'").encode(enc, errors="strict"))
        r = run("code", "--format", "json", str(p))
        assert r.returncode == 0, r.stderr
        story = json.loads(r.stdout)
        assert "Noh Kyu-dük" in story["text"] and story["events"], enc


def test_bad_input_in_a_batch_is_skipped_and_the_rest_coded(
    bad_inputs: dict[str, Path], tmp_path: Path
) -> None:
    r = run("code", "--format", "jsonl", str(bad_inputs["png"]), str(SEED_TXT), str(bad_inputs["empty"]))
    assert r.returncode == 1
    events = [json.loads(line) for line in r.stdout.splitlines()]
    assert events and all(e["story_source"] == str(SEED_TXT) for e in events)
    assert "coded 1, skipped or failed 2" in r.stderr


def test_stdin_and_table(tmp_path: Path) -> None:
    r = run("code", "-", stdin=SEED_TXT.read_bytes())
    assert r.returncode == 0, r.stderr
    assert "KORGOV" in r.stdout and "041" in r.stdout


def test_directory_argument(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(SEED_TXT.read_text())
    (tmp_path / "b.txt").write_text(SEED_TXT.read_text().replace("Thursday", "Wednesday"))
    r = run("code", "--format", "jsonl", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert {json.loads(line)["story_source"] for line in r.stdout.splitlines()} == {
        str(tmp_path / "a.txt"),
        str(tmp_path / "b.txt"),
    }


def test_usage_error_exit_code() -> None:
    assert run("code").returncode == 2
    assert run("nonsense").returncode == 2
