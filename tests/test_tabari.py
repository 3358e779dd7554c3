"""The TABARI/PETRARCH dictionary reader (dateline.tabari)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dateline.errors import DictionaryError
from dateline.tabari import actor_rows, parse_code, parse_date, read_actors, read_agents

ACTORS = """\
# a comment line
<!-- an XML comment
     over two lines -->
BARACK_OBAMA
+PRESIDENT_OBAMA_
+MR._OBAMA_
\t[USAELI 780101-000101]
\t[USAGOV >090120]
UN_ [IGOUNO]
U.N._

UN_SECRETARY_GENERAL
+UNSG
\t[IGOUNO]
HAMAS WING [PSEHMSBRD]  # spaces work like underscores
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_read_actors_blocks_synonyms_and_dates(tmp_path: Path) -> None:
    actors = read_actors(_write(tmp_path, "a.actors.txt", ACTORS))
    by_head = {a.names[0]: a for a in actors}
    obama = by_head["barack obama"]
    assert obama.names == ("barack obama", "president obama", "mr. obama")
    assert [(c.code, c.valid_from, c.valid_to) for c in obama.codes] == [
        ("USAELI", date(1978, 1, 1), date(2000, 1, 1)),
        ("USAGOV", date(2009, 1, 20), None),
    ]
    assert obama.line == 4  # the XML comment lines are skipped but still counted
    assert by_head["un"].codes[0].code == "IGOUNO"
    # a headword without a code shares the next block's code
    assert by_head["u.n."].names == ("u.n.", "un secretary general", "unsg")
    assert by_head["hamas wing"].codes[0].code == "PSEHMSBRD"


def test_parse_date_century_rule() -> None:
    assert parse_date("090120") == date(2009, 1, 20)
    assert parse_date("780101") == date(1978, 1, 1)
    assert parse_date("19270101") == date(1927, 1, 1)
    with pytest.raises(ValueError):
        parse_date("2004017")


def test_parse_code_forms() -> None:
    assert parse_code("KORGOV").code == "KORGOV"  # type: ignore[union-attr]
    before = parse_code("USAGOV <090120")
    assert before is not None and before.valid_to == date(2009, 1, 20) and before.valid_from is None
    assert parse_code("---") is None
    with pytest.raises(ValueError):
        parse_code("USAGOV 19820101")


def test_bad_code_is_reported_or_raised(tmp_path: Path) -> None:
    path = _write(tmp_path, "bad.actors.txt", "GOOD_NAME [KOR]\nBAD_NAME [KORGOV 2004017-20061201]\n")
    problems: list[DictionaryError] = []
    actors = read_actors(path, problems=problems)
    assert [a.names[0] for a in actors] == ["good name"]
    assert problems and problems[0].line == 2 and problems[0].path == str(path)
    with pytest.raises(DictionaryError) as err:
        read_actors(path, strict=True)
    assert err.value.line == 2 and "2004017" in err.value.problem


def test_read_agents_sets_and_plurals(tmp_path: Path) -> None:
    text = (
        "!MINIST! = MINISTER, MINISTRY\nFOREIGN_!MINIST! [~GOV]\n"
        "CHAMBER_OF_COMMERCE {CHAMBERS_OF_COMMERCE} [~BUS]\n"
    )
    agents = read_agents(_write(tmp_path, "a.agents.txt", text))
    assert {(a.phrase, a.code) for a in agents} == {
        ("foreign minister", "GOV"),
        ("foreign ministry", "GOV"),
        ("chamber of commerce", "BUS"),
    }
    chamber = next(a for a in agents if a.code == "BUS")
    assert chamber.plural == "chambers of commerce" and chamber.line == 3


def test_actor_rows_schema(tmp_path: Path) -> None:
    rows = list(actor_rows(read_actors(_write(tmp_path, "a.actors.txt", ACTORS)), "test"))
    assert {"name", "code", "valid_from", "valid_to", "source"} == set(rows[0])
    assert {
        "name": "president obama",
        "code": "USAGOV",
        "valid_from": "2009-01-20",
        "valid_to": "",
    }.items() <= next(r for r in rows if r["name"] == "president obama" and r["code"] == "USAGOV").items()


def test_phoenix_files_have_the_expected_size(shared_dir: Path) -> None:
    phoenix = shared_dir / "dictionaries" / "phoenix"
    names = sum(
        len(a.names)
        for f in ("Countries", "International", "MilNonState")
        for a in read_actors(phoenix / f"Phoenix.{f}.actors.txt")
    )
    assert names > 27_000
    agents = read_agents(phoenix / "Phoenix.agents.txt")
    assert len(agents) > 2_000 and all(a.code.isalpha() for a in agents)


def test_petrarch_validation_dictionaries(shared_dir: Path) -> None:
    folder = shared_dir / "validation" / "petrarch"
    actors = read_actors(folder / "PETR.Validate.actors.txt")
    names = {n for a in actors for n in a.names}
    assert {"arnor", "gondor", "hamas"} <= names
    assert read_agents(folder / "PETR.Validate.agents.txt")


def test_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(DictionaryError):
        read_actors(tmp_path / "nope.txt")
    with pytest.raises(DictionaryError):
        read_agents(tmp_path / "nope.txt")
