"""Hostile files in the corpus folder: odd names, FIFOs, links out of the folder (issue 10,
items 2, 6 and 8)."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from corpusbot.bot.app.service import Service
from corpusbot.retrieval.reading.corpus import load_corpus
from tests.conftest import make_settings

from .helpers import corpusbot, open_corpus, seed_corpus

HANG_SECONDS = 30  # far more than reading a few files takes


def test_a_file_name_that_is_not_utf8_is_indexed_under_an_escaped_name(tmp_path: Path) -> None:
    corpus, cache = seed_corpus(tmp_path / "corpus"), tmp_path / "cache"
    with open(os.path.join(os.fsencode(corpus), b"caf\xe9.txt"), "wb") as handle:
        handle.write(b"Coffee prices\nArabica coffee prices rose in Tehran cafes.")
    opened = open_corpus(corpus, cache)
    assert len(opened.index.articles) == 3
    hit = opened.index.search("arabica coffee", 1).hits[0]
    assert hit.article.path == "caf\\xe9.txt"
    assert not open_corpus(corpus, cache).built  # and the saved index is found again
    answer = corpusbot("ask", "arabica coffee", "--corpus", str(corpus), cache=cache)
    assert answer.returncode == 0, answer.stderr
    assert b"Arabica" in answer.stdout


def _in_thread(work: Callable[[], object], seconds: float = HANG_SECONDS) -> tuple[bool, list[Any]]:
    """Run `work` in a daemon thread; (whether it finished in time, [its result])."""
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(work()), daemon=True)
    thread.start()
    thread.join(seconds)
    return not thread.is_alive(), result


def _unblock(fifo: Path) -> None:
    """Give a reader stuck opening `fifo` (the old code) a writer, so its thread can end."""
    with contextlib.suppress(OSError):  # no reader waiting: nothing to unblock
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


def test_a_fifo_named_like_an_article_is_skipped_without_blocking(tmp_path: Path) -> None:
    corpus, cache = seed_corpus(tmp_path / "corpus"), tmp_path / "cache"
    fifo = corpus / "pipe.txt"
    os.mkfifo(fifo)
    try:
        finished, result = _in_thread(lambda: open_corpus(corpus, cache))
    finally:
        _unblock(fifo)
    assert finished, "indexing blocked on a FIFO"
    assert len(result[0].index.articles) == 2
    assert {s.path: s.reason for s in result[0].skipped} == {
        "pipe.txt": "not a regular file (a named pipe)"
    }


def test_the_reload_thread_never_blocks_on_a_fifo(tmp_path: Path) -> None:
    corpus, cache = seed_corpus(tmp_path / "corpus"), tmp_path / "cache"
    service = Service.open(make_settings(cache, corpus))
    fifo = corpus / "late.md"
    os.mkfifo(fifo)
    try:
        finished, result = _in_thread(lambda: service.corpus_changed() and service.reload())
    finally:
        _unblock(fifo)
    assert finished, "the reload blocked on a FIFO"
    assert result[0].ok and [s.path for s in result[0].skipped] == ["late.md"]


def test_a_link_to_a_file_outside_the_corpus_is_not_followed(tmp_path: Path) -> None:
    corpus = seed_corpus(tmp_path / "corpus")
    secret = tmp_path / "secret.txt"
    secret.write_text("Private notes\nThe launch codes are hidden under the doormat.")
    (corpus / "notes.txt").symlink_to(secret)
    (corpus / "inside.txt").symlink_to(corpus / sorted(os.listdir(corpus))[0])
    loaded = load_corpus(corpus)
    assert not [a for a in loaded.articles if "doormat" in a.text]
    assert {s.path: s.reason for s in loaded.skipped} == {
        "notes.txt": "a link to a file outside the corpus folder (not followed)"
    }
    assert len(loaded.articles) == 3  # a link inside the folder is read as usual
    allowed = load_corpus(corpus, follow_outside_links=True)
    assert [a for a in allowed.articles if "doormat" in a.text]


def test_a_link_out_of_the_corpus_is_never_shown_by_the_command(tmp_path: Path) -> None:
    corpus, cache = seed_corpus(tmp_path / "corpus"), tmp_path / "cache"
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    (corpus / "x.txt").symlink_to(secret)
    listing = corpusbot("sources", "--corpus", str(corpus), cache=cache)
    assert listing.returncode == 0
    assert b"root:x" not in listing.stdout + listing.stderr
    assert b"skipped x.txt: a link to a file outside the corpus folder" in listing.stderr


def test_a_corpus_folder_whose_own_name_is_not_utf8_is_indexed(tmp_path: Path) -> None:
    corpus = Path(os.fsdecode(os.path.join(os.fsencode(tmp_path), b"d\xe9p\xeaches")))
    seed_corpus(corpus)
    cache = tmp_path / "cache"
    assert len(open_corpus(corpus, cache).index.articles) == 2
    assert not open_corpus(corpus, cache).built
    listing = corpusbot("sources", "--corpus", os.fsencode(corpus), cache=cache)
    assert listing.returncode == 0, listing.stderr
    assert b"2 articles in " in listing.stdout


def test_a_setting_allows_links_out_of_the_corpus(tmp_path: Path) -> None:
    corpus, cache = seed_corpus(tmp_path / "corpus"), tmp_path / "cache"
    secret = tmp_path / "shared-notes.txt"
    secret.write_text("Shared notes\nThe pistachio auction moved to Rafsanjan.")
    (corpus / "notes.txt").symlink_to(secret)
    default = Service.open(make_settings(cache, corpus))
    assert not default.index.search("pistachio auction", 1).hits
    allowed = Service.open(
        make_settings(cache, corpus, CORPUSBOT_CORPUS_FOLLOW_OUTSIDE_LINKS="true")
    )
    assert allowed.opened.built  # another setting, another index
    assert allowed.index.search("pistachio auction", 1).hits[0].article.id == "notes"
    assert not allowed.corpus_changed()
