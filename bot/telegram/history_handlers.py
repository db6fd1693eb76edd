"""The Telegram side of the history (bot/history/): 👍/👎 under answers, /stats, /forget, and the
hooks the question handlers call to record an answer and to find a "More" button's question
after a restart.

Database calls run in worker threads (asyncio.to_thread) so the event loop never waits on disk.
Callback data of the feedback buttons: ``fb:up:ID``, ``fb:down:ID``, ``fb:why:ID:REASON`` where
ID is the answer's id in the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import (
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler

from corpusbot.bot.answer import Answer, escape
from corpusbot.bot.history import (
    FIRST_PAGE,
    AnswerPage,
    AskedQuestion,
    DownReason,
    FollowStore,
    HistoryStore,
    HistoryUnavailable,
    QuotedArticle,
    Vote,
    VoteState,
    open_store,
    stats_text,
)
from corpusbot.bot.telegram import keyboards
from corpusbot.bot.telegram.bot_state import STATE, AnyContext, BotApplication, service_of
from corpusbot.config.settings import Settings

log = logging.getLogger("corpusbot.history")

Context = AnyContext

STORE = "history_store"  # bot_data: the open HistoryStore, absent when history is off
OFF_REASON = "history_off"  # bot_data: why history could not be opened
NOTICE_GIVEN = "history_notice_given"  # bot_data: the "history is off" notice went out
PREFIX = "fb"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{19}")  # a ButtonSeal token
STATS_DAYS = 14

THANKS = "Thanks for the feedback!"
WHY_DOWN = "Thanks. What was wrong with it?"
GONE = "That answer is no longer kept."
VOTE_NOT_KEPT = "Sorry, I could not save that vote just now (the history is busy). Try again soon."
FORGET_FAILED = (
    "Sorry, I could not delete your data just now: the history database is busy. Nothing was "
    "deleted yet; please send /forget again in a minute."
)
HISTORY_IS_OFF = (
    "Note: I cannot keep a history right now, so there are no 👍/👎 buttons and "
    "“More” buttons will not survive a restart. Answers work as usual."
)
ADMINS_ONLY = "Only the bot's admins can see the statistics."
STATS_OFF = "History is off{why}, so there are no statistics."
NOTHING_KEPT = "I keep no history, so there is nothing about you to forget."
FORGOTTEN = "Done: I deleted everything I kept about you: {questions} and {votes}."


# --- opening and closing (called from telegram_app.build_application / stop) ---------------


@dataclass(frozen=True)
class OpenedHistory:
    """The history database this bot holds (and its lock), or why history is off."""

    store: HistoryStore | None
    off_reason: str = ""

    def close(self) -> None:
        if self.store is not None:
            self.store.close()


def open_history(settings: Settings) -> OpenedHistory:
    """Open the history for this bot. HistoryBusy (another bot has the file) propagates: the bot
    must not start; any other failure leaves history off, with a warning. `corpusbot run` calls
    it before loading the index, so a second bot on the same file stops at once."""
    if not settings.history.enabled:
        return OpenedHistory(None, "disabled")
    try:
        return OpenedHistory(open_store(settings.history))
    except HistoryUnavailable as exc:
        log.warning("history is off: %s", exc)
        return OpenedHistory(None, str(exc))


def attach(
    application: BotApplication,
    settings: Settings,
    opened: OpenedHistory | None = None,
) -> None:
    """Give the bot its history: `opened` if the caller opened it already, else open it now
    (HistoryBusy propagates, as from open_history)."""
    opened = opened or open_history(settings)
    if opened.store is not None:
        application.bot_data[STORE] = opened.store
    else:
        application.bot_data[OFF_REASON] = opened.off_reason


def detach(application: BotApplication) -> None:
    store: HistoryStore | None = application.bot_data.pop(STORE, None)
    if store is not None:
        store.close()


def add_handlers(application: BotApplication) -> None:
    """/stats, /forget and the feedback buttons; added before the bot's own button handler,
    which would otherwise take every button press."""
    application.add_handlers(
        [
            CommandHandler("stats", stats_command),
            CommandHandler("forget", forget_command),
            CallbackQueryHandler(feedback_button, pattern=rf"^{PREFIX}:"),
        ]
    )


def store_of(context: Context) -> HistoryStore | None:
    store: HistoryStore | None = context.bot_data.get(STORE)
    return store


def store_of_app(application: BotApplication) -> HistoryStore | None:
    """The history database outside a handler (start-up, a reload's listener)."""
    store: HistoryStore | None = application.bot_data.get(STORE)
    return store


# --- hooks for the question handlers -------------------------------------------------------


async def answer_id(
    context: Context,
    chat: Chat,
    user: User | None,
    reply: Answer,
    *,
    start: int,
    ref: int | None,
    shown: int,
    scope: frozenset[str] | None = None,
) -> int | None:
    """The id that numbers this reply's buttons: a new record for a first page, the question's
    id for a "More" page; None when history is off (or the write failed). `scope`: a follow-up's
    articles, kept so that its "More" searches them again."""
    store = store_of(context)
    if store is None:
        return None
    if start > 0:  # a More page: its quotes' texts kept too, for a vote on this page
        if ref is not None:
            texts = [(rank, q.text) for rank, q in enumerate(reply.quotes)][start : start + shown]
            try:
                await asyncio.to_thread(store.keep_page_texts, ref, texts)
            except sqlite3.Error as exc:
                log.warning("history: could not keep a page's quotes: %s", exc)
        return ref
    asked = AskedQuestion(
        question=reply.question,
        user_id=user.id if user else None,
        chat_id=chat.id,
        chat_type=chat.type,
        answered=reply.answered,
        reason=str(reply.reason) if reply.reason is not None else None,
        quotes=tuple(
            QuotedArticle(
                q.sources[0].id, q.sources[0].title, q.score, q.text if rank < shown else None
            )
            for rank, q in enumerate(reply.quotes)
        ),
        scope=tuple(sorted(scope or ())),
    )
    try:
        return await asyncio.to_thread(store.record, asked)
    except sqlite3.Error as exc:  # a full disk must not cost the user the answer
        log.warning("history: could not record a question: %s", exc)
        return None


async def kept_question(context: Context, chat_id: int, ref: int) -> str | None:
    """The question behind a "More" button, from the database (so it survives restarts)."""
    store = store_of(context)
    if store is None:
        return None
    try:
        return await asyncio.to_thread(store.question_for, ref, chat_id)
    except sqlite3.Error as exc:
        log.warning("history: could not read question %d: %s", ref, exc)
        return None


async def kept_scope(context: Context, chat_id: int, ref: int) -> frozenset[str] | None:
    """The articles a follow-up behind a "More" button searched first; None for an ordinary
    question (or when history is off, or the read failed)."""
    store = store_of(context)
    if store is None:
        return None
    try:
        return await asyncio.to_thread(store.scope_for, ref, chat_id) or None
    except sqlite3.Error as exc:
        log.warning("history: could not read the scope of question %d: %s", ref, exc)
        return None


def with_feedback(
    context: Context,
    markup: InlineKeyboardMarkup | None,
    answer: int | None,
    answered: bool,
    *,
    chat_id: int,
    page: AnswerPage = FIRST_PAGE,
) -> InlineKeyboardMarkup | None:
    """`markup` with a 👍/👎 row under it, for an answer (not a refusal) that is recorded; the
    buttons carry the answer's number and `page` sealed for `chat_id` (history/privacy.py)."""
    store = store_of(context)
    if answer is None or not answered or store is None:
        return markup
    rows = list(markup.inline_keyboard) if markup else []
    token = store.buttons.seal(_page_number(answer, page), chat_id)
    return InlineKeyboardMarkup([*rows, *feedback_rows(token, VoteState(None))])


def feedback_answer(store: HistoryStore, data: str | None, chat_id: int) -> int | None:
    """The number of the answer a 👍/👎 button of chat `chat_id` stands for; None for any other
    data, or a token sealed for another chat."""
    pressed = parse_feedback(data)
    opened = _opened(store, pressed[1], chat_id) if pressed is not None else None
    return opened[0] if opened is not None else None


# A page's first rank and size each fit below this (a reply shows a handful of quotes).
_PAGE_SPAN = 256


def _page_number(answer: int, page: AnswerPage) -> int:
    """One number for an answer and one of its pages, to seal into a button."""
    shown = page.shown if page.shown is not None else 0
    return (answer * _PAGE_SPAN + min(page.first_rank, _PAGE_SPAN - 1)) * _PAGE_SPAN + min(
        shown, _PAGE_SPAN - 1
    )


def _opened(store: HistoryStore, token: str, chat_id: int) -> tuple[int, AnswerPage] | None:
    """The answer and page a 👍/👎 button's sealed `token` stands for in `chat_id`, if any."""
    number = store.buttons.open(token, chat_id)
    if number is None:
        return None
    rest, shown = divmod(number, _PAGE_SPAN)
    answer, first_rank = divmod(rest, _PAGE_SPAN)
    return answer, AnswerPage(first_rank, shown or None)


def without_more(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """`markup` without its "More" row (what an answer keeps once its "More" was pressed)."""
    rows = [row for row in (markup.inline_keyboard if markup else ()) if not _is_more_row(row)]
    return InlineKeyboardMarkup(rows) if rows else None


async def tell_once_if_off(context: Context, chat_id: int) -> None:
    """Once per run, when history was wanted but could not be opened, say so."""
    reason = context.bot_data.get(OFF_REASON)
    if reason is None or reason == "disabled" or context.bot_data.get(NOTICE_GIVEN):
        return
    context.bot_data[NOTICE_GIVEN] = True
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(chat_id, HISTORY_IS_OFF)


# --- the feedback buttons ------------------------------------------------------------------


def feedback_rows(
    token: str, state: VoteState, counts: tuple[int, int] | None = None
) -> list[list[InlineKeyboardButton]]:
    """👍 / 👎, the chosen one ticked; after a 👎, the reasons (the chosen one ticked). `token`:
    the answer's sealed number (`HistoryStore.buttons`), never the number itself. `counts`
    (👍, 👎): a group's keyboard, which everyone sees, shows how many voted each way instead of
    one person's ticks, and the reasons once someone voted 👎."""

    def tick(label: str, chosen: bool) -> str:
        return f"✓ {label}" if chosen else label

    if counts is not None:
        up, down = f"👍 {counts[0]}", f"👎 {counts[1]}"
        asked_why = counts[1] > 0
    else:
        up, down = tick("👍", state.vote == Vote.UP), tick("👎", state.vote == Vote.DOWN)
        asked_why = state.vote == Vote.DOWN
    rows = [
        [
            InlineKeyboardButton(up, callback_data=f"{PREFIX}:{Vote.UP}:{token}"),
            InlineKeyboardButton(down, callback_data=f"{PREFIX}:{Vote.DOWN}:{token}"),
        ]
    ]
    if asked_why:
        rows.append(
            [
                InlineKeyboardButton(
                    reason.label if counts else tick(reason.label, state.reason == reason),
                    callback_data=f"{PREFIX}:why:{token}:{reason}",
                )
                for reason in DownReason
            ]
        )
    return rows


def parse_feedback(data: str | None) -> tuple[Vote, str, DownReason | None] | None:
    """(vote, sealed answer token, reason) from a feedback button's data; None for anything
    else."""
    parts = (data or "").split(":")
    if len(parts) < 3 or parts[0] != PREFIX or not _TOKEN.fullmatch(parts[2]):
        return None
    answer = parts[2]
    if parts[1] == "why" and len(parts) == 4 and parts[3] in DownReason.__members__.values():
        return Vote.DOWN, answer, DownReason(parts[3])
    if parts[1] in (Vote.UP, Vote.DOWN) and len(parts) == 3:
        return Vote(parts[1]), answer, None
    return None


async def feedback_button(update: Update, context: Context) -> None:
    """Record the vote, then redraw the feedback rows of the message in place."""
    query = update.callback_query
    if query is None:
        return
    pressed = parse_feedback(query.data)
    store = store_of(context)
    message = query.message
    if (
        pressed is None
        or store is None
        or not isinstance(message, Message)
        or update.effective_user is None
    ):
        await query.answer(GONE)
        return
    vote, token, reason = pressed
    # The token opens only in the chat it was sealed for: a vote forged from another chat (or
    # with a number of its own making) counts nowhere.
    opened = _opened(store, token, message.chat.id)
    if opened is None:
        await query.answer(GONE)
        return
    answer, page = opened
    voter = update.effective_user.id
    try:
        state = await asyncio.to_thread(store.vote, answer, voter, vote, reason, page=page)
    except sqlite3.Error as exc:  # locked or full: say so at once, the vote is not kept
        log.warning("history: could not record a vote: %s", exc)
        await query.answer(VOTE_NOT_KEPT)
        return
    if state is None:
        await query.answer(GONE)
        return
    group = message.chat.type != ChatType.PRIVATE
    counts = await asyncio.to_thread(store.vote_counts, answer, page.first_rank) if group else None
    # In a group the keyboard is everyone's: the voter's own choice is told to them alone.
    await query.answer(_acknowledged(state, reason) if group else _thanks(vote, reason))
    rows = [
        row
        for row in (message.reply_markup.inline_keyboard if message.reply_markup else ())
        if not _is_feedback_row(row)
    ]
    markup = InlineKeyboardMarkup([*rows, *feedback_rows(token, state, counts)])
    with contextlib.suppress(BadRequest):  # "not modified": the same vote pressed again
        await query.edit_message_reply_markup(reply_markup=markup)


def _thanks(vote: Vote, reason: DownReason | None) -> str:
    return WHY_DOWN if vote == Vote.DOWN and reason is None else THANKS


def _acknowledged(state: VoteState, reason: DownReason | None) -> str:
    """A group voter's own vote, told to them alone (the keyboard shows only counts)."""
    if state.vote == Vote.UP:
        return "Your vote: 👍. Thanks for the feedback!"
    why = f" ({state.reason.label})" if state.reason else ""
    ask = "" if reason is not None or state.reason else " What was wrong with it?"
    return f"Your vote: 👎{why}.{ask}"


def _is_more_row(row: Sequence[InlineKeyboardButton]) -> bool:
    return any(_is_more(button.callback_data) for button in row)


def _is_more(data: object) -> bool:
    pressed = keyboards.decode(str(data or ""))
    return pressed is not None and pressed.kind in (keyboards.MORE, keyboards.MORE_IN_CHAT)


def _is_feedback_row(row: Sequence[InlineKeyboardButton]) -> bool:
    return any(str(button.callback_data or "").startswith(f"{PREFIX}:") for button in row)


# --- /stats and /forget --------------------------------------------------------------------


async def stats_command(update: Update, context: Context) -> None:
    """/stats (admins only): the last 14 days, as `corpusbot stats` prints them."""
    message, user = update.effective_message, update.effective_user
    if message is None:
        return
    settings: Settings = service_of(context).settings
    if user is None or not settings.telegram.is_admin(user.id):
        await message.reply_html(ADMINS_ONLY)
        return
    store = store_of(context)
    if store is None:
        reason = context.bot_data.get(OFF_REASON, "")
        why = "" if reason in ("", "disabled") else f" ({escape(reason)})"
        await message.reply_html(STATS_OFF.format(why=why))
        return
    stats = await asyncio.to_thread(store.stats, STATS_DAYS)
    private = message.chat.type == ChatType.PRIVATE  # a group's members never read others' words
    report = stats_text(stats, with_texts=private)
    await message.reply_html(f"<pre>{escape(report)}</pre>")


async def forget_command(update: Update, context: Context) -> None:
    """/forget: delete the asking user's questions and votes, and say how many."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    store = store_of(context)
    if store is None:
        await message.reply_html(NOTHING_KEPT)
        return
    follows: FollowStore | None = getattr(context.bot_data.get(STATE), "follows", None)
    try:
        gone = await asyncio.to_thread(store.forget, user.id)
        # the follows of the user's own chat (a group's belong to the group)
        ended = await asyncio.to_thread(follows.forget_chat, user.id) if follows else 0
    except sqlite3.Error as exc:  # locked or damaged: nothing was deleted, and the user is told
        log.warning("history: /forget failed: %s", exc)
        await message.reply_html(FORGET_FAILED)
        return
    log.info("history: /forget deleted %d questions and %d votes", gone.questions, gone.votes)
    text = FORGOTTEN.format(
        questions=_count(gone.questions, "question"), votes=_count(gone.votes, "vote")
    )
    if ended:
        text = text.removesuffix(".") + f", and ended {_count(ended, 'follow')}."
    await message.reply_html(text)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
