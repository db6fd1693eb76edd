"""`corpusbot run --local`: the real bot, no token, and a person chatting from a real browser."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Locator, Page

from tests.browser import SCREENSHOT_ENV, open_chat, page_errors, send
from tests.conftest import ROOT
from tests.e2e.conftest import STOP_WAIT, WAIT, bot_env, eventually

IRAQ = "Who is Iraq's foreign minister?"


@dataclass
class LocalBot:
    process: subprocess.Popen[bytes]
    url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="module")
def local_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBot]:
    tmp = tmp_path_factory.mktemp("local")
    env = bot_env(tmp / "cache")
    del env["TELEGRAM_BOT_TOKEN"]  # local mode needs none
    log_path = tmp / "bot.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "corpusbot.bot", "run", "--local", "--port", "0"],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            eventually(
                lambda: "polling as" in log_path.read_text() or process.poll() is not None, 60
            )
            found = re.search(
                r"Open (http://127\.0\.0\.1:\d+)/ in your browser", log_path.read_text()
            )
            assert found, log_path.read_text()
            yield LocalBot(process, found.group(1), log_path)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(STOP_WAIT)


def bot_replies(local_bot: LocalBot, chat: int, text: str) -> list[dict[str, Any]]:
    """Send `text` through the page's API as a user of `chat`; the bot's replies, once any."""
    with httpx.Client(timeout=WAIT) as client:
        client.post(f"{local_bot.url}/api/chats/{chat}/messages", json={"text": text})
        found: list[dict[str, Any]] = []

        def answered() -> bool:
            messages = client.get(f"{local_bot.url}/api/chats/{chat}/messages").json()["messages"]
            found[:] = [m for m in messages if m["from_bot"]]
            return bool(found)

        eventually(answered)
    return found


def test_it_runs_without_a_token_and_answers_over_the_local_api(local_bot: LocalBot) -> None:
    assert "running locally with 5 articles" in local_bot.log()
    [reply] = bot_replies(local_bot, 4242, IRAQ)
    assert "Fuad Hussein" in reply["plain_text"] and "Tasnim" in reply["plain_text"]


def test_the_person_at_the_page_is_the_admin(local_bot: LocalBot) -> None:
    """Each tab is a user of its own (a random id); with no admins set, each may use /stats."""
    [report] = bot_replies(local_bot, 4343, "/stats")
    assert report["plain_text"].startswith("Last 14 days (UTC): ")


def test_a_person_chats_with_the_real_bot_in_a_browser(
    local_bot: LocalBot, context: BrowserContext, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = open_chat(context, local_bot)
    send(page, IRAQ)
    answer = page.locator(".row.in").last
    expect(answer).to_contain_text("Fuad Hussein")
    expect(answer).to_contain_text("Tasnim")
    expect(answer.locator("blockquote").first).to_be_visible()
    assert answer.locator("b", has_text="Minister").count() >= 1  # question terms in bold

    send(page, "Who is Iran's foreign minister?")  # five articles answer: a More button
    expect(page.locator(".row.in")).to_have_count(2)
    page.locator(".row.in").last.locator(".kb-button", has_text="More").click()
    expect(page.locator(".row.in")).to_have_count(3)
    expect(page.locator(".row.in").last).to_contain_text("4.")

    send(page, "/sources")
    listing = page.locator(".row.in").last
    expect(listing).to_contain_text("5 articles")
    for title in ("Iran urges regional cooperation", "Need for Regional Coop."):
        expect(listing).to_contain_text(title)

    send(page, "What did Lavrov say about additional documents outside the JCPOA?")
    expect(page.locator(".row.in")).to_have_count(5)
    expect(page.locator(".row.in").last).to_contain_text("Also reported in")
    path = tmp_path / "webchat.png"
    page.screenshot(path=path, full_page=False)
    keep = os.environ.get(SCREENSHOT_ENV)
    if keep:
        shutil.copyfile(path, keep)
    assert path.stat().st_size > 10_000


def inside_the_page(page: Page, locator: Locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    assert size is not None
    width = size["width"]
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


@pytest.mark.parametrize("width", [390, 1280])
def test_reply_to_an_answer_and_see_the_answers_to_button_presses(
    local_bot: LocalBot, context: BrowserContext, width: int
) -> None:
    """Issue 30, 8 and 13: a phone's width and a desktop's. Example buttons show their whole
    label; a reply to an answer is a follow-up of it, and its bubble stays on the screen; the
    bot's answers to button presses show as toasts."""
    from playwright.sync_api import expect

    page = open_chat(context, local_bot)
    page.set_viewport_size({"width": width, "height": 860})
    page.locator("#start").click()
    examples = page.locator(".row.in").last.locator(".kb-button")
    expect(examples.first).to_be_visible()
    for button in examples.all():  # nothing cut off: the label fits its button
        assert button.evaluate("b => b.scrollWidth <= b.clientWidth"), button.inner_text()
        assert inside_the_page(page, button)

    examples.first.click()  # "What did … say about …?"
    expect(page.locator(".row.in")).to_have_count(2)
    answer = page.locator(".row.in").nth(1)
    send(page, "/sources")  # so the answer replied to is not the last question
    expect(page.locator(".row.in")).to_have_count(3)

    answer.hover()
    answer.locator(".reply-button").click()
    expect(page.locator("#reply-bar")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#reply-bar")).to_be_hidden()
    answer.locator(".reply-button").click()
    expect(page.locator("#reply-text")).to_contain_text(answer.locator(".text").inner_text()[:20])
    send(page, "who is he?")
    expect(page.locator(".row.in")).to_have_count(4)
    mine = page.locator(".row.out").last.locator(".bubble")
    expect(mine.locator(".reply-to")).to_be_visible()
    assert inside_the_page(page, mine)
    expect(page.locator("#reply-bar")).to_be_hidden()
    follow = page.locator(".row.in").last
    expect(follow).to_contain_text("of the answer you replied to")
    expect(follow).to_contain_text("About Hassan Rouhani")
    keep = os.environ.get(SCREENSHOT_ENV)
    if keep:  # docs/webchat-390.png and docs/webchat-1280.png beside docs/webchat.png
        page.screenshot(path=Path(keep).with_name(f"webchat-{width}.png"))

    mine.locator(".reply-to").click()  # jumps back to the answer replied to
    expect(answer).to_be_in_viewport()
    answer.locator(".kb-button", has_text="👎").click()
    expect(page.locator("#toast")).to_contain_text("What was wrong with it?")
    assert page_errors(page) == []


@pytest.mark.parametrize("width", [390, 1280])
def test_context_source_and_admin_commands_read_well_at_both_widths(
    local_bot: LocalBot, context: BrowserContext, width: int
) -> None:
    """Issue 30, 9 to 12 in the browser: Context names the quote's article and bolds the whole
    quote, /source N opens the article itself, and the person at the page may use /stats."""
    from playwright.sync_api import expect

    page = open_chat(context, local_bot)
    page.set_viewport_size({"width": width, "height": 860})
    send(page, IRAQ)
    answer = page.locator(".row.in").nth(0)
    expect(answer).to_contain_text("Fuad Hussein")
    title = answer.locator(".text i").first.inner_text().rstrip("…")
    answer.locator(".kb-button", has_text="Context · 1").click()
    expect(page.locator(".row.in")).to_have_count(2)
    shown = page.locator(".row.in").nth(1)
    expect(shown).to_contain_text("Context · ")
    expect(shown).to_contain_text(title)
    bold = shown.locator("blockquote b").last.inner_text().strip()
    assert bold[-1] in '.!?”’"', bold  # the quote is bold to its end, not cut after 40 words

    send(page, "/source 1")
    expect(page.locator(".row.in")).to_have_count(3)
    article = page.locator(".row.in").nth(2)
    expect(article).to_contain_text("📄 #1 ")
    assert len(article.locator(".text").inner_text()) > 1000  # the article, not one line of it

    send(page, "/stats")
    expect(page.locator(".row.in")).to_have_count(4)
    expect(page.locator(".row.in").nth(3)).to_contain_text("Last 14 days (UTC)")
    for bubble in page.locator(".bubble").all():
        assert inside_the_page(page, bubble)
    for button in page.locator(".kb-button").all():
        assert button.evaluate("b => b.scrollWidth <= b.clientWidth"), button.inner_text()
    assert page_errors(page) == []


def test_ctrl_c_stops_it(local_bot: LocalBot) -> None:
    local_bot.process.send_signal(signal.SIGINT)
    assert local_bot.process.wait(STOP_WAIT) == 0
    with pytest.raises(httpx.TransportError):
        httpx.get(local_bot.url + "/", timeout=2)
