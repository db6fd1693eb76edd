"""Advisory file locks between processes sharing one cache folder (fcntl.flock).

Readers hold the shared lock while they check and open a saved index; the one process that
swaps a new index in holds it exclusively, so no reader ever sees a folder half removed. Where
locking is impossible (no fcntl, or a cache folder that cannot be written), work goes on
unlocked: the locks prevent races, they are never a reason to fail.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

# The lock files of a corpus's cache folder. Readers share READ_LOCK while they open an index;
# swapping a new one in takes it alone. One process at a time updates the saved index
# (BUILD_LOCK), and one merges its segments (MERGE_LOCK), without holding up the others.
READ_LOCK = ".lock"
BUILD_LOCK = ".build.lock"
MERGE_LOCK = ".merge.lock"
LOCK_FILES = (READ_LOCK, BUILD_LOCK, MERGE_LOCK)

try:
    import fcntl
except ImportError:  # not on POSIX: no locking
    fcntl = None  # type: ignore[assignment]


@contextlib.contextmanager
def locked(path: Path, *, exclusive: bool) -> Iterator[bool]:
    """Hold the lock in file `path` (created if needed) for the block; yields whether it is
    held. Waits for other holders as long as it takes."""
    fd = _open(path)
    if fd is None:
        yield False
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield True
    finally:
        os.close(fd)  # closing releases the lock


@contextlib.contextmanager
def tried(path: Path) -> Iterator[bool]:
    """The lock in file `path` held exclusively for the block if no other process holds it;
    yields whether it is held (work that another process is already doing is not waited for)."""
    fd = _open(path)
    if fd is None:
        yield True  # no locking here: nothing to coordinate with
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def _open(path: Path) -> int | None:
    if fcntl is None:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    except OSError:
        try:  # a read-only cache can still be locked for reading
            return os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            return None
