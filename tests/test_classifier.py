"""The learned event-type classifier: features, fitting, calibration, persistence, re-ranking."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dateline import classifier as clf
from dateline import train
from dateline.context import Context
from dateline.model import Event, Sentence, Span, Story

SHARED = Path("/work/shared")
PLV = SHARED / "eval" / "plv" / "plv_train.csv"


@pytest.fixture(scope="module")
def small_model() -> clf.EventClassifier:
    rows = train.load_plv(PLV)[::2]  # every other row keeps the test quick
    return clf.fit(rows, seed=7)


def test_mark_spans_wraps_source_and_target() -> None:
    out = clf.mark_spans("Iran condemned the U.S. decision.", "Iran", "the U.S.")
    assert out == "[SRC] Iran [/SRC] condemned [TGT] the U.S. [/TGT] decision."


def test_mark_spans_leaves_missing_and_overlapping_spans_unmarked() -> None:
    assert clf.mark_spans("Iran spoke.", "Iraq", "") == "Iran spoke."
    assert clf.mark_spans("North Korea fired.", "North Korea", "Korea") == "[SRC] North Korea [/SRC] fired."


@given(st.text(max_size=40), st.text(max_size=10), st.text(max_size=10))
def test_mark_spans_only_adds_markers(text: str, source: str, target: str) -> None:
    out = clf.mark_spans(text, source, target)
    for tag in ("[SRC] ", " [/SRC]", "[TGT] ", " [/TGT]"):
        out = out.replace(tag, "", 1)
    assert out == text


def test_between_is_the_stretch_between_the_spans() -> None:
    assert (
        clf.between("Iran sharply condemned the U.S. move", "Iran", "the U.S.").strip() == "sharply condemned"
    )
    assert clf.between("the U.S. was condemned by Iran", "Iran", "the U.S.").strip() == "was condemned by"
    assert clf.between("nothing here", "", "") == "nothing here"


def test_probabilities_are_distributions_over_the_labels(small_model: clf.EventClassifier) -> None:
    rows = train.load_plv(PLV)[1::50]
    probs = small_model.predict_proba(rows)
    assert probs.shape == (len(rows), len(clf.LABELS))
    assert np.allclose(probs.sum(axis=1), 1.0)
    assert (probs >= 0).all()
    assert small_model.predict_proba([]).shape == (0, len(clf.LABELS))


def test_model_learns_the_training_data(small_model: clf.EventClassifier) -> None:
    rows = train.load_plv(PLV)[::2][:200]
    pred = [label for label, _ in small_model.predict(rows)]
    accuracy = np.mean([p == r.label for p, r in zip(pred, rows, strict=True)])
    assert accuracy > 0.9


def test_held_out_rows_beat_chance_by_far(small_model: clf.EventClassifier) -> None:
    rows = train.load_plv(PLV)[1::2]
    scores = clf.classification_scores([r.label for r in rows], small_model.predict_proba(rows))
    assert scores["accuracy"] > 0.55  # majority class is ~13%
    assert 0.0 <= scores["ece"] < 0.2


def test_temperature_is_fitted(small_model: clf.EventClassifier) -> None:
    assert 0.05 <= small_model.temperature <= 20.0
    assert small_model.temperature != 1.0


def test_save_and_load_round_trip(small_model: clf.EventClassifier, tmp_path: Path) -> None:
    path = clf.save(small_model, tmp_path)
    loaded = clf.load(path)
    rows = train.load_plv(PLV)[3::40]
    assert loaded.labels == small_model.labels
    assert np.allclose(loaded.predict_proba(rows), small_model.predict_proba(rows), atol=2e-3)


def test_load_reports_a_bad_file(tmp_path: Path) -> None:
    from dateline.errors import ConfigError

    bad = tmp_path / "event_type.npz"
    bad.write_bytes(b"not a model")
    with pytest.raises(ConfigError, match="dateline train"):
        clf.load(bad)


def test_expected_calibration_error() -> None:
    assert clf.expected_calibration_error(np.array([1.0, 1.0]), np.array([1.0, 1.0])) == 0.0
    # always 90% sure, right half the time: gap 0.4
    assert clf.expected_calibration_error(np.array([1.0, 0.0]), np.array([0.9, 0.9])) == pytest.approx(0.4)


def test_training_loaders_read_development_data_only() -> None:
    paths = train.default_paths(SHARED)
    assert all("test" not in p.name for p in paths.values())
    manual = train.load_cameo_manual(paths["cameo_manual"], paths["cameo2plover"])
    assert len(manual) > 300
    assert not any(e.text.startswith("Note") for e in manual)
    assert {e.label for e in manual} <= set(clf.LABELS)
    assert {e.label for e in train.load_plover_gsr(paths["gsr"])} <= set(clf.LABELS)
    table = train.load_cameo2plover(paths["cameo2plover"])
    assert table["190"] == "ASSAULT" and table["0841"] == "YIELD"


# --- the shipped model ------------------------------------------------------------------


shipped = pytest.mark.skipif(not (clf.models_dir() / clf.MODEL_FILE).exists(), reason="no model built yet")


@shipped
def test_shipped_model_has_a_manifest_with_hashes_and_seed() -> None:
    manifest = json.loads((clf.models_dir() / "manifest.json").read_text())
    assert manifest["model_sha256"] == train.sha256_file(clf.models_dir() / manifest["model_file"])
    assert set(manifest["data_sha256"]) == {"plv", "gsr", "synthetic", "cameo_manual", "cameo2plover"}
    assert isinstance(manifest["seed"], int)
    size = sum(p.stat().st_size for p in clf.models_dir().iterdir())
    assert size < 100_000_000


@shipped
@pytest.mark.parametrize(
    ("text", "source", "target", "label"),
    [
        (
            "Government troops shelled rebel positions near the city, killing 12 fighters.",
            "Government troops",
            "rebel positions",
            "ASSAULT",
        ),
        (
            "The foreign minister held talks with his Chinese counterpart in Beijing on Monday.",
            "The foreign minister",
            "his Chinese counterpart",
            "CONSULT",
        ),
        (
            "Thousands of demonstrators marched through the capital to protest against the government.",
            "Thousands of demonstrators",
            "the government",
            "PROTEST",
        ),
        (
            "The United States imposed new sanctions on Iran's oil exports.",
            "The United States",
            "Iran",
            "SANCTION",
        ),
    ],
)
def test_shipped_model_gets_clear_cases_right(text: str, source: str, target: str, label: str) -> None:
    model = clf.load_default()
    assert model is not None
    ((predicted, p),) = model.predict([train.Example(text=text, source=source, target=target, label=label)])
    assert predicted == label, (predicted, p)


# --- the re-ranking stage -------------------------------------------------------------------


def _story(text: str, trigger: str, code: str, source: str, target: str) -> Story:
    from dateline.ontology import load_ontology

    rec = load_ontology().get(code)
    t0 = text.index(trigger)
    s0, g0 = text.index(source), text.index(target)
    event = Event(
        id="e1",
        story_id="s",
        sentence=0,
        cameo=code,
        root=rec.root,
        name=rec.name,
        goldstein=rec.goldstein,
        quad_class=rec.quad_class,
        plover_type=rec.plover_type,
        source="USAGOV",
        target="CHNGOV",
        trigger=Span(start=t0, end=t0 + len(trigger), text=trigger),
        source_span=Span(start=s0, end=s0 + len(source), text=source),
        target_span=Span(start=g0, end=g0 + len(target), text=target),
        reason="lexicon test",
        confidence=0.9,
        decided_by="rules:test",
    )
    return Story(
        id="s", text=text, sentences=(Sentence(index=0, start=0, end=len(text), text=text),), events=(event,)
    )


CASES = [
    (
        "The minister attacked China's trade policy in a speech, calling it unfair.",
        "attacked",
        "190",
        "The minister",
        "China's trade policy",
    ),
    (
        "The president called his Chinese counterpart on Tuesday to discuss trade.",
        "called",
        "020",
        "The president",
        "his Chinese counterpart",
    ),
    (
        "Police charged the opposition leader with corruption and detained him.",
        "charged",
        "112",
        "Police",
        "the opposition leader",
    ),
]


@shipped
@pytest.mark.parametrize("case", CASES)
def test_rerank_off_keeps_the_code_and_fills_a_calibrated_confidence(case: tuple[str, ...]) -> None:
    story = _story(*case)
    stage = clf.RerankStage(Context())
    out = stage(story)
    before, after = story.events[0], out.events[0]
    assert after.cameo == before.cameo and after.decided_by == before.decided_by
    assert after.trigger == before.trigger and after.source_span == before.source_span
    assert 0.0 <= after.confidence <= 1.0 and after.confidence != before.confidence
    assert after.reason.startswith(before.reason)
    assert stage.name in out.stages


@shipped
@pytest.mark.parametrize("case", CASES)
def test_rerank_chooses_the_most_probable_compatible_code(case: tuple[str, ...]) -> None:
    from dateline.settings import load_settings

    ctx = Context(
        load_settings(
            events__classifier="rerank", events__rerank_margin=0.0, events__rerank_min_probability=0.0
        )
    )
    story = _story(*case)
    stage = clf.RerankStage(ctx)
    after = stage(story).events[0]
    candidates = set(stage._candidate_codes(story, story.events[0])) | {story.events[0].cameo}
    assert after.cameo in candidates
    model = clf.load_default(ctx)
    assert model is not None
    probs = dict(
        zip(model.labels, model.predict_proba([stage._candidate(story, story.events[0])])[0], strict=True)
    )
    from dateline.ontology import load_ontology

    onto = load_ontology()
    best = max(probs.get(clf.fold_type(onto.get(c).plover_type), 0.0) for c in candidates)
    assert after.confidence == pytest.approx(best, abs=1e-3)
    assert after.decided_by in {"rules+classifier", f"classifier:{model.model_id}"}
    assert (after.cameo != story.events[0].cameo) == after.decided_by.startswith("classifier:")
    assert after.trigger == story.events[0].trigger and after.target_span == story.events[0].target_span


@shipped
def test_rerank_leaves_unmapped_statement_codes_alone() -> None:
    story = _story(
        "The minister said the talks went well with China's envoy.",
        "said",
        "010",
        "The minister",
        "China's envoy",
    )
    out = clf.RerankStage(Context())(story)
    assert out.events[0] == dataclasses.replace(story.events[0])
