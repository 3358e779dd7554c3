"""Exports: GDELT 2.0 TSV (61 columns), PLOVER JSONL, CSV, Parquet, and the filters."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SEED_TXT, SHARED
from dateline.cli import main
from dateline.errors import ConfigError
from dateline.export import GDELT_COLUMNS, ExportFilter, export_events, global_event_id, select_events
from dateline.ingest import ingest
from dateline.settings import load_settings
from dateline.store import Store, open_store
from store_samples import sample_records

S = load_settings()
SEED_URL = "https://en.yna.co.kr/view/AEN20220120009200325"


@pytest.fixture()
def filled(tmp_path: Path) -> Store:
    store = open_store(str(tmp_path / "x.duckdb"), S)
    store.write_stories(sample_records(), "run1")
    yield store
    store.close()


def _cameo_table() -> dict[str, dict[str, str]]:
    with open(SHARED / "ontology" / "cameo_codes.csv", encoding="utf-8") as fh:
        return {r["code"]: r for r in csv.DictReader(fh)}


def test_gdelt_has_61_columns_in_codebook_order() -> None:
    assert len(GDELT_COLUMNS) == 61
    assert GDELT_COLUMNS[:5] == ("GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate")
    assert GDELT_COLUMNS[25:35] == (
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
    )
    assert GDELT_COLUMNS[-2:] == ("DATEADDED", "SOURCEURL")


def test_gdelt_rows_carry_the_merged_event(filled: Store, tmp_path: Path) -> None:
    out = tmp_path / "e.tsv"
    n = export_events(filled, "gdelt", out, ExportFilter(dyad="KOR-USA"))
    rows = [dict(zip(GDELT_COLUMNS, line.split("\t"), strict=True)) for line in out.read_text().splitlines()]
    assert n == len(rows) == 2
    first = rows[0]
    assert (first["SQLDATE"], first["MonthYear"], first["Year"]) == ("20220120", "202201", "2022")
    assert (first["Actor1Code"], first["Actor1CountryCode"], first["Actor1Type1Code"]) == (
        "KORGOV",
        "KOR",
        "GOV",
    )
    assert (first["Actor2Code"], first["Actor2Name"]) == ("USAGOV", "UNITED STATES")
    assert (first["EventCode"], first["EventBaseCode"], first["EventRootCode"]) == ("041", "041", "04")
    assert (first["NumMentions"], first["NumSources"], first["NumArticles"]) == ("2", "2", "2")
    assert first["SOURCEURL"] == "https://a.example/news/1" and first["DATEADDED"] == "20220120120000"
    assert first["IsRootEvent"] == "1"


def test_filters_combine(filled: Store) -> None:
    def ids(**kw: object) -> set[str]:
        return {r["id"] for r in select_events(filled, ExportFilter(**kw))}

    everything = ids()
    assert len(everything) == 5
    assert len(ids(root="16")) == 2 and len(ids(type="sanction")) == 2
    assert len(ids(actor="PRK")) == 2 and len(ids(actor="CHN")) == 1
    assert ids(since=date(2022, 1, 21)) == ids(dyad="KOR-USA", until=date(2022, 1, 31)) - ids(
        until=date(2022, 1, 20)
    )
    assert ids(root="04,16", dyad="USA-PRK") == ids(root="16")
    with pytest.raises(ConfigError, match="SOURCE-TARGET"):
        ids(dyad="KOR")


def test_plover_records_follow_the_plover_fields(filled: Store, tmp_path: Path) -> None:
    out = tmp_path / "e.jsonl"
    export_events(filled, "plover", out, ExportFilter(root="16"))
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 2
    r = records[0]
    assert {"id", "date", "event", "mode", "context", "actor", "recipient", "event_text", "event_loc"} <= set(
        r
    )
    assert r["event"] == "SANCTION" and r["date"] == "2022-01-20"
    assert r["actor"][0]["code"] == "USAGOV" and r["actor"][0]["text"] == "United States"
    assert r["recipient"][0]["code"] == "PRKGOV" and r["event_loc"]["country"] in ("KOR", "USA")


def test_csv_and_parquet_hold_the_same_rows(filled: Store, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    export_events(filled, "csv", tmp_path / "e.csv")
    export_events(filled, "parquet", tmp_path / "e.parquet")
    with open(tmp_path / "e.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    table = pq.read_table(tmp_path / "e.parquet").to_pylist()
    assert [r["id"] for r in rows] == [r["id"] for r in table] and len(rows) == 5
    assert {r["num_articles"] for r in table} == {1, 2}
    with pytest.raises(ConfigError, match="--out"):
        export_events(filled, "parquet", None)


def test_transform_hook_sees_the_rows_before_writing(filled: Store, tmp_path: Path) -> None:
    def drop_sanctions(rows: list[dict]) -> list[dict]:
        return [r for r in rows if r["root"] != "16"]

    assert export_events(filled, "csv", tmp_path / "e.csv", transform=drop_sanctions) == 3


def test_export_command_writes_a_file(filled: Store, tmp_path: Path) -> None:
    db = filled.url
    filled.close()
    out = tmp_path / "cli.tsv"
    result = CliRunner().invoke(
        main, ["export", "--db", db, "--format", "gdelt", "--root", "04", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert len(out.read_text().splitlines()) == 3
    bad = CliRunner().invoke(main, ["export", "--db", db, "--dyad", "KOR"])
    assert bad.exit_code == 2 and "SOURCE-TARGET" in bad.output


@pytest.mark.model
def test_gdelt_export_of_the_seed(tmp_path: Path, coding_executor) -> None:
    jsonl = tmp_path / "seed.jsonl"
    jsonl.write_text(json.dumps({"text": SEED_TXT.read_text(encoding="utf-8"), "url": SEED_URL}) + "\n")
    with open_store(str(tmp_path / "s.duckdb"), S) as store:
        ingest([str(jsonl)], store=store, settings=S, executor=coding_executor)
        [story] = store.query("SELECT id, published FROM stories")
        coded = store.query("SELECT * FROM event_mentions ORDER BY id")
        out = tmp_path / "seed.tsv"
        n = export_events(store, "gdelt", out)
    lines = out.read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines]
    assert n == len(rows) > 0 and all(len(r) == 61 for r in rows)
    cameo = _cameo_table()
    exported = [dict(zip(GDELT_COLUMNS, r, strict=True)) for r in rows]
    for row in exported:
        code = row["EventCode"]
        assert row["EventRootCode"] == code[:2] and row["EventBaseCode"] == code[:3]
        assert float(row["GoldsteinScale"]) == float(cameo[code]["goldstein"])
        assert row["QuadClass"] == cameo[code]["quad_class"]
        assert row["SQLDATE"] == "20220120" and row["SOURCEURL"] == SEED_URL
        assert row["DATEADDED"] == story["published"].strftime("%Y%m%d%H%M%S")
    # Every coded mention is covered by an exported event with its actors and root.
    keys = {(r["Actor1Code"], r["Actor2Code"], r["EventRootCode"]) for r in exported}
    assert {(m["source"] or "", m["target"] or "", m["cameo"][:2]) for m in coded} == keys
    by_id = {global_event_id(e["id"]): e for e in store_events(tmp_path / "s.duckdb")}
    for row in exported:
        event = by_id[int(row["GLOBALEVENTID"])]
        assert (row["Actor1Code"], row["Actor2Code"], row["EventCode"]) == (
            event["source"],
            event["target"],
            event["cameo"],
        )
    assert any(
        r["Actor1Code"] == "KORGOV" and r["Actor2Code"] == "USAGOV" and r["EventRootCode"] == "04"
        for r in exported
    )


def store_events(path: Path) -> list[dict]:
    with open_store(str(path), S) as store:
        return store.query("SELECT id, source, target, cameo FROM events")
