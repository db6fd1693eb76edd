"""The plain records that cross the history package's border."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Vote(StrEnum):
    UP = "up"
    DOWN = "down"


class DownReason(StrEnum):
    """Why an answer got a 👎, as the user chose it."""

    WRONG_PASSAGE = "wrong_passage"
    OUTDATED = "outdated"
    NOT_IN_ARTICLES = "not_in_articles"

    @property
    def label(self) -> str:
        return REASON_LABELS[self]


REASON_LABELS = {
    DownReason.WRONG_PASSAGE: "Wrong passage",
    DownReason.OUTDATED: "Outdated",
    DownReason.NOT_IN_ARTICLES: "Not in the articles",
}


@dataclass(frozen=True)
class QuotedArticle:
    """One quote of an answer: its article, score, and text (None when not kept)."""

    article_id: str
    title: str
    score: float
    text: str | None = None


@dataclass(frozen=True)
class AskedQuestion:
    """One answered or refused question, as the bot records it (ids not yet hashed)."""

    question: str
    user_id: int | None
    chat_id: int
    chat_type: str
    answered: bool
    reason: str | None  # why nothing was quoted (the Answer's reason, as text)
    quotes: tuple[QuotedArticle, ...] = ()
    scope: tuple[str, ...] = ()  # a follow-up's articles, searched first (its More does too)


@dataclass(frozen=True)
class AnswerPage:
    """One message of an answer: its quotes from rank `first_rank` on, `shown` of them. A vote
    is on one such page (its More page is another)."""

    first_rank: int = 0
    shown: int | None = None  # None: the first page, as votes from before pages were kept


FIRST_PAGE = AnswerPage()


@dataclass(frozen=True)
class VoteState:
    """A user's current vote on an answer."""

    vote: Vote | None
    reason: DownReason | None = None


@dataclass(frozen=True)
class Forgotten:
    """What /forget deleted."""

    questions: int
    votes: int


@dataclass(frozen=True)
class DayCount:
    day: str  # YYYY-MM-DD, UTC
    questions: int
    refused: int


@dataclass(frozen=True)
class Counted:
    """A question (or answer) and how often it came up."""

    text: str
    count: int
    detail: str = ""


@dataclass(frozen=True)
class Stats:
    """What /stats and `corpusbot stats` show, over the last `days` days."""

    days: int
    per_day: tuple[DayCount, ...]
    questions: int
    refused: int
    rated: int
    thumbs_up: int
    unanswered: tuple[Counted, ...]
    disliked: tuple[Counted, ...]

    @property
    def refused_share(self) -> float | None:
        return self.refused / self.questions if self.questions else None

    @property
    def thumbs_up_share(self) -> float | None:
        return self.thumbs_up / self.rated if self.rated else None
