"""bot/history/export.py: rated questions as `eval --qa` cases."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from corpusbot.bot.history.export import feedback_cases
from corpusbot.bot.history.records import AnswerPage, DownReason, Vote
from tests.history_helpers import DAY, START, FakeClock, asked, open_test_store


def test_liked_quotes_become_accepted_answers_and_dislikes_reasons(tmp_path: Path) -> None:
    clock = FakeClock()
    store = open_test_store(tmp_path, clock)
    first = store.record(asked("Who is Iraq's foreign minister?"))
    again = store.record(asked("who is iraq's foreign minister"))
    unrated = store.record(asked("Unrated?"))
    clock.now += 2 * DAY
    later = store.record(asked("Later question?"))
    store.vote(first, 1, Vote.UP)
    store.vote(again, 2, Vote.UP)
    store.vote(again, 3, Vote.DOWN, DownReason.WRONG_PASSAGE)
    store.vote(later, 1, Vote.DOWN)
    store.close()
    with sqlite3.connect(tmp_path / "history.sqlite3") as db:
        cases = [case.as_json() for case in feedback_cases(db, kept_since=START)]
        recent = [
            case.as_json() for case in feedback_cases(db, since=START + DAY, kept_since=START)
        ]
        # Past the retention of the first day's texts (the purge has not run): only the later.
        kept = [case.as_json() for case in feedback_cases(db, kept_since=START + DAY)]
    assert cases == [
        {
            "q": "Who is Iraq's foreign minister?",
            "a": ["Fuad Hussein said..."],
            "down_reasons": ["wrong_passage"],
        },
        {"q": "Later question?", "a": [], "down_reasons": ["none_given"]},
    ]
    assert recent == [cases[1]]
    assert kept == [cases[1]]
    assert unrated  # recorded, but without a vote it is not exported


def test_a_vote_on_a_more_page_exports_that_page_s_quotes(tmp_path: Path) -> None:
    store = open_test_store(tmp_path, FakeClock())
    answer = store.record(asked("Who met Lavrov?"))  # quotes 0 and 1; only 0's text is kept
    store.keep_page_texts(answer, [(1, "Borrell met Lavrov in Amman.")])  # the More page
    store.vote(answer, 1, Vote.DOWN, DownReason.WRONG_PASSAGE)  # page 1: its quote is wrong
    store.vote(answer, 1, Vote.UP, page=AnswerPage(1, 1))  # the More page: right
    store.close()
    with sqlite3.connect(tmp_path / "history.sqlite3") as db:
        [case] = [c.as_json() for c in feedback_cases(db, kept_since=START)]
    assert case["a"] == ["Borrell met Lavrov in Amman."]  # not page 1's "Fuad Hussein said..."
    assert case["down_reasons"] == ["wrong_passage"]
