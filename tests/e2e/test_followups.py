"""End to end: follow-up questions (a reply to one of the bot's answers searches that answer's
articles first) in private and group chats, with history on and off."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import RunningBot, start_bot
from tests.story_corpus import write_story_corpus

PERCENT = "How many percent of the vote did Firefly win?"  # quoted from the Daily Ledger only
BORDER = "What about the border?"  # the Morning Courier ranks first over the whole corpus
ERUPTED = "What erupted at dawn?"  # only the Island Post has it
FROM_EARLIER = "↪️ From the article of the answer you replied to."
WIDENED = "↪️ Nothing on that in the article of the answer you replied to, so I searched all"


def story_bot(tmp: Path, **env: str) -> Iterator[RunningBot]:
    corpus = write_story_corpus(tmp / "corpus")
    yield from start_bot(tmp, "--corpus", str(corpus), **env)


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    yield from story_bot(tmp_path_factory.mktemp("followups"))


@pytest.fixture(scope="module")
def bot_without_history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    yield from story_bot(
        tmp_path_factory.mktemp("followups-nohistory"), CORPUSBOT_HISTORY_ENABLED="false"
    )


def test_a_plain_question_searches_everything(bot: RunningBot) -> None:
    [reply] = bot.ask(601, BORDER)
    assert "Morning Courier" in reply["plain_text"].split("\n")[0]
    assert "↪️" not in reply["plain_text"]


@pytest.mark.parametrize("which", ["bot", "bot_without_history"])
def test_a_reply_searches_the_answer_s_article_first(
    which: str, request: pytest.FixtureRequest
) -> None:
    running: RunningBot = request.getfixturevalue(which)
    [first] = running.ask(602, PERCENT)
    assert "52 percent" in first["plain_text"]
    [follow] = running.ask(602, BORDER, reply_to_message_id=first["message_id"])
    lines = follow["plain_text"].split("\n")
    assert lines[0] == FROM_EARLIER
    assert "Daily Ledger" in follow["plain_text"] and "Morning Courier" not in follow["plain_text"]
    assert "reopen the border with Sylvania" in follow["plain_text"]


def test_a_reply_about_something_else_says_it_widened_the_search(bot: RunningBot) -> None:
    [first] = bot.ask(603, PERCENT)
    [follow] = bot.ask(603, ERUPTED, reply_to_message_id=first["message_id"])
    assert follow["plain_text"].startswith(WIDENED)
    assert "Kallisto volcano erupted at dawn" in follow["plain_text"]


def test_a_reply_to_a_message_that_is_no_answer_is_a_plain_question(bot: RunningBot) -> None:
    [welcome] = bot.ask(604, "/start")
    [reply] = bot.ask(604, BORDER, reply_to_message_id=welcome["message_id"])
    assert "↪️" not in reply["plain_text"] and "Morning Courier" in reply["plain_text"]


def test_in_a_group_a_reply_to_the_bot_s_answer_is_a_follow_up(bot: RunningBot) -> None:
    group, chat = {"chat_type": "group"}, -605
    bot.api.send_user_message(chat, "hello all", **group)
    [first] = bot.ask(chat, f"/ask {PERCENT}")
    [follow] = bot.ask(chat, BORDER, reply_to_message_id=first["message_id"])
    assert follow["plain_text"].startswith(FROM_EARLIER)
    assert follow["reply_to_message_id"] != first["message_id"]  # it quotes the user's reply
    assert "Morning Courier" not in follow["plain_text"]
