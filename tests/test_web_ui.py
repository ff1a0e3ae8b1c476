"""The review page in a real headless Debian chromium, driven by Playwright.

``make test`` installs ``/usr/bin/chromium`` with apt-get when it is missing; Playwright's own
browser download is never used. A screenshot of a finished review is kept in
``tests/artifacts/web_ui.png``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from graderlib.task import public_task_id
from tests.env_support import FIXTURE_TASKS, REPO, Server, running_server

pytestmark = pytest.mark.slow
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = REPO / "tests" / "artifacts"


@pytest.fixture(scope="module")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(
        FIXTURE_TASKS, tmp_path_factory.mktemp("web"), {"ENABLE_WEB_INTERFACE": "true"}
    ) as server:
        yield server


def test_a_person_reviews_a_task_in_the_browser(web_server: Server) -> None:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (make test installs it with apt-get)")
    from playwright.sync_api import expect, sync_playwright

    fix = (FIXTURE_TASKS / "env-ledger" / "fix.diff").read_text()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1400})
            page.goto(web_server.url + "/")
            assert page.url == web_server.url + "/web/"
            expect(page.locator("#task-select option")).to_have_count(3)
            # The page offers public ids only: author ids name the answer.
            ledger = public_task_id("env-ledger")
            page.select_option("#task-select", ledger)
            page.click("#start")
            expect(page.locator("#task-id")).to_have_text(ledger)

            expect(page.locator("#snippet")).to_contain_text(
                '15 |     row = conn.execute(f"SELECT SUM(amount) FROM entries WHERE owner = '
            )
            expect(page.locator("#found")).to_have_text("0 / 2")
            expect(page.locator("#open")).to_have_text("critical: 1, medium: 1")

            # File a finding and report it: 0.75 of the review part, which counts 0.8.
            page.fill("#f-line", "15")
            page.select_option("#f-category", "sql-injection")
            page.select_option("#f-severity", "critical")
            page.fill("#f-message", "owner is formatted into the SQL text")
            page.click("#add-finding")
            expect(page.locator("#pending li")).to_have_count(1)
            page.click("#report")
            expect(page.locator("#score")).to_have_text("0.6000")
            expect(page.locator("#found")).to_have_text("1 / 2")
            expect(page.locator("#matched")).to_have_text("sql-injection")
            expect(page.locator("#pending li")).to_have_count(0)

            # A second person, in another browser context, gets an episode of their own.
            other = browser.new_context().new_page()
            other.goto(web_server.url + "/web/")
            other.select_option("#task-select", public_task_id("env-clean-cache"))
            other.click("#start")
            other.click("#finalize")
            expect(other.locator("#final-score")).to_have_text("final score 1")
            expect(page.locator("#score")).to_have_text("0.6000")

            page.click("#hint")
            expect(page.locator("#hints li")).to_have_text(
                ["Zq-hint: how many lists does batch() use across calls without amounts?"]
            )
            expect(page.locator("#score")).to_have_text("0.5500")

            # A bad finding is refused with the server's message; the episode goes on.
            page.fill("#f-line", "0")
            page.click("#add-finding")
            page.click("#report")
            expect(page.locator("#error")).to_contain_text("VALIDATION_ERROR")
            expect(page.locator("#error")).to_contain_text("greater than or equal to 1")
            expect(page.locator("#remaining")).to_have_text("14 of 16")

            page.fill("#patch", fix)
            page.click("#submit-patch")
            expect(page.locator("#feedback")).to_contain_text("patch resolved", timeout=60_000)
            expect(page.locator("#score")).to_have_text("0.7000")

            page.click("#finalize")
            expect(page.locator("#final")).to_be_visible()
            expect(page.locator("#final-score")).to_have_text("final score 0.75")
            expect(page.locator("#history tbody tr")).to_have_count(4)
            expect(page.locator("#hint")).to_be_disabled()

            shown = page.content()
            assert not [
                a for a in ("env-ledger", "env-clean-cache", "env-config-loader") if a in shown
            ]

            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "web_ui.png"), full_page=True)
        finally:
            browser.close()
    assert (ARTIFACTS / "web_ui.png").stat().st_size > 10_000


def test_web_page_is_served_when_enabled(web_server: Server) -> None:
    status, body = web_server.get("/web/")
    assert status == 200 and b"graderlib code review" in body
    assert web_server.get("/web/app.js")[0] == 200
    assert json.loads(web_server.get("/config")[1])["web_interface"] is True
