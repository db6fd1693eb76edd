"""When a chat's day starts and its daily digest is due, in its own time (/timezone +2)."""

from __future__ import annotations

import re

from corpusbot.bot.history import ChatTime

__all__ = ["MAX_OFFSET", "day_start", "next_digest", "parse_offset", "shown_offset"]

DAY, HOUR = 86_400.0, 3_600.0
MAX_OFFSET = 14 * 60  # minutes: the world's time zones run from UTC-12 to UTC+14
_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)


def day_start(now: float, time: ChatTime) -> float:
    """The Unix time at which the chat's current day began (its midnight)."""
    local = now + time.utc_offset * 60
    return local - local % DAY - time.utc_offset * 60


def next_digest(now: float, time: ChatTime) -> float:
    """The first digest time after `now`: `time.digest_hour` o'clock in the chat's time."""
    due = day_start(now, time) + time.digest_hour * HOUR
    return due if due > now else due + DAY


def parse_offset(text: str) -> int | None:
    """Minutes east of UTC from "+2", "-5:30", "UTC+1" or "0"; None for anything else."""
    cleaned = text.strip()
    if cleaned in ("0", "UTC", "utc", "GMT", "gmt"):
        return 0
    found = _OFFSET.match(cleaned)
    if found is None:
        return None
    sign, hours, minutes = found.groups()
    total = int(hours) * 60 + int(minutes or 0)
    if int(minutes or 0) >= 60 or total > MAX_OFFSET:
        return None
    return -total if sign == "-" else total


def shown_offset(minutes: int) -> str:
    """UTC, UTC+2, UTC-5:30."""
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")
