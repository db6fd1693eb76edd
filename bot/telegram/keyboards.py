"""Inline buttons and their callback data.

Callback data is at most 64 bytes, so a button carries only a kind and numbers:
``ask:N`` asks example question N, ``more:N:Q`` shows the quotes from N on for the question
number Q of the history database, ``morec:N:Q`` the same for question Q kept in the chat's
memory (history off, or its write failed: the two numberings never meet), ``src:N`` turns the
/sources list to page N.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from corpusbot.bot.answer import clip

ASK, MORE, MORE_IN_CHAT, SOURCES = "ask", "more", "morec", "src"
KINDS = frozenset({ASK, MORE, MORE_IN_CHAT, SOURCES})
MAX_CALLBACK_BYTES = 64
BUTTON_LABEL_CHARS = 60


@dataclass(frozen=True)
class Button:
    """Decoded callback data."""

    kind: str
    value: int
    ref: int = 0


def encode(kind: str, value: int, ref: int | None = None) -> str:
    if kind not in KINDS or value < 0 or (ref is not None and ref < 0):
        raise ValueError(f"bad button {kind}:{value}:{ref}")
    return f"{kind}:{value}" if ref is None else f"{kind}:{value}:{ref}"


def decode(data: str | None) -> Button | None:
    """The button behind `data`, or None for anything this bot did not make."""
    kind, *numbers = (data or "").split(":")
    if kind not in KINDS or not 1 <= len(numbers) <= 2 or not all(map(_is_number, numbers)):
        return None
    return Button(kind, *map(int, numbers))


def _is_number(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 9


def label(text: str, limit: int = BUTTON_LABEL_CHARS) -> str:
    """A button label: one line, cut on a word boundary."""
    return clip(text, limit)


def examples_keyboard(questions: list[str]) -> InlineKeyboardMarkup | None:
    rows = [
        [InlineKeyboardButton(label(q), callback_data=encode(ASK, i))]
        for i, q in enumerate(questions)
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def more_keyboard(start: int, ref: int, *, in_chat: bool = False) -> InlineKeyboardMarkup:
    """A "More" button for the quotes from `start` on of question number `ref` (of the chat's
    memory with `in_chat`, else of the history database)."""
    data = encode(MORE_IN_CHAT if in_chat else MORE, start, ref)
    return InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data=data)]])


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
