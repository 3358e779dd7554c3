"""PETRARCH's validation suite runner and the PLOVER gold-standard scorer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dateline.validate import Record, _judge, read_petr_verbs, read_records

RECORDS = """
<Sentence date="19950103" id="T-01" category="DEMO" sentence="true">
<!-- a comment with <EventCoding sourcecode="XXX" targetcode="YYY" eventcode="999"> inside -->
<EventCoding sourcecode="ARN" targetcode="GON" eventcode="064"></EventCoding>
<Text>
Arnor restored ties
with Gondor.
</Text>
</Sentence>
<Sentence date="19950103" id="T-02" category="DEMO" sentence="true">
<EventCoding noevents = "True">
<Text>Nothing happened.</Text>
</Sentence>
<Sentence date="19950103" id="T-03" category="DEMO" sentence="true">
<EventCoding sourcecode="ARN" targetcode="GON" eventcode="223"></EventCoding>
<EventCoding error="storydiscard">
<Text>Discarded.</Text>
</Sentence>
"""

VERBS = """
&TIETYPES
+MILITARY
+ECONOMIC
--- RESTORE  [064]  ---
RESTORE    # comment
RENEW [063]
- * DIPLOMATIC  [065]
- NOT * RELATIONS  [112]
- * &TIETYPES TIES  [066]
- * WITH [067]
- * FOO [abc]
"""


def test_read_records(tmp_path: Path) -> None:
    path = tmp_path / "r.xml"
    path.write_text(RECORDS, "utf-8")
    recs = read_records(path)
    assert [r.id for r in recs] == ["T-01", "T-02", "T-03"]
    assert recs[0].expected == (("ARN", "GON", "064"),) and recs[0].text == "Arnor restored ties with Gondor."
    assert recs[0].cameo and not recs[2].cameo
    assert recs[1].no_events and recs[2].skip == "storydiscard"


def test_read_petr_verbs(tmp_path: Path) -> None:
    path = tmp_path / "v.txt"
    path.write_text(VERBS, "utf-8")
    got = {(p.verb, p.code, tuple(sorted(p.objects)), p.prep) for p in read_petr_verbs(path)}
    assert ("restore", "064", (), "") in got and ("renew", "063", (), "") in got
    assert ("restore", "065", ("diplomatic",), "") in got
    assert ("restore", "066", ("economic", "military"), "") in got
    assert ("restore", "067", (), "with") in got
    assert not any(code in ("112", "abc") for _, code, _, _ in got)  # pre-verb context and bad codes skipped


@pytest.mark.parametrize(
    ("expected", "no_events", "got", "kind"),
    [
        ((("A", "B", "040"),), False, {("A", "B", "040"), ("C", "D", "010")}, "pass"),
        ((("A", "B", "040"),), False, set(), "no event"),
        ((("A", "B", "040"),), False, {("A", "C", "040")}, "wrong actors"),
        ((("A", "B", "040"),), False, {("A", "B", "041")}, "wrong code"),
        ((), True, {("A", "B", "041")}, "false event"),
        ((), True, set(), "pass"),
    ],
)
def test_judge(expected: Any, no_events: bool, got: set[tuple[str, str, str]], kind: str) -> None:
    rec = Record(id="x", category="", text="", expected=expected, no_events=no_events)
    assert _judge(rec, got) == kind


@pytest.mark.model
def test_validation_suite_runs_and_reports(shared_dir: Path, ctx: Any) -> None:
    from dateline.validate import iter_report, run_validation

    result = run_validation(shared_dir / "validation" / "petrarch", ctx, limit=40)
    s = result["summary"]
    assert s["cameo_records"] + s["other_records"] > 30
    assert s["cameo_pass_rate"] > 0.2  # the coder gets a fair share of the grammar mechanics right
    lines = list(iter_report(result))
    assert any(line.startswith("CAMEO-root records:") for line in lines)


@pytest.mark.model
def test_plover_gsr_scorer(shared_dir: Path, ctx: Any) -> None:
    from dateline.events import evaluate_plover_gsr

    result = evaluate_plover_gsr(str(shared_dir / "eval" / "plover_gsr.jsonl"), ctx, limit=30)
    s = result["summary"]
    assert s["records"] == 30
    assert 0.3 < s["plover_type_accuracy"] <= 1.0
