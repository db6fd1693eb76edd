"""End to end: `[telegram] group_replies = "private"`: /ask in a group is answered in the asker's
private chat with a note in the group, or, for a user who never started the bot, a note with a
link that does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import WAIT, RunningBot, start_bot
from tests.e2e.test_bot import BOT_NAME, IRAQ, buttons

GROUP = -700
ANN: dict[str, Any] = {"id": 701, "first_name": "Ann"}
BEN: dict[str, Any] = {"id": 702, "first_name": "Ben"}


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    yield from start_bot(
        tmp_path_factory.mktemp("private-replies"), CORPUSBOT_TELEGRAM_GROUP_REPLIES="private"
    )


def test_a_user_who_never_started_the_bot_gets_a_link_in_the_group(bot: RunningBot) -> None:
    [note] = bot.ask(GROUP, f"/ask {IRAQ}", user=ANN, chat_type="group")
    assert note["plain_text"].startswith("📬 Ann, I answer questions from this group privately")
    assert f'href="https://t.me/{BOT_NAME}?start=private"' in note["text"]
    assert "Fuad Hussein" not in note["plain_text"]
    assert bot.api.messages(ANN["id"]) == []  # nothing was sent to a chat that does not exist


def test_ask_in_a_group_is_answered_privately_with_a_note(bot: RunningBot) -> None:
    [welcome] = bot.ask(BEN["id"], "/start", user=BEN)  # Ben has a private chat with the bot
    [note] = bot.ask(GROUP, f"/ask {IRAQ}", user=BEN, chat_type="group")
    assert note["plain_text"] == "📬 Ben, I sent you the answer in a private chat."
    [answer] = bot.api.wait_for_bot_messages(BEN["id"], 1, WAIT, after=welcome["message_id"])
    assert "Fuad Hussein" in answer["plain_text"]
    in_group = [m for m in bot.api.messages(GROUP) if m["from_bot"]]
    assert all("Fuad Hussein" not in m["plain_text"] for m in in_group)


def test_private_chats_are_answered_as_usual(bot: RunningBot) -> None:
    [answer] = bot.ask(703, IRAQ)
    assert "Fuad Hussein" in answer["plain_text"]


@pytest.fixture(scope="module")
def group_only_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    """The allow-list names the group alone; its answers go to the askers' private chats."""
    yield from start_bot(
        tmp_path_factory.mktemp("group-only"),
        CORPUSBOT_TELEGRAM_GROUP_REPLIES="private",
        CORPUSBOT_TELEGRAM_ALLOWED_CHATS=str(GROUP),
    )


def test_a_private_answer_for_an_allowed_group_works_in_full(group_only_bot: RunningBot) -> None:
    bot = group_only_bot
    cara: dict[str, Any] = {"id": 704, "first_name": "Cara"}
    [note] = bot.ask(GROUP, f"/ask {IRAQ}", user=cara, chat_type="group")
    assert "you have not started a chat with me yet" in note["plain_text"]
    [welcome] = bot.ask(cara["id"], "/start private", user=cara)  # as the group's note asks
    assert not welcome["plain_text"].startswith("Sorry, this bot is private")
    bot.ask(GROUP, f"/ask {IRAQ}", user=cara)
    [answer] = bot.api.wait_for_bot_messages(cara["id"], 1, WAIT, after=welcome["message_id"])
    assert "Fuad Hussein" in answer["plain_text"]
    [context] = bot.press(cara["id"], answer, data_of_label(answer, "Context · 1"))
    assert context["plain_text"].startswith("📖 Context")  # its buttons are not dropped
    stranger: dict[str, Any] = {
        "id": 705,
        "first_name": "Dan",
    }  # never asked in the group: still refused
    [refusal] = bot.ask(stranger["id"], IRAQ, user=stranger)
    assert refusal["plain_text"].startswith("Sorry, this bot is private")


def data_of_label(message: dict[str, Any], label: str) -> str:
    [data] = [b["callback_data"] for b in buttons(message) if b["text"] == label]
    return str(data)
