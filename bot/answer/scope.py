"""What an answer was drawn from, in words: "From Tasnim articles of 2021:", "Newest first:",
"No article from Reuters."; built from the question's `Filter` (bot/answer/query_filters.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from corpusbot.bot.answer.freshness import MONTH_NAMES, format_date
from corpusbot.bot.answer.query_filters import DateRange, Filter, Period

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class AnswerScope:
    """The range an answer covers, for its first line."""

    phrase: str | None = None  # "Tasnim articles of 2021"; None: every article
    newest_first: bool = False
    missing_outlet: str | None = None  # named in the question, not in the corpus
    outlets: tuple[str, ...] = ()  # the corpus's outlets, to say which there are
    listing: bool = False  # nothing to search for: the newest articles in range are listed

    def line(self) -> str | None:
        """The line that opens the reply, or None when the question asked for no range."""
        if self.listing:
            return f"The newest {self.phrase or 'articles'}:"
        if self.phrase:
            return f"From {self.phrase}{', newest first' if self.newest_first else ''}:"
        return "Newest first:" if self.newest_first else None

    def empty(self) -> str:
        """The reply when no article is in range."""
        return f"No {self.phrase or 'articles'}."

    def missing(self) -> str:
        """The reply when the question named an outlet the corpus lacks."""
        known = ", ".join(self.outlets)
        have = (
            f" The outlets I have: {known}."
            if known
            else " My articles do not say which outlet published them."
        )
        return f"No article from {self.missing_outlet}.{have}"


def scope_of(filter_: Filter, outlets: tuple[str, ...], *, listing: bool = False) -> AnswerScope:
    """The words for `filter_`; `outlets` are the corpus's."""
    phrase = None
    if filter_.narrows:
        names = " and ".join(sorted(filter_.outlets))
        dates = f" {date_phrase(filter_.dates)}" if filter_.dates else ""
        phrase = f"{names + ' ' if names else ''}articles{dates}"
    return AnswerScope(phrase, filter_.newest_first, filter_.missing_outlet, outlets, listing)


def date_phrase(dates: DateRange) -> str:
    """ "of 2021", "of April 2021", "since May 2022", "before 2022", "of the last week (8–14 Jun
    2024, up to the newest article)", "from 1 Jan 2020 to 31 Dec 2022"."""
    start, end = dates.start, dates.end
    if dates.period is Period.YEAR and start:
        return f"of {start.year}"
    if dates.period is Period.MONTH and start:
        return f"of {MONTHS[start.month - 1]} {start.year}"
    if dates.period is Period.LAST and start and end:
        return f"of the last {dates.unit} ({_span(start, end)}, up to the newest article)"
    if dates.period is Period.LAST:
        return f"of the last {dates.unit}"
    if start and end:
        return f"from {format_date(start.isoformat())} to {format_date(end.isoformat())}"
    if start:
        return f"since {_month_or_year(start)}"
    if end:
        return f"before {_month_or_year(end + dt.timedelta(days=1))}"
    return ""


def _month_or_year(first: dt.date) -> str:
    """ "2022" for 1 Jan 2022, "May 2022" for 1 May 2022, else the full date."""
    if first.day != 1:
        return format_date(first.isoformat()) or ""
    return str(first.year) if first.month == 1 else f"{MONTHS[first.month - 1]} {first.year}"


def _span(start: dt.date, end: dt.date) -> str:
    if start.year == end.year and start.month == end.month:
        return f"{start.day}–{end.day} {MONTH_NAMES[end.month - 1]} {end.year}"
    return f"{format_date(start.isoformat())} – {format_date(end.isoformat())}"
