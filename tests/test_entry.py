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


ATTEMPTS = 3  # a busy machine may run the child to its end before the test reads its output


@pytest.mark.parametrize("delay", [0.05, 0.15])  # importing the commands alone takes longer
def test_ctrl_c_while_starting_stops_without_a_traceback(tmp_path: Path, delay: float) -> None:
    for attempt in range(ATTEMPTS):  # each with a cache of its own: none built yet
        returncode, err = _interrupted(tmp_path / f"cache{attempt}", delay)
        if returncode == 0:  # finished before the signal: the test saw its output too late
            continue
        assert b"Traceback" not in err, err.decode(errors="replace")
        assert returncode in (130, -signal.SIGINT)
        return
    pytest.fail(f"the command finished within {delay} s, {ATTEMPTS} times; nothing was tested")


def _interrupted(cache: Path, delay: float) -> tuple[int, bytes]:
    """`corpusbot sources` sent SIGINT `delay` s after its entry point was imported: how it
    ended, and its standard error. Timed from that moment (Python's own start-up comes before
    it, and no program can catch a Ctrl+C there): `-X importtime` says so on standard error."""
    env = {**os.environ, "CORPUSBOT_INDEX_CACHE_DIR": str(cache)}
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
    return process.returncode, started + rest


def _lines_until_entry(stderr: IO[bytes]) -> Iterator[bytes]:
    """The child's standard error up to the line saying the entry point was imported (all of
    it, if the child ends first); a line an import, so the loop ends with the output."""
    for line in iter(stderr.readline, b""):
        yield line
        if line.rstrip().endswith(ENTRY):
            return
