"""The history database: opened once per bot process, written in small, quick transactions.

Opening takes an exclusive lock file beside the database (a second bot on the same file refuses
to start), loads or makes the secret key, moves a damaged file aside and starts a fresh one, and
runs the schema's migrations. All writes go through one connection behind a lock, so the bot may
call them from worker threads.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from corpusbot.bot.history import schema
from corpusbot.bot.history.privacy import ButtonSeal, Hasher, load_secret
from corpusbot.bot.history.records import (
    FIRST_PAGE,
    AnswerPage,
    AskedQuestion,
    DownReason,
    Forgotten,
    Stats,
    Vote,
    VoteState,
)
from corpusbot.bot.history.stats import read_stats
from corpusbot.config.settings import HistorySettings

log = logging.getLogger(__name__)

Clock = Callable[[], float]
DAY = 86_400.0
PURGE_EVERY = 3_600.0  # seconds between purges of expired texts, checked on each write
# How long a write waits for another writer (WAL: readers never block it). Short: a question's
# record waits this long before its answer goes out without it, and a vote or /forget is told
# at once that the history is busy (5 s made every question wait 5 s behind a locked file).
BUSY_TIMEOUT_MS = 1_000


class HistoryBusy(Exception):
    """Another process holds the database's lock file."""


class HistoryUnavailable(Exception):
    """The database cannot be opened or written (read-only folder, newer schema...)."""


def secret_path(path: Path) -> Path:
    return path.with_name(path.name + ".key")


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


class HistoryStore:
    """Questions, quotes and votes; every method is safe to call from any thread."""

    def __init__(
        self,
        connection: sqlite3.Connection,
        hasher: Hasher,
        *,
        buttons: ButtonSeal,
        keep_days: int,
        clock: Clock = time.time,
        lock_fd: int | None = None,
    ) -> None:
        self._db = connection
        self._hash = hasher
        self.buttons = buttons  # answer numbers as the 👍/👎 buttons carry them
        self.keep_days = keep_days
        self._clock = clock
        self._lock_fd = lock_fd
        self._mutex = threading.Lock()
        self._last_purge = float("-inf")

    # --- writes ----------------------------------------------------------------------------

    def record(self, asked: AskedQuestion) -> int:
        """Store one answered or refused question and its quotes; its id (the answer's id)."""
        now = self._clock()
        user = self._hash.user(asked.user_id) if asked.user_id is not None else None
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO questions (asked_at, user_hash, chat_hash, chat_type, question,"
                " answered, reason, quote_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    now,
                    user,
                    self._hash.chat(asked.chat_id),
                    asked.chat_type,
                    asked.question,
                    int(asked.answered),
                    asked.reason,
                    len(asked.quotes),
                ),
            )
            question_id = int(cursor.lastrowid or 0)
            db.executemany(
                "INSERT INTO quotes (question_id, rank, article_id, title, score, text)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (question_id, rank, q.article_id, q.title, q.score, q.text)
                    for rank, q in enumerate(asked.quotes)
                ],
            )
            db.executemany(
                "INSERT INTO scopes (question_id, article_id) VALUES (?, ?)",
                [(question_id, article_id) for article_id in sorted(set(asked.scope))],
            )
        self._purge_if_due(now)
        return question_id

    def vote(
        self,
        question_id: int,
        user_id: int,
        vote: Vote,
        reason: DownReason | None = None,
        *,
        page: AnswerPage = FIRST_PAGE,
    ) -> VoteState | None:
        """Set `user_id`'s vote on one page of an answer (a later vote on that page replaces
        the earlier one; another page has its own).

        A 👎 keeps the reason already given unless a new one comes; a 👍 drops it. None when
        the answer is no longer kept (forgotten).
        """
        user = self._hash.user(user_id)
        with self._transaction() as db:
            if (
                db.execute("SELECT 1 FROM questions WHERE id = ?", (question_id,)).fetchone()
                is None
            ):
                return None
            db.execute(
                "INSERT INTO votes"
                " (question_id, first_rank, shown, user_hash, vote, reason, voted_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (question_id, first_rank, user_hash) DO UPDATE SET"
                " vote = excluded.vote, voted_at = excluded.voted_at, shown = excluded.shown,"
                " reason = CASE WHEN excluded.vote = 'down'"
                "  THEN coalesce(excluded.reason, votes.reason) END",
                (
                    question_id,
                    page.first_rank,
                    page.shown,
                    user,
                    vote.value,
                    reason.value if reason else None,
                    self._clock(),
                ),
            )
            row = db.execute(
                "SELECT vote, reason FROM votes"
                " WHERE question_id = ? AND first_rank = ? AND user_hash = ?",
                (question_id, page.first_rank, user),
            ).fetchone()
        return VoteState(Vote(row[0]), DownReason(row[1]) if row[1] else None)

    def vote_counts(self, question_id: int, first_rank: int) -> tuple[int, int]:
        """(👍, 👎) on one page of an answer, over everyone who voted: what a group sees."""
        with self._mutex:
            row = self._db.execute(
                "SELECT coalesce(sum(vote = 'up'), 0), coalesce(sum(vote = 'down'), 0)"
                " FROM votes WHERE question_id = ? AND first_rank = ?",
                (question_id, first_rank),
            ).fetchone()
        return int(row[0]), int(row[1])

    def keep_page_texts(self, question_id: int, texts: Sequence[tuple[int, str]]) -> None:
        """Keep the texts of the quotes a later page (a More) showed, by rank, so that a vote
        on that page exports its own quotes; not once the question's text has expired."""
        cutoff = self._clock() - self.keep_days * DAY
        with self._transaction() as db:
            db.executemany(
                "UPDATE quotes SET text = ? WHERE question_id = ? AND rank = ? AND text IS NULL"
                " AND question_id IN (SELECT id FROM questions WHERE id = ? AND asked_at >= ?)",
                [(text, question_id, rank, question_id, cutoff) for rank, text in texts],
            )

    def forget(self, user_id: int) -> Forgotten:
        """Delete everything kept about `user_id`: their questions (with every vote on them)
        and their votes."""
        user = self._hash.user(user_id)
        with self._transaction() as db:
            votes = db.execute("DELETE FROM votes WHERE user_hash = ?", (user,)).rowcount
            questions = db.execute("DELETE FROM questions WHERE user_hash = ?", (user,)).rowcount
        return Forgotten(questions=questions, votes=votes)

    def purge(self) -> int:
        """Delete what is older than `keep_days` but the counts: question texts, and the quotes
        and follow-up articles of those questions (only an answer's text ever used them; what
        is left of a question, its time, kind, hashes and votes, is about 0.3 KB); how many
        questions lost their text."""
        now = self._clock()
        cutoff = now - self.keep_days * DAY
        with self._transaction() as db:
            # Of the questions that still have their text: each purge then touches only what
            # expired since the last one. Freed pages are reused, so the file stops growing.
            for table in ("quotes", "scopes"):
                db.execute(
                    f"DELETE FROM {table} WHERE question_id IN"  # our own table names
                    " (SELECT id FROM questions WHERE asked_at < ? AND question IS NOT NULL)",
                    (cutoff,),
                )
            expired = db.execute(
                "UPDATE questions SET question = NULL WHERE asked_at < ? AND question IS NOT NULL",
                (cutoff,),
            ).rowcount
        self._last_purge = now
        if expired:
            log.info(
                "history: deleted the text of %d questions older than %d days",
                expired,
                self.keep_days,
            )
        return expired

    def _purge_if_due(self, now: float) -> None:
        if now - self._last_purge >= PURGE_EVERY:
            self.purge()

    # --- reads -----------------------------------------------------------------------------

    def question_for(self, question_id: int, chat_id: int) -> str | None:
        """The text of question `question_id` if it was asked in `chat_id` and is still kept
        (what a "More" button needs after a restart)."""
        cutoff = self._clock() - self.keep_days * DAY
        with self._mutex:
            row = self._db.execute(
                "SELECT question FROM questions WHERE id = ? AND chat_hash = ? AND asked_at >= ?",
                (question_id, self._hash.chat(chat_id), cutoff),
            ).fetchone()
        return row[0] if row else None

    def scope_for(self, question_id: int, chat_id: int) -> frozenset[str]:
        """The articles follow-up question `question_id` searched first, if it was asked in
        `chat_id`; empty for an ordinary question (what its "More" button searches)."""
        with self._mutex:
            rows = self._db.execute(
                "SELECT scopes.article_id FROM scopes JOIN questions"
                " ON questions.id = scopes.question_id"
                " WHERE scopes.question_id = ? AND questions.chat_hash = ?",
                (question_id, self._hash.chat(chat_id)),
            ).fetchall()
        return frozenset(row[0] for row in rows)

    def quoted_articles(self, question_id: int, chat_id: int) -> list[str]:
        """The ids of the articles answer `question_id` quoted, first quote first, if it was
        given in `chat_id` (what a follow-up question searches first)."""
        with self._mutex:
            rows = self._db.execute(
                "SELECT quotes.article_id FROM quotes JOIN questions"
                " ON questions.id = quotes.question_id"
                " WHERE quotes.question_id = ? AND questions.chat_hash = ? ORDER BY quotes.rank",
                (question_id, self._hash.chat(chat_id)),
            ).fetchall()
        return [row[0] for row in rows]

    def stats(self, days: int) -> Stats:
        with self._mutex:
            return read_stats(self._db, now=self._clock(), days=days, keep_days=self.keep_days)

    # --- plumbing --------------------------------------------------------------------------

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._mutex, schema.immediate(self._db) as db:
            yield db

    def close(self) -> None:
        with self._mutex:
            self._db.close()
            if self._lock_fd is not None:
                os.close(self._lock_fd)  # closing releases the flock
                self._lock_fd = None


# --- opening -----------------------------------------------------------------------------------


def open_store(settings: HistorySettings, *, clock: Clock = time.time) -> HistoryStore:
    """Open (or make) the database of `settings.path` for this bot process.

    Raises HistoryBusy when another process has it open, HistoryUnavailable when it cannot be
    used (the bot then answers without history). A damaged file is moved aside, not deleted.
    """
    path = settings.path
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        lock_fd = _take_lock(lock_path(path))
    except OSError as exc:
        raise HistoryUnavailable(f"cannot write in {path.parent}: {_os_reason(exc)}") from None
    try:
        secret = load_secret(secret_path(path))
        connection = _open_or_replace(path)
    except (OSError, sqlite3.Error, schema.NewerSchema) as exc:
        os.close(lock_fd)
        reason = _os_reason(exc) if isinstance(exc, OSError) else str(exc)
        raise HistoryUnavailable(f"cannot use {path}: {reason}") from None
    except BaseException:
        os.close(lock_fd)
        raise
    store = HistoryStore(
        connection,
        Hasher(secret),
        buttons=ButtonSeal(secret),
        keep_days=settings.history_days,
        clock=clock,
        lock_fd=lock_fd,
    )
    store.purge()
    return store


def _take_lock(path: Path) -> int:
    """An exclusive lock on `path` held as long as the returned descriptor is open."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 32).decode("ascii", "replace").strip() or "another process"
        os.close(fd)
        raise HistoryBusy(
            f"another corpusbot (pid {holder}) is already using the history database "
            f"{path.with_suffix('')}; stop it first, or give this one its own file with "
            "[history] path (or CORPUSBOT_HISTORY_PATH)"
        ) from None
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode())
    return fd


def _open_or_replace(path: Path) -> sqlite3.Connection:
    try:
        return _connect(path)
    except sqlite3.DatabaseError as exc:
        if not _damaged(exc):
            raise
        aside = _move_aside(path)
        log.warning(
            "history database %s is damaged (%s); moved it to %s and started a new one",
            path,
            exc,
            aside.name,
        )
        return _connect(path)


def _connect(path: Path) -> sqlite3.Connection:
    return _set_up(path, busy_ms=BUSY_TIMEOUT_MS, checked=True)


def _set_up(path: Path, *, busy_ms: int, checked: bool) -> sqlite3.Connection:
    """A connection to the database at `path` (made, owner-only, when missing): WAL, foreign
    keys, the schema up to date; `checked`: refused unless SQLite's quick check passes."""
    _make_private(path)
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        connection.execute(f"PRAGMA busy_timeout = {busy_ms}")
        connection.execute("PRAGMA journal_mode = WAL")
        check = connection.execute("PRAGMA quick_check").fetchone()[0] if checked else "ok"
        if check != "ok":
            raise sqlite3.DatabaseError(f"integrity check: {check}")
        connection.execute("PRAGMA synchronous = NORMAL")  # WAL: durable at checkpoints
        connection.execute("PRAGMA foreign_keys = ON")
        schema.migrate(connection)
    except BaseException:
        connection.close()
        raise
    return connection


def _make_private(path: Path) -> None:
    """Create the database file readable by its owner only (SQLite gives its -wal and -shm
    files the same mode); tighten an existing one.

    An existing file is never opened here: closing any descriptor of a file drops every POSIX
    lock this process holds on it, SQLite's included, and another connection of this process
    (the history's, when the follows open theirs) may hold some."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(0o600)


def _damaged(exc: sqlite3.DatabaseError) -> bool:
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")) or str(exc).startswith(
        "integrity check"
    )


def _move_aside(path: Path) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        part = path.with_name(path.name + suffix)
        if part.exists():
            part.rename(aside.with_name(aside.name + suffix))
    return aside


def _os_reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def open_shared(path: Path) -> sqlite3.Connection:
    """A read-write connection of its own to the state database at `path`, made (with its
    folder) when missing and brought up to the current schema, for the feeds and follows,
    which the bot and the `corpusbot` commands use at once (no lock file; WAL). Raises
    sqlite3.Error or OSError when the file cannot be used."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return _set_up(path, busy_ms=BUSY_TIMEOUT_MS * 5, checked=False)


def open_reader(path: Path) -> sqlite3.Connection:
    """A read-only connection for `corpusbot stats` and `feedback export` (the bot may be
    running). Raises FileNotFoundError when there is no database yet."""
    if not path.exists():
        raise FileNotFoundError(
            f"no history database at {path} yet (the bot makes it when "
            "it first runs with [history] enabled)"
        )
    connection = sqlite3.connect(
        f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None
    )
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return connection
