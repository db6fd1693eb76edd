"""Article dates: reading them from metadata values and datelines, normalised to `datetime.date`.

A metadata value may be ISO ("2021-04-12", "2021-04-12T09:30:00Z", "2021/04/12"), day-month-year
("12 Apr 2021", "Mon, 12 Apr 2021 09:30:00 +0000") or month-day-year ("April 12, 2021").
Numeric day/month orders other than ISO ("04/12/2021") are ambiguous and not read: no date is
better than a wrong one. A dateline is the place, optional date and optional outlet that open a
wire story: "PORTVILLE, June 7, 2022 (Harbor Wire) –", "TEHRAN, April 13 (Reuters) –",
"TEHRAN (Tasnim) –"; a dateline without a year takes it from a hint (the article's metadata or
its path) or gives no date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
# "Apr", "Apr.", "April", "Sept": the first three letters decide.
MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
FIRST_YEAR, LAST_YEAR = 1800, 2199  # four digits outside this are not years of news

ISO = re.compile(r"\b(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?![\d])")
DAY_MONTH_YEAR = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({MONTH})\s*,?\s+(\d{{4}})\b", re.IGNORECASE
)
MONTH_DAY_YEAR = re.compile(
    rf"\b({MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s+(\d{{4}})\b", re.IGNORECASE
)
# PLACE[, Region], [Month Day[, Year]] [(Outlet)] then a dash: how wire stories open.
DATELINE = re.compile(
    rf"^(?P<place>[A-Z][\w.'’ -]{{1,40}}?)(?:,\s*(?!{MONTH}\s+\d)[A-Z][\w.'’ -]{{1,30}}?)?"
    rf"(?:,\s*(?P<month>{MONTH})\s+(?P<day>\d{{1,2}})(?:,\s*(?P<year>\d{{4}}))?)?"
    r"\s*(?:\((?P<outlet>[^()\d]{2,40})\))?\s*[–—-]{1,2}\s",
)
YEAR_PART = re.compile(r"^(\d{4})(?:$|[-_ ])")  # "2022/…" or "2022-06-07-port.md"


class ImpossibleDate(ValueError):
    """A value shaped like a date that no calendar has (30 February, month 13)."""


@dataclass(frozen=True)
class Dateline:
    """What the opening of a wire story says; every part may be missing."""

    date: dt.date | None
    outlet: str | None
    undated_day: bool = False  # it names a day but no year, and no year hint was given


def parse_date(raw: str) -> dt.date | None:
    """The first date written in `raw`, or None; raises ImpossibleDate for a date no calendar
    has (so the caller can warn rather than silently drop it)."""
    text = raw.strip()
    for pattern, order in ((ISO, "ymd"), (DAY_MONTH_YEAR, "dmy"), (MONTH_DAY_YEAR, "mdy")):
        match = pattern.search(text)
        if match:
            parts = dict(zip(order, match.groups(), strict=True))
            return make_date(parts["y"], parts["m"], parts["d"], raw)
    return None


def make_date(year: str | int, month: str | int, day: str | int, raw: str) -> dt.date:
    """A date from its parts (month as a number or a name); ImpossibleDate when there is none."""
    number = month if isinstance(month, int) or str(month).isdigit() else month_number(month)
    try:
        value = dt.date(int(year), int(number), int(day))
    except ValueError:
        raise ImpossibleDate(f"impossible date {raw.strip()!r}") from None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ImpossibleDate(f"implausible year in {raw.strip()!r}")
    return value


def month_number(name: str) -> int:
    """1–12 for a month name or abbreviation ("Apr", "April", "Sept."); 0 if it is none."""
    return MONTHS.get(name.strip(".").lower()[:3], 0)


def parse_dateline(text: str, year_hint: int | None = None) -> Dateline:
    """The date and outlet of a dateline opening `text`; a missing year comes from `year_hint`."""
    match = DATELINE.match(text)
    if not match:
        return Dateline(None, None)
    outlet = (match.group("outlet") or "").strip() or None
    if not match.group("month"):
        return Dateline(None, outlet)
    year = match.group("year") or year_hint
    if year is None:
        return Dateline(None, outlet, undated_day=True)
    return Dateline(
        make_date(year, match.group("month"), match.group("day"), match.group()), outlet
    )


def year_from_path(path: str) -> int | None:
    """A year the file's location names: a folder "2022/" or a name starting "2022-"."""
    for part in reversed(path.replace("\\", "/").split("/")):
        match = YEAR_PART.match(part)
        if match and FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
            return int(match.group(1))
    return None


def date_from_path(path: str) -> dt.date | None:
    """The date a file name starts with ("2022-06-07-port-opens.md"), or None."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    match = ISO.match(name)
    if not match:
        return None
    try:
        year, month, day = match.groups()
        return make_date(year, month, day, raw=name)
    except ImpossibleDate:
        return None
