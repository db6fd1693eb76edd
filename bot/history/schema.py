"""The history database's schema: migration N takes a database from version N to N + 1.

The version is SQLite's `PRAGMA user_version`. A migration is only ever appended, never edited:
a database made by an older corpusbot is brought up to date at start, step by step.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

MIGRATIONS: tuple[str, ...] = (
    # 1: questions, the quotes they got, and one vote per user per answer.
    """
    CREATE TABLE questions (
        id INTEGER PRIMARY KEY,
        asked_at REAL NOT NULL,          -- Unix time, seconds
        user_hash TEXT,                  -- keyed hash (privacy.py); NULL when unknown
        chat_hash TEXT NOT NULL,
        chat_type TEXT NOT NULL,         -- private, group, supergroup, channel
        question TEXT,                   -- NULL once older than history_days
        answered INTEGER NOT NULL,
        reason TEXT,                     -- why nothing was quoted; NULL when answered
        quote_count INTEGER NOT NULL
    );
    CREATE INDEX questions_by_time ON questions (asked_at);
    CREATE INDEX questions_by_user ON questions (user_hash);
    CREATE TABLE quotes (
        question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
        rank INTEGER NOT NULL,           -- 0 is the first quote
        article_id TEXT NOT NULL,
        title TEXT NOT NULL,
        score REAL NOT NULL,
        text TEXT,                       -- the quotes shown first; NULL once expired
        PRIMARY KEY (question_id, rank)
    ) WITHOUT ROWID;
    CREATE TABLE votes (
        question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
        user_hash TEXT NOT NULL,
        vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
        reason TEXT,                     -- after a 👎: wrong_passage, outdated, not_in_articles
        voted_at REAL NOT NULL,
        PRIMARY KEY (question_id, user_hash)
    ) WITHOUT ROWID;
    CREATE INDEX votes_by_user ON votes (user_hash);
    """,
    # 2: the articles a follow-up question searched first, so that its More buttons search the
    # same articles (after a restart too).
    """
    CREATE TABLE scopes (
        question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
        article_id TEXT NOT NULL,
        PRIMARY KEY (question_id, article_id)
    ) WITHOUT ROWID;
    """,
    # 3: a vote is on one message, a page of an answer's quotes: page 1 and its More page are
    # rated apart, and export takes the quotes of the page voted on. Earlier votes were on the
    # first page (the only one whose quotes were kept).
    """
    CREATE TABLE page_votes (
        question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
        first_rank INTEGER NOT NULL,     -- the page: the rank of its first quote
        shown INTEGER,                   -- how many quotes it showed; NULL: the first page's
        user_hash TEXT NOT NULL,
        vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
        reason TEXT,
        voted_at REAL NOT NULL,
        PRIMARY KEY (question_id, first_rank, user_hash)
    ) WITHOUT ROWID;
    INSERT INTO page_votes
        SELECT question_id, 0, NULL, user_hash, vote, reason, voted_at FROM votes;
    DROP TABLE votes;
    ALTER TABLE page_votes RENAME TO votes;
    CREATE INDEX votes_by_user ON votes (user_hash);
    """,
    # 4: the feeds the bot reads (bot/history/feeds.py), with what each poll needs to remember:
    # the server's validators for a conditional request, and the failures behind a retry delay.
    """
    CREATE TABLE feeds (
        url TEXT PRIMARY KEY,
        added_at REAL NOT NULL,
        added_by TEXT NOT NULL CHECK (added_by IN ('command', 'settings')),
        title TEXT NOT NULL DEFAULT '',
        etag TEXT,
        last_modified TEXT,
        failures INTEGER NOT NULL DEFAULT 0,
        retry_at REAL NOT NULL DEFAULT 0,
        polled_at REAL,
        last_error TEXT,
        last_new INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    """,
    # 5: follows (bot/history/follows.py): saved searches, and the alerts they brought, which
    # are also the outbox: an alert waits here until Telegram took it (sent_at set).
    """
    CREATE TABLE follows (
        id INTEGER PRIMARY KEY,
        chat_id INTEGER NOT NULL,        -- where alerts go: the user's private chat, or a group
        query TEXT NOT NULL,
        created_at REAL NOT NULL,
        paused INTEGER NOT NULL DEFAULT 0  -- 1 once Telegram said the bot was blocked
    );
    CREATE INDEX follows_by_chat ON follows (chat_id);
    CREATE TABLE alerts (
        chat_id INTEGER NOT NULL,        -- one alert per article per chat, whatever matched
        article_id TEXT NOT NULL,
        follow_id INTEGER NOT NULL REFERENCES follows (id) ON DELETE CASCADE,
        text TEXT NOT NULL,              -- the message, Telegram HTML
        buttons TEXT NOT NULL,           -- its inline keyboard, JSON
        queued_at REAL NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_try REAL NOT NULL DEFAULT 0,
        sent_at REAL,                    -- NULL: still to send
        PRIMARY KEY (chat_id, article_id)
    ) WITHOUT ROWID;
    CREATE INDEX alerts_to_send ON alerts (sent_at, next_try);
    """,
    # 6: daily digests. A follow alerts at once or in its chat's digest, which comes at an hour
    # of the chat's own time; an alert queued for a digest waits (next_try) until it is due.
    """
    ALTER TABLE follows ADD COLUMN mode TEXT NOT NULL DEFAULT 'instant'
        CHECK (mode IN ('instant', 'digest'));
    ALTER TABLE alerts ADD COLUMN digest INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE chat_times (
        chat_id INTEGER PRIMARY KEY,
        utc_offset INTEGER NOT NULL DEFAULT 0,   -- minutes east of UTC, set with /timezone
        digest_hour INTEGER NOT NULL DEFAULT 8   -- the digest's hour, in the chat's time
    );
    """,
    # 7: a follow waits, pending, until its confirmation's [Instant] or [Daily digest] saves it
    # (the confirmation first shows what it would have sent); a pending one matches nothing.
    # Follow ids are never reused (a deleted follow's Stop button must not end a later one):
    # follow_ids keeps the last given.
    """
    ALTER TABLE follows ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE follow_ids (last INTEGER NOT NULL);
    INSERT INTO follow_ids SELECT coalesce(max(id), 0) FROM follows;
    """,
)
VERSION = len(MIGRATIONS)


class NewerSchema(Exception):
    """The database was made by a newer corpusbot; it is left alone."""


def version_of(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


@contextlib.contextmanager
def immediate(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction that takes the write lock at once (BEGIN IMMEDIATE), committed when
    the block ends and rolled back when it raises."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def migrate(connection: sqlite3.Connection) -> int:
    """Run the migrations the database lacks, each in its own transaction; the version before.

    Two processes may open the file at once (the bot, and `corpusbot feeds` beside it): each
    step takes the write lock first and checks the version again under it, so a step runs once.
    """
    before = version_of(connection)
    if before > VERSION:
        raise NewerSchema(
            f"the history database has schema version {before}; this corpusbot "
            f"knows up to {VERSION} (upgrade corpusbot, or set [history] path)"
        )
    for number in range(before, VERSION):
        with immediate(connection):
            if version_of(connection) <= number:
                for statement in statements(MIGRATIONS[number]):
                    connection.execute(statement)
                connection.execute(f"PRAGMA user_version = {number + 1}")
    return before


def statements(script: str) -> list[str]:
    """The SQL statements of `script`, one by one (`execute` runs one at a time, and
    `executescript` would commit the transaction the step runs in)."""
    found: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            found.append(pending.strip())
            pending = ""
    if pending.strip():
        found.append(pending.strip())
    return found
