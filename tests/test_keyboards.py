"""Tests for bot.keyboards: callback data encoding and the buttons."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpusbot.bot.telegram.keyboards import (
    ASK,
    KINDS,
    MAX_CALLBACK_BYTES,
    MORE,
    SOURCES,
    Button,
    decode,
    encode,
    examples_keyboard,
    label,
    more_keyboard,
    pages_keyboard,
)

NUMBERS = st.integers(min_value=0, max_value=999_999_999)


@given(st.sampled_from(sorted(KINDS)), NUMBERS, st.none() | NUMBERS)
def test_encode_decode_round_trip(kind: str, value: int, ref: int | None) -> None:
    data = encode(kind, value, ref)
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    assert decode(data) == Button(kind, value, ref or 0)


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "more",
        "more:",
        "x:1",
        "more:-1",
        "more:1:2:3",
        "src:\u0661",
        "ask:1e3",
        "more:1234567890",
        "more: 1",
    ],
)
def test_foreign_callback_data_is_rejected(data: str | None) -> None:
    assert decode(data) is None


def test_encode_refuses_bad_buttons() -> None:
    with pytest.raises(ValueError):
        encode("nope", 1)
    with pytest.raises(ValueError):
        encode(MORE, -1)


def test_label_is_one_short_line() -> None:
    assert label("Short\nheadline") == "Short headline"
    long = label("word " * 40)
    assert len(long) <= 61 and long.endswith("…") and "  " not in long


def test_keyboards() -> None:
    examples = examples_keyboard(["a?", "b?"])
    assert examples is not None
    assert [row[0].callback_data for row in examples.inline_keyboard] == ["ask:0", "ask:1"]
    assert examples_keyboard([]) is None
    assert more_keyboard(3, 7).inline_keyboard[0][0].callback_data == "more:3:7"
    assert pages_keyboard(0, 1) is None
    first, middle, last = pages_keyboard(0, 3), pages_keyboard(1, 3), pages_keyboard(2, 3)
    assert first is not None and middle is not None and last is not None
    assert [b.callback_data for b in first.inline_keyboard[0]] == [f"{SOURCES}:1"]
    assert [b.callback_data for b in middle.inline_keyboard[0]] == ["src:0", "src:2"]
    assert [b.callback_data for b in last.inline_keyboard[0]] == ["src:1"]
    assert ASK in KINDS


def test_a_question_kept_in_the_chat_s_memory_has_its_own_more() -> None:
    data = more_keyboard(3, 7, in_chat=True).inline_keyboard[0][0].callback_data
    assert data == "morec:3:7"
    pressed = decode(data)
    assert pressed is not None and (pressed.kind, pressed.value, pressed.ref) == ("morec", 3, 7)
