"""Dictionary loading, validation, merge rules and dated lookup (dateline.dictionaries)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dateline.dictionaries import (
    ActorDictionary,
    Entry,
    collapse,
    compile_phoenix,
    load_dictionary,
    norm,
    phoenix_entry,
    read_cities,
    read_phoenix_csv,
    specific_wins,
    split_code,
    strip_key,
)
from dateline.errors import DictionaryError


@pytest.fixture(scope="module")
def builtin() -> ActorDictionary:
    return load_dictionary()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("South Korea's", "south korea"),
        ("KIM_JONG_UN", "kim jong un"),
        ("Kim Jong-un", "kim jong un"),
        ("the Kremlin", "kremlin"),
        ("Vetëvendosje", "vetevendosje"),
        ("U.S.", "u.s."),
        ("Britain’s", "britain"),
    ],
)
def test_norm(text: str, key: str) -> None:
    assert norm(text) == key


@pytest.mark.parametrize(
    ("code", "parts"),
    [
        ("KORGOV", ("KOR", "GOV", "")),
        ("GBR", ("GBR", "", "")),
        ("USAGOVLEG", ("USA", "GOV", "LEG")),
        ("IGOUNO", ("IGOUNO", "", "")),
        ("IGOUNOJUDICJ", ("IGOUNO", "JUD", "")),
        ("PSEREBHMS", ("PSE", "REB", "")),
        ("ELI", ("", "ELI", "")),
    ],
)
def test_split_code(code: str, parts: tuple[str, str, str]) -> None:
    assert split_code(code) == parts


@pytest.mark.parametrize(
    ("name", "when", "code"),
    [
        ("Kim Jong-un", date(2022, 1, 20), "PRKGOV"),
        ("Joe Biden", date(2022, 1, 20), "USAGOV"),
        ("Joe Biden", date(2026, 1, 1), "USAELI"),  # after the last tenure: former elite
        ("Barack Obama", date(2019, 1, 1), "USAELI"),
        ("Taliban", date(2021, 8, 14), "AFGREB"),
        ("Taliban", date(2021, 8, 15), "AFGGOV"),
        ("Sung Kim", date(2022, 1, 20), "USAGOV"),
        ("Noh Kyu-duk", date(2022, 1, 20), "KORGOV"),
        ("Liu Xiaoming", date(2022, 1, 20), "CHNGOV"),
        ("the Pentagon", None, "USAMIL"),
        ("Pyongyang", None, "PRKGOV"),
        ("S. Korea", None, "KOR"),
        ("IAEA", None, "IGOIAEA"),
        ("Kandahar", None, "AFG"),  # only in the imported Phoenix names
    ],
)
def test_builtin_lookups(builtin: ActorDictionary, name: str, when: date | None, code: str) -> None:
    assert builtin.lookup(name, when).code == code


def test_every_state_and_the_required_igos(builtin: ActorDictionary) -> None:
    assert len(builtin.state_names) >= 240
    for code in [
        "IGOUNO",
        "IGOEU",
        "IGONATO",
        "IGOAU",
        "IGOASEAN",
        "IGOIAEA",
        "IGOICC",
        "IGOG7",
        "IGOG20",
        "IGOARL",
        "IGOECOWAS",
        "IGOWHO",
        "IGOIMF",
        "IGOWB",
        "IGOOPEC",
    ]:
        assert any(e.principal == code for es in builtin.names.values() for e in es), code


def test_phoenix_import_size(builtin: ActorDictionary) -> None:
    assert len(builtin.phoenix) > 27_000


def test_curated_wins_over_phoenix_and_says_so(builtin: ActorDictionary) -> None:
    lk = builtin.lookup("Barack Obama", date(2020, 1, 1))
    assert lk.entry is not None and lk.entry.tier == 1
    assert lk.overridden and all(e.tier == 0 for e in lk.overridden)
    assert "overrides" in lk.why


def _pairwise_disjoint(entries: list[Entry]) -> bool:
    dated = sorted((e for e in entries if e.dated), key=lambda e: e.valid_from or date.min)
    return all((a.valid_to or date.max) < (b.valid_from or date.min) for a, b in itertools.pairwise(dated))


def test_dated_entries_of_one_name_never_overlap(builtin: ActorDictionary) -> None:
    for key, entries in builtin.names.items():
        by_code_change = [e for e in entries if e.dated]
        for i, a in enumerate(by_code_change):
            for b in by_code_change[i + 1 :]:
                if a.code != b.code:
                    assert (a.valid_to or date.max) < (b.valid_from or date.min) or (
                        b.valid_to or date.max
                    ) < (a.valid_from or date.min), key
    for key, rows in builtin.phoenix.items():
        assert _pairwise_disjoint([phoenix_entry(r) for r in rows]), key


_day = st.dates(min_value=date(1950, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def _entries(draw: st.DrawFn) -> list[Entry]:
    out = []
    for i in range(draw(st.integers(min_value=1, max_value=6))):
        start = draw(st.one_of(st.none(), _day))
        length = draw(st.integers(min_value=0, max_value=8000))
        end = draw(st.one_of(st.none(), st.just((start or date(1990, 1, 1)) + timedelta(days=length))))
        if start is None and end is None:
            start = date(1960, 1, 1)
        code = draw(st.sampled_from(["USAGOV", "USAELI", "USAMIL"]))
        out.append(
            Entry(
                name="x",
                code=code,
                principal="USA",
                role=code[3:],
                valid_from=start,
                valid_to=end,
                source=f"t:{i}",
                tier=0,
            )
        )
    return out


@settings(max_examples=200, deadline=None)
@given(_entries(), _day)
def test_specific_wins_never_overlaps_and_picks_the_shortest(entries: list[Entry], probe: date) -> None:
    pieces = specific_wins(entries)
    assert _pairwise_disjoint(pieces)
    covering = [e for e in entries if e.dated and e.covers(probe)]
    chosen = [p for p in pieces if p.covers(probe)]
    assert len(chosen) == (1 if covering else 0)
    if covering:
        shortest = min(e.span_days() for e in covering)
        assert any(e.span_days() == shortest and e.code == chosen[0].code for e in covering)


def _user_file(tmp_path: Path, rows: list[str], suffix: str = ".csv") -> Path:
    path = tmp_path / f"user{suffix}"
    path.write_text("name,aliases,code,valid_from,valid_to,post\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_user_file_wins_and_lookup_shows_it(tmp_path: Path) -> None:
    path = _user_file(tmp_path, ["Sung Kim,,IGOUNO,2021-01-01,,made-up post"])
    d = load_dictionary([path])
    lk = d.lookup("Sung Kim", date(2022, 1, 20))
    assert lk.code == "IGOUNO" and "user entry" in lk.why
    assert any(e.code == "USAGOV" for e in lk.overridden)


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=5), st.sampled_from(["usagov", "US", "1234", "KOR GOV"]))
def test_bad_row_names_file_line_and_problem(
    tmp_path_factory: pytest.TempPathFactory, good: int, bad: str
) -> None:
    tmp = tmp_path_factory.mktemp("bad")
    rows = [f"Person {i},,KORGOV,2020-01-01,2020-12-31,x" for i in range(good)] + [f"Bad Person,,{bad},,,x"]
    path = _user_file(tmp, rows)
    with pytest.raises(DictionaryError) as err:
        load_dictionary([path], builtin=False)
    assert err.value.path == str(path)
    assert err.value.line == good + 2  # header is line 1
    assert "code" in err.value.problem


def test_overlapping_user_entries_are_an_error(tmp_path: Path) -> None:
    path = _user_file(
        tmp_path, ["A Person,,KORGOV,2020-01-01,2021-12-31,x", "A Person,,KORMIL,2021-06-01,,y"]
    )
    with pytest.raises(DictionaryError) as err:
        load_dictionary([path], builtin=False)
    assert err.value.line == 3 and "overlap" in err.value.problem


def test_bad_dates_and_yaml_user_file(tmp_path: Path) -> None:
    bad = _user_file(tmp_path, ["A Person,,KORGOV,2021-01-01,2020-01-01,x"])
    with pytest.raises(DictionaryError) as err:
        load_dictionary([bad], builtin=False)
    assert "before" in err.value.problem
    yaml_file = tmp_path / "user.yaml"
    yaml_file.write_text(
        "- name: Jane Roe\n  code: GBRGOV\n  aliases: [Roe]\n  valid_from: 2024-07-05\n", "utf-8"
    )
    d = load_dictionary([yaml_file], builtin=False)
    assert d.lookup("Roe", date(2025, 1, 1)).code == "GBRGOV"
    assert d.lookup("Roe", date(2020, 1, 1)).role == ""  # before the first tenure: country only


def test_missing_user_file(tmp_path: Path) -> None:
    with pytest.raises(DictionaryError):
        load_dictionary([tmp_path / "missing.csv"], builtin=False)


def test_compile_phoenix_round_trip(tmp_path: Path) -> None:
    src = tmp_path / "x.actors.txt"
    src.write_text(
        "JOHN_DOE_\n+J._DOE_\n\t[ABCELI 600101-991231]\n\t[ABCGOV 950101-971231]\n\t[ABCELI]\n", "utf-8"
    )
    out = tmp_path / "x.csv"
    assert compile_phoenix([src], out) > 0
    rows = read_phoenix_csv(out)
    d = ActorDictionary(phoenix=rows)
    d.finish()
    assert d.lookup("John Doe", date(1996, 6, 1)).code == "ABCGOV"  # the shorter range wins inside
    assert d.lookup("J. Doe", date(1998, 6, 1)).code == "ABCELI"
    assert d.lookup("John Doe", date(2010, 1, 1)).code == "ABCELI"  # the undated default


def test_agents(builtin: ActorDictionary) -> None:
    warplanes = builtin.agent("warplanes")
    assert warplanes is not None and warplanes.role == "MIL"
    spokesman = builtin.agent("spokesman")
    assert (
        spokesman is not None and spokesman.role == "GOV" and spokesman.tier == 1
    )  # curated beats Phoenix MED


def test_cities_code_known_states(builtin: ActorDictionary) -> None:
    assert len(builtin.cities) > 5000
    assert builtin.cities["mariupol"] == "UKR" and builtin.cities["el fasher"] == "SDN"
    assert set(builtin.cities.values()) <= set(builtin.state_names)


def test_bad_city_row_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "cities.csv"
    bad.write_text("name,country,population\nMariupol,UKR,1\nGotham,Nowhere,2\n", "utf-8")
    with pytest.raises(DictionaryError, match=r"cities\.csv:3"):
        read_cities(bad)


# --- the properties the actor matcher's early stop relies on (actors._collapsed_spans) --------

#: names' characters, hyphens, apostrophes, spaces of several kinds and Greek capitals
#: (str.lower's one context-dependent rule is the final sigma)
_NAME_TEXT = st.text(alphabet=st.sampled_from([*"aZé-_'’ .\u00a0\u2009\n\u0301ΣΑσ", "İ", "ﬁ"]), max_size=12)


@settings(max_examples=400)
@given(_NAME_TEXT, _NAME_TEXT)
def test_collapse_keeps_the_finished_words_of_a_prefix(a: str, b: str) -> None:
    words = collapse(a).split(" ")[:-1]
    assert collapse(a + b).split(" ")[: len(words)] == words


@settings(max_examples=400)
@given(_NAME_TEXT, _NAME_TEXT, st.sampled_from([" ", "\u00a0", "\n", "  "]))
def test_collapse_across_whitespace_joins_the_parts(a: str, b: str, gap: str) -> None:
    parts = [x for x in (collapse(a), collapse(b)) if x]
    assert collapse(a + gap + b) == " ".join(parts)


@given(_NAME_TEXT)
def test_norm_is_collapse_then_strip_key(text: str) -> None:
    assert norm(text) == strip_key(collapse(text))


def test_word_prefixes_cover_every_key(builtin: ActorDictionary) -> None:
    for key in ["south korea", "kim jong un", *builtin.blocked]:
        words = key.split(" ")
        assert all(" ".join(words[:n]) in builtin.word_prefixes for n in range(1, len(words) + 1))
    assert "korea zzqx" not in builtin.word_prefixes


def test_agent_last_words_cover_every_agent_phrase(builtin: ActorDictionary) -> None:
    assert {p.rsplit(" ", 1)[-1] for p in builtin.agents} == builtin.agent_last_words
    assert "minister" in builtin.agent_last_words and "seoul" not in builtin.agent_last_words
    built = ActorDictionary(agents=dict(list(builtin.agents.items())[:50]))
    built.finish()
    assert {p.rsplit(" ", 1)[-1] for p in built.agents} == built.agent_last_words
