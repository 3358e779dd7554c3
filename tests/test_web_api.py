"""The HTTP API, in-process, against a real DuckDB store seeded from the development articles."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient

from dateline.context import Context
from dateline.settings import load_settings
from dateline.store import Store, open_store
from dateline.web import create_app
from dateline.web.corrections import export_gold
from web_seed import seeded_copy

# The store is seeded through the real pipeline (spaCy model) once it is complete.
pytestmark = pytest.mark.model

TOKEN = "test-token-123"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = seeded_copy(tmp_path_factory, "web-api")
    with open_store(str(path), load_settings()) as s:
        yield s


def _client(store: Store, **web: Any) -> TestClient:
    settings = load_settings(**{f"web__{k}": v for k, v in {"token": TOKEN, **web}.items()})
    return TestClient(create_app(store, Context(settings)), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def client(store: Store) -> TestClient:
    return _client(store)


def _all_events(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = client.get(
            "/api/events", params={**params, "limit": 500, **({"cursor": cursor} if cursor else {})}
        )
        assert page.status_code == 200, page.text
        body = page.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return items


def _assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    err = body["error"]
    assert set(err) == {"status", "code", "message", "details"}
    assert err["status"] == status and err["message"]
    if code:
        assert err["code"] == code
    return dict(err)


# --- events -----------------------------------------------------------------------------


def test_seed_dyad_day_has_the_phone_talks(client: TestClient) -> None:
    items = _all_events(client, dyad="KOR-USA", date_from="2022-01-20", date_to="2022-01-20")
    assert items, "the seed's KOR-USA events of 2022-01-20 are missing"
    for e in items:
        assert e["date"] == "2022-01-20"
        assert {e["source"][:3], e["target"][:3]} == {"KOR", "USA"}
    talks = [e for e in items if e["root"] == "04" and e["source"].startswith("KOR")]
    assert talks and any("phone talks" in (e["evidence"] or "") for e in talks)


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"root": "04"}, lambda e: e["root"] == "04"),
        ({"cameo": "04"}, lambda e: e["cameo"].startswith("04")),
        ({"quad_class": 4}, lambda e: e["quad_class"] == 4),
        ({"actor": "USA"}, lambda e: e["source"].startswith("USA") or e["target"].startswith("USA")),
        ({"source": "KOR"}, lambda e: e["source"].startswith("KOR")),
        (
            {"dyad": "KOR-USA", "directed": True},
            lambda e: e["source"].startswith("KOR") and e["target"].startswith("USA"),
        ),
        (
            {"date_from": "2022-01-01", "date_to": "2022-12-31"},
            lambda e: "2022-01-01" <= e["date"] <= "2022-12-31",
        ),
        (
            {"country": "PRK"},
            lambda e: "PRK" in (e["source"][:3], e["target"][:3], (e["place"] or {}).get("country")),
        ),
        ({"q": "phone"}, lambda e: "phone" in ((e["evidence"] or "") + (e["title"] or "")).lower()),
    ],
)
def test_event_filters_select_exactly_the_matching_events(
    client: TestClient, params: dict[str, Any], check: Any
) -> None:
    everything = _all_events(client)
    picked = _all_events(client, **params)
    assert picked, f"no events for {params}: the seed should have some"
    assert all(check(e) for e in picked)
    if "q" not in params and "country" not in params:  # these match fields the list does not fully show
        assert {e["id"] for e in picked} == {
            e["id"] for e in everything if e["date"] or "date_from" not in params if check(e)
        }


def test_cursor_pagination_visits_every_event_once(client: TestClient) -> None:
    everything = [e["id"] for e in client.get("/api/events", params={"limit": 500}).json()["items"]]
    seen, cursor = [], None
    while True:
        body = client.get("/api/events", params={"limit": 7, **({"cursor": cursor} if cursor else {})}).json()
        assert len(body["items"]) <= 7
        seen += [e["id"] for e in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == everything and len(set(seen)) == len(seen)
    dates = [e["date"] or "" for e in client.get("/api/events", params={"limit": 500}).json()["items"]]
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=True)


def test_event_detail_and_spans_index_the_article_text(client: TestClient) -> None:
    event = _all_events(client, dyad="KOR-USA", date_from="2022-01-20", date_to="2022-01-20")[0]
    assert client.get(f"/api/events/{event['id']}").json()["id"] == event["id"]
    article = client.get(f"/api/articles/{event['story_id']}").json()
    text = article["text"]
    for e in article["events"]:
        for name in ("trigger", "source_span", "target_span"):
            if e[name]:
                assert text[e[name]["start"] : e[name]["end"]] == e[name]["text"]
    for m in article["mentions"]:
        assert text[m["start"] : m["end"]] == m["text"]
    sentences = {s["index"]: s for s in article["sentences"]}
    for e in article["events"]:
        s = sentences[e["sentence"]]
        assert e["evidence"] == text[s["start"] : s["end"]]


def test_bad_requests_share_one_error_shape(client: TestClient) -> None:
    _assert_error(client.get("/api/events", params={"quad_class": 7}), 422, "invalid_request")
    _assert_error(client.get("/api/events", params={"dyad": "KOR"}), 422)
    _assert_error(client.get("/api/events", params={"date_from": "2022-02-01", "date_to": "2022-01-01"}), 422)
    _assert_error(client.get("/api/events", params={"cursor": "not-a-cursor"}), 400, "invalid_cursor")
    _assert_error(client.get("/api/events/nope"), 404, "not_found")
    _assert_error(client.get("/api/no-such-thing"), 404, "not_found")
    _assert_error(client.delete("/api/events"), 405)
    _assert_error(client.get("/api/actors/ZZZZZZ"), 404)
    _assert_error(client.get("/api/articles/nope"), 404)


# --- aggregates -------------------------------------------------------------------------


def test_daily_aggregates_count_the_dated_events(client: TestClient) -> None:
    params = {"dyad": "KOR-USA", "date_from": "2022-01-01", "date_to": "2022-01-31"}
    body = client.get("/api/aggregates", params={**params, "interval": "day"}).json()
    series = body["series"]
    assert [r["period"] for r in series] == [str(date(2022, 1, 1) + timedelta(days=i)) for i in range(31)]
    events = _all_events(client, **params)
    assert sum(r["events"] for r in series) == len(events)
    for r in series:
        assert r["q1"] + r["q2"] + r["q3"] + r["q4"] == r["events"]
        day = [e for e in events if e["date"] == r["period"]]
        assert r["goldstein_sum"] == pytest.approx(sum(e["goldstein"] for e in day))
        if r["articles"]:
            assert r["events_per_100_articles"] == pytest.approx(100 * r["events"] / r["articles"], abs=1e-3)
    jan20 = next(r for r in series if r["period"] == "2022-01-20")
    assert jan20["events"] >= 1 and jan20["articles"] >= 1


def test_weekly_monthly_and_baseline(client: TestClient) -> None:
    daily = client.get("/api/aggregates", params={"actor": "KOR", "interval": "day"}).json()["series"]
    monthly = client.get("/api/aggregates", params={"actor": "KOR", "interval": "month"}).json()["series"]
    weekly = client.get("/api/aggregates", params={"actor": "KOR", "interval": "week"}).json()["series"]
    assert (
        sum(r["events"] for r in daily)
        == sum(r["events"] for r in monthly)
        == sum(r["events"] for r in weekly)
    )
    assert all(r["period"].endswith("-01") for r in monthly)
    assert all(date.fromisoformat(r["period"]).weekday() == 0 for r in weekly)
    with_base = client.get(
        "/api/aggregates",
        params={
            "actor": "KOR",
            "interval": "month",
            "baseline_from": "2021-01-01",
            "baseline_to": "2021-12-31",
        },
    ).json()
    base = with_base["baseline"]
    assert base["periods"] == 12
    in_2021 = sum(r["events"] for r in monthly if r["period"].startswith("2021"))
    assert base["mean_events"] == pytest.approx(in_2021 / 12)
    for r in with_base["series"]:
        if base["mean_events"]:
            assert r["change_vs_baseline"] == pytest.approx(
                (r["events"] - base["mean_events"]) / base["mean_events"]
            )
    _assert_error(client.get("/api/aggregates", params={"baseline_from": "2021-01-01"}), 422)
    _assert_error(
        client.get("/api/aggregates", params={"date_from": "1900-01-01", "date_to": "2022-01-01"}),
        400,
        "too_many_periods",
    )


def test_dyads_goldstein_per_pair(client: TestClient) -> None:
    body = client.get("/api/aggregates/dyads", params={"limit": 500}).json()
    pair = next(d for d in body["items"] if (d["source"], d["target"]) == ("KOR", "USA"))
    events = _all_events(client, dyad="KOR-USA")
    assert pair["events"] == len(events)
    assert pair["goldstein_sum"] == pytest.approx(sum(e["goldstein"] for e in events))
    directed = client.get(
        "/api/aggregates/dyads", params={"directed": True, "level": "actor", "limit": 500}
    ).json()
    assert any(d["source"] == "KORGOV" and d["target"] == "USAGOV" for d in directed["items"])


# --- actors and articles ----------------------------------------------------------------


def test_actor_search_and_profile(client: TestClient) -> None:
    found = client.get("/api/actors", params={"q": "korgov"}).json()["items"]
    assert found[0]["code"] == "KORGOV" and found[0]["events"] > 0
    profile = client.get("/api/actors/KORGOV").json()
    assert profile["as_source"] + profile["as_target"] == found[0]["events"]
    assert sum(profile["quad_counts"].values()) == found[0]["events"]
    assert any(p["code"].startswith("USA") for p in profile["top_targets"])


def test_article_list_and_search(client: TestClient) -> None:
    listed = client.get("/api/articles", params={"limit": 500}).json()["items"]
    assert len(listed) >= 20
    hits = client.get("/api/articles", params={"q": "nuke envoy holds phone talks"}).json()["items"]
    assert len(hits) == 1 and "phone talks" in hits[0]["title"]
    first = client.get("/api/articles", params={"limit": 5}).json()
    rest = client.get("/api/articles", params={"limit": 500, "cursor": first["next_cursor"]}).json()["items"]
    assert [a["id"] for a in first["items"] + rest] == [a["id"] for a in listed]


# --- corrections and auth ---------------------------------------------------------------


def _seed_event(client: TestClient) -> dict[str, Any]:
    items = _all_events(client, dyad="KOR-USA", date_from="2022-01-20", date_to="2022-01-20", root="04")
    return items[0]


def test_write_endpoints_need_the_token(store: Store, client: TestClient) -> None:
    event = _seed_event(client)
    body = {"kind": "wrong_code", "event_id": event["id"], "cameo": "042"}
    err = _assert_error(client.post("/api/corrections", json=body), 401, "unauthorized")
    assert "token" in err["message"]
    assert client.post("/api/corrections", json=body).headers["www-authenticate"] == "Bearer"
    _assert_error(client.post("/api/corrections", json=body, headers={"Authorization": "Bearer wrong"}), 401)
    closed = _client(store, token="")
    _assert_error(closed.post("/api/corrections", json=body, headers=AUTH), 403, "writes_disabled")
    _assert_error(client.post("/api/code", json={"url": "http://127.0.0.1:9/x"}), 401)
    assert client.get("/api/corrections").status_code == 200  # reading needs no token


def test_correction_is_stored_apart_and_shown(store: Store, client: TestClient) -> None:
    event = _seed_event(client)
    before = store.query("SELECT cameo FROM events WHERE id = ?", [event["id"]])[0]["cameo"]
    body = {
        "kind": "wrong_code",
        "event_id": event["id"],
        "cameo": "042",
        "note": "a visit, not a call",
        "author": "tester",
    }
    made = client.post("/api/corrections", json=body, headers=AUTH)
    assert made.status_code == 201, made.text
    fix = made.json()
    assert fix["story_id"] == event["story_id"] and fix["cameo"] == "042"
    again = client.post("/api/corrections", json=body, headers=AUTH).json()
    assert again["id"] == fix["id"]
    assert store.query("SELECT cameo FROM events WHERE id = ?", [event["id"]])[0]["cameo"] == before
    assert [c["id"] for c in client.get(f"/api/events/{event['id']}").json()["corrections"]] == [fix["id"]]
    corrected = _all_events(client, corrected=True)
    assert event["id"] in {e["id"] for e in corrected}
    assert event["id"] not in {e["id"] for e in _all_events(client, corrected=False)}
    listed = client.get("/api/corrections", params={"story_id": event["story_id"]}).json()["items"]
    assert fix["id"] in {c["id"] for c in listed}
    article = client.get(f"/api/articles/{event['story_id']}").json()
    assert fix["id"] in {c["id"] for c in article["corrections"]}


def test_correction_validation(client: TestClient) -> None:
    event = _seed_event(client)
    _assert_error(
        client.post("/api/corrections", json={"kind": "missed_event", "cameo": "041"}, headers=AUTH), 422
    )
    _assert_error(
        client.post("/api/corrections", json={"kind": "wrong_code", "event_id": event["id"]}, headers=AUTH),
        422,
    )
    _assert_error(
        client.post("/api/corrections", json={"kind": "bogus", "event_id": event["id"]}, headers=AUTH), 422
    )
    _assert_error(
        client.post(
            "/api/corrections", json={"kind": "not_event", "event_id": "feedfeedfeedfeed"}, headers=AUTH
        ),
        404,
    )
    _assert_error(
        client.post(
            "/api/corrections", content=b"{not json", headers={**AUTH, "Content-Type": "application/json"}
        ),
        422,
    )


def test_corrections_export_as_gold_files(store: Store, client: TestClient, tmp_path: Path) -> None:
    event = _seed_event(client)
    story = event["story_id"]
    dropped = next(e for e in client.get(f"/api/articles/{story}").json()["events"] if e["id"] != event["id"])
    fixes = [
        {"kind": "wrong_actor", "event_id": event["id"], "target": "USA"},
        {"kind": "not_event", "event_id": dropped["id"]},
        {
            "kind": "missed_event",
            "story_id": story,
            "cameo": "051",
            "source": "KORGOV",
            "target": "CHNGOV",
            "date": "2022-01-20",
            "evidence": "exchanged views",
        },
    ]
    for body in fixes:
        assert client.post("/api/corrections", json=body, headers=AUTH).status_code == 201
    written = export_gold(store, tmp_path)
    gold = json.loads((tmp_path / f"{story}.gold.json").read_text("utf-8"))
    assert tmp_path / f"{story}.gold.json" in written
    assert (tmp_path / f"{story}.txt").read_text("utf-8") == client.get(f"/api/articles/{story}").json()[
        "text"
    ]
    assert set(gold) >= {"id", "meta", "body_first", "body_last", "boilerplate", "events"}
    assert gold["meta"]["published"] == "2022-01-20"
    for e in gold["events"]:
        assert set(e) == {
            "source",
            "source_text",
            "target",
            "target_text",
            "cameo",
            "alt_cameo",
            "date",
            "evidence",
            "optional",
        }
    machine = client.get(f"/api/articles/{story}").json()["events"]
    assert len(gold["events"]) == len(machine) - 1 + 1
    assert any(e["cameo"] == "051" and e["target"] == "CHNGOV" for e in gold["events"])
    assert not any(
        e["evidence"] == dropped["evidence"]
        and e["cameo"] == dropped["cameo"]
        and e["target"] == dropped["target"]
        for e in gold["events"]
    )
    assert any(e["target"] == "USA" and e["evidence"] == event["evidence"] for e in gold["events"])

    # The same files through the command line.
    from click.testing import CliRunner

    from dateline.cli import main

    out = tmp_path / "cli"
    result = CliRunner().invoke(main, ["export", "--corrections", "--out", str(out), "--db", store.url])
    assert result.exit_code == 0, result.output
    assert json.loads((out / f"{story}.gold.json").read_text("utf-8")) == gold


# --- limits, CORS, OpenAPI --------------------------------------------------------------


def test_request_size_limit(store: Store) -> None:
    small = _client(store, max_body_bytes=1000)
    _assert_error(small.post("/api/code", json={"text": "x" * 5000}), 413, "payload_too_large")

    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b"x" * 500

    _assert_error(small.post("/api/corrections", content=chunks(), headers=AUTH), 413)


def test_code_needs_exactly_one_input(client: TestClient) -> None:
    _assert_error(client.post("/api/code", json={}), 422)
    _assert_error(client.post("/api/code", json={"text": "a", "url": "http://example.org/"}), 422)


@pytest.mark.model
def test_code_text_is_coded_and_not_stored(store: Store, client: TestClient) -> None:
    from web_seed import SEED_TEXT, seed_mode

    if seed_mode() != "pipeline":
        pytest.skip("the coding pipeline is not complete yet (a default stage cannot be loaded)")
    before = store.counts()["stories"]
    r = client.post("/api/code", json={"text": SEED_TEXT.read_text("utf-8")})
    assert r.status_code == 200, r.text
    story = r.json()
    assert story["text"] and story["events"]
    assert store.counts()["stories"] == before


def test_cors_is_off_by_default_and_configurable(store: Store, client: TestClient) -> None:
    origin = {"Origin": "http://evil.example"}
    assert "access-control-allow-origin" not in client.get("/api/health", headers=origin).headers
    allowed = _client(store, cors_origins=["http://analyst.example"])
    r = allowed.get("/api/health", headers={"Origin": "http://analyst.example"})
    assert r.headers["access-control-allow-origin"] == "http://analyst.example"


def test_openapi_and_dashboard_are_served(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    for path in (
        "/api/events",
        "/api/aggregates",
        "/api/aggregates/dyads",
        "/api/actors",
        "/api/actors/{code}",
        "/api/articles/{story_id}",
        "/api/code",
        "/api/corrections",
        "/api/places",
    ):
        assert path in doc["paths"]
    page = client.get("/")
    assert page.status_code == 200 and "static/app.js" in page.text
    assert "http://" not in page.text and "https://" not in page.text  # nothing loaded from elsewhere
    assert client.get("/static/app.js").status_code == 200
    world = client.get("/static/world-110m.json").json()
    assert world["type"] == "Topology" and "countries" in world["objects"]


# --- PostgreSQL gives the same answers ---------------------------------------------------


@pytest.mark.postgres
def test_postgres_and_duckdb_answer_alike(pg_url: str, tmp_path: Path) -> None:
    from web_seed import gold_story, sources

    records = [gold_story(text, gold).to_dict() for text, gold in sources()]
    answers = []
    for url in (str(tmp_path / "same.duckdb"), pg_url):
        with open_store(url, load_settings()) as s:
            s.start_run(run_id="gold-seed", code_version="gold", stages=("gold",), settings_hash="gold")
            s.write_stories(records, "gold-seed")
            c = _client(s)
            event = _all_events(c, dyad="KOR-USA", date_from="2022-01-20", date_to="2022-01-20")[0]
            fix = c.post(
                "/api/corrections", json={"kind": "not_event", "event_id": event["id"]}, headers=AUTH
            )
            assert fix.status_code == 201, fix.text
            got = {
                "events": _all_events(c),
                "filtered": _all_events(c, actor="KOR", q="talks", corrected=False),
                "daily": c.get(
                    "/api/aggregates",
                    params={"actor": "KOR", "date_from": "2021-01-01", "date_to": "2022-12-31"},
                ).json(),
                "weekly": c.get(
                    "/api/aggregates",
                    params={"interval": "week", "baseline_from": "2021-01-01", "baseline_to": "2021-06-30"},
                ).json(),
                "dyads": c.get("/api/aggregates/dyads", params={"limit": 500}).json(),
                "places": c.get("/api/places").json(),
                "actors": c.get("/api/actors", params={"limit": 500}).json(),
                "profile": c.get("/api/actors/KORGOV").json(),
                "article": c.get(f"/api/articles/{event['story_id']}").json(),
                "articles": c.get("/api/articles", params={"limit": 500}).json(),
            }
            for e in got["events"] + got["article"]["events"]:
                for c_ in e["corrections"]:
                    c_.pop("created")
            got["article"]["corrections"] = [
                {k: v for k, v in c_.items() if k != "created"} for c_ in got["article"]["corrections"]
            ]
            answers.append(json.loads(json.dumps(got), parse_float=lambda x: round(float(x), 6)))
    duck, pg = answers
    for key in duck:
        assert duck[key] == pg[key], key


def test_code_a_url_served_on_localhost(client: TestClient, tmp_path: Path) -> None:
    import functools
    import http.server
    import threading

    from web_seed import SEED_TEXT, seed_mode

    (tmp_path / "seed.txt").write_text(SEED_TEXT.read_text("utf-8"), "utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        missing = client.post("/api/code", json={"url": f"{base}/missing.html"}, headers=AUTH)
        _assert_error(missing, 502, "fetch_failed")
        if seed_mode() != "pipeline":
            pytest.skip("the coding pipeline is not complete yet (a default stage cannot be loaded)")
        r = client.post("/api/code", json={"url": f"{base}/seed.txt"}, headers=AUTH)
        assert r.status_code == 200, r.text
        assert r.json()["source"] == f"{base}/seed.txt" and r.json()["events"]
    finally:
        httpd.shutdown()
        httpd.server_close()
