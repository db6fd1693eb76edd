"""Issue 10, item 3: the local Bot API's bot routes (``/bot<token>/...``) serve bots only.

A web page must not be able to post bot messages into a chat (a form POST from any site) nor,
by DNS rebinding, read getUpdates; and `run --local` uses a fresh token each time, so a page
cannot know it in advance.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from corpusbot.bot import telegram as telegram_layer
from corpusbot.bot.app.service import Service
from corpusbot.bot.cli import local_mode
from corpusbot.bot.local_api import LocalBotApi
from corpusbot.config.settings import Settings, load_settings

TOKEN = "123456:TEST-hostile"


@pytest.fixture
def api() -> Iterator[LocalBotApi]:
    with LocalBotApi(token=TOKEN) as server:
        server.send_user_message(5, "hello")
        yield server


def send(api: LocalBotApi, headers: dict[str, str], **form: str) -> httpx.Response:
    data = {
        "chat_id": "5",
        "text": '<a href="https://evil.example">click</a>',
        "parse_mode": "HTML",
        **form,
    }
    return httpx.post(f"{api.url}/bot{TOKEN}/sendMessage", data=data, headers=headers)


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "evil.example"},  # DNS rebinding: the page's own name
        {"Host": "evil.example:80"},
        {"Origin": "https://evil.example"},  # a form POST or fetch from any site
        {"Origin": "null"},  # a sandboxed frame
        {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"},
        {"Sec-Fetch-Site": "same-origin"},  # a rebound page is "same-origin" to the browser
    ],
)
def test_browser_requests_to_bot_routes_are_refused(
    api: LocalBotApi, headers: dict[str, str]
) -> None:
    answer = send(api, headers)
    assert answer.status_code == 403, answer.text
    assert not [m for m in api.messages(5) if m["from_bot"]]
    rebound = httpx.get(f"{api.url}/bot{TOKEN}/getUpdates", headers=headers)
    assert rebound.status_code == 403
    assert "hello" not in rebound.text


def test_the_bot_itself_is_served(api: LocalBotApi) -> None:
    assert send(api, {}).status_code == 200
    assert [m["plain_text"] for m in api.messages(5) if m["from_bot"]] == ["click"]
    for host in ("localhost", "127.0.0.1"):
        answer = httpx.get(f"http://{host}:{api.port}/bot{TOKEN}/getMe")
        assert answer.status_code == 200


def test_run_local_uses_a_fresh_secret_token_each_time(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    served: list[str | None] = []
    used: list[str] = []

    class Server:  # stands in for LocalBotApi: records the token it would accept
        url = "http://127.0.0.1:1"
        base_url = url + "/bot"

        def __init__(self, *, port: int, token: str | None, webchat: bool) -> None:
            served.append(token)

        def start(self) -> Server:
            return self

        def stop(self) -> None:
            pass

    def run_command(settings: Settings, open_service: object, **options: object) -> int:
        used.append(settings.telegram.token)
        return 0

    def no_service(settings: Settings) -> Service:
        raise AssertionError("not reached")

    monkeypatch.setattr(local_mode, "LocalBotApi", Server)
    monkeypatch.setattr(telegram_layer, "run_command", run_command)
    settings = load_settings(env={"CORPUSBOT_INDEX_CACHE_DIR": str(tmp_path)})
    for _ in range(2):
        assert local_mode.run_local(settings, no_service, port=0) == 0
    assert served == used  # the bot uses the token the server accepts
    first, second = used
    assert first != second
    for token in used:
        assert re.fullmatch(r"\d+:[A-Za-z0-9_-]{32,}", token), token
        assert token != "1000000001:corpusbot-local"
