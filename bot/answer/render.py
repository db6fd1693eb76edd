"""An `Answer` as Telegram HTML or as plain text, from the templates in config/templates/.

Everything that comes from the corpus or the question is escaped; a Telegram reply stays within
the 4096-character message limit by showing fewer quotes or shortening one on a word boundary,
never by cutting the HTML itself.
"""

from __future__ import annotations

import html
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from string import Template

from corpusbot.bot.answer.compose import Answer, Quote
from corpusbot.bot.answer.freshness import age_between, format_date
from corpusbot.bot.answer.plurals import counted
from corpusbot.bot.answer.text_limits import (
    TELEGRAM_LIMIT,
    clip,
    clip_escaped,
    escape,
    utf16_length,
)
from corpusbot.config import TEMPLATES_DIR
from corpusbot.retrieval.index import ArticleInfo

__all__ = [
    "TELEGRAM_LIMIT",
    "Context",
    "Rendered",
    "clip",
    "escape",
    "message_length",
    "render_html",
    "render_text",
]

# Quotes longer than this are sent as expandable blockquotes (collapsed to a few lines).
EXPANDABLE_FROM = 300
# Characters kept free for the "3 of 12 quotes." line under the quotes.
TAIL_ROOM = 120
ALERT_CHARS = 600  # of the sentence an alert quotes
# Citation parts are clipped to these lengths; longer links are left out rather than cut.
TITLE_CHARS = 150
DETAIL_CHARS = 60
MAX_LINK_CHARS = 1000
# Quotation marks a passage may open with, so plain text does not print ““.
OPENING_MARKS = ("“", '"', "«", "„")
# The "Also reported in" list stops at this many UTF-16 units and counts the rest, so a story
# carried by dozens of outlets still fits in one message.
ALSO_CHARS = 600


@dataclass(frozen=True)
class Rendered:
    text: str
    shown: int  # quotes shown, from `start`
    total: int  # quotes in the answer


@dataclass(frozen=True)
class Context:
    """What a reply may mention besides the answer itself."""

    articles: int
    example: str
    max_question_chars: int


@lru_cache(maxsize=2)
def templates(kind: str) -> dict[str, Template]:
    with (TEMPLATES_DIR / f"{kind}.toml").open("rb") as handle:
        return {name: _Pieces(text) for name, text in tomllib.load(handle).items()}


class _Pieces(Template):
    """A `Template` cut once into its literal text and placeholders: `substitute` joins them,
    where `Template` runs a regex with a callback per call (a reply with a few quotes and their
    other sources substitutes a few dozen times, and that was a third of rendering it). Any
    template `Template` would refuse (a stray `$`) is left to it, and refused the same way."""

    def __init__(self, template: str) -> None:
        super().__init__(template)
        self._pieces: list[tuple[str, str | None]] | None = []
        position = 0
        for match in self.pattern.finditer(template):
            if match.group("invalid") is not None:
                self._pieces = None
                return
            name = match.group("named") or match.group("braced")
            literal = template[position : match.start()] + ("" if name else self.delimiter)
            self._pieces.append((literal, name))
            position = match.end()
        self._pieces.append((template[position:], None))

    def substitute(self, mapping: Mapping[str, object] | None = None, /, **values: object) -> str:
        if self._pieces is None:
            return super().substitute(mapping or {}, **values)
        given = {**mapping, **values} if mapping else values
        return "".join(
            literal + str(given[name]) if name else literal for literal, name in self._pieces
        )


def message_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return utf16_length(text)


def render_html(
    answer: Answer, context: Context, start: int = 0, count: int = 3, limit: int = TELEGRAM_LIMIT
) -> Rendered:
    return _render(answer, context, start, count, limit, html=True)


def render_text(answer: Answer, context: Context, start: int = 0, count: int = 3) -> Rendered:
    return _render(answer, context, start, count, limit=None, html=False)


def _render(
    answer: Answer, context: Context, start: int, count: int, limit: int | None, html: bool
) -> Rendered:
    t = templates("html" if html else "text")
    esc = escape if html else _plain
    total = len(answer.quotes)
    scope_head = _scope_line(t, answer, esc)
    if not answer.answered:
        reason = (answer.reason or "not_found") if context.articles else "no_articles"
        example = t["example"].substitute(question=esc(context.example)) if context.example else ""
        hint = (
            t["suggestion"].substitute(words=esc(" or ".join(answer.suggestions)))
            if answer.suggestions
            else ""
        )
        text = t[reason].substitute(
            example=example,
            articles=counted(context.articles, "article"),
            note=esc(_scope_note(answer, reason)),
            missing=esc(", ".join(answer.missing)),
            suggestion=hint,
        )
        if answer.missing and "$missing" not in t[reason].template:
            text = t["missing"].substitute(missing=esc(", ".join(answer.missing))) + text
        # "From articles of 2019:" says where nothing was found; "Newest first:" says nothing
        # over a refusal.
        ranged = answer.scope is not None and answer.scope.phrase is not None
        text = (scope_head if reason == "not_found" and ranged else "") + text
        if answer.related:  # offered beside the refusal, marked as what it is
            head = text + t["related"].template
            blocks = _blocks(t, answer.related, 0, count, head, limit, html)
            return Rendered(head + t["separator"].template.join(blocks), 0, 0)
        return Rendered(text, 0, 0)
    head = scope_head + (
        t["question_cut"].substitute(limit=context.max_question_chars)
        if answer.question_cut
        else ""
    )
    if answer.respelled:
        head = t["respelled"].substitute(words=esc(_respellings(answer))) + head
    if answer.missing:
        head = t["missing"].substitute(missing=esc(", ".join(answer.missing))) + head
    blocks = _blocks(t, answer.quotes, start, count, head, limit, html)
    shown = len(blocks)
    tail = t["more"].substitute(shown=start + shown, total=total) if start + shown < total else ""
    return Rendered(head + t["separator"].template.join(blocks) + tail, shown, total)


def _blocks(
    t: dict[str, Template],
    quotes: tuple[Quote, ...],
    start: int,
    count: int,
    head: str,
    limit: int | None,
    html: bool,
) -> list[str]:
    """The numbered blocks of `quotes[start : start + count]` that fit under `head` within
    `limit` (the first one shortened if even it alone does not)."""
    blocks: list[str] = []
    for number, quote in enumerate(quotes[start : start + count], start=start + 1):
        block = _quote_block(t, quote, number, html)
        candidate = head + t["separator"].template.join([*blocks, block])
        if limit is not None and message_length(candidate) + TAIL_ROOM > limit:
            if blocks:
                break
            block = _shortened_block(t, quote, number, limit - message_length(head) - TAIL_ROOM)
        blocks.append(block)
    return blocks


def render_alert(follow: str, quote: Quote) -> str:
    """An alert of the follow `follow` (Telegram HTML): the new article's citation (headline,
    outlet, date, link), its matching sentence with the follow's words in bold, and the other
    articles that tell the same story."""
    t = templates("html")
    lead = _split_lead(quote)[0] if 0 < quote.lead < len(quote.text) else quote
    if len(lead.text) > ALERT_CHARS:
        lead = _cut(lead, ALERT_CHARS)
    others = _also_reported(t, quote.sources[1:], escape, newer=quote.sources[0])
    return t["alert"].substitute(
        follow=clip_escaped(follow, TITLE_CHARS),
        citation=_citation(t, quote.sources[0], escape),
        text=_highlighted(lead),
        also=t["also"].substitute(others=others) if others else "",
    )


def _respellings(answer: Answer) -> str:
    """ "Raeisi", or "Raisi or Raeisi" when the corpus's spelling was searched beside the user's."""
    return ", ".join(
        " or ".join((r.asked, *r.used) if r.added else r.used) for r in answer.respelled
    )


def _quote_block(t: dict[str, Template], quote: Quote, number: int, html: bool) -> str:
    text = _highlighted(quote) if html else _quoted(quote.text)
    expandable = " expandable" if len(quote.text) > EXPANDABLE_FROM else ""
    esc = escape if html else _plain
    citation = _citation(t, quote.sources[0], esc)
    others = _also_reported(t, quote.sources[1:], esc, newer=quote.sources[0])
    also = t["also"].substitute(others=others) if others else ""
    if html and expandable and 0 < quote.lead < len(quote.text):
        # The answer-bearing sentence stays outside the collapsed part, on any screen.
        lead, rest = _split_lead(quote)
        return (
            t["quote_lead"].substitute(
                number=number, citation=citation, lead=_highlighted(lead), rest=_highlighted(rest)
            )
            + also
        )
    return (
        t["quote"].substitute(number=number, citation=citation, expandable=expandable, text=text)
        + also
    )


def _split_lead(quote: Quote) -> tuple[Quote, Quote]:
    """The quote's opening sentence and the rest, each with its own highlights."""
    cut = quote.lead
    rest = quote.text[cut:].lstrip()
    shift = len(quote.text) - len(rest)
    lead = Quote(
        quote.text[:cut],
        tuple(h for h in quote.highlights if h[1] <= cut),
        quote.sources,
        quote.score,
    )
    tail = Quote(
        rest,
        tuple((s - shift, e - shift) for s, e in quote.highlights if s >= shift),
        quote.sources,
        quote.score,
    )
    return lead, tail


def _shortened_block(t: dict[str, Template], quote: Quote, number: int, budget: int) -> str:
    """The quote cut on a word boundary until its block fits in `budget` characters."""
    low, high = 0, len(quote.text)
    best = _quote_block(t, _cut(quote, 0), number, True)
    while low <= high:
        middle = (low + high) // 2
        block = _quote_block(t, _cut(quote, middle), number, True)
        if message_length(block) <= budget:
            best, low = block, middle + 1
        else:
            high = middle - 1
    return best


def _cut(quote: Quote, length: int) -> Quote:
    if length >= len(quote.text):
        return quote
    text = quote.text[:length].rsplit(" ", 1)[0].rstrip() + " …"
    spans = tuple((s, e) for s, e in quote.highlights if e <= len(text) - 2)
    return Quote(text, spans, quote.sources, quote.score)


def _quoted(text: str) -> str:
    """Plain text between quotation marks, unless it opens with one of its own: “““Any” read
    as a stutter, and the number before it already marks where the quote starts."""
    return text if text.startswith(OPENING_MARKS) else f"“{text}”"


def _highlighted(quote: Quote) -> str:
    """The quote escaped, with the question's words in bold."""
    pieces, position = [], 0
    for start, end in quote.highlights:
        pieces.append(escape(quote.text[position:start]))
        pieces.append(f"<b>{escape(quote.text[start:end])}</b>")
        position = end
    pieces.append(escape(quote.text[position:]))
    return "".join(pieces)


def _also_reported(
    t: dict[str, Template],
    others: tuple[ArticleInfo, ...],
    esc: Callable[[str], str],
    *,
    newer: ArticleInfo,
) -> str:
    """The other articles' citations up to ALSO_CHARS, then how many more there are."""
    shown: list[str] = []
    used = 0
    for article in others:
        citation = _citation(t, article, esc, newer=newer)
        used += utf16_length(citation) + 2  # ", "
        if used > ALSO_CHARS:
            break
        shown.append(citation)
    rest = len(others) - len(shown)
    if rest:
        shown.append(f"and {rest} more" if shown else f"{rest} other articles")
    return ", ".join(shown)


def _citation(
    t: dict[str, Template],
    article: ArticleInfo,
    esc: Callable[[str], str],
    *,
    newer: ArticleInfo | None = None,
) -> str:
    """Headline, outlet and date ("12 Apr 2021"; beside a `newer` report of the same story, how
    much older), each clipped: the corpus may hold any length of them. The file name is left to
    /source N and --json. In HTML the clipping counts the escaped text, which can be five times
    longer (&amp;)."""
    fit = clip_escaped if esc is escape else clip
    parts = [
        fit(part, DETAIL_CHARS) for part in (article.source, format_date(article.date)) if part
    ]
    age = age_between(article, newer) if newer is not None else None
    if age:
        parts.append(esc(f"{age} earlier"))
    details = f" — {', '.join(parts)}" if parts else ""
    title = fit(article.title, TITLE_CHARS)
    url = html.escape(article.url, quote=True) if article.url and esc is escape else article.url
    if url and len(url) <= MAX_LINK_CHARS:  # a clipped link would lead nowhere: left out
        return t["citation_link"].substitute(title=title, details=details, url=url)
    return t["citation"].substitute(title=title, details=details)


# --- news: the range an answer was drawn from (bot/answer/scope.py)
# --------------------------------


def _scope_line(t: dict[str, Template], answer: Answer, esc: Callable[[str], str]) -> str:
    line = answer.scope.line() if answer.scope else None
    return t["scope"].substitute(scope=esc(clip(line, TITLE_CHARS * 2))) if line else ""


def _scope_note(answer: Answer, reason: str) -> str:
    if answer.scope is None:
        return ""
    if reason == "unknown_outlet":
        return clip(answer.scope.missing(), TITLE_CHARS * 4)
    return clip(answer.scope.empty(), TITLE_CHARS * 2)


def _plain(text: str) -> str:
    return text
