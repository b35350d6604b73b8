"""The deal desk in a real headless browser (Debian's Chromium, driven by Playwright).

A salesperson's path: open the page, load a shipped scenario, change a price, check
(NOT FEASIBLE, with the proven changes), apply one with a click (FEASIBLE, the
quote held), compare with the earlier run, download the workbook; plus bad input
shown with the command line's message, and a long solve's progress bar and Cancel.
Set ``TIERPRICE_SCREENSHOTS=DIR`` to keep a screenshot of every screen.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest
from helpers import SCENARIOS_DIR
from web_helpers import SLOW, desk, slow_folder, url

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed (pip install -e '.[test]')"
)
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason="Chromium is missing (apt-get install -y chromium; .ci/run installs it)",
)

WAIT_MS = 120_000
"""How long a check may take in the browser (a busy CI machine)."""


def shot(page, name: str) -> None:
    """A full-page screenshot in $TIERPRICE_SCREENSHOTS (when set)."""
    folder = os.environ.get("TIERPRICE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped scenarios, a slow deal and a broken one."""
    root = tmp_path_factory.mktemp("desk")
    for path in SCENARIOS_DIR.glob("*.yaml"):
        shutil.copy(path, root / path.name)
    shutil.copytree(SCENARIOS_DIR / "profiles", root / "profiles")
    (root / "broken.yaml").write_text("scenario: broken\ncategories: 3\n", encoding="utf-8")
    return slow_folder(root)


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser, folder):
    with desk(folder) as server:
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        tab = context.new_page()
        tab.goto(url(server, "/"))
        tab.wait_for_selector("#scenario-select option", state="attached")
        yield tab
        context.close()


def open_scenario(page, name: str) -> None:
    page.select_option("#scenario-select", name)
    page.click("#open-button")


def test_open_change_check_apply_compare_download(page):
    import openpyxl

    shot(page, "1-start")
    open_scenario(page, "nordic_telco.yaml")
    page.wait_for_selector("#verdict.ok", timeout=WAIT_MS)
    assert page.inner_text("#verdict").startswith("FEASIBLE")
    assert page.locator("#deal-table tbody tr").count() == 5
    shot(page, "2-deal")

    page.fill('input.price[data-category="billing"]', "0.5")
    page.dispatch_event('input.price[data-category="billing"]', "change")
    assert "quote billing=" in page.inner_text("#changes")
    page.click("#check-button")
    page.wait_for_selector("#verdict.bad", timeout=WAIT_MS)
    assert page.inner_text("#verdict").startswith("NOT FEASIBLE")
    changes = page.locator("#diagnosis li")
    assert changes.count() >= 1
    shot(page, "3-not-feasible")

    changes.first.locator("button.apply").click()
    page.wait_for_selector("#verdict.ok", timeout=WAIT_MS)
    held = page.locator("#deal-table tr.held")
    assert held.count() >= 1  # the applied quote is held, not dropped
    shot(page, "4-applied")

    page.locator("button.compare").first.click()
    page.wait_for_selector("#comparison:not(.hidden)")
    assert "margin" in page.inner_text("#comparison")
    shot(page, "5-compare")

    with page.expect_download() as download:
        page.click("#workbook-link")
    data = Path(download.value.path()).read_bytes()
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert "summary" in book.sheetnames
    with page.expect_download() as download:
        page.click("#quote-link")
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF") and download.value.suggested_filename.endswith("-quote.pdf")


def test_bad_input_shows_the_command_lines_message(page):
    open_scenario(page, "broken.yaml")
    page.wait_for_selector("#open-error:not(.hidden)", timeout=WAIT_MS)
    text = page.inner_text("#open-error")
    assert page.locator("#deal-card.hidden").count() == 1  # nothing was opened
    assert "broken.yaml: categories = 3: expected" in text
    shot(page, "6-bad-input")


def test_a_long_solve_shows_progress_and_cancels(page):
    open_scenario(page, SLOW)
    page.wait_for_selector("#progress:not(.hidden)", timeout=WAIT_MS)
    page.wait_for_function(
        "document.getElementById('progress-text').textContent.includes('checking')",
        timeout=WAIT_MS,
    )
    shot(page, "7-progress")
    page.click("#cancel-button")
    page.wait_for_selector("#progress.hidden", state="attached", timeout=WAIT_MS)
    assert "Cancelled" in page.inner_text("#error")
    assert page.inner_text("#verdict") == "Not checked: cancelled."
    shot(page, "8-cancelled")
