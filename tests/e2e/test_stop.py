"""End to end: a stop confirms every update read, even when the Bot API fails that call once."""

from __future__ import annotations

import signal
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
