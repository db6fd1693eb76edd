"""Inline mode's result cards, as plain records: the best quotes for a query, or the newest
articles for an empty or too short one. No `telegram` import (bot/telegram/inline.py sends them).

Telegram documents at most 50 results per answer and result ids of 1-64 bytes; it documents no
size for titles and descriptions, so they are clipped to what a phone shows in a card (about one
line of title, two or three of description).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from corpusbot.bot.answer import (
    DETAIL_CHARS,
    MAX_LINK_CHARS,
    TELEGRAM_LIMIT,
    Answer,
    clip,
    escape,
    format_date,
    utf16_length,
)
from corpusbot.bot.telegram.messages import opening_paragraph
from corpusbot.retrieval.index import ArticleInfo, Index

MAX_RESULTS = 50  # Telegram's limit per answerInlineQuery
TITLE_CHARS = 100
DESCRIPTION_CHARS = 200
MESSAGE_QUOTE_CHARS = 3000  # the quote in the sent message, well within 4096 with its source
MIN_QUERY_CHARS = 3  # shorter queries show the newest articles


@dataclass(frozen=True)
class InlineCard:
    result_id: str
    title: str  # headline — outlet, date
    description: str  # the quote (or the article's opening)
    message: str  # Telegram HTML sent into the chat when the card is chosen


def wants_newest(query: str) -> bool:
    return len(query.strip()) < MIN_QUERY_CHARS


def quote_cards(reply: Answer, limit: int = MAX_RESULTS) -> list[InlineCard]:
    """One card per quote of `reply`, best first; none for a refusal."""
    if not reply.answered:
        return []
    return [
        InlineCard(
            f"q{rank}",
            card_title(quote.sources[0]),
            clip(quote.text, DESCRIPTION_CHARS),
            _message(quote.text, quote.sources[0]),
        )
        for rank, quote in enumerate(reply.quotes[: min(limit, MAX_RESULTS)])
    ]


def newest_cards(index: Index, limit: int = MAX_RESULTS) -> list[InlineCard]:
    """The newest articles (undated ones last), one card each."""
    dated = sorted(index.articles, key=lambda a: (a.date is not None, a.date or ""), reverse=True)
    cards = []
    for article in dated[: min(limit, MAX_RESULTS)]:
        opening = opening_paragraph(index.article_text(article.number), article.title)
        cards.append(
            InlineCard(
                f"a{article.number}",
                card_title(article),
                clip(opening, DESCRIPTION_CHARS),
                _message(opening, article),
            )
        )
    return cards


def card_title(article: ArticleInfo) -> str:
    details = ", ".join(
        clip(part, DETAIL_CHARS) for part in (article.source, format_date(article.date)) if part
    )
    return clip(f"{article.title} — {details}" if details else article.title, TITLE_CHARS)


def _message(text: str, article: ArticleInfo) -> str:
    """The quote and its source, as the chat will see it."""
    details = ", ".join(
        escape(clip(p, DETAIL_CHARS)) for p in (article.source, format_date(article.date)) if p
    )
    title = escape(clip(article.title, TITLE_CHARS))
    if article.url and len(article.url) <= MAX_LINK_CHARS:
        title = f'<a href="{html.escape(article.url, quote=True)}">{title}</a>'
    source = f"— <i>{title}</i>" + (f", {details}" if details else "")
    room = MESSAGE_QUOTE_CHARS
    # Escaping may lengthen the quote (& is &amp;), and Telegram counts UTF-16 units (a
    # character beyond the BMP, such as U+1D400, is two): shorten until it fits as Telegram counts.
    while True:
        message = f"<blockquote>{escape(clip(text, room))}</blockquote>\n{source}"
        if utf16_length(message) <= TELEGRAM_LIMIT or room < DESCRIPTION_CHARS:
            return message
        room = room * 3 // 4
