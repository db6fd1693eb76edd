"""Telegram's text limits: lengths in UTF-16 code units, HTML escaping, clipping to a budget.

Telegram counts a message's length in UTF-16 code units (an emoji counts two) and refuses
messages over :data:`TELEGRAM_LIMIT`. The bot's replies and the local Bot API server both
measure text with these helpers, so they agree on what fits.
"""

from __future__ import annotations

import html

TELEGRAM_LIMIT = 4096
"""Longest message text Telegram accepts, in UTF-16 code units."""

ELLIPSIS = "…"


def utf16_length(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, as Telegram counts it.

    A lone surrogate (from a file name that is not valid UTF-8, say) counts one unit instead
    of raising, so measuring never fails.
    """
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def escape(text: str) -> str:
    """Text for Telegram HTML: &, < and > escaped (quotes need no escaping outside tags)."""
    return html.escape(text, quote=False)


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (newlines too) turned into one space."""
    return " ".join(text.split())


def clip(text: str, limit: int) -> str:
    """``text`` on one line, cut on a word boundary to at most ``limit`` characters."""
    text = one_line(text)
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + ELLIPSIS


def clip_escaped(text: str, limit: int) -> str:
    """``text`` on one line, escaped for HTML, at most ``limit`` UTF-16 units once escaped.

    :func:`clip` bounds the characters, but escaping can make each one five (``&amp;``):
    this bounds what is sent. The cut falls on a word boundary when there is one.
    """
    text = one_line(text)
    escaped = escape(text)
    if utf16_length(escaped) <= limit:
        return escaped
    budget = limit - utf16_length(ELLIPSIS)
    used, end = 0, 0
    while end < len(text):  # the longest head whose escaped form fits the budget
        used += utf16_length(escape(text[end]))
        if used > budget:
            break
        end += 1
    head = text[:end]
    if " " in head:
        head = head.rsplit(" ", 1)[0]
    return escape(head.rstrip(" ,;:")) + ELLIPSIS
