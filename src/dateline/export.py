"""Export merged events: GDELT 2.0 event TSV, PLOVER JSONL, CSV and Parquet.

    rows = select_events(store, ExportFilter(since=date(2022, 1, 1), root="04"))
    export_events(store, "gdelt", "events.tsv", ExportFilter())

Which GDELT columns are filled, and how, is documented in ``docs/gdelt-export.md``.
Corrections hook: ``export_events(..., transform=fn)`` passes the selected rows through
``fn`` (a list of row dicts in, a list out) before writing; the web helper's
``--corrections`` option plugs an analyst-corrections overlay in there.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from .errors import ConfigError
from .store import Store

__all__ = [
    "FORMATS",
    "GDELT_COLUMNS",
    "ExportFilter",
    "export_events",
    "gdelt_row",
    "plover_record",
    "select_events",
]

Row = dict[str, Any]
Transform = Callable[[list[Row]], list[Row]]

FORMATS = ("gdelt", "plover", "csv", "parquet")

#: GDELT 2.0 event table columns, in the order of the GDELT 2.0 Event Codebook
GDELT_COLUMNS: tuple[str, ...] = (
    "GLOBALEVENTID",
    "SQLDATE",
    "MonthYear",
    "Year",
    "FractionDate",
    *(
        f"Actor{n}{c}"
        for n in (1, 2)
        for c in (
            "Code",
            "Name",
            "CountryCode",
            "KnownGroupCode",
            "EthnicCode",
            "Religion1Code",
            "Religion2Code",
            "Type1Code",
            "Type2Code",
            "Type3Code",
        )
    ),
    "IsRootEvent",
    "EventCode",
    "EventBaseCode",
    "EventRootCode",
    "QuadClass",
    "GoldsteinScale",
    "NumMentions",
    "NumSources",
    "NumArticles",
    "AvgTone",
    *(
        f"{who}Geo_{c}"
        for who in ("Actor1", "Actor2", "Action")
        for c in ("Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")
    ),
    "DATEADDED",
    "SOURCEURL",
)

# Principals that name a group rather than a country (GDELT puts them in KnownGroupCode).
_GROUP_PRINCIPALS = frozenset({"IGO", "NGO", "IMG", "MNC", "UIS", "REB"})
# Place features mapped to GDELT's geo types (1 country, 4 world city, 5 world state/ADM1).
_GEO_TYPES = {"country": 1, "city": 4, "region": 5, "state": 5, "adm1": 5}

_EVENT_COLUMNS = (
    "e.id, e.event_date, e.cameo, e.base_code, e.root, e.name, e.goldstein, e.quad_class, e.plover_type, "
    "e.plover_mode, e.source, e.source_name, e.source_country, e.source_role, e.target, e.target_name, "
    "e.target_country, e.target_role, e.place_name, e.place_country, e.place_country2, e.place_feature, "
    "e.lat, e.lon, e.geonames_id, e.story_id, e.source_url, e.num_mentions, e.num_sources, e.num_articles, "
    "e.first_seen, e.last_seen"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportFilter:
    """Which events to export; every field is optional and they combine with AND.

    ``actor`` matches either side by code prefix ("USA" matches USAGOV); ``dyad`` is
    ``SOURCE-TARGET`` by prefix ("KOR-USA"); ``root`` is a CAMEO root ("04", or "04,05");
    ``type`` a PLOVER event type ("CONSULT").
    """

    since: date | None = None
    until: date | None = None
    actor: str | None = None
    dyad: str | None = None
    root: str | None = None
    type: str | None = None

    def where(self) -> tuple[str, list[Any]]:
        """The SQL ``WHERE`` clause (``?`` placeholders) and its parameters."""
        clauses: list[str] = []
        params: list[Any] = []
        if self.since is not None:
            clauses.append("e.event_date >= ?")
            params.append(self.since)
        if self.until is not None:
            clauses.append("e.event_date <= ?")
            params.append(self.until)
        if self.actor:
            clauses.append("(e.source LIKE ? OR e.target LIKE ?)")
            params += [f"{self.actor.upper()}%"] * 2
        if self.dyad:
            source, sep, target = self.dyad.upper().partition("-")
            if not sep or not source or not target:
                raise ConfigError(f"--dyad {self.dyad!r}: write SOURCE-TARGET, e.g. KOR-USA or USAGOV-PRK")
            clauses.append("e.source LIKE ? AND e.target LIKE ?")
            params += [f"{source}%", f"{target}%"]
        if self.root:
            roots = [r.strip().zfill(2) for r in self.root.split(",") if r.strip()]
            clauses.append(f"e.root IN ({', '.join('?' * len(roots))})")
            params += roots
        if self.type:
            clauses.append("upper(e.plover_type) = ?")
            params.append(self.type.upper())
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def select_events(store: Store, filters: ExportFilter | None = None) -> list[Row]:
    """The merged events matching ``filters``, in date then first-seen order.

    Each row also carries ``is_root`` (a mention sits in an article's first sentence).
    """
    where, params = (filters or ExportFilter()).where()
    sql = (
        f"SELECT {_EVENT_COLUMNS}, "
        "CASE WHEN (SELECT min(m.sentence) FROM event_mentions m WHERE m.event_id = e.id) = 0 "
        "THEN 1 ELSE 0 END AS is_root "
        f"FROM events e{where} ORDER BY e.event_date, e.seq, e.id"
    )
    return store.query(sql, params)


def export_events(
    store: Store,
    fmt: str,
    out: str | Path | None,
    filters: ExportFilter | None = None,
    *,
    transform: Transform | None = None,
) -> int:
    """Write the selected events in ``fmt`` to ``out`` (None or "-": stdout; Parquet needs a file).

    Args:
        store: the open store.
        fmt: one of :data:`FORMATS`.
        out: output path.
        filters: which events.
        transform: applied to the selected rows before writing (the corrections hook).

    Returns:
        The number of events written.
    """
    if fmt not in FORMATS:
        raise ConfigError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    rows = select_events(store, filters)
    if transform is not None:
        rows = transform(rows)
    if fmt == "parquet":
        if out is None or str(out) == "-":
            raise ConfigError("Parquet is binary: give --out FILE.parquet")
        _write_parquet(rows, Path(out))
        return len(rows)
    with _open_text(out) as fh:
        if fmt == "gdelt":
            writer = csv.writer(
                fh, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\"
            )
            writer.writerows(gdelt_row(r) for r in rows)
        elif fmt == "plover":
            for r in rows:
                fh.write(json.dumps(plover_record(r, store), ensure_ascii=False, sort_keys=False) + "\n")
        else:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(list(rows[0]) if rows else ["id"])
            writer.writerows([_plain(v) for v in r.values()] for r in rows)
    return len(rows)


@contextmanager
def _open_text(out: str | Path | None) -> Iterator[IO[str]]:
    if out is None or str(out) == "-":
        yield sys.stdout
        return
    with open(out, "w", encoding="utf-8", newline="") as fh:
        yield fh


# --- GDELT --------------------------------------------------------------------------


def gdelt_row(row: Row) -> list[str]:
    """One event as the 61 fields of a GDELT 2.0 event record (see docs/gdelt-export.md)."""
    day: date | None = row["event_date"]
    values: dict[str, Any] = dict.fromkeys(GDELT_COLUMNS, "")
    values["GLOBALEVENTID"] = global_event_id(row["id"])
    if day is not None:
        values["SQLDATE"] = day.strftime("%Y%m%d")
        values["MonthYear"] = day.strftime("%Y%m")
        values["Year"] = day.year
        values["FractionDate"] = f"{day.year + day.timetuple().tm_yday / 365:.4f}"
    for n, side in ((1, "source"), (2, "target")):
        values.update(
            _gdelt_actor(n, row[side], row[f"{side}_name"], row[f"{side}_country"], row[f"{side}_role"])
        )
    values.update(
        {
            "IsRootEvent": row.get("is_root", 0),
            "EventCode": row["cameo"],
            "EventBaseCode": row["base_code"],
            "EventRootCode": row["root"],
            "QuadClass": row["quad_class"],
            "GoldsteinScale": _number(row["goldstein"]),
            "NumMentions": row["num_mentions"],
            "NumSources": row["num_sources"],
            "NumArticles": row["num_articles"],
        }
    )
    if row["place_name"] or row["place_country2"]:
        values.update(
            {
                "ActionGeo_Type": _GEO_TYPES.get(
                    (row["place_feature"] or "").lower(), 4 if row["lat"] is not None else 1
                ),
                "ActionGeo_FullName": row["place_name"] or "",
                "ActionGeo_CountryCode": row["place_country2"] or "",
                "ActionGeo_Lat": _number(row["lat"]),
                "ActionGeo_Long": _number(row["lon"]),
                "ActionGeo_FeatureID": row["geonames_id"] if row["geonames_id"] is not None else "",
            }
        )
    seen: datetime | None = row["first_seen"]
    if seen is not None:
        values["DATEADDED"] = seen.strftime("%Y%m%d%H%M%S")
    elif day is not None:
        values["DATEADDED"] = day.strftime("%Y%m%d") + "000000"
    values["SOURCEURL"] = row["source_url"] or ""
    return [_tsv(values[c]) for c in GDELT_COLUMNS]


def global_event_id(event_id: str) -> int:
    """GDELT's integer GLOBALEVENTID from our hex content id (first 15 hex digits: fits 60 bits)."""
    return int(event_id[:15], 16)


def _gdelt_actor(
    n: int, code: str, name: str | None, country: str | None, role: str | None
) -> dict[str, Any]:
    if not code:
        return {}
    principal = code[:3]
    is_group = principal in _GROUP_PRINCIPALS
    return {
        f"Actor{n}Code": code,
        f"Actor{n}Name": (name or "").upper(),
        f"Actor{n}CountryCode": "" if is_group else (country or principal),
        f"Actor{n}KnownGroupCode": code[3:6] if is_group else "",
        f"Actor{n}Type1Code": role or (code[3:6] if not is_group else ""),
    }


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _tsv(value: Any) -> str:
    """A field value with tabs and newlines flattened (GDELT fields never hold them)."""
    return str(value).replace("\t", " ").replace("\n", " ").replace("\r", " ")


# --- PLOVER -------------------------------------------------------------------------


def plover_record(row: Row, store: Store | None = None) -> dict[str, Any]:
    """One event as a PLOVER record (field names of the PLOVER manual's JSON records).

    Core fields: ``id``, ``date``, ``event``, ``mode``, ``context``, ``actor`` and
    ``recipient`` (lists of ``{text, code, country, sector}``), ``event_text``, ``event_loc``,
    ``dead``/``injured``/``size``; dateline adds ``cameo``, the GDELT-style counts and URLs.
    """
    evidence = _evidence(row["id"], store) if store is not None else {}
    return {
        "id": row["id"],
        "date": row["event_date"].isoformat() if row["event_date"] else None,
        "event": row["plover_type"] or None,
        "mode": row["plover_mode"] or None,
        "context": [],
        "actor": _plover_actors(
            row["source"],
            row["source_name"],
            row["source_country"],
            row["source_role"],
            evidence.get("source_text"),
        ),
        "recipient": _plover_actors(
            row["target"],
            row["target_name"],
            row["target_country"],
            row["target_role"],
            evidence.get("target_text"),
        ),
        "event_text": evidence.get("trigger_text"),
        "event_loc": {
            "name": row["place_name"],
            "country": row["place_country"],
            "lat": row["lat"],
            "lon": row["lon"],
            "geonames_id": row["geonames_id"],
        }
        if row["place_name"] or row["place_country"]
        else None,
        "dead": None,
        "injured": None,
        "size": None,
        "cameo": row["cameo"],
        "goldstein": row["goldstein"],
        "quad_class": row["quad_class"],
        "num_mentions": row["num_mentions"],
        "num_sources": row["num_sources"],
        "num_articles": row["num_articles"],
        "first_seen": row["first_seen"].isoformat() if row["first_seen"] else None,
        "last_seen": row["last_seen"].isoformat() if row["last_seen"] else None,
        "source_url": row["source_url"],
        "story_id": row["story_id"],
    }


def _plover_actors(
    code: str, name: str | None, country: str | None, role: str | None, text: str | None
) -> list[dict[str, Any]]:
    if not code:
        return []
    return [{"text": text or name or None, "code": code, "country": country, "sector": role or None}]


def _evidence(event_id: str, store: Store) -> Row:
    rows = store.query(
        "SELECT trigger_text, source_text, target_text FROM event_mentions WHERE event_id = ? "
        "AND linked_from IS NULL ORDER BY story_id, sentence, id LIMIT 1",
        (event_id,),
    )
    return rows[0] if rows else {}


# --- CSV / Parquet --------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return "" if value is None else value


def _write_parquet(rows: Sequence[Row], path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if rows:
        table = pa.Table.from_pylist(list(rows))
    else:
        table = pa.table({"id": pa.array([], pa.string())})
    pq.write_table(table, path)
