"""`corpusbot stats` and `corpusbot feedback export`: read the history database (read-only, so
while the bot runs too) and print."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
import sys
import time
from pathlib import Path
from typing import TextIO

from corpusbot.bot.cli.terminal import print_text
from corpusbot.bot.history import (
    DAY,
    PlotUnavailable,
    feedback_cases,
    open_reader,
    plot_per_day,
    read_stats,
    stats_text,
)
from corpusbot.config.settings import HistorySettings, SettingsError

STATS_DAYS = 14
HISTORY_OFF = "history is off ([history] enabled = false), so nothing was stored"


# The longest range `stats` reads: a century, far past any history, and far from the dates
# Python cannot count back to (--days 1000000 overflowed).
MAX_STATS_DAYS = 36_525


def stats_command(
    settings: HistorySettings, *, days: int = STATS_DAYS, plot: Path | None = None
) -> int:
    """Print the stats of the last `days` days; with `plot`, also write the PNG chart there."""
    if not settings.enabled:
        return _fail(HISTORY_OFF, 1)
    if not 1 <= days <= MAX_STATS_DAYS:
        raise SettingsError(f"--days {days}: expected 1 to {MAX_STATS_DAYS:,} (a century)")
    with contextlib.closing(open_reader(settings.path)) as db:
        try:
            stats = read_stats(db, now=time.time(), days=days, keep_days=settings.history_days)
        except sqlite3.DatabaseError as exc:
            return _fail(f"cannot read {settings.path}: {exc}", 1)
    print_text(stats_text(stats))  # question texts are people's: no terminal escapes
    if plot is not None:
        try:
            plot_per_day(stats, plot)
        except PlotUnavailable as exc:
            return _fail(str(exc), 2)
        except OSError as exc:
            return _fail(f"cannot write {plot}: {exc.strerror or exc}", 1)
        print(f"\nChart written to {plot}")
    return 0


def export_command(
    settings: HistorySettings, *, since: str | None = None, output: TextIO | None = None
) -> int:
    """Write the rated questions (since the date `since`, YYYY-MM-DD, UTC) as JSON lines."""
    if not settings.enabled:
        return _fail(HISTORY_OFF, 1)
    start = parse_since(since) if since else None
    out = output or sys.stdout
    with contextlib.closing(open_reader(settings.path)) as db:
        try:
            kept_since = time.time() - settings.history_days * DAY
            for case in feedback_cases(db, start, kept_since=kept_since):
                print(json.dumps(case.as_json(), ensure_ascii=False), file=out)
        except sqlite3.DatabaseError as exc:
            return _fail(f"cannot read {settings.path}: {exc}", 1)
    return 0


def parse_since(text: str) -> float:
    """A YYYY-MM-DD date as the Unix time of its first second, UTC."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise SettingsError(f"--since {text!r}: expected a date like 2024-05-31") from None
    return dt.datetime.combine(day, dt.time(), dt.UTC).timestamp()


def _fail(message: str, status: int) -> int:
    print(f"corpusbot: {message}", file=sys.stderr)
    return status
