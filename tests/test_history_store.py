"""bot/history/store.py: recording, votes, /forget, expiry, and opening a database in every
state it may be found in (new, old schema, damaged, locked, unwritable)."""

from __future__ import annotations

import os
import sqlite3
import stat
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from corpusbot.bot.history import schema
from corpusbot.bot.history.records import AnswerPage, DownReason, Forgotten, Vote, VoteState
from corpusbot.bot.history.store import (
    HistoryBusy,
    HistoryUnavailable,
    open_store,
    secret_path,
)
from tests.history_helpers import DAY, FakeClock, asked, history_settings, open_test_store


def rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchall()


def test_a_question_is_recorded_with_hashed_ids_and_its_quotes(tmp_path: Path) -> None:
    store = open_test_store(tmp_path, FakeClock())
    first = store.record(asked(user=123456789, chat=-100200))
    second = store.record(asked("Nothing here?", answered=False, reason="not_found"))
    store.close()
    assert (first, second) == (1, 2)
    path = tmp_path / "history.sqlite3"
    [(user, chat, kind, text, answered, count)] = rows(
        path,
        "SELECT user_hash, chat_hash, chat_type, question, answered, quote_count"
        " FROM questions WHERE id = 1",
    )
    assert (kind, text, answered, count) == ("private", "Who is Iraq's foreign minister?", 1, 2)
    assert len(user) == len(chat) == 32 and "123456789" not in user + chat
    assert rows(path, "SELECT reason FROM questions WHERE id = 2") == [("not_found",)]
    assert rows(path, "SELECT rank, article_id, score, text FROM quotes ORDER BY rank") == [
        (0, "a1", 7.5, "Fuad Hussein said..."),
        (1, "a2", 3.25, None),
    ]
    assert rows(path, "PRAGMA journal_mode") == [("wal",)]
    assert rows(path, "PRAGMA user_version") == [(schema.VERSION,)]


def test_one_vote_per_user_per_answer_the_later_one_wins(tmp_path: Path) -> None:
    store = open_test_store(tmp_path, FakeClock())
    answer = store.record(asked())
    assert store.vote(answer, 7, Vote.UP) == VoteState(Vote.UP)
    assert store.vote(answer, 7, Vote.DOWN) == VoteState(Vote.DOWN)
    assert store.vote(answer, 7, Vote.DOWN, DownReason.OUTDATED) == VoteState(
        Vote.DOWN, DownReason.OUTDATED
    )
    assert store.vote(answer, 7, Vote.DOWN) == VoteState(Vote.DOWN, DownReason.OUTDATED)
    assert store.vote(answer, 8, Vote.UP) == VoteState(Vote.UP)
    assert store.vote(answer, 7, Vote.UP) == VoteState(Vote.UP)  # a 👍 drops the reason
    assert store.vote(answer + 1, 7, Vote.UP) is None  # no such answer
    store.close()
    assert rows(tmp_path / "history.sqlite3", "SELECT vote, reason FROM votes") == [
        ("up", None),
        ("up", None),
    ]


def test_each_page_of_an_answer_is_voted_on_apart(tmp_path: Path) -> None:
    store = open_test_store(tmp_path, FakeClock())
    answer = store.record(asked())
    down = store.vote(answer, 7, Vote.DOWN, DownReason.WRONG_PASSAGE)
    assert down == VoteState(Vote.DOWN, DownReason.WRONG_PASSAGE)
    assert store.vote(answer, 7, Vote.UP, page=AnswerPage(3, 2)) == VoteState(Vote.UP)
    store.close()
    assert rows(
        tmp_path / "history.sqlite3",
        "SELECT first_rank, shown, vote, reason FROM votes ORDER BY first_rank",
    ) == [(0, None, "down", "wrong_passage"), (3, 2, "up", None)]  # the first page's stands


def test_a_version_2_database_keeps_its_votes_as_first_page_votes(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(
            f"{schema.MIGRATIONS[0]}; {schema.MIGRATIONS[1]}; PRAGMA user_version = 2;"
        )
        db.execute("INSERT INTO questions VALUES (1, 0, 'u', 'c', 'private', 'q', 1, NULL, 1)")
        db.execute("INSERT INTO votes VALUES (1, 'u', 'down', 'outdated', 5.0)")
    open_test_store(tmp_path, FakeClock()).close()
    assert rows(path, "PRAGMA user_version") == [(schema.VERSION,)]
    assert rows(path, "SELECT question_id, first_rank, shown, vote, reason FROM votes") == [
        (1, 0, None, "down", "outdated")
    ]


def test_forget_deletes_the_users_questions_and_votes_only(tmp_path: Path) -> None:
    store = open_test_store(tmp_path, FakeClock())
    mine = [store.record(asked(user=5)) for _ in range(3)]
    theirs = store.record(asked(user=6, chat=6))
    store.vote(theirs, 5, Vote.DOWN)
    store.vote(mine[0], 6, Vote.UP)  # someone else's vote on my question goes with it
    store.vote(theirs, 6, Vote.UP)
    assert store.forget(5) == Forgotten(questions=3, votes=1)
    assert store.forget(5) == Forgotten(questions=0, votes=0)
    assert store.question_for(theirs, 6) is not None
    store.close()
    path = tmp_path / "history.sqlite3"
    assert rows(path, "SELECT count(*) FROM questions") == [(1,)]
    assert rows(path, "SELECT count(*) FROM quotes") == [(2,)]
    assert rows(path, "SELECT vote FROM votes") == [("up",)]


def test_texts_expire_after_history_days_counts_stay(tmp_path: Path) -> None:
    clock = FakeClock()
    store = open_test_store(tmp_path, clock, history_days=30)
    old = store.record(asked("old question"))
    clock.now += 29 * DAY
    recent = store.record(asked("recent question"))
    assert store.question_for(old, 5) == "old question"
    clock.now += 2 * DAY  # old is 31 days old now, recent 2
    assert store.question_for(old, 5) is None  # expired even before the purge runs
    assert store.purge() == 1
    assert store.question_for(recent, 5) == "recent question"
    store.close()
    path = tmp_path / "history.sqlite3"
    assert rows(path, "SELECT id, question FROM questions ORDER BY id") == [
        (old, None),
        (recent, "recent question"),
    ]
    assert rows(path, f"SELECT count(*) FROM quotes WHERE question_id = {old}") == [(0,)]
    assert rows(path, f"SELECT count(*) FROM quotes WHERE question_id = {recent}") == [(2,)]


def test_the_file_stops_growing_once_texts_expire(tmp_path: Path) -> None:
    """What the purge leaves of a question is its counts; the rest is deleted and its pages
    reused, so a steady stream of questions keeps the file about the size of one retention
    window plus about 0.3 KB a question (its counts and hashes)."""
    clock, path, per_day = FakeClock(), tmp_path / "history.sqlite3", 300
    sizes = []
    for _day in range(6):
        store = open_test_store(tmp_path, clock, history_days=1)
        for n in range(per_day):
            store.record(asked(f"question {n} about the harbour and its bridges " * 3))
            clock.now += DAY / per_day
        store.purge()
        store.close()  # a checkpoint: the file holds everything
        sizes.append(path.stat().st_size)
    growth = (sizes[5] - sizes[2]) / (3 * per_day)  # bytes a question, once the window is full
    assert growth < 360, sizes  # measured: 405 bytes before, 300 after


def test_expired_texts_are_purged_at_start_and_on_writes(tmp_path: Path) -> None:
    clock = FakeClock()
    store = open_test_store(tmp_path, clock, history_days=1)
    store.record(asked("first"))
    store.close()
    clock.now += 2 * DAY
    store = open_test_store(tmp_path, clock, history_days=1)  # the purge at start
    path = tmp_path / "history.sqlite3"
    assert rows(path, "SELECT question FROM questions") == [(None,)]
    store.record(asked("second"))
    clock.now += 2 * DAY
    store.record(asked("third"))  # more than an hour after the last purge: purged on write
    store.close()
    assert rows(path, "SELECT question FROM questions ORDER BY id") == [
        (None,),
        (None,),
        ("third",),
    ]


def test_question_for_needs_the_same_chat(tmp_path: Path) -> None:
    store = open_test_store(tmp_path, FakeClock())
    answer = store.record(asked(chat=-5))
    assert store.question_for(answer, -5) == "Who is Iraq's foreign minister?"
    assert store.question_for(answer, 5) is None
    assert store.question_for(answer + 10, -5) is None
    store.close()


def test_a_follow_up_s_articles_are_kept_for_its_more_button(tmp_path: Path) -> None:
    store = open_test_store(tmp_path, FakeClock())
    plain = store.record(asked(chat=-5))
    follow_up = store.record(replace(asked(chat=-5), scope=("north_flood", "north_council")))
    assert store.scope_for(follow_up, -5) == {"north_flood", "north_council"}
    assert store.scope_for(follow_up, 5) == frozenset()  # another chat's question
    assert store.scope_for(plain, -5) == frozenset()  # an ordinary question: every article
    store.forget(5)
    assert store.scope_for(follow_up, -5) == frozenset()  # deleted with the question
    store.close()


def test_a_version_1_database_gains_the_scopes_table(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(f"{schema.MIGRATIONS[0]}; PRAGMA user_version = 1;")
        db.execute("INSERT INTO questions VALUES (1, 0, NULL, 'c', 'private', 'old', 1, NULL, 0)")
    store = open_test_store(tmp_path, FakeClock())
    assert store.scope_for(1, 5) == frozenset()
    store.close()
    assert rows(path, "PRAGMA user_version") == [(schema.VERSION,)]
    assert rows(path, "SELECT id, answered FROM questions") == [(1, 1)]  # its rows are kept


def test_a_second_process_on_the_same_database_is_refused(tmp_path: Path) -> None:
    first = open_test_store(tmp_path, FakeClock())
    with pytest.raises(HistoryBusy, match=rf"pid {os.getpid()}.*\[history\] path"):
        open_test_store(tmp_path, FakeClock())
    first.close()
    open_test_store(tmp_path, FakeClock()).close()  # free again once the first one closed


def test_a_damaged_file_is_moved_aside_and_a_new_one_made(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = open_test_store(tmp_path, FakeClock())
    store.record(asked())
    store.close()
    secret = secret_path(tmp_path / "history.sqlite3").read_bytes()
    (tmp_path / "history.sqlite3").write_bytes(b"this is not a database" * 100)
    store = open_test_store(tmp_path, FakeClock())
    assert store.record(asked()) == 1
    store.close()
    [aside] = tmp_path.glob("history.sqlite3.damaged-*")
    assert aside.read_bytes().startswith(b"this is not a database")
    assert secret_path(tmp_path / "history.sqlite3").read_bytes() == secret  # hashes still match
    assert "is damaged" in caplog.text and aside.name in caplog.text


def test_an_old_schema_is_migrated_and_a_newer_one_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    sqlite3.connect(path).close()  # an empty database: version 0
    open_test_store(tmp_path, FakeClock()).close()
    assert rows(path, "PRAGMA user_version") == [(schema.VERSION,)]
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {schema.VERSION + 1}")
    with pytest.raises(HistoryUnavailable, match="knows up to"):
        open_test_store(tmp_path, FakeClock())
    assert rows(path, "PRAGMA user_version") == [(schema.VERSION + 1,)]  # untouched


def test_the_secret_is_made_once_readable_by_the_owner_only(tmp_path: Path) -> None:
    open_test_store(tmp_path, FakeClock()).close()
    key = secret_path(tmp_path / "history.sqlite3")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    made = key.read_bytes()
    open_test_store(tmp_path, FakeClock()).close()
    assert key.read_bytes() == made


def test_an_unwritable_folder_makes_history_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder should be")
    settings = history_settings(blocker)  # its path is file/history.sqlite3
    with pytest.raises(HistoryUnavailable, match="cannot write in"):
        open_store(settings)


def test_the_database_and_its_folder_are_private(tmp_path: Path) -> None:
    settings = history_settings(tmp_path / "data")
    store = open_store(settings)
    store.record(asked())  # the write-ahead log now exists too
    wal = settings.path.with_name(settings.path.name + "-wal")
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (settings.path, wal)}
    store.close()
    assert modes == {"history.sqlite3": 0o600, "history.sqlite3-wal": 0o600}
    assert stat.S_IMODE(settings.path.parent.stat().st_mode) == 0o700


def test_quoted_articles_of_an_answer_in_its_own_chat_only(tmp_path: Path) -> None:
    store = open_test_store(tmp_path, FakeClock())
    answer = store.record(asked(chat=5))
    assert store.quoted_articles(answer, 5) == ["a1", "a2"]
    assert store.quoted_articles(answer, 6) == []  # another chat cannot read it
    assert store.quoted_articles(answer + 1, 5) == []


def test_a_second_connection_in_the_process_keeps_the_first_one_s_locks(tmp_path: Path) -> None:
    """Opening the follows' connection beside the history's must not touch the file itself:
    closing any descriptor of it drops every POSIX lock the process holds, SQLite's included.
    Another process then closing the file took itself for its last user and deleted the
    write-ahead log under the bot, whose later writes no one else could read."""
    import subprocess
    import sys

    from corpusbot.bot.history.store import open_shared

    path = tmp_path / "history.sqlite3"
    count = (
        "import sqlite3, sys\n"
        "db = sqlite3.connect(sys.argv[1])\n"
        "print(db.execute('SELECT count(*) FROM feeds').fetchone()[0])\n"
        "db.close()\n"
    )

    def rows_seen_elsewhere() -> str:
        done = subprocess.run(
            [sys.executable, "-c", count, str(path)], capture_output=True, text=True, timeout=30
        )
        return done.stdout.strip() + done.stderr

    bot = open_shared(path)
    try:
        bot.execute("INSERT INTO feeds (url, added_at, added_by) VALUES ('a', 0, 'command')")
        open_shared(path).close()  # the follows' connection, opened and closed
        assert rows_seen_elsewhere() == "1"
        bot.execute("INSERT INTO feeds (url, added_at, added_by) VALUES ('b', 0, 'command')")
        assert rows_seen_elsewhere() == "2"
    finally:
        bot.close()
