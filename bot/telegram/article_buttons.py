"""The Telegram side of the article views (bot/answer/article_views.py): the Context / Full article
/ Related row under an answer, and what pressing those buttons sends.

Context and Related arrive as new messages replying to the answer; the full article arrives as
a new message whose Previous / Next buttons then turn its pages in place.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyParameters, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from corpusbot.bot.answer import Answer, ArticleButton, View, article_views, clip
from corpusbot.bot.telegram.bot_state import AnyContext, BotApplication, service_of
from corpusbot.retrieval.index import ArticleInfo, Index

Context = AnyContext
LABELS = {View.CONTEXT: "Context", View.FULL: "Full article", View.RELATED: "Related"}
TURN_PAGE = 1  # ArticleButton.second of Previous / Next: edit the page in place
NO_CONTEXT = "I could not find that quote in the article any more. Please ask again."
LABEL_CHARS = 40


def add_handlers(application: BotApplication) -> None:
    """The article buttons' handler; added before the bot's own button handler."""
    application.add_handler(CallbackQueryHandler(pressed, pattern=rf"^{article_views.PREFIX}:"))


def with_article_row(
    index: Index, markup: InlineKeyboardMarkup | None, reply: Answer, start: int
) -> InlineKeyboardMarkup | None:
    """`markup` plus a Context / Full article / Related row for the first quote shown, whose
    number each label gives ("Context · 1"): the row acts on that quote alone."""
    if not reply.answered or start >= len(reply.quotes):
        return markup
    quote = reply.quotes[start]
    row = [
        InlineKeyboardButton(f"{LABELS[button.view]} · {start + 1}", callback_data=button.data())
        for button in article_views.answer_buttons(index, quote.sources[0], quote.text)
    ]
    rows = list(markup.inline_keyboard) if markup else []
    return InlineKeyboardMarkup([*rows, row])


def is_article_row(row: tuple[InlineKeyboardButton, ...] | list[InlineKeyboardButton]) -> bool:
    prefix = f"{article_views.PREFIX}:"
    return any(str(button.callback_data or "").startswith(prefix) for button in row)


async def pressed(update: Update, context: Context) -> None:
    """Send (or turn to) the view a button asks for."""
    query = update.callback_query
    if query is None:
        return
    button = article_views.parse(query.data)
    message = query.message
    index: Index = service_of(context).index
    article = await asyncio.to_thread(article_views.resolve, index, button) if button else None
    if button is None or article is None or not isinstance(message, Message):
        await query.answer(article_views.EXPIRED, show_alert=True)
        return
    if button.view == View.CONTEXT:
        text = await asyncio.to_thread(
            article_views.context_view, index, article, button.first, button.second
        )
        if text is None:
            await query.answer(NO_CONTEXT, show_alert=True)
            return
        await query.answer()
        await _send(context, message, text, None)
    elif button.view == View.FULL:
        await _full_article(context, query, message, index, article, button)
    else:
        await query.answer()
        related, others = await asyncio.to_thread(article_views.related_view, index, article)
        await _send(context, message, related, _related_keyboard(others))


async def _full_article(
    context: Context,
    query: Any,
    message: Message,
    index: Index,
    article: ArticleInfo,
    button: ArticleButton,
) -> None:
    # Off the event loop: paging a long article reads and cuts all of it.
    page = await asyncio.to_thread(article_views.full_article_page, index, article, button.first)
    if page is None:
        await query.answer(article_views.EXPIRED, show_alert=True)
        return
    await query.answer()
    markup = _pages_keyboard(article, page.page, page.pages)
    if button.second == TURN_PAGE:
        with contextlib.suppress(BadRequest):  # "not modified": the same page pressed twice
            await query.edit_message_text(page.text, reply_markup=markup)
        return
    await _send(context, message, page.text, markup)


def full_article_message(
    index: Index, article: ArticleInfo
) -> tuple[str, InlineKeyboardMarkup | None] | None:
    """The first page of `article`, with its link, and Next to the others: /source N opens
    the article as its Full article button does. None for an article with no text left."""
    found = article_views.full_article_page(index, article, 0, with_link=True)
    if found is None:
        return None
    return found.text, _pages_keyboard(article, found.page, found.pages)


async def _send(
    context: Context, answer: Message, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    await context.bot.send_message(
        answer.chat.id,
        text,
        reply_markup=markup,
        reply_parameters=ReplyParameters(answer.message_id, allow_sending_without_reply=True),
    )


def _pages_keyboard(article: ArticleInfo, page: int, pages: int) -> InlineKeyboardMarkup | None:
    check = article_views.article_check(article)
    row = []
    if page > 0:
        back = ArticleButton(View.FULL, article.number, check, page - 1, TURN_PAGE)
        row.append(InlineKeyboardButton("« Previous", callback_data=back.data()))
    if page < pages - 1:
        ahead = ArticleButton(View.FULL, article.number, check, page + 1, TURN_PAGE)
        row.append(InlineKeyboardButton("Next »", callback_data=ahead.data()))
    return InlineKeyboardMarkup([row]) if row else None


def _related_keyboard(articles: list[ArticleInfo]) -> InlineKeyboardMarkup | None:
    rows = [
        [
            InlineKeyboardButton(
                clip(f"#{article.number} {article.title}", LABEL_CHARS),
                callback_data=ArticleButton(
                    View.FULL, article.number, article_views.article_check(article)
                ).data(),
            )
        ]
        for article in articles
    ]
    return InlineKeyboardMarkup(rows) if rows else None
