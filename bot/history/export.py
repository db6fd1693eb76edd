"""`corpusbot feedback export`: rated answers as JSON lines in the `eval --qa` format.

One line per question (questions that differ only in case or spacing are one):
``{"q": question, "a": [the quoted text of its 👍 answers], "down_reasons": [one per 👎]}``.
`a` is what `eval --qa` accepts as a right answer; `down_reasons` holds
``wrong_passage``, ``outdated``, ``not_in_articles`` or ``none_given``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from corpusbot.bot.history.stats import normalized

NO_REASON = "none_given"


@dataclass
class FeedbackCase:
    """One question's feedback, gathered over everyone who rated its answers."""

    question: str
    accepted: list[str] = field(default_factory=list)
    down_reasons: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"q": self.question, "a": self.accepted, "down_reasons": self.down_reasons}


def feedback_cases(
    db: sqlite3.Connection, since: float | None = None, *, kept_since: float
) -> Iterator[FeedbackCase]:
    """The rated questions asked at or after `since` (Unix time) whose text is still kept, in
    the order they were first asked. `kept_since`: the oldest time whose texts the retention
    setting keeps; older texts are never exported, even while the purge has not yet removed
    them."""
    rows = db.execute(
        "SELECT q.id, q.question, v.vote, v.reason, v.first_rank, v.shown FROM votes v"
        " JOIN questions q ON q.id = v.question_id"
        " WHERE q.question IS NOT NULL AND q.asked_at >= ? ORDER BY q.id, v.voted_at",
        (max(since if since is not None else float("-inf"), kept_since),),
    )
    cases: dict[str, FeedbackCase] = {}
    for question_id, question, vote, reason, first_rank, shown in rows.fetchall():
        case = cases.setdefault(normalized(question), FeedbackCase(question))
        if vote == "down":
            case.down_reasons.append(reason or NO_REASON)
            continue
        for text in _quote_texts(db, question_id, first_rank, shown):
            if text not in case.accepted:
                case.accepted.append(text)
    yield from cases.values()


def _quote_texts(
    db: sqlite3.Connection, question_id: int, first_rank: int, shown: int | None
) -> list[str]:
    """The texts of the quotes on the page voted on (`shown` None: every kept text, which for
    votes from before pages were told apart is the first page's)."""
    last = first_rank + shown if shown is not None else 2**62
    rows = db.execute(
        "SELECT text FROM quotes WHERE question_id = ? AND text IS NOT NULL"
        " AND rank >= ? AND rank < ? ORDER BY rank",
        (question_id, first_rank, last),
    )
    return [text for (text,) in rows]
