"""End to end: a stop confirms every update read, even when the Bot API fails that call once."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from tests.e2e.conftest import start_bot

# systemd's TimeoutStopSec in docs/corpusbot.service: the stop, confirmation included, fits it.
TIMEOUT_STOP_SEC = 20


def test_a_stop_confirms_what_was_read_when_the_last_call_fails(tmp_path: Path) -> None:
    for bot in start_bot(tmp_path):
        bot.ask(801, "/start")
        # The polling loop's next call and python-telegram-bot's own call at the stop fail.
        bot.api.inject_fault("getUpdates", "500", times=2)
        [reply] = bot.ask(801, "/help")
        assert reply["plain_text"].startswith("How to ask")
        bot.process.send_signal(signal.SIGTERM)
        assert bot.process.wait(TIMEOUT_STOP_SEC) == 0
        bot.exit_status = 0
        # Nothing left for a restart to fetch (and answer) again.
        assert bot.api.pending_updates() == [], bot.log()[-2000:]


def test_a_second_signal_while_stopping_does_not_cut_the_stop_short(tmp_path: Path) -> None:
    # An impatient Ctrl+C, or a supervisor signalling twice: the stop under way must still
    # confirm what was read and close down, not end at the second signal.
    for bot in start_bot(tmp_path):
        bot.ask(802, "/start")
        bot.api.inject_fault("getUpdates", "500", times=2)  # the stop then takes seconds
        [reply] = bot.ask(802, "/help")
        assert reply["plain_text"].startswith("How to ask")
        bot.process.send_signal(signal.SIGTERM)
        for _ in range(10):  # again and again, while it stops
            time.sleep(0.1)
            if bot.process.poll() is None:
                bot.process.send_signal(signal.SIGINT)
        assert bot.process.wait(TIMEOUT_STOP_SEC) == 0
        bot.exit_status = 0
        assert bot.api.pending_updates() == [], bot.log()[-2000:]
        assert "never awaited" not in bot.log()
