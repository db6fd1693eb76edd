"""How long the history's writes take: record() of an answered question (five quotes, three
with their text) and vote(), on a fresh database in a temporary folder.

    python benchmarks/history_writes.py [--questions 5000]

The bot runs these in a worker thread (asyncio.to_thread), so they never hold the event loop;
these figures say what each costs that thread. Prints percentiles in microseconds and the
database's size per 1,000 questions.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from corpusbot.bot.history.records import AskedQuestion, QuotedArticle, Vote
from corpusbot.bot.history.store import open_store
from corpusbot.config.settings import HistorySettings

QUOTE = (
    "TEHRAN (Tasnim) – Iran's Caretaker Foreign Minister Ali Baqeri, during a joint press "
    "conference with Iraq's Foreign Minister Fuad Hussein on Thursday, emphasized the "
    "importance of strengthening strategic ties with the Arab country. "
) * 2


def question(number: int) -> AskedQuestion:
    quotes = tuple(
        QuotedArticle(
            f"{rank:03}_9635e7a99c58f50c",
            "Iran Seeks Enhanced Cooperation with Iraq",
            12.5 - rank,
            QUOTE if rank < 3 else None,
        )
        for rank in range(5)
    )
    return AskedQuestion(
        f"Who is Iraq's foreign minister? ({number})",
        10_000 + number % 100,
        10_000 + number % 100,
        "private",
        True,
        None,
        quotes,
    )


def percentiles(seconds: list[float]) -> str:
    cuts = statistics.quantiles(seconds, n=100)
    return (
        f"p50 {cuts[49] * 1e6:.0f} µs, p99 {cuts[98] * 1e6:.0f} µs, max {max(seconds) * 1e6:.0f} µs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "history.sqlite3"
        store = open_store(HistorySettings(enabled=True, path=path, history_days=30))
        records, votes = [], []
        for number in range(args.questions):
            began = time.perf_counter()
            answer = store.record(question(number))
            records.append(time.perf_counter() - began)
            began = time.perf_counter()
            store.vote(answer, number % 100, Vote.UP if number % 3 else Vote.DOWN)
            votes.append(time.perf_counter() - began)
        store.close()
        size = path.stat().st_size
    print(
        f"{args.questions} questions: record() {percentiles(records)}; vote() {percentiles(votes)}"
    )
    print(
        f"database {size / 1024:.0f} KiB, {size / args.questions * 1000 / 1024:.0f} KiB per "
        "1,000 questions (each with five quotes, three with text, and a vote)"
    )


if __name__ == "__main__":
    main()
