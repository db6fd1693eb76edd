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


def _compile() -> Callable[..., Any] | None:
    if kernel.load() is None:
        return None
    try:
        return importlib.import_module("corpusbot.retrieval.sentence_kernel_code").read  # type: ignore[no-any-return]
    except Exception as exc:  # an import or LLVM failure: NumPy still measures
        log.warning("compiled sentence reading unavailable, using NumPy: %s", exc)
        return None


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
