"""PETRARCH's validation suite runner and the PLOVER gold-standard scorer."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from dateline.tabari import TabariCode
from dateline.validate import (
    Record,
    _dated,
    _Hit,
    _judge,
    _merge_hits,
    read_petr_blocks,
    read_petr_verbs,
    sentence_kinds,
)

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
&NEGAUX
+DID N'T
+WILL NOT
--- RESTORE  [064]  ---
RESTORE    # comment
RENEW [063]
- * DIPLOMATIC  [065]
- &NEGAUX * RELATIONS  [112]
- * &TIETYPES TIES  [066]
- RECENTLY_* [067]
- * FOO [abc]
--- MEET  [031:032]  ---
MEET
WIRE_+TAP [1711]
--- ACCORD  [---] ---
ACCORD
- IN_* [075]
--- CELEBRATE  [181] ---
CELEBRATE
- * IFTAR IN ^ + [045]
- + HOSTING * TABASKI [042]
"""


def _blocks(tmp_path: Path) -> list[Any]:
    path = tmp_path / "v.txt"
    path.write_text(VERBS, "utf-8")
    return read_petr_blocks(path)


def _code(block: Any, before: str, after: str) -> str:
    """The code of the best-fitting pattern, the way the PETRARCH-mode coder picks it."""
    best = None
    for p in block.patterns:
        if (best is None or p.words > best.words) and p.matches(before, after):
            best = p
    return best.code if best else ""


def test_read_petr_blocks(tmp_path: Path) -> None:
    restore, meet, accord, celebrate = _blocks(tmp_path)
    assert restore.code == "064" and restore.verbs == {"restore": "", "renew": "063"}
    assert meet.code == "031:032" and meet.verbs == {"meet": "", "tap": "1711"}  # "+" marks the head
    assert accord.code == "" and [p.code for p in accord.patterns] == ["075"]
    assert "abc" not in {p.code for p in restore.patterns}  # not a code: the line is dropped
    # words after the verb, with a gap allowed before a synset and adjacency by "_"
    assert _code(restore, "arnor ", "full economic ties with gondor ") == "066"
    assert _code(restore, "arnor ", "cultural ties ") == ""
    # context before the verb: a multi-word synset member, then the pattern's words after it
    assert _code(restore, "arnor did n't ", "relations ") == "112"
    assert _code(restore, "arnor did not ", "relations ") == ""
    assert _code(restore, "arnor recently ", "ties ") == "067"
    assert _code(restore, "arnor recently said it would ", "ties ") == ""  # "_": next to the verb
    # "+" after the verb marks where the target is ("^" skips one actor); "+" before it swaps roles
    iftar, hosting = celebrate.patterns
    assert (iftar.target_skip, iftar.swap, hosting.target_skip, hosting.swap) == (1, False, -1, True)
    found = iftar.post.match("iftar in osgiliath with gondor ") if iftar.post else None
    assert found is not None and found.start("tgt") == len("iftar in ")


def test_read_petr_verbs_gives_trigger_patterns(tmp_path: Path) -> None:
    path = tmp_path / "v.txt"
    path.write_text(VERBS, "utf-8")
    got = {(p.verb, p.code) for p in read_petr_verbs(path)}
    assert got == {
        ("restore", "064"),
        ("renew", "063"),
        ("meet", "031:032"),
        ("celebrate", "181"),
        ("tap", "1711"),
        ("accord", "---"),
    }


def test_dated_codes() -> None:
    codes = (
        TabariCode(code="HOB"),
        TabariCode(code="HOBCIV", valid_to=date(2008, 1, 20)),
        TabariCode(code="HOBMIL", valid_from=date(2008, 1, 20), valid_to=date(2012, 11, 9)),
    )
    assert _dated(codes, date(2000, 1, 1)) == "HOBCIV"
    assert _dated(codes, date(2010, 1, 1)) == "HOBMIL"
    assert _dated(codes, date(2015, 1, 1)) == "HOB" and _dated(codes, None) == "HOB"


def _merge(
    words: str, hits: list[tuple[int, int, str, bool]], prefix: frozenset[str] = frozenset()
) -> list[str]:
    found = [_Hit(a, b, code, agent, prefix=code in prefix) for a, b, code, agent in hits]
    return [code for _, _, code in _merge_hits(found, words.split())]


def test_merge_hits_follows_petrarch_conventions() -> None:
    # a prefix agent, an actor and a suffix agent: one code
    assert _merge(
        "an msf arnor diplomat",
        [(1, 2, "NGO", True), (2, 3, "ARN", False), (3, 4, "GOV", True)],
        frozenset({"NGO"}),
    ) == ["NGOARNGOV"]
    # a role the actor code already has is not repeated
    assert _merge("white house officials", [(0, 2, "USAGOV", False), (2, 3, "GOV", True)]) == ["USAGOV"]
    # "former" makes the role ELI
    assert _merge("arnor former officials", [(0, 1, "ARN", False), (2, 3, "GOV", True)]) == ["ARNELI"]
    # an agent in conjoined countries takes each; a role after conjoined names is shared
    linked = _merge(
        "lawmakers in fornost and gondor", [(0, 1, "LEG", True), (2, 3, "FOR", False), (4, 5, "GON", False)]
    )
    assert linked[0] == "FORLEG/GONLEG"
    shared = _merge(
        "fornost and gondor legislators", [(0, 1, "FOR", False), (2, 3, "GON", False), (3, 4, "LEG", True)]
    )
    assert shared == ["FORLEG", "GONLEG"]
    assert _merge("officials said", [(0, 1, "GOV", True)]) == ["---GOV"]


def test_sentence_kinds() -> None:
    rec = Record(
        id="x",
        category="COMPOUND",
        text="Arnor was not opposed by Gondor, officials said.",
        expected=(("ARN", "GON", "031"), ("GON", "ARN", "031")),
    )
    kinds = sentence_kinds(rec)
    assert {"passive", "negation", "reported speech", "compound actors", "reciprocal codes"} <= set(kinds)
    assert sentence_kinds(Record(id="y", category="DEMO", text="Arnor met Gondor.")) == ["plain"]


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
    assert s["cameo_pass_rate"] >= 0.6  # the goal; the full suite measured 76% (2026-11-29)
    assert s["cameo_exact_rate"] <= s["cameo_pass_rate"]
    assert result["sentence_kinds"] and all(r["sentence"] for r in result["results"])
    lines = list(iter_report(result))
    assert any(line.startswith("CAMEO-root records:") for line in lines)
    assert any("failures by kind of sentence" in line for line in lines)


@pytest.mark.model
def test_plover_gsr_scorer(shared_dir: Path, ctx: Any) -> None:
    from dateline.events import evaluate_plover_gsr

    result = evaluate_plover_gsr(str(shared_dir / "eval" / "plover_gsr.jsonl"), ctx, limit=30)
    s = result["summary"]
    assert s["records"] == 30
    assert 0.3 < s["plover_type_accuracy"] <= 1.0
