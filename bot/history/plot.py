"""`corpusbot stats --plot FILE`: a small PNG of questions and refusals per day (matplotlib,
an optional extra: ``pip install 'corpusbot[stats]'``)."""

from __future__ import annotations

from pathlib import Path

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
    days = [d.day[5:] for d in stats.per_day]  # MM-DD
    answered = [d.questions - d.refused for d in stats.per_day]
    refused = [d.refused for d in stats.per_day]
    figure, axes = plt.subplots(figsize=(7, 3), dpi=100)
    try:
        axes.bar(days, answered, label="answered", color="#4c78a8")
        axes.bar(days, refused, bottom=answered, label="refused", color="#e45756")
        axes.set_title(f"Questions per day, last {stats.days} days (UTC)")
        axes.set_ylabel("questions")
        axes.tick_params(axis="x", labelrotation=45, labelsize=8)
        axes.legend(frameon=False)
        figure.tight_layout()
        figure.savefig(path, format="png")
    finally:
        plt.close(figure)
