"""Load test: simulated users question the real bot through the local Bot API server.

    python benchmarks/load.py [--users 100] [--questions 5000] [--corpus DIR]

Starts the local Bot API server in this process and `corpusbot run --base-url …` as a
subprocess, then has each user send its share of questions one after another (the next once the
previous is answered). Prints the answers received, duplicates and losses, reply latency
percentiles, the bot's memory after the first thousand answers and at the end, and the growth of
its history database (on, as by default, in a temporary folder) per 1,000 questions. Everything is
on 127.0.0.1, every wait is bounded, and the whole run has a deadline. The per-user rate limit is
turned off (these users are meant to be fast), and so is the bot's pacing for Telegram's flood
limit (about 30 messages a second, which would cap the bot at 15 answers a second whatever its
speed); set CORPUSBOT_TELEGRAM_MAX_SENDS_PER_SECOND=30 to measure with it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corpusbot.bot.local_api import LocalBotApi  # noqa: E402

TOKEN = "424242:LOAD-test"
REPLY_TIMEOUT = 30.0  # seconds one answer may take before it counts as lost
DEADLINE = 900.0  # seconds for the whole run
FIRST_CHAT = 10_000


def questions() -> list[str]:
    data = json.loads((ROOT / "tests/data/seed_questions.json").read_text(encoding="utf-8"))
    return [case["question"] for case in data["answerable"]] + data["unanswerable"]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


class Run:
    """Shared tallies of the simulated users."""

    def __init__(self, pid: int, database: Path) -> None:
        self.pid = pid
        self.database = database
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.lost = 0
        self.rss_at_1000 = 0
        self.db_at_1000 = 0

    def answered(self, seconds: float) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if len(self.latencies) == 1000:
                self.rss_at_1000 = rss_kib(self.pid)
                self.db_at_1000 = database_bytes(self.database)


def database_bytes(path: Path) -> int:
    """The history database with its write-ahead log, in bytes (0 before it exists)."""
    parts = (path, path.with_name(path.name + "-wal"))
    return sum(part.stat().st_size for part in parts if part.exists())


def user(
    api: LocalBotApi,
    run: Run,
    chat_id: int,
    count: int,
    pool: list[str],
    think: float,
    stop_at: float,
) -> None:
    rng = random.Random(chat_id)
    for _ in range(count):
        if think:  # reading the answer and typing the next question
            time.sleep(rng.uniform(0.5 * think, 1.5 * think))
        if time.monotonic() > stop_at:
            return
        began = time.perf_counter()
        sent = api.send_user_message(chat_id, rng.choice(pool))
        try:
            api.wait_for_bot_messages(chat_id, 1, REPLY_TIMEOUT, after=sent["message_id"])
        except TimeoutError:
            with run.lock:
                run.lost += 1
            continue
        run.answered(time.perf_counter() - began)


def start_bot(
    api: LocalBotApi, corpus: str | None, cache: str, log: Path | None, database: Path
) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CORPUSBOT_", "TELEGRAM_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        CORPUSBOT_INDEX_CACHE_DIR=cache,
        CORPUSBOT_HISTORY_PATH=str(database),
        CORPUSBOT_TELEGRAM_RATE_PER_MINUTE="0",
        CORPUSBOT_TELEGRAM_MAX_SENDS_PER_SECOND=os.environ.get(
            "CORPUSBOT_TELEGRAM_MAX_SENDS_PER_SECOND", "0"
        ),
    )
    command = [sys.executable, "-m", "corpusbot.bot", "run", "--base-url", api.base_url]
    if corpus:
        command += ["--corpus", corpus]
    output = log.open("wb") if log else subprocess.DEVNULL
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while not api.calls("getUpdates"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("load: the bot did not start")
        time.sleep(0.05)
    return process


def count_replies(api: LocalBotApi, chats: range) -> tuple[int, int, int]:
    """(questions answered exactly once, answered more than once, not answered)."""
    counts: list[int] = []  # bot messages after each user message, up to the next one
    for chat in chats:
        for message in api.messages(chat):
            if not message["from_bot"]:
                counts.append(0)
            elif counts:
                counts[-1] += 1
    return (sum(c == 1 for c in counts), sum(c > 1 for c in counts), sum(c == 0 for c in counts))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--questions", type=int, default=5000)
    parser.add_argument("--corpus", default=None, help="default: the bundled seeds/")
    parser.add_argument("--log", type=Path, default=None, help="keep the bot's log here")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds a user pauses before each question (default 0: "
        "flat out, the next question as soon as the answer arrives)",
    )
    args = parser.parse_args()
    per_user = max(1, args.questions // args.users)
    chats = range(FIRST_CHAT, FIRST_CHAT + args.users)
    pool = questions()
    with tempfile.TemporaryDirectory() as cache, LocalBotApi(token=TOKEN) as api:
        database = Path(cache) / "history" / "history.sqlite3"
        bot = start_bot(api, args.corpus, cache, args.log, database)
        try:
            run = Run(bot.pid, database)
            rss_start = rss_kib(bot.pid)
            began = time.perf_counter()
            stop_at = time.monotonic() + DEADLINE
            threads = [
                threading.Thread(
                    target=user, args=(api, run, chat, per_user, pool, args.think, stop_at)
                )
                for chat in chats
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(DEADLINE + REPLY_TIMEOUT)
            elapsed = time.perf_counter() - began
            time.sleep(2.0)  # late duplicates would arrive now
            rss_end, rss_peak = rss_kib(bot.pid), rss_kib(bot.pid, "VmHWM")
            cpu = (cpu_seconds(bot.pid), cpu_seconds(os.getpid()))
            once, twice, unanswered = count_replies(api, chats)
            db_end = database_bytes(database)
        finally:
            bot.terminate()
            bot.wait(10)
        db_closed = database_bytes(database)
    report(
        args,
        per_user,
        run,
        elapsed,
        (once, twice, unanswered),
        (rss_start, run.rss_at_1000, rss_end, rss_peak),
    )
    print(
        f"CPU time: bot {cpu[0]:.1f} s, this process (users and local server) {cpu[1]:.1f} s, "
        f"over {elapsed:.1f} s on {os.cpu_count()} cores"
    )
    report_database(len(run.latencies), run.db_at_1000, db_end, db_closed)
    return 0 if twice == 0 and unanswered == 0 and run.lost == 0 else 1


def report(
    args: argparse.Namespace,
    per_user: int,
    run: Run,
    elapsed: float,
    replies: tuple[int, int, int],
    memory: tuple[int, int, int, int],
) -> None:
    latencies = sorted(run.latencies)
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    once, twice, unanswered = replies
    start, at_1000, end, peak = (kib / 1024 for kib in memory)
    print(
        f"users {args.users} (pausing {args.think:g} s on average), questions sent "
        f"{args.users * per_user}, in {elapsed:.1f} s ({len(latencies) / elapsed:.0f} answers/s)"
    )
    print(
        f"answered exactly once {once}, more than once {twice}, not answered {unanswered}, "
        f"timed out {run.lost}"
    )
    print(
        f"reply latency p50 {cuts[49] * 1000:.0f} ms, p95 {cuts[94] * 1000:.0f} ms, "
        f"p99 {cuts[98] * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
    )
    print(
        f"bot memory (RSS) at start {start:.0f} MiB, after 1000 answers {at_1000:.0f} MiB, "
        f"at the end {end:.0f} MiB, peak {peak:.0f} MiB"
    )


def report_database(answers: int, at_1000: int, end: int, closed: int) -> None:
    """The history database's size while running (with its write-ahead log, which grows to about
    4 MiB between checkpoints) and once the bot stopped (checkpointed into one file), and its
    growth per 1,000 questions: the stopped file over the questions answered."""
    per_1000 = closed / answers * 1000 if answers else float("nan")
    print(
        f"history database (with its WAL): {at_1000 / 1024:.0f} KiB after 1000 answers, "
        f"{end / 1024:.0f} KiB at the end; {closed / 1024:.0f} KiB once the bot stopped, "
        f"so {per_1000 / 1024:.0f} KiB per 1,000 questions"
    )


if __name__ == "__main__":
    sys.exit(main())
