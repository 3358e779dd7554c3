"""The quality gate: measured quality must stay at or above the floors pinned in quality_floors.toml.

The floors come with the SHA-256 of the data they were measured on, so a change to
the data fails loudly instead of moving the goalposts. Raise a floor with
``dateline eval SUITE --update-floors``; lowering one needs ``--allow-lower --reason``
and leaves a line in CHANGELOG.md (checked below against the committed floors).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from dateline import classifier, evaluate
from dateline.context import Context
from dateline.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
FLOORS_PATH = ROOT / "tests" / "quality_floors.toml"
FLOORS = evaluate.load_floors(FLOORS_PATH)
OPTS = evaluate.SuiteOptions()
needs_shared = pytest.mark.skipif(
    not evaluate.DEFAULT_SHARED.is_dir(), reason="shared evaluation data not present"
)


def test_floors_file_pins_every_gated_metric_with_a_hash() -> None:
    for suite, metrics in evaluate.GATED.items():
        assert suite in FLOORS, f"no floors for {suite}"
        assert len(FLOORS[suite]["data_sha256"]) == 64
        for metric in metrics:
            assert 0.0 <= float(FLOORS[suite][metric]) <= 1.0


@needs_shared
@pytest.mark.parametrize("suite", sorted(evaluate.GATED))
def test_evaluation_data_is_the_data_the_floors_were_measured_on(suite: str) -> None:
    assert evaluate.suite_data_sha256(suite, OPTS) == FLOORS[suite]["data_sha256"], (
        f"the {suite} data changed; re-measure and pin with `dateline eval {suite} --update-floors`"
    )


def test_shipped_model_is_the_one_its_manifest_describes_and_meets_the_plv_floors() -> None:
    from dateline.train import sha256_file

    manifest = json.loads((classifier.models_dir() / "manifest.json").read_text("utf-8"))
    assert sha256_file(classifier.models_dir() / manifest["model_file"]) == manifest["model_sha256"]
    assert manifest["data_sha256"]["plv"] == FLOORS["plv"]["data_sha256"]
    summary = {f"classify_{k}": v for k, v in manifest["cv_plv"].items()}
    summary["data_sha256"] = FLOORS["plv"]["data_sha256"]
    assert evaluate.check_floors("plv", summary, FLOORS) == []


@needs_shared
@pytest.mark.model
def test_articles_suite_meets_its_floors() -> None:
    result = evaluate.suite_articles(Context(), OPTS)
    assert result["summary"]["failures"] == 0
    assert evaluate.check_floors("articles", result["summary"], FLOORS) == []


@needs_shared
@pytest.mark.heavy
def test_plv_classify_cross_validation_meets_its_floors() -> None:
    result = evaluate.suite_plv(Context(), OPTS)
    assert evaluate.check_floors("plv", result["summary"], FLOORS) == []


@needs_shared
@pytest.mark.heavy
@pytest.mark.parametrize("suite", ["zyte", "wcxb"])
def test_html_extraction_benchmarks_meet_their_floors(suite: str) -> None:
    result = evaluate.run_suite(suite, Context(), OPTS)
    assert result["summary"]["pages"] == {"zyte": 181, "wcxb": 793}[suite]
    assert evaluate.check_floors(suite, result["summary"], FLOORS) == []


def _committed_floors() -> dict[str, dict[str, object]] | None:
    try:
        text = subprocess.run(
            ["git", "show", "HEAD:tests/quality_floors.toml"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    import tomllib

    return tomllib.loads(text)


def test_a_floor_is_never_lowered_without_a_changelog_line() -> None:
    committed = _committed_floors()
    if committed is None:
        pytest.skip("no committed floors to compare with")
    changelog = (ROOT / "CHANGELOG.md").read_text("utf-8") if (ROOT / "CHANGELOG.md").exists() else ""
    for suite, metrics in committed.items():
        for metric, old in metrics.items():
            new = FLOORS.get(suite, {}).get(metric)
            if metric == "data_sha256" or new is None or float(new) >= float(old):  # type: ignore[arg-type]
                continue
            assert f"Lowered quality floor {suite}.{metric} from {old} to {new}" in changelog


# --- the floor-update rules, on temporary files ----------------------------------------------


def _summary(**metrics: float) -> dict[str, object]:
    return {"data_sha256": "a" * 64, **metrics}


def test_check_floors_reports_a_drop_and_a_data_change() -> None:
    floors = {"plv": {"data_sha256": "a" * 64, "classify_accuracy": 0.7, "classify_macro_f1": 0.6}}
    assert evaluate.check_floors("plv", _summary(classify_accuracy=0.71, classify_macro_f1=0.6), floors) == []
    problems = evaluate.check_floors("plv", _summary(classify_accuracy=0.69, classify_macro_f1=0.6), floors)
    assert len(problems) == 1 and "classify_accuracy" in problems[0]
    changed = {"data_sha256": "b" * 64, "classify_accuracy": 0.8, "classify_macro_f1": 0.8}
    assert "data changed" in evaluate.check_floors("plv", changed, floors)[0]


def test_raising_a_floor_is_easy(tmp_path: Path) -> None:
    path = tmp_path / "floors.toml"
    evaluate.update_floors("plv", _summary(classify_accuracy=0.712, classify_macro_f1=0.65), path)
    changed = evaluate.update_floors("plv", _summary(classify_accuracy=0.8, classify_macro_f1=0.65), path)
    assert changed == {"classify_accuracy": 0.8}
    assert evaluate.load_floors(path)["plv"]["classify_accuracy"] == 0.8


def test_lowering_a_floor_needs_the_flag_a_reason_and_writes_the_changelog(tmp_path: Path) -> None:
    path, changelog = tmp_path / "floors.toml", tmp_path / "CHANGELOG.md"
    evaluate.update_floors("plv", _summary(classify_accuracy=0.8, classify_macro_f1=0.7), path)
    lower = _summary(classify_accuracy=0.75, classify_macro_f1=0.7)
    with pytest.raises(ConfigError, match="allow-lower"):
        evaluate.update_floors("plv", lower, path, changelog=changelog)
    with pytest.raises(ConfigError, match="allow-lower"):
        evaluate.update_floors("plv", lower, path, allow_lower=True, changelog=changelog)
    evaluate.update_floors(
        "plv", lower, path, allow_lower=True, changelog=changelog, reason="new harder data"
    )
    assert evaluate.load_floors(path)["plv"]["classify_accuracy"] == 0.75
    assert (
        "Lowered quality floor plv.classify_accuracy from 0.8 to 0.75: new harder data"
        in changelog.read_text()
    )
