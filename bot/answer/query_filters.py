"""Time and outlet expressions in a question, read out of it into a `Filter`.

"the latest on the nuclear talks", "any news on the strike?", "what happened last week", "bridge
in April 2021", "reservoir since May 2022", "before 2022", "according to Tasnim", "what did AA
report", "from:tasnim". The words that make an expression are taken out of the question, so they
are not searched for. Relative periods ("last week / month / year") end at the newest article's
date, not today: an archive's "last week" is the last week it covers. Outlets are matched
against the corpus's own outlet names with case and punctuation folded ("harbor-wire" finds
"Harbor Wire"); a name the corpus does not have is kept, so the reply can say so.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum

import numpy as np

from corpusbot.retrieval.index import ArticleColumns, ArticleInfo
from corpusbot.retrieval.reading import FIRST_YEAR, LAST_YEAR, MONTH, month_number

YEAR = r"(\d{4})"
# "the latest on", and the news asked for as such: "any news on", "what's new with", "what's the
# news" (without its apostrophe too, as people type it on a phone)
NEWEST = re.compile(
    r"\b(?:(?:the\s+)?(?:latest|newest|most\s+recent)|any\s+(?:news|updates?)"
    r"|what(?:['’]?s|\s+is)\s+(?:new|the\s+news))\b",
    re.IGNORECASE,
)
LAST_PERIOD = re.compile(
    r"\b(?:(?:in|during|over|from)\s+)?(?:the\s+)?(?:last|past)\s+"
    r"(week|month|year)\b",
    re.IGNORECASE,
)
IN_MONTH = re.compile(rf"\b(?:in|during|of|from)\s+({MONTH})\s+{YEAR}\b", re.IGNORECASE)
IN_YEAR = re.compile(rf"\b(?:in|during|of|from)\s+{YEAR}\b", re.IGNORECASE)
SINCE = re.compile(rf"\b(since|after|before|prior\s+to)\s+(?:({MONTH})\s+)?{YEAR}\b", re.IGNORECASE)
FROM_TOKEN = re.compile(r"(?<!\S)from:(\S+)", re.IGNORECASE)
NAME = r"((?:[\w&.'’-]+\s+){0,3}[\w&.'’-]+)"
# The name ends where a whitespace-separated word ends, so cutting it never leaves half a word.
ACCORDING_TO = re.compile(
    rf"\b(?:according\s+to|reported\s+by)\s+(?:the\s+)?{NAME}(?=[\s,;:!?]|$)", re.IGNORECASE
)
WHAT_DID = re.compile(
    rf"\bwhat\s+(?:did|does|do|has|have)\s+{NAME}\s+"
    r"(?:report|say|said|write|wrote|written|publish)(?:ed|s)?\b",
    re.IGNORECASE,
)
PERIOD_DAYS = {"week": 7, "month": 31, "year": 366}
# Words that only ask for news in general; with a time or outlet filter they are not searched,
# and a question made of them alone lists the matching articles, newest first.
GENERIC = frozenset(
    {
        "news",
        "happened",
        "happen",
        "happening",
        "going",
        "new",
        "stories",
        "story",
        "headlines",
        "headline",
        "articles",
        "article",
        "reports",
        "reported",
        "report",
        "say",
        "said",
        "says",
        "wrote",
        "written",
        "updates",
        "update",
        "anything",
        "everything",
        "from",  # "the latest from Portville": the place, not the word
    }
)


class Period(StrEnum):
    """How a date range was asked for; the reply names it."""

    YEAR = "year"
    MONTH = "month"
    SINCE = "since"
    BEFORE = "before"
    LAST = "last"


@dataclass(frozen=True)
class DateRange:
    start: dt.date | None  # inclusive; None: from the beginning
    end: dt.date | None  # inclusive; None: up to the newest
    period: Period
    unit: str = ""  # for Period.LAST: "week", "month" or "year"


@dataclass(frozen=True)
class Filter:
    """What a question asks for besides its words."""

    dates: DateRange | None = None
    outlets: frozenset[str] = frozenset()  # the corpus's own spelling of each
    missing_outlet: str | None = None  # named in the question, absent from the corpus
    newest_first: bool = False

    @property
    def active(self) -> bool:
        return bool(self.dates or self.outlets or self.missing_outlet or self.newest_first)

    @property
    def narrows(self) -> bool:
        """Whether some articles are left out (rather than only reordered)."""
        return bool(self.dates or self.outlets)


@dataclass(frozen=True)
class ParsedQuestion:
    text: str  # the question without its time and outlet expressions (and, with them, the
    # words that only ask for news in general: "news", "happened", "report"...)
    filter: Filter = field(default_factory=Filter)


def fold(name: str) -> str:
    """An outlet name for comparison: case and everything but letters and digits dropped."""
    return re.sub(r"[\W_]+", "", name.casefold())


def parse_question(
    question: str,
    *,
    outlets: Iterable[str],
    newest: dt.date | None,
    is_topic: Callable[[str], bool] | None = None,
) -> ParsedQuestion:
    """Read time and outlet expressions out of `question`.

    `outlets` are the corpus's outlet names; `newest` is the newest article's date, which
    "last week / month / year" count back from; without it (no article is dated) time words are
    left in the question as words to search for, so an undated corpus answers as before. A name
    after "according to" that is no outlet of the corpus but `is_topic` (the articles use its
    words) is searched for rather than reported missing.
    """
    known = {fold(name): name for name in outlets if fold(name)}
    text, newest_first, dates = question, False, None
    if newest is not None:  # in a corpus with no dated article, "in 1969" is what to search for
        text, newest_first = _take(NEWEST, text)
        text, dates = _take_dates(text, newest)
    text, found, missing = _take_outlets(text, known, is_topic or _never)
    result = Filter(dates, frozenset(found), missing, newest_first)
    if not result.active:
        return ParsedQuestion(question, result)
    remaining = _without_generic(text).strip(" ,;:-–—")
    return ParsedQuestion(remaining, result)


def _never(name: str) -> bool:
    return False


def _take(pattern: re.Pattern[str], text: str) -> tuple[str, bool]:
    cut, count = pattern.subn(" ", text)
    return cut, count > 0


def _take_dates(text: str, newest: dt.date) -> tuple[str, DateRange | None]:
    ranges: list[DateRange] = []
    match = LAST_PERIOD.search(text)
    if match:
        text = _cut(text, match)
        unit = match.group(1).lower()
        start = newest - dt.timedelta(days=PERIOD_DAYS[unit] - 1)
        ranges.append(DateRange(start, newest, Period.LAST, unit))
    for pattern in (IN_MONTH, IN_YEAR):
        match = pattern.search(text)
        if match and (found := _in_range(match)) is not None:
            text = _cut(text, match)
            ranges.append(found)
            break
    for match in list(SINCE.finditer(text))[::-1]:  # from the end: cutting keeps offsets valid
        found = _since_or_before(match)
        if found is not None:
            text = _cut(text, match)
            ranges.append(found)
    return text, _intersect(ranges)


def _in_range(match: re.Match[str]) -> DateRange | None:
    groups = match.groups()
    year = int(groups[-1])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    if len(groups) == 1:
        return DateRange(dt.date(year, 1, 1), dt.date(year, 12, 31), Period.YEAR)
    month = month_number(groups[0])
    first = dt.date(year, month, 1)
    return DateRange(first, _month_end(first), Period.MONTH)


def _since_or_before(match: re.Match[str]) -> DateRange | None:
    word, month_name, year_text = match.groups()
    year = int(year_text)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    month = month_number(month_name) if month_name else 0
    first = dt.date(year, month or 1, 1)
    last = _month_end(first) if month else dt.date(year, 12, 31)
    word = word.lower()
    if word == "since":
        return DateRange(first, None, Period.SINCE)
    if word == "after":
        return DateRange(last + dt.timedelta(days=1), None, Period.SINCE)
    return DateRange(None, first - dt.timedelta(days=1), Period.BEFORE)


def _month_end(first: dt.date) -> dt.date:
    following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _intersect(ranges: list[DateRange]) -> DateRange | None:
    """All the ranges asked for at once ("since 2020 before 2023"); the first one's kind."""
    if not ranges:
        return None
    if len(ranges) == 1:
        return ranges[0]
    starts = [r.start for r in ranges if r.start is not None]
    ends = [r.end for r in ranges if r.end is not None]
    return DateRange(
        max(starts) if starts else None,
        min(ends) if ends else None,
        Period.SINCE if starts else Period.BEFORE,
    )


def _take_outlets(
    text: str, known: dict[str, str], is_topic: Callable[[str], bool]
) -> tuple[str, list[str], str | None]:
    found: list[str] = []
    missing: str | None = None
    for match in list(FROM_TOKEN.finditer(text))[::-1]:
        name = match.group(1).strip(".,;:!?")
        text = _cut(text, match)
        if fold(name) in known:
            found.append(known[fold(name)])
        else:
            missing = name
    for pattern in (WHAT_DID, ACCORDING_TO):
        phrase = pattern.search(text)
        if not phrase:
            continue
        outlet, words = _outlet_in(phrase.group(1), known, pattern is WHAT_DID, is_topic)
        if outlet is not None:
            found.append(outlet)
        elif words is not None:
            missing = missing or words
        else:
            continue
        text = _cut_outlet(text, phrase, pattern is WHAT_DID, words, outlet)
    return text, found, missing if not found else None


def _outlet_in(
    phrase: str, known: dict[str, str], whole: bool, is_topic: Callable[[str], bool]
) -> tuple[str | None, str | None]:
    """(the corpus's outlet, None) when `phrase` starts with (or, `whole`, is) an outlet name;
    (None, the name) when it starts with a capitalised name the corpus lacks; (None, None)
    when it names no outlet at all ("according to officials", "according to Mayor Quint" when
    the articles speak of Mayor Quint)."""
    words = [w.strip(".,;:!?") for w in phrase.split()]
    if whole and len(words) > 1 and words[0].casefold() == "the":
        words = words[1:]
    for size in range(len(words), 0, -1):
        if whole and size != len(words):
            break
        name = " ".join(words[:size])
        if fold(name) in known:
            return known[fold(name)], name
    names = []
    for word in words:
        if not word[:1].isupper():
            break
        names.append(word)
    if not names or (whole and len(names) != len(words)):
        return None, None
    name = " ".join(names)
    return (None, None) if is_topic(name) else (None, name)


def _cut_outlet(
    text: str, match: re.Match[str], whole: bool, words: str | None, outlet: str | None
) -> str:
    """The question without "according to NAME" / "what did NAME report", keeping the rest of
    the words the pattern's greedy name part took."""
    if whole:
        return _cut(text, match)
    phrase = match.group(1)
    name = words or outlet or ""
    kept = phrase[len(name) :] if phrase.casefold().startswith(name.casefold()) else phrase
    if kept[:1] in (".", "'", "’"):  # glued to the name: "according to Reuters. In 2021"
        kept = kept.lstrip(".'’")
    return text[: match.start()] + " " + kept + text[match.end() :]


def _cut(text: str, match: re.Match[str]) -> str:
    return text[: match.start()] + " " + text[match.end() :]


def _without_generic(text: str) -> str:
    return " ".join(w for w in text.split() if w.strip("?!.,;:").casefold() not in GENERIC)


@dataclass(frozen=True)
class ArticleFacts:
    """Each article's day and outlet as arrays, made once per index (the one walk over the
    articles), so that a question's filter and listing are a few vector operations."""

    days: np.ndarray  # date.toordinal(), or -1 for no date
    outlet_codes: np.ndarray  # index into `outlets`, or -1 for no outlet
    outlets: tuple[str, ...]  # the corpus's outlet names, most articles first
    newest: dt.date | None
    folded: tuple[str, ...] = ()  # fold() of each of `outlets`, in their order
    # hash() of each article's id (this process's string hash): candidates for an id lookup
    id_hashes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @classmethod
    def of(cls, articles: Iterable[ArticleInfo]) -> ArticleFacts:
        """The table of `articles` (in index order), read in one pass."""
        return cls.of_columns(ArticleColumns.of(articles))

    @classmethod
    def of_columns(cls, columns: ArticleColumns) -> ArticleFacts:
        """The table of an index's `article_columns` (read once per index folder)."""
        first_codes: list[int] = []  # in order of first appearance, renumbered below
        first_seen: dict[str, int] = {}
        for source in columns.sources:
            first_codes.append(first_seen.setdefault(source, len(first_seen)) if source else -1)
        table = cls.from_columns(columns.days, first_codes, list(first_seen))
        return replace(table, id_hashes=columns.id_hashes)

    def with_ids(self, ids: Collection[str]) -> np.ndarray:
        """Where the articles whose id may be in `ids` are (True); a hash shared with another id
        is possible, so the caller confirms each candidate's id."""
        return np.isin(self.id_hashes, [hash(article_id) for article_id in ids])

    @classmethod
    def from_columns(
        cls, days: np.ndarray, first_codes: list[int], names: list[str]
    ) -> ArticleFacts:
        """From each article's day and outlet number (`names[number]`, -1 for none)."""
        seen = np.array(first_codes, dtype=np.int64)
        counts = np.bincount(seen[seen >= 0], minlength=len(names))
        order = sorted(range(len(names)), key=lambda n: (-counts[n], names[n].casefold()))
        renumber = np.full(len(names) + 1, -1, dtype=np.int32)  # the last one: no outlet
        renumber[order] = np.arange(len(order), dtype=np.int32)
        codes = renumber[seen]  # -1 indexes the last entry: -1 again
        outlets = tuple(names[n] for n in order)
        newest = dt.date.fromordinal(int(days.max())) if (days > 0).any() else None
        return cls(days, codes, outlets, newest, tuple(fold(name) for name in outlets))

    def count(self, outlet: str) -> int:
        return int((self.outlet_codes == self.outlets.index(outlet)).sum())


def article_mask(filter_: Filter, table: ArticleFacts) -> np.ndarray | None:
    """Which articles (in index order) the filter keeps; None when it keeps all. An article
    with no date is outside every date range."""
    if not filter_.narrows:
        return None
    keep = np.ones(len(table.days), dtype=bool)
    if filter_.outlets:
        wanted = {fold(name) for name in filter_.outlets}
        folded = table.folded or tuple(fold(name) for name in table.outlets)
        codes = [code for code, name in enumerate(folded) if name in wanted]
        keep &= np.isin(table.outlet_codes, codes)
    if filter_.dates is not None:
        start, end = filter_.dates.start, filter_.dates.end
        keep &= table.days > 0
        if start is not None:
            keep &= table.days >= start.toordinal()
        if end is not None:
            keep &= table.days <= end.toordinal()
    return keep


def newest_positions(table: ArticleFacts, allowed: np.ndarray | None, limit: int) -> np.ndarray:
    """The positions (0-based, index order) of the `limit` newest articles `allowed` keeps (all
    when None): dated ones newest first, one day's in index order, then undated ones in index
    order, as freshness.sort_newest_first orders them; without reading a single article."""
    candidates = np.arange(len(table.days)) if allowed is None else np.flatnonzero(allowed)
    days = table.days[candidates]
    dated, undated = candidates[days > 0], candidates[days <= 0]
    # One key: newer first, then earlier in the index (positions are below len(days)).
    key = -table.days[dated] * (len(table.days) + 1) + dated
    if 0 < limit < len(dated):
        nearest = np.argpartition(key, limit - 1)[:limit]
        dated, key = dated[nearest], key[nearest]
    top = dated[np.argsort(key, kind="stable")][: max(limit, 0)]
    rest = undated[: max(limit - len(top), 0)]
    return np.concatenate([top, rest]).astype(np.int64)


def parse_iso(iso: str | None) -> dt.date | None:
    """The date of an ISO `YYYY-MM-DD` string, or None (no date, or an unreadable one)."""
    try:
        return dt.date.fromisoformat(iso or "")
    except ValueError:
        return None
