"""`corpusbot stats --plot FILE`: a small PNG of questions and refusals per day (matplotlib,
an optional extra: ``pip install 'corpusbot[stats]'``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from corpusbot.bot.answer import counted
from corpusbot.bot.history.records import Stats

INSTALL_HINT = "--plot needs matplotlib: pip install 'corpusbot[stats]' (or pip install matplotlib)"


class PlotUnavailable(Exception):
    """matplotlib is not installed."""


def plot_per_day(stats: Stats, path: Path) -> None:
    """Bars of questions per day with the refused part on top, saved as a PNG at `path`."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display needed
        import matplotlib.pyplot as plt
    except ImportError:
        raise PlotUnavailable(INSTALL_HINT) from None
    figure, axes = plt.subplots(figsize=(7, 3), dpi=100)
    try:
        draw_per_day(stats, axes)
        figure.tight_layout()
        figure.savefig(path, format="png")
    finally:
        plt.close(figure)


def draw_per_day(stats: Stats, axes: Any) -> None:
    """The bars on `axes`, one a day at its date: a date axis, not one label a bar, so a range
    of more than a year never puts two days with the same month and day on one bar."""
    days = [dt.date.fromisoformat(d.day) for d in stats.per_day]
    answered = [d.questions - d.refused for d in stats.per_day]
    refused = [d.refused for d in stats.per_day]
    axes.bar(days, answered, width=1.0, label="answered", color="#4c78a8")
    axes.bar(days, refused, width=1.0, bottom=answered, label="refused", color="#e45756")
    axes.set_title(f"Questions per day, last {counted(stats.days, 'day')} (UTC)")
    axes.set_ylabel("questions")
    axes.tick_params(axis="x", labelrotation=45, labelsize=8)
    axes.legend(frameon=False)
