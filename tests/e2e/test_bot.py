"""End to end: `python -m corpusbot.bot run` against the local Bot API, over the bundled seeds."""

from __future__ import annotations

import html
import time
from typing import Any

import pytest

from corpusbot.bot.app.service import Service
from corpusbot.bot.local_api import ControlError
from tests.e2e.conftest import STOP_WAIT, TOKEN, RunningBot

BOT_NAME = "corpusbot_local_bot"
IRAQ = "Who is Iraq's foreign minister?"
# Five articles quote Iran's foreign minister: a reply with a More button.
MANY = "Who is Iran's foreign minister?"


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    markup = message["reply_markup"] or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


def without_article_row(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The buttons other than Context / Full article / Related (tests/e2e/test_article_buttons.py
    covers those) and 🔔 Follow (tests/e2e/test_follows.py)."""
    return [b for b in found if not b["callback_data"].startswith(("art:", "fon:"))]


def test_commands_are_registered(bot: RunningBot) -> None:
    names = [command["command"] for command in bot.api.bot_commands()]
    assert sorted(names) == [
        "ask",
        "follow",
        "following",
        "forget",
        "help",
        "latest",
        "source",
        "sources",
        "start",
        "unfollow",
    ]


def test_question_quotes_the_right_passage_with_its_source(bot: RunningBot) -> None:
    [reply] = bot.ask(101, IRAQ)
    first = reply["text"].split("<b>2.</b>")[0]
    assert "Fuad Hussein" in first and "Tasnim" in first
    assert first.startswith("<b>1.</b>") and "<blockquote" in first
    assert "<b>Foreign</b>" in first  # the question's words in bold
    # Only the two articles naming Iraq are quoted (the name is the question's rarest word).
    assert "<b>3.</b>" not in reply["text"]
    up, down = (b["callback_data"] for b in without_article_row(buttons(reply)))
    token = up.rsplit(":", 1)[1]  # the answer's id in the history database, sealed
    assert (up, down) == (f"fb:up:{token}", f"fb:down:{token}")
    assert len(token) == 19 and not token.isdigit()
    send = [c for c in bot.api.calls("sendMessage") if c["params"]["chat_id"] == "101"][-1]
    assert send["params"]["link_preview_options"] == {"is_disabled": True}
    actions = [c["params"] for c in bot.api.calls("sendChatAction")]
    assert {"chat_id": "101", "action": "typing"} in actions


def test_more_shows_the_next_quotes_in_a_new_message(bot: RunningBot) -> None:
    [first] = bot.ask(102, MANY)
    more, up, down = (b["callback_data"] for b in without_article_row(buttons(first)))
    answer = more.rsplit(":", 1)[1]  # the answer's id in the history database
    token = up.rsplit(":", 1)[1]
    assert (more, up, down) == (f"more:3:{answer}", f"fb:up:{token}", f"fb:down:{token}")
    [second] = bot.press(102, first, more)
    assert second["text"].startswith("<b>4.</b>")
    assert "<b>5.</b>" in second["text"]
    assert [b["text"] for b in without_article_row(buttons(second))] == ["👍", "👎"]
    [old] = [m for m in bot.api.messages(102) if m["message_id"] == first["message_id"]]
    assert old["text"] == first["text"]
    assert [b["text"] for b in without_article_row(buttons(old))] == ["👍", "👎"]


def test_start_offers_examples_that_ask_them(bot: RunningBot, seeds_service: Service) -> None:
    [welcome] = bot.ask(103, "/start")
    assert "5 news articles" in welcome["plain_text"]
    assert " from " not in welcome["plain_text"] and "dated" not in welcome["plain_text"]
    assert [b["callback_data"] for b in buttons(welcome)] == ["ask:0", "ask:1", "ask:2"]
    [reply] = bot.press(103, welcome, "ask:0")
    question = seeds_service.examples(3)[0]
    assert reply["plain_text"].startswith(f"❓ {question}")
    assert "<blockquote" in reply["text"]


def test_sources_lists_every_article(bot: RunningBot, seeds_service: Service) -> None:
    [reply] = bot.ask(104, "/sources")
    for article in seeds_service.index.articles:
        assert f"#{article.number} {html.escape(article.title, quote=False)}" in reply["text"]
    assert "Tasnim" in reply["text"] and not buttons(reply)


def test_source_opens_the_article_and_refuses_bad_numbers(bot: RunningBot) -> None:
    [card] = bot.ask(105, "/source 2")
    text = card["plain_text"]
    assert text.startswith("📄 #2 Need for Regional Coop. to Counter US Interference")
    assert "Rouhani stressed that the security and stability" in text
    # The whole article, as Full article shows it, not its headline and a line.
    assert text.endswith("a burden on the shoulders of the US foreign policy that has backfired.")
    for bad in ("/source 9", "/source 0", "/source two"):
        [reply] = bot.ask(105, bad)
        assert reply["plain_text"].startswith("There is no article")
        assert "from 1 to 5" in reply["plain_text"]
    [usage] = bot.ask(105, "/source")
    assert "/source N" in usage["plain_text"]


def test_help_explains_asking_and_commands(bot: RunningBot) -> None:
    [reply] = bot.ask(106, "/help")
    for command in ("/sources", "/source", "/ask", "/start"):
        assert command in reply["plain_text"]
    [unknown] = bot.ask(106, "/frobnicate")
    assert "/help" in unknown["plain_text"]


def test_groups_answer_ask_mentions_and_replies_only(bot: RunningBot) -> None:
    group: dict[str, Any] = {"chat_type": "group"}
    chat = -200
    bot.api.send_user_message(chat, IRAQ, **group)
    [asked] = bot.ask(chat, f"/ask {IRAQ}")
    assert "Fuad Hussein" in asked["text"]
    time.sleep(0.3)  # the plain message had its chance to be (wrongly) answered
    assert len([m for m in bot.api.messages(chat) if m["from_bot"]]) == 1
    user_ask = next(m for m in bot.api.messages(chat) if m["text"].startswith("/ask"))
    assert asked["reply_to_message_id"] == user_ask["message_id"]
    # A reply searches the replied answer's articles: MANY quotes five, JCPOA among them.
    [mentioned] = bot.ask(chat, f"@{BOT_NAME} {MANY}")
    assert "Fuad Hussein" in mentioned["text"]
    [replied] = bot.ask(
        chat, "What did Lavrov say about the JCPOA?", reply_to_message_id=mentioned["message_id"]
    )
    assert "JCPOA" in replied["text"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("?!", "I could not find a word to search for"),
        ("🤔🤔🤔", "I could not find a word to search for"),
        ("وزیر امور خارجه عراق کیست؟", "I found nothing about that in the 5 articles"),
        ("<b>Fuad Hussein</b>", "Fuad Hussein"),
        ("Iraq foreign minister " * 186, "Your question was long, so I searched its first 1000"),
    ],
)
def test_bad_inputs_get_clear_replies(bot: RunningBot, text: str, expected: str) -> None:
    [reply] = bot.ask(107, text)
    assert expected in reply["plain_text"]


def test_telegram_refuses_messages_over_4096_characters(bot: RunningBot) -> None:
    with pytest.raises(ControlError):  # as Telegram does: a 10,000-character question never comes
        bot.api.send_user_message(108, "x" * 10_000)


def test_server_errors_and_flood_limits_are_retried(bot: RunningBot) -> None:
    bot.api.inject_fault("sendMessage", "500")
    [reply] = bot.ask(109, IRAQ)
    assert "Fuad Hussein" in reply["text"]
    bot.api.inject_fault("sendMessage", "429", retry_after=1)
    [reply] = bot.ask(109, IRAQ)
    assert "Fuad Hussein" in reply["text"]


def test_a_failing_handler_tells_the_user(bot: RunningBot) -> None:
    # Every attempt at the answer gets an unparsable reply (the first try and both retries).
    bot.api.inject_fault("sendMessage", "malformed", times=3)
    [reply] = bot.ask(110, IRAQ)
    assert reply["plain_text"].startswith("Sorry, something went wrong")
    assert "Traceback" not in reply["plain_text"]


def test_sigterm_stops_cleanly_and_the_token_never_reaches_the_log(bot: RunningBot) -> None:
    began = time.monotonic()
    assert bot.stop() == 0
    assert time.monotonic() - began < STOP_WAIT
    log = bot.log()
    assert "HTTP Request: POST" in log and "/bot<TOKEN>/getUpdates" in log  # --debug logs URLs
    assert TOKEN not in log and TOKEN.split(":")[1] not in log
    assert "question chat=101 latency_ms=" in log and "quotes=5" in log
    assert "update " in log and "failed" in log  # the malformed reply, logged by the handler
