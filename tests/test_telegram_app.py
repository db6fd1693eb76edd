"""Tests for bot.telegram_app and bot.handlers' pure helpers: redaction, retries, the allow-list,
group addressing, and the application's wiring."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import logging

import httpx
import pytest
from telegram import Chat, Message, MessageEntity, User
from telegram.error import BadRequest, NetworkError, TelegramError

from corpusbot.bot import handlers, history_handlers, telegram_app
from corpusbot.bot.handlers import addressed_to_bot, is_allowed, remember_question, strip_mention
from corpusbot.bot.service import Service
from corpusbot.bot.telegram_app import (
    RetryingRateLimiter,
    TokenRedactor,
    build_application,
    with_base_url,
)

TOKEN = "123456:TEST-secret"
BOT = User(99, "Corpusbot", is_bot=True, username="corpus_bot")
USER = User(5, "Ann", is_bot=False)


def record(msg: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("httpx", logging.INFO, __file__, 1, msg, args, exc_info)


def test_redactor_masks_message_args_and_tracebacks() -> None:
    redactor = TokenRedactor(TOKEN)
    plain = record("HTTP Request: POST %s", f"http://h/bot{TOKEN}/getMe")
    assert redactor.filter(plain)
    assert plain.getMessage() == "HTTP Request: POST http://h/bot<TOKEN>/getMe"
    encoded = record("url %s", "http://h/bot123456%3ATEST-secret/x")
    redactor.filter(encoded)
    assert "TEST-secret" not in encoded.getMessage()
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected")
    except RuntimeError as exc:
        failed = record("boom", exc=exc)
    redactor.filter(failed)
    text = logging.Formatter().format(failed)
    assert "RuntimeError: The token `<TOKEN>` was rejected" in text and TOKEN not in text
    untouched = record("count %d", 3)
    redactor.filter(untouched)
    assert (untouched.msg, untouched.args) == ("count %d", (3,))


def test_install_log_redaction_covers_every_root_handler() -> None:
    root = logging.getLogger()
    streams = [io.StringIO(), io.StringIO()]
    added = [logging.StreamHandler(stream) for stream in streams]
    levels = {name: logging.getLogger(name).level for name in ("httpx", "httpcore", "corpusbot")}
    for handler in added:
        root.addHandler(handler)
    try:
        redactor = telegram_app.install_log_redaction(TOKEN)
        assert logging.getLogger("httpx").level == logging.WARNING
        logging.getLogger("corpusbot.telegram").info("calling /bot%s/getMe", TOKEN)
    finally:
        for handler in added:
            root.removeHandler(handler)
        for handler in root.handlers:
            handler.removeFilter(redactor)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
    for stream in streams:
        assert stream.getvalue() == "calling /bot<TOKEN>/getMe\n"


def test_only_sends_that_cannot_have_arrived_are_retried() -> None:
    from corpusbot.bot.telegram_app import _retryable

    def caused(error: Exception) -> NetworkError:
        try:
            raise NetworkError(f"httpx.{type(error).__name__}") from error
        except NetworkError as exc:
            return exc

    lost_after_sending = caused(httpx.ReadError("connection reset"))
    assert not _retryable(lost_after_sending, "sendMessage")
    assert _retryable(lost_after_sending, "getUpdates")  # harmless twice
    assert _retryable(caused(httpx.ConnectError("refused")), "sendMessage")
    assert _retryable(NetworkError("Bad Gateway"), "sendMessage")  # the server said no
    assert _retryable(TelegramError("Invalid server response"), "sendMessage")
    assert not _retryable(TelegramError("something else"), "sendMessage")


async def test_rate_limiter_retries_network_errors_but_not_refusals() -> None:
    limiter = RetryingRateLimiter()
    await limiter.initialize()
    calls: list[str] = []

    async def flaky(*args: object, **kwargs: object) -> bool:
        calls.append("x")
        if len(calls) == 1:
            raise NetworkError("connection reset")
        return True

    async def refused(*args: object, **kwargs: object) -> bool:
        calls.append("y")
        raise BadRequest("message is too long")

    telegram_app.NETWORK_BACKOFF, backoff = 0.01, telegram_app.NETWORK_BACKOFF
    try:
        assert await limiter.process_request(flaky, (), {}, "sendMessage", {"chat_id": 1}, None)
        assert calls == ["x", "x"]
        with pytest.raises(BadRequest):
            await limiter.process_request(refused, (), {}, "sendMessage", {"chat_id": 1}, None)
        assert calls.count("y") == 1
    finally:
        telegram_app.NETWORK_BACKOFF = backoff
        await limiter.shutdown()


def test_allow_list() -> None:
    assert is_allowed(1, 1, (), ())
    assert is_allowed(1, -5, (1,), ())
    assert is_allowed(2, -5, (1,), (-5,))
    assert not is_allowed(2, 2, (1,), (-5,))
    assert not is_allowed(None, None, (1,), ())


def message(text: str, chat_type: str = Chat.GROUP, entities: tuple = (),
            reply_to: Message | None = None) -> Message:
    chat = Chat(-10 if chat_type != Chat.PRIVATE else 5, chat_type)
    return Message(1, dt.datetime.now(dt.UTC), chat, from_user=USER, text=text,
                   entities=entities, reply_to_message=reply_to)


def test_groups_answer_only_when_addressed() -> None:
    assert not addressed_to_bot(message("Who is Iraq's foreign minister?"), BOT.id, BOT.username)
    assert addressed_to_bot(message("hi", Chat.PRIVATE), BOT.id, BOT.username)
    ask = message("/ask x", entities=(MessageEntity(MessageEntity.BOT_COMMAND, 0, 4),))
    assert addressed_to_bot(ask, BOT.id, BOT.username)
    mention = message("@Corpus_Bot who?", entities=(MessageEntity(MessageEntity.MENTION, 0, 11),))
    assert addressed_to_bot(mention, BOT.id, BOT.username)
    assert strip_mention(mention, BOT.username).strip() == "who?"
    other = message("@someone who?", entities=(MessageEntity(MessageEntity.MENTION, 0, 8),))
    assert not addressed_to_bot(other, BOT.id, BOT.username)
    ours = Message(7, dt.datetime.now(dt.UTC), Chat(-10, Chat.GROUP), from_user=BOT, text="1.")
    assert addressed_to_bot(message("and Russia?", reply_to=ours), BOT.id, BOT.username)


def test_remembered_questions_are_numbered_and_bounded() -> None:
    chat_data: dict = {}
    refs = [remember_question(chat_data, f"q{n}") for n in range(handlers.ASKED_KEPT + 5)]
    assert refs[:3] == [1, 2, 3]
    asked = chat_data[handlers.ASKED]
    assert len(asked) == handlers.ASKED_KEPT and asked[refs[-1]] == f"q{len(refs) - 1}"
    assert remember_question(None, "q") == 0


def test_build_application(seeds_service: Service) -> None:
    settings = with_base_url(seeds_service.settings, "http://127.0.0.1:9/bot/")
    assert settings.telegram.base_url == "http://127.0.0.1:9/bot"
    assert with_base_url(settings, None) is settings
    settings = dataclasses.replace(
        settings, telegram=dataclasses.replace(settings.telegram, token=TOKEN))
    application = build_application(seeds_service, settings)
    assert application.bot_data[handlers.SERVICE] is seeds_service
    assert application.bot.base_url == f"http://127.0.0.1:9/bot{TOKEN}"
    assert application.bot.defaults.link_preview_options.is_disabled
    commands = {c for h in application.handlers[0] for c in getattr(h, "commands", ())}
    # /reload is for admins only, so it is handled but not in the public menu.
    assert commands == {"start", "help", "latest", "sources", "source", "ask", "reload", "stats",
                        "forget"}
    assert application.handlers[-1][0].callback is handlers.gate
    assert isinstance(application.bot.rate_limiter, RetryingRateLimiter)
    history_handlers.detach(application)
