"""Building large tables of Python objects without the cyclic garbage collector.

The collector runs every few hundred new container objects, and its older generations walk
every object the process holds: the files table of a 100,000-file folder (a list per file) took
0.10 s to build in a bot holding a 1M-passage index, 0.04 s with the collector paused. The
tables built this way hold no reference cycles, so nothing is left for it to find.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector off for the block, and on again after it if it was on."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
