"""Processes sharing a cache take turns: one builds, the others reuse; no reader sees a folder
half swapped (issue 10, item 11)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from corpusbot.retrieval.index import cache as cache_module
from corpusbot.retrieval.index.cache import OpenedIndex, open_index
from tests.conftest import ROOT, make_settings

from .helpers import TIMEOUT, open_corpus, seed_corpus

WAIT = 60  # seconds for any one thread


def _run_threads(*works: Callable[[], object]) -> list[Any]:
    results: list[Any] = [None] * len(works)

    def run(number: int, work: Callable[[], object]) -> None:
        try:
            results[number] = work()
        except Exception as exc:  # the failure is the result the test looks at
            results[number] = exc

    threads = [threading.Thread(target=run, args=(n, w), daemon=True) for n, w in enumerate(works)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert not any(t.is_alive() for t in threads), "a thread never finished"
    return results


def test_a_second_builder_waits_and_reuses_the_first_ones_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, cache = seed_corpus(tmp_path / "corpus"), tmp_path / "cache"
    builds: list[float] = []
    real_build = cache_module.build_index

    def slow_build(*args: Any, **kwargs: Any) -> Any:
        builds.append(time.monotonic())
        time.sleep(1.0)  # both processes are sure to be building at once without a lock
        return real_build(*args, **kwargs)

    monkeypatch.setattr(cache_module, "build_index", slow_build)
    first, second = _run_threads(
        lambda: open_corpus(corpus, cache), lambda: open_corpus(corpus, cache)
    )
    assert isinstance(first, OpenedIndex) and isinstance(second, OpenedIndex), (first, second)
    assert len(builds) == 1
    assert sorted([first.built, second.built]) == [False, True]
    assert first.folder == second.folder and first.folder.is_dir()


def test_a_reader_never_sees_a_folder_half_swapped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, cache = seed_corpus(tmp_path / "corpus"), tmp_path / "cache"
    assert open_corpus(corpus, cache).built
    removing = threading.Event()
    real_rmtree = shutil.rmtree

    def slow_rmtree(where: str | Path, *args: Any, **kwargs: Any) -> None:
        path = Path(where)
        if path.is_dir() and not path.name.startswith("."):  # the index folder being replaced
            for file in sorted(path.iterdir()):
                file.unlink()
                removing.set()
                time.sleep(0.05)
        return real_rmtree(path, *args, **kwargs)

    monkeypatch.setattr(shutil, "rmtree", slow_rmtree)

    def rebuild() -> OpenedIndex:
        s = make_settings(cache, corpus)
        return open_index(s.corpus, s.split, s.index, s.max_file_bytes, rebuild=True)

    def read_while_removing() -> OpenedIndex:
        assert removing.wait(WAIT)
        return open_corpus(corpus, cache)

    rebuilt, read = _run_threads(rebuild, read_while_removing)
    assert isinstance(rebuilt, OpenedIndex) and isinstance(read, OpenedIndex), (rebuilt, read)
    assert not read.built and read.note == "", read.note  # it waited, then loaded the new one
    assert read.index.search("Borrell", 1).hits


def test_concurrent_index_commands_all_succeed(tmp_path: Path) -> None:
    corpus, cache = seed_corpus(tmp_path / "corpus", count=5), tmp_path / "cache"
    env = {**os.environ, "CORPUSBOT_INDEX_CACHE_DIR": str(cache)}
    for _round in range(2):
        commands = [["index", "--rebuild"]] * 3 + [["ask", "Josep Borrell"]] * 2
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "corpusbot.bot", *c, "--corpus", str(corpus)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for c in commands
        ]
        outputs = [p.communicate(timeout=TIMEOUT) for p in processes]
        for process, (_out, err) in zip(processes, outputs, strict=True):
            assert process.returncode == 0, err.decode()
            assert b"unusable" not in err, err.decode()
        assert all(b"Borrell" in out for out, _ in outputs[3:])
