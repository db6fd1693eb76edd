"""Where a quote sits in its article: the paragraph that holds it and the paragraphs around it.

A quote is the article's own sentences with their whitespace folded to single spaces, so it is
found again by matching its words with any whitespace between them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n")
QUOTE_WORDS = 40  # words of a quote matched against the article (enough to be unique)


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class QuoteContext:
    """The paragraphs before and after a quote, and the quote inside its own paragraph."""

    before: tuple[str, ...]
    paragraph: str
    quote: Span  # character span of the quote inside `paragraph`
    after: tuple[str, ...]


def paragraph_spans(text: str) -> list[Span]:
    """(start, end) of each non-blank paragraph (line) of `text`, stripped."""
    spans: list[Span] = []
    start = 0
    for match in [*PARAGRAPH_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        piece = text[start:end]
        if piece.strip():
            left = start + len(piece) - len(piece.lstrip())
            spans.append(Span(left, start + len(piece.rstrip())))
        if match:
            start = match.end()
    return spans


def find_quote(text: str, quote: str) -> Span | None:
    """Where `quote` (whitespace folded) is in `text`, up to its first gap; None when it is not
    there. A quote that opens with "…" glued to its first word (a long sentence cut at its
    start, bot/answer/quotes.py) is found without it. Its first QUOTE_WORDS words find it; the span
    then reaches its last word, so a long quote is marked whole."""
    cut = quote.startswith("…") and not quote[1:2].isspace()
    words = (quote[1:] if cut else quote).split()
    # Up to the first gap: what follows " … " is another part of the article.
    words = words[: words.index("…")] if "…" in words else words
    if not words:
        return None
    match = re.search(_pattern(words[:QUOTE_WORDS]), text)
    if match is None:
        return None
    whole = re.compile(_pattern(words)).match(text, match.start()) if words[QUOTE_WORDS:] else None
    return Span(match.start(), (whole or match).end())


def _pattern(words: list[str]) -> str:
    return r"\s+".join(re.escape(word) for word in words)


def quote_context(text: str, quote: str, *, around: int = 1) -> QuoteContext | None:
    """The paragraph holding `quote` with `around` paragraphs on each side; None if not found."""
    found = find_quote(text, quote)
    if found is None:
        return None
    spans = paragraph_spans(text)
    holder = next((i for i, s in enumerate(spans) if s.start <= found.start < s.end), None)
    if holder is None:
        return None
    span = spans[holder]
    inside = Span(found.start - span.start, min(found.end, span.end) - span.start)
    return QuoteContext(
        before=tuple(text[s.start : s.end] for s in spans[max(0, holder - around) : holder]),
        paragraph=text[span.start : span.end],
        quote=inside,
        after=tuple(text[s.start : s.end] for s in spans[holder + 1 : holder + 1 + around]),
    )
