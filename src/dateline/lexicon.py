"""The event lexicon: trigger patterns (``data/events/lexicon.yaml``) and grammar word lists
(``data/events/grammar.yaml``), loaded, validated against the ontology and indexed by lemma.

A pattern names a trigger verb or noun, optional constraints (object lemmas, a required
preposition, extra words such as a particle), where the target is, and the CAMEO code it
yields. See the header of ``lexicon.yaml`` for the fields.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .errors import DictionaryError
from .ontology import Ontology, load_ontology

if TYPE_CHECKING:
    from .context import Context

__all__ = ["Grammar", "Lexicon", "Pattern", "lexicon", "load_lexicon"]

_FIELDS = {"verb", "noun", "object", "object_not", "prep", "target", "code", "mods", "governors"}


@dataclass(frozen=True, slots=True)
class Pattern:
    """One trigger pattern; ``line`` is its line in the lexicon file (for reasons and errors)."""

    code: str
    line: int
    verb: str = ""
    noun: str = ""
    extras: tuple[str, ...] = ()
    objects: frozenset[str] = frozenset()
    objects_not: frozenset[str] = frozenset()
    prep: str = ""
    target: tuple[str, ...] = ("dobj",)
    mods: dict[str, str] = field(default_factory=dict)
    governors: frozenset[str] = frozenset()

    @property
    def label(self) -> str:
        """A short human form: "impose [sanction] on" or "n:talk"."""
        head = " ".join((self.verb, *self.extras)) if self.verb else f"n:{self.noun}"
        obj = f" [{'|'.join(sorted(self.objects))}]" if self.objects else ""
        return f"{head}{obj}{' ' + self.prep if self.prep else ''}"

    @property
    def specificity(self) -> int:
        """Constraints count: the most specific matching pattern wins."""
        return 2 * bool(self.objects) + 2 * bool(self.prep) + len(self.extras) + bool(self.governors)


@dataclass(frozen=True, slots=True)
class Grammar:
    """Word lists for factuality, reported speech and group subjects (``grammar.yaml``)."""

    light_verbs: frozenset[str]
    modal_aux: frozenset[str]
    hypothetical_governors: frozenset[str]
    hypothetical_marks: frozenset[str]
    negations: frozenset[str]
    reporting_verbs: frozenset[str]
    first_person: frozenset[str]
    third_person: frozenset[str]
    dyad_subjects: frozenset[str]
    dyad_determiners: frozenset[str]
    target_required_roots: frozenset[str]
    #: "described X as hostile", "called the vote illegal": verbs that label their object
    labelling_verbs: frozenset[str] = frozenset()
    #: words that make a reported description a criticism (111)
    disapproval_words: frozenset[str] = frozenset()
    #: words that make a label praise (051): "called Seoul its most important neighbor"
    approval_words: frozenset[str] = frozenset()
    #: coercion verbs whose agent-less passive implies the agent: "was jailed" -> the courts (JUD)
    plural_pronouns: frozenset[str] = frozenset()
    referring_roots: frozenset[str] = frozenset()
    referring_determiners: frozenset[str] = frozenset()
    referable_roots: frozenset[str] = frozenset()
    implied_agents: dict[str, str] = field(default_factory=dict)
    #: root -> role a bare state source takes ("Russia expelled diplomats" is RUSGOV)
    implied_roles: dict[str, str] = field(default_factory=dict)
    #: root -> {"roles": source roles, "target": role}: "demonstrators protested" targets their government
    implied_targets: dict[str, Any] = field(default_factory=dict)
    complement_codes: dict[str, dict[str, str]] = field(default_factory=dict)
    #: take the first actor after the trigger when no target slot fills (PETRARCH's habit; off for news)
    subtree_targets: bool = False


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Patterns indexed by trigger lemma, the grammar lists, and a content version."""

    by_verb: dict[str, tuple[Pattern, ...]]
    by_noun: dict[str, tuple[Pattern, ...]]
    grammar: Grammar
    version: str

    @property
    def patterns(self) -> list[Pattern]:
        """All patterns, verbs first."""
        return [p for ps in (*self.by_verb.values(), *self.by_noun.values()) for p in ps]


class _Loader(yaml.SafeLoader):  # type: ignore[misc]  # PyYAML ships no type stubs here
    """YAML 1.1 without booleans: the lexicon's "on", "off", "no" are words, not True/False."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _data(name: str) -> Path:
    return Path(str(resources.files("dateline").joinpath(f"data/events/{name}")))


def _words(value: Any) -> frozenset[str]:
    items = [value] if isinstance(value, str) else list(value or [])
    return frozenset(str(v).lower() for v in items)


def _pattern(path: Path, line: int, raw: Any, onto: Ontology) -> Pattern:
    """Validate one lexicon row and build its Pattern."""
    if not isinstance(raw, dict):
        raise DictionaryError(str(path), line, "a pattern must be a mapping like {verb: meet, code: '040'}")
    unknown = set(raw) - _FIELDS
    if unknown:
        raise DictionaryError(
            str(path),
            line,
            f"unknown field(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(_FIELDS))}",
        )
    if bool(raw.get("verb")) == bool(raw.get("noun")):
        raise DictionaryError(str(path), line, "a pattern needs exactly one of 'verb' or 'noun'")
    codes = [str(raw.get("code", "")), *(str(c) for c in (raw.get("mods") or {}).values())]
    for code in codes:
        if code not in onto.codes:
            raise DictionaryError(str(path), line, f"code {code!r} is not a CAMEO code (quote codes: '040')")
    words = str(raw.get("verb", "")).lower().split()
    return Pattern(
        code=codes[0],
        line=line,
        verb=words[0] if words else "",
        extras=tuple(words[1:]),
        noun=str(raw.get("noun", "")).lower(),
        objects=_words(raw.get("object")),
        objects_not=_words(raw.get("object_not")),
        prep=str(raw.get("prep", "")).lower(),
        target=tuple(str(t).lower() for t in raw.get("target", ["dobj"])),
        mods={str(k).lower(): str(v) for k, v in (raw.get("mods") or {}).items()},
        governors=_words(raw.get("governors")),
    )


def _pattern_lines(text: str) -> list[int]:
    """1-based line of each item of the ``patterns`` list, from the YAML node marks."""
    root = yaml.compose(text)
    for key, value in getattr(root, "value", []):
        if getattr(key, "value", None) == "patterns":
            return [item.start_mark.line + 1 for item in value.value]
    return []


def load_patterns(path: Path, onto: Ontology) -> list[Pattern]:
    """Read and validate the pattern file.

    Args:
        path: the lexicon YAML.
        onto: the ontology the codes are checked against.

    Returns:
        The patterns in file order.
    """
    text = path.read_text("utf-8")
    try:
        data = yaml.load(text, Loader=_Loader)
        lines = _pattern_lines(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DictionaryError(str(path), mark.line + 1 if mark else 0, f"not valid YAML: {exc}") from None
    rows = (data or {}).get("patterns")
    if not isinstance(rows, list):
        raise DictionaryError(str(path), 0, "expected a top-level 'patterns:' list")
    return [_pattern(path, line, raw, onto) for line, raw in zip(lines, rows, strict=True)]


def load_grammar(path: Path) -> Grammar:
    """Read ``grammar.yaml``; every list named in :class:`Grammar` must be present."""
    data = yaml.load(path.read_text("utf-8"), Loader=_Loader) or {}
    names = [
        n
        for n in Grammar.__dataclass_fields__
        if n
        not in ("complement_codes", "subtree_targets", "implied_agents", "implied_roles", "implied_targets")
    ]
    missing = [n for n in names if n not in data]
    if missing:
        raise DictionaryError(str(path), 0, f"missing list(s): {', '.join(missing)}")
    table = data.get("complement_codes") or {}
    if not isinstance(table, dict) or not all(isinstance(v, dict) for v in table.values()):
        raise DictionaryError(str(path), 0, "complement_codes must map a verb to {root: code}")
    complements = {str(k): {str(r): str(c) for r, c in v.items()} for k, v in table.items()}
    lists: dict[str, Any] = {n: _words(data[n]) for n in names}
    return Grammar(
        **lists,
        complement_codes=complements,
        implied_agents=_role_table(path, data, "implied_agents"),
        implied_roles=_role_table(path, data, "implied_roles"),
        implied_targets=_implied_targets(path, data),
    )


def _role_table(path: Path, data: dict[str, Any], name: str) -> dict[str, str]:
    """An optional word (or root) -> role code table such as ``implied_agents: {jail: JUD}``."""
    table = data.get(name) or {}
    if not isinstance(table, dict):
        raise DictionaryError(str(path), 0, f"{name} must map a word or root to a role code (jail: JUD)")
    return {str(k).lower(): str(v).upper() for k, v in table.items()}


def _implied_targets(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    """``implied_targets``: root -> {roles: [CVL, ...], target: GOV}, validated."""
    out: dict[str, Any] = {}
    for root, rule in (data.get("implied_targets") or {}).items():
        if not isinstance(rule, dict) or not rule.get("roles") or not rule.get("target"):
            raise DictionaryError(str(path), 0, f"implied_targets[{root!r}] needs 'roles' and 'target'")
        roles = frozenset(str(r).upper() for r in rule["roles"])
        out[str(root)] = {"roles": roles, "target": str(rule["target"]).upper()}
    return out


def load_lexicon(
    path: str | Path | None = None, grammar: str | Path | None = None, onto: Ontology | None = None
) -> Lexicon:
    """Load, validate and index the lexicon.

    Args:
        path: a pattern YAML file; default the bundled ``lexicon.yaml``.
        grammar: a grammar YAML file; default the bundled ``grammar.yaml``.
        onto: the ontology to check codes against; default the bundled one.

    Returns:
        The :class:`Lexicon`, with a version hashed from both files.
    """
    lex_path, gram_path = Path(path or _data("lexicon.yaml")), Path(grammar or _data("grammar.yaml"))
    patterns = load_patterns(lex_path, onto or load_ontology())
    by_verb: dict[str, list[Pattern]] = defaultdict(list)
    by_noun: dict[str, list[Pattern]] = defaultdict(list)
    for p in patterns:
        (by_verb[p.verb] if p.verb else by_noun[p.noun]).append(p)
    digest = hashlib.sha256(lex_path.read_bytes() + gram_path.read_bytes()).hexdigest()[:12]
    return Lexicon(
        by_verb={k: tuple(v) for k, v in by_verb.items()},
        by_noun={k: tuple(v) for k, v in by_noun.items()},
        grammar=load_grammar(gram_path),
        version=f"lexicon-{digest}",
    )


def lexicon(ctx: Context) -> Lexicon:
    """The bundled lexicon, loaded once per context."""
    from .ontology import ontology

    onto = ontology(ctx)  # outside the factory: ctx.resource holds a non-reentrant lock
    return ctx.resource("event-lexicon", lambda: load_lexicon(onto=onto))
