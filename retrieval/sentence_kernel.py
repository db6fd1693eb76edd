"""Reading and measuring a question's sentences with numba: one call instead of a few dozen
NumPy calls, whose fixed cost (several µs each on small arrays) was most of a question's time.

`read` gives what `sentence_block.from_table` and `sentence_block.measure` give together, with the
same values. It is used where the compiled search is (retrieval/kernel.py: indexes of
KERNEL_MIN_PASSAGES or more, numba importable, CORPUSBOT_KERNEL not "numpy"); elsewhere NumPy
answers.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from corpusbot.retrieval import kernel
from corpusbot.retrieval.sentence_block import SentenceBlock, SentenceShares
from corpusbot.retrieval.storage import SentenceTable

log = logging.getLogger(__name__)

_lock = threading.Lock()
_loaded: list[Callable[..., Any] | None] = []  # [] until tried, then [read or None]


def load() -> Callable[..., Any] | None:
    """The compiled `read`, or None (NumPy then measures); loads numba through `kernel.load`,
    which sets its cache folder, and only if the compiled search loaded."""
    with _lock:
        if not _loaded:
            _loaded.append(_compile())
        return _loaded[0]


def load_in_background(passages: int) -> None:
    """For a long-running process (the bot) opening an index of `passages`: start `load()` (and
    with it the compiled search's) on a daemon thread when that index will use them, so the
    first question need not wait for numba; a question that comes sooner waits on the lock."""
    if passages >= kernel.KERNEL_MIN_PASSAGES and not _loaded:
        threading.Thread(target=load, name="corpusbot-sentence-kernel", daemon=True).start()


def _compile() -> Callable[..., Any] | None:
    if kernel.load() is None:
        return None
    try:
        compiled = importlib.import_module("corpusbot.retrieval.sentence_kernel_code").read
        _warm_up(compiled)
        return compiled  # type: ignore[no-any-return]
    except Exception as exc:  # an import or LLVM failure: NumPy still measures
        log.warning("compiled sentence reading unavailable, using NumPy: %s", exc)
        return None


def _warm_up(compiled: Callable[..., Any]) -> None:
    """Compile (or load from numba's cache) for the types of a loaded index's tables: one
    passage of one sentence, "a b", asked "a" and "b" as a pair."""

    def array(values: list[int], dtype: type) -> np.ndarray:
        return np.array(values, dtype=dtype)

    table = SentenceTable(
        token_first=array([0, 2], np.int64),
        tokens=array([0, 1], np.int32),
        first=array([0, 1], np.int64),
        start=array([0], np.int32),
        end=array([3], np.int32),
        token_start=array([0], np.int32),
        token_end=array([2], np.int32),
    )
    found = read(
        compiled,
        table,
        [0],
        wanted=array([0, 1], np.int64),
        weights=np.array([0.5, 0.5]),
        pairs=np.array([[False, True], [False, False]]),
        code_of=lambda term: -1,
        term_of=str,
    )
    if found.share("phrase").tolist() != [1.0]:
        raise RuntimeError(f"compiled sentence reading gave {found.values} for one sentence")


def read(
    compiled: Callable[..., Any],
    table: SentenceTable,
    numbers: Sequence[int],
    *,
    wanted: np.ndarray,
    weights: np.ndarray,
    pairs: np.ndarray,
    code_of: Callable[[str], int],
    term_of: Callable[[int], str],
) -> SentenceShares:
    """The sentences of passages `numbers` and their shares of the question: see
    `sentence_block.measure` for `wanted`, `weights` and `pairs`."""
    places, bounds, codes, values = compiled(
        table.first,
        table.token_first,
        table.tokens,
        table.start,
        table.end,
        table.token_start,
        table.token_end,
        np.asarray(numbers, dtype=np.int64),
        wanted,
        weights,
        pairs,
    )
    block = SentenceBlock(
        hit=places[:, 0],
        number=places[:, 1],
        start=places[:, 2],
        end=places[:, 3],
        bounds=bounds,
        codes=codes,
        code_of=code_of,
        term_of=term_of,
    )
    return SentenceShares(block, values, places[:, 4])
