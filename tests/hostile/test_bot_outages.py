"""Issue 10, item 13: an outage of the Bot API, or a 409 Conflict (another instance polling with
the same token), logs one line when it starts and one when it ends, not a traceback per poll.

The real bot (a subprocess, with --debug as tests/e2e/conftest.py starts it) against the local
Bot API, which drops connections while paused and answers 409 when told to.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.e2e.conftest import RunningBot, eventually, start_bot

IRAQ = "Who is Iraq's foreign minister?"
DOWN = "Bot API unreachable"
CONFLICT = "another instance is polling with this bot's token (409 Conflict)"
BACK = "polling again"


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    yield from start_bot(tmp_path_factory.mktemp("outages"))


def count(log: str, text: str) -> int:
    return sum(text in line for line in log.splitlines())


def test_an_outage_logs_one_line_down_and_one_back_up(bot: RunningBot) -> None:
    bot.api.pause()  # every Bot API connection is closed unanswered
    time.sleep(4.0)  # PTB retries a failed poll after 1 s, 1.5 s, 2.25 s...
    bot.api.resume()
    [reply] = bot.ask(501, IRAQ)
    assert "Fuad Hussein" in reply["text"]
    eventually(lambda: BACK in bot.log())
    log = bot.log()
    assert count(log, DOWN) == 1, log
    assert count(log, BACK) == 1
    assert "Traceback" not in log


def test_a_conflict_logs_one_line_and_one_when_it_ends(bot: RunningBot) -> None:
    before = count(bot.log(), BACK)
    bot.api.inject_fault("getUpdates", "409", times=3)
    bot.ask(502, "/help")  # ends the poll in progress: the next ones meet the conflict
    eventually(lambda: CONFLICT in bot.log())
    [reply] = bot.ask(502, IRAQ)  # answered once the conflict is over
    assert "Fuad Hussein" in reply["text"]
    eventually(lambda: count(bot.log(), BACK) > before)
    log = bot.log()
    assert count(log, CONFLICT) == 1, log
    assert "Traceback" not in log
