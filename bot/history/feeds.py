"""The feeds the bot reads, kept in the state database beside the history.

Feeds are no one's personal data, so they are kept even with history off. The bot and the
`corpusbot feeds` commands may use the file at once: each opens its own connection (WAL, short
transactions, no lock file), so a feed added from the command line is read at the bot's next
poll. Feeds named in the settings (`[feeds] urls`) are kept here too, marked as such, so that
their validators and failures are remembered; they leave when the settings drop them.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpusbot.bot.history.schema import immediate
from corpusbot.bot.history.store import open_shared
from corpusbot.retrieval.ingest import FeedState, Validators

__all__ = ["COMMAND", "SETTINGS", "FeedRecord", "FeedStore", "open_feeds"]

COMMAND, SETTINGS = "command", "settings"  # who added a feed
_COLUMNS = (
    "url, added_at, added_by, title, etag, last_modified, failures, retry_at, polled_at,"
    " last_error, last_new"
)


@dataclass(frozen=True)
class FeedRecord:
    """A feed as stored: its poll state, and when and how it was added."""

    state: FeedState
    added_at: float
    added_by: str  # COMMAND or SETTINGS


class FeedStore:
    """The feeds table; every method is safe to call from any thread."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection
        self._mutex = threading.Lock()

    def add(self, url: str, *, by: str = COMMAND) -> bool:
        """Add a feed; False when it is there already."""
        with self._mutex:
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO feeds (url, added_at, added_by) VALUES (?, ?, ?)",
                (url, time.time(), by),
            )
            return cursor.rowcount == 1

    def remove(self, url: str) -> bool:
        """Remove a feed; False when there was none by that link."""
        with self._mutex:
            return self._db.execute("DELETE FROM feeds WHERE url = ?", (url,)).rowcount == 1

    def feeds(self) -> list[FeedRecord]:
        """Every feed, in the order they were added."""
        with self._mutex:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM feeds ORDER BY added_at, url")
            return [_record(row) for row in rows.fetchall()]

    def save(self, state: FeedState) -> None:
        """Keep what a poll found (a feed removed meanwhile stays removed)."""
        with self._mutex:
            self._db.execute(
                "UPDATE feeds SET title = ?, etag = ?, last_modified = ?, failures = ?,"
                " retry_at = ?, polled_at = ?, last_error = ?, last_new = ? WHERE url = ?",
                (
                    state.title,
                    state.validators.etag,
                    state.validators.last_modified,
                    state.failures,
                    state.retry_at,
                    state.polled_at,
                    state.last_error,
                    state.last_new,
                    state.url,
                ),
            )

    def follow_settings(self, urls: Iterable[str]) -> None:
        """Make the settings' feeds those marked as theirs: add the new, drop the dropped."""
        wanted = list(dict.fromkeys(urls))
        marks = ",".join("?" * len(wanted))
        with self._mutex, immediate(self._db):
            self._db.execute(
                f"DELETE FROM feeds WHERE added_by = ? AND url NOT IN ({marks})",
                (SETTINGS, *wanted),
            )
            self._db.executemany(
                "INSERT OR IGNORE INTO feeds (url, added_at, added_by) VALUES (?, ?, ?)",
                [(url, time.time(), SETTINGS) for url in wanted],
            )

    def close(self) -> None:
        with self._mutex:
            self._db.close()


def open_feeds(path: Path) -> FeedStore:
    """The feeds of the state database at `path`, made (with its folder) when missing.
    Raises sqlite3.Error or OSError when the file cannot be used."""
    return FeedStore(open_shared(path))


def _record(row: tuple[Any, ...]) -> FeedRecord:
    (url, added_at, added_by, title, etag, modified, failures, retry_at, polled_at, error, new) = (
        row
    )
    state = FeedState(
        url=url,
        validators=Validators(etag, modified),
        failures=failures,
        retry_at=retry_at,
        polled_at=polled_at,
        last_error=error,
        last_new=new,
        title=title,
    )
    return FeedRecord(state, added_at, added_by)
