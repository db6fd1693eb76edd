"""The Telegram side of follow-up questions (bot/answer/followup_search.py): which articles the
answer a message replies to quoted.

The answer is recognised by its buttons: its id in the history database (``more:N:ID`` or
``fb:…:ID``) gives every article it quoted; without history, its Context / Full article / Related
row names the first one. A reply to any other message is an ordinary question.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, Message

from corpusbot.bot.answer import FollowUp, article_views, ask_follow_up
from corpusbot.bot.history import HistoryStore
from corpusbot.bot.telegram import history_handlers, keyboards
from corpusbot.bot.telegram.bot_state import AnyContext, service_of
from corpusbot.retrieval.index import Index

log = logging.getLogger("corpusbot.telegram")

Context = AnyContext


@dataclass(frozen=True)
class RepliedAnswer:
    """The bot's answer a message replies to."""

    articles: frozenset[str]  # the articles it quoted, searched first
    question: str | None  # the question it answered, while still kept


async def replied_answer(context: Context, message: Message) -> RepliedAnswer | None:
    """The bot's answer `message` replies to; None if it replies to none."""
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
        return None
    markup = replied.reply_markup
    ids = await _recorded_articles(context, replied.chat.id, markup)
    index: Index = service_of(context).index
    ids.extend(await asyncio.to_thread(_articles_of_buttons, index, markup))
    if not ids:
        return None
    question = await _answered_question(context, replied.chat.id, markup)
    return RepliedAnswer(frozenset(ids), question)


async def _answered_question(
    context: Context, chat_id: int, markup: InlineKeyboardMarkup | None
) -> str | None:
    """The question behind an answer, from the history database, else from the chat's memory
    of the questions behind its More buttons."""
    store = history_handlers.store_of(context)
    answer = _answer_id(store, markup, chat_id) if store is not None else None
    if answer is not None:
        question = await history_handlers.kept_question(context, chat_id, answer)
        if question is not None:
            return question
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            more = keyboards.decode(str(button.callback_data or ""))
            if more is not None and more.kind == keyboards.MORE_IN_CHAT and context.chat_data:
                asked: str | None = context.chat_data.asked.get(more.ref)
                return asked
    return None


async def _recorded_articles(
    context: Context, chat_id: int, markup: InlineKeyboardMarkup | None
) -> list[str]:
    store = history_handlers.store_of(context)
    answer = _answer_id(store, markup, chat_id) if store is not None else None
    if store is None or answer is None:
        return []
    try:
        return await asyncio.to_thread(store.quoted_articles, answer, chat_id)
    except sqlite3.Error as exc:
        log.warning("history: could not read the articles of answer %d: %s", answer, exc)
        return []


def _answer_id(
    store: HistoryStore, markup: InlineKeyboardMarkup | None, chat_id: int
) -> int | None:
    """The answer's id in the history database, from its More or 👍/👎 button."""
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            data = str(button.callback_data or "")
            more = keyboards.decode(data)
            if more is not None and more.kind == keyboards.MORE:
                return more.ref
            voted = history_handlers.feedback_answer(store, data, chat_id)
            if voted is not None:
                return voted
    return None


def _articles_of_buttons(index: Index, markup: InlineKeyboardMarkup | None) -> list[str]:
    found = []
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            pressed = article_views.parse(str(button.callback_data or ""))
            article = article_views.resolve(index, pressed) if pressed else None
            if article is not None:
                found.append(article.id)
    return found


async def ask(context: Context, question: str, scope: frozenset[str]) -> FollowUp:
    """The follow-up's answer, composed in a worker thread."""
    service = service_of(context)
    return await asyncio.to_thread(
        ask_follow_up, service.index, question, scope, service.settings.answer
    )
