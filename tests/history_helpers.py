"""Shared helpers for the history tests: a clock the test moves, and a store on it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from corpusbot.bot.history.records import AskedQuestion, QuotedArticle
from corpusbot.bot.history.store import HistoryStore, open_store
from corpusbot.config.settings import HistorySettings

START = 1_780_000_000.0  # 2026-05-28 20:26:40 UTC
DAY = 86_400.0


class FakeClock:
    """time.time's stand-in: returns `now`, which the test sets."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def history_settings(folder: Path, **changes: object) -> HistorySettings:
    values: dict[str, object] = {
        "enabled": True,
        "path": folder / "history.sqlite3",
        "history_days": 30,
        **changes,
    }
    return HistorySettings(**values)  # type: ignore[arg-type]


def open_test_store(folder: Path, clock: Callable[[], float], **changes: object) -> HistoryStore:
    return open_store(history_settings(folder, **changes), clock=clock)


def asked(
    question: str = "Who is Iraq's foreign minister?",
    *,
    user: int | None = 5,
    chat: int = 5,
    answered: bool = True,
    reason: str | None = None,
) -> AskedQuestion:
    quotes = (
        (
            QuotedArticle("a1", "Iraq and Iran", 7.5, "Fuad Hussein said..."),
            QuotedArticle("a2", "Regional talks", 3.25, None),
        )
        if answered
        else ()
    )
    return AskedQuestion(question, user, chat, "private", answered, reason, quotes)
