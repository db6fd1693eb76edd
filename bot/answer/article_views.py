"""The article views behind an answer's buttons, as Telegram HTML: the quote in its context,
the full article in pages that fit one message, and related coverage. No `telegram` import: the
Telegram layer (bot/telegram/article_buttons.py) only sends what these functions return.

A button names its article by number plus a short check of the article's id, so a button made
before a restart keeps working, and one made before the corpus changed says it expired instead
of opening another article.
"""

from __future__ import annotations

import hashlib
import html
import re
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from enum import StrEnum

from corpusbot.bot.answer.article_context import find_quote, quote_context
from corpusbot.bot.answer.freshness import format_date
from corpusbot.bot.answer.related import related_articles
from corpusbot.bot.answer.render import (
    DETAIL_CHARS,
    MAX_LINK_CHARS,
    TELEGRAM_LIMIT,
    TITLE_CHARS,
    clip,
    escape,
)
from corpusbot.bot.answer.render import message_length as length
from corpusbot.retrieval.index import ArticleInfo, Index

PREFIX = "art"
SENTENCE_OR_WORD = re.compile(r"(?<=[.!?…])\s+|\s+")
RELATED_SHOWN = 5
CONTEXT_AROUND = 1  # paragraphs before and after the quoted one
EXPIRED = "That article is no longer in the corpus (it changed). Please ask again."


class View(StrEnum):
    CONTEXT = "ctx"
    FULL = "full"
    RELATED = "rel"


@dataclass(frozen=True)
class ArticleButton:
    """What a button asks for: a view of article `number`, `first`/`second` its numbers
    (the quote's start and length for the context; the page for the full article)."""

    view: View
    number: int
    check: str
    first: int = 0
    second: int = 0

    def data(self) -> str:
        """Callback data (well within Telegram's 64 bytes)."""
        return f"{PREFIX}:{self.view}:{self.number}:{self.first}:{self.second}:{self.check}"


@dataclass(frozen=True)
class Page:
    text: str  # Telegram HTML
    page: int  # 0-based
    pages: int


CHECK_BYTES = 6  # of the article id's hash a button carries (3 in buttons made before)
_by_check: weakref.WeakKeyDictionary[Index, dict[str, list[int]]] = weakref.WeakKeyDictionary()
_by_check_lock = threading.Lock()


def article_check(article: ArticleInfo, size: int = CHECK_BYTES) -> str:
    """The article's id hashed: what a button names it by (its number is only a hint)."""
    return hashlib.blake2s(article.id.encode("utf-8"), digest_size=size).hexdigest()


def parse(data: str | None) -> ArticleButton | None:
    """The button behind callback data `data`; None for anything else."""
    parts = (data or "").split(":")
    if len(parts) != 6 or parts[0] != PREFIX or parts[1] not in View.__members__.values():
        return None
    numbers = parts[2:5]
    if not all(p.isascii() and p.isdigit() and len(p) <= 9 for p in numbers):
        return None
    number, first, second = map(int, numbers)
    return ArticleButton(View(parts[1]), number, parts[5], first, second)


def resolve(index: Index, button: ArticleButton) -> ArticleInfo | None:
    """The button's article, found by its id's hash: at the number the button names when it is
    still there, else wherever articles that arrived since (or left) moved it; None when the
    corpus no longer has it. May read every article's id once per index: call it in a thread."""
    size = len(button.check) // 2
    if size not in (3, CHECK_BYTES) or len(button.check) != 2 * size:
        return None
    if 1 <= button.number <= len(index.articles):
        article = index.articles[button.number - 1]
        if article_check(article, size) == button.check:
            return article
    if size != CHECK_BYTES:  # a button made before checks grew: found at its number only
        return None
    for number in _numbers_by_check(index).get(button.check, ()):
        article = index.articles[number - 1]
        if article_check(article) == button.check:
            return article
    return None


def _numbers_by_check(index: Index) -> dict[str, list[int]]:
    """The articles' numbers by their id's hash, made once per index."""
    with _by_check_lock:
        found = _by_check.get(index)
        if found is None:
            found = {}
            for article in index.articles:
                found.setdefault(article_check(article), []).append(article.number)
            _by_check[index] = found
        return found


def answer_buttons(index: Index, article: ArticleInfo, quote: str) -> list[ArticleButton]:
    """Context (when the quote is found in the article), Full article and Related."""
    check = article_check(article)
    buttons = []
    found = find_quote(index.article_text(article.number), quote)
    if found is not None:
        buttons.append(
            ArticleButton(View.CONTEXT, article.number, check, found.start, found.end - found.start)
        )
    buttons.append(ArticleButton(View.FULL, article.number, check))
    buttons.append(ArticleButton(View.RELATED, article.number, check))
    return buttons


# --- the views ----------------------------------------------------------------------------


def heading(article: ArticleInfo, label: str) -> str:
    details = " · ".join(
        escape(clip(part, DETAIL_CHARS))
        for part in (article.source, format_date(article.date))
        if part
    )
    title = f"{label}<b>#{article.number} {escape(clip(article.title, TITLE_CHARS))}</b>"
    return f"{title}\n{details}" if details else title


def context_view(
    index: Index, article: ArticleInfo, start: int, size: int, limit: int = TELEGRAM_LIMIT
) -> str | None:
    """The quote's paragraph, the quote in bold, in a blockquote between its neighbours."""
    text = index.article_text(article.number)
    if not 0 <= start < start + size <= len(text):
        return None
    found = quote_context(text, text[start : start + size], around=CONTEXT_AROUND)
    if found is None:
        return None
    head = heading(article, "📖 Context · ")
    quote, mark = found.paragraph, found.quote
    marked = (
        escape(quote[: mark.start])
        + "<b>"
        + escape(quote[mark.start : mark.end])
        + "</b>"
        + escape(quote[mark.end :])
    )
    before, after = list(found.before), list(found.after)
    text_out = _context_text(head, marked, before, after)
    while length(text_out) > limit and (before or after):  # drop the outermost, longer side
        if before and sum(map(len, before)) >= sum(map(len, after)):
            before.pop(0)
        else:
            after.pop()
        text_out = _context_text(head, marked, before, after)
    if length(text_out) > limit:  # one huge paragraph: cut it
        room = max(0, (limit - length(head) - 40) // 5)  # an escaped character is at most 5
        text_out = f"{head}\n\n<blockquote>{escape(clip(quote, room))}</blockquote>"
    return text_out


def _context_text(head: str, marked: str, before: list[str], after: list[str]) -> str:
    return "\n\n".join(
        [
            head,
            *(f"<i>{escape(p)}</i>" for p in before),
            f"<blockquote>{marked}</blockquote>",
            *(f"<i>{escape(p)}</i>" for p in after),
        ]
    )


# An article's pages, cut once and kept for the next pages asked (a long article takes a
# second to cut); a few articles per index, dropped with the index.
PAGED_KEPT = 8
_paged: weakref.WeakKeyDictionary[Index, OrderedDict[tuple[int, int], list[str]]] = (
    weakref.WeakKeyDictionary()
)
_paged_lock = threading.Lock()


def _pages_of(index: Index, number: int, budget: int) -> list[str]:
    """Article `number`'s pages of `budget` escaped characters, cut once per index."""
    with _paged_lock:
        kept = _paged.setdefault(index, OrderedDict())
        pages = kept.get((number, budget))
        if pages is not None:
            kept.move_to_end((number, budget))
            return pages
    pages = page_texts(index.article_text(number), budget)
    with _paged_lock:
        kept[(number, budget)] = pages
        while len(kept) > PAGED_KEPT:
            kept.popitem(last=False)
    return pages


def page_texts(text: str, budget: int) -> list[str]:
    """`text` in pieces of at most `budget` characters (as escaped HTML), cut between
    paragraphs, else between sentences, else between words. Escaping and Telegram's length are
    both made piece by piece, so each piece is measured once and the lengths added up: a page
    of a 3 MB article took seconds when every joined piece was measured again."""
    pages: list[str] = []
    current, size = "", 0
    for paragraph in (p.strip() for p in text.split("\n")):
        if not paragraph:
            continue
        for piece in _fitting(paragraph, budget):
            piece_size = _size(piece)
            joined = size + 2 + piece_size if current else piece_size  # "\n\n" between
            if joined <= budget:
                current, size = (f"{current}\n\n{piece}" if current else piece), joined
            else:
                pages.append(current)
                current, size = piece, piece_size
    if current or not pages:
        pages.append(current)
    return pages


def _size(text: str) -> int:
    """Length in Telegram's units of `text` as escaped HTML."""
    return length(escape(text))


def _fitting(paragraph: str, budget: int) -> list[str]:
    """`paragraph` cut into pieces that each fit `budget` escaped characters."""
    if _size(paragraph) <= budget:
        return [paragraph]
    pieces: list[str] = []
    words: list[str] = []  # the piece being filled, " ".join(words); "" when words == [""]
    size = position = 0
    for match in [*SENTENCE_OR_WORD.finditer(paragraph), None]:
        end = match.start() if match else len(paragraph)
        word = paragraph[position:end]
        position = match.end() if match else end
        word_size = _size(word)
        filled = size > 0 or len(words) > 1  # the piece so far is not empty
        joined = size + 1 + word_size if filled else word_size  # " " between
        if joined <= budget:
            words = [*words, word] if filled else [word]
            size = joined
            continue
        if filled:
            pieces.append(" ".join(words))
        while word_size > budget:  # a "word" longer than a page: cut it hard
            cut = budget // 5  # an escaped character is at most 5 long (&amp;)
            pieces.append(word[:cut])
            word = word[cut:]
            word_size = _size(word)
        words, size = [word], word_size
    if size > 0 or len(words) > 1:
        pieces.append(" ".join(words))
    return pieces


def full_article_page(
    index: Index,
    article: ArticleInfo,
    page: int,
    limit: int = TELEGRAM_LIMIT,
    *,
    with_link: bool = False,
) -> Page | None:
    """Page `page` (0-based) of the article; None past its last page. `with_link`: the
    article's link under its heading (/source N, where no answer around it shows one)."""
    head = heading(article, "📄 ")
    if with_link and article.url and len(article.url) <= MAX_LINK_CHARS:
        href = html.escape(article.url, quote=True)
        link = escape(clip(article.url, DETAIL_CHARS * 2))
        head += f'\n<a href="{href}">{link}</a>'
    footer_room = 40  # "Page 12 of 30" line
    budget = limit - length(head) - footer_room
    pages = _pages_of(index, article.number, budget)
    if not 0 <= page < len(pages):
        return None
    footer = f"\n\n<i>Page {page + 1} of {len(pages)}</i>" if len(pages) > 1 else ""
    return Page(f"{head}\n\n{escape(pages[page])}{footer}", page, len(pages))


def related_view(index: Index, article: ArticleInfo) -> tuple[str, list[ArticleInfo]]:
    """Other coverage of the article's story, and those articles (for their buttons)."""
    found = related_articles(index, article.number, limit=RELATED_SHOWN)
    head = heading(article, "🔗 Related to ")
    if not found:
        return f"{head}\n\nNo other article in the corpus covers this story.", []
    lines = [head, ""]
    for related in found:  # each by its article's number, as its button and /source name it
        other = related.article
        details = ", ".join(
            escape(clip(p, DETAIL_CHARS)) for p in (other.source, format_date(other.date)) if p
        )
        lines.append(
            f"#{other.number} <b>{escape(clip(other.title, TITLE_CHARS))}</b>"
            + (f" — {details}" if details else "")
        )
    return "\n".join(lines), [r.article for r in found]
