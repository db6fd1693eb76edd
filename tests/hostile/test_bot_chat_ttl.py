"""Issue 10, item 13: what the bot keeps per chat (the questions behind "More" buttons) is
dropped once the chat has been quiet for `telegram.chat_ttl_days`, so chats of users who left
do not pile up in memory for as long as the bot runs."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpusbot.bot.telegram.chat_expiry import ChatExpiry
from tests.conftest import make_settings
from tests.e2e.conftest import RunningBot, eventually, start_bot
from tests.e2e.test_bot import buttons

MANY = "Who is Iran's foreign minister?"  # five articles: a reply with a More button
TTL_SECONDS = 2.0


def test_the_default_keeps_chats_for_a_month(tmp_path: Path) -> None:
    assert make_settings(tmp_path).telegram.chat_ttl_days == 30
    assert make_settings(tmp_path, CORPUSBOT_TELEGRAM_CHAT_TTL_DAYS="7").telegram.chat_ttl_days == 7


def test_chats_quiet_longer_than_the_ttl_are_expired() -> None:
    now = [0.0]
    expiry = ChatExpiry(ttl_seconds=100, clock=lambda: now[0])
    expiry.seen(1)
    now[0] = 60
    expiry.seen(2)
    assert expiry.sweep() == []  # nothing is older than 100 s yet
    now[0] = 130
    assert expiry.sweep() == [1]
    expiry.seen(2)
    now[0] = 300
    assert expiry.sweep() == [2]
    assert expiry.sweep() == []
    assert ChatExpiry(ttl_seconds=0).sweep() == []  # 0 keeps everything


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    days = TTL_SECONDS / 86400
    # History off: with it on, a "More" button's question is kept in its database for
    # history.history_days instead (docs/history.md); this is about what the bot keeps in memory.
    yield from start_bot(
        tmp_path_factory.mktemp("ttl"),
        CORPUSBOT_TELEGRAM_CHAT_TTL_DAYS=str(days),
        CORPUSBOT_HISTORY_ENABLED="false",
    )


def test_a_more_button_of_a_forgotten_chat_has_expired(bot: RunningBot) -> None:
    [first] = bot.ask(601, MANY)
    [more] = [b["callback_data"] for b in buttons(first) if b["text"] == "More"]
    time.sleep(TTL_SECONDS + 0.5)
    bot.ask(602, "/help")  # any update lets the bot sweep quiet chats
    bot.api.press_button(601, first["message_id"], more)
    eventually(
        lambda: any(
            "expired" in (c["params"].get("text") or "")
            for c in bot.api.calls("answerCallbackQuery")
        )
    )
    assert not [m for m in bot.api.messages(601) if m["from_bot"]][1:]  # no further quotes
