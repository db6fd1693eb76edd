"""Updates and merges of the saved index in a process of their own, for a process that answers
questions meanwhile (the bot).

An update is mostly Python: a look at the folder's files table, reading and indexing the new
articles, writing the generation; a merge can be a rebuild of the whole folder. Run in the
answering process, they share its interpreter with the answers, and a question asked meanwhile
waits: at 1M passages, with 1,000 articles a minute coming in, the whole answer's p99 was three
times the merged index's. Here one worker process does them, one at a time, and keeps what it
opened between calls (segments never change); the answering process only opens the generation it
wrote. The worker is started at the first call and again after one that died.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Collection
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from corpusbot.retrieval.analysis import pool_worker
from corpusbot.retrieval.index.bm25 import Index, IndexSettings
from corpusbot.retrieval.index.cache import OpenedIndex, merge_saved, open_index, open_saved
from corpusbot.retrieval.index.segmented import SegmentedIndex
from corpusbot.retrieval.index.updating import Changes, Update
from corpusbot.retrieval.reading import SplitSettings

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class IndexedCorpus:
    """What the worker needs to find a corpus's saved index: the folder and the settings that
    shape it."""

    path: Path
    split: SplitSettings
    settings: IndexSettings
    max_file_bytes: int
    follow_outside_links: bool = False


@dataclass(frozen=True)
class _Saved:
    """What an `open_index` in the worker did, for the process that opens its result."""

    folder: Path
    built: bool
    note: str
    changes: Changes | None
    update: Update | None
    generation: str  # the record's token when it is a generation (a merge keeps the folder)


class IndexWorker:
    """`open_index` and `merge_saved` for one corpus, run in a worker process."""

    def __init__(self, corpus: IndexedCorpus) -> None:
        self.corpus = corpus
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def open_index(
        self, *, changed: Collection[str] | None = None, current: OpenedIndex | None = None
    ) -> OpenedIndex:
        """`open_index` of the corpus (see retrieval/index/cache.py) done by the worker, its
        result opened here; raises what the worker raised. `current`, the index in service, is
        returned as it is when the saved index is still the one in its folder."""
        named = None if changed is None else [*changed]
        try:
            saved = self._submit(_open_there, self.corpus, named).result()
        except BrokenProcessPool:  # it died during the call (killed, out of memory): once more
            saved = self._submit(_open_there, self.corpus, named).result()
        if (
            current is not None
            and (saved.folder, saved.generation) == (current.folder, _generation_of(current.index))
            and not saved.built
        ):
            return current  # nothing changed: not opened (and checked) again
        opened = open_saved(saved.folder)
        opened.built, opened.note = saved.built, saved.note
        opened.changes, opened.update = saved.changes, saved.update
        return opened

    def warm(self) -> None:
        """Start the worker and have it open the saved index now, so that the first update
        does not wait for either (seconds for a large index)."""
        self._submit(_open_there, self.corpus, []).add_done_callback(_warmed)

    def merge_saved(self) -> Future[str]:
        """`merge_saved` of the corpus, queued behind any update: what it did, when done."""
        return self._submit(merge_corpus, self.corpus)

    def close(self) -> None:
        """Stop the worker now, even mid-update: every step it takes is written aside and
        renamed into place, so what it leaves is the saved index before or after the step."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is None:
            return
        # Not waited for: a merge may be a rebuild of minutes, and a bot stops in seconds.
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()

    def _submit(self, function: Callable[..., T], *args: object) -> Future[T]:
        with self._lock:
            if self._pool is not None:
                try:
                    return self._pool.submit(function, *args)
                except BrokenProcessPool:  # its worker died since the last call: another
                    log.warning("the index worker had stopped; starting another")
            # spawn: a fork of a threaded process (the bot's) may inherit a held lock.
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=context,
                initializer=pool_worker,  # Ctrl+C is the bot's, which closes the worker
                initargs=(os.getpid(),),
            )
            return self._pool.submit(function, *args)


def _open_there(corpus: IndexedCorpus, changed: list[str] | None) -> _Saved:
    opened = open_index(
        corpus.path,
        corpus.split,
        corpus.settings,
        corpus.max_file_bytes,
        follow_outside_links=corpus.follow_outside_links,
        changed=changed,
    )
    generation = _generation_of(opened.index)
    return _Saved(
        opened.folder, opened.built, opened.note, opened.changes, opened.update, generation
    )


def _generation_of(index: Index) -> str:
    return index.generation.order if isinstance(index, SegmentedIndex) else ""


def _warmed(done: Future[_Saved]) -> None:
    problem = None if done.cancelled() else done.exception()  # cancelled: the bot stopped
    if problem is not None:  # the first update will say what is wrong
        log.warning("the index worker could not open the saved index: %s", problem)


def merge_corpus(corpus: IndexedCorpus) -> str:
    """`merge_saved` of `corpus`'s saved index, in the calling process: what it did."""
    return merge_saved(
        corpus.path,
        corpus.split,
        corpus.settings,
        corpus.max_file_bytes,
        follow_outside_links=corpus.follow_outside_links,
    )
