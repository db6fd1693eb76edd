"""Tests for bot.telegram_app and bot.handlers' pure helpers: the allow-list, group addressing,
and the application's wiring (redaction: tests/test_redaction.py; retries: tests/test_retry.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from telegram import Chat, Message, MessageEntity, User

from corpusbot.bot.app.service import Service
from corpusbot.bot.telegram import handlers, history_handlers
from corpusbot.bot.telegram.bot_state import ChatData, state_of
from corpusbot.bot.telegram.handlers import (
    addressed_to_bot,
    is_allowed,
    remember_question,
    strip_mention,
)
from corpusbot.bot.telegram.retry import RetryingRateLimiter
from corpusbot.bot.telegram.runner import with_base_url
from corpusbot.bot.telegram.telegram_app import build_application

TOKEN = "123456:TEST-secret"
BOT = User(99, "Corpusbot", is_bot=True, username="corpus_bot")
USER = User(5, "Ann", is_bot=False)


def test_allow_list() -> None:
    assert is_allowed(1, 1, (), ())
    assert is_allowed(1, -5, (1,), ())
    assert is_allowed(2, -5, (1,), (-5,))
    assert not is_allowed(2, 2, (1,), (-5,))
    assert not is_allowed(None, None, (1,), ())


def message(
    text: str,
    chat_type: str = Chat.GROUP,
    entities: tuple[Any, ...] = (),
    reply_to: Message | None = None,
) -> Message:
    chat = Chat(-10 if chat_type != Chat.PRIVATE else 5, chat_type)
    return Message(
        1,
        dt.datetime.now(dt.UTC),
        chat,
        from_user=USER,
        text=text,
        entities=entities,
        reply_to_message=reply_to,
    )


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
    assert BOT.username is not None
    for text, addressed in (("/start@otherbot", False), (f"/start@{BOT.username.upper()}", True)):
        command = message(text, entities=(MessageEntity(MessageEntity.BOT_COMMAND, 0, len(text)),))
        assert addressed_to_bot(command, BOT.id, BOT.username) is addressed


def test_remembered_questions_are_numbered_and_bounded() -> None:
    chat_data = ChatData()
    refs = [remember_question(chat_data, f"q{n}") for n in range(handlers.ASKED_KEPT + 5)]
    assert refs[:3] == [1, 2, 3]
    asked = chat_data.asked
    assert len(asked) == handlers.ASKED_KEPT and asked[refs[-1]] == f"q{len(refs) - 1}"
    assert remember_question(None, "q") == 0


def test_a_follow_up_s_articles_are_remembered_and_forgotten_with_its_question() -> None:
    chat_data = ChatData()
    follow_up = remember_question(chat_data, "q", frozenset({"a1"}))
    plain = remember_question(chat_data, "p")
    assert chat_data.scopes == {follow_up: frozenset({"a1"})} and plain not in chat_data.scopes
    for n in range(handlers.ASKED_KEPT):
        remember_question(chat_data, f"q{n}", frozenset({f"a{n}"}))
    assert follow_up not in chat_data.scopes and len(chat_data.scopes) == handlers.ASKED_KEPT


def test_build_application(seeds_service: Service) -> None:
    settings = with_base_url(seeds_service.settings, "http://127.0.0.1:9/bot/")
    assert settings.telegram.base_url == "http://127.0.0.1:9/bot"
    assert with_base_url(settings, None) is settings
    settings = dataclasses.replace(
        settings, telegram=dataclasses.replace(settings.telegram, token=TOKEN)
    )
    application = build_application(seeds_service, settings)
    assert state_of(application).service is seeds_service
    assert isinstance(application.chat_data[1], ChatData)
    assert application.bot.base_url == f"http://127.0.0.1:9/bot{TOKEN}"
    assert application.bot.defaults.link_preview_options.is_disabled
    commands = {c for h in application.handlers[0] for c in getattr(h, "commands", ())}
    # /reload, /add and /feeds are for admins only: handled, but not in the public menu.
    assert commands == {
        "add",
        "feeds",
        "follow",
        "following",
        "unfollow",
        "timezone",
        "digest",
        "start",
        "help",
        "latest",
        "sources",
        "source",
        "ask",
        "reload",
        "stats",
        "forget",
    }
    assert application.handlers[-1][0].callback is handlers.gate
    assert isinstance(application.bot.rate_limiter, RetryingRateLimiter)
    history_handlers.detach(application)
