"""Article dates for readers: "12 Apr 2021", how much older one article is than another, and
newest-first order.

Ages are relative, not to today, but to the article quoted: an archive's stories are old by
design, so "3 years ago" (from today) says little, while "1 year earlier" beside an older report
of the same story says how stale it is. Dates are the ISO strings the corpus reader stores.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from corpusbot.retrieval.index import ArticleInfo

T = TypeVar("T")
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_of(article: ArticleInfo) -> dt.date | None:
    """The article's date, or None when it has none (or an unreadable one)."""
    if not article.date:  # most archives' common case: no exception raised and caught
        return None
    try:
        return dt.date.fromisoformat(article.date or "")
    except ValueError:
        return None


def format_date(iso: str | None) -> str | None:
    """ "12 Apr 2021" for "2021-04-12"; None for no date; an unreadable value as it is."""
    if not iso:
        return None
    try:
        day = dt.date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def is_newer(a: ArticleInfo, b: ArticleInfo) -> bool:
    """Whether `a` is dated later than `b` (never, when either has no date)."""
    day_a, day_b = day_of(a), day_of(b)
    return day_a is not None and day_b is not None and day_a > day_b


def quoted_first(kept: T, other: T, *, key: Callable[[T], ArticleInfo]) -> tuple[T, T]:
    """Of two quotes of one story, (the one to show, the other): the newer article's, else the
    one kept (the better scored)."""
    return (other, kept) if is_newer(key(other), key(kept)) else (kept, other)


def newest_first(sources: Sequence[ArticleInfo]) -> tuple[ArticleInfo, ...]:
    """The quoted source, then the others newest first, undated ones last (in their order)."""
    if len(sources) < 2:
        return tuple(sources)
    return (sources[0], *sort_newest_first(sources[1:], key=lambda a: a))


def sort_newest_first(items: Iterable[T], *, key: Callable[[T], ArticleInfo]) -> list[T]:
    """`items` newest first by their article's date; undated ones after, in their order."""
    listed = list(items)
    dated = [item for item in listed if day_of(key(item)) is not None]
    undated = [item for item in listed if day_of(key(item)) is None]
    dated.sort(key=lambda item: day_of(key(item)) or dt.date.min, reverse=True)
    return dated + undated


def age_between(older: ArticleInfo, newer: ArticleInfo) -> str | None:
    """How much older `older` is than `newer`: "3 days", "2 weeks", "5 months", "3 years";
    None when either is undated or `older` is not older."""
    start, end = day_of(older), day_of(newer)
    if start is None or end is None or start >= end:
        return None
    return age_phrase(start, end)


def age_phrase(start: dt.date, end: dt.date) -> str:
    """The time from `start` to a later `end` in the largest whole unit that fits."""
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    days = (end - start).days
    if months >= 12:
        return _count(months // 12, "year")
    if months >= 2:
        return _count(months, "month")
    if days >= 14:
        return _count(days // 7, "week")
    return _count(days, "day")


def _count(number: int, unit: str) -> str:
    return f"{number} {unit}{'' if number == 1 else 's'}"
