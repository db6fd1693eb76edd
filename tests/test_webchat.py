"""The browser chat page (bot/local_api/webchat): its HTTP routes, and a real browser using it.

The browser tests drive Debian's Chromium with Playwright against a LocalBotApi serving the page
and a small python-telegram-bot Application polling it (a stand-in for the real bot). They are
skipped only when playwright or Chromium is not installed.
"""

from __future__ import annotations

import asyncio
import html
import threading
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Locator, Page
from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction, ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from corpusbot.bot.local_api import LocalBotApi
from corpusbot.bot.local_api.webchat import CONTENT_SECURITY_POLICY, STATIC_FILES
from tests.browser import open_chat, page_errors, send

TOKEN = "123456:WEBCHAT-test"
WAIT = 10.0
"""Upper bound in seconds for anything a test waits for."""

QUOTE = (
    "“Any complementary or additional documents on different issues, including regional "
    "issues or military development, can be considered outside the framework of the JCPOA "
    "and with the participation of regional countries in order to ensure the safety of the "
    "region and the Persian Gulf,” he was quoted as saying. The talks covered trade, energy "
    "and the transit corridor as well."
)


@pytest.fixture
def server() -> Iterator[LocalBotApi]:
    with LocalBotApi(webchat=True) as local:
        yield local


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=WAIT) as http:
        yield http


def bot_call(
    server: LocalBotApi, client: httpx.Client, method: str, **params: object
) -> dict[str, Any]:
    answer: dict[str, Any] = client.post(f"{server.base_url}{TOKEN}/{method}", json=params).json()
    return answer


# ------------------------------------------------------------------------------ HTTP routes


def test_page_and_static_files_are_served(server: LocalBotApi, client: httpx.Client) -> None:
    page = client.get(server.url + "/")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert '<script src="/static/chat.js" defer></script>' in page.text
    for name, content_type in STATIC_FILES.items():
        response = client.get(f"{server.url}/static/{name}")
        assert response.status_code == 200, name
        assert response.headers["content-type"] == content_type
        assert (
            response.content
            == resources.files("corpusbot.bot.local_api.webchat").joinpath(name).read_bytes()
        )
    assert client.get(server.url + "/static/__init__.py").status_code == 404
    assert client.get(server.url + "/static/../__init__.py").status_code == 404
    assert client.get(server.url + "/static/%2e%2e%2fserver.py").status_code == 404


def test_page_uses_no_outside_resources() -> None:
    files = resources.files("corpusbot.bot.local_api.webchat")
    for name in STATIC_FILES:
        text = files.joinpath(name).read_text(encoding="utf-8")
        assert "//fonts." not in text and "cdn" not in text.lower(), name
        assert "innerHTML" not in text and "insertAdjacentHTML" not in text, name
        assert "eval(" not in text and "document.write" not in text, name


def test_without_webchat_the_root_is_plain(client: httpx.Client) -> None:
    with LocalBotApi() as plain:
        assert client.get(plain.url + "/").text == "corpusbot local Bot API\n"
        assert client.get(plain.url + "/static/chat.js").status_code == 404


def test_bot_info_and_menu_commands(server: LocalBotApi, client: httpx.Client) -> None:
    assert client.get(server.url + "/api/bot").json() == {
        "bot": server.bot_user,
        "commands": [],
    }
    default = [{"command": "help", "description": "How to ask"}]
    private = [{"command": "start", "description": "Say hello"}]
    assert bot_call(server, client, "setMyCommands", commands=default)["ok"]
    assert client.get(server.url + "/api/bot").json()["commands"] == default
    scope = {"type": "all_private_chats"}
    assert bot_call(server, client, "setMyCommands", commands=private, scope=scope)["ok"]
    assert client.get(server.url + "/api/bot").json()["commands"] == private
    groups = {"type": "all_group_chats"}
    bot_call(server, client, "setMyCommands", commands=default + private, scope=groups)
    assert client.get(server.url + "/api/bot").json()["commands"] == private


def test_updates_long_poll_reports_messages_edits_and_typing(
    server: LocalBotApi, client: httpx.Client
) -> None:
    updates = f"{server.url}/api/chats/77/updates"
    empty = client.get(updates, params={"since_version": 0, "wait": 0}).json()
    assert (empty["version"], empty["messages"], empty["action"]) == (0, [], None)

    server.send_user_message(77, "hi")
    first = client.get(updates, params={"since_version": 0, "wait": 5}).json()
    assert [m["text"] for m in first["messages"]] == ["hi"]

    # A chat action wakes the long poll at once and shows for up to 5 seconds.
    timer = threading.Timer(
        0.2, bot_call, (server, client, "sendChatAction"), {"chat_id": 77, "action": "typing"}
    )
    timer.start()
    started = time.monotonic()
    typing = client.get(
        updates,
        params={"since_version": first["version"], "since_action": first["action_seq"], "wait": 5},
    ).json()
    timer.join(WAIT)
    assert time.monotonic() - started < 3
    assert typing["action"] == "typing" and 4 < typing["action_seconds"] <= 5
    assert typing["messages"] == []
    assert server.chat_action(77) == "typing"

    # The bot's message ends it, as in Telegram.
    sent = bot_call(server, client, "sendMessage", chat_id=77, text="<b>yes</b>", parse_mode="HTML")
    after = client.get(
        updates,
        params={
            "since_version": typing["version"],
            "since_action": typing["action_seq"],
            "wait": 5,
        },
    ).json()
    assert after["action"] is None and server.chat_action(77) is None
    assert [(m["text"], m["plain_text"], m["parse_mode"]) for m in after["messages"]] == [
        ("<b>yes</b>", "yes", "HTML")
    ]
    bot_call(
        server,
        client,
        "editMessageText",
        chat_id=77,
        message_id=sent["result"]["message_id"],
        text="no",
    )
    edited = client.get(updates, params={"since_version": after["version"], "wait": 5}).json()
    assert [(m["message_id"], m["text"], m["edited"]) for m in edited["messages"]] == [
        (sent["result"]["message_id"], "no", 1)
    ]
    assert client.get(updates, params={"since_version": "x"}).status_code == 400

    # A page that saw an earlier server (ahead of this chat) is answered at once.
    started = time.monotonic()
    stale = client.get(f"{server.url}/api/chats/78/updates", params={"since_version": 9, "wait": 5})
    assert time.monotonic() - started < 2
    assert (stale.json()["version"], stale.json()["messages"]) == (0, [])


def test_answers_to_button_presses_reach_the_page_as_notices(
    server: LocalBotApi, client: httpx.Client
) -> None:
    """What the bot answers to a press (answerCallbackQuery's text) is for the page to show."""
    markup = {"inline_keyboard": [[{"text": "👍", "callback_data": "up"}]]}
    server.send_user_message(81, "hi")
    sent = bot_call(server, client, "sendMessage", chat_id=81, text="yes", reply_markup=markup)
    updates = f"{server.url}/api/chats/81/updates"
    seen = client.get(updates, params={"wait": 0}).json()
    assert (seen["notice_seq"], seen["notices"]) == (0, [])

    def press() -> str:
        message_id = sent["result"]["message_id"]
        return str(server.press_button(81, message_id, "up")["id"])

    silent, thanked, alerted = press(), press(), press()
    assert bot_call(server, client, "answerCallbackQuery", callback_query_id=silent)["ok"]
    too_long = bot_call(
        server, client, "answerCallbackQuery", callback_query_id=thanked, text="x" * 201
    )
    assert too_long["description"] == "Bad Request: MESSAGE_TOO_LONG"
    # The long poll wakes for a notice alone: no message or chat action changed.
    timer = threading.Timer(
        0.2,
        bot_call,
        (server, client, "answerCallbackQuery"),
        {"callback_query_id": thanked, "text": "Thanks for the feedback!"},
    )
    timer.start()
    started = time.monotonic()
    woken = client.get(
        updates,
        params={
            "since_version": seen["version"],
            "since_action": seen["action_seq"],
            "since_notice": 0,
            "wait": 5,
        },
    ).json()
    timer.join(WAIT)
    assert time.monotonic() - started < 3
    assert woken["notices"] == [{"seq": 1, "text": "Thanks for the feedback!", "show_alert": False}]
    bot_call(
        server,
        client,
        "answerCallbackQuery",
        callback_query_id=alerted,
        text="Gone",
        show_alert=True,
    )
    later = client.get(updates, params={"since_notice": woken["notice_seq"]}).json()
    assert later["notices"] == [{"seq": 2, "text": "Gone", "show_alert": True}]
    assert client.get(f"{server.url}/api/chats/82/updates").json()["notices"] == []


# ------------------------------------------------------------------------------ stand-in bot


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_user is not None and update.effective_message is not None
    name = html.escape(update.effective_user.first_name)
    await update.effective_message.reply_html(f"Hello, <b>{name}</b>! Ask me about the news.")


async def on_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_html(
        "<b>Help</b>: type a question; tap <i>More</i> under an answer for another quote."
    )


async def on_question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    await message.reply_chat_action(ChatAction.TYPING)
    if "slow" in message.text:
        await asyncio.sleep(1.5)
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("More", callback_data="more"),
                InlineKeyboardButton("Article", url="https://example.com/story"),
            ]
        ]
    )
    await message.reply_html(
        f"<b>Answer</b> to <i>{html.escape(message.text)}</i>\n"
        f"<blockquote expandable>{html.escape(QUOTE)}</blockquote>\n"
        '— <a href="https://example.com/story">Example News</a>, 2024-05-01 '
        "<tg-spoiler>(one of 5 articles)</tg-spoiler>",
        reply_markup=keyboard,
    )


async def on_more(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and isinstance(query.message, object)
    await query.answer()
    await query.edit_message_text(
        "<b>Answer</b> (all quotes shown below)", parse_mode=ParseMode.HTML
    )
    await context.bot.send_message(
        query.from_user.id,
        "<b>More</b>: <code>2</code> more quotes from <i>Tasnim</i>.",
        parse_mode=ParseMode.HTML,
    )


class StandInBot:
    """A python-telegram-bot Application polling the server, in a thread with its own loop."""

    def __init__(self, server: LocalBotApi) -> None:
        self._server = server
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="stand-in-bot", daemon=True)

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(WAIT) or self._error is not None:
            raise RuntimeError(f"the stand-in bot did not start: {self._error!r}")

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(WAIT)
        assert not self._thread.is_alive(), "the stand-in bot did not stop"

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported by start()
            self._error = exc
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        app = Application.builder().token(TOKEN).base_url(self._server.base_url).build()
        app.add_handler(CommandHandler("start", on_start))
        app.add_handler(CommandHandler("help", on_help))
        app.add_handler(CallbackQueryHandler(on_more, pattern="^more$"))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_question))
        async with app:
            await app.bot.set_my_commands(
                [
                    BotCommand("start", "Say hello"),
                    BotCommand("help", "How to ask a question"),
                    BotCommand("sources", "List the articles"),
                ]
            )
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=1)
            await app.start()
            self._ready.set()
            await asyncio.wait_for(self._stop.wait(), timeout=600)
            await app.updater.stop()
            await app.stop()


# ------------------------------------------------------------------------------ browser


@pytest.fixture(scope="module")
def chat_server(browser: Browser) -> Iterator[LocalBotApi]:
    """The server with the chat page, and the stand-in bot polling it."""
    with LocalBotApi(webchat=True) as local:
        stand_in = StandInBot(local)
        stand_in.start()
        try:
            yield local
        finally:
            stand_in.stop()


def test_question_gets_a_rendered_reply(chat_server: LocalBotApi, context: BrowserContext) -> None:
    from playwright.sync_api import expect

    page = open_chat(context, chat_server)
    expect(page.locator("#welcome")).to_be_visible()
    question = 'What did Lavrov say about <b>JCPOA</b> & "documents"?'
    send(page, question)

    mine = page.locator(".row.out .bubble .text").last
    expect(mine).to_have_text(question)
    assert mine.locator("b").count() == 0  # markup typed by the user stays text
    expect(page.locator("#welcome")).to_be_hidden()

    reply = page.locator(".row.in").last
    expect(reply.locator(".text > b")).to_have_text("Answer")
    expect(reply.locator("i")).to_have_text(question)
    assert reply.locator("i b").count() == 0  # the bot escaped it, so no element either
    quote = reply.locator("blockquote")
    expect(quote).to_have_class("tg-expandable collapsed")
    collapsed = quote.bounding_box()
    quote.click()
    expect(quote).to_have_class("tg-expandable")
    expanded = quote.bounding_box()
    assert collapsed is not None and expanded is not None
    assert expanded["height"] > collapsed["height"] + 20
    quote.click()
    expect(quote).to_have_class("tg-expandable collapsed")

    link = reply.locator(".text a")
    expect(link).to_have_text("Example News")
    expect(link).to_have_attribute("href", "https://example.com/story")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    spoiler = reply.locator(".tg-spoiler")
    expect(spoiler).to_have_class("tg-spoiler hidden")
    spoiler.click()
    expect(spoiler).to_have_class("tg-spoiler")

    visible = reply.locator(".text").inner_text()
    assert "well.\n— Example News" in visible  # no empty line after the quote
    assert "<" not in visible.replace(question, "")  # no raw tags anywhere else
    assert QUOTE[:40] in visible
    expect(reply.locator(".kb-button")).to_have_text(["More", "Article"])
    expect(reply.locator("a.kb-button")).to_have_attribute("href", "https://example.com/story")
    assert page_errors(page) == []


def test_inline_button_edits_the_message_in_place(
    chat_server: LocalBotApi, context: BrowserContext
) -> None:
    from playwright.sync_api import expect

    page = open_chat(context, chat_server)
    send(page, "What about the transit corridor?")
    answer = page.locator(".row.in").last
    expect(answer.locator(".kb-button", has_text="More")).to_be_visible()
    message_id = answer.get_attribute("data-message-id")

    answer.locator(".kb-button", has_text="More").click()
    edited = page.locator(f'.row.in[data-message-id="{message_id}"]')
    expect(edited.locator(".text")).to_have_text("Answer (all quotes shown below)")
    expect(edited.locator(".meta .edited")).to_have_text("edited")
    expect(edited.locator(".kb-button")).to_have_count(0)
    more = page.locator(".row.in").last
    expect(more.locator(".text")).to_have_text("More: 2 more quotes from Tasnim.")
    expect(more.locator("code")).to_have_text("2")
    # One user message, the edited answer and the new one: nothing duplicated.
    expect(page.locator(".row")).to_have_count(3)
    chat_id = page.evaluate("CorpusChat.chatId")
    assert [m["edited"] for m in chat_server.messages(chat_id)] == [0, 1, 0]
    assert page_errors(page) == []


def in_view(page: Page, row: Locator) -> bool:
    """Whether `row` shows whole (or fills the history) inside the scrolled history."""
    shown: bool = page.evaluate(
        """(row) => {
            const view = document.getElementById("history").getBoundingClientRect();
            const box = row.getBoundingClientRect();
            const whole = box.bottom <= view.bottom + 1;
            return box.top >= view.top - 1 && (whole || box.top <= view.top + 10);
        }""",
        row.element_handle(),
    )
    return shown


def scrolled_up(page: Page, questions: int) -> None:
    """A short window, `questions` answered questions, and the history scrolled to the top."""
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 520, "height": 480})
    for number in range(1, questions + 1):
        send(page, f"question number {number}")
        expect(page.locator(".row.in")).to_have_count(number)
    page.locator("#history").evaluate("history => { history.scrollTop = 0; }")
    expect(page.locator("#new-messages")).to_be_hidden()


def test_the_reply_to_a_button_pressed_higher_up_is_scrolled_into_view(
    chat_server: LocalBotApi, context: BrowserContext
) -> None:
    from playwright.sync_api import expect

    page = open_chat(context, chat_server)
    scrolled_up(page, 3)
    page.locator(".row.in").first.locator(".kb-button", has_text="More").click()
    reply = page.locator(".row.in", has_text="More: 2 more quotes")
    expect(reply).to_have_count(1)
    page.wait_for_function("() => document.getElementById('history').scrollTop > 0")
    assert in_view(page, reply)
    expect(page.locator("#new-messages")).to_be_hidden()
    assert page_errors(page) == []


def test_a_message_below_the_fold_shows_a_new_message_marker(
    chat_server: LocalBotApi, context: BrowserContext, client: httpx.Client
) -> None:
    from playwright.sync_api import expect

    page = open_chat(context, chat_server)
    scrolled_up(page, 3)
    chat_id = page.evaluate("CorpusChat.chatId")
    for text in ("First news", "Second news"):
        bot_call(chat_server, client, "sendMessage", chat_id=chat_id, text=text)
    marker = page.locator("#new-messages")
    expect(marker).to_have_text("2 new messages")
    assert page.locator("#history").evaluate("history => history.scrollTop") == 0
    marker.click()
    first = page.locator(".row.in", has_text="First news")
    assert in_view(page, first)
    page.locator("#history").evaluate("h => { h.scrollTop = h.scrollHeight; }")
    expect(marker).to_be_hidden()
    assert page_errors(page) == []


def test_command_menu_and_start(chat_server: LocalBotApi, context: BrowserContext) -> None:
    from playwright.sync_api import expect

    page = open_chat(context, chat_server)
    page.locator("#start").click()
    expect(page.locator(".row.in .text").last).to_have_text(
        f"Hello, {page.evaluate('CorpusChat.user.first_name')}! Ask me about the news."
    )
    page.locator("#menu-button").click()
    items = page.locator("#menu-popup .menu-item .cmd")
    expect(items).to_have_text(["/start", "/help", "/sources"])
    page.locator('#menu-popup .menu-item[data-command="help"]').click()
    expect(page.locator("#menu-popup")).to_be_hidden()
    expect(page.locator(".row.out .text").last).to_have_text("/help")
    expect(page.locator(".row.in .text").last).to_contain_text("Help: type a question")

    page.locator("#input").fill("/he")
    page.locator("#input").dispatch_event("input")
    expect(items).to_have_text(["/help"])
    page.locator("#input").press("Escape")
    expect(page.locator("#menu-popup")).to_be_hidden()
    assert page_errors(page) == []


def test_typing_state_shows_while_the_bot_works(
    chat_server: LocalBotApi, context: BrowserContext
) -> None:
    from playwright.sync_api import expect

    page = open_chat(context, chat_server)
    expect(page.locator("#bot-status")).to_have_text("bot")
    send(page, "a slow question")
    expect(page.locator("#bot-status")).to_have_class("status typing")
    expect(page.locator("#bot-status")).to_contain_text("typing")
    expect(page.locator(".row.in")).to_have_count(1)
    expect(page.locator("#bot-status")).to_have_text("bot")


def test_tabs_are_separate_users(chat_server: LocalBotApi, context: BrowserContext) -> None:
    from playwright.sync_api import expect

    first, second = open_chat(context, chat_server), open_chat(context, chat_server)
    first_id, second_id = (page.evaluate("CorpusChat.chatId") for page in (first, second))
    assert first_id != second_id
    send(first, "question from the first tab")
    expect(first.locator(".row.in")).to_have_count(1)
    send(second, "question from the second tab")
    expect(second.locator(".row.in")).to_have_count(1)
    expect(first.locator(".row.out .text")).to_have_text(["question from the first tab"])
    expect(second.locator(".row.out .text")).to_have_text(["question from the second tab"])
    assert "second" not in first.locator("#messages").inner_text()
    assert "first" not in second.locator("#messages").inner_text()
    users = {m["from"]["id"] for m in chat_server.messages(first_id) if not m["from_bot"]}
    assert users == {first_id}
    # A reload keeps the tab's user and its chat.
    first.reload()
    expect(first.locator(".row")).to_have_count(2)
    assert first.evaluate("CorpusChat.chatId") == first_id


def test_user_markup_is_text_and_the_renderer_drops_the_rest(
    chat_server: LocalBotApi, context: BrowserContext
) -> None:
    from playwright.sync_api import expect

    page = open_chat(context, chat_server)
    attack = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>hi</b>'
    send(page, attack)
    mine = page.locator(".row.out .text").last
    expect(mine).to_have_text(attack)
    expect(page.locator(".row.in")).to_have_count(1)
    assert page.locator("#messages img, #messages script").count() == 0
    assert page.evaluate("window.__pwned") is None
    assert page_errors(page) == []

    rendered = page.evaluate(
        """(html) => {
            const box = document.createElement("div");
            box.appendChild(CorpusChat.renderTelegramHtml(html));
            return box.innerHTML;
        }""",
        '<b onclick="x()">bold</b><img src=x onerror=alert(1)><script>alert(2)</script>'
        '<a href="javascript:alert(3)">js</a><a href="https://t.me/x" onclick="y()">ok</a>'
        '<iframe src="https://evil.example"></iframe><u style="color:red">u</u>'
        '<span class="tg-spoiler">s</span><code class="language-py evil">c</code>'
        "<blockquote expandable>q</blockquote><!-- note --><div>plain</div>",
    )
    assert rendered == (
        "<b>bold</b>js"
        '<a href="https://t.me/x" target="_blank" rel="noopener noreferrer">ok</a>'
        '<u>u</u><span class="tg-spoiler hidden" title="Spoiler: click to show">s</span>'
        "<code>c</code>"
        '<blockquote class="tg-expandable collapsed" tabindex="0" role="button" '
        'aria-expanded="false">q</blockquote>plain'
    )
    assert page.evaluate("window.__pwned") is None
    # Parsing alone makes Chromium check the handlers against the page's Content Security
    # Policy, which blocks them (a second line of defence); nothing else may be reported.
    assert page_errors(page), "the CSP should have reported the blocked handlers"
    assert all("violates the following Content Security Policy" in e for e in page_errors(page))


def test_screenshot(chat_server: LocalBotApi, context: BrowserContext, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page = open_chat(context, chat_server)
    page.locator("#start").click()
    expect(page.locator(".row.in")).to_have_count(1)
    send(page, "What did Lavrov say about additional documents outside the JCPOA?")
    expect(page.locator(".row.in")).to_have_count(2)
    page.locator(".row.in").last.locator("blockquote").click()
    page.locator("#input").fill("Who is Iraq's foreign minister?")
    page.locator("#menu-button").click()
    expect(page.locator("#menu-popup")).to_be_visible()
    path = tmp_path / "webchat.png"
    page.screenshot(path=path)
    assert path.stat().st_size > 10_000  # docs/webchat.png comes from the real bot's test
