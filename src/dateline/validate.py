"""Validation suites for the event coder.

``evaluate_plover_gsr``
    The PLOVER gold-standard records (CAMEO-manual example sentences coded in PLOVER):
    each sentence goes through the pipeline up to the event coder; the first coded event's
    PLOVER type is compared with ``event_v08`` and its source principal with the gold actors.

``run_validation``
    PETRARCH's unit-test records (``PETR.UnitTest.records.xml``) over a fictional world
    (Arnor, Gondor, ...). The tiny dictionaries beside them are imported through
    :mod:`dateline.tabari` (dated codes chosen by the record's date); the sentences are
    parsed with spaCy (the Treebank parses in the records are ignored) and coded by
    :func:`dateline.events.code_doc` with trigger verbs from ``PETR.Validate.verbs.txt``.
    The coder's events are then read in PETRARCH's terms (:meth:`ValidationWorld.code`):
    recoded with the verb block's patterns (context words before and after the verb,
    synsets), paired codes split into event and reply, compound actors expanded. Pass rates
    are printed separately for records whose expected codes all lie under CAMEO roots 01-20
    and for the rest; failures are grouped by outcome and by kind of sentence.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .context import Context
    from .model import Event

__all__ = [
    "PetrPattern",
    "Record",
    "ValidationWorld",
    "VerbBlock",
    "evaluate_plover_gsr",
    "iter_report",
    "read_petr_blocks",
    "read_petr_verbs",
    "read_records",
    "run_validation",
    "sentence_kinds",
]

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
    date: date | None = None  # the story date: dated actor codes are chosen by it

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
        date=_record_date(head.get("date", "")),
    )


def _record_date(text: str) -> date | None:
    """A record's ``date="19950101"`` attribute; None when missing or malformed."""
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


@dataclass
class _Tally:
    passed: int = 0
    exact: int = 0
    total: int = 0
    kinds: Counter[str] = field(default_factory=Counter)

    def rate(self, count: int | None = None) -> float:
        n = self.passed if count is None else count
        return round(n / self.total, 4) if self.total else 0.0


def run_validation(folder: str | Path, ctx: Context, *, limit: int | None = None) -> dict[str, Any]:
    """Run PETRARCH's unit-test records through the coder with the validation dictionaries.

    A record passes when every expected event is coded (extra events allowed); ``exact``
    rates also forbid extra events. Records marked ``error`` (discarded stories) are skipped.

    Args:
        folder: the folder with ``PETR.UnitTest.records.xml`` and the ``PETR.Validate.*`` files.
        ctx: the context (for the spaCy model).
        limit: run only the first ``limit`` records.

    Returns:
        ``summary`` (pass rates for CAMEO-root records and for the rest), ``failures`` by
        outcome, ``sentence_kinds`` (records and failures per kind of sentence), and
        per-record ``results``.
    """
    world = ValidationWorld.load(Path(folder), ctx)
    records = read_records(Path(folder) / "PETR.UnitTest.records.xml")
    records = records[:limit] if limit else records
    tallies = {"cameo": _Tally(), "other": _Tally()}
    by_kind: dict[str, Counter[str]] = {}
    results = []
    for rec in records:
        if rec.skip:
            continue
        got = world.code(rec.text, rec.date)
        outcome = _judge(rec, got)
        tally = tallies["cameo" if rec.cameo else "other"]
        tally.total += 1
        tally.passed += outcome == "pass"
        tally.exact += got == set(rec.expected)
        if outcome != "pass":
            tally.kinds[outcome] += 1
        kinds = sentence_kinds(rec)
        for kind in kinds:
            row = by_kind.setdefault(kind, Counter())
            row["records"] += 1
            row["failed"] += outcome != "pass"
        results.append(
            {"id": rec.id, "kind": outcome, "sentence": kinds, "expected": rec.expected, "got": sorted(got)}
        )
    summary = {
        "cameo_records": tallies["cameo"].total,
        "cameo_pass_rate": tallies["cameo"].rate(),
        "cameo_exact_rate": tallies["cameo"].rate(tallies["cameo"].exact),
        "other_records": tallies["other"].total,
        "other_pass_rate": tallies["other"].rate(),
        "other_exact_rate": tallies["other"].rate(tallies["other"].exact),
        "skipped": sum(1 for r in records if r.skip),
        "lexicon": "PETR.Validate.verbs.txt (dateline.validate.read_petr_blocks, PETRARCH-mode recoding)",
    }
    failures = {name: dict(t.kinds.most_common()) for name, t in tallies.items()}
    kinds_table = {k: dict(v) for k, v in sorted(by_kind.items(), key=lambda kv: -kv[1]["failed"])}
    return {"summary": summary, "failures": failures, "sentence_kinds": kinds_table, "results": results}


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


#: sentence kinds recognised from the record's text (a record can be of several kinds)
_TEXT_KINDS = {
    "passive": re.compile(
        r"\b(?:was|were|is|are|been|being|be)\s+(?:(?:\w+ly|not|never)\s+)*\w+(?:ed|en)\b(?!\s+to\b)", re.I
    ),
    "negation": re.compile(r"\b(?:not|never|neither|nor|no)\b|n't\b", re.I),
    "reported speech": re.compile(r"\b(?:said|says|reported|noted|indicated|according to)\b|[\"“”]", re.I),
    "subordinate clause": re.compile(r"\b(?:after|when|while|until|which|who|whether)\b", re.I),
    "modal or future": re.compile(r"\b(?:will|would|may|might|can|could|should|is about to)\b", re.I),
}
#: record categories that name a kind of sentence
_CATEGORY_KINDS = {
    "DATE": "dated actor codes",
    "AGENT": "agents and roles",
    "AGENTS": "agents and roles",
    "SYNSET": "synsets and patterns",
    "PATTERN": "synsets and patterns",
    "VERB": "synsets and patterns",
    "MODIFY": "synsets and patterns",
    "PARSING": "parsing quirks",
}


def sentence_kinds(rec: Record) -> list[str]:
    """The kinds of sentence a record is, for grouping failures ("which kinds of sentences fail").

    Args:
        rec: a validation record.

    Returns:
        Kind names: from the text (passive, negation, reported speech, ...), from the
        expected codings (compound actors, reciprocal codes, unknown actor) and from the
        record's category (dated actor codes, agents and roles, ...).
    """
    kinds = [name for name, rx in _TEXT_KINDS.items() if rx.search(rec.text)]
    sources = {s for s, _, _ in rec.expected}
    targets = {t for _, t, _ in rec.expected}
    if len(sources) > 1 or len(targets) > 1 or rec.category.startswith("COMPOUND"):
        kinds.append("compound actors")
    if any((t, s, c2) in rec.expected for s, t, _ in rec.expected for c2 in {c for _, _, c in rec.expected}):
        kinds.append("reciprocal codes")
    if any(a in ("", "---", "###") or a.startswith("---") for s, t, _ in rec.expected for a in (s, t)):
        kinds.append("unknown or role-only actor")
    if rec.no_events:
        kinds.append("no-event record")
    category = _CATEGORY_KINDS.get(rec.category.rstrip("x"))
    if category:
        kinds.append(category)
    return kinds or ["plain"]


def iter_report(result: dict[str, Any]) -> Iterator[str]:
    """Printable lines for ``dateline validate``."""
    s = result["summary"]
    yield f"lexicon: {s['lexicon']}"
    for group, label in (("cameo", "CAMEO-root records"), ("other", "other records     ")):
        yield (
            f"{label}: {s[group + '_pass_rate']:.1%} of {s[group + '_records']} pass"
            f" (exact, no extra events: {s[group + '_exact_rate']:.1%})"
        )
    yield f"skipped (discard/error records): {s['skipped']}"
    for group, kinds in result["failures"].items():
        if kinds:
            yield f"failures ({group}): " + ", ".join(f"{k} {v}" for k, v in kinds.items())
    yield "failures by kind of sentence (failed/records):"
    for kind, row in result.get("sentence_kinds", {}).items():
        yield f"  {kind:<28} {row.get('failed', 0):>3}/{row.get('records', 0)}"


# --- PETRARCH's verb dictionary ---------------------------------------------------------------
#
# A block opens with ``--- VERB [code] ---``; verb lines follow (``+`` marks a synonym, ``_``
# joins the words of a multi-word verb and ``+`` inside one marks its head: ``WIRE_+TAP``);
# pattern lines ``- PRE * POST [code]`` give words before and after the verb. In a pattern
# ``_`` means "next word", a space "some words later", ``&SET`` any member of a synset, and
# ``$``/``+``/``^``/``%`` mark the source, the target, a skipped word and a compound.
# ``[032:033]`` is a paired code: the source does 032 to the target and the target 033 back.

_MARKERS = frozenset({"$", "+", "^", "%"})
#: the code given to verbs whose block has no code of its own ("[---]"): only a pattern codes them
NO_CODE = "---"


@dataclass(frozen=True, slots=True)
class PetrPattern:
    """One ``- PRE * POST [code]`` line, compiled to regexes over the words around the verb."""

    code: str
    line: int
    pre: re.Pattern[str] | None
    post: re.Pattern[str] | None
    words: int
    swap: bool = False  # "+" before the verb or "$" after it: the roles are reversed
    #: with a "+" after the verb: how many actors to skip ("^") after the word before it
    target_skip: int = -1

    def matches(self, before: str, after: str) -> bool:
        """Whether the words before and after the verb (each followed by a space) fit."""
        return (self.pre is None or bool(self.pre.search(before))) and (
            self.post is None or bool(self.post.match(after))
        )


@dataclass(frozen=True, slots=True)
class VerbBlock:
    """A ``--- VERB [code] ---`` block: its verbs (head lemma -> own code) and its patterns."""

    code: str
    verbs: dict[str, str]
    patterns: tuple[PetrPattern, ...]


def _petr_code(text: str) -> str:
    """A "[013]" / "[032:033]" field as a code; "" when it is no CAMEO-like number."""
    parts = [p.strip() for p in text.strip("[] ").split(":")]
    ok = all(re.fullmatch(r"\d{2,4}[A-Z]?", p) for p in parts) and len(parts) <= 2  # "174K": WEIS variants
    return ":".join(parts) if ok else ""


def _field(line: str) -> tuple[str, int]:
    """The code of a line's ``[...]`` field and where the field starts (len(line) when none)."""
    found = re.search(r"\[([^\]]*)\]", line)
    return (_petr_code(found.group(1)), found.start()) if found else ("", len(line))


def _verb_head(line: str) -> str:
    """Head lemma of a verb line: ``ARREST`` -> arrest, ``WIRE_+TAP {...}`` -> tap."""
    name = re.split(r"[\s\[{]", line.lstrip("+").strip(), maxsplit=1)[0]
    words = [w for w in name.split("_") if w]
    heads = [w[1:] for w in words if w.startswith("+")] or words[:1]
    head = heads[0].lower() if heads else ""
    return head if head.isalpha() else ""


def _word_rx(word: str, sets: dict[str, list[str]], depth: int = 0) -> str:
    """Regex for one pattern word: a literal, or the members of a synset (nested ones too)."""
    if not word.startswith("&"):
        return re.escape(word.lower())
    members = sets.get(word.rstrip("_"), []) if depth < 5 else []
    alts = [" ".join(_word_rx(w, sets, depth + 1) for w in re.split(r"[_\s]+", m) if w) for m in members]
    return "(?:" + "|".join(a for a in alts if a) + ")" if alts else "(?!)"


def _side(text: str, sets: dict[str, list[str]], verb_first: bool) -> tuple[list[tuple[bool, str]], set[str]]:
    """(adjacent-to-previous, regex) per word of one side, nearest-the-verb order kept; markers."""
    items: list[tuple[bool, str]] = []
    marks: set[str] = set()
    adjacent = verb_first and text.startswith("_")
    for tok in re.findall(r"[_\s]+|[^_\s]+", text):
        if not tok.strip("_ \t"):
            adjacent = "_" in tok and " " not in tok and "\t" not in tok
            continue
        if tok in _MARKERS:
            marks.add(tok)
            if tok == "+" and verb_first and "+" not in {rx for _, rx in items}:
                items.append((True, "+"))  # where the target starts (a named group)
            adjacent = False
            continue
        items.append((adjacent, _word_rx(tok, sets)))
        adjacent = False
    return items, marks


def _compile_pattern(number: int, line: str, sets: dict[str, list[str]]) -> PetrPattern | None:
    """Compile one ``- PRE * POST [code]`` line; None without a usable code or ``*``."""
    code, end = _field(line)
    before, star, after = line[1:end].strip().partition("*")
    if not code or not star:
        return None
    post_items, post_marks = _side(after, sets, verb_first=True)
    pre_items, pre_marks = _side(before.strip(" "), sets, verb_first=False)
    post = "^" + "".join(
        "(?P<tgt>)" if rx == "+" else ("" if adj else r"(?:\S+ )*?") + rx + " " for adj, rx in post_items
    )
    skips = re.search(r"((?:\^[\s_]*)*)\+", after)
    pre = ""
    for k, (adj, rx) in enumerate(pre_items):
        pre += ("" if adj or k == 0 else r"(?:\S+ )*?") + rx + " "
    if pre_items:
        pre = r"(?<![^ ])" + pre + ("$" if before.endswith("_") else r"(?:\S+ )*$")
    return PetrPattern(
        code=code,
        line=number,
        pre=re.compile(pre) if pre_items else None,
        post=re.compile(post) if post_items else None,
        words=len(pre_items) + len([rx for _, rx in post_items if rx != "+"]),
        swap="+" in pre_marks or "$" in post_marks,
        target_skip=skips.group(1).count("^") if skips and "+" in post_marks else -1,
    )


def _verb_file_lines(path: str | Path) -> Iterator[tuple[int, str]]:
    """(line number, text) of the verb file without comments and blank lines."""
    text = Path(path).read_text("utf-8", errors="replace")
    text = re.sub(r"<!--.*?-->", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if line:
            yield number, line


def read_petr_blocks(path: str | Path) -> list[VerbBlock]:
    """Read a PETRARCH verb dictionary into verb blocks with compiled patterns.

    1. ``&SET`` lines open a synset, ``+`` lines under it are its members (phrases, nested sets);
    2. ``--- VERB [code] ---`` opens a block; verb lines (and ``+`` synonyms) add head lemmas;
    3. ``- ... [code]`` lines become :class:`PetrPattern` records (compiled once all synsets are read).

    Args:
        path: ``PETR.Validate.verbs.txt``.

    Returns:
        The blocks in file order.
    """
    sets: dict[str, list[str]] = {}
    raw: list[tuple[str, dict[str, str], list[tuple[int, str]]]] = []
    current_set = ""
    for number, line in _verb_file_lines(path):
        if line.startswith("&"):
            current_set = line.split()[0].rstrip("_")
            sets[current_set] = []
        elif line.startswith("+") and current_set:
            sets[current_set].append(line[1:].strip())
        elif line.startswith("---"):
            current_set = ""
            raw.append((_field(line)[0], {}, []))
        elif not raw:
            continue
        elif line.startswith("-"):
            current_set = ""
            raw[-1][2].append((number, line))
        elif re.match(r"^\+?[A-Z]", line):
            current_set = ""
            head = _verb_head(line)
            if head:
                raw[-1][1].setdefault(head, _field(line)[0])
    blocks = []
    for code, verbs, lines in raw:
        compiled = (_compile_pattern(n, text, sets) for n, text in lines)
        blocks.append(VerbBlock(code=code, verbs=verbs, patterns=tuple(p for p in compiled if p)))
    return blocks


def read_petr_verbs(path: str | Path) -> list[Any]:
    """Import a PETRARCH verb dictionary as trigger patterns for the dateline coder.

    Every verb of every block yields one plain pattern with the verb line's code, else the
    block's, else :data:`NO_CODE` (such verbs code only through a pattern). Paired codes stay
    paired ("032:033"); :class:`PetrCoder` splits them. The context words of the ``- ... * ...``
    lines are not the coder's business: :class:`PetrCoder` recodes each event with them.

    Args:
        path: ``PETR.Validate.verbs.txt``.

    Returns:
        :class:`dateline.lexicon.Pattern` records (codes unchecked: the file uses WEIS codes too).
    """
    from .lexicon import Pattern

    out = []
    for block in read_petr_blocks(path):
        for verb, own in block.verbs.items():
            code = own or block.code or NO_CODE
            out.append(Pattern(code=code, line=0, verb=verb, target=()))
    return out


# --- the validation world: dictionaries, mentions and the PETRARCH-mode coder -----------------

_NAME_CODES = re.compile(r"^([A-Z][A-Z0-9_.'-]*)\s*\[([A-Z0-9/]+)\]")
#: words that make a role "ELI" (former officials), as PETRARCH's unit tests expect
_FORMER = frozenset({"former", "ex"})
_LINK = frozenset({"in", "of", "from"})


def _slash_codes(path: Path) -> dict[tuple[str, ...], str]:
    """Names with several codes at once (``THE_SHIRE [FRO/BIL/SAM]``): a compound actor.

    The TABARI importer reads one code per bracket; PETRARCH reads the slash as "all of these".
    """
    out: dict[tuple[str, ...], str] = {}
    for line in path.read_text("utf-8", errors="replace").splitlines():
        found = _NAME_CODES.match(line.strip())
        if found and "/" in found.group(2):
            out[tuple(found.group(1).lower().replace("_", " ").split())] = found.group(2)
    return out


def _no_plural(path: Path) -> frozenset[str]:
    """Agent phrases written ``POLICE {}``: an empty plural list means "no plural form"."""
    text = path.read_text("utf-8", errors="replace")
    found = re.findall(r"^([A-Z][A-Z_ -]*?)\s*\{\s*\}", text, flags=re.M)
    return frozenset(" ".join(name.lower().replace("_", " ").split()) for name in found)


def _prefix_roles(path: Path) -> frozenset[str]:
    """Agent codes written ``[NGO~]``: they go before the actor's code (NGOARN), not after."""
    text = path.read_text("utf-8", errors="replace")
    return frozenset(re.findall(r"\[\s*([A-Z]+)~\s*\]", text))


def _dated(codes: tuple[Any, ...], when: date | None) -> str:
    """The code valid on ``when``: the first dated code covering it, else the first undated one."""
    undated = [c.code for c in codes if c.valid_from is None and c.valid_to is None]
    if when is not None:
        for c in codes:
            if (c.valid_from or c.valid_to) and (c.valid_from or date.min) <= when:
                if c.valid_to is None or when < c.valid_to:
                    return str(c.code)
    if undated:
        return str(undated[0])
    return str(codes[-1].code) if codes else ""


@dataclass
class _Hit:
    """A dictionary hit: token span, code (actors) or role (agents), and whether it is an agent."""

    start: int
    end: int
    code: str
    agent: bool
    prefix: bool = False


@dataclass
class ValidationWorld:
    """The fictional world's dictionaries, lexicon, verb blocks and ontology."""

    names: dict[tuple[str, ...], tuple[Any, ...]]
    compounds: dict[tuple[str, ...], str]
    agents: dict[tuple[str, ...], str]
    prefix_roles: frozenset[str]
    blocks: dict[str, VerbBlock]
    lex: Any
    onto: Any
    nlp: Any

    @classmethod
    def load(cls, folder: Path, ctx: Context) -> ValidationWorld:
        """Import ``PETR.Validate.{actors,agents,verbs}.txt`` (actors, agents via :mod:`dateline.tabari`)."""
        from .nlp import load_nlp
        from .tabari import read_actors, read_agents

        names: dict[tuple[str, ...], tuple[Any, ...]] = {}
        for actor in read_actors(folder / "PETR.Validate.actors.txt"):
            for name in actor.names:
                if not name.startswith("<"):  # a stray comment the reader took for a name
                    names.setdefault(tuple(name.split()), actor.codes)
        agents: dict[tuple[str, ...], str] = {}
        singular_only = _no_plural(folder / "PETR.Validate.agents.txt")
        for agent in read_agents(folder / "PETR.Validate.agents.txt"):
            agents.setdefault(tuple(agent.phrase.split()), agent.code)
            if agent.phrase not in singular_only:
                agents.setdefault(tuple((agent.plural or agent.phrase + "s").split()), agent.code)
        blocks = read_petr_blocks(folder / "PETR.Validate.verbs.txt")
        patterns = read_petr_verbs(folder / "PETR.Validate.verbs.txt")
        by_verb: dict[str, VerbBlock] = {}
        for block in blocks:
            for verb in block.verbs:
                by_verb.setdefault(verb, block)
        codes = {c for b in blocks for c in (b.code, *b.verbs.values(), *(p.code for p in b.patterns)) if c}
        return cls(
            names=names,
            compounds=_slash_codes(folder / "PETR.Validate.actors.txt"),
            agents=agents,
            prefix_roles=_prefix_roles(folder / "PETR.Validate.agents.txt"),
            blocks=by_verb,
            lex=_petr_lexicon(patterns),
            onto=_permissive_ontology(codes | {NO_CODE}),
            nlp=load_nlp(ctx),
        )

    # --- mentions ------------------------------------------------------------------------

    def _hits(self, words: list[str], when: date | None) -> list[_Hit]:
        """Longest-match actor and agent hits, left to right."""
        hits: list[_Hit] = []
        i = 0
        while i < len(words):
            hit = self._actor_at(words, i, when) or self._agent_at(words, i)
            if hit is None:
                i += 1
                continue
            hits.append(hit)
            i = hit.end
        return hits

    def _actor_at(self, words: list[str], i: int, when: date | None) -> _Hit | None:
        for n in range(min(6, len(words) - i), 0, -1):
            key = tuple(words[i : i + n])
            if key in self.compounds:
                return _Hit(i, i + n, self.compounds[key], agent=False)
            if key in self.names:
                code = _dated(self.names[key], when)
                return _Hit(i, i + n, code, agent=False) if code else None
        return None

    def _agent_at(self, words: list[str], i: int) -> _Hit | None:
        for n in range(min(6, len(words) - i), 0, -1):
            code = self.agents.get(tuple(words[i : i + n]))
            if code:
                return _Hit(i, i + n, code, agent=True, prefix=code in self.prefix_roles)
        return None

    def mentions(self, doc: Any, when: date | None = None) -> list[Any]:
        """Actor mentions in PETRARCH's way (see :func:`_merge_hits`); codes dated to ``when``."""
        from .model import Mention

        words = [t.lower_ for t in doc]
        out = []
        for start, end, code in _merge_hits(self._hits(words, when), words):
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

    # --- coding --------------------------------------------------------------------------

    def code(self, text: str, when: date | None = None) -> set[tuple[str, str, str]]:
        """(source, target, code) triples for one record's text ("---" for an unknown actor)."""
        from .events import code_doc

        doc = self.nlp(text)
        mentions = self.mentions(doc, when)
        events = code_doc(doc, mentions, lex=self.lex, onto=self.onto, story_id="petr")
        out: set[tuple[str, str, str]] = set()
        for event in events:
            out |= self._petrarch(doc, _passive_target(doc, event, mentions), mentions)
        return _mutual(out, events)

    def _petrarch(self, doc: Any, event: Event, mentions: list[Any]) -> set[tuple[str, str, str]]:
        """One coder event in PETRARCH's terms.

        1. recode with the verb block's most specific matching pattern (words before and after
           the verb, synsets), else the verb's own or the block's code; no code -> no event;
        2. a pattern with the target before the verb swaps source and target; one with "+"
           after the verb takes the target there (``^`` skips an actor);
        3. a paired code "032:033" yields the event and its reply;
        4. compound actors ("FRO/BIL/SAM") yield one event per member.
        """
        source, target = event.source or "---", event.target or "---"
        code = event.cameo
        tok = _trigger_token(doc, event)
        block = self._block(tok) if tok is not None else None
        if block is not None:
            best = _best_pattern(block, tok)
            if best is not None:
                code = best.code
                target = _marked_target(best, tok, mentions) or target
                if best.swap and target != "---":
                    source, target = target, source
        if not code or code == NO_CODE:
            return set()
        first, _, second = code.partition(":")
        pairs = [(source, target, first)]
        if second and target != "---":
            pairs.append((target, source, second))
        return {(s, t, c) for src, tgt, c in pairs for s in src.split("/") for t in tgt.split("/")}

    def _block(self, tok: Any) -> VerbBlock | None:
        """The verb block of a trigger token, by lemma or surface form."""
        for word in (tok.lemma_.lower(), tok.lower_):
            if word in self.blocks:
                return self.blocks[word]
        return None


def _trigger_token(doc: Any, event: Event) -> Any:
    """The spaCy token of an event's trigger, or None."""
    if event.trigger is None:
        return None
    span = doc.char_span(event.trigger.start, event.trigger.end, alignment_mode="expand")
    return span.root if span is not None else None


def _passive_target(doc: Any, event: Event, mentions: list[Any]) -> Event:
    """ "Eriador was opposed by Osgiliath": the passive subject is the target, not the next actor."""
    import dataclasses as dc

    tok = _trigger_token(doc, event)
    if tok is None or "passive agent" not in event.reason:
        return event
    for child in tok.children:
        if child.dep_ == "nsubjpass":
            lo, hi = child.left_edge.idx, child.right_edge.idx + len(child.right_edge.text)
            found = [m for m in mentions if lo <= m.start and m.end <= hi]
            if found:
                return dc.replace(event, target=found[0].actor.code)
    return event


def _mutual(triples: set[tuple[str, str, str]], events: tuple[Event, ...]) -> set[tuple[str, str, str]]:
    """Conjoined sources of one trigger with no target act on each other ("A and B agree").

    PETRARCH codes "The Philippines and France agree ..." as PHL->FRA and FRA->PHL.
    """
    by_trigger: dict[int, set[str]] = {}
    for e in events:
        if not e.target and e.source and e.trigger is not None:
            by_trigger.setdefault(e.trigger.start, set()).add(e.source)
    out = set(triples)
    for sources in by_trigger.values():
        if len(sources) < 2:
            continue
        for s, t, c in triples:
            if s in sources and t == "---":
                out.discard((s, t, c))
                out |= {(s, other, c) for other in sources if other != s}
    return out


def _marked_target(pattern: PetrPattern, tok: Any, mentions: list[Any]) -> str:
    """The actor where a pattern's "+" sits after the verb, skipping ``target_skip`` actors; or ""."""
    if pattern.target_skip < 0 or pattern.post is None:
        return ""
    after = "".join(t.lower_ + " " for t in tok.sent if t.i > tok.i)
    found = pattern.post.match(after)
    if found is None or found.start("tgt") < 0:
        return ""
    index = tok.i + 1 + after[: found.start("tgt")].count(" ")
    if index >= tok.sent.end:
        return ""
    start = tok.doc[index].idx
    later = sorted((m for m in mentions if m.start >= start), key=lambda m: m.start)
    return str(later[pattern.target_skip].actor.code) if len(later) > pattern.target_skip else ""


def _best_pattern(block: VerbBlock, tok: Any) -> PetrPattern | None:
    """The block pattern with the most words that fits the trigger's sentence; first on ties."""
    sent = tok.sent
    before = "".join(t.lower_ + " " for t in sent if t.i < tok.i)
    after = "".join(t.lower_ + " " for t in sent if t.i > tok.i)
    best: PetrPattern | None = None
    for p in block.patterns:
        if (best is None or p.words > best.words) and p.matches(before, after):
            best = p
    return best


def _merge_hits(hits: list[_Hit], words: list[str]) -> Iterator[tuple[int, int, str]]:
    """Join dictionary hits into actor codes the way PETRARCH's unit tests expect.

    1. a prefix agent, an actor and suffix agents next to each other form one code
       ("MSF Arnor diplomat" -> NGOARNGOV, "Gondor's ambassador" -> GONGOV);
    2. "former" before or inside the phrase makes the role ELI;
    3. an agent linked by in/of/from to conjoined actors takes each of them
       ("lawmakers in Fornost and Gondor" -> FORLEG/GONLEG, a compound code);
    4. a role after conjoined names is shared ("Fornost and Gondor legislators");
    5. a lone agent is "---ROLE".
    """
    merged: list[list[Any]] = []  # [start, end, principal codes, role]
    k = 0
    while k < len(hits):
        start, k, principal, role = _phrase(hits, k, words)
        merged.append([start, hits[k - 1].end, principal, role])
    _link_roles(merged, words)
    for j in range(len(merged) - 2, -1, -1):  # step 4
        start, end, principal, role = merged[j]
        nstart, _, nprincipal, nrole = merged[j + 1]
        if principal and not role and nprincipal and nrole and words[end:nstart] in (["and"], [","]):
            merged[j][3] = nrole
    for start, end, principal, role in merged:
        codes = principal.split("/") if principal else ["---"]
        yield start, end, "/".join(c + role for c in codes)


def _phrase(hits: list[_Hit], k: int, words: list[str]) -> tuple[int, int, str, str]:
    """Steps 1-2 from hit ``k``: (start token, next hit index, principal, role)."""
    start = hits[k].start
    prefix = ""
    if hits[k].agent and hits[k].prefix and k + 1 < len(hits) and not hits[k + 1].agent:
        if words[hits[k].end : hits[k + 1].start] == []:
            prefix, k = hits[k].code, k + 1
    principal, role = "", ""
    if hits[k].agent:
        role = hits[k].code
    else:
        principal = prefix + hits[k].code
    end, k = hits[k].end, k + 1
    former = start > 0 and words[start - 1] in _FORMER
    while principal and k < len(hits) and hits[k].agent and not hits[k].prefix:
        gap = words[end : hits[k].start]
        if gap not in ([], ["'s"], ["former"]):
            break
        former |= gap == ["former"]
        if not (principal + role).endswith(hits[k].code):  # "White House [USAGOV] officials [GOV]"
            role += hits[k].code
        end, k = hits[k].end, k + 1
    if former:
        role = "ELI"
    return start, k, principal, role


def _link_roles(merged: list[list[Any]], words: list[str]) -> None:
    """Step 3: "officials in A and B" -> the agent phrase takes A and B (in place)."""
    for j, (_start, end, principal, _role) in enumerate(merged):
        if principal or j + 1 >= len(merged) or words[end : merged[j + 1][0]] not in ([w] for w in _LINK):
            continue
        found: list[str] = []
        last = end
        for nxt in merged[j + 1 :]:
            gap = words[last : nxt[0]]
            if nxt[2] and not nxt[3] and ((not found and gap[0] in _LINK) or gap in (["and"], [","])):
                found.append(nxt[2])
                last = nxt[1]
            else:
                break
        if found:
            merged[j][2] = "/".join(found)
    # "lawmakers and officials in A and B": the earlier agent shares the later one's principals
    for j in range(len(merged) - 2, -1, -1):
        _, end, principal, role = merged[j]
        nxt = merged[j + 1]
        if not principal and role and nxt[2] and nxt[3] and words[end : nxt[0]] == ["and"]:
            merged[j][2] = nxt[2]


def _validation_actor(code: str) -> Any:
    from .model import Actor

    # a compound code keeps all members in the principal, so the coder keeps its members together
    # a lone role ("---LEG") too, so "clerics and lawmakers" stay two actors
    principal = code if "/" in code or code.startswith("---") else code[:3]
    return Actor(code=code, principal=principal, role="" if "/" in code else code[3:], source="PETR.Validate")


def _permissive_ontology(codes: set[str]) -> Any:
    """The bundled ontology plus placeholder rows for the suite's non-CAMEO (WEIS, paired) codes."""
    from .ontology import CameoCode, Ontology, load_ontology

    base = load_ontology()
    extra = {
        c: CameoCode(
            code=c, level=len(c) - 1, root=c[:2], name="(validation code)", goldstein=0.0, quad_class=1
        )
        for c in codes
        if c not in base.codes
    }
    return Ontology(codes={**base.codes, **extra}, plover=base.plover, version=base.version + "+petr")


def _petr_lexicon(patterns: list[Any]) -> Any:
    """Index imported patterns like the bundled lexicon, with PETRARCH's grammar conventions.

    No root needs a target; a missing target is the first actor after the verb; no modal or
    negation filter (PETRARCH codes "X will contribute aid" as the act, and its patterns
    decide what "did not" does).
    """
    import dataclasses as dc
    from collections import defaultdict

    from .lexicon import Lexicon, _data, load_grammar

    by_verb: dict[str, list[Any]] = defaultdict(list)
    for p in patterns:
        by_verb[p.verb].append(p)
    base = load_grammar(_data("grammar.yaml"))
    # news-coder inferences PETRARCH does not make ("deplored" implies a government source)
    inferred: dict[str, Any] = {
        n: {} for n in ("implied_agents", "implied_roles") if n in base.__dataclass_fields__
    }
    grammar = dc.replace(
        base,
        target_required_roots=frozenset(),
        subtree_targets=True,
        modal_aux=frozenset(),
        negations=frozenset(),
        complement_codes={},
        **inferred,
    )
    return Lexicon(
        by_verb={k: tuple(v) for k, v in by_verb.items()},
        by_noun={},
        grammar=grammar,
        version="petr-validate",
    )
