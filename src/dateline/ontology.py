"""The CAMEO and PLOVER ontology, loaded from package data and validated.

Three files in ``data/ontology/``:

    cameo_codes.csv      all 311 CAMEO event codes: level, root, name, Goldstein score,
                         quad class (GDELT convention)
    cameo2plover.csv     CAMEO code -> PLOVER type, mode, context; ``status`` is
                         ``mapped`` or ``unmapped`` for every code (the mapping is total)
    plover_codebook.csv  PLOVER event types and modes with their definitions

``cameo2plover.csv`` is a cleaned form of PLOVER's ``cameo2plover.txt`` (Draft 0.8):
the first of two lines for the same code wins (``08`` CONCEDE/RETREAT), the context
that sat in the mode column of ``175`` is moved, codes missing from the CAMEO table
(``1213``, ``1214``) are dropped, appeals (``02x``) map to REQUEST and public
statements (``01x``) are explicitly unmapped. The ``note`` column says which rows differ.

Quad classes come in two conventions: ``gdelt`` counts protest (root 14) as verbal
conflict (3); ``plover`` counts it as material conflict (4).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import DictionaryError

if TYPE_CHECKING:
    from .context import Context

__all__ = [
    "ONTOLOGY_VERSION",
    "QUAD_CONVENTIONS",
    "CameoCode",
    "Ontology",
    "PloverType",
    "load_ontology",
    "ontology",
]

#: bumped whenever a file in data/ontology changes meaning
ONTOLOGY_VERSION = "cameo-1.1b3+plover-0.8/dateline.1"
QUAD_CONVENTIONS = ("gdelt", "plover")
QUAD_NAMES = {
    1: "Verbal Cooperation",
    2: "Material Cooperation",
    3: "Verbal Conflict",
    4: "Material Conflict",
}

_CODE = re.compile(r"^\d{2,4}$")


@dataclass(frozen=True, slots=True)
class CameoCode:
    """One CAMEO event code with its PLOVER mapping (``plover_type`` "" when unmapped)."""

    code: str
    level: int
    root: str
    name: str
    goldstein: float
    quad_class: int  # GDELT convention
    plover_type: str = ""
    plover_mode: str = ""
    plover_context: tuple[str, ...] = ()
    mapped: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class PloverType:
    """A PLOVER event type, its definition and its modes (mode -> definition)."""

    name: str
    definition: str
    modes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Ontology:
    """CAMEO codes and PLOVER types, indexed by code and by type name."""

    codes: dict[str, CameoCode]
    plover: dict[str, PloverType]
    version: str = ONTOLOGY_VERSION

    def get(self, code: str) -> CameoCode:
        """The record for ``code``; raises KeyError with a hint when unknown."""
        try:
            return self.codes[code]
        except KeyError:
            raise KeyError(f"unknown CAMEO code {code!r}; see `dateline codes` for the list") from None

    def quad_class(self, code: str, convention: str = "gdelt") -> int:
        """Quad class of ``code`` under ``convention`` ("gdelt" or "plover").

        Args:
            code: a CAMEO code.
            convention: "gdelt" (protest = verbal conflict, 3) or "plover" (protest = 4).

        Returns:
            1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict.
        """
        if convention not in QUAD_CONVENTIONS:
            raise ValueError(f"quad convention must be one of {QUAD_CONVENTIONS}, not {convention!r}")
        rec = self.get(code)
        if convention == "plover" and rec.root == "14":
            return 4
        return rec.quad_class

    def under(self, root: str | None = None) -> Iterator[CameoCode]:
        """Codes in file order, only those under ``root`` when given."""
        for rec in self.codes.values():
            if root is None or rec.root == root.zfill(2):
                yield rec

    def unmapped(self) -> list[str]:
        """Codes explicitly marked as having no PLOVER type."""
        return [c for c, rec in self.codes.items() if not rec.mapped]


# --- loading ----------------------------------------------------------------------


def _data_dir() -> Path:
    return Path(str(resources.files("dateline").joinpath("data/ontology")))


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each CSV data row; checks the header first."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise DictionaryError(str(path), 1, f"header lacks column(s) {', '.join(missing)}")
        for row in reader:
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}


def _cameo_row(path: Path, line: int, row: dict[str, str]) -> CameoCode:
    """Validate one row of cameo_codes.csv."""
    code = row["code"]
    if not _CODE.match(code):
        raise DictionaryError(str(path), line, f"code {code!r} is not 2-4 digits")
    if row["root"] != code[:2]:
        raise DictionaryError(str(path), line, f"root {row['root']!r} does not match code {code}")
    try:
        goldstein, quad, level = float(row["goldstein"]), int(row["quad_class"]), int(row["level"])
    except ValueError as exc:
        raise DictionaryError(str(path), line, f"goldstein/quad_class/level not numeric: {exc}") from None
    if not -10.0 <= goldstein <= 10.0 or quad not in QUAD_NAMES:
        raise DictionaryError(str(path), line, "goldstein must be in [-10, 10] and quad_class in 1-4")
    if not row["name"]:
        raise DictionaryError(str(path), line, f"code {code} has no name")
    return CameoCode(
        code=code, level=level, root=code[:2], name=row["name"], goldstein=goldstein, quad_class=quad
    )


def load_cameo(path: Path) -> dict[str, CameoCode]:
    """Read and validate ``cameo_codes.csv``.

    Args:
        path: the CSV file.

    Returns:
        Code -> record, in file order.
    """
    out: dict[str, CameoCode] = {}
    for line, row in _rows(path, ("code", "level", "root", "name", "goldstein", "quad_class")):
        rec = _cameo_row(path, line, row)
        if rec.code in out:
            raise DictionaryError(str(path), line, f"code {rec.code} appears twice")
        out[rec.code] = rec
    return out


def load_plover(path: Path) -> dict[str, PloverType]:
    """Read ``plover_codebook.csv`` into PLOVER types with their modes.

    Args:
        path: the CSV file (columns event, mode, event_def, mode_def).

    Returns:
        Type name -> PloverType.
    """
    out: dict[str, PloverType] = {}
    for line, row in _rows(path, ("event", "mode", "event_def", "mode_def")):
        name = row["event"]
        if not re.match(r"^[A-Z]+$", name):
            raise DictionaryError(str(path), line, f"PLOVER type {name!r} is not an upper-case word")
        ptype = out.setdefault(name, PloverType(name=name, definition=row["event_def"]))
        if row["mode"]:
            ptype.modes.setdefault(row["mode"], row["mode_def"])
    return out


def apply_mapping(
    path: Path, codes: dict[str, CameoCode], plover: dict[str, PloverType]
) -> dict[str, CameoCode]:
    """Attach the CAMEO->PLOVER mapping; it must cover every code exactly once.

    Args:
        path: ``cameo2plover.csv``.
        codes: CAMEO codes from :func:`load_cameo`.
        plover: PLOVER types from :func:`load_plover`.

    Returns:
        The codes with their PLOVER fields filled.
    """
    out: dict[str, CameoCode] = {}
    for line, row in _rows(path, ("code", "status", "plover_type", "plover_mode", "context", "note")):
        code = row["code"]
        if code not in codes:
            raise DictionaryError(str(path), line, f"code {code!r} is not in the CAMEO table")
        if code in out:
            raise DictionaryError(str(path), line, f"code {code} is mapped twice")
        out[code] = _mapping_row(path, line, row, codes[code], plover)
    missing = [c for c in codes if c not in out]
    if missing:
        raise DictionaryError(
            str(path), 0, f"no mapping row for {', '.join(missing[:10])}: mark them 'unmapped'"
        )
    return {c: out[c] for c in codes}


def _mapping_row(
    path: Path, line: int, row: dict[str, str], rec: CameoCode, plover: dict[str, PloverType]
) -> CameoCode:
    """Validate one mapping row and merge it into the code's record."""
    status, ptype = row["status"], row["plover_type"]
    if status not in ("mapped", "unmapped"):
        raise DictionaryError(str(path), line, f"status {status!r} must be 'mapped' or 'unmapped'")
    if status == "mapped" and ptype not in plover:
        raise DictionaryError(
            str(path), line, f"PLOVER type {ptype!r} is not in the codebook ({', '.join(plover)})"
        )
    if status == "unmapped" and ptype:
        raise DictionaryError(str(path), line, "an 'unmapped' row must leave plover_type empty")
    context = tuple(c.strip() for c in row["context"].split(";") if c.strip())
    return CameoCode(
        code=rec.code,
        level=rec.level,
        root=rec.root,
        name=rec.name,
        goldstein=rec.goldstein,
        quad_class=rec.quad_class,
        plover_type=ptype,
        plover_mode=row["plover_mode"],
        plover_context=context,
        mapped=status == "mapped",
        note=row["note"],
    )


def load_ontology(directory: str | Path | None = None) -> Ontology:
    """Load and validate the three ontology files.

    Args:
        directory: a folder holding the three files; default the bundled package data.

    Returns:
        The validated :class:`Ontology`.
    """
    folder = Path(directory) if directory is not None else _data_dir()
    codes = load_cameo(folder / "cameo_codes.csv")
    plover = load_plover(folder / "plover_codebook.csv")
    return Ontology(codes=apply_mapping(folder / "cameo2plover.csv", codes, plover), plover=plover)


def ontology(ctx: Context) -> Ontology:
    """The bundled ontology, loaded once per context."""
    return ctx.resource("ontology", load_ontology)


def code_table(onto: Ontology, root: str | None = None, convention: str = "gdelt") -> list[str]:
    """Rows for ``dateline codes``: code, Goldstein, quad class, PLOVER type/mode, name.

    Args:
        onto: the ontology.
        root: only codes under this root ("4" or "04"); all when None.
        convention: quad-class convention for the quad column.

    Returns:
        Printable lines, a header first.
    """
    lines = [f"{'code':<6}{'gold':>6}  {'quad':<22}{'plover':<22}name"]
    for rec in onto.under(root):
        quad = onto.quad_class(rec.code, convention)
        plover = (
            f"{rec.plover_type}/{rec.plover_mode}" if rec.plover_mode else rec.plover_type or "(unmapped)"
        )
        indent = "  " * (rec.level - 1)
        lines.append(
            f"{rec.code:<6}{rec.goldstein:>6.1f}  {quad} {QUAD_NAMES[quad]:<20}{plover:<22}{indent}{rec.name}"
        )
    return lines
