"""bot/telegram/history_handlers.py's pure parts: the feedback keyboard and its callback data."""

from __future__ import annotations

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from corpusbot.bot.history.privacy import ButtonSeal
from corpusbot.bot.history.records import DownReason, Vote, VoteState
from corpusbot.bot.telegram.history_handlers import feedback_rows, parse_feedback, without_more

MORE = InlineKeyboardButton("More", callback_data="more:3:17")
TOKEN = ButtonSeal(b"k" * 32).seal(17, 5)  # answer 17 as chat 5's buttons carry it


def texts(rows: list[list[InlineKeyboardButton]]) -> list[list[str]]:
    return [[button.text for button in row] for row in rows]


def test_feedback_rows_tick_the_vote_and_offer_reasons_after_a_thumbs_down() -> None:
    assert texts(feedback_rows(TOKEN, VoteState(None))) == [["👍", "👎"]]
    assert texts(feedback_rows(TOKEN, VoteState(Vote.UP))) == [["✓ 👍", "👎"]]
    down = feedback_rows(TOKEN, VoteState(Vote.DOWN, DownReason.NOT_IN_ARTICLES))
    assert texts(down) == [["👍", "✓ 👎"], ["Wrong passage", "Outdated", "✓ Not in the articles"]]
    data = [button.callback_data for row in down for button in row]
    assert data == [
        f"fb:up:{TOKEN}",
        f"fb:down:{TOKEN}",
        f"fb:why:{TOKEN}:wrong_passage",
        f"fb:why:{TOKEN}:outdated",
        f"fb:why:{TOKEN}:not_in_articles",
    ]
    assert all(len(str(d).encode()) <= 64 for d in data)
    assert [parse_feedback(str(d)) for d in data] == [
        (Vote.UP, TOKEN, None),
        (Vote.DOWN, TOKEN, None),
        (Vote.DOWN, TOKEN, DownReason.WRONG_PASSAGE),
        (Vote.DOWN, TOKEN, DownReason.OUTDATED),
        (Vote.DOWN, TOKEN, DownReason.NOT_IN_ARTICLES),
    ]


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "fb",
        "fb:up",
        "fb:up:x",
        "fb:up:-1",
        "fb:sideways:1",
        "fb:why:1",
        "fb:why:1:boring",
        "fb:up:1:2",
        "fb:up:17",  # a bare number: tokens are sealed
        f"fb:up:{TOKEN}x",
        "more:3:1",
        "fb:up:\u0661",
    ],
)
def test_anything_else_is_not_a_feedback_button(data: str | None) -> None:
    assert parse_feedback(data) is None


def test_pressing_more_keeps_only_the_feedback_rows() -> None:
    markup = InlineKeyboardMarkup([[MORE], *feedback_rows(TOKEN, VoteState(Vote.UP))])
    kept = without_more(markup)
    assert kept is not None and texts([list(r) for r in kept.inline_keyboard]) == [["✓ 👍", "👎"]]
    assert without_more(InlineKeyboardMarkup([[MORE]])) is None
    assert without_more(None) is None


def test_a_more_kept_in_the_chat_s_memory_is_dropped_too() -> None:
    kept = InlineKeyboardButton("More", callback_data="morec:3:1")
    markup = InlineKeyboardMarkup([[kept], *feedback_rows(TOKEN, VoteState(None))])
    left = without_more(markup)
    assert left is not None and texts([list(r) for r in left.inline_keyboard]) == [["👍", "👎"]]


def test_a_group_keyboard_shows_counts_and_no_one_s_ticks() -> None:
    rows = feedback_rows(TOKEN, VoteState(Vote.DOWN, DownReason.OUTDATED), counts=(2, 1))
    assert texts(rows) == [["👍 2", "👎 1"], ["Wrong passage", "Outdated", "Not in the articles"]]
    assert texts(feedback_rows(TOKEN, VoteState(Vote.UP), counts=(1, 0))) == [["👍 1", "👎 0"]]
