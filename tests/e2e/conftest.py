"""The real bot (`python -m corpusbot.bot run`) as a subprocess, polling a LocalBotApi on
127.0.0.1."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from corpusbot.bot.local_api import LocalBotApi
from tests.conftest import ROOT

TOKEN = "123456:TEST-abc"
WAIT = 10.0  # seconds for any one reply
STOP_WAIT = 5.0  # seconds for the bot to exit after SIGTERM


@dataclass
class RunningBot:
    """A bot subprocess and the local server it talks to."""

    api: LocalBotApi
    process: subprocess.Popen[bytes]
    log_path: Path
    exit_status: int | None = None

    def ask(self, chat_id: int, text: str, count: int = 1, **options: Any) -> list[dict[str, Any]]:
        """Send `text` as a user and return the bot's next `count` messages."""
        sent = self.api.send_user_message(chat_id, text, **options)
        return self.api.wait_for_bot_messages(chat_id, count, WAIT, after=sent["message_id"])

    def press(
        self, chat_id: int, message: dict[str, Any], data: str, count: int = 1
    ) -> list[dict[str, Any]]:
        """Press a button of `message`; return the bot's next `count` new messages."""
        last = max(m["message_id"] for m in self.api.messages(chat_id))
        self.api.press_button(chat_id, message["message_id"], data)
        return self.api.wait_for_bot_messages(chat_id, count, WAIT, after=last)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> int:
        """SIGTERM, and the exit status (killed after STOP_WAIT seconds)."""
        if self.exit_status is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.exit_status = self.process.wait(STOP_WAIT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(STOP_WAIT)
                self.exit_status = -9
        return self.exit_status


def eventually(predicate: Callable[[], object], timeout: float = WAIT) -> None:
    """Poll `predicate` until it holds (for state the server does not signal, like its call log)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {timeout} s")
        time.sleep(0.02)


def bot_env(cache: Path, **extra: str) -> dict[str, str]:
    """The bot's environment: the test token, the index cache in `cache` and the history
    database beside it (never the user's own)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CORPUSBOT_", "TELEGRAM_"))}
    return {
        **env,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "CORPUSBOT_INDEX_CACHE_DIR": str(cache),
        "CORPUSBOT_HISTORY_PATH": str(history_path(cache)),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def history_path(cache: Path) -> Path:
    """Where a bot started with index cache `cache` keeps its history database by default."""
    return cache.with_name(f"{cache.name}-history") / "history.sqlite3"


def start_bot(
    tmp: Path,
    *args: str,
    before: tuple[str, ...] = (),
    prefix: Sequence[str] = (),
    **env: str,
) -> Iterator[RunningBot]:
    """Start the server and the bot, wait until it registered its commands, stop both after.

    `args` follow `run`; `before` are options given before it (`corpusbot --config F run`)."""
    with LocalBotApi(token=TOKEN) as api:
        bot = launch_bot(api, tmp, *args, before=before, prefix=prefix, **env)
        try:
            yield bot
        finally:
            bot.stop()


def launch_bot(
    api: LocalBotApi,
    tmp: Path,
    *args: str,
    log_name: str = "bot.log",
    before: tuple[str, ...] = (),
    prefix: Sequence[str] = (),
    **env: str,
) -> RunningBot:
    """Start a bot process on `api` (which may have served an earlier one: a restart) and wait
    until it polls. `prefix` goes before the Python command (such as a privilege drop)."""
    log_path = tmp / log_name
    polls_before = len(api.calls("getUpdates"))
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [
                *prefix,
                sys.executable,
                "-m",
                "corpusbot.bot",
                *before,
                "run",
                "--debug",
                "--base-url",
                api.base_url,
                *args,
            ],
            cwd=ROOT,
            env=bot_env(tmp / "cache", **env),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    bot = RunningBot(api, process, log_path)
    try:
        _wait_until_ready(bot, polls_before)
    except BaseException:
        bot.stop()
        raise
    return bot


def _wait_until_ready(bot: RunningBot, polls_before: int = 0) -> None:
    def polling() -> bool:
        return len(bot.api.calls("getUpdates")) > polls_before

    with contextlib.suppress(TimeoutError):
        eventually(lambda: polling() or bot.process.poll() is not None, 30)
    if not polling():
        raise RuntimeError(f"the bot did not start:\n{bot.log()}")


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    """The bot over the bundled seeds, open to everyone."""
    yield from start_bot(tmp_path_factory.mktemp("bot"))
