"""Tests for bot.text_limits: UTF-16 lengths, escaping, clipping to a budget."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from corpusbot.bot.answer.text_limits import clip, clip_escaped, escape, utf16_length


def test_clip() -> None:
    assert clip("a b  c", 10) == "a b c"
    assert clip("alpha beta gamma", 12) == "alpha beta…"


def test_utf16_length_counts_emoji_twice_and_never_raises() -> None:
    assert utf16_length("a😀") == 3
    assert utf16_length("caf\udce9") == 4  # a lone surrogate from an undecodable file name


def test_clip_escaped_counts_the_escaped_text() -> None:
    assert clip_escaped("a & b", 20) == "a &amp; b"
    assert clip_escaped("alpha beta gamma", 12) == "alpha beta…"
    assert clip_escaped("&" * 100, 11) == "&amp;&amp;…"


@given(st.text(st.sampled_from("&<> ab😀\n")), st.integers(1, 200))
def test_clip_escaped_stays_within_its_budget(text: str, limit: int) -> None:
    clipped = clip_escaped(text, limit)
    assert utf16_length(clipped) <= limit
    if utf16_length(escape(" ".join(text.split()))) <= limit:
        assert clipped == escape(" ".join(text.split()))
