"""bot/cli/entry.py: Ctrl+C while the command is still starting stops it quietly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.mark.parametrize("delay", [0.05, 0.15])  # importing alone takes longer
def test_ctrl_c_while_starting_stops_without_a_traceback(tmp_path: Path, delay: float) -> None:
    env = {**os.environ, "CORPUSBOT_INDEX_CACHE_DIR": str(tmp_path / "cache")}
    process = subprocess.Popen(
        [sys.executable, "-m", "corpusbot.bot", "sources"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    if process.returncode == 0:
        pytest.fail(f"the command finished within {delay} s; the signal came too late to test")
    assert b"Traceback" not in err, err.decode(errors="replace")
    assert process.returncode in (130, -signal.SIGINT)
