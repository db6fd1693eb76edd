"""bot/cli/history_commands.py through the `corpusbot` command: stats, --plot, feedback export."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

from corpusbot.bot.cli.commands import main
from corpusbot.bot.history.records import DownReason, Vote
from tests.history_helpers import asked, open_test_store


@pytest.fixture
def history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A history with two answered questions (one 👍, one 👎) and one refusal, written now."""
    store = open_test_store(tmp_path, clock=time.time)
    liked = store.record(asked("Who is Iraq's foreign minister?"))
    disliked = store.record(asked("Who met Lavrov?"))
    store.record(asked("Whales?", answered=False, reason="not_found"))
    store.vote(liked, 1, Vote.UP)
    store.vote(disliked, 1, Vote.DOWN, DownReason.OUTDATED)
    store.close()
    monkeypatch.setenv("CORPUSBOT_HISTORY_PATH", str(tmp_path / "history.sqlite3"))
    return tmp_path


def test_stats_prints_the_report(history: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--days", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "Last 3 days (UTC): 3 questions, refused 1 (33%)\nRated answers: 2, 👍 1 (50%)\n"
    )
    assert "    1  Whales?" in out and "(outdated 1)" in out


def test_stats_plot_writes_a_png(history: Path, capsys: pytest.CaptureFixture[str]) -> None:
    chart = history / "chart.png"
    assert main(["stats", "--plot", str(chart)]) == 0
    assert chart.read_bytes().startswith(b"\x89PNG")
    assert "Chart written to" in capsys.readouterr().out


def test_stats_plot_without_matplotlib_says_how_to_get_it(
    history: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now fails
    assert main(["stats", "--plot", str(history / "chart.png")]) == 2
    assert "pip install 'corpusbot[stats]'" in capsys.readouterr().err
    assert not (history / "chart.png").exists()


def test_feedback_export_writes_eval_qa_lines(
    history: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["feedback", "export", "--since", "2000-01-01"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines == [
        {"q": "Who is Iraq's foreign minister?", "a": ["Fuad Hussein said..."], "down_reasons": []},
        {"q": "Who met Lavrov?", "a": [], "down_reasons": ["outdated"]},
    ]
    assert main(["feedback", "export", "--since", "2999-01-01"]) == 0
    assert capsys.readouterr().out == ""


def test_feedback_export_leaves_out_texts_past_retention_the_purge_has_not_reached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    old = time.time() - 40 * 86_400  # history_days is 30: kept in the file until the purge runs
    store = open_test_store(tmp_path, clock=lambda: old)
    store.vote(store.record(asked("An old private question?")), 1, Vote.UP)
    store.close()
    monkeypatch.setenv("CORPUSBOT_HISTORY_PATH", str(tmp_path / "history.sqlite3"))
    assert main(["feedback", "export"]) == 0
    assert "old private question" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "env", "message"),
    [
        (["feedback", "export", "--since", "31/12/2024"], {}, "expected a date like"),
        (["stats"], {"CORPUSBOT_HISTORY_ENABLED": "false"}, "history is off"),
        (["stats"], {"CORPUSBOT_HISTORY_PATH": "/nonexistent/h.sqlite3"}, "no history database"),
        (["stats", "--days", "0"], {}, "--days 0: expected 1 to 36,525"),
    ],
)
def test_bad_requests_get_one_clear_line(
    history: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    env: dict[str, str],
    message: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(argv) in (1, 2)
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.splitlines()) == 1


def test_stats_shows_control_characters_in_questions_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store = open_test_store(tmp_path, clock=time.time)
    store.record(asked("Whales?\x1b]0;owned\x07\x1b[2J", answered=False, reason="not_found"))
    store.close()
    monkeypatch.setenv("CORPUSBOT_HISTORY_PATH", str(tmp_path / "history.sqlite3"))
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "Whales?\\x1b]0;owned\\x07\\x1b[2J" in out


def test_stats_days_past_a_century_is_one_clear_line(
    history: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats", "--days", "1000000"]) == 2
    err = capsys.readouterr().err
    assert "--days 1000000: expected 1 to 36,525" in err and "Traceback" not in err


def test_the_plot_puts_each_day_at_its_own_date_over_more_than_a_year() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from corpusbot.bot.history.plot import draw_per_day
    from corpusbot.bot.history.records import DayCount, Stats

    # Two days a year apart share "06-01": on a label axis they were one bar.
    per_day = (DayCount("2025-06-01", 3, 1), DayCount("2026-06-01", 5, 0))
    stats = Stats(366, per_day, 8, 1, rated=0, thumbs_up=0, unanswered=(), disliked=())
    figure, axes = plt.subplots()
    try:
        draw_per_day(stats, axes)
        answered_bars = axes.containers[0]
        starts = sorted(bar.get_x() for bar in answered_bars)
        assert len(starts) == 2 and starts[1] - starts[0] > 360  # a year apart on the axis
    finally:
        plt.close(figure)
