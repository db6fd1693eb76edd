"""`corpusbot run` start-up failures: no token, a bad URL, a token the server rejects."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from corpusbot.bot.local_api import LocalBotApi
from tests.conftest import ROOT
from tests.e2e.conftest import TOKEN, bot_env


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "corpusbot.bot", "run", *args],
        cwd=ROOT,
        env={**bot_env(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_token_explains_botfather(tmp_path: Path) -> None:
    done = run(tmp_path, TELEGRAM_BOT_TOKEN="")
    assert done.returncode == 2
    assert "@BotFather" in done.stderr and "TELEGRAM_BOT_TOKEN" in done.stderr
    assert len(done.stderr.splitlines()) < 12


def test_bad_base_url(tmp_path: Path) -> None:
    done = run(tmp_path, "--base-url", "127.0.0.1:9/bot")
    assert done.returncode == 2 and "--base-url" in done.stderr


def test_rejected_token_is_reported_without_it(tmp_path: Path) -> None:
    with LocalBotApi(token="999:OTHER") as api:
        done = run(tmp_path, "--debug", "--base-url", api.base_url)
    assert done.returncode == 2
    assert "rejected the bot token" in done.stderr
    assert TOKEN not in done.stdout + done.stderr
