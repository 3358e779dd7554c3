"""Validation suites for the event coder.

``evaluate_plover_gsr``
    The PLOVER gold-standard records (CAMEO-manual example sentences coded in PLOVER):
    each sentence goes through the pipeline up to the event coder; the first coded event's
    PLOVER type is compared with ``event_v08`` and its source principal with the gold actors.

``run_validation``
    PETRARCH's unit-test records (``PETR.UnitTest.records.xml``) over a fictional world
    (Arnor, Gondor, ...). The tiny dictionaries beside them are imported through
    :mod:`dateline.tabari`; the sentences are parsed with spaCy (the Treebank parses in the
    records are ignored); actor mentions come from the validation actors and agents; the
    lexicon is imported from ``PETR.Validate.verbs.txt`` (:func:`read_petr_verbs`, below),
    because the expected codes are that file's (mostly WEIS) codes. Pass rates are printed
    separately for records whose expected codes all lie under CAMEO roots 01-20 and for
    the rest, and failures are grouped by kind.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .context import Context
    from .model import Event

__all__ = ["Record", "evaluate_plover_gsr", "read_records", "run_validation"]

#: legacy CAMEO country codes in the PLOVER records -> ISO 3166-1 alpha-3
_LEGACY = {"JAP": "JPN", "ITL": "ITA", "VTN": "VNM"}


def _principal(code: str) -> str:
    """Country, IGO or NGO part of an actor code; legacy codes mapped to ISO."""
    if code[:3] in ("IGO", "NGO"):
        return code[:3]
    return _LEGACY.get(code[:3], code[:3])


def _same_principal(code: str, gold: set[str]) -> bool:
    """Whether ``code``'s principal is among the gold ones; the records' generic "IGO" covers NGOs too."""
    mine = _principal(code)
    return mine in gold or (mine == "NGO" and "IGO" in gold)


def _coder_stages() -> list[str]:
    """Registered default stages up to and including the rule event coder."""
    from .registry import DEFAULT_PIPELINE

    names = list(DEFAULT_PIPELINE)
    return names[: names.index("dateline.events.cameo.v1") + 1]


def evaluate_plover_gsr(path: str | Path, ctx: Context, limit: int | None = None) -> dict[str, Any]:
    """Score PLOVER type and source principal on the PLOVER gold-standard records.

    Args:
        path: ``plover_gsr.jsonl``.
        ctx: the context (settings, cached model and dictionaries).
        limit: score only the first ``limit`` records.

    Returns:
        ``{"summary": {...}, "tables": {...}}`` with type and source accuracy, the share of
        sentences with no event, and the most common type confusions.
    """
    from .api import build_pipeline
    from .readers import story_from_text

    rows = [json.loads(line) for line in Path(path).read_text("utf-8").splitlines() if line.strip()]
    rows = rows[:limit] if limit else rows
    pipeline = build_pipeline(ctx, _coder_stages())
    typed = src_ok = with_src = empty = 0
    confusion: Counter[str] = Counter()
    for row in rows:
        story = pipeline(story_from_text(row["text"], source=row["id"]))
        first = _first_typed(story.events)
        gold_type = row.get("event_v08") or ""
        empty += first is None
        got = first.plover_type if first else "(none)"
        typed += got == gold_type
        if got != gold_type:
            confusion[f"{gold_type} -> {got}"] += 1
        gold_src = {_principal(a["code"]) for a in row.get("actor", []) if a.get("code")}
        if gold_src:
            with_src += 1
            src_ok += first is not None and _same_principal(first.source, gold_src)
    n = len(rows) or 1
    summary = {
        "records": len(rows),
        "plover_type_accuracy": round(typed / n, 4),
        "source_principal_accuracy": round(src_ok / (with_src or 1), 4),
        "no_event": round(empty / n, 4),
    }
    return {"summary": summary, "tables": {"confusions": [[k, v] for k, v in confusion.most_common(15)]}}


def _first_typed(events: tuple[Event, ...]) -> Event | None:
    """The first event with a PLOVER type, else None."""
    return next((e for e in events if e.plover_type and e.source), None)


# --- PETRARCH records ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Record:
    """One PETRARCH unit-test record: its text and expected (source, target, code) triples."""

    id: str
    category: str
    text: str
    expected: tuple[tuple[str, str, str], ...] = ()
    no_events: bool = False
    skip: str = ""  # an "error" record (discarded story/sentence): not scored

    @property
    def cameo(self) -> bool:
        """Whether every expected code lies under a CAMEO root 01-20."""
        return bool(self.expected) and all(_is_cameo(code) for _, _, code in self.expected)


def _is_cameo(code: str) -> bool:
    return code.isdigit() and 3 <= len(code) <= 4 and 1 <= int(code[:2]) <= 20


_SENTENCE = re.compile(r"<Sentence\b([^>]*)>(.*?)</Sentence>", re.S)
_ATTR = re.compile(r'(\w+)\s*=\s*"([^"]*)"')


def read_records(path: str | Path) -> list[Record]:
    """Read the records of a PETRARCH validation file.

    Args:
        path: ``PETR.UnitTest.records.xml``.

    Returns:
        One :class:`Record` per ``<Sentence>``.
    """
    text = Path(path).read_text("utf-8", errors="replace")
    return [_record(m.group(1), m.group(2)) for m in _SENTENCE.finditer(text)]


def _record(attrs: str, body: str) -> Record:
    """Build one record from a Sentence element's attributes and body."""
    head = dict(_ATTR.findall(attrs))
    body = re.sub(r"<!--.*?-->", "", body, flags=re.S)
    sentence = re.search(r"<Text>(.*?)</Text>", body, re.S)
    expected, no_events, skip = [], False, ""
    for coding in re.findall(r"<EventCoding\b([^>]*)>", body):
        a = dict(_ATTR.findall(coding))
        if "eventcode" in a:
            expected.append((a.get("sourcecode", ""), a.get("targetcode", ""), a["eventcode"]))
        elif a.get("noevents"):
            no_events = True
        elif a.get("error"):
            skip = a["error"]
    clean = " ".join((sentence.group(1) if sentence else "").split())
    return Record(
        id=head.get("id", ""),
        category=head.get("category", ""),
        text=clean,
        expected=tuple(expected),
        no_events=no_events,
        skip=skip,
    )


@dataclass
class _Tally:
    passed: int = 0
    total: int = 0
    kinds: Counter[str] = field(default_factory=Counter)

    def rate(self) -> float:
        return round(self.passed / self.total, 4) if self.total else 0.0


def run_validation(folder: str | Path, ctx: Context, *, limit: int | None = None) -> dict[str, Any]:
    """Run PETRARCH's unit-test records through the coder with the validation dictionaries.

    Args:
        folder: the folder with ``PETR.UnitTest.records.xml`` and the ``PETR.Validate.*`` files.
        ctx: the context (for the spaCy model).
        limit: run only the first ``limit`` records.

    Returns:
        ``summary`` (pass rates for CAMEO-root records and for the rest), ``failures`` grouped
        by kind, and per-record ``results``.
    """
    world = ValidationWorld.load(Path(folder), ctx)
    records = read_records(Path(folder) / "PETR.UnitTest.records.xml")
    records = records[:limit] if limit else records
    tallies = {"cameo": _Tally(), "other": _Tally()}
    results = []
    for rec in records:
        if rec.skip:
            continue
        got = world.code(rec.text)
        kind = _judge(rec, got)
        tally = tallies["cameo" if rec.cameo else "other"]
        tally.total += 1
        tally.passed += kind == "pass"
        if kind != "pass":
            tally.kinds[kind] += 1
        results.append({"id": rec.id, "kind": kind, "expected": rec.expected, "got": sorted(got)})
    summary = {
        "cameo_records": tallies["cameo"].total,
        "cameo_pass_rate": tallies["cameo"].rate(),
        "other_records": tallies["other"].total,
        "other_pass_rate": tallies["other"].rate(),
        "lexicon": "PETR.Validate.verbs.txt (imported by dateline.validate.read_petr_verbs)",
    }
    failures = {name: dict(t.kinds.most_common()) for name, t in tallies.items()}
    return {"summary": summary, "failures": failures, "results": results}


def _judge(rec: Record, got: set[tuple[str, str, str]]) -> str:
    """Classify a record's outcome: pass, or the kind of failure."""
    want = set(rec.expected)
    if rec.no_events:
        return "pass" if not got else "false event"
    if want <= got:
        return "pass"
    if not got:
        return "no event"
    codes_ok = {c for _, _, c in want} <= {c for _, _, c in got}
    actors_ok = {(s, t) for s, t, _ in want} <= {(s, t) for s, t, _ in got}
    if codes_ok and not actors_ok:
        return "wrong actors"
    if actors_ok and not codes_ok:
        return "wrong code"
    return "wrong code and actors"


def iter_report(result: dict[str, Any]) -> Iterator[str]:
    """Printable lines for ``dateline validate``."""
    s = result["summary"]
    yield f"lexicon: {s['lexicon']}"
    yield f"CAMEO-root records: {s['cameo_pass_rate']:.1%} of {s['cameo_records']} pass"
    yield f"other records:      {s['other_pass_rate']:.1%} of {s['other_records']} pass"
    for group, kinds in result["failures"].items():
        if kinds:
            yield f"failures ({group}): " + ", ".join(f"{k} {v}" for k, v in kinds.items())


# --- the validation world: dictionaries and verb patterns ------------------------------------

_PREPS = frozenset("with to against on at in from for into over about toward towards upon by of".split())
_TARGET_SLOTS = ("dobj", "dative", "with", "to", "against", "on", "at", "in", "from", "for", "into", "over")


def _petr_code(text: str) -> str:
    """The first code of a "[013:012]" field; "" when it is no CAMEO-like number."""
    code = text.strip("[] ").split(":")[0].strip()
    return code if code.isdigit() and 2 <= len(code) <= 4 else ""


def read_petr_verbs(path: str | Path) -> list[Any]:
    """Import a PETRARCH verb dictionary as dateline patterns (the parts a dependency coder can use).

    1. ``&SET`` blocks become word sets; ``--- VERB [code] ---`` opens a block with a default code;
    2. each verb line (optionally with its own ``[code]``) yields a plain verb pattern;
    3. each ``- * WORD [code]`` line yields a pattern for every verb of the block: a preposition
       word becomes ``prep`` (and the target slot), any other word (or set) the required object.
       Patterns with words before ``*`` (PETRARCH subject-side context) are not imported.

    Args:
        path: ``PETR.Validate.verbs.txt``.

    Returns:
        :class:`dateline.lexicon.Pattern` records (codes unchecked: the file uses WEIS codes too).
    """
    from .lexicon import Pattern

    sets: dict[str, set[str]] = {}
    patterns: list[Pattern] = []
    verbs: list[str] = []
    default, current_set = "", ""
    text = re.sub(r"<!--.*?-->", "", Path(path).read_text("utf-8", errors="replace"), flags=re.S)
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("&"):
            current_set = line.split()[0].rstrip("_")
            sets[current_set] = set()
        elif line.startswith("+") and current_set:
            words = line[1:].replace("_", " ").lower().split()
            if len(words) == 1 and not words[0].startswith("&"):
                sets[current_set].add(words[0])
        elif line.startswith("---"):
            current_set, verbs = "", []
            found = re.search(r"\[([^\]]*)\]", line)
            default = _petr_code(found.group(1)) if found else ""
        elif line.startswith("-"):
            patterns += _petr_pattern(line, number, verbs, default, sets)
        elif not line.startswith(("+", "<", "{")) and re.match(r"^[A-Z]", line):
            verb, code = _petr_verb_line(line, default)
            if verb:
                verbs.append(verb)
                if code:
                    patterns.append(Pattern(code=code, line=number, verb=verb, target=_TARGET_SLOTS))
    return patterns


def _petr_verb_line(line: str, default: str) -> tuple[str, str]:
    """(verb lemma, code) from a verb line such as ``ARREST`` or ``KLM_NOP [002]``."""
    found = re.search(r"\[([^\]]*)\]", line)
    code = _petr_code(found.group(1)) if found else default
    head = re.split(r"[\s\[{]", line, maxsplit=1)[0].strip("_+")
    word = head.split("_")[0].lower()
    return (word, code) if word.isalpha() else ("", "")


def _petr_pattern(
    line: str, number: int, verbs: list[str], default: str, sets: dict[str, set[str]]
) -> list[Any]:
    """Patterns from one ``- ... * WORD [code]`` line, for every verb of the block."""
    from .lexicon import Pattern

    found = re.search(r"\[([^\]]*)\]", line)
    code = _petr_code(found.group(1)) if found else ""
    body = line[1 : found.start() if found else None].strip()
    before, star, after = body.partition("*")
    if not code or not star or before.strip():
        return []
    words = after.replace("_", " ").split()
    if not words:
        return []
    first = words[0]
    if first.startswith("&"):
        objects = frozenset(sets.get(first.rstrip("_"), set()))
        prep = ""
    elif first.lower() in _PREPS:
        objects, prep = frozenset(), first.lower()
    else:
        objects, prep = frozenset({first.lower()}), ""
    target = (prep, *_TARGET_SLOTS) if prep else _TARGET_SLOTS
    return [Pattern(code=code, line=number, verb=v, objects=objects, prep=prep, target=target) for v in verbs]


@dataclass
class ValidationWorld:
    """The fictional world's dictionaries, lexicon and ontology, ready to code sentences."""

    names: dict[tuple[str, ...], str]
    agents: dict[tuple[str, ...], str]
    lex: Any
    onto: Any
    nlp: Any

    @classmethod
    def load(cls, folder: Path, ctx: Context) -> ValidationWorld:
        """Import ``PETR.Validate.{actors,agents,verbs}.txt`` (actors, agents via :mod:`dateline.tabari`)."""
        from .nlp import load_nlp
        from .tabari import read_actors, read_agents

        names: dict[tuple[str, ...], str] = {}
        for actor in read_actors(folder / "PETR.Validate.actors.txt"):
            for name in actor.names:
                names.setdefault(tuple(name.split()), actor.codes[0].code if actor.codes else "")
        agents: dict[tuple[str, ...], str] = {}
        for agent in read_agents(folder / "PETR.Validate.agents.txt"):
            agents.setdefault(tuple(agent.phrase.split()), agent.code)
            plural = agent.plural or agent.phrase + "s"
            agents.setdefault(tuple(plural.split()), agent.code)
        patterns = read_petr_verbs(folder / "PETR.Validate.verbs.txt")
        onto = _permissive_ontology(p.code for p in patterns)
        return cls(names=names, agents=agents, lex=_petr_lexicon(patterns), onto=onto, nlp=load_nlp(ctx))

    def mentions(self, doc: Any) -> list[Any]:
        """Longest-match actor and agent mentions; an actor right before an agent takes its role."""
        from .model import Mention

        words = [t.lower_ for t in doc]
        found: list[tuple[int, int, str, str]] = []  # start token, end token, code, kind
        i = 0
        while i < len(words):
            hit = _longest(words, i, self.names, "actor") or _longest(words, i, self.agents, "agent")
            if hit is None:
                i += 1
                continue
            found.append(hit)
            i = hit[1]
        out = []
        for start, end, code in _merge_roles(found, words):
            span = doc[start:end]
            out.append(
                Mention(
                    id=f"v{start}",
                    sentence=0,
                    start=span.start_char,
                    end=span.end_char,
                    text=span.text,
                    actor=_validation_actor(code),
                )
            )
        return out

    def code(self, text: str) -> set[tuple[str, str, str]]:
        """(source, target, code) triples for one record's text ("---" for an unknown actor)."""
        from .events import code_doc

        doc = self.nlp(text)
        events = code_doc(doc, self.mentions(doc), lex=self.lex, onto=self.onto, story_id="petr")
        return {(e.source or "---", e.target or "---", e.cameo) for e in events}


def _longest(
    words: list[str], i: int, table: dict[tuple[str, ...], str], kind: str
) -> tuple[int, int, str, str] | None:
    """The longest table phrase starting at word ``i``."""
    for n in range(min(6, len(words) - i), 0, -1):
        code = table.get(tuple(words[i : i + n]))
        if code:
            return i, i + n, code, kind
    return None


def _merge_roles(found: list[tuple[int, int, str, str]], words: list[str]) -> Iterator[tuple[int, int, str]]:
    """Join "Gondor's ambassador" / "Arnorian soldiers" into one code; a lone agent is "---ROLE"."""
    merged: list[tuple[int, int, str, str]] = []
    k = 0
    while k < len(found):
        start, end, code, kind = found[k]
        nxt = found[k + 1] if k + 1 < len(found) else None
        gap = words[end : nxt[0]] if nxt else []
        if kind == "actor" and nxt and nxt[3] == "agent" and gap in ([], ["'s"]) and len(code) <= 3:
            merged.append((start, nxt[1], code + nxt[2], nxt[2]))
            k += 2
            continue
        merged.append(
            (start, end, code if kind == "actor" else "---" + code, "" if kind == "actor" else code)
        )
        k += 1
    # "Fornost and Gondor legislators": the role distributes over the conjoined names
    for j in range(len(merged) - 2, -1, -1):
        start, end, code, role = merged[j]
        nstart, _, _, nrole = merged[j + 1]
        if not role and nrole and len(code) <= 3 and words[end:nstart] in (["and"], [","]):
            merged[j] = (start, end, code + nrole, nrole)
    for start, end, code, _ in merged:
        yield start, end, code


def _validation_actor(code: str) -> Any:
    from .model import Actor

    principal = code[:3]
    return Actor(code=code, principal=principal, role=code[3:], source="PETR.Validate")


def _permissive_ontology(codes: Iterator[str] | Any) -> Any:
    """The bundled ontology plus placeholder rows for the suite's non-CAMEO (WEIS) codes."""
    from .ontology import CameoCode, Ontology, load_ontology

    base = load_ontology()
    extra = {
        c: CameoCode(
            code=c, level=len(c) - 1, root=c[:2], name="(validation code)", goldstein=0.0, quad_class=1
        )
        for c in set(codes)
        if c not in base.codes
    }
    return Ontology(codes={**base.codes, **extra}, plover=base.plover, version=base.version + "+petr")


def _petr_lexicon(patterns: list[Any]) -> Any:
    """Index imported patterns like the bundled lexicon; no root needs a target here."""
    import dataclasses as dc
    from collections import defaultdict

    from .lexicon import Lexicon, _data, load_grammar

    by_verb: dict[str, list[Any]] = defaultdict(list)
    for p in patterns:
        by_verb[p.verb].append(p)
    grammar = dc.replace(
        load_grammar(_data("grammar.yaml")),
        target_required_roots=frozenset(),
        subtree_targets=True,
        modal_aux=frozenset(),  # PETRARCH codes "X will contribute aid" as the act itself
        complement_codes={},
    )
    return Lexicon(
        by_verb={k: tuple(v) for k, v in by_verb.items()},
        by_noun={},
        grammar=grammar,
        version="petr-validate",
    )
