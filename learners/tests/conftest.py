"""A real headless Chromium, driven by Playwright, for the browser tests (marked `browser`).

Chromium is Debian's package (/usr/bin/chromium, or CHROMIUM_PATH); Playwright's own browser
download is not used. Pages open with JavaScript switched off, because the site must work
without it (Playwright's own page.evaluate still runs). Each test gets fresh browser contexts,
so no cookie leaks between tests, and saves a screenshot of every page it checks under
test-output/browser/<test name>/.
"""

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path(os.getenv("CHROMIUM_PATH", "/usr/bin/chromium"))
# Flags known to work headless as root in a container; Playwright adds a fresh profile directory.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
SCREENSHOTS = Path(settings.BASE_DIR) / "test-output" / "browser"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Launch Chromium once for a test module.

    Playwright's sync API keeps an event loop running in this thread while it is started, and
    Django refuses ORM calls under a running loop. The tests' own ORM calls are plain
    synchronous code, so the check is lifted for exactly as long as Playwright runs: module
    scope ends it before the session tears the test database down and before other modules.
    """
    if not CHROMIUM.exists():
        pytest.fail(
            f"No Chromium at {CHROMIUM}: install Debian's package (apt-get install chromium) "
            "or set CHROMIUM_PATH."
        )
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(chromium: Browser, live_server, transactional_db) -> Iterator[Callable[..., Page]]:
    """Return a function that opens a page in a new browser context on the live server."""
    contexts = []

    def open_(*, viewport: dict[str, int] = DESKTOP, javascript: bool = False) -> Page:
        context = chromium.new_context(
            base_url=live_server.url, viewport=viewport, java_script_enabled=javascript
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[Page, str], Path]:
    """Return a function that saves a full-page screenshot named after the test and a label."""
    folder = SCREENSHOTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    taken: list[Path] = []

    def save(page: Page, label: str) -> Path:
        path = folder / f"{len(taken) + 1:02d}-{label}.png"
        page.screenshot(path=str(path), full_page=True)
        taken.append(path)
        return path

    return save
