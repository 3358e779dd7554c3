"""Near-duplicate articles and cross-article event merging (the rule is in docs/dedup.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ARTICLES, SEED_TXT
from dateline.context import Context
from dateline.dedup import DuplicateIndex, minhash, shingles, signature_bytes, signature_from_bytes, with_body
from dateline.ingest import ingest
from dateline.model import Story
from dateline.settings import load_settings
from dateline.store import open_store
from ingest_helpers import republished

S = load_settings()
SEED = SEED_TXT.read_text(encoding="utf-8")


def test_shingles_are_word_ngrams_ignoring_case_and_punctuation() -> None:
    assert shingles("The North, the NORTH fired.", 2) == {b"the north", b"north the", b"north fired"}
    assert shingles("two words", 5) == {b"two words"}
    assert shingles("   ", 5) == set()


def test_signatures_round_trip_through_bytes() -> None:
    mh = minhash(SEED, S)
    back = signature_from_bytes(signature_bytes(mh), S)
    assert back.jaccard(mh) == 1.0


def test_republished_copy_matches_and_other_articles_do_not() -> None:
    ctx = Context(S)
    index = DuplicateIndex(S)
    seed_body = with_body(Story(id="seed", raw=SEED), ctx).text
    index.add("seed", minhash(seed_body, S), "https://en.yna.co.kr/view/AEN20220120009200325")
    copy_body = with_body(Story(id="copy", raw=republished(SEED)), ctx).text
    match = index.find(minhash(copy_body, S))
    assert match is not None and match.story_id == "seed" and match.similarity >= S.dedup.threshold
    for path in sorted(ARTICLES.glob("*.txt")):
        body = with_body(Story(id=path.stem, raw=path.read_text(encoding="utf-8")), ctx).text
        assert index.find(minhash(body, S)) is None, path.name


@pytest.mark.model
def test_republished_story_is_linked_not_coded_and_counts_as_a_second_article(
    tmp_path: Path, coding_executor
) -> None:
    feed = tmp_path / "wire.jsonl"
    records = [
        {"text": SEED, "url": "https://en.yna.co.kr/view/AEN20220120009200325"},
        {"text": republished(SEED), "url": "https://daily.example/world/korea-envoy-talks?utm_source=rss"},
    ]
    feed.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    with open_store(str(tmp_path / "r.duckdb"), S) as store:
        summary = ingest([str(feed)], store=store, settings=S, executor=coding_executor)
        stories = store.query("SELECT id, status, duplicate_of, outlet FROM stories ORDER BY seq")
        events = store.query("SELECT * FROM events ORDER BY seq, id")
        copies = store.query("SELECT count(*) AS n FROM sentences WHERE story_id = ?", (stories[1]["id"],))
        clusters = store.query("SELECT DISTINCT cluster_id FROM article_clusters")
    assert summary.coded == 1 and summary.duplicates == 1
    assert [s["status"] for s in stories] == ["coded", "duplicate"]
    assert stories[1]["duplicate_of"] == stories[0]["id"] and stories[1]["outlet"] == "daily.example"
    assert copies == [{"n": 0}]  # linked, not coded
    assert clusters == [{"cluster_id": stories[0]["id"]}]
    assert events, "the seed yields events"
    for e in events:
        assert e["num_articles"] == 2 and e["num_sources"] == 2, (e["source"], e["target"], e["cameo"])
        assert e["num_mentions"] >= 2


@pytest.mark.model
def test_same_event_in_two_different_articles_merges(tmp_path: Path, coding_executor) -> None:
    """Two independently written reports of one call: one event, two articles, two mentions."""
    one = (
        "SEOUL, Jan. 20 (Yonhap) -- South Korean Foreign Minister Chung Eui-yong held phone talks with "
        "U.S. Secretary of State Antony Blinken on Thursday, the foreign ministry said. "
        "The two discussed the security situation and ways to resume dialogue. " * 2
    )
    two = (
        "WASHINGTON, Jan. 20 (AP) -- U.S. officials said the president would travel to Brazil next month. "
        "Separately, South Korean Foreign Minister Chung Eui-yong held phone talks with U.S. Secretary of "
        "State Antony Blinken on Thursday. Markets were calm and analysts expected little change. " * 2
    )
    feed = tmp_path / "two.jsonl"
    feed.write_text(
        json.dumps({"text": one, "url": "https://a.example/1"})
        + "\n"
        + json.dumps({"text": two, "url": "https://b.example/2"})
        + "\n",
        encoding="utf-8",
    )
    with open_store(str(tmp_path / "m.duckdb"), S) as store:
        summary = ingest([str(feed)], store=store, settings=S, executor=coding_executor)
        merged = store.query(
            "SELECT source, target, root, num_articles, num_mentions FROM events "
            "WHERE num_articles > 1 ORDER BY id"
        )
    assert summary.coded == 2 and summary.duplicates == 0
    if not merged:
        pytest.fail("no event reported by both articles merged; coded: " + summary.render())
    assert all(m["num_mentions"] >= 2 for m in merged)
