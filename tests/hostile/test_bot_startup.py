"""Issue 10, item 13: `corpusbot run` failing at start-up prints one line, not a traceback
(unless --debug): a missing corpus, a rejected token, an unreachable Bot API."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from corpusbot.bot.local_api import LocalBotApi
from tests.conftest import ROOT
from tests.e2e.conftest import TOKEN, bot_env

TIMEOUT = 60  # seconds: start-up retries an unreachable server a few times first


def run(
    tmp: Path, base_url: str, *args: str, token: str = TOKEN
) -> subprocess.CompletedProcess[str]:
    # History off: its first start notes, on a line of its own, that it made a secret key.
    env = bot_env(tmp / "cache", TELEGRAM_BOT_TOKEN=token, CORPUSBOT_HISTORY_ENABLED="false")
    return subprocess.run(
        [sys.executable, "-m", "corpusbot.bot", "run", "--base-url", base_url, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_a_missing_corpus_is_one_line(tmp_path: Path) -> None:
    with LocalBotApi(token=TOKEN) as api:
        done = run(tmp_path, api.base_url, "--corpus", str(tmp_path / "nowhere"))
    assert done.returncode != 0
    assert lines(done.stderr) == [f"corpusbot: corpus folder not found: {tmp_path / 'nowhere'}"]


def test_a_rejected_token_is_one_line(tmp_path: Path) -> None:
    with LocalBotApi(token=TOKEN) as api:
        done = run(tmp_path, api.base_url, token="123456:WRONG-token")
    assert done.returncode == 2
    [line] = lines(done.stderr)
    assert line.startswith("corpusbot: Telegram rejected the bot token")
    assert "WRONG" not in done.stderr + done.stdout


@pytest.mark.parametrize("debug", [False, True])
def test_an_unreachable_bot_api_is_one_line_unless_debugging(tmp_path: Path, debug: bool) -> None:
    base_url = f"http://127.0.0.1:{closed_port()}/bot"
    done = run(tmp_path, base_url, *(["--debug"] if debug else []))
    assert done.returncode == 1
    assert lines(done.stderr)[-1].startswith(f"corpusbot: cannot reach the Bot API at {base_url}")
    if debug:
        assert "Traceback" in done.stderr
    else:
        assert len(lines(done.stderr)) == 1, done.stderr
