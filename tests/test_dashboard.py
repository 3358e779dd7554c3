"""The dashboard in a real headless browser (Debian's chromium driven by Playwright).

Screenshots of every view are saved to ``artifacts/screenshots/`` (named in the README).
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
uvicorn = pytest.importorskip("uvicorn")
sync_api = pytest.importorskip("playwright.sync_api")

from dateline.context import Context  # noqa: E402
from dateline.settings import load_settings  # noqa: E402
from dateline.store import open_store  # noqa: E402
from dateline.web import create_app  # noqa: E402
from web_seed import seeded_copy  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.model]

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
TOKEN = "browser-test-token"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over a seeded store, served by uvicorn on 127.0.0.1 in a thread."""
    path = seeded_copy(tmp_path_factory, "web-dashboard")
    settings = load_settings(web__token=TOKEN)
    with open_store(str(path), settings) as store:
        port = _free_port()
        config = uvicorn.Config(
            create_app(store, Context(settings)), host="127.0.0.1", port=port, log_level="warning"
        )
        srv = uvicorn.Server(config)
        thread = threading.Thread(target=srv.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not srv.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
        srv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def page(server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium; .ci/run does it)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    profile = tmp_path_factory.mktemp("chromium-profile")  # a fresh --user-data-dir
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
            viewport={"width": 1366, "height": 800},
        )
        pg = browser.new_page()
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
        pg.set_default_timeout(20_000)
        pg.goto(server + "/")
        yield pg
        browser.close()
    shutil.rmtree(profile, ignore_errors=True)
    assert not errors, f"the page reported errors: {errors}"


def _shot(page: Any, name: str) -> None:
    page.wait_for_selector("#loading", state="hidden")
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert (SHOTS / f"{name}.png").stat().st_size > 5_000


def _go(page: Any, server: str, hash_: str) -> None:
    page.goto(f"{server}/#/{hash_}")
    page.wait_for_selector("#loading", state="hidden")


def test_timeline_of_the_kor_usa_dyad(page: Any) -> None:
    page.wait_for_selector('#scope-dyad option[value="KOR-USA"]', state="attached")
    page.select_option("#scope-dyad", "KOR-USA")
    day = page.locator('#timeline-chart rect.day-hit[data-period="2022-01-20"]')
    day.wait_for(state="attached")
    assert page.locator("#timeline-chart rect.bar[data-period='2022-01-20']").count() >= 1
    assert "KOR–USA" in page.locator("main h2").first.inner_text()
    day.dispatch_event("click")
    rows = page.locator("#day-events table.events-table tbody tr")
    rows.first.wait_for()
    texts = rows.all_inner_texts()
    assert texts and all("2022-01-20" in t for t in texts)
    assert any("KORGOV" in t and "USAGOV" in t for t in texts)
    _shot(page, "timeline")


def test_network_map_and_event_table(page: Any, server: str) -> None:
    page.select_option("#scope-dyad", "")  # back to every actor
    _go(page, server, "network")
    page.locator("#network-chart g.node").first.wait_for()
    assert page.locator('#network-chart g.node[data-actor="KOR"]').count() == 1
    assert page.locator("#network-chart line.edge").count() >= 2
    _shot(page, "network")
    _go(page, server, "map")
    page.locator("#map-chart path.country").first.wait_for()
    assert page.locator("#map-chart path.country").count() > 100
    _shot(page, "map")
    _go(page, server, "events")
    page.fill('#event-filters input[name="root"]', "04")
    page.fill('#event-filters input[name="actor"]', "KOR")
    page.click('#event-filters button[type="submit"]')
    page.wait_for_function("document.querySelector('#event-results p')?.textContent.includes('events shown')")
    rows = page.locator("#event-results tbody tr").all_inner_texts()
    assert rows and all("KOR" in r for r in rows)
    _shot(page, "events")


def _open_seed_article(page: Any, server: str) -> None:
    _go(page, server, "articles?q=phone%20talks")
    page.locator("#article-list a.article-link", has_text="nuke envoy holds phone talks").first.click()
    page.wait_for_selector("#article-text")


def test_article_highlights_the_phone_talks(page: Any, server: str) -> None:
    _open_seed_article(page, server)
    sentence = page.locator("#article-text .sent.evidence", has_text="back-to-back phone talks")
    assert sentence.count() == 1
    assert sentence.locator("mark.trigger").count() >= 1
    assert sentence.locator("mark.actor").count() >= 1
    card = page.locator("#article-events .event-card", has_text="phone talks").first
    card.click()
    assert "focus" in (sentence.get_attribute("class") or "")
    _shot(page, "article")


def test_filing_a_correction_lists_it(page: Any, server: str) -> None:
    _open_seed_article(page, server)
    card = page.locator("#article-events .event-card", has_text="back-to-back phone talks").first
    card.locator("button.wrong").click()
    dialog = page.locator("#correction-dialog")
    dialog.wait_for(state="visible")
    page.select_option('#correction-form select[name="kind"]', "wrong_code")
    page.fill('#correction-form input[name="cameo"]', "042")
    note = f"browser test {time.time_ns()}"
    page.fill('#correction-form textarea[name="note"]', note)
    page.fill('#correction-form input[name="token"]', TOKEN)
    _shot(page, "correction-form")
    page.click("#correction-submit")
    page.locator(".correction-list li", has_text=note).wait_for()
    _shot(page, "article-corrected")
    _go(page, server, "corrections")
    page.locator(".correction-list li", has_text=note).wait_for()
    _shot(page, "corrections")


def test_wrong_token_is_refused_in_the_form(page: Any, server: str) -> None:
    _open_seed_article(page, server)
    page.locator("#article-events .event-card button.wrong").first.click()
    page.fill('#correction-form input[name="cameo"]', "010")
    page.fill('#correction-form input[name="token"]', "not-the-token")
    page.click("#correction-submit")
    err = page.locator("#correction-error")
    err.wait_for(state="visible")
    assert "Not allowed" in err.inner_text()
    page.click("#correction-cancel")
