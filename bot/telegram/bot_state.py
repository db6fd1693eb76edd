"""The bot's state between updates, typed: python-telegram-bot's `ContextTypes` with a context
class whose properties say what they hold, instead of string keys and casts at every use.

`bot_data` stays a dict: the history hooks (bot/telegram/history_handlers.py) keep their own keys in
it. This bot's own state is one :class:`BotState` in it; the service is reached one way,
`context.service` (or `service_of(context)` where a hook takes any context).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from telegram.error import TelegramError
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from corpusbot.bot.answer import Turn
from corpusbot.bot.app import Service
from corpusbot.bot.history import FeedStore, FollowStore
from corpusbot.bot.telegram.chat_expiry import ChatExpiry
from corpusbot.bot.telegram.ratelimit import OncePer, RateLimiter, WaitingLine

STATE = "corpusbot"  # bot_data key of the BotState

log = logging.getLogger("corpusbot.telegram")


@dataclass
class BotState:
    """What every handler may need, made once by the application's builder."""

    service: Service
    limiter: RateLimiter | None  # None: no rate limit
    refusals: OncePer  # when each stranger was last told the bot is private
    admin_reports: OncePer  # when the admins were last sent an error report
    expiry: ChatExpiry  # when each chat was last seen, to forget quiet ones
    watcher: asyncio.Task[None] | None = None  # the corpus folder's watcher, when watching
    button_limiter: RateLimiter | None = None  # button presses' own budget; None: no limit
    waiting: WaitingLine = field(default_factory=lambda: WaitingLine(0))  # late questions
    late: set[int] = field(default_factory=set)  # ids of updates taken up again, late
    drop_notes: OncePer = field(default_factory=lambda: OncePer(60.0))  # "N dropped", a minute
    delayed: set[asyncio.Task[None]] = field(default_factory=set)  # late questions and notes
    last_update_id: int = 0  # the newest update seen: what a stop confirms as read
    feeds: FeedStore | None = None  # the feeds read into the corpus; None: feeds are off
    feed_poller: asyncio.Task[None] | None = None  # polls them every [feeds] poll_minutes
    follows: FollowStore | None = None  # the follows and their outbox; None: follows are off
    sender: asyncio.Task[None] | None = None  # sends what the outbox holds
    outbox_ready: asyncio.Event = field(default_factory=asyncio.Event)  # wakes the sender
    quiet_paths: set[str] = field(default_factory=set)  # files a feed's first read brought


@dataclass
class ChatData:
    """What the bot keeps per chat: the questions behind its "More" buttons, by number, the
    articles of those that were follow-ups (searched first again by their "More"), and each
    person's last question (a message with no subject of its own follows it up)."""

    asked: OrderedDict[int, str] = field(default_factory=OrderedDict)
    scopes: dict[int, frozenset[str]] = field(default_factory=dict)
    turns: dict[int, Turn] = field(default_factory=dict)  # each person's last question, by id


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], ChatData, dict[Any, Any]]):
    """The context handlers get: `context.state` and `context.service`, typed."""

    @property
    def state(self) -> BotState:
        state: BotState = self.bot_data[STATE]
        return state

    @property
    def service(self) -> Service:
        return self.state.service


CONTEXT_TYPES = ContextTypes(context=BotContext, chat_data=ChatData)
# What the hook modules' functions accept (history, follow-ups, group replies, inline, article
# buttons): any context, so BotContext (whose chat_data is ChatData) passes the type check.
AnyContext = CallbackContext[Any, Any, Any, Any]
# The bot's Application, as its handlers and hooks accept it (its type parameters are the
# builder's: the bot, the context and the three data kinds, and the job queue).
BotApplication = Application[Any, Any, Any, Any, Any, Any]


def attach_state(application: BotApplication, state: BotState) -> None:
    """Put `state` where :class:`BotContext` and :func:`service_of` find it."""
    application.bot_data[STATE] = state


def service_of(context: AnyContext) -> Service:
    """The service, from any context: the hook modules take any context type (handlers with a
    :class:`BotContext` write `context.service`, which is the same)."""
    state: BotState = context.bot_data[STATE]
    return state.service


def state_of(application: BotApplication) -> BotState:
    """The state of an application outside a handler (start-up, shutdown, the watcher)."""
    state: BotState = application.bot_data[STATE]
    return state


async def stop_task(task: asyncio.Task[None] | None) -> None:
    """Cancel a background task (the watcher, the feed poller, the alert sender) and wait for
    it to end."""
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def tell_admins(application: BotApplication, text: str, *, about: str) -> None:
    """Send `text` to every admin; one who never wrote to the bot cannot be told, and is
    logged (`about`: what the log says the message was about)."""
    service = state_of(application).service
    for admin in service.settings.telegram.admins:
        try:
            await application.bot.send_message(admin, text)
        except TelegramError as exc:
            log.warning("could not tell admin %s about %s: %s", admin, about, exc)
