"""Shared pieces of the hostile-input tests: a small corpus and the `corpusbot` command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from corpusbot.retrieval.index.cache import OpenedIndex, open_index
from tests.conftest import ROOT, SEEDS, make_settings

TIMEOUT = 120  # seconds for any one command


def seed_corpus(folder: Path, count: int = 2) -> Path:
    """`count` of the bundled articles in a new folder."""
    folder.mkdir(parents=True)
    for seed in sorted(SEEDS.glob("*.txt"))[:count]:
        (folder / seed.name).write_bytes(seed.read_bytes())
    return folder


def open_corpus(corpus: Path, cache: Path, **env: str) -> OpenedIndex:
    s = make_settings(cache, corpus, **env)
    return open_index(s.corpus, s.split, s.index, s.max_file_bytes)


def corpusbot(
    *args: str | bytes, cache: Path, stdin: bytes = b"", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run `python -m corpusbot.bot ARGS` with its cache in `cache`; output as bytes."""
    environment = {**os.environ, "CORPUSBOT_INDEX_CACHE_DIR": str(cache), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "corpusbot.bot", *args],
        cwd=ROOT,
        env=environment,
        input=stdin,
        capture_output=True,
        timeout=TIMEOUT,
    )
