"""Faults injected into indexing: a hostile corpus folder and a build killed with SIGKILL."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from corpusbot.retrieval.index.cache import open_index

from .conftest import ROOT, SEEDS, make_settings


def hostile_corpus(folder: Path) -> Path:
    folder.mkdir()
    for seed in sorted(SEEDS.glob("*.txt"))[:2]:
        (folder / seed.name).write_bytes(seed.read_bytes())
    (folder / "empty.txt").write_text("")
    (folder / "image.txt").write_bytes(bytes(range(256)) * 64)
    (folder / "latin1.md").write_bytes("Résumé des négociations\nTéhéran".encode("latin-1"))
    with (folder / "dump.txt").open("wb") as big:  # 50 MB, over the limit set below
        big.write(b"Archive dump\n" + b"Iran and Russia held talks in Moscow.\n" * 1_380_000)
    (folder / "feed.jsonl").write_text('{"text": "Saffron exports rose in June."}\n{broken\n')
    return folder


def test_indexing_a_hostile_folder_completes_and_lists_what_it_skipped(tmp_path: Path) -> None:
    corpus = hostile_corpus(tmp_path / "corpus")
    settings = make_settings(tmp_path / "cache", corpus, CORPUSBOT_CORPUS_MAX_FILE_MB="40")
    opened = open_index(settings.corpus, settings.split, settings.index, settings.max_file_bytes)
    reasons = {s.path: s.reason for s in opened.skipped}
    assert reasons == {
        "dump.txt": "too large (50 MB > 40 MB)",
        "empty.txt": "empty",
        "image.txt": "binary file",
        "latin1.md": "not UTF-8 text (byte 1)",
        "feed.jsonl:2": "not JSON (Expecting property name enclosed in double quotes at column 2)",
    }
    assert len(opened.index.articles) == 3
    assert opened.index.search("saffron exports", 1).hits[0].article.id == "feed-1"


def test_a_build_killed_with_sigkill_never_leaves_a_readable_half_index(tmp_path: Path) -> None:
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    corpus.mkdir()
    text = (SEEDS / "000_442724f15755f4d5.txt").read_text(encoding="utf-8")
    for number in range(1500):  # enough for a build that takes a few seconds
        (corpus / f"{number:05}.txt").write_text(f"Story {number}\n{text}", encoding="utf-8")
    env = {**os.environ, "CORPUSBOT_INDEX_CACHE_DIR": str(cache)}
    command = [sys.executable, "-m", "corpusbot.bot", "index", "--corpus", str(corpus)]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    try:  # kill as soon as the index is being written
        while time.monotonic() < deadline and process.poll() is None:
            if list(cache.glob("*/.building-*")):
                break
            time.sleep(0.002)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "the build finished before it could be killed"
    home = next(cache.iterdir())
    assert list(home.glob(".building-*"))  # the half-written index is there...
    assert not [p for p in home.iterdir() if not p.name.startswith(".")]  # ...but not in place
    again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and "Index built: 1,500 articles" in again.stdout
    assert not list(home.glob(".building-*"))  # and the next build cleaned it away
    answer = subprocess.run(
        [sys.executable, "-m", "corpusbot.bot", "ask", "Josep Borrell", "--corpus", str(corpus)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Borrell" in answer.stdout
