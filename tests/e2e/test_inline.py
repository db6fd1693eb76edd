"""End to end: inline mode through the real bot and the local Bot API: quote cards within
Telegram's limits, the newest articles for a short query, choosing a card, the allow-list and
the rate limit."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

from corpusbot.bot.answer.freshness import format_date
from corpusbot.bot.local_api import LocalBotApi
from corpusbot.bot.telegram.inline_results import DESCRIPTION_CHARS, TITLE_CHARS
from tests.browser import SCREENSHOT_ENV, page_errors
from tests.e2e.conftest import TOKEN, WAIT, RunningBot, eventually, launch_bot, start_bot
from tests.story_corpus import write_story_corpus

BULLETINS = 60  # more articles than the 50 results an inline answer may hold
FIRST_DAY = dt.date(2025, 1, 1)


def write_inline_corpus(folder: Path) -> Path:
    write_story_corpus(folder)
    for n in range(BULLETINS):
        day = FIRST_DAY + dt.timedelta(days=n)
        (folder / f"bulletin_{n:02}.txt").write_text(
            f"Harbour bulletin number {n} of the Port Aldous pilots' association\n"
            f"source: Harbour Gazette\ndate: {day.isoformat()}\n\n"
            f"Tide tables and berth assignments for bulletin {n}.\n",
            encoding="utf-8",
        )
    return folder


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    tmp = tmp_path_factory.mktemp("inline")
    yield from start_bot(tmp, "--corpus", str(write_inline_corpus(tmp / "corpus")))


def inline(bot: RunningBot, chat: int, query: str, **options: Any) -> dict[str, Any]:
    """Type `@bot query` in `chat`; the bot's answerInlineQuery, as the server kept it."""
    sent = bot.api.send_inline_query(chat, query, **options)
    answer = bot.api.inline_answer(sent["id"], timeout=WAIT)
    assert answer is not None, bot.log()
    return {"id": sent["id"], **answer}


def test_a_question_shows_the_best_quotes_as_cards(bot: RunningBot) -> None:
    answer = inline(bot, 801, "What did Firefly promise to do within a month?")
    first = answer["results"][0]
    assert (
        first["title"] == "Freedonia elects Rufus Firefly as chancellor — Daily Ledger, 2 Mar 2026"
    )
    assert first["description"].startswith("Firefly promised to cut the grain tariff")
    assert all(len(r["title"]) <= TITLE_CHARS for r in answer["results"])
    assert all(len(r["description"]) <= DESCRIPTION_CHARS for r in answer["results"])


def test_choosing_a_card_sends_the_quote_with_its_source(bot: RunningBot) -> None:
    answer = inline(bot, 802, "What did Firefly promise to do within a month?")
    message = bot.api.choose_inline_result(answer["id"], answer["results"][0]["id"])
    assert message["via_bot"]["username"] == "corpusbot_local_bot"
    assert message["plain_text"].startswith("Firefly promised to cut the grain tariff")
    assert message["plain_text"].endswith(
        "— Freedonia elects Rufus Firefly as chancellor, Daily Ledger, 2 Mar 2026"
    )
    eventually(lambda: "inline result chosen user=802 result=q0" in bot.log())
    assert [m["message_id"] for m in bot.api.messages(802)] == [message["message_id"]]


@pytest.mark.parametrize("query", ["", "ab", "  "])
def test_a_short_query_shows_the_newest_articles_within_50(bot: RunningBot, query: str) -> None:
    results = inline(bot, 803, query)["results"]
    assert len(results) == 50
    newest = FIRST_DAY + dt.timedelta(days=BULLETINS - 1)
    assert results[0]["title"].endswith("Morning Courier, 3 Mar 2026")
    assert results[2]["title"].endswith("Island Post, 11 Feb 2026")
    assert results[3]["title"].endswith(f"Harbour Gazette, {format_date(newest.isoformat())}")
    assert len({r["id"] for r in results}) == 50


def test_a_question_the_corpus_cannot_answer_shows_no_cards(bot: RunningBot) -> None:
    assert inline(bot, 804, "Is there anything about whales?")["results"] == []


def test_the_allow_list_applies(tmp_path: Path) -> None:
    corpus = write_story_corpus(tmp_path / "corpus")
    for running in start_bot(
        tmp_path, "--corpus", str(corpus), CORPUSBOT_TELEGRAM_ALLOWED_USERS="805"
    ):
        allowed = inline(running, 805, "grain tariff")
        refused = inline(running, 806, "grain tariff")
        assert allowed["results"] and refused["results"] == []
        assert refused["is_personal"] is True and refused["cache_time"] == 0


def test_the_rate_limit_applies(tmp_path: Path) -> None:
    corpus = write_story_corpus(tmp_path / "corpus")
    for running in start_bot(
        tmp_path,
        "--corpus",
        str(corpus),
        CORPUSBOT_TELEGRAM_RATE_BURST="1",
        CORPUSBOT_TELEGRAM_RATE_PER_MINUTE="1",
    ):
        assert inline(running, 807, "grain tariff")["results"]
        assert inline(running, 807, "grain tariff")["results"] == []
        assert inline(running, 808, "grain tariff")["results"]  # another user is not limited


def test_the_chat_page_shows_cards_and_sends_the_chosen_one(
    tmp_path: Path, context: BrowserContext
) -> None:
    """The browser chat page with the real bot: type `@botname query`, pick a card."""
    from playwright.sync_api import expect

    from tests.browser import open_chat

    corpus = write_story_corpus(tmp_path / "corpus")
    with LocalBotApi(token=TOKEN, webchat=True) as api:
        running = launch_bot(api, tmp_path, "--corpus", str(corpus))
        try:
            page = open_chat(context, api)
            page.locator("#input").fill("@corpusbot_local_bot Firefly promise within a month")
            cards = page.locator(".inline-card")
            expect(cards.first.locator(".inline-title")).to_have_text(
                "Freedonia elects Rufus Firefly as chancellor — Daily Ledger, 2 Mar 2026"
            )
            expect(cards.first.locator(".inline-description")).to_contain_text("grain tariff")
            if os.environ.get(SCREENSHOT_ENV):
                page.screenshot(path=Path(os.environ[SCREENSHOT_ENV]).with_name("inline.png"))
            cards.first.click()
            sent = page.locator(".row.out").last
            expect(sent.locator(".via")).to_have_text("via @corpusbot_local_bot")
            expect(sent.locator("blockquote")).to_contain_text("grain tariff")
            expect(sent.locator(".text i")).to_have_text(
                "Freedonia elects Rufus Firefly as chancellor"
            )
            expect(page.locator("#inline-results")).to_be_hidden()
            expect(page.locator("#input")).to_have_value("")
            page.locator("#input").fill("@corpusbot_local_bot")
            expect(cards).to_have_count(4)  # the newest articles, for an empty query
            assert page_errors(page) == []
        finally:
            running.stop()
