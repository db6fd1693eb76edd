"""bot/app/digest_times.py: a chat's day and digest time in its own time zone."""

from __future__ import annotations

import datetime as dt

import pytest

from corpusbot.bot.app.digest_times import day_start, next_digest, parse_offset, shown_offset
from corpusbot.bot.history.follows import ChatTime


def at(text: str) -> float:
    return dt.datetime.fromisoformat(text).timestamp()


def test_the_next_digest_is_at_the_chat_s_hour_in_its_own_time() -> None:
    utc8 = ChatTime(0, 8)
    assert next_digest(at("2026-12-06T07:00:00+00:00"), utc8) == at("2026-12-06T08:00:00+00:00")
    assert next_digest(at("2026-12-06T08:00:00+00:00"), utc8) == at("2026-12-07T08:00:00+00:00")
    plus2 = ChatTime(120, 8)  # 08:00 at UTC+2 is 06:00 UTC
    assert next_digest(at("2026-12-06T05:59:00+00:00"), plus2) == at("2026-12-06T06:00:00+00:00")
    minus5 = ChatTime(-300, 20)  # 20:00 at UTC-5 is 01:00 UTC the next day
    assert next_digest(at("2026-12-06T23:00:00+00:00"), minus5) == at("2026-12-07T01:00:00+00:00")


def test_a_chat_s_day_starts_at_its_own_midnight() -> None:
    assert day_start(at("2026-12-06T23:30:00+00:00"), ChatTime(120, 8)) == at(
        "2026-12-07T00:00:00+02:00"
    )
    assert day_start(at("2026-12-06T01:00:00+00:00"), ChatTime(-300, 8)) == at(
        "2026-12-05T00:00:00-05:00"
    )


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("+2", 120), ("-5:30", -330), ("UTC+1", 60), ("0", 0), ("gmt-3", -180), ("+14", 840)],
)
def test_offsets_are_read_as_people_write_them(text: str, minutes: int) -> None:
    assert parse_offset(text) == minutes


@pytest.mark.parametrize("text", ["+15", "2:75", "Europe/Paris", "", "+2h", "++2"])
def test_anything_else_is_no_offset(text: str) -> None:
    assert parse_offset(text) is None


def test_offsets_are_shown_as_utc_plus_or_minus() -> None:
    assert [shown_offset(m) for m in (0, 120, -330)] == ["UTC", "UTC+2", "UTC-5:30"]
