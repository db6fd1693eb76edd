import contextlib
import os
import subprocess
import sys

CHILD = """
import os, sys, time
from corpusbot.retrieval.analysis.lifeline import die_with_parent
die_with_parent(int(sys.argv[1]))
time.sleep(30)
sys.exit(0)
"""


def test_a_child_whose_parent_is_not_the_one_named_ends_at_once() -> None:
    # What a worker started just after its parent died sees: another process is its parent.
    result = subprocess.run([sys.executable, "-c", CHILD, str(os.getpid() + 10**6)], timeout=20)
    assert result.returncode == 1


def test_a_child_of_a_live_parent_keeps_running() -> None:
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(os.getpid())])
    try:
        with contextlib.suppress(subprocess.TimeoutExpired):  # it must still be running
            child.wait(timeout=2)
        assert child.poll() is None
    finally:
        child.kill()
        child.wait(10)
