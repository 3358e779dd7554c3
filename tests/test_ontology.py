"""The CAMEO/PLOVER ontology: totality of the mapping, quad conventions, bad rows."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dateline.errors import DictionaryError
from dateline.ontology import ONTOLOGY_VERSION, _data_dir, load_ontology

ONTO = load_ontology()


def test_all_311_codes_and_16_plover_types() -> None:
    assert len(ONTO.codes) == 311
    assert {"AGREE", "CONSULT", "ASSAULT", "PROTEST", "SANCTION"} <= set(ONTO.plover)
    assert ONTO.version == ONTOLOGY_VERSION


@given(st.sampled_from(sorted(ONTO.codes)))
def test_every_code_is_mapped_or_explicitly_unmapped(code: str) -> None:
    rec = ONTO.get(code)
    assert rec.root == code[:2]
    if rec.mapped:
        assert rec.plover_type in ONTO.plover
    else:
        assert rec.plover_type == "" and rec.note  # unmapped codes say why


def test_known_mappings() -> None:
    assert (ONTO.get("041").plover_type, ONTO.get("041").plover_mode) == ("CONSULT", "phone")
    assert ONTO.get("163").plover_type == "COERCE"
    assert ONTO.get("175").plover_context == ("military", "pro_autocracy")  # cleaned row
    assert not ONTO.get("010").mapped


def test_quad_conventions_differ_only_on_protest() -> None:
    assert ONTO.quad_class("141", "gdelt") == 3
    assert ONTO.quad_class("141", "plover") == 4
    for rec in ONTO.under():
        if rec.root != "14":
            assert ONTO.quad_class(rec.code, "gdelt") == ONTO.quad_class(rec.code, "plover")
    with pytest.raises(ValueError):
        ONTO.quad_class("141", "cia")


def test_under_root() -> None:
    codes = [r.code for r in ONTO.under("4")]
    assert codes[:3] == ["04", "040", "041"] and all(c.startswith("04") for c in codes)


def _copy(tmp_path: Path) -> Path:
    for name in ("cameo_codes.csv", "cameo2plover.csv", "plover_codebook.csv"):
        shutil.copy(_data_dir() / name, tmp_path / name)
    return tmp_path


BAD_ROWS = [
    ("cameo_codes.csv", "041,2,04,Discuss by telephone,1.0,1,", "04X,2,04,Bad,1.0,1,", "not 2-4 digits"),
    (
        "cameo_codes.csv",
        "041,2,04,Discuss by telephone,1.0,1,",
        "041,2,05,Discuss by telephone,1.0,1,",
        "does not match",
    ),
    (
        "cameo_codes.csv",
        "041,2,04,Discuss by telephone,1.0,1,",
        "041,2,04,Discuss by telephone,99,1,",
        "goldstein",
    ),
    ("cameo2plover.csv", "041,mapped,CONSULT,phone", "041,mapped,CHAT,phone", "not in the codebook"),
    ("cameo2plover.csv", "041,mapped,CONSULT,phone", "041,maybe,CONSULT,phone", "status"),
]


@pytest.mark.parametrize(("name", "old", "new", "problem"), BAD_ROWS)
def test_bad_row_names_file_line_and_problem(
    tmp_path: Path, name: str, old: str, new: str, problem: str
) -> None:
    folder = _copy(tmp_path)
    path = folder / name
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    expected_line = text[: text.index(old)].count("\n") + 1
    with pytest.raises(DictionaryError) as info:
        load_ontology(folder)
    assert info.value.path == str(path)
    assert info.value.line == expected_line
    assert problem in info.value.problem


@settings(max_examples=20)
@given(st.sampled_from(sorted(ONTO.codes)))
def test_a_missing_mapping_row_is_an_error(code: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        folder = _copy(Path(tmp))
        path = folder / "cameo2plover.csv"
        lines = path.read_text("utf-8").splitlines(keepends=True)
        path.write_text("".join(ln for ln in lines if not ln.startswith(code + ",")), "utf-8")
        with pytest.raises(DictionaryError, match=f"no mapping row for {code}"):
            load_ontology(folder)
