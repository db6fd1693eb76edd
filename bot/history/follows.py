"""Follows and their alerts, kept in the state database beside the history.

A follow is a search a chat saved ("Iran Russia vaccine deal"): the user's private chat, or a
group, where it then belongs to the group. Its alerts are kept too, which makes them the outbox:
an alert is written before it is sent and marked sent once Telegram took it, so nothing is lost
across a restart or a crash, and one article alerts a chat once, whichever follows matched it.
What a follow keeps: the chat's id (alerts go there) and the follow's words, until /unfollow or
/forget. The bot and `corpusbot follows` each open their own connection.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpusbot.bot.history.schema import immediate
from corpusbot.bot.history.store import open_shared

__all__ = ["Alert", "ChatTime", "Follow", "FollowStore", "QueuedAlert", "open_follows"]

MAX_FOLLOWS_PER_CHAT = 20
PENDING_SECONDS = 86_400.0  # a follow shown and never saved is dropped after this
INSTANT, DIGEST = "instant", "digest"  # how a follow alerts: at once, or in the daily digest


@dataclass(frozen=True)
class Follow:
    id: int
    chat_id: int
    query: str
    created_at: float
    paused: bool
    alerts: int = 0  # sent so far
    mode: str = INSTANT
    pending: bool = False  # shown, not saved yet: its confirmation's mode button saves it


@dataclass(frozen=True)
class ChatTime:
    """A chat's own time (/timezone) and the hour its digest comes at, in that time."""

    utc_offset: int = 0  # minutes east of UTC
    digest_hour: int = 8


@dataclass(frozen=True)
class Alert:
    """An alert to send: `text` (Telegram HTML) and its buttons, each (label, callback data).
    `story`: every article the alert's quote stands for (a story several outlets carry)."""

    follow_id: int
    chat_id: int
    article_id: str
    text: str
    buttons: tuple[tuple[str, str], ...]
    story: tuple[str, ...] = ()
    digest: bool = False  # waits for the chat's daily digest
    due_at: float = 0.0  # not sent before (a digest's time)


@dataclass(frozen=True)
class QueuedAlert:
    alert: Alert
    attempts: int


class FollowStore:
    """The follows and alerts tables; every method is safe to call from any thread."""

    def __init__(self, connection: sqlite3.Connection, clock: Any = time.time) -> None:
        self._db = connection
        self._clock = clock
        self._mutex = threading.Lock()

    # --- follows ---------------------------------------------------------------------------

    def add(self, chat_id: int, query: str, *, pending: bool = False) -> Follow | None:
        """A follow of `query` for `chat_id`: the one it has already for the same words, else a
        new one (`pending`: shown, to be saved by `confirm`); None when the chat has
        MAX_FOLLOWS_PER_CHAT already. Follows left pending for a day are dropped here."""
        now = self._clock()
        with self._mutex:
            self._db.execute(
                "DELETE FROM follows WHERE pending = 1 AND created_at < ?", (now - PENDING_SECONDS,)
            )
            same = self._rows(
                "SELECT id FROM follows WHERE chat_id = ? AND lower(query) = lower(?)",
                (chat_id, query),
            )
            if same:
                follow_id = int(same[0][0])
            else:
                [(count,)] = self._rows(
                    "SELECT count(*) FROM follows WHERE chat_id = ?", (chat_id,)
                )
                if count >= MAX_FOLLOWS_PER_CHAT:
                    return None
                follow_id = self._insert(chat_id, query, now, pending=pending)
        return self.get(follow_id)

    def _insert(self, chat_id: int, query: str, now: float, *, pending: bool) -> int:
        """A new follow under an id never given before (follow_ids keeps the last)."""
        with immediate(self._db):
            [(last,)] = self._rows("SELECT max(last) FROM follow_ids")
            [(highest,)] = self._rows("SELECT coalesce(max(id), 0) FROM follows")
            follow_id = max(int(last or 0), int(highest)) + 1
            self._db.execute(
                "INSERT INTO follows (id, chat_id, query, created_at, pending)"
                " VALUES (?, ?, ?, ?, ?)",
                (follow_id, chat_id, query, now, int(pending)),
            )
            self._db.execute("UPDATE follow_ids SET last = ?", (follow_id,))
        return follow_id

    def confirm(self, follow_id: int, chat_id: int, mode: str) -> bool:
        """Save a pending follow (or change a saved one's mode): alert at once or in the
        digest. False when there is no such follow."""
        with self._mutex:
            return (
                self._db.execute(
                    "UPDATE follows SET mode = ?, pending = 0 WHERE id = ? AND chat_id = ?",
                    (mode, follow_id, chat_id),
                ).rowcount
                == 1
            )

    def get(self, follow_id: int) -> Follow | None:
        with self._mutex:
            found = self._rows(_FOLLOWS + " WHERE f.id = ? GROUP BY f.id", (follow_id,))
        return _follow(found[0]) if found else None

    def of_chat(self, chat_id: int) -> list[Follow]:
        """The chat's saved follows, oldest first: /following numbers them so."""
        with self._mutex:
            rows = self._rows(
                _FOLLOWS + " WHERE f.chat_id = ? AND f.pending = 0 GROUP BY f.id ORDER BY f.id",
                (chat_id,),
            )
        return [_follow(row) for row in rows]

    def every(self) -> list[Follow]:
        """Every saved follow (pending ones are not followed yet)."""
        with self._mutex:
            rows = self._rows(_FOLLOWS + " WHERE f.pending = 0 GROUP BY f.id ORDER BY f.id")
        return [_follow(row) for row in rows]

    def remove(self, follow_id: int, chat_id: int) -> bool:
        """End a follow of `chat_id` (its alerts still to send go with it)."""
        with self._mutex:
            return (
                self._db.execute(
                    "DELETE FROM follows WHERE id = ? AND chat_id = ?", (follow_id, chat_id)
                ).rowcount
                == 1
            )

    def forget_chat(self, chat_id: int) -> int:
        """Delete the chat's follows and their alerts, and its time; how many follows there
        were."""
        with self._mutex:
            self._db.execute("DELETE FROM chat_times WHERE chat_id = ?", (chat_id,))
            return self._db.execute("DELETE FROM follows WHERE chat_id = ?", (chat_id,)).rowcount

    def chat_time(self, chat_id: int, *, default_hour: int = 8) -> ChatTime:
        """The chat's time and digest hour; UTC and `default_hour` until it set them."""
        with self._mutex:
            found = self._rows(
                "SELECT utc_offset, digest_hour FROM chat_times WHERE chat_id = ?", (chat_id,)
            )
        return ChatTime(*found[0]) if found else ChatTime(0, default_hour)

    def set_chat_time(self, chat_id: int, time: ChatTime) -> None:
        with self._mutex:
            self._db.execute(
                "INSERT INTO chat_times (chat_id, utc_offset, digest_hour) VALUES (?, ?, ?)"
                " ON CONFLICT (chat_id) DO UPDATE SET utc_offset = excluded.utc_offset,"
                " digest_hour = excluded.digest_hour",
                (chat_id, time.utc_offset, time.digest_hour),
            )

    def waiting(self) -> int:
        """Alerts still to send at once, every chat's: how far behind the sender is."""
        with self._mutex:
            [(count,)] = self._rows(
                "SELECT count(*) FROM alerts WHERE sent_at IS NULL AND digest = 0"
            )
        return int(count)

    def instant_since(self, chat_id: int, since: float) -> int:
        """Alerts queued for the chat at once (not for a digest) since `since`."""
        with self._mutex:
            [(count,)] = self._rows(
                "SELECT count(*) FROM alerts WHERE chat_id = ? AND digest = 0 AND queued_at >= ?",
                (chat_id, since),
            )
        return int(count)

    def set_paused(self, chat_id: int, paused: bool) -> int:
        """Pause the chat's follows (the bot was blocked) or resume them; how many changed.
        Called for every message a chat sends: it writes only when something changes."""
        with self._mutex:
            if not self._rows(
                "SELECT 1 FROM follows WHERE chat_id = ? AND paused != ? LIMIT 1",
                (chat_id, int(paused)),
            ):
                return 0
            return self._db.execute(
                "UPDATE follows SET paused = ? WHERE chat_id = ? AND paused != ?",
                (int(paused), chat_id, int(paused)),
            ).rowcount

    # --- the outbox ------------------------------------------------------------------------

    def queue(self, alerts: Sequence[Alert]) -> int:
        """Keep the alerts to send; one whose chat was alerted already of its article, or of
        another report of its story, is left out. How many were new."""
        now = self._clock()
        queued = 0
        with self._mutex:
            for a in alerts:
                story = sorted({a.article_id, *a.story})
                marks = ",".join("?" * len(story))
                if self._rows(
                    f"SELECT 1 FROM alerts WHERE chat_id = ? AND article_id IN ({marks}) LIMIT 1",
                    (a.chat_id, *story),
                ):
                    continue
                self._db.execute(
                    "INSERT INTO alerts (chat_id, article_id, follow_id, text, buttons, queued_at,"
                    " digest, next_try) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        a.chat_id,
                        a.article_id,
                        a.follow_id,
                        a.text,
                        json.dumps(a.buttons),
                        now,
                        int(a.digest),
                        a.due_at,
                    ),
                )
                queued += 1
        return queued

    def due(self, limit: int = 50, *, digest: bool = False) -> list[QueuedAlert]:
        """Alerts to send now, oldest first, of follows not paused: those sent one by one, or
        (`digest`) those of the digests that are due, a chat's together."""
        with self._mutex:
            rows = self._rows(
                "SELECT a.follow_id, a.chat_id, a.article_id, a.text, a.buttons, a.attempts,"
                " a.digest, a.next_try FROM alerts a JOIN follows f ON f.id = a.follow_id"
                " WHERE a.sent_at IS NULL AND a.next_try <= ? AND f.paused = 0 AND a.digest = ?"
                " ORDER BY a.chat_id, a.queued_at LIMIT ?",
                (self._clock(), int(digest), limit),
            )
        return [
            QueuedAlert(
                Alert(f, c, a, t, tuple(tuple(b) for b in json.loads(k)), (), bool(d), w), n
            )
            for f, c, a, t, k, n, d, w in rows
        ]

    def next_due(self) -> float | None:
        """When the next alert still to send (of a follow not paused) is due; None if none."""
        with self._mutex:
            [(due,)] = self._rows(
                "SELECT min(a.next_try) FROM alerts a JOIN follows f ON f.id = a.follow_id"
                " WHERE a.sent_at IS NULL AND f.paused = 0"
            )
        return float(due) if due is not None else None

    def sent(self, alert: Alert) -> None:
        with self._mutex:
            self._db.execute(
                "UPDATE alerts SET sent_at = ? WHERE chat_id = ? AND article_id = ?",
                (self._clock(), alert.chat_id, alert.article_id),
            )

    def retry_later(self, alert: Alert, delay: float) -> None:
        with self._mutex:
            self._db.execute(
                "UPDATE alerts SET attempts = attempts + 1, next_try = ?"
                " WHERE chat_id = ? AND article_id = ?",
                (self._clock() + delay, alert.chat_id, alert.article_id),
            )

    def close(self) -> None:
        with self._mutex:
            self._db.close()

    def _rows(self, sql: str, parameters: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Every row at once: a statement left half read would keep its transaction open, and
        the next write on this connection would then hold the database's write lock."""
        return self._db.execute(sql, parameters).fetchall()


_FOLLOWS = (
    "SELECT f.id, f.chat_id, f.query, f.created_at, f.paused, count(a.sent_at), f.mode,"
    " f.pending FROM follows f LEFT JOIN alerts a ON a.follow_id = f.id"
)


def _follow(row: tuple[Any, ...]) -> Follow:
    follow_id, chat_id, query, created_at, paused, alerts, mode, pending = row
    return Follow(follow_id, chat_id, query, created_at, bool(paused), alerts, mode, bool(pending))


def open_follows(path: Path) -> FollowStore:
    """The follows of the state database at `path`. Raises sqlite3.Error or OSError."""
    return FollowStore(open_shared(path))
