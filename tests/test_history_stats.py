"""bot/history/stats.py: per-day counts, shares, the unanswered and the 👎'd, and the report."""

from __future__ import annotations

from pathlib import Path

from corpusbot.bot.history.records import Counted, DownReason, Vote
from corpusbot.bot.history.stats import stats_text
from tests.history_helpers import DAY, FakeClock, asked, open_test_store


def test_stats_count_days_refusals_votes_and_group_questions(tmp_path: Path) -> None:
    clock = FakeClock()  # 2026-05-28
    store = open_test_store(tmp_path, clock)
    clock.now -= 20 * DAY
    store.record(asked("outside the window"))
    clock.now += 20 * DAY - 1 * DAY  # 2026-05-27
    liked = store.record(asked("Who is Iraq's foreign minister?"))
    disliked = store.record(asked("Who is Iraq's foreign minister"))  # same, no "?"
    store.record(asked("Who won the election?", answered=False, reason="not_found"))
    clock.now += DAY  # 2026-05-28
    store.record(asked("who won  the ELECTION", answered=False, reason="not_found"))
    store.record(asked("Price of oil?", answered=False, reason="not_found"))
    store.vote(liked, 1, Vote.UP)
    store.vote(liked, 2, Vote.UP)
    store.vote(disliked, 1, Vote.DOWN, DownReason.WRONG_PASSAGE)
    store.vote(disliked, 3, Vote.DOWN, DownReason.OUTDATED)
    store.vote(liked, 4, Vote.DOWN)
    stats = store.stats(14)
    store.close()
    assert len(stats.per_day) == 14 and stats.per_day[-1].day == "2026-05-28"
    assert [(d.questions, d.refused) for d in stats.per_day[-2:]] == [(3, 1), (2, 2)]
    assert sum(d.questions for d in stats.per_day[:-2]) == 0
    assert (stats.questions, stats.refused, stats.refused_share) == (5, 3, 0.6)
    assert (stats.rated, stats.thumbs_up, stats.thumbs_up_share) == (5, 2, 0.4)
    assert stats.unanswered == (Counted("Who won the election?", 2), Counted("Price of oil?", 1))
    [answer] = stats.disliked
    assert answer.count == 3 and answer.text.endswith("→ Iraq and Iran")
    assert answer.detail == "outdated 1, wrong passage 1"


def test_stats_leave_out_expired_texts_but_count_them(tmp_path: Path) -> None:
    clock = FakeClock()
    store = open_test_store(tmp_path, clock, history_days=3)
    store.record(asked("Anything about whales?", answered=False, reason="not_found"))
    clock.now += 5 * DAY
    stats = store.stats(14)
    store.close()
    assert stats.questions == 1 and stats.refused == 1 and stats.unanswered == ()


def test_the_report_shows_every_figure(tmp_path: Path) -> None:
    store = open_test_store(tmp_path, FakeClock())
    answer = store.record(asked())
    store.record(asked("Whales?", answered=False, reason="not_found"))
    store.vote(answer, 1, Vote.DOWN, DownReason.NOT_IN_ARTICLES)
    text = stats_text(store.stats(14))
    store.close()
    lines = text.splitlines()
    assert lines[0] == "Last 14 days (UTC): 2 questions, refused 1 (50%)"
    assert lines[1] == "Rated answers: 1, 👍 0 (0%)"
    assert "2026-05-28          2        1" in lines
    assert "    1  Whales?" in lines
    assert (
        "    1  “Who is Iraq's foreign minister?” → Iraq and Iran (not in the articles 1)" in lines
    )


def test_an_empty_history_reports_nothing_without_dividing_by_zero(tmp_path: Path) -> None:
    store = open_test_store(tmp_path, FakeClock())
    stats = store.stats(14)
    store.close()
    assert stats.refused_share is None and stats.thumbs_up_share is None
    text = stats_text(stats)
    assert text.startswith("Last 14 days (UTC): 0 questions, refused 0\nRated answers: 0, 👍 0")
    assert text.count("(none)") == 2
