import os
import shutil
from pathlib import Path

from corpusbot.retrieval.index import OpenedIndex
from corpusbot.retrieval.index.cache import open_index

from .conftest import SEEDS, make_settings


def copy_seeds(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    return corpus


def opened(corpus: Path, cache: Path, **env: str) -> OpenedIndex:
    s = make_settings(cache, corpus, **env)
    return open_index(s.corpus, s.split, s.index, s.max_file_bytes)


def test_an_unchanged_corpus_loads_and_a_changed_one_rebuilds(tmp_path: Path) -> None:
    corpus, cache = copy_seeds(tmp_path), tmp_path / "cache"
    first = opened(corpus, cache)
    assert first.built
    assert not opened(corpus, cache).built
    (corpus / "new.txt").write_text("A new headline\nThe ayatollah visited Kabul on Monday.")
    rebuilt = opened(corpus, cache)
    assert rebuilt.built and len(rebuilt.index.articles) == 6
    assert rebuilt.index.search("ayatollah Kabul", 1).hits[0].article.id == "new"
    assert opened(corpus, cache, CORPUSBOT_INDEX_K1="1.2").built  # a setting changed
    folders = [p for p in next(cache.iterdir()).iterdir() if not p.name.startswith(".")]
    assert len(folders) == 1  # older fingerprints are cleaned away (the lock files stay)


def test_a_broken_cache_is_rebuilt_not_fatal(tmp_path: Path) -> None:
    corpus, cache = copy_seeds(tmp_path), tmp_path / "cache"
    folder = opened(corpus, cache).folder
    (folder / "doc_ids.npy").write_bytes(b"\x93NUMPY broken")
    again = opened(corpus, cache)
    assert again.built and "unusable" in again.note
    assert again.index.search("Sputnik vaccine", 1).hits


def test_a_half_written_build_is_never_read(tmp_path: Path) -> None:
    corpus, cache = copy_seeds(tmp_path), tmp_path / "cache"
    folder = opened(corpus, cache).folder
    # What a build killed before its final rename leaves: a temporary folder, no final one.
    abandoned = folder.parent / ".building-killed"
    shutil.copytree(folder, abandoned)
    (abandoned / "meta.json").unlink()
    shutil.rmtree(folder)
    again = opened(corpus, cache)
    assert again.built and again.folder == folder
    assert not abandoned.exists()


def test_skipped_files_are_remembered_by_the_cache(tmp_path: Path) -> None:
    corpus, cache = copy_seeds(tmp_path), tmp_path / "cache"
    (corpus / "blank.txt").write_text("")
    assert [s.path for s in opened(corpus, cache).skipped] == ["blank.txt"]
    assert [s.reason for s in opened(corpus, cache).skipped] == ["empty"]
    os.utime(corpus / "blank.txt", ns=(1, 1))
    assert opened(corpus, cache).built  # an mtime change alone is a change


def test_another_process_build_in_progress_is_left_alone(tmp_path: Path) -> None:
    import subprocess
    import sys

    corpus, cache = copy_seeds(tmp_path), tmp_path / "cache"
    home = opened(corpus, cache).folder.parent
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        running = home / f".building-{sleeper.pid}-abc"
        running.mkdir()
        dead = home / ".building-999999999-abc"
        dead.mkdir()
        (corpus / "new.txt").write_text("A new headline\nSomething changed.")
        assert opened(corpus, cache).built
        assert running.exists() and not dead.exists()
    finally:
        sleeper.kill()
        sleeper.wait(10)
