"""Following a story in Telegram: /follow, /following, /unfollow, the alerts' Stop button, and
the outbox that sends alerts (bot/app/follow_matching.py finds them; bot/history/follows.py keeps
them).

Whenever the index takes in new or changed articles (the watcher, /reload, /add, a feed), the
service tells the follows (`Service.listen`), in the reloading thread: the matches are queued in
the outbox there, and the sender, woken, sends them one by one through the bot's rate limiter. An
alert is marked sent only once Telegram took it, so a crash before that sends it after the
restart. A chat that blocked the bot (403) has its follows paused; writing to the bot again
resumes them. Follows need the history database: with history off, /follow says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import sqlite3
import time

from telegram import (
    Chat,
    ChatMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, TypeHandler

from corpusbot.bot.answer import clean_question
from corpusbot.bot.app import Reload, follow_matching, parse_offset, shown_offset
from corpusbot.bot.history import DIGEST, INSTANT, ChatTime, Follow, FollowStore, open_follows
from corpusbot.bot.telegram import alert_sender, history_handlers, messages
from corpusbot.bot.telegram.alert_schedule import schedule
from corpusbot.bot.telegram.bot_state import BotApplication, BotContext, state_of, stop_task

__all__ = ["add_handlers", "start_follows", "stop_follows"]

log = logging.getLogger("corpusbot.telegram")

App = BotApplication
PREFIX = "fol"  # callback data of an alert's Stop following button: fol:<sealed follow id>
FOLLOW_PREFIX = "fon"  # an answer's 🔔 Follow button: fon:<sealed answer id>
MODE_PREFIX = "fmo"  # a confirmation's Instant / Daily digest: fmo:<i|d>:<sealed follow id>
FOLLOW_LABEL = "🔔 Follow"
MODES = {"i": (INSTANT, "Instant"), "d": (DIGEST, "Daily digest")}


def add_handlers(application: App) -> None:
    """The follow commands and the Stop button; added before the bot's own button handler.
    A message from a chat whose follows were paused (it had blocked the bot) resumes them."""
    application.add_handlers(
        [
            CommandHandler("follow", follow_command),
            CommandHandler("following", following_command),
            CommandHandler("unfollow", unfollow_command),
            CallbackQueryHandler(stop_pressed, pattern=rf"^{PREFIX}:"),
            CallbackQueryHandler(follow_pressed, pattern=rf"^{FOLLOW_PREFIX}:"),
            CallbackQueryHandler(mode_pressed, pattern=rf"^{MODE_PREFIX}:"),
            CommandHandler("timezone", timezone_command),
            CommandHandler("digest", digest_command),
        ]
    )
    application.add_handler(TypeHandler(Update, resume_paused), group=1)


async def start_follows(application: App) -> None:
    """Open the follows (when the history is on) and start the sender."""
    state = state_of(application)
    settings = state.service.settings
    if history_handlers.store_of_app(application) is None:
        return
    try:
        state.follows = await asyncio.to_thread(open_follows, settings.history.path)
    except (OSError, sqlite3.Error) as exc:
        log.warning("follows are off: cannot use %s: %s", settings.history.path, exc)
        return
    state.outbox_ready = asyncio.Event()
    loop = asyncio.get_running_loop()
    wake = state.outbox_ready

    def on_reload(result: Reload) -> None:
        if queue_alerts(application, result):
            loop.call_soon_threadsafe(wake.set)

    state.service.listen(on_reload)
    state.sender = asyncio.create_task(alert_sender.send_alerts(application), name="alert-sender")


async def stop_follows(application: App) -> None:
    state = state_of(application)
    sender, state.sender = state.sender, None
    await stop_task(sender)
    follows, state.follows = state.follows, None
    if follows is not None:
        follows.close()


# --- matching: in the reloading thread ------------------------------------------------------


def queue_alerts(application: App, result: Reload) -> int:
    """Queue the alerts the reload's new and changed articles bring; how many were new."""
    state = state_of(application)
    store, service = state.follows, state.service
    seal = history_handlers.store_of_app(application)
    if store is None or seal is None or not result.ok:
        return 0
    index = service.index
    paths = [*result.changes.added, *result.changes.changed]
    quiet, state.quiet_paths = state.quiet_paths, set()
    new = follow_matching.new_articles(index, (p for p in paths if p not in quiet))
    settings = service.settings.follows
    if len(new) > settings.backlog:
        log.info("follows: %d new articles at once, announced to no one", len(new))
        return 0
    follows = store.every()
    first_page = service.settings.answer.max_quotes
    found = follow_matching.matches(
        follows,
        new,
        index=index,
        ask=service.ask,
        first_page=first_page,
        min_coverage=service.settings.answer.min_coverage,
        min_share=settings.min_share,
    )

    def stop_data(follow: Follow) -> str:
        return f"{PREFIX}:{seal.buttons.seal(follow.id, follow.chat_id)}"

    alerts = follow_matching.alerts_for(found, index, stop_data=stop_data)
    modes = {follow.id: follow.mode for follow in follows}
    queued = store.queue(schedule(store, alerts, modes, now=time.time(), settings=settings))
    if queued:
        log.info("follows: %d alerts queued", queued)
    return queued


# --- a paused chat that writes again --------------------------------------------------------


async def resume_paused(update: Update, context: BotContext) -> None:
    """A chat whose follows were paused wrote again: it can be written to, so resume them."""
    store, chat = context.state.follows, update.effective_chat
    if store is None or chat is None or update.effective_message is None:
        return
    if await asyncio.to_thread(store.set_paused, chat.id, False):
        log.info("follows: chat %s resumed", chat.id)
        context.state.outbox_ready.set()


# --- the commands ---------------------------------------------------------------------------


async def follow_command(update: Update, context: BotContext) -> None:
    """/follow WORDS: save them; show what the last 7 days would have sent."""
    managed = await _managed(update, context)
    if managed is None:
        return
    message, _ = managed
    limit = context.service.settings.answer.max_question_chars
    words, _ = clean_question(" ".join(context.args or []), limit)
    if not words:
        await message.reply_html(messages.FOLLOW_USAGE)
        return
    await _follow(context, message, message.chat_id, words)


async def _follow(context: BotContext, message: Message, chat_id: int, words: str) -> None:
    """In reply to `message`, the follow of `words` shown before it is saved (what it would
    have sent lately), with the buttons that save it; a follow the chat has already, shown
    with its mode."""
    store = context.state.follows
    follow = await asyncio.to_thread(store.add, chat_id, words, pending=True) if store else None
    if follow is None:
        await message.reply_html(messages.FOLLOW_TOO_MANY)
        return
    today = dt.datetime.now(dt.UTC).date()
    answer, recent = await asyncio.to_thread(
        follow_matching.lately, context.service, words, today=today
    )
    seal = history_handlers.store_of(context)
    buttons = None
    if seal is not None:
        token = seal.buttons.seal(follow.id, chat_id)
        buttons = _confirmation_keyboard(token, None if follow.pending else follow.mode)
    days = follow_matching.RECENT_DAYS
    text = messages.follow_preview(words, answer, recent, days, saved=not follow.pending)
    await message.reply_html(text, reply_markup=buttons)


def _confirmation_keyboard(token: str, mode: str | None) -> InlineKeyboardMarkup:
    """[Instant] [Daily digest], which save the follow (`mode` None: not saved yet); once saved,
    its mode ticked and [Stop following]."""
    choices = [
        InlineKeyboardButton(
            f"✓ {label}" if chosen == mode else label, callback_data=f"{MODE_PREFIX}:{key}:{token}"
        )
        for key, (chosen, label) in MODES.items()
    ]
    if mode is None:
        return InlineKeyboardMarkup([choices])
    stop = InlineKeyboardButton(follow_matching.STOP_LABEL, callback_data=f"{PREFIX}:{token}")
    return InlineKeyboardMarkup([choices, [stop]])


async def mode_pressed(update: Update, context: BotContext) -> None:
    """A confirmation's [Instant] or [Daily digest]: saves the follow, alerting so (or changes
    how a saved one alerts)."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None or not await _button_allowed(update, context):
        return
    store, seal = context.state.follows, history_handlers.store_of(context)
    _, key, token = [*(query.data or "").split(":", 2), "", ""][:3]
    follow_id = seal.buttons.open(token, chat.id) if seal is not None else None
    if store is None or follow_id is None or key not in MODES:
        await query.answer(messages.FOLLOW_GONE)
        return
    mode = MODES[key][0]
    if not await asyncio.to_thread(store.confirm, follow_id, chat.id, mode):
        await query.answer(messages.FOLLOW_GONE)
        return
    time_of = await asyncio.to_thread(
        store.chat_time, chat.id, default_hour=context.service.settings.follows.digest_hour
    )
    await query.answer(messages.mode_chosen(mode == DIGEST, time_of.digest_hour))
    with contextlib.suppress(TelegramError):
        await query.edit_message_reply_markup(_confirmation_keyboard(token, mode))


async def timezone_command(update: Update, context: BotContext) -> None:
    """/timezone +2: the chat's offset from UTC, which its digest's hour and day follow."""
    await _set_time(update, context, offset=" ".join(context.args or []))


async def digest_command(update: Update, context: BotContext) -> None:
    """/digest HOUR: the hour, in the chat's time, its daily digest comes at."""
    await _set_time(update, context, hour=" ".join(context.args or []))


async def _set_time(
    update: Update, context: BotContext, *, offset: str | None = None, hour: str | None = None
) -> None:
    managed = await _managed(update, context)
    if managed is None:
        return
    message, store = managed
    default_hour = context.service.settings.follows.digest_hour
    now = await asyncio.to_thread(store.chat_time, message.chat_id, default_hour=default_hour)
    if offset:
        minutes = parse_offset(offset)
        if minutes is None:
            await message.reply_html(messages.TIMEZONE_USAGE)
            return
        now = ChatTime(minutes, now.digest_hour)
    elif hour:
        if not (hour.isascii() and hour.isdigit() and 0 <= int(hour) <= 23):
            await message.reply_html(messages.DIGEST_USAGE)
            return
        now = ChatTime(now.utc_offset, int(hour))
    if offset or hour:
        await asyncio.to_thread(store.set_chat_time, message.chat_id, now)
    await message.reply_html(messages.time_settings(shown_offset(now.utc_offset), now.digest_hour))


def with_follow_button(
    context: BotContext,
    markup: InlineKeyboardMarkup | None,
    answer_id: int | None,
    answered: bool,
    *,
    chat_id: int,
) -> InlineKeyboardMarkup | None:
    """`markup` with a 🔔 Follow row for an answer that is recorded, when follows are on: it
    follows the question the answer answered."""
    seal = history_handlers.store_of(context)
    if answer_id is None or not answered or seal is None or context.state.follows is None:
        return markup
    data = f"{FOLLOW_PREFIX}:{seal.buttons.seal(answer_id, chat_id)}"
    rows = list(markup.inline_keyboard) if markup else []
    return InlineKeyboardMarkup([*rows, [InlineKeyboardButton(FOLLOW_LABEL, callback_data=data)]])


async def follow_pressed(update: Update, context: BotContext) -> None:
    """An answer's 🔔 Follow button: follow the question it answered."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None or not isinstance(query.message, Message):
        return
    if not await _button_allowed(update, context):
        return
    seal = history_handlers.store_of(context)
    token = (query.data or "").partition(":")[2]
    answer_id = seal.buttons.open(token, chat.id) if seal is not None else None
    question = (
        await history_handlers.kept_question(context, chat.id, answer_id) if answer_id else None
    )
    if question is None or context.state.follows is None:
        await query.answer(messages.STALE_BUTTON)
        return
    await query.answer()
    await _follow(context, query.message, chat.id, question)


async def following_command(update: Update, context: BotContext) -> None:
    """/following: the chat's follows, numbered for /unfollow N."""
    managed = await _managed(update, context)
    if managed is not None:
        message, store = managed
        follows = await asyncio.to_thread(store.of_chat, message.chat_id)
        await message.reply_html(messages.following(follows))


async def unfollow_command(update: Update, context: BotContext) -> None:
    """/unfollow N: end the chat's follow number N (of /following)."""
    managed = await _managed(update, context)
    if managed is None:
        return
    message, store = managed
    follows = await asyncio.to_thread(store.of_chat, message.chat_id)
    wanted = (context.args or [""])[0]
    if not (wanted.isascii() and wanted.isdigit() and 1 <= int(wanted) <= len(follows)):
        await message.reply_html(messages.unfollow_usage(len(follows)))
        return
    follow = follows[int(wanted) - 1]
    await asyncio.to_thread(store.remove, follow.id, message.chat_id)
    await message.reply_html(messages.unfollowed(follow.query))


async def stop_pressed(update: Update, context: BotContext) -> None:
    """An alert's (or a confirmation's) Stop following button."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None or not await _button_allowed(update, context):
        return
    store, seal = context.state.follows, history_handlers.store_of(context)
    token = (query.data or "").partition(":")[2]
    follow_id = seal.buttons.open(token, chat.id) if seal is not None else None
    follow = await asyncio.to_thread(store.get, follow_id) if store and follow_id else None
    if store is None or follow is None or follow.chat_id != chat.id:
        await query.answer(messages.FOLLOW_GONE)
        return
    await asyncio.to_thread(store.remove, follow.id, chat.id)
    await query.answer(messages.unfollowed_plain(follow.query))
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(_without_stop(query.message.reply_markup))


def _without_stop(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    rows = [
        [b for b in row if not str(b.callback_data or "").startswith(f"{PREFIX}:")]
        for row in (markup.inline_keyboard if markup else ())
    ]
    kept = [row for row in rows if row]
    return InlineKeyboardMarkup(kept) if kept else None


async def _managed(update: Update, context: BotContext) -> tuple[Message, FollowStore] | None:
    """A command's message and the follows, when they are on and the sender may manage the
    chat's; else the sender is told why not."""
    message, store = update.effective_message, context.state.follows
    if message is None:
        return None
    if store is None:
        await message.reply_html(messages.FOLLOWS_OFF)
        return None
    if not await _may_manage(context, message.chat, message.from_user):
        await message.reply_html(messages.FOLLOWS_ADMINS_ONLY)
        return None
    return message, store


async def _may_manage(context: BotContext, chat: Chat, user: User | None) -> bool:
    """Anyone in a private chat, and in a group any member, unless [follows]
    group_admins_only: then the group's Telegram administrators only."""
    if chat.type == Chat.PRIVATE or not context.service.settings.follows.group_admins_only:
        return True
    if user is None:
        return False
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as exc:  # unknown: refused, not allowed
        log.info(
            "follows: could not tell whether user %s administers chat %s: %s", user.id, chat.id, exc
        )
        return False
    return member.status in (ChatMember.OWNER, ChatMember.ADMINISTRATOR)


async def _button_allowed(update: Update, context: BotContext) -> bool:
    """A follow button pressed by someone who may manage the chat's follows; others are told."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None:
        return False
    if await _may_manage(context, chat, update.effective_user):
        return True
    await query.answer(messages.FOLLOWS_ADMINS_ONLY)
    return False
