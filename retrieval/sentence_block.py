"""The sentences of a question's hits as arrays, and which of the question's terms each holds.

Scoring sentences (retrieval/sentence_score.py) and the coverage check (retrieval/coverage.py)
ask the same things of every sentence of the retrieved passages: which question terms it holds,
which of them stand next to each other, whether it holds anything else. With each term a small
integer code (its number in the index), those answers are a few NumPy operations over all the
sentences at once, where set arithmetic per sentence cost most of a question's time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from corpusbot.retrieval.sentence_store import Sentence
from corpusbot.retrieval.storage import SentenceTable

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

    def share(self, name: str) -> np.ndarray:
        return self.values[:, SHARES.index(name)]


def measure(
    block: SentenceBlock, wanted: np.ndarray, weights: np.ndarray, pairs: np.ndarray
) -> SentenceShares:
    """The `SHARES` of each sentence of `block`, in NumPy (retrieval/sentence_kernel.py reads
    and measures in one compiled call). `wanted`: each asked term's code (-1: none), `weights`:
    each one's share of the question's weight, `pairs`: (asked x asked) bool, the pairs next to
    each other in the question. Shares are summed over the asked terms in order."""
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
    table: SentenceTable, numbers: Sequence[int], *, vocab: dict[str, int], terms: Sequence[str]
) -> SentenceBlock:
    """The block of passages `numbers` of an index, as the build stored them (`vocab`: the
    index's term numbers, `terms`: its terms by number)."""
    passages = np.asarray(numbers, dtype=np.int64)
    firsts, lasts = table.first[passages], table.first[passages + 1]
    rows = _ranges(firsts, lasts)
    counts = lasts - firsts
    hit = np.repeat(np.arange(len(passages)), counts)
    base = table.token_first[passages]
    token_start, token_end = table.token_start[rows], table.token_end[rows]
    # A passage's sentences hold its terms after the heading's, back to back.
    head = token_start[np.cumsum(counts) - counts]
    tail = token_end[np.cumsum(counts) - 1]
    codes = table.tokens[_ranges(base + head, base + tail)].astype(np.int64)
    lengths = (token_end - token_start).astype(np.int64)
    bounds = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=bounds[1:])
    return SentenceBlock(
        hit=hit,
        number=rows - np.repeat(firsts, counts),
        start=table.start[rows].astype(np.int64),
        end=table.end[rows].astype(np.int64),
        bounds=bounds,
        codes=codes,
        code_of=lambda term: vocab.get(term, -1),
        term_of=terms.__getitem__,
    )


def from_sentences(passages: Iterable[Sequence[Sentence]]) -> SentenceBlock:
    """The block of passages given as their analyzed sentences (retrieval/sentence_store.py):
    for hits that are not in an index. Codes are numbered here."""
    codes: dict[str, int] = {}
    hit, number, start, end, lengths, flat = [], [], [], [], [], []
    for position, sentences in enumerate(passages):
        for place, (first, last, terms) in enumerate(sentences):
            hit.append(position)
            number.append(place)
            start.append(first)
            end.append(last)
            lengths.append(len(terms))
            flat += [codes.setdefault(t, len(codes)) for t in terms]
    bounds = np.zeros(len(hit) + 1, dtype=np.int64)
    np.cumsum(lengths, out=bounds[1:])
    names = list(codes)
    return SentenceBlock(
        hit=np.array(hit, dtype=np.int64),
        number=np.array(number, dtype=np.int64),
        start=np.array(start, dtype=np.int64),
        end=np.array(end, dtype=np.int64),
        bounds=bounds,
        codes=np.array(flat, dtype=np.int64),
        code_of=lambda term: codes.get(term, -1),
        term_of=names.__getitem__,
    )


def _ranges(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The integers of every range [lo[i], hi[i]), one after another."""
    lengths = hi - lo
    steps = np.ones(int(lengths.sum()), dtype=np.int64)
    if not len(steps):
        return steps
    starts = np.cumsum(lengths) - lengths
    nonempty = lengths > 0
    # Each range's first step jumps from the last integer of the range before it.
    steps[starts[nonempty]] = lo[nonempty] - np.concatenate([[0], (hi[nonempty] - 1)[:-1]])
    return np.cumsum(steps)
