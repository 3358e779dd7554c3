"""Reader for TABARI/PETRARCH actor and agent dictionaries (a legacy text format).

This is the one module that knows the format; everything else sees plain records.

Actors::

    BARACK_OBAMA                 a name: upper case, ``_`` (or a space) between words
    +PRESIDENT_OBAMA_            ``+`` lines are synonyms of the name above
        [USAELI 780101-000101]   codes, optionally dated: ``A-B`` range,
        [USAGOV >090120]         ``>D`` from D on, ``<D`` before D; undated = default
    UN_ [IGOUNO]                 the code may sit on the name line
    # comment, <!-- comment -->  both comment styles occur

Agents::

    !PERSON! = MAN, MEN, WOMAN    a substitution set used in later lines
    FOREIGN_MINISTER [~GOV]       noun phrase and its role code (``~`` = appended)
    CHAMBER_OF_COMMERCE {CHAMBERS_OF_COMMERCE} [~BUS]   explicit plural

Dates are ``YYMMDD`` (years below 30 are 20YY, as the 2014 files assume) or
``YYYYMMDD``. Known errors in the shipped files (a seven-digit date, a stray
``[---]`` "no code" marker) are reported as problems, not guessed at; with
``strict=True`` the first problem raises :class:`~dateline.errors.DictionaryError`.

Run ``python -m dateline.tabari --out FILE.csv DICT...`` to convert actor files
into dateline's CSV schema (this is how ``data/actors/phoenix_actors.csv`` is made).
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .errors import DictionaryError

__all__ = [
    "TabariActor",
    "TabariAgent",
    "TabariCode",
    "actor_rows",
    "agent_rows",
    "read_actors",
    "read_agents",
]

_CODE_RE = re.compile(r"\[([^\]]*)\]")
_DATED_RE = re.compile(r"^([A-Za-z0-9~-]+)\s*(?:(>|<)\s*(\d{6,8})|(\d{6,8})\s*-\s*(\d{6,8}))?$")
_SUBST_RE = re.compile(r"^(![A-Z]+!)\s*=\s*(.+)$")
_PLURAL_RE = re.compile(r"\{([^}]*)\}")
#: codes that mean "no code" in the Phoenix files
_NO_CODE = {"---", "", "~"}


@dataclass(frozen=True, slots=True, kw_only=True)
class TabariCode:
    """One code of an actor, with its validity dates (None = open)."""

    code: str
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TabariActor:
    """An actor block: its names (first = the headword) and codes."""

    names: tuple[str, ...]
    codes: tuple[TabariCode, ...]
    path: str
    line: int
    comment: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class TabariAgent:
    """An agent noun phrase (words lower case, space separated) and its role code."""

    phrase: str
    code: str
    plural: str | None = None
    path: str = ""
    line: int = 0


@dataclass(slots=True)
class _Block:
    names: list[str] = field(default_factory=list)
    codes: list[TabariCode] = field(default_factory=list)
    line: int = 0
    comment: str = ""


def _lines(path: Path) -> Iterator[tuple[int, str, str]]:
    """Yield (line number, content, comment) with both comment styles removed."""
    in_xml_comment = False
    with path.open(encoding="utf-8", errors="replace") as fh:
        for number, raw in enumerate(fh, start=1):
            text = raw.rstrip("\n")
            if in_xml_comment or text.lstrip().startswith("<!--"):
                in_xml_comment = "-->" not in text
                continue
            content, _, comment = text.partition("#")
            yield number, content.rstrip(), comment.strip()


def parse_date(text: str) -> date:
    """``YYMMDD`` or ``YYYYMMDD`` as a date (YY < 30 means 20YY).

    Args:
        text: the digits.

    Returns:
        The date.

    Raises:
        ValueError: not six or eight digits, or not a calendar date.
    """
    if len(text) == 6:
        yy = int(text[:2])
        year = 2000 + yy if yy < 30 else 1900 + yy
        return date(year, int(text[2:4]), int(text[4:6]))
    if len(text) == 8:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    raise ValueError(f"date {text!r} is neither YYMMDD nor YYYYMMDD")


def parse_code(text: str) -> TabariCode | None:
    """One bracketed code (without brackets) as a TabariCode; None for "no code".

    Raises:
        ValueError: the text is not a code with an optional date restriction.
    """
    m = _DATED_RE.match(text.strip())
    if not m:
        raise ValueError(
            f"cannot read code [{text}]; expected [CODE], [CODE >YYMMDD] or [CODE YYMMDD-YYMMDD]"
        )
    code, op, single, start, end = m.groups()
    if code.strip("~") in _NO_CODE or set(code) == {"-"}:
        return None
    code = code.upper()
    if op == ">":
        return TabariCode(code=code, valid_from=parse_date(single))
    if op == "<":
        return TabariCode(code=code, valid_to=parse_date(single))
    if start:
        return TabariCode(code=code, valid_from=parse_date(start), valid_to=parse_date(end))
    return TabariCode(code=code)


def _name(text: str) -> str:
    """A dictionary name as plain words: ``KIM_JONG_UN_`` -> ``kim jong un``."""
    return " ".join(text.replace("_", " ").split()).lower()


def _problem(problems: list[DictionaryError], strict: bool, err: DictionaryError) -> None:
    if strict:
        raise err
    problems.append(err)


def read_actors(
    path: str | Path, *, strict: bool = False, problems: list[DictionaryError] | None = None
) -> list[TabariActor]:
    """Read a TABARI/PETRARCH actor dictionary.

    Args:
        path: the ``.actors.txt`` file.
        strict: raise on the first bad line instead of skipping it.
        problems: if given, skipped lines are appended here as DictionaryErrors.

    Returns:
        One record per actor block, names as lower-case words.
    """
    path = Path(path)
    if not path.is_file():
        raise DictionaryError(str(path), 0, "actor dictionary not found; check the path")
    found: list[TabariActor] = []
    sink = problems if problems is not None else []
    block = _Block()

    def close() -> None:
        nonlocal block
        if block.names and block.codes:
            found.append(
                TabariActor(
                    names=tuple(dict.fromkeys(block.names)),
                    codes=tuple(block.codes),
                    path=str(path),
                    line=block.line,
                    comment=block.comment,
                )
            )
        block = _Block()

    for number, content, comment in _lines(path):
        if not content.strip():
            continue
        stripped = content.strip()
        codes_text = _CODE_RE.findall(stripped)
        name_text = _CODE_RE.sub(" ", stripped).strip()
        if name_text and not name_text.startswith("+"):
            # a new headword closes a block that has its codes; headwords seen
            # before any code share the next one (``U.N._`` then a coded block)
            if block.codes:
                close()
            if not block.names:
                block.line, block.comment = number, comment
            block.names.append(_name(name_text))
        elif name_text.startswith("+"):
            synonym = _name(name_text[1:])
            if synonym:
                block.names.append(synonym)
        for text in codes_text:
            try:
                code = parse_code(text)
            except ValueError as exc:
                _problem(sink, strict, DictionaryError(str(path), number, str(exc)))
                continue
            if code is not None:
                block.codes.append(code)
    close()
    return found


def _expand(phrase: str, sets: dict[str, list[str]]) -> list[str]:
    """Expand ``!SET!`` markers into one phrase per member."""
    for marker, members in sets.items():
        if marker in phrase:
            return [p for m in members for p in _expand(phrase.replace(marker, m), sets)]
    return [phrase]


def read_agents(
    path: str | Path, *, strict: bool = False, problems: list[DictionaryError] | None = None
) -> list[TabariAgent]:
    """Read a TABARI/PETRARCH agent dictionary.

    Args:
        path: the ``.agents.txt`` file.
        strict: raise on the first bad line instead of skipping it.
        problems: if given, skipped lines are appended here.

    Returns:
        One record per noun phrase (substitution sets expanded), the code without ``~``.
    """
    path = Path(path)
    if not path.is_file():
        raise DictionaryError(str(path), 0, "agent dictionary not found; check the path")
    sets: dict[str, list[str]] = {}
    found: list[TabariAgent] = []
    sink = problems if problems is not None else []
    for number, content, _comment in _lines(path):
        stripped = content.strip()
        if not stripped:
            continue
        subst = _SUBST_RE.match(stripped)
        if subst:
            sets[subst.group(1)] = [m.strip() for m in subst.group(2).split(",") if m.strip()]
            continue
        codes = _CODE_RE.findall(stripped)
        if len(codes) != 1:
            _problem(
                sink, strict, DictionaryError(str(path), number, "expected one [~CODE] on an agent line")
            )
            continue
        code = codes[0].replace("~", "").strip().upper()
        plural_m = _PLURAL_RE.search(stripped)
        plural = _name(plural_m.group(1)) or None if plural_m else None
        phrase = _PLURAL_RE.sub(" ", _CODE_RE.sub(" ", stripped))
        if not code.isalpha():
            _problem(
                sink, strict, DictionaryError(str(path), number, f"agent code {codes[0]!r} is not letters")
            )
            continue
        for variant in _expand(phrase, sets):
            found.append(
                TabariAgent(phrase=_name(variant), code=code, plural=plural, path=str(path), line=number)
            )
    return found


def actor_rows(actors: list[TabariActor], source: str) -> Iterator[dict[str, str]]:
    """Rows in dateline's dictionary CSV schema, one per (name, code, dates).

    Args:
        actors: records from :func:`read_actors`.
        source: the ``source`` column value (e.g. ``phoenix``).

    Returns:
        An iterator of dicts with the keys name, code, valid_from, valid_to, source, line.
    """
    for actor in actors:
        for name in actor.names:
            for code in actor.codes:
                yield {
                    "name": name,
                    "code": code.code,
                    "valid_from": code.valid_from.isoformat() if code.valid_from else "",
                    "valid_to": code.valid_to.isoformat() if code.valid_to else "",
                    "source": f"{source}:{Path(actor.path).name}:{actor.line}",
                }


def agent_rows(agents: list[TabariAgent], source: str) -> Iterator[dict[str, str]]:
    """Rows of the agents CSV schema (phrase, code, plural, source), one per phrase.

    Args:
        agents: records from :func:`read_agents`.
        source: the ``source`` column prefix.

    Returns:
        An iterator of dicts.
    """
    for agent in agents:
        yield {
            "phrase": agent.phrase,
            "code": agent.code,
            "plural": agent.plural or "",
            "source": f"{source}:{Path(agent.path).name}:{agent.line}",
        }


def main(argv: list[str] | None = None) -> int:
    """Convert dictionaries to one CSV: ``python -m dateline.tabari --out F [--agents] DICT...``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 3 or args[0] != "--out":
        print("usage: python -m dateline.tabari --out FILE.csv [--agents] DICT.txt...", file=sys.stderr)
        return 2
    out, inputs = Path(args[1]), args[2:]
    agents = inputs[0] == "--agents"
    inputs = inputs[1:] if agents else inputs
    problems: list[DictionaryError] = []
    if agents:
        fields = ["phrase", "code", "plural", "source"]
        rows = [r for p in inputs for r in agent_rows(read_agents(p, problems=problems), Path(p).stem)]
    else:
        fields = ["name", "code", "valid_from", "valid_to", "source"]
        rows = [r for p in inputs for r in actor_rows(read_actors(p, problems=problems), "phoenix")]
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    for problem in problems:
        print(f"skipped: {problem}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {out} ({len(problems)} lines skipped)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
