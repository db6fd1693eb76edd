"""The search's hot loop compiled with numba: one pass over every posting, or MaxScore over
windows of passages on large indexes; top k, exact rescoring.

One call does what `Index.search` does with a dozen NumPy calls, without their per-call cost.
The passages are walked in windows of WINDOW consecutive numbers (retrieval/compiled/kernel_code.py
explains how): within a window the question's essential terms are added into a small float32
array that stays in the CPU cache, and each passage touched there has the other terms looked up
(galloping search) only while it can still reach the k best so far (MaxScore). As the k-th best
score rises, the terms of smallest bound stop being walked. Indexes of at most
SCORE_ALL_MAX_PASSAGES are scored in one pass instead, every posting added into one array: there
the windows' bookkeeping costs more than it skips. Of the best `count` float32 scores, those
still at or above the final cut (the others cannot be among the k best) are then rescored
exactly in float64 from the term frequencies, summed in the question's term order as
`Index._exact_scores` does, so the scores are bit-for-bit the NumPy path's.

numba is imported only when an index large enough to profit searches (its import and the load of
the compiled code cost ~0.5 s); compiled code is cached under the corpusbot cache folder. When
numba is missing or fails, `load()` logs one line and returns None: the NumPy path answers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from corpusbot.retrieval.compiled import loader as compiled
from corpusbot.retrieval.storage import Postings

# Indexes with fewer passages search with NumPy: importing numba would cost more than it saves.
KERNEL_MIN_PASSAGES = 5_000
# Passages a window covers: 32 KiB of float32 scores, in the CPU's L1/L2 cache (at 10M passages
# 2,048 to 16,384 measured within 5% of each other). A multiple of 64 (a bitmap word).
WINDOW = 8_192
# Indexes of at most this many passages are scored in one pass over every posting (one float32
# array of all their scores) instead of by windows. Kernel alone, SciFact claims, p50: 10k
# passages 57-74 µs against the windows' 96-97, 100k 216-300 against 377-439, 1M about even
# (1.9-2.3 ms against 2.0-2.1); past that the array outgrows the cache and MaxScore skips more.
SCORE_ALL_MAX_PASSAGES = 1 << 19
# CORPUSBOT_KERNEL=numpy turns the compiled search off (and the parts that need it).
SWITCH = compiled.SWITCH


# Unscaled terms' scales and "every article allowed", made once: a question's search makes
# them otherwise, for the base and again for the small segments (the kernel only reads them).
_ONES = [np.ones(n) for n in range(64)]
_EVERY_ARTICLE = np.empty(0, np.bool_)


@dataclass(frozen=True)
class Ranked:
    """The kernel's answer: passage numbers best first, their exact scores, and
    `matched[j, i]`: whether passage i holds the question's j-th term."""

    numbers: np.ndarray
    scores: np.ndarray
    matched: np.ndarray
    # The worst float32 score among the candidates rescored, when some passage was left out
    # for a better one (none left out scored more); -1.0 when none was.
    left_out: float = -1.0


def compiled_for(passages: int) -> bool:
    """Whether an index of `passages` uses the compiled parts (the search, the sentence reading,
    the coverage check): the one rule all three follow, so they are used together or not."""
    return passages >= KERNEL_MIN_PASSAGES


def load() -> Callable[..., Any] | None:
    """The compiled search function, or None (NumPy then answers); imports numba once."""
    return SEARCH.load()


def load_in_background(passages: int, *loaders: Callable[[], object]) -> None:
    """For a long-running process (the bot) opening an index of `passages`: run `loaders` (the
    compiled parts' `load`s) on a daemon thread when that index will use them, so the first
    question need not wait for numba; a question that comes sooner waits on their locks."""
    if compiled_for(passages):

        def load_all() -> None:
            for load_one in loaders:
                load_one()

        threading.Thread(target=load_all, name="corpusbot-kernels", daemon=True).start()


def _ready(code: ModuleType) -> Callable[..., Any]:
    search_code: Callable[..., Any] = code.search
    _warm_up(search_code)
    return search_code


def search(
    kernel: Callable[..., Any],
    postings: Postings,
    doc_len: np.ndarray,
    *,
    terms: list[tuple[int, int]],
    k: int,
    count: int,
    avgdl: float,
    k1: float,
    b: float,
    article: np.ndarray,
    allowed: np.ndarray | None = None,
    window: int = WINDOW,
    idf: np.ndarray | None = None,
    scales: np.ndarray | None = None,
    loose: float = 0.0,
    floor: float = 0.0,
) -> Ranked:
    """The `k` best passages for `terms` ((term number, times in the question), in the
    question's order), scoring above 0; `count` (at least k) candidates are rescored exactly.
    `article`: each passage's article; `allowed`: a bool per article. `window`: passages scored
    together (a positive multiple of 64). Exact scores use `idf` (by default `postings.idf`)
    and `avgdl`; when those are not the ones the impacts were weighed with (a segment searched
    with its whole index's statistics), `scales` turns each term's impacts to its idf, and the
    impacts are then within a factor 1 + `loose` of the exact contributions. `floor` (above
    0): an exact score that k passages elsewhere reach (other segments of the index), so only
    passages that may reach it are wanted, and only passages scoring at least that come back."""
    if window <= 0 or window % 64:
        raise ValueError(f"window must be a positive multiple of 64, not {window}")
    if scales is None:
        scales = _ONES[len(terms)] if len(terms) < len(_ONES) else np.ones(len(terms))
    numbers, scores, matched, left_out = kernel(
        postings.offsets,
        postings.doc_ids,
        postings.impacts,
        postings.tfs,
        postings.idf if idf is None else idf,
        postings.max_impact,
        doc_len,
        article,
        _EVERY_ARTICLE if allowed is None else np.asarray(allowed, dtype=np.bool_),
        np.array([t for t, _ in terms], dtype=np.int64),
        np.array([times for _, times in terms], dtype=np.int64),
        np.asarray(scales, dtype=np.float64),
        float(loose),
        k,
        count,
        avgdl,
        k1,
        b,
        window,
        SCORE_ALL_MAX_PASSAGES,
        float(floor),
    )
    return Ranked(numbers, scores, matched, float(left_out))


def _warm_up(kernel: Callable[..., Any]) -> None:
    """Compile (or load from numba's cache) for the types of a loaded index's arrays (writable
    copy-on-write maps of these dtypes). A failure shows here, not at a user's question."""

    def array(values: list[float], dtype: type) -> np.ndarray:
        return np.array(values, dtype=dtype)

    postings = Postings(
        offsets=array([0, 1], np.int64),
        doc_ids=array([0], np.int32),
        impacts=array([1.0], np.float32),
        tfs=array([1], np.uint16),
        idf=array([1.0], np.float64),
        max_impact=array([1.0], np.float64),
    )
    found = search(
        kernel,
        postings,
        array([1], np.int32),
        terms=[(0, 1)],
        k=1,
        count=1,
        avgdl=1.0,
        k1=1.5,
        b=0.75,
        article=array([0], np.int32),
    )
    if found.numbers.tolist() != [0]:
        raise RuntimeError(f"compiled search gave {found.numbers} on a one-passage index")


SEARCH: compiled.CompiledPart[Callable[..., Any]] = compiled.CompiledPart(
    "corpusbot.retrieval.compiled.kernel_code",
    _ready,
    what="search",
    instead="searching with NumPy",
)
