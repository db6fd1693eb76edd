"""The sentences of a question's hits as arrays, and the shares of the question each holds.

Scoring sentences (bot/answer/sentence_score.py) and the coverage check (bot/answer/coverage.py)
ask the same things of every sentence of the retrieved passages: how much of the question's
weight it holds, alone and with its neighbours; which of its terms stand next to each other as
in the question; whether it holds anything else. With each term a small integer code (its
number in the index), `measure` answers them for all the sentences at once, where set arithmetic
per sentence cost most of a question's time; on large indexes retrieval/compiled/sentence_kernel.py
reads and measures in one compiled call instead, with the same values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from corpusbot.retrieval.storage.files import IndexCorrupt, SentenceTable
from corpusbot.retrieval.storage.sentence_store import Sentence

# What `measure` tells of each sentence, each a share of the question's weight (idf) held by:
SHARES = (
    "carried",  # the sentence
    "with_previous",  # the sentence and the one before it
    "with_next",  # the sentence and the one after it
    "with_first",  # the sentence and its passage's first sentence
    "in_passage",  # its whole passage
    "phrase",  # its neighbouring terms that neighbour in the question, counted each time
    "joined",  # the terms of those neighbouring pairs, counted once
)


@dataclass(frozen=True)
class SentenceBlock:
    """Every sentence of some passages (hits), in hit order, with its terms as codes."""

    hit: np.ndarray  # int64, per sentence: the position of its passage among the hits
    number: np.ndarray  # int64, its place among its passage's sentences
    start: np.ndarray  # int64, character offsets into its passage's text
    end: np.ndarray  # int64
    bounds: np.ndarray  # int64, sentences + 1: sentence i's terms are codes[bounds[i]:bounds[i+1]]
    codes: np.ndarray  # int64, the terms of every sentence, in order
    code_of: Callable[[str], int]  # a term's code (-1: in none of these sentences)
    term_of: Callable[[int], str]

    def __len__(self) -> int:
        return len(self.hit)

    def terms(self, row: int) -> tuple[str, ...]:
        """Sentence `row`'s terms, in order."""
        return tuple(
            map(self.term_of, self.codes[self.bounds[row] : self.bounds[row + 1]].tolist())
        )


@dataclass(frozen=True)
class SentenceShares:
    """A question's `SHARES` in every sentence of a block."""

    block: SentenceBlock
    values: np.ndarray  # float64, (sentences x SHARES)
    unasked: np.ndarray  # int64, per sentence: its terms that are not the question's
    # float64, per sentence: sentence_score.tightness, when the compiled reading gave it
    tight: np.ndarray | None = None

    def share(self, name: str) -> np.ndarray:
        return self.values[:, SHARES.index(name)]


def select(
    shares: SentenceShares,
    positions: Sequence[int],
    *,
    compiled: Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] | None = None,
) -> SentenceShares:
    """The shares of the hits at `positions` (increasing) alone, those hits renumbered from 0:
    a sentence's shares depend on its own passage only, so the question's hits are measured
    once and each step takes the ones it needs. `compiled`: retrieval/compiled/sentence_kernel.py's
    version of `_kept`, which gives the same arrays."""
    block = shares.block
    keep = np.zeros(max(int(block.hit.max(initial=-1)), max(positions, default=-1)) + 1, bool)
    keep[list(positions)] = True
    rows, hit, bounds, codes = (compiled or _kept)(block.hit, block.bounds, block.codes, keep)
    part = SentenceBlock(
        hit=hit,
        number=block.number[rows],
        start=block.start[rows],
        end=block.end[rows],
        bounds=bounds,
        codes=codes,
        code_of=block.code_of,
        term_of=block.term_of,
    )
    tight = None if shares.tight is None else shares.tight[rows]
    return SentenceShares(part, shares.values[rows], shares.unasked[rows], tight)


def _kept(
    hit: np.ndarray, bounds: np.ndarray, codes: np.ndarray, keep: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The rows of the sentences of the hits marked in `keep`, their hits renumbered from 0 in
    order, their bounds and their terms (`hit`, `bounds`, `codes`: a block's)."""
    kept = keep[hit]
    rows = np.flatnonzero(kept)
    lengths = np.diff(bounds)
    kept_bounds = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths[rows], out=kept_bounds[1:])
    renumbered = np.cumsum(keep) - 1
    return rows, renumbered[hit[rows]], kept_bounds, codes[np.repeat(kept, lengths)]


def measure(
    block: SentenceBlock, wanted: np.ndarray, weights: np.ndarray, pairs: np.ndarray
) -> SentenceShares:
    """The `SHARES` of each sentence of `block`, in NumPy (retrieval/compiled/sentence_kernel.py
    reads and measures in one compiled call). `wanted`: each asked term's code (-1: none),
    `weights`: each one's share of the question's weight, `pairs`: (asked x asked) bool, the pairs
    next to each other in the question. Shares are summed over the asked terms in order."""
    n, rows = len(block), np.repeat(np.arange(len(block)), np.diff(block.bounds))
    positions = _positions(block.codes, wanted)
    held = np.zeros((n, len(wanted)), dtype=bool)
    held[rows[positions >= 0], positions[positions >= 0]] = True
    left, right = positions[:-1], positions[1:]
    adjacent = (left >= 0) & (right >= 0) & (rows[:-1] == rows[1:])
    adjacent[adjacent] = pairs[left[adjacent], right[adjacent]]
    places, left, right = rows[:-1][adjacent], left[adjacent], right[adjacent]
    joined = np.zeros_like(held)
    joined[places, left] = joined[places, right] = True
    phrase = np.bincount(places, weights[left] + weights[right], minlength=n)
    phrase[held.sum(axis=1) < 2] = 0.0
    opens = block.number == 0
    before, after = np.zeros_like(held), np.zeros_like(held)
    before[1:], after[:-1] = held[:-1], held[1:]
    before[opens] = False
    after[np.flatnonzero(opens) - 1] = False  # the row before a passage's first: its last
    passage = np.logical_or.reduceat(held, np.flatnonzero(opens), axis=0)[np.cumsum(opens) - 1]
    first = held[np.flatnonzero(opens)[np.cumsum(opens) - 1]]
    tables = (held, held | before, held | after, held | first, passage)
    values = np.column_stack(
        [*(_weighed(t, weights) for t in tables), phrase, _weighed(joined, weights)]
    )
    unasked = np.bincount(rows[positions < 0], minlength=n)
    return SentenceShares(block, values.reshape(n, len(SHARES)), unasked)


def _weighed(table: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Per row, the sum of the weights of its True columns, added in column order."""
    total = np.zeros(len(table))
    for column, weight in enumerate(weights.tolist()):
        total += table[:, column] * weight
    return total


def _positions(codes: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """For each code, its position in `wanted` (the first, if twice), or -1."""
    if not len(wanted):
        return np.full(len(codes), -1, dtype=np.int64)
    order = np.argsort(wanted, kind="stable")
    ranked = wanted[order]  # -1 for a term in no sentence: no code equals it
    found = np.minimum(np.searchsorted(ranked, codes), len(ranked) - 1)
    return np.where(ranked[found] == codes, order[found], -1)


def question_arrays(
    weights: Mapping[str, float], order: Sequence[str]
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """What `measure` needs of a question whose terms weigh `weights` (their idf; `order`: its
    terms as asked): the asked terms, each one's share of their total weight, and the pairs
    next to each other in the question (`question_pairs`)."""
    total = sum(weights.values()) or 1.0
    asked = list(weights)
    shares = np.array([weights[t] / total for t in asked])
    return asked, shares, question_pairs(order, asked)


def measure_question(
    block: SentenceBlock, weights: Mapping[str, float], order: Sequence[str]
) -> SentenceShares:
    """`measure` for the question whose terms weigh `weights` (`order`: its terms as asked)."""
    asked, shares, pairs = question_arrays(weights, order)
    wanted = np.array([block.code_of(t) for t in asked], dtype=np.int64)
    return measure(block, wanted, shares, pairs)


def question_pairs(order: Sequence[str], asked: Sequence[str]) -> np.ndarray:
    """(asked x asked) bool: the pairs of terms next to each other in the question (`order`,
    its terms as asked, repeats kept)."""
    where = {t: i for i, t in enumerate(asked)}
    pairs = np.zeros((len(asked), len(asked)), dtype=bool)
    for a, b in pairwise(order):
        if a in where and b in where:
            pairs[where[a], where[b]] = True
    return pairs


def from_table(
    table: SentenceTable, numbers: Sequence[int], *, vocab: Mapping[str, int], terms: Sequence[str]
) -> SentenceBlock:
    """The block of passages `numbers` of an index, as the build stored them (`vocab`: the
    index's term numbers, `terms`: its terms by number)."""
    rows: list[tuple[int, int, int, int, int]] = []
    codes: list[int] = []
    for position, passage in enumerate(numbers):
        record = table.records.read(table.offsets[passage], table.offsets[passage + 1]).tolist()
        heads, found = _parse(record, len(terms))
        rows += [(position, place, *head) for place, head in enumerate(heads)]
        codes += found
    return _block(rows, codes, code_of=lambda term: vocab.get(term, -1), term_of=terms.__getitem__)


def _parse(record: list[int], vocabulary: int) -> tuple[list[tuple[int, int, int]], list[int]]:
    """A stored record's (start, end, terms) a sentence, and its terms' numbers."""
    count = record[0] if record else -1
    if count < 0 or len(record) < 1 + 3 * count:
        raise IndexCorrupt("sentence_records.npy holds a damaged record")
    heads = [(record[1 + 3 * i], record[2 + 3 * i], record[3 + 3 * i]) for i in range(count)]
    found = record[1 + 3 * count :]
    if sum(h[2] for h in heads) != len(found) or any(not 0 <= c < vocabulary for c in found):
        raise IndexCorrupt("sentence_records.npy holds a damaged record")
    return heads, found


def from_sentences(passages: Iterable[Sequence[Sentence]]) -> SentenceBlock:
    """The block of passages given as their analyzed sentences
    (retrieval/storage/sentence_store.py): for hits that are not in an index. Codes are numbered
    here."""
    numbering: dict[str, int] = {}
    rows: list[tuple[int, int, int, int, int]] = []
    codes: list[int] = []
    for position, sentences in enumerate(passages):
        for place, (first, last, terms) in enumerate(sentences):
            rows.append((position, place, first, last, len(terms)))
            codes += [numbering.setdefault(t, len(numbering)) for t in terms]
    names = list(numbering)
    return _block(
        rows, codes, code_of=lambda term: numbering.get(term, -1), term_of=names.__getitem__
    )


def _block(
    rows: list[tuple[int, int, int, int, int]],
    codes: list[int],
    *,
    code_of: Callable[[str], int],
    term_of: Callable[[int], str],
) -> SentenceBlock:
    """A block from (hit, number, start, end, terms) a sentence and their terms' codes."""
    table = np.array(rows, dtype=np.int64).reshape(-1, 5)
    bounds = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(table[:, 4], out=bounds[1:])
    return SentenceBlock(
        hit=table[:, 0],
        number=table[:, 1],
        start=table[:, 2],
        end=table[:, 3],
        bounds=bounds,
        codes=np.array(codes, dtype=np.int64),
        code_of=code_of,
        term_of=term_of,
    )
