"""bot/cli/entry.py: Ctrl+C while the command is still starting stops it quietly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from tests.conftest import ROOT

ENTRY = b"corpusbot.bot.cli.entry"


@pytest.mark.parametrize("delay", [0.05, 0.15])  # importing the commands alone takes longer
def test_ctrl_c_while_starting_stops_without_a_traceback(tmp_path: Path, delay: float) -> None:
    # Timed from the moment the entry point is imported (Python's own start-up comes before it,
    # and no program can catch a Ctrl+C there): `-X importtime` says so on standard error.
    env = {**os.environ, "CORPUSBOT_INDEX_CACHE_DIR": str(tmp_path / "cache")}
    process = subprocess.Popen(
        [sys.executable, "-X", "importtime", "-m", "corpusbot.bot", "sources"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stderr is not None
    started = b"".join(_lines_until_entry(process.stderr))
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    _, rest = process.communicate(timeout=30)
    err = started + rest
    if process.returncode == 0:
        pytest.fail(f"the command finished within {delay} s; the signal came too late to test")
    assert b"Traceback" not in err, err.decode(errors="replace")
    assert process.returncode in (130, -signal.SIGINT)


def _lines_until_entry(stderr: IO[bytes]) -> Iterator[bytes]:
    """The child's standard error up to the line saying the entry point was imported (all of
    it, if the child ends first); a line an import, so the loop ends with the output."""
    for line in iter(stderr.readline, b""):
        yield line
        if line.rstrip().endswith(ENTRY):
            return
