"""Issue 10, item 1: the allow-list holds whichever order the options take.

`corpusbot --config private.toml run` (options before the command) used to ignore the settings
file and start a public bot. The real bot runs against the local Bot API with the allow-list
given by a settings file, the option before and after the command: a stranger gets only the
refusal, never an answer.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from corpusbot.bot.local_api import LocalBotApi
from tests.conftest import ROOT
from tests.e2e.conftest import TOKEN, RunningBot, bot_env, eventually

ALLOWED, STRANGER = 7, 8
IRAQ = "Who is Iraq's foreign minister?"
ORDERS = {
    "options before the command": lambda config, url: [
        "--config",
        config,
        "run",
        "--base-url",
        url,
    ],
    "options after the command": lambda config, url: ["run", "--config", config, "--base-url", url],
    "debug before, config after": lambda config, url: [
        "--debug",
        "run",
        "--base-url",
        url,
        "--config",
        config,
    ],
}


@pytest.fixture(scope="module", params=sorted(ORDERS))
def bot(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningBot]:
    tmp = tmp_path_factory.mktemp("allow-list")
    config = tmp / "private.toml"
    config.write_text(f"[telegram]\nallowed_users = [{ALLOWED}]\n", encoding="utf-8")
    with LocalBotApi(token=TOKEN) as api, (tmp / "bot.log").open("wb") as log_file:
        argv = ORDERS[request.param](str(config), api.base_url)
        process = subprocess.Popen(
            [sys.executable, "-m", "corpusbot.bot", *argv],
            cwd=ROOT,
            env=bot_env(tmp / "cache"),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        running = RunningBot(api, process, tmp / "bot.log")
        try:
            eventually(lambda: api.calls("getUpdates") or process.poll() is not None, 60)
            assert api.calls("getUpdates"), running.log()
            yield running
        finally:
            running.stop()


def test_a_stranger_gets_nothing_but_the_refusal(bot: RunningBot) -> None:
    [reply] = bot.ask(STRANGER, IRAQ, user={"id": STRANGER})
    assert reply["plain_text"].startswith("Sorry, this bot is private")
    assert "Fuad Hussein" not in reply["plain_text"]


def test_the_allowed_user_is_answered(bot: RunningBot) -> None:
    [reply] = bot.ask(ALLOWED, IRAQ, user={"id": ALLOWED})
    assert "Fuad Hussein" in reply["plain_text"]
