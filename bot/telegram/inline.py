"""Inline mode: ``@bot question`` in any chat shows the best quotes as result cards
(bot/telegram/inline_results.py); choosing one sends the quote with its source into that chat.

The allow-list (handlers.gate) and the per-user rate limit apply to inline queries as to
messages; a refused or limited query gets an empty answer at once rather than a spinner.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineQueryResultArticle, InputTextMessageContent, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import ChosenInlineResultHandler, InlineQueryHandler

from corpusbot.bot.telegram.bot_state import AnyContext, BotApplication, service_of
from corpusbot.bot.telegram.inline_results import (
    InlineCard,
    newest_cards,
    quote_cards,
    wants_newest,
)

log = logging.getLogger("corpusbot.telegram")

Context = AnyContext
CACHE_SECONDS = 60  # Telegram may serve the same query from its cache this long
UPDATES = ("inline_query", "chosen_inline_result")  # for getUpdates' allowed_updates


def add_handlers(application: BotApplication) -> None:
    application.add_handlers(
        [InlineQueryHandler(inline_query), ChosenInlineResultHandler(chosen_result)]
    )


async def inline_query(update: Update, context: Context) -> None:
    """Answer `@bot query` with quote cards, or the newest articles for a short query."""
    query = update.inline_query
    if query is None:
        return
    service = service_of(context)
    if wants_newest(query.query):
        cards = await asyncio.to_thread(newest_cards, service.index)
    else:
        cards = quote_cards(await asyncio.to_thread(service.ask, query.query))
    await query.answer([_result(card) for card in cards], cache_time=CACHE_SECONDS)
    log.info("inline query user=%s results=%d", query.from_user.id, len(cards))


async def chosen_result(update: Update, context: Context) -> None:
    chosen = update.chosen_inline_result
    if chosen is not None:
        log.info("inline result chosen user=%s result=%s", chosen.from_user.id, chosen.result_id)


def _result(card: InlineCard) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        card.result_id,
        card.title,
        InputTextMessageContent(
            card.message,
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
        description=card.description,
    )
