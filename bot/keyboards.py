"""Inline buttons and their callback data.

Callback data is at most 64 bytes, so a button carries only a kind and a number:
``ask:N`` asks example question N, ``more:N`` shows the quotes from N on, ``src:N`` turns the
/sources list to page N. The question behind a "More" button is kept by the handlers.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

ASK, MORE, SOURCES = "ask", "more", "src"
KINDS = frozenset({ASK, MORE, SOURCES})
MAX_CALLBACK_BYTES = 64
BUTTON_LABEL_CHARS = 60


@dataclass(frozen=True)
class Button:
    """Decoded callback data."""

    kind: str
    value: int


def encode(kind: str, value: int) -> str:
    if kind not in KINDS or value < 0:
        raise ValueError(f"bad button {kind}:{value}")
    return f"{kind}:{value}"


def decode(data: str | None) -> Button | None:
    """The button behind `data`, or None for anything this bot did not make."""
    kind, _, number = (data or "").partition(":")
    if kind not in KINDS or not number.isascii() or not number.isdigit() or len(number) > 9:
        return None
    return Button(kind, int(number))


def label(text: str, limit: int = BUTTON_LABEL_CHARS) -> str:
    """A button label: one line, cut on a word boundary."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:.") + "…"


def examples_keyboard(questions: list[str]) -> InlineKeyboardMarkup | None:
    rows = [[InlineKeyboardButton(label(q), callback_data=encode(ASK, i))]
            for i, q in enumerate(questions)]
    return InlineKeyboardMarkup(rows) if rows else None


def more_keyboard(start: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data=encode(MORE, start))]])


def pages_keyboard(page: int, pages: int) -> InlineKeyboardMarkup | None:
    """Previous / Next buttons for page `page` (0-based) of `pages`; None for a single page."""
    if pages <= 1:
        return None
    row = []
    if page > 0:
        row.append(InlineKeyboardButton("« Previous", callback_data=encode(SOURCES, page - 1)))
    if page < pages - 1:
        row.append(InlineKeyboardButton("Next »", callback_data=encode(SOURCES, page + 1)))
    return InlineKeyboardMarkup([row])
