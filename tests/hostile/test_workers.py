"""Tokenizer worker processes end with their parent, even after SIGKILL (issue 10, item 9)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEEDS

WAIT = 60  # seconds for the workers to start, and then to end

# `corpusbot index` with worker processes even for a small corpus, and small chunks so the
# workers are busy for a while.
INDEX_IN_WORKERS = """
import sys
from corpusbot.retrieval.index import building
building.LOCAL_CHUNKS = 0
building.CHUNK_PASSAGES = 20
from corpusbot.bot.cli.commands import main
sys.exit(main(sys.argv[1:]))
"""


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(n) for n in (task / "children").read_text().split()}
    return found


def _workers(pid: int) -> set[int]:
    workers = set()
    for child in _children(pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"multiprocessing" in command and b"resource_tracker" not in command:
            workers.add(child)
    return workers


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has ended; only its exit status is left


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_tokenizer_workers_die_when_index_is_killed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = (SEEDS / "000_442724f15755f4d5.txt").read_text(encoding="utf-8")
    for number in range(200):
        (corpus / f"{number:04}.txt").write_text(f"Story {number}\n{text}", encoding="utf-8")
    env = {
        **os.environ,
        "CORPUSBOT_INDEX_CACHE_DIR": str(tmp_path / "cache"),
        "CORPUSBOT_INDEX_WORKERS": "2",
    }
    parent = subprocess.Popen(
        [sys.executable, "-c", INDEX_IN_WORKERS, "index", "--corpus", str(corpus)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline and parent.poll() is None and len(workers) < 2:
            workers = _workers(parent.pid)
            time.sleep(0.05)
        assert len(workers) == 2, "the index command never started its workers"
        parent.send_signal(signal.SIGKILL)
        parent.wait(WAIT)
        deadline = time.monotonic() + WAIT / 4
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.1)
        survivors = [w for w in workers if _alive(w)]
        assert not survivors, f"workers {survivors} outlived their parent"
    finally:
        for worker in workers:  # the old code's orphans: end them here
            if _alive(worker):
                os.kill(worker, signal.SIGKILL)
        if parent.poll() is None:
            parent.kill()
