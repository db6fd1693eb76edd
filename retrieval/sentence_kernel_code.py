"""The compiled reading of a question's sentences (retrieval/sentence_kernel.py), in numba's
subset of Python and NumPy. Imported only through `sentence_kernel.load()`.

The shares are summed over the asked terms in their order, as `sentence_block.measure` sums
them, so both give the same values (to the last bits of a float64 division)."""

from __future__ import annotations

import numba
import numpy as np

from corpusbot.retrieval.sentence_block import SHARES

jit = numba.njit(cache=True, nogil=True)

_CARRIED, _PREVIOUS, _NEXT, _FIRST, _PASSAGE, _PHRASE, _JOINED = range(len(SHARES))


@jit
def read(
    first: np.ndarray,
    token_first: np.ndarray,
    tokens: np.ndarray,
    sentence_start: np.ndarray,
    sentence_end: np.ndarray,
    token_start: np.ndarray,
    token_end: np.ndarray,
    passages: np.ndarray,
    wanted: np.ndarray,
    weights: np.ndarray,
    pairs: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The sentences of `passages` (places: hit, number, start, end, unasked terms; a row a
    sentence), their terms (bounds, codes) and their `SHARES` of the asked terms' weight.
    `wanted`: each asked term's code (-1: in no passage), `weights`: each one's weight over the
    question's total, `pairs`: (asked x asked) the pairs next to each other in the question."""
    n = length = 0
    for p in passages:
        n += first[p + 1] - first[p]
        length += token_end[first[p + 1] - 1] - token_start[first[p]]
    places = np.zeros((n, 5), np.int64)
    bounds = np.zeros(n + 1, np.int64)
    codes = np.empty(length, np.int64)
    held = np.zeros((n, len(wanted)), np.bool_)
    joined = np.zeros((n, len(wanted)), np.bool_)
    phrase = np.zeros(n)
    row = at = 0
    for h in range(len(passages)):
        p = passages[h]
        base = token_first[p]
        for s in range(first[p], first[p + 1]):
            places[row, 0] = h
            places[row, 1] = s - first[p]
            places[row, 2] = sentence_start[s]
            places[row, 3] = sentence_end[s]
            before = -1
            for t in range(base + token_start[s], base + token_end[s]):
                code = tokens[t]
                codes[at] = code
                at += 1
                here = _position(wanted, code)
                if here < 0:
                    places[row, 4] += 1
                else:
                    held[row, here] = True
                    if before >= 0 and pairs[before, here]:
                        phrase[row] += weights[before] + weights[here]
                        joined[row, before] = joined[row, here] = True
                before = here
            row += 1
            bounds[row] = at
    return places, bounds, codes, _shares(places, held, joined, phrase, weights)


@jit
def _position(wanted: np.ndarray, code: int) -> int:
    for j in range(len(wanted)):
        if wanted[j] == code:
            return j
    return -1


@jit
def _shares(
    places: np.ndarray, held: np.ndarray, joined: np.ndarray, phrase: np.ndarray, w: np.ndarray
) -> np.ndarray:
    n, asked = held.shape
    shares = np.zeros((n, len(SHARES)))
    start = 0  # the first sentence of the current passage
    for row in range(n + 1):
        if row == n or (row > 0 and places[row, 1] == 0):  # a passage ends: its whole share
            total = 0.0
            for j in range(asked):
                for r in range(start, row):
                    if held[r, j]:
                        total += w[j]
                        break
            for r in range(start, row):
                shares[r, _PASSAGE] = total
            start = row
        if row == n:
            break
        first = start
        for j in range(asked):
            here = held[row, j]
            before = row > first and held[row - 1, j]
            after = row + 1 < n and places[row + 1, 1] > 0 and held[row + 1, j]
            if here:
                shares[row, _CARRIED] += w[j]
            if here or before:
                shares[row, _PREVIOUS] += w[j]
            if here or after:
                shares[row, _NEXT] += w[j]
            if here or held[first, j]:
                shares[row, _FIRST] += w[j]
            if joined[row, j]:
                shares[row, _JOINED] += w[j]
        count = 0
        for j in range(asked):
            count += held[row, j]
        shares[row, _PHRASE] = phrase[row] if count > 1 else 0.0
    return shares
