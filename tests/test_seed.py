"""The seed golden test: the raw Yonhap story in, the gold metadata and events out.

Two checks:
1. against the shared gold (../shared/seed/*.gold.json): every non-optional event found
   (same root or alt root, same source/target principal, same date where gold has one),
   nothing coded from the caption or the not-events, metadata, body bounds, boilerplate, quotes;
2. against our own golden file (tests/golden/seed.json), normalised JSON compared with a
   readable diff. Rewrite it with ``pytest --update-golden`` after a deliberate change.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import SEED_GOLD
from dateline.evaluate import GoldEvent, predicted_meta, principal
from dateline.model import Event, Story

pytestmark = pytest.mark.model

GOLDEN = Path(__file__).parent / "golden" / "seed.json"


def matches(gold: dict[str, Any], e: Event) -> bool:
    """Issue 2's check: same root (or an alt root), same principals, same date where gold has one."""
    g = GoldEvent.from_json(gold)
    return (
        e.root in {c[:2] for c in g.codes}
        and principal(e.source) == principal(g.source)
        and principal(e.target) == principal(g.target)
        and (g.date is None or e.date == g.date)
    )


@pytest.fixture(scope="module")
def gold() -> dict[str, Any]:
    return json.loads(SEED_GOLD.read_text())


def test_every_required_event_is_found(seed_story: Story, gold: dict[str, Any]) -> None:
    missing = [
        g for g in gold["events"] if not g["optional"] and not any(matches(g, e) for e in seed_story.events)
    ]
    got = "\n".join(
        f"  {e.source} {e.cameo} {e.target} {e.date} | {e.trigger.text if e.trigger else ''}"
        for e in seed_story.events
    )
    assert not missing, (
        "missing gold events:\n"
        + "\n".join(
            f"  {g['source']} {g['cameo']} {g['target']} {g['date']} | {g['evidence']}" for g in missing
        )
        + "\ncoded:\n"
        + got
    )


def test_nothing_from_caption_or_not_events(seed_story: Story, gold: dict[str, Any]) -> None:
    sentences = {s.index: s.text for s in seed_story.sentences}
    for e in seed_story.events:
        text = sentences[e.sentence]
        for phrase in gold["not_events"]:
            if phrase in text:
                assert not (
                    e.trigger
                    and e.trigger.start >= seed_story.text.find(phrase) >= 0
                    and e.trigger.end <= seed_story.text.find(phrase) + len(phrase)
                ), f"event {e.cameo} coded from not-event {phrase!r}: {e.reason}"
    assert "politburo" not in seed_story.text


def test_no_unexpected_events(seed_story: Story, gold: dict[str, Any]) -> None:
    extra = [e for e in seed_story.events if not any(matches(g, e) for g in gold["events"])]
    assert not extra, "events not in gold: " + "; ".join(
        f"{e.source} {e.cameo} {e.target} ({e.reason})" for e in extra
    )


def test_metadata(seed_story: Story, gold: dict[str, Any]) -> None:
    got = predicted_meta(seed_story.meta)
    assert got == gold["meta"]


def test_body_bounds_and_boilerplate(seed_story: Story, gold: dict[str, Any]) -> None:
    assert seed_story.text.startswith(gold["body_first"])
    assert seed_story.text.rstrip().endswith(gold["body_last"])
    for junk in gold["boilerplate"]:
        assert junk not in seed_story.text


def test_quotes_and_speakers(seed_story: Story, gold: dict[str, Any]) -> None:
    for q in gold["quotes"]:
        found = [x for x in seed_story.quotes if x.text.strip().rstrip(",.") == q["text"].rstrip(",.")]
        assert found, f"quote not found: {q['text'][:60]}..."
        assert found[0].speaker is not None and found[0].speaker.code == q["speaker_code"]


def _normalise(story: Story) -> dict[str, Any]:
    d = story.to_dict()
    d.pop("stages", None)
    for e in d["events"]:
        for key in ("coder_version", "dictionary_version", "ontology_version", "confidence"):
            e.pop(key, None)
    return {k: d[k] for k in ("id", "text", "meta", "events", "quotes", "places")}


def test_golden_file(seed_story: Story, request: pytest.FixtureRequest) -> None:
    got = json.dumps(_normalise(seed_story), indent=1, ensure_ascii=False, sort_keys=True)
    if request.config.getoption("--update-golden") or not GOLDEN.exists():
        GOLDEN.write_text(got + "\n", encoding="utf-8")
        if not request.config.getoption("--update-golden"):
            pytest.fail(f"{GOLDEN} did not exist; wrote it — review and commit it")
    want = GOLDEN.read_text(encoding="utf-8").rstrip("\n")
    if got != want:
        diff = "\n".join(
            difflib.unified_diff(want.splitlines(), got.splitlines(), "golden", "now", lineterm="", n=2)
        )
        pytest.fail(
            "seed output differs from tests/golden/seed.json (run pytest --update-golden if intended):\n"
            + diff[:6000]
        )
