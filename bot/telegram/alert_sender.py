"""The outbox's sender: the alerts of follows sent through the bot's rate limiter, each marked
sent once Telegram took it (bot/history/follows.py keeps them).

It looks at start (what a crash or a stop left), when woken (new alerts, a chat that wrote
again), when the next alert waiting to retry or the next digest is due, and every SEND_EVERY
seconds. Flood control waits as told and tries the same alert again; a chat that blocked the
bot, or is gone, has its follows paused (its alerts kept); other failures retry with growing
delays. Nothing is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from corpusbot.bot.history import Alert, FollowStore, QueuedAlert
from corpusbot.bot.telegram import messages
from corpusbot.bot.telegram.bot_state import BotApplication, BotState, state_of

__all__ = ["send_alerts"]

log = logging.getLogger("corpusbot.telegram")

App = BotApplication
SEND_EVERY = 30.0  # seconds between looks at the outbox when nothing woke the sender
RETRY_SECONDS = (5.0, 30.0, 120.0, 600.0, 3600.0)  # after each failed send, then hourly


async def send_alerts(application: App) -> None:
    """Send what the outbox holds: at start (what a crash or a stop left), when woken, when
    the next alert waiting to retry (or the next digest) is due, and every SEND_EVERY seconds;
    until cancelled."""
    state = state_of(application)
    while True:
        wait = SEND_EVERY
        try:
            await _send_due(application, state)
            if state.follows is not None:
                due = await asyncio.to_thread(state.follows.next_due)
                if due is not None:
                    wait = min(SEND_EVERY, max(0.05, due - time.time()))
        except Exception:  # the sender must outlive any one failure
            log.exception("sending alerts failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(state.outbox_ready.wait(), wait)
        state.outbox_ready.clear()


async def _send_due(application: App, state: BotState) -> None:
    store = state.follows
    if store is None:
        return
    while due := await asyncio.to_thread(store.due):
        for queued in due:
            await _send_one(application, store, queued.alert, queued.attempts)
    digests = await asyncio.to_thread(store.due, 500, digest=True)
    by_chat: dict[int, list[QueuedAlert]] = {}
    for queued in digests:
        by_chat.setdefault(queued.alert.chat_id, []).append(queued)
    for chat_id, queued_alerts in by_chat.items():
        await _send_digest(application, store, chat_id, [q.alert for q in queued_alerts])


async def _send_digest(
    application: App, store: FollowStore, chat_id: int, alerts: list[Alert]
) -> None:
    """A chat's digest: its alerts in as few messages as fit, each marked sent once taken."""
    for part in messages.digest_parts([alert.text for alert in alerts]):
        try:
            await application.bot.send_message(chat_id, part.text)
        except RetryAfter as exc:
            await asyncio.sleep(float(getattr(exc, "retry_after", 1) or 1))
            return
        except (Forbidden, BadRequest) as exc:
            paused = await asyncio.to_thread(store.set_paused, chat_id, True)
            log.info("follows: chat %s paused (%d follows): %s", chat_id, paused, exc)
            return
        except (NetworkError, TelegramError) as exc:
            for alert in alerts:
                await asyncio.to_thread(store.retry_later, alert, RETRY_SECONDS[1])
            log.info("follows: a digest waits: %s", exc)
            return
        for index in part.items:
            await asyncio.to_thread(store.sent, alerts[index])


async def _send_one(application: App, store: FollowStore, alert: Alert, attempts: int) -> None:
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in alert.buttons]]
    )
    try:
        await application.bot.send_message(alert.chat_id, alert.text, reply_markup=markup)
    except RetryAfter as exc:  # flood control: wait as told, then the same alert again
        await asyncio.sleep(float(getattr(exc, "retry_after", 1) or 1))
        return
    except (Forbidden, BadRequest) as exc:  # blocked, or the chat is gone: pause, keep alerts
        paused = await asyncio.to_thread(store.set_paused, alert.chat_id, True)
        log.info("follows: chat %s paused (%d follows): %s", alert.chat_id, paused, exc)
        return
    except (NetworkError, TelegramError) as exc:
        delay = RETRY_SECONDS[min(attempts, len(RETRY_SECONDS) - 1)]
        log.info("follows: an alert waits %g s: %s", delay, exc)
        await asyncio.to_thread(store.retry_later, alert, delay)
        return
    await asyncio.to_thread(store.sent, alert)
