"""Faults injected into a running bot: the Bot API away, flood limits, server errors, malformed
replies, floods of questions, and reloads (by command, by watching, and failing ones)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SEEDS
from tests.e2e.conftest import TOKEN, WAIT, RunningBot, start_bot

ADMIN = 900
IRAQ = "Who is Iraq's foreign minister?"
SAFFRON = "Saffron harvest\nAfghan farmers sold saffron to traders in Herat.\n"
AWAY = 30.0  # seconds the Bot API server is gone


def answers(bot: RunningBot, chat_id: int) -> list[dict[str, Any]]:
    return [m for m in bot.api.messages(chat_id) if m["from_bot"]]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("faults") / "corpus"
    shutil.copytree(SEEDS, folder)
    return folder


@pytest.fixture(scope="module")
def bot(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    yield from start_bot(
        tmp_path_factory.mktemp("faults-bot"),
        "--corpus",
        str(corpus),
        # One admin per reload test: every update counts against the limit.
        CORPUSBOT_TELEGRAM_ADMINS=f"{ADMIN} {ADMIN + 1} {ADMIN + 2}",
        CORPUSBOT_TELEGRAM_RATE_PER_MINUTE="6",
        CORPUSBOT_TELEGRAM_RATE_BURST="3",
    )


def test_questions_sent_while_the_server_is_away_are_answered_once(bot: RunningBot) -> None:
    bot.api.pause()
    try:
        sent = [bot.api.send_user_message(300 + n, f"{IRAQ} ({n})") for n in range(3)]
        time.sleep(AWAY)
    finally:
        bot.api.resume()
    for n, message in enumerate(sent):
        [reply] = bot.api.wait_for_bot_messages(
            300 + n, 1, AWAY + WAIT, after=message["message_id"]
        )
        assert "Fuad Hussein" in reply["text"]
    time.sleep(1.0)  # nothing more arrives: each question was answered exactly once
    assert [len(answers(bot, 300 + n)) for n in range(3)] == [1, 1, 1]
    assert bot.process.poll() is None


@pytest.mark.parametrize("kind", ["429", "500", "malformed"])
def test_polling_survives_faults_without_losing_a_question(bot: RunningBot, kind: str) -> None:
    chat = {"429": 310, "500": 311, "malformed": 312}[kind]
    bot.api.inject_fault("getUpdates", kind, times=2, retry_after=1)
    sent = bot.api.send_user_message(chat, IRAQ)
    [reply] = bot.api.wait_for_bot_messages(chat, 1, 30, after=sent["message_id"])
    assert "Fuad Hussein" in reply["text"]
    time.sleep(0.5)
    assert len(answers(bot, chat)) == 1


@pytest.mark.parametrize("kind", ["429", "500", "malformed"])
def test_a_failed_send_is_retried_and_delivered_once(bot: RunningBot, kind: str) -> None:
    chat = {"429": 320, "500": 321, "malformed": 322}[kind]
    bot.api.inject_fault("sendMessage", kind, times=1, retry_after=1)
    [reply] = bot.ask(chat, IRAQ)
    assert "Fuad Hussein" in reply["text"]
    time.sleep(0.5)
    assert len(answers(bot, chat)) == 1
    faulted = [
        c
        for c in bot.api.calls("sendMessage")
        if c["fault"] == kind and c["params"].get("chat_id") in (chat, str(chat))
    ]
    assert len(faulted) == 1  # the fault really hit this chat's answer


def test_a_flood_gets_one_notice_and_no_work(bot: RunningBot) -> None:
    chat = 330
    first = None
    for n in range(8):
        sent = bot.api.send_user_message(chat, f"Sputnik vaccine doses {n}")
        first = first or sent["message_id"]
    bot.api.wait_for_bot_messages(chat, 4, WAIT, after=first)
    time.sleep(1.0)
    replies = answers(bot, chat)
    notices = [m for m in replies if "faster than I can read" in m["plain_text"]]
    quoted = [m for m in replies if "Sputnik" in m["plain_text"]]
    assert len(notices) == 1 and len(quoted) == 3  # burst of 3, then one notice, then silence
    typing = [
        c for c in bot.api.calls("sendChatAction") if str(c["params"].get("chat_id")) == str(chat)
    ]
    assert len(typing) == 3  # no work was started for the refused questions


def test_reload_is_for_admins_and_picks_up_new_files(bot: RunningBot, corpus: Path) -> None:
    [refusal] = bot.ask(340, "/reload")
    assert "Only the bot's admins" in refusal["plain_text"]
    (corpus / "saffron.txt").write_text(SAFFRON, encoding="utf-8")
    before = bot.ask(ADMIN, "saffron farmers in Herat")[0]
    assert "No article mentions Herat" in before["plain_text"]
    [status] = bot.ask(ADMIN, "/reload")
    report = bot.api.wait_for(
        lambda: next(
            (
                m
                for m in bot.api.messages(ADMIN)
                if m["message_id"] == status["message_id"] and m["edited"]
            ),
            None,
        ),
        WAIT,
    )
    assert report is not None
    assert "Reloaded: 6 articles" in report["plain_text"] and "1 added" in report["plain_text"]
    assert "Herat" in bot.ask(ADMIN, "saffron farmers in Herat")[0]["plain_text"]


def test_a_failed_reload_keeps_the_old_index_and_tells_the_admin(
    bot: RunningBot, corpus: Path
) -> None:
    hidden = corpus.with_name("corpus-away")
    corpus.rename(hidden)  # the folder vanishes (an unmounted drive, say)
    try:
        [status] = bot.ask(ADMIN + 1, "/reload")
        report = bot.api.wait_for(
            lambda: next(
                (
                    m
                    for m in bot.api.messages(ADMIN + 1)
                    if m["message_id"] == status["message_id"] and m["edited"]
                ),
                None,
            ),
            WAIT,
        )
        assert report is not None
        assert "Reload failed" in report["plain_text"]
        assert "corpus folder not found" in report["plain_text"]
        assert "stay in service" in report["plain_text"]
        assert "Fuad Hussein" in bot.ask(341, IRAQ)[0]["text"]
    finally:
        hidden.rename(corpus)


def test_a_failing_typing_action_does_not_cost_the_answer(bot: RunningBot) -> None:
    bot.api.inject_fault("sendChatAction", "500", times=3)  # the first try and both retries
    [reply] = bot.ask(350, IRAQ)
    assert "Fuad Hussein" in reply["text"]


def test_a_more_button_from_before_a_reload_says_it_expired(bot: RunningBot, corpus: Path) -> None:
    # Not the admin: the admin has used up the rate limit here. Five articles answer this.
    [first] = bot.ask(351, "Who is Iran's foreign minister?")
    more = first["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    aside = corpus.with_name("aside")
    aside.mkdir()
    keep = {"002_9635e7a99c58f50c.txt"}
    moved = [p for p in corpus.glob("0*.txt") if p.name not in keep]
    for path in moved:
        path.rename(aside / path.name)
    try:
        [status] = bot.ask(ADMIN + 2, "/reload")
        bot.api.wait_for(
            lambda: next(
                (
                    m
                    for m in bot.api.messages(ADMIN + 2)
                    if m["message_id"] == status["message_id"] and m["edited"]
                ),
                None,
            ),
            WAIT,
        )
        [expired] = bot.press(351, first, more)
        assert "That button has expired" in expired["plain_text"]
    finally:
        for path in moved:
            (aside / path.name).rename(path)
        bot.ask(ADMIN + 2, "/reload")


def test_an_unexpected_error_is_reported_to_the_admins(bot: RunningBot) -> None:
    admin_before = max(m["message_id"] for m in bot.api.messages(ADMIN))
    bot.api.inject_fault("sendMessage", "500", times=3)  # the answer and both its retries fail
    [notice] = bot.ask(360, "/help")
    assert notice["plain_text"].startswith("Sorry, something went wrong")
    [report] = bot.api.wait_for_bot_messages(ADMIN, 1, WAIT, after=admin_before)
    assert report["plain_text"].startswith("⚠️ Update")
    assert "NetworkError" in report["plain_text"] and "Traceback" in report["plain_text"]
    assert TOKEN.split(":")[1] not in report["text"]


def test_the_token_never_reaches_the_log(bot: RunningBot) -> None:
    assert bot.stop() == 0
    log = bot.log()
    assert "TEST-abc" not in log and "123456:" not in log
    assert "rate limited user=330" in log and "reload by user=900" in log


def test_a_watched_folder_reloads_by_itself_and_tells_the_admins(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    for bot in start_bot(
        tmp_path,
        "--corpus",
        str(corpus),
        CORPUSBOT_TELEGRAM_ADMINS=str(ADMIN),
        CORPUSBOT_CORPUS_WATCH_SECONDS="0.3",
    ):
        bot.ask(ADMIN, "/start")  # an admin who has talked to the bot can be told
        (corpus / "saffron.txt").write_text(SAFFRON, encoding="utf-8")
        [report] = bot.api.wait_for_bot_messages(
            ADMIN, 1, 30, after=max(m["message_id"] for m in bot.api.messages(ADMIN))
        )
        assert "Reloaded: 6 articles" in report["plain_text"]
        assert "Herat" in bot.ask(ADMIN, "saffron farmers in Herat")[0]["plain_text"]
        assert bot.stop() == 0
