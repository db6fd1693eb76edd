"""Issue 10, item 7: floods of any kind cost the flooder, not the other users.

The real bot (a subprocess) against the local Bot API. Every kind of update a user sends counts
against a rate limit (commands and unknown commands the questions'; button presses a budget of
their own, so that a vote never costs a question); refusals to
users outside the allow-list are sent at most once an hour; in groups, commands for other bots
are ignored. Before the fix, one user's 300 /help got 300 replies and delayed another user's
answer from 0.1 s to 8.9 s.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

import pytest

from corpusbot.bot.local_api import ControlError
from tests.e2e.conftest import RunningBot, eventually, start_bot
from tests.e2e.test_bot import buttons
from tests.e2e.test_restricted import write_corpus

FLOODER, OTHER, PRESSER, COMMANDER, STRANGER = 7, 9, 11, 13, 666
BURST = 5  # the default telegram.rate_burst
MOST_REPLIES = BURST + 1  # the burst, then one "slow down" notice
FLOOD = 300


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    tmp = tmp_path_factory.mktemp("floods")
    corpus = write_corpus(tmp / "corpus")
    allowed = f"{FLOODER} {OTHER} {PRESSER} {COMMANDER}"
    # One question a minute on average: no refill during the test, so counts are exact.
    yield from start_bot(
        tmp,
        "--corpus",
        str(corpus),
        CORPUSBOT_TELEGRAM_ALLOWED_USERS=allowed,
        CORPUSBOT_TELEGRAM_RATE_PER_MINUTE="1",
    )


def bot_replies(bot: RunningBot, chat_id: int) -> list[dict[str, Any]]:
    return [m for m in bot.api.messages(chat_id) if m["from_bot"]]


def settle(bot: RunningBot) -> None:
    """Wait until the bot took every queued update, and a moment for the last to be handled
    (and for a note about dropped questions, which counts a burst for a second first)."""
    eventually(lambda: not bot.api.pending_updates())
    time.sleep(1.6)


def test_a_command_flood_gets_the_burst_and_one_notice(bot: RunningBot) -> None:
    for _ in range(FLOOD):
        bot.api.send_user_message(FLOODER, "/help")
    began = time.perf_counter()
    [answer] = bot.ask(OTHER, "Which harbour handled 500 ships?")
    print(
        f"other user's answer after a flood of {FLOOD} /help: {time.perf_counter() - began:.2f} s"
    )
    assert "500 ships" in answer["plain_text"]
    settle(bot)
    replies = bot_replies(bot, FLOODER)
    assert len(replies) == MOST_REPLIES, len(replies)
    notices = [m for m in replies if "faster than I can read" in m["plain_text"]]
    assert len(notices) == 1  # handled concurrently: the notice may come before a /help reply


def test_unknown_commands_count_too(bot: RunningBot) -> None:
    for n in range(50):
        bot.api.send_user_message(COMMANDER, f"/nonsense{n}")
    settle(bot)
    assert len(bot_replies(bot, COMMANDER)) == MOST_REPLIES


def test_button_presses_have_their_own_budget_and_are_all_answered(bot: RunningBot) -> None:
    [page] = bot.ask(PRESSER, "/sources")  # one of the question burst
    pressed = 0
    for _ in range(40):
        [current] = [m for m in bot.api.messages(PRESSER) if m["message_id"] == page["message_id"]]
        with contextlib.suppress(ControlError):  # the page turned between reading and pressing
            bot.api.press_button(PRESSER, page["message_id"], buttons(current)[0]["callback_data"])
            pressed += 1
        time.sleep(0.01)
    settle(bot)
    assert pressed >= 20
    # Every press answered (a client's spinner stops), the page turned within the buttons'
    # own budget (15 at once), and the questions' budget untouched by them.
    answered = {c["params"]["callback_query_id"] for c in bot.api.calls("answerCallbackQuery")}
    assert len(answered) >= pressed
    turned = [c for c in bot.api.calls("editMessageText") if c["params"]["chat_id"] == str(PRESSER)]
    assert 0 < len(turned) <= 15
    [reply] = bot.ask(PRESSER, "Which harbour handled 700 ships?")
    assert "700 ships" in reply["plain_text"]


def test_a_stranger_is_refused_once(bot: RunningBot) -> None:
    bot.ask(STRANGER, "/start", user={"id": STRANGER})
    for text in ("How many ships?", "/sources", "/ask ships", "/help", "/nope"):
        bot.api.send_user_message(STRANGER, text, user={"id": STRANGER})
    settle(bot)
    replies = bot_replies(bot, STRANGER)
    assert len(replies) == 1
    assert replies[0]["plain_text"].startswith("Sorry, this bot is private")


def test_commands_for_other_bots_in_groups_are_ignored(bot: RunningBot) -> None:
    group = -500
    bot.api.send_user_message(group, "/start@otherbot", user={"id": OTHER}, chat_type="group")
    bot.api.send_user_message(group, "/help@otherbot", user={"id": STRANGER + 1})
    bot.api.send_user_message(group, "/ask@otherbot ships", user={"id": OTHER})
    [reply] = bot.ask(group, "/help@corpusbot_local_bot", user={"id": OTHER})
    assert reply["plain_text"].startswith("How to ask")
    settle(bot)
    assert len(bot_replies(bot, group)) == 1


@pytest.fixture(scope="module")
def patient_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    """Two questions at once, one a second after that, and two more that wait their turn."""
    tmp = tmp_path_factory.mktemp("patient")
    yield from start_bot(
        tmp,
        "--corpus",
        str(write_corpus(tmp / "corpus")),
        CORPUSBOT_TELEGRAM_RATE_PER_MINUTE="60",
        CORPUSBOT_TELEGRAM_RATE_BURST="2",
        CORPUSBOT_TELEGRAM_RATE_QUEUE="2",
    )


def test_questions_over_the_limit_wait_and_the_rest_are_told(patient_bot: RunningBot) -> None:
    asker = 17
    for n in range(1, 7):  # six at once: two answered, two late, two dropped and told
        patient_bot.api.send_user_message(asker, f"Which harbour handled {n}00 ships?")
    replies = patient_bot.api.wait_for_bot_messages(asker, 5, 30)
    late = [m for m in replies if m["plain_text"].startswith("⏱ Answered late")]
    told = [m for m in replies if "I could not take 2 messages of yours" in m["plain_text"]]
    answers = [m for m in replies if "ships" in m["plain_text"] and m not in told]
    assert len(late) == 2 and len(told) == 1 and len(answers) == 4
    settle(patient_bot)
    assert len(bot_replies(patient_bot, asker)) == 5  # nothing else, nothing dropped unsaid
