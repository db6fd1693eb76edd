"""Issue 10, items 4 and 13: text and JSON the local Bot API server cannot keep are refused at the
door with 400, and no later request is affected (a lone surrogate used to make every getUpdates
answer 500 forever; deeply nested JSON answered 500)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from corpusbot.bot.local_api import LocalBotApi

TOKEN = "123456:TEST-hostile"
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def api() -> Iterator[LocalBotApi]:
    with LocalBotApi(token=TOKEN) as server:
        yield server


@pytest.fixture
def client(api: LocalBotApi) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api.url, timeout=10) as http:
        yield http


def updates(client: httpx.Client) -> list[dict[str, Any]]:
    answer = client.get(f"/bot{TOKEN}/getUpdates")
    assert answer.status_code == 200, answer.text
    result: list[dict[str, Any]] = answer.json()["result"]
    return result


@pytest.mark.parametrize(
    "body",
    [
        b'{"text": "hello \\ud800 there"}',
        b'{"text": "\\udfff"}',
        b'{"text": "hi", "user": {"id": 5, "first_name": "\\ud83d"}}',
    ],
)
def test_a_lone_surrogate_is_refused_and_wedges_nothing(client: httpx.Client, body: bytes) -> None:
    refused = client.post("/api/chats/5/messages", content=body, headers=JSON)
    assert refused.status_code == 400
    assert "UTF" in refused.json()["error"] or "text" in refused.json()["error"]
    assert client.post("/api/chats/5/messages", json={"text": "after"}).status_code == 200
    assert [u["message"]["text"] for u in updates(client)] == ["after"]
    assert client.get("/api/chats/5/messages").status_code == 200


def test_a_bot_message_with_a_lone_surrogate_is_refused(client: httpx.Client) -> None:
    client.post("/api/chats/5/messages", json={"text": "hello"})
    sent = client.post(
        f"/bot{TOKEN}/sendMessage", headers=JSON, content=b'{"chat_id": 5, "text": "bad \\ud800"}'
    )
    assert sent.status_code == 400 and sent.json()["ok"] is False
    assert client.get("/api/chats/5/messages").status_code == 200
    assert len(updates(client)) == 1


def nested(depth: int) -> bytes:
    return b'{"text": "x", "user": ' + b"[" * depth + b"]" * depth + b"}"


@pytest.mark.parametrize("depth", [600, 100_000])
def test_deeply_nested_json_gets_400_everywhere(client: httpx.Client, depth: int) -> None:
    assert (
        client.post("/api/chats/5/messages", content=nested(depth), headers=JSON).status_code == 400
    )
    deep_markup = "[" * depth + "]" * depth
    for request in (
        {
            "content": b'{"chat_id": 5, "text": "x", "reply_markup": '
            + deep_markup.encode()
            + b"}",
            "headers": JSON,
        },
        {"data": {"chat_id": "5", "text": "x", "reply_markup": deep_markup}},
    ):
        answer = client.post(f"/bot{TOKEN}/sendMessage", **request)
        assert answer.status_code == 400, answer.text
    assert client.post("/api/chats/5/messages", json={"text": "still fine"}).status_code == 200
    assert [u["message"]["text"] for u in updates(client)] == ["still fine"]
