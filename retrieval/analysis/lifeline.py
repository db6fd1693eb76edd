"""Child processes that end when their parent does, however the parent ends (even SIGKILL).

On Linux the kernel is asked to kill the child when its parent dies (PR_SET_PDEATHSIG); on every
system a watcher thread also checks, twice a second, that the parent is still the same process
and ends the child when it is not (an orphan is adopted by another process).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
CHECK_SECONDS = 0.5


def pool_worker(parent: int) -> None:
    """A process pool's initializer (with the parent's pid): Ctrl+C is left to the parent,
    which stops its workers (a terminal signals the whole process group, and a worker would
    otherwise die with a KeyboardInterrupt traceback of its own), and the worker ends with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent)


def die_with_parent(parent: int) -> None:
    """Call first thing in a child process (e.g. a pool initializer) with the parent's pid."""
    if sys.platform.startswith("linux"):
        _ask_the_kernel()
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), name="lifeline", daemon=True).start()


def _ask_the_kernel() -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl here: the watcher thread alone will do
        pass


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(CHECK_SECONDS)
    os._exit(1)
