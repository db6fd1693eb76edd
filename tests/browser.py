"""Browser fixtures for the chat page tests: headless Debian Chromium driven by Playwright.

Registered as a pytest plugin in tests/conftest.py. Tests using them are skipped, with the reason,
only where playwright or Chromium is not installed, and fail instead when CORPUSBOT_REQUIRE_BROWSER
is set (as .ci/run does).
"""

from __future__ import annotations

import os
import shutil
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pytest

if TYPE_CHECKING:  # playwright is imported where used: without it the browser tests skip
    from playwright.sync_api import Browser, BrowserContext, Page, Route


WAIT = 10.0
"""Upper bound in seconds for anything a browser test waits for."""
SCREENSHOT_ENV = "CORPUSBOT_WEBCHAT_SCREENSHOT"
"""Set to a path (e.g. docs/webchat.png) to keep the screenshot the browser test takes."""
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
REQUIRE_BROWSER_ENV = "CORPUSBOT_REQUIRE_BROWSER"
"""Set (as CI does) to fail, not skip, when playwright or Chromium is missing."""


def _missing(reason: str) -> None:
    if os.environ.get(REQUIRE_BROWSER_ENV):
        pytest.fail(f"{reason} (and {REQUIRE_BROWSER_ENV} is set)")
    pytest.skip(reason)


def _chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).is_file():
        _missing(f"Chromium is not installed ({path} not found): apt-get install chromium")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    try:
        from playwright import sync_api
    except ImportError:
        _missing("playwright is not installed: pip install -e '.[test]'")
    executable = _chromium_path()
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True, timeout=30_000
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT * 1000)
    ctx = browser.new_context(viewport={"width": 520, "height": 860}, locale="en-GB")
    ctx.set_default_timeout(WAIT * 1000)
    # Only 127.0.0.1 is reachable: anything else the page asked for would fail the test.
    outside: list[str] = []

    def guard(route: Route) -> None:
        if route.request.url.startswith("http://127.0.0.1:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    ctx.route("**/*", guard)
    yield ctx
    ctx.close()
    assert outside == [], f"the page tried to reach {outside}"


class Served(Protocol):
    """What serves the chat page: the local Bot API, alone or with the bot (`run --local`)."""

    @property
    def url(self) -> str: ...


# Each open page's script errors and console errors, as open_chat collects them.
_ERRORS: weakref.WeakKeyDictionary[Page, list[str]] = weakref.WeakKeyDictionary()


def page_errors(page: Page) -> list[str]:
    """The script and console errors `page` (opened by open_chat) has shown so far."""
    return _ERRORS[page]


def open_chat(context: BrowserContext, server: Served) -> Page:
    from playwright.sync_api import expect

    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _ERRORS[page] = errors
    page.goto(server.url + "/")
    expect(page.locator("#bot-name")).to_have_text("Corpusbot (local)")
    expect(page.locator("#menu-button")).to_be_visible()
    return page


def send(page: Page, text: str) -> None:
    page.locator("#input").fill(text)
    page.locator("#input").press("Enter")
