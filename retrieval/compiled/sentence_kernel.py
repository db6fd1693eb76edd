"""Reading and measuring a question's sentences with numba: one call instead of a few dozen
NumPy calls, whose fixed cost (several µs each on small arrays) was most of a question's time.

`read` gives what `sentence_block.from_table` and `sentence_block.measure` give together, with the
same values, and each sentence's `sentence_score.tightness`, found as its terms are read. It is
used where the compiled search is (retrieval/compiled/kernel.py: indexes of KERNEL_MIN_PASSAGES or
more, numba importable, CORPUSBOT_KERNEL not "numpy"); elsewhere NumPy answers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import accumulate
from types import ModuleType
from typing import Any

import numpy as np

from corpusbot.retrieval.compiled import kernel
from corpusbot.retrieval.compiled import loader as compiled
from corpusbot.retrieval.storage import (
    SHARES,
    IndexCorrupt,
    SentenceBlock,
    SentenceShares,
    SentenceTable,
    sentence_block,
)

# The compiled `select` and `tightness`, by name, once `read` has loaded.
_compiled: dict[str, Callable[..., Any]] = {}


def load() -> Callable[..., Any] | None:
    """The compiled `read`, or None (NumPy then measures); only if the compiled search loaded."""
    return READ.load()


def _ready(code: ModuleType) -> Callable[..., Any]:
    _warm_up(code.read)
    _warm_up_select(code.select)
    _warm_up_tightness(code.tightness)
    _compiled.update(select=code.select, tightness=code.tightness)
    read: Callable[..., Any] = code.read
    return read


def _warm_up(compiled: Callable[..., Any]) -> None:
    """Compile (or load from numba's cache) for the types a loaded index gives: one passage
    of one sentence, "a b", asked "a" and "b" as a pair."""
    records = np.array([1, 0, 3, 2, 0, 1], dtype=np.int32)
    *_, values, tight, ok = compiled(
        records,
        np.array([0], dtype=np.int64),
        np.array([len(records)], dtype=np.int64),
        np.array([0, 1], dtype=np.int64),
        np.array([0.5, 0.5]),
        np.array([[False, True], [False, False]]),
        2,
    )
    if not ok or values[:, SHARES.index("phrase")].tolist() != [1.0] or tight.tolist() != [1.0]:
        raise RuntimeError(f"compiled sentence reading gave {values}, {tight} for one sentence")


def _warm_up_select(compiled: Callable[..., Any]) -> None:
    """Compile `select` for the types `read` gives (hits as a column of its places)."""
    places = np.array([[0, 0, 0, 3, 0], [1, 0, 0, 3, 0]], dtype=np.int64)
    bounds, codes = np.array([0, 1, 2], dtype=np.int64), np.array([5, 7], dtype=np.int64)
    kept, _, _, found = compiled(places[:, 0], bounds, codes, np.array([False, True]))
    if kept.tolist() != [1] or found.tolist() != [7]:
        raise RuntimeError(f"compiled sentence selection gave rows {kept}, terms {found}")


def _warm_up_tightness(compiled: Callable[..., Any]) -> None:
    """Compile `tightness` for a block's types: "a b a" asked "a" and "b" is 2 over 2."""
    codes, bounds = np.array([1, 2, 1], dtype=np.int64), np.array([0, 3], dtype=np.int64)
    found = compiled(codes, bounds, np.array([1, 2], dtype=np.int64)).tolist()
    if found != [1.0]:
        raise RuntimeError(f"compiled tightness gave {found} for one sentence")


def tightness(block: SentenceBlock, asked: np.ndarray) -> np.ndarray | None:
    """`sentence_score.tightness`, compiled once the compiled reading has loaded (`asked`: the
    question's term codes, sorted, distinct); None until then."""
    compiled = _compiled.get("tightness")
    return None if compiled is None else compiled(block.codes, block.bounds, asked)


def select(shares: SentenceShares, positions: Sequence[int]) -> SentenceShares:
    """`sentence_block.select`, compiled once the compiled reading has loaded (it has for the
    indexes whose sentences it reads); the same arrays."""
    return sentence_block.select(shares, positions, compiled=_compiled.get("select"))


def read(
    compiled: Callable[..., Any],
    table: SentenceTable,
    numbers: Sequence[int],
    *,
    wanted: np.ndarray,
    weights: np.ndarray,
    pairs: np.ndarray,
    code_of: Callable[[str], int],
    terms: Sequence[str],
) -> SentenceShares:
    """The sentences of passages `numbers` and their shares of the question: see
    `sentence_block.measure` for `wanted`, `weights` and `pairs`; `terms`: the index's terms by
    number. Raises IndexCorrupt if a record is damaged."""
    passages = np.asarray(numbers, dtype=np.int64)
    starts, ends = table.offsets[passages], table.offsets[passages + 1]
    question = (wanted, weights, pairs)
    records = table.records.mapped
    if records is None:  # a large index: its records read with pread, one call a passage
        spans = zip(starts.tolist(), ends.tolist(), strict=True)
        pieces = [table.records.read(a, b) for a, b in spans]
        return read_pieces(compiled, pieces, question, code_of=code_of, terms=terms)
    return _measured(compiled, records, starts, ends, question, code_of=code_of, terms=terms)


def read_pieces(
    compiled: Callable[..., Any],
    pieces: Sequence[np.ndarray],
    question: tuple[np.ndarray, np.ndarray, np.ndarray],
    *,
    code_of: Callable[[str], int],
    terms: Sequence[str],
) -> SentenceShares:
    """`read` of records given one a passage, in the hits' order (`pieces`, their terms by the
    numbers `terms` and `code_of` give); `question`: `read`'s wanted, weights and pairs. An
    index in segments gathers its hits' records so from its folders."""
    records = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int32)
    bounds = np.array([0, *accumulate(len(piece) for piece in pieces)], dtype=np.int64)
    starts, ends = bounds[:-1], bounds[1:]
    return _measured(compiled, records, starts, ends, question, code_of=code_of, terms=terms)


def _measured(
    compiled: Callable[..., Any],
    records: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    question: tuple[np.ndarray, np.ndarray, np.ndarray],
    *,
    code_of: Callable[[str], int],
    terms: Sequence[str],
) -> SentenceShares:
    wanted, weights, pairs = question
    places, bounds, codes, values, tight, ok = compiled(
        records, starts, ends, wanted, weights, pairs, len(terms)
    )
    if not ok:
        raise IndexCorrupt("sentence_records.npy holds a damaged record")
    block = SentenceBlock(
        hit=places[:, 0],
        number=places[:, 1],
        start=places[:, 2],
        end=places[:, 3],
        bounds=bounds,
        codes=codes,
        code_of=code_of,
        term_of=terms.__getitem__,
    )
    return SentenceShares(block, values, places[:, 4], tight)


READ: compiled.CompiledPart[Callable[..., Any]] = compiled.CompiledPart(
    "corpusbot.retrieval.compiled.sentence_kernel_code",
    _ready,
    what="sentence reading",
    instead="using NumPy",
    needs=kernel.SEARCH,
)
