"""A cache edited or damaged on disk is rebuilt, never trusted (issue 10, item 10)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from corpusbot.bot.app.service import Service
from corpusbot.retrieval.index import cache as cache_module
from corpusbot.retrieval.storage import check_contents
from corpusbot.retrieval.storage.files import TEXTS, IndexCorrupt
from tests.conftest import make_settings

from .helpers import corpusbot, open_corpus, seed_corpus

QUESTION = "Josep Borrell"


def _saved_files(tmp_path: Path) -> list[str]:
    """The names of every file a saved index holds (whatever the index's layout is)."""
    corpus = seed_corpus(tmp_path / "probe", count=5)
    folder = open_corpus(corpus, tmp_path / "probe-cache").folder
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_a_same_length_edit_of_the_texts_is_found_and_rebuilt(tmp_path: Path) -> None:
    corpus, cache = seed_corpus(tmp_path / "corpus", count=5), tmp_path / "cache"
    folder = open_corpus(corpus, cache).folder
    texts = next(p for p in folder.rglob("*") if p.is_file() and b"Borrell" in p.read_bytes())
    texts.write_bytes(texts.read_bytes().replace(b"Borrell", b"Xorrell"))
    again = open_corpus(corpus, cache)
    assert again.built and "unusable" in again.note
    quote = again.index.search(QUESTION, 1).hits[0].passage.text
    assert "Borrell" in quote and "Xorrell" not in quote


def test_a_flipped_byte_in_any_cache_file_rebuilds_it(tmp_path: Path) -> None:
    corpus, cache = seed_corpus(tmp_path / "corpus", count=5), tmp_path / "cache"
    names = _saved_files(tmp_path)
    assert len(names) > 5
    for name in names:
        folder = open_corpus(corpus, cache).folder
        path = folder / name
        data = bytearray(path.read_bytes())
        middle = len(data) // 2
        data[middle] ^= 0x5A
        path.write_bytes(bytes(data))
        again = open_corpus(corpus, cache)
        assert again.built, f"a flipped byte in {name} went unnoticed"
        assert "unusable" in again.note and (name in again.note or name == "manifest.json")
        assert "Borrell" in again.index.search(QUESTION, 1).hits[0].passage.text
    folder = open_corpus(corpus, cache).folder
    (folder / names[0]).write_bytes(b"\x00" + (folder / names[0]).read_bytes()[1:])
    result = corpusbot("ask", QUESTION, "--corpus", str(corpus), cache=cache)
    assert result.returncode == 0 and b"Borrell" in result.stdout
    assert b"was rebuilt" in result.stderr


def test_content_changed_with_the_same_size_and_mtime_is_reindexed(tmp_path: Path) -> None:
    corpus, cache = seed_corpus(tmp_path / "corpus"), tmp_path / "cache"
    (corpus / "note.txt").write_text("Market report\n\nSaffron prices rose sharply in June.")
    before = os.stat(corpus / "note.txt")
    assert open_corpus(corpus, cache).built
    (corpus / "note.txt").write_text("Market report\n\nCarpet exports rose sharply in June.")
    os.utime(corpus / "note.txt", ns=(before.st_atime_ns, before.st_mtime_ns))
    again = open_corpus(corpus, cache)
    assert again.built
    assert again.index.search("carpet exports", 1).hits[0].article.id == "note"


def test_a_large_cache_is_checked_in_the_background_and_rebuilt_next_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "INLINE_CHECK_BYTES", 0)  # every cache counts as large
    corpus, cache = seed_corpus(tmp_path / "corpus"), tmp_path / "cache"
    first = open_corpus(corpus, cache)
    assert first.check is None  # just built: nothing to check
    loaded = open_corpus(corpus, cache)
    assert loaded.check is not None and loaded.check.result(timeout=60) == ""
    texts = max(
        (p for p in loaded.folder.rglob("*") if p.is_file()), key=lambda p: p.stat().st_size
    )
    data = bytearray(texts.read_bytes())
    data[10] ^= 1
    texts.write_bytes(bytes(data))
    damaged = open_corpus(corpus, cache)
    assert not damaged.built  # a fast start...
    assert damaged.check is not None
    problem = damaged.check.result(timeout=60)  # ...then the check in the background fails
    assert "changed since it was written" in problem
    assert not damaged.folder.exists()
    assert open_corpus(corpus, cache).built


def test_a_service_rebuilds_when_the_background_check_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "INLINE_CHECK_BYTES", 0)
    corpus, cache = seed_corpus(tmp_path / "corpus"), tmp_path / "cache"
    folder = open_corpus(corpus, cache).folder
    texts = next(p for p in folder.rglob("*") if p.is_file() and b"Borrell" in p.read_bytes())
    texts.write_bytes(texts.read_bytes().replace(b"Borrell", b"Xorrell"))
    service = Service.open(make_settings(cache, corpus))
    assert not service.opened.built and service.opened.check is not None
    service.opened.check.result(timeout=60)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not service.opened.built:
        time.sleep(0.05)
    assert service.opened.built
    assert "Xorrell" not in service.index.search(QUESTION, 1).hits[0].passage.text


def test_no_quote_comes_from_damaged_texts_before_the_background_check_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window of a large index's fast start, held open: each block of texts.bin is checked
    against its CRC-32 when first read, so the damaged passage fails instead of being quoted."""
    monkeypatch.setattr(cache_module, "INLINE_CHECK_BYTES", 0)
    corpus, cache = seed_corpus(tmp_path / "corpus"), tmp_path / "cache"
    folder = open_corpus(corpus, cache).folder
    texts = folder / TEXTS
    texts.write_bytes(texts.read_bytes().replace(b"Borrell", b"Xorrell"))
    release = threading.Event()
    hash_all = check_contents

    def held_check(folder: Path, entries: dict[str, Any]) -> str:
        assert release.wait(60), "the test never released the background check"
        return hash_all(folder, entries)

    monkeypatch.setattr(cache_module, "check_contents", held_check)
    damaged = open_corpus(corpus, cache)
    assert not damaged.built and damaged.check is not None and not damaged.check.done()
    with pytest.raises(IndexCorrupt, match="changed since they were written"):
        # A hit reads its text when first used: there, the damaged block is refused.
        assert "Xorrell" not in damaged.index.search(QUESTION, 1).hits[0].passage.text
    release.set()
    assert "changed since it was written" in damaged.check.result(timeout=60)
    rebuilt = open_corpus(corpus, cache)
    assert rebuilt.built
    assert "Borrell" in rebuilt.index.search(QUESTION, 1).hits[0].passage.text
