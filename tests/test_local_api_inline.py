"""The local Bot API's inline mode (bot/local_api/inline.py): inline_query updates,
answerInlineQuery validated against Telegram's documented limits, chosen results."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from telegram import Bot, InlineQueryResultArticle, InputTextMessageContent
from telegram.error import BadRequest

from corpusbot.bot.local_api import ControlError, LocalBotApi

TOKEN = "123456:TEST-token"
WAIT = 5.0


@pytest.fixture
def server() -> Iterator[LocalBotApi]:
    with LocalBotApi(token=TOKEN) as running:
        yield running


def article(result_id: str, text: str = "a quote", title: str = "A headline") -> dict[str, Any]:
    return {
        "type": "article",
        "id": result_id,
        "title": title,
        "description": "the quote",
        "input_message_content": {"message_text": text, "parse_mode": "HTML"},
    }


def answer(
    server: LocalBotApi, query_id: str, results: list[dict[str, Any]], **extra: object
) -> dict[str, Any]:
    data = {"inline_query_id": query_id, "results": json.dumps(results), **extra}
    with httpx.Client(timeout=WAIT) as client:
        answered: dict[str, Any] = client.post(
            f"{server.base_url}{TOKEN}/answerInlineQuery", data=data
        ).json()
        return answered


def pending_query(server: LocalBotApi) -> dict[str, Any]:
    [update] = [u for u in server.pending_updates() if "inline_query" in u]
    query: dict[str, Any] = update["inline_query"]
    return query


def test_an_inline_query_is_an_update_with_the_query_and_chat_type(server: LocalBotApi) -> None:
    sent = server.send_inline_query(-5, "who won", user={"id": 9}, chat_type="group")
    update = pending_query(server)
    assert update == sent
    assert update["query"] == "who won" and update["chat_type"] == "group"
    assert update["from"]["id"] == 9 and update["offset"] == ""
    assert server.send_inline_query(9, "x", user={"id": 9})["chat_type"] == "sender"


def test_a_query_longer_than_256_characters_is_refused(server: LocalBotApi) -> None:
    with pytest.raises(ControlError, match="256"):
        server.send_inline_query(1, "x" * 257)


@pytest.mark.parametrize(
    ("results", "error"),
    [
        ([article(str(n)) for n in range(51)], "RESULTS_TOO_MUCH"),
        ([article("1"), article("1")], "RESULT_ID_DUPLICATE"),
        ([article("x" * 65)], "RESULT_ID_INVALID"),
        ([article("")], "RESULT_ID_INVALID"),
        ([article("1", title="")], "RESULT_TITLE_EMPTY"),
        ([article("1", text="x" * 4097)], "message is too long"),
        ([article("1", text="😀" * 3000)], "message is too long"),  # 6,000 UTF-16 units
        ([article("1", text="<b>open")], "can't parse entities"),
        ([{**article("1"), "type": "photo"}], "other than article"),
    ],
)
def test_answers_over_telegram_s_limits_are_refused(
    server: LocalBotApi, results: list[dict[str, Any]], error: str
) -> None:
    query = server.send_inline_query(1, "q")
    reply = answer(server, query["id"], results)
    assert reply["ok"] is False and error in reply["description"]
    assert server.inline_answer(query["id"]) is None  # nothing kept: the bot may answer again


def test_fifty_results_and_a_64_byte_offset_are_accepted(server: LocalBotApi) -> None:
    query = server.send_inline_query(1, "q")
    reply = answer(server, query["id"], [article(str(n)) for n in range(50)], next_offset="9" * 64)
    assert reply == {"ok": True, "result": True}
    kept = server.inline_answer(query["id"])
    assert kept is not None and len(kept["results"]) == 50 and kept["next_offset"] == "9" * 64
    again = answer(server, query["id"], [article("1")])
    assert again["ok"] is False and "query is too old" in again["description"]


def test_an_unknown_query_id_is_too_old(server: LocalBotApi) -> None:
    reply = answer(server, "999", [article("1")])
    assert reply["ok"] is False and "query is too old" in reply["description"]


async def test_python_telegram_bot_answers_and_the_user_chooses(server: LocalBotApi) -> None:
    query = server.send_inline_query(7, "grain tariff", user={"id": 7})
    async with Bot(TOKEN, base_url=server.base_url) as bot:
        await bot.answer_inline_query(
            query["id"],
            [
                InlineQueryResultArticle(
                    "r1",
                    "Daily Ledger",
                    InputTextMessageContent("<b>Firefly</b> promised", parse_mode="HTML"),
                )
            ],
            cache_time=0,
        )
    kept = server.inline_answer(query["id"], timeout=WAIT)
    assert kept is not None and kept["results"][0]["title"] == "Daily Ledger"
    message = server.choose_inline_result(query["id"], "r1")
    assert message["plain_text"] == "Firefly promised" and not message["from_bot"]
    assert message["via_bot"]["username"] == "corpusbot_local_bot"
    updates = server.pending_updates()
    assert updates[-2]["message"]["via_bot"]["is_bot"] is True
    assert updates[-1]["chosen_inline_result"] == {
        "result_id": "r1",
        "from": message["from"],
        "query": "grain tariff",
    }
    with pytest.raises(ControlError, match="no result"):
        server.choose_inline_result(query["id"], "r2")


async def test_python_telegram_bot_sees_the_refusal(server: LocalBotApi) -> None:
    query = server.send_inline_query(7, "q")
    results = [
        InlineQueryResultArticle(str(n), "t", InputTextMessageContent("x")) for n in range(51)
    ]
    async with Bot(TOKEN, base_url=server.base_url) as bot:
        with pytest.raises(BadRequest, match=r"(?i)results_too_much"):
            await bot.answer_inline_query(query["id"], results)


def test_the_control_api_over_http(server: LocalBotApi) -> None:
    with httpx.Client(timeout=WAIT, headers={"Content-Type": "application/json"}) as client:
        sent = client.post(f"{server.url}/api/chats/3/inline", json={"query": "hello"}).json()
        waited = client.get(f"{server.url}/api/inline/{sent['id']}?wait=0.1").json()
        assert waited == {"answered": False}
        answer(server, sent["id"], [article("a", text="chosen text")])
        got = client.get(f"{server.url}/api/inline/{sent['id']}?wait=1").json()
        assert got["answered"] is True and got["results"][0]["id"] == "a"
        chosen = client.post(
            f"{server.url}/api/inline/{sent['id']}/choose", json={"result_id": "a"}
        ).json()
        assert chosen["plain_text"] == "chosen text"
        missing = client.post(f"{server.url}/api/inline/999/choose", json={"result_id": "a"})
        assert missing.status_code == 400 and "no answer" in missing.json()["error"]
