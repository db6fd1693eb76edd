"""Tests for bot.local_api: raw Bot API calls, the control API and a real PTB bot."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from corpusbot.bot.local_api import (
    ControlError,
    LocalBotApi,
    detect_user_entities,
    parse_telegram_html,
)
from corpusbot.bot.local_api.guards import refuse_foreign_request
from corpusbot.bot.local_api.http import HttpRequest

TOKEN = "123456:TEST-token"
WAIT = 5.0


@pytest.fixture
def local_api() -> Iterator[LocalBotApi]:
    """A running LocalBotApi that accepts any token."""
    with LocalBotApi() as server:
        yield server


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=WAIT) as http:
        yield http


def api(server: LocalBotApi, client: httpx.Client, method: str, **params: object) -> httpx.Response:
    """POST a Bot API call form-encoded, nested objects as JSON strings (as PTB does)."""
    data = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    return client.post(f"{server.base_url}{TOKEN}/{method}", data=data)


def error_of(response: httpx.Response) -> tuple[int, str]:
    body = response.json()
    assert body["ok"] is False
    assert body["error_code"] == response.status_code
    return response.status_code, body["description"]


@asynccontextmanager
async def running_app(
    server: LocalBotApi, handlers: Sequence[BaseHandler[Any, Any, Any]]
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """A python-telegram-bot Application polling the local server."""
    app = Application.builder().token(TOKEN).base_url(server.base_url).build()
    for handler in handlers:
        app.add_handler(handler)
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield app
    finally:
        assert app.updater is not None
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def wait_replies(
    server: LocalBotApi, chat_id: int, count: int, after: int
) -> list[dict[str, Any]]:
    return await asyncio.to_thread(server.wait_for_bot_messages, chat_id, count, WAIT, after=after)


# ------------------------------------------------------------------------------ Bot API basics


def test_get_me_root_and_unknown_method(local_api: LocalBotApi, client: httpx.Client) -> None:
    me = api(local_api, client, "getMe").json()
    assert me["ok"] is True
    assert me["result"]["is_bot"] is True
    assert me["result"]["username"] == "corpusbot_local_bot"
    assert me["result"]["can_read_all_group_messages"] is False
    assert me["result"]["supports_inline_queries"] is True
    assert error_of(api(local_api, client, "noSuchMethod")) == (404, "Not Found")
    root = client.get(local_api.url + "/")
    assert root.status_code == 200
    assert "corpusbot local Bot API" in root.text
    assert local_api.base_url == f"http://127.0.0.1:{local_api.port}/bot"


def test_configured_token_is_enforced(client: httpx.Client) -> None:
    with LocalBotApi(token=TOKEN, bot_username="other_bot") as server:
        good = client.get(f"{server.base_url}{TOKEN}/getMe").json()
        assert good["result"]["username"] == "other_bot"
        assert good["result"]["id"] == 123456
        bad = client.get(f"{server.base_url}999:wrong/getMe")
        assert error_of(bad) == (401, "Unauthorized")


def test_params_from_json_query_and_multipart(local_api: LocalBotApi, client: httpx.Client) -> None:
    local_api.send_user_message(5, "hi")
    url = f"{local_api.base_url}{TOKEN}/sendMessage"
    as_json = client.post(
        url,
        json={
            "chat_id": 5,
            "text": "json",
            "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
        },
    )
    assert as_json.json()["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "A"
    as_query = client.get(url, params={"chat_id": "5", "text": "query"})
    assert as_query.json()["result"]["text"] == "query"
    multipart = client.post(
        url, data={"chat_id": "5", "text": "multi"}, files={"doc": ("a.txt", b"abc")}
    )
    assert multipart.json()["result"]["text"] == "multi"
    calls = local_api.calls("sendMessage")
    assert calls[-1]["params"]["doc"] == {"filename": "a.txt", "size": 3}
    assert [m["text"] for m in local_api.messages(5)] == ["hi", "json", "query", "multi"]


def test_send_message_result_looks_like_telegram(
    local_api: LocalBotApi, client: httpx.Client
) -> None:
    user_message = local_api.send_user_message(-100, "hello", chat_type="group")
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    result = api(
        local_api,
        client,
        "sendMessage",
        chat_id="-100",
        text="<b>hi</b> there",
        parse_mode="HTML",
        reply_markup=markup,
        reply_parameters={"message_id": user_message["message_id"]},
    ).json()["result"]
    assert result["message_id"] == user_message["message_id"] + 1
    assert result["chat"] == {"id": -100, "type": "group", "title": "Local group -100"}
    assert result["from"]["is_bot"] is True
    assert result["text"] == "hi there"
    assert result["entities"] == [{"type": "bold", "offset": 0, "length": 2}]
    assert result["reply_markup"] == markup
    assert result["reply_to_message"]["text"] == "hello"
    assert isinstance(result["date"], int)


def test_send_message_required_params_and_length(
    local_api: LocalBotApi, client: httpx.Client
) -> None:
    local_api.send_user_message(5, "hi")
    assert error_of(api(local_api, client, "sendMessage", chat_id="5", text="")) == (
        400,
        "Bad Request: message text is empty",
    )
    assert error_of(api(local_api, client, "sendMessage", text="x"))[1] == (
        "Bad Request: chat_id is empty"
    )
    assert error_of(api(local_api, client, "sendMessage", chat_id="77", text="x"))[1] == (
        "Bad Request: chat not found"
    )
    ok = api(local_api, client, "sendMessage", chat_id="5", text="x" * 4096)
    assert ok.status_code == 200
    too_long = api(local_api, client, "sendMessage", chat_id="5", text="x" * 4097)
    assert error_of(too_long) == (400, "Bad Request: message is too long")
    # The limit counts the visible text, not the markup.
    tagged = api(
        local_api,
        client,
        "sendMessage",
        chat_id="5",
        text=f"<b>{'y' * 4096}</b>",
        parse_mode="HTML",
    )
    assert tagged.status_code == 200


def test_message_length_is_counted_in_utf16_units(
    local_api: LocalBotApi, client: httpx.Client
) -> None:
    """Telegram counts an astral-plane character (most emoji) as two UTF-16 units: 2,048 fit the
    4,096 limit, 2,049 do not, and neither do 3,000 (which are under 4,096 code points)."""
    local_api.send_user_message(5, "hi")
    ok = api(local_api, client, "sendMessage", chat_id="5", text="😀" * 2048)
    assert ok.status_code == 200
    for count in (2049, 3000):
        refused = api(local_api, client, "sendMessage", chat_id="5", text="😀" * count)
        assert error_of(refused) == (400, "Bad Request: message is too long")
    astral = "\U0001d538"  # MATHEMATICAL DOUBLE-STRUCK CAPITAL A, not an emoji
    tagged = api(
        local_api,
        client,
        "sendMessage",
        chat_id="5",
        text=f"<b>{astral * 2049}</b>",
        parse_mode="HTML",
    )
    assert error_of(tagged) == (400, "Bad Request: message is too long")
    with pytest.raises(ControlError, match="longer than"):
        local_api.send_user_message(5, "😀" * 3000)
    local_api.send_user_message(5, "😀" * 2048)  # fits


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("<b>unclosed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
def test_html_rejected(
    local_api: LocalBotApi, client: httpx.Client, text: str, detail: str
) -> None:
    local_api.send_user_message(5, "hi")
    response = api(local_api, client, "sendMessage", chat_id="5", text=text, parse_mode="HTML")
    assert error_of(response) == (400, f"Bad Request: can't parse entities: {detail}")


def test_html_accepted_with_entities() -> None:
    assert parse_telegram_html("<blockquote expandable>x</blockquote>") == (
        "x",
        [{"type": "expandable_blockquote", "offset": 0, "length": 1}],
    )
    text, entities = parse_telegram_html(
        '😀<a href="https://e.org/?a=1&amp;b=2">link</a> AT&T &lt;&#65;&#x42;&quot; '
        '<tg-spoiler>s</tg-spoiler><span class="tg-spoiler">p</span>'
        '<pre><code class="language-python">code</code></pre><STRONG>B</STRONG>'
    )
    assert text == '😀link AT&T <AB" spcodeB'
    assert entities == [
        {"type": "text_link", "offset": 2, "length": 4, "url": "https://e.org/?a=1&b=2"},
        {"type": "spoiler", "offset": 17, "length": 1},
        {"type": "spoiler", "offset": 18, "length": 1},
        {"type": "pre", "offset": 19, "length": 4, "language": "python"},
        {"type": "bold", "offset": 23, "length": 1},
    ]


def test_user_message_entities_use_utf16_offsets() -> None:
    entities = detect_user_entities("/start@corpusbot_local_bot 😀 @someone /help x/no")
    assert entities == [
        {"type": "bot_command", "offset": 0, "length": 26},
        {"type": "mention", "offset": 30, "length": 8},
        {"type": "bot_command", "offset": 39, "length": 5},
    ]


def test_get_updates_long_poll_and_offset(local_api: LocalBotApi, client: httpx.Client) -> None:
    started = time.monotonic()
    assert api(local_api, client, "getUpdates", timeout="0.3").json()["result"] == []
    assert 0.25 <= time.monotonic() - started < 2

    timer = threading.Timer(0.2, local_api.send_user_message, args=(9, "late"))
    timer.start()
    started = time.monotonic()
    updates = api(local_api, client, "getUpdates", timeout="4").json()["result"]
    timer.join()
    assert time.monotonic() - started < 2
    assert [u["message"]["text"] for u in updates] == ["late"]

    local_api.send_user_message(9, "second", reply_to_message_id=1)
    updates = api(local_api, client, "getUpdates", offset=str(updates[0]["update_id"] + 1))
    (update,) = updates.json()["result"]
    message = update["message"]
    assert message["text"] == "second"
    assert message["reply_to_message"]["text"] == "late"
    assert message["chat"] == {
        "id": 9,
        "type": "private",
        "first_name": "Local User",
        "username": "user9",
    }
    api(local_api, client, "getUpdates", offset=str(update["update_id"] + 1))
    assert local_api.pending_updates() == []


def test_stop_releases_long_poll(client: httpx.Client) -> None:
    server = LocalBotApi().start()
    result: dict[str, object] = {}

    def poll() -> None:
        result["response"] = api(server, client, "getUpdates", timeout="20").json()

    poller = threading.Thread(target=poll)
    poller.start()
    time.sleep(0.2)
    started = time.monotonic()
    server.stop()
    poller.join(timeout=WAIT)
    assert not poller.is_alive()
    assert time.monotonic() - started < 2
    assert result["response"] == {"ok": True, "result": []}


def test_edit_errors(local_api: LocalBotApi, client: httpx.Client) -> None:
    local_api.send_user_message(5, "hi")
    sent = api(local_api, client, "sendMessage", chat_id="5", text="same").json()["result"]
    same = api(
        local_api,
        client,
        "editMessageText",
        chat_id="5",
        message_id=str(sent["message_id"]),
        text="same",
    )
    code, description = error_of(same)
    assert code == 400
    assert description.startswith("Bad Request: message is not modified")
    missing = api(local_api, client, "editMessageText", chat_id="5", message_id="99", text="x")
    assert error_of(missing) == (400, "Bad Request: message to edit not found")
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    edited = api(
        local_api,
        client,
        "editMessageReplyMarkup",
        chat_id="5",
        message_id=str(sent["message_id"]),
        reply_markup=markup,
    ).json()["result"]
    assert edited["reply_markup"] == markup
    assert "edit_date" in edited
    assert local_api.messages(5)[-1]["edited"] == 1


# ------------------------------------------------------------------------------ raw HTTP


def raw_exchange(server: LocalBotApi, data: bytes) -> tuple[list[int], bool]:
    """Send ``data`` on one connection; the statuses answered and whether the server closed it.

    Reads until the server closes the connection or stays silent for a second.
    """
    received = b""
    closed = False
    with socket.create_connection(("127.0.0.1", server.port), timeout=WAIT) as sock:
        sock.sendall(data)
        sock.settimeout(1.0)
        try:
            while chunk := sock.recv(65536):
                received += chunk
            closed = True
        except ConnectionResetError:
            closed = True
        except TimeoutError:
            pass
    statuses = []
    while received:
        head, _, rest = received.partition(b"\r\n\r\n")
        statuses.append(int(head.split(b" ", 2)[1]))
        length = re.search(rb"\r\ncontent-length: *(\d+)", head, re.I)
        received = rest[int(length.group(1)) if length else 0 :]
    return statuses, closed


def raw_request(server: LocalBotApi, request_line: str, *headers: str, body: bytes = b"") -> bytes:
    lines = [request_line, f"Host: 127.0.0.1:{server.port}", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + body


@pytest.mark.parametrize("value", ["abc", "-1", "1e3", "", "5, 5"])
def test_bad_content_length_gets_400_and_close(local_api: LocalBotApi, value: str) -> None:
    request = raw_request(
        local_api, f"POST /bot{TOKEN}/getMe HTTP/1.1", f"Content-Length: {value}", body=b"{}"
    )
    after = raw_request(local_api, "GET / HTTP/1.1")
    assert raw_exchange(local_api, request + after) == ([400], True)


def test_body_too_large_gets_413_and_close(local_api: LocalBotApi) -> None:
    # What follows the headers is the unread body, even when it looks like a request.
    first = raw_request(local_api, "GET / HTTP/1.1")
    too_large = raw_request(
        local_api, f"POST /bot{TOKEN}/getMe HTTP/1.1", "Content-Length: 30000000"
    )
    smuggled = raw_request(local_api, "GET / HTTP/1.1")
    assert raw_exchange(local_api, first + too_large + smuggled) == ([200, 413], True)


def test_keep_alive_still_serves_several_requests(local_api: LocalBotApi) -> None:
    get_me = raw_request(
        local_api, f"POST /bot{TOKEN}/getMe HTTP/1.1", "Content-Length: 2", body=b"{}"
    )
    statuses, _ = raw_exchange(local_api, get_me + get_me)
    assert statuses == [200, 200]


# ------------------------------------------------------------------------------ control API


def test_control_api_over_http(local_api: LocalBotApi, client: httpx.Client) -> None:
    base = f"{local_api.url}/api/chats/-5"
    posted = client.post(
        base + "/messages",
        json={"text": "/go", "chat_type": "group", "user": {"id": 11, "first_name": "Ann"}},
    ).json()
    assert posted["from"] == {"id": 11, "is_bot": False, "first_name": "Ann", "username": "user11"}
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    bot_msg = api(
        local_api, client, "sendMessage", chat_id="-5", text="pick", reply_markup=markup
    ).json()["result"]

    listing = client.get(base + "/messages", params={"after": posted["message_id"]}).json()
    assert [(m["text"], m["from_bot"]) for m in listing["messages"]] == [("pick", True)]
    version = listing["version"]

    assert (
        client.post(
            base + "/callbacks", json={"message_id": bot_msg["message_id"], "data": "nope"}
        ).status_code
        == 400
    )
    assert client.post(base + "/callbacks", json={"message_id": 99, "data": "a"}).status_code == 400
    query = client.post(
        base + "/callbacks", json={"message_id": bot_msg["message_id"], "data": "a"}
    ).json()
    assert query["message"]["reply_markup"] == markup
    assert query["data"] == "a"

    def edit_later() -> None:
        with httpx.Client(timeout=WAIT) as other:
            api(
                local_api,
                other,
                "editMessageText",
                chat_id="-5",
                message_id=str(bot_msg["message_id"]),
                text="picked",
            )

    threading.Timer(0.2, edit_later).start()
    started = time.monotonic()
    changed = client.get(base + "/messages", params={"since_version": version, "wait": 3}).json()
    assert time.monotonic() - started < 2
    assert [(m["text"], m["edited"]) for m in changed["messages"]] == [("picked", 1)]
    assert changed["version"] > version

    calls = client.get(local_api.url + "/api/calls", params={"method": "editMessageText"}).json()
    assert [c["params"]["text"] for c in calls["calls"]] == ["picked"]


def test_control_post_needs_json_content_type(local_api: LocalBotApi, client: httpx.Client) -> None:
    # A cross-origin page can POST these content types without a CORS preflight.
    url = f"{local_api.url}/api/chats/5/messages"
    body = json.dumps({"text": "/reload"})
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        response = client.post(url, content=body, headers={"Content-Type": content_type})
        assert response.status_code == 415, content_type
    assert client.post(url, content=body).status_code == 415  # no Content-Type at all
    callback = client.post(
        f"{local_api.url}/api/chats/5/callbacks",
        content=json.dumps({"message_id": 1, "data": "a"}),
        headers={"Content-Type": "text/plain;charset=UTF-8"},
    )
    assert callback.status_code == 415
    assert local_api.messages(5) == []
    assert local_api.pending_updates() == []
    sent = client.post(
        url, content=body, headers={"Content-Type": "application/json; charset=utf-8"}
    )
    assert sent.status_code == 200
    assert [m["text"] for m in local_api.messages(5)] == ["/reload"]


def test_control_api_refuses_foreign_host(local_api: LocalBotApi, client: httpx.Client) -> None:
    port = local_api.port
    url = f"{local_api.url}/api/chats/5/messages"
    for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1:{port + 1}", "127.0.0.1"):
        headers = {"Host": host}
        assert client.get(url, headers=headers).status_code == 403, host
        assert client.post(url, json={"text": "hi"}, headers=headers).status_code == 403, host
        assert client.get(f"{local_api.url}/api/nowhere", headers=headers).status_code == 403
    # No Host header at all (HTTP/1.0).
    statuses, _ = raw_exchange(local_api, b"GET /api/calls HTTP/1.0\r\n\r\n")
    assert statuses == [403]
    assert local_api.messages(5) == []
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LocalHost:{port}", f"[::1]:{port}"):
        assert client.get(url, headers={"Host": host}).status_code == 200, host
    # The Bot API side checks Host too (tests/hostile/test_local_api_bot_routes.py).
    assert api(local_api, client, "getMe").status_code == 200
    bot_api = client.post(f"{local_api.base_url}{TOKEN}/getMe", headers={"Host": "evil.example"})
    assert bot_api.status_code == 403


def test_control_api_refuses_foreign_origin(local_api: LocalBotApi, client: httpx.Client) -> None:
    port = local_api.port
    url = f"{local_api.url}/api/chats/5/messages"
    for origin in (
        "http://evil.example",
        f"http://evil.example:{port}",
        f"http://127.0.0.1:{port + 1}",
        f"https://127.0.0.1:{port}",
        "http://127.0.0.1",
        "null",
    ):
        headers = {"Origin": origin}
        assert client.post(url, json={"text": "hi"}, headers=headers).status_code == 403, origin
        assert client.get(url, headers=headers).status_code == 403, origin
    assert local_api.messages(5) == []


def test_control_api_accepts_same_origin(local_api: LocalBotApi, client: httpx.Client) -> None:
    port = local_api.port
    url = f"{local_api.url}/api/chats/5/messages"
    for origin, host in (
        (f"http://127.0.0.1:{port}", f"127.0.0.1:{port}"),
        (f"http://localhost:{port}", f"localhost:{port}"),
    ):
        headers = {"Origin": origin, "Host": host}
        sent = client.post(url, json={"text": origin}, headers=headers)
        assert sent.status_code == 200, origin
        assert client.get(url, headers=headers).status_code == 200, origin
    assert [m["text"] for m in local_api.messages(5)] == [
        f"http://127.0.0.1:{port}",
        f"http://localhost:{port}",
    ]


def test_control_api_port_80_hosts_without_port() -> None:
    """Browsers leave out port 80 in Host and Origin; any other port is always written."""

    def refused(port: int, headers: dict[str, str]) -> int | None:
        request = HttpRequest("GET", "/api/calls", {}, headers, b"", server_port=port)
        refusal = refuse_foreign_request(request)
        return None if refusal is None else refusal.status

    assert refused(80, {"host": "localhost"}) is None
    assert refused(80, {"host": "127.0.0.1:80", "origin": "http://127.0.0.1"}) is None
    assert refused(80, {"host": "evil.example"}) == 403
    assert refused(8081, {"host": "localhost"}) == 403
    assert refused(8081, {"host": "localhost:8081", "origin": "http://localhost"}) == 403


def test_control_errors_and_wait_timeout(local_api: LocalBotApi) -> None:
    with pytest.raises(ControlError):
        local_api.send_user_message(5, "")
    with pytest.raises(ControlError):
        local_api.press_button(5, 1, "x")
    sent = local_api.send_user_message(5, "anyone?")
    with pytest.raises(TimeoutError, match="expected 1 bot message"):
        local_api.wait_for_bot_messages(5, 1, 0.2, after=sent["message_id"])


# ------------------------------------------------------------------------------ real PTB bot


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text(f"echo: {update.message.text}", do_quote=True)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Yes", callback_data="yes"),
                InlineKeyboardButton("No", callback_data="no"),
            ]
        ]
    )
    await update.message.reply_text("<b>Continue?</b>", parse_mode="HTML", reply_markup=keyboard)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("noted")
    await query.edit_message_text(f"You chose {query.data}")


@pytest.mark.asyncio
async def test_ptb_echo_bot(local_api: LocalBotApi) -> None:
    handler = MessageHandler(filters.TEXT & ~filters.COMMAND, echo)
    async with running_app(local_api, [handler]):
        first = local_api.send_user_message(42, "hello")
        (reply,) = await wait_replies(local_api, 42, 1, first["message_id"])
        assert reply["text"] == "echo: hello"
        assert reply["reply_to_message_id"] == first["message_id"]

        group = local_api.send_user_message(-7, "in group", chat_type="group")
        (reply,) = await wait_replies(local_api, -7, 1, group["message_id"])
        assert reply["text"] == "echo: in group"
    assert local_api.calls("getMe")
    assert local_api.calls("deleteWebhook")
    assert local_api.pending_updates() == []


@pytest.mark.asyncio
async def test_ptb_inline_button_and_edit(local_api: LocalBotApi) -> None:
    handlers = [CommandHandler("start", start), CallbackQueryHandler(on_button)]
    async with running_app(local_api, handlers):
        command = local_api.send_user_message(42, "/start@corpusbot_local_bot")
        (menu,) = await wait_replies(local_api, 42, 1, command["message_id"])
        assert menu["plain_text"] == "Continue?"
        assert menu["parse_mode"] == "HTML"

        local_api.press_button(42, menu["message_id"], "yes")

        def edited() -> dict[str, Any] | None:
            latest = local_api.messages(42)[-1]
            return latest if latest["edited"] else None

        latest = await asyncio.to_thread(local_api.wait_for, edited, WAIT)
        assert latest is not None
        assert latest["message_id"] == menu["message_id"]
        assert latest["text"] == "You chose yes"
        assert latest["reply_markup"] is None  # editing text without markup drops the keyboard
    (answer,) = local_api.calls("answerCallbackQuery")
    assert answer["params"]["text"] == "noted"


@pytest.mark.asyncio
async def test_ptb_set_my_commands_recorded(local_api: LocalBotApi) -> None:
    async with Bot(TOKEN, base_url=local_api.base_url) as bot:
        await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("help", "Help")])
        commands = await bot.get_my_commands()
        assert [c.command for c in commands] == ["start", "help"]
        with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
            await bot.set_my_commands([BotCommand("Bad Command", "x")])
    call, invalid = local_api.calls("setMyCommands")
    assert invalid["params"]["commands"][0]["command"] == "Bad Command"
    assert call["params"]["commands"][0] == {"command": "start", "description": "Start"}
    assert local_api.bot_commands() == [
        {"command": "start", "description": "Start"},
        {"command": "help", "description": "Help"},
    ]


@pytest.mark.asyncio
async def test_ptb_sees_telegram_errors(local_api: LocalBotApi) -> None:
    async with Bot(TOKEN, base_url=local_api.base_url) as bot:
        local_api.send_user_message(5, "hi")
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await bot.send_message(5, "<b>unclosed", parse_mode="HTML")
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(5, "x" * 4097)
        sent = await bot.send_message(5, "<blockquote expandable>x</blockquote>", parse_mode="HTML")
        assert sent.entities[0].type == "expandable_blockquote"
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await bot.edit_message_text(
                "<blockquote expandable>x</blockquote>",
                chat_id=5,
                message_id=sent.message_id,
                parse_mode="HTML",
            )
        edited = await bot.edit_message_text("x", chat_id=5, message_id=sent.message_id)
        assert isinstance(edited, Message) and edited.text == "x"
        assert not edited.entities


# ------------------------------------------------------------------------------ faults


@pytest.mark.asyncio
async def test_fault_429_then_success(local_api: LocalBotApi) -> None:
    async with Bot(TOKEN, base_url=local_api.base_url) as bot:
        local_api.send_user_message(5, "hi")
        local_api.inject_fault("sendMessage", "429", times=1, retry_after=3)
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(5, "first")
        assert "Retry in 3 seconds" in str(caught.value)
        assert (await bot.send_message(5, "second")).text == "second"
    assert [c["fault"] for c in local_api.calls("sendMessage")] == ["429", None]
    assert [m["text"] for m in local_api.messages(5)] == ["hi", "second"]


@pytest.mark.asyncio
async def test_fault_malformed_and_500(local_api: LocalBotApi) -> None:
    async with Bot(TOKEN, base_url=local_api.base_url) as bot:
        local_api.inject_fault(None, "malformed")
        with pytest.raises(TelegramError, match="Invalid server response"):
            await bot.get_my_commands()
        local_api.inject_fault("getMyCommands", "500", times=2)
        for _ in range(2):
            with pytest.raises(NetworkError, match="Internal Server Error"):
                await bot.get_my_commands()
        assert await bot.get_my_commands() == ()


def test_raw_fault_bodies(local_api: LocalBotApi, client: httpx.Client) -> None:
    local_api.inject_fault("getMe", "429", retry_after=7)
    limited = api(local_api, client, "getMe")
    assert limited.status_code == 429
    assert limited.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }
    local_api.inject_fault("getMe", "malformed")
    malformed = api(local_api, client, "getMe")
    assert malformed.status_code == 200
    with pytest.raises(ValueError):
        malformed.json()
    assert api(local_api, client, "getMe").json()["ok"] is True


@pytest.mark.asyncio
async def test_pause_and_resume(local_api: LocalBotApi) -> None:
    async with Bot(TOKEN, base_url=local_api.base_url) as bot:
        local_api.pause()
        with pytest.raises(NetworkError):
            await bot.get_me()
        # The control API keeps working while the Bot API is gone.
        async with httpx.AsyncClient(timeout=WAIT) as http:
            response = await http.post(
                f"{local_api.url}/api/chats/5/messages", json={"text": "still here"}
            )
        assert response.status_code == 200
        local_api.resume()
        updates = await bot.get_updates(timeout=0)
        assert [u.message.text for u in updates if u.message] == ["still here"]
        assert len(updates) == 1


def test_pause_cuts_long_poll(local_api: LocalBotApi, client: httpx.Client) -> None:
    threading.Timer(0.2, local_api.pause).start()
    started = time.monotonic()
    with pytest.raises(httpx.HTTPError):
        api(local_api, client, "getUpdates", timeout="10")
    assert time.monotonic() - started < 2
    local_api.resume()


@pytest.mark.asyncio
async def test_token_never_in_calls(client: httpx.Client) -> None:
    with LocalBotApi(token=TOKEN) as server:
        async with Bot(TOKEN, base_url=server.base_url) as bot:
            server.send_user_message(5, "hi")
            await bot.send_message(5, "reply")
            await bot.get_updates(timeout=0)
        async with httpx.AsyncClient(timeout=WAIT) as http:
            over_http = (await http.get(server.url + "/api/calls")).text
        assert len(server.calls()) >= 3
        assert TOKEN not in json.dumps(server.calls())
        assert TOKEN not in over_http
        assert "TEST-token" not in over_http
