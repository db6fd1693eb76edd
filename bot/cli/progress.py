"""A progress bar on standard error for long indexing, quiet when there is little to do."""

from __future__ import annotations

import sys
import time
from typing import TextIO

# Below this many items a bar would only flicker.
SHOW_FROM = 200
WIDTH = 30


class ProgressBar:
    def __init__(self, stream: TextIO = sys.stderr, every: float = 0.1) -> None:
        self.stream, self.every = stream, every
        self._last, self._stage = 0.0, ""
        self._tty = stream.isatty()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if total < SHOW_FROM:
            return
        now = time.monotonic()
        finished = done >= total
        if not finished and stage == self._stage and now - self._last < self.every:
            return
        if not self._tty and not finished:
            return  # in logs, one line per finished stage is enough
        self._last, self._stage = now, stage
        filled = WIDTH * done // max(total, 1)
        bar = "#" * filled + "-" * (WIDTH - filled)
        end = "\n" if finished else ""
        self.stream.write(f"\r{stage:<18} [{bar}] {done:>9,}/{total:,}{end}")
        self.stream.flush()
