"""The compiled reading of a question's sentences (retrieval/compiled/sentence_kernel.py), in
numba's subset of Python and NumPy. Imported only through `sentence_kernel.load()`.

The shares are summed over the asked terms in their order, as `sentence_block.measure` sums
them, so both give the same values (to the last bits of a float64 division)."""

from __future__ import annotations

import numba
import numpy as np

from corpusbot.retrieval.storage import SHARES

jit = numba.njit(cache=True, nogil=True)

_CARRIED, _PREVIOUS, _NEXT, _FIRST, _PASSAGE, _PHRASE, _JOINED = range(len(SHARES))


@jit
def read(
    records: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    wanted: np.ndarray,
    weights: np.ndarray,
    pairs: np.ndarray,
    vocabulary: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, bool]:
    """The sentences of the records `records[starts[h]:ends[h]]` (one a hit; layout in
    storage.SentenceRecords): places (hit, number, start, end, unasked terms; a row a sentence),
    their terms (bounds, codes), their `SHARES` of the asked terms' weight and their
    `tightness`; and False (with nothing read) if a record is damaged. `wanted`: each asked
    term's code (-1: in no passage), `weights`: each one's weight over the question's total,
    `pairs`: (asked x asked) the pairs next to each other in the question; `vocabulary`: how
    many terms the index has."""
    n = length = 0
    for h in range(len(starts)):
        count = records[starts[h]] if starts[h] < ends[h] else -1
        if count < 0 or starts[h] + 1 + 3 * count > ends[h]:
            return _nothing(len(wanted))
        n += count
        length += ends[h] - starts[h] - 1 - 3 * count
    places = np.zeros((n, 5), np.int64)
    bounds = np.zeros(n + 1, np.int64)
    codes = np.empty(length, np.int64)
    held = np.zeros((n, len(wanted)), np.bool_)
    joined = np.zeros((n, len(wanted)), np.bool_)
    phrase = np.zeros(n)
    tight = np.zeros(n)
    asked_at = np.empty(length, np.int64)  # a sentence's question terms: where, and which
    asked_term = np.empty(length, np.int64)
    seen = np.zeros(len(wanted), np.int64)
    row = at = 0
    for h in range(len(starts)):
        count = records[starts[h]]
        term = starts[h] + 1 + 3 * count  # the passage's first term
        for j in range(count):
            head = starts[h] + 1 + 3 * j
            places[row, 0] = h
            places[row, 1] = j
            places[row, 2] = records[head]
            places[row, 3] = records[head + 1]
            last = term + records[head + 2]
            if records[head + 2] < 0 or last > ends[h]:
                return _nothing(len(wanted))
            before, asked_here = -1, 0
            for t in range(term, last):
                code = records[t]
                if code < 0 or code >= vocabulary:
                    return _nothing(len(wanted))
                codes[at] = code
                here = _position(wanted, code)
                if here < 0:
                    places[row, 4] += 1
                else:
                    asked_at[asked_here], asked_term[asked_here] = at, here
                    asked_here += 1
                    held[row, here] = True
                    if before >= 0 and pairs[before, here]:
                        phrase[row] += weights[before] + weights[here]
                        joined[row, before] = joined[row, here] = True
                before = here
                at += 1
            if asked_here:
                tight[row] = _tight(asked_at, asked_term, asked_here, seen)
            term = last
            row += 1
            bounds[row] = at
        if term != ends[h]:
            return _nothing(len(wanted))
    return places, bounds, codes, _shares(places, held, joined, phrase, weights), tight, True


@jit
def _nothing(
    asked: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, bool]:
    empty = np.zeros((0, 5), np.int64)
    shares = np.zeros((0, len(SHARES)))
    return empty, np.zeros(1, np.int64), np.zeros(0, np.int64), shares, np.zeros(0), False


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


@jit
def select(
    hit: np.ndarray, bounds: np.ndarray, codes: np.ndarray, keep: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """`sentence_block.select` for the sentences of hits `hit` (their terms
    `codes[bounds[i]:bounds[i + 1]]`), keeping the hits marked in `keep`: the rows kept, their
    hits renumbered from 0 in order, their bounds and their terms."""
    renumbered = np.full(len(keep), -1, np.int64)
    placed = 0
    for h in range(len(keep)):
        if keep[h]:
            renumbered[h] = placed
            placed += 1
    rows, size = 0, 0
    for i in range(len(hit)):
        if renumbered[hit[i]] >= 0:
            rows += 1
            size += bounds[i + 1] - bounds[i]
    kept = np.empty(rows, np.int64)
    kept_hit = np.empty(rows, np.int64)
    kept_bounds = np.zeros(rows + 1, np.int64)
    kept_codes = np.empty(size, np.int64)
    row, at = 0, 0
    for i in range(len(hit)):
        if renumbered[hit[i]] >= 0:
            kept[row], kept_hit[row] = i, renumbered[hit[i]]
            for q in range(bounds[i], bounds[i + 1]):
                kept_codes[at] = codes[q]
                at += 1
            row += 1
            kept_bounds[row] = at
    return kept, kept_hit, kept_bounds, kept_codes


@jit
def tightness(codes: np.ndarray, bounds: np.ndarray, asked: np.ndarray) -> np.ndarray:
    """`sentence_score.tightness` of the sentences whose terms are `codes[bounds[i]:bounds[i +
    1]]`, for the question's terms `asked` (codes, sorted, distinct)."""
    rows, m = len(bounds) - 1, len(asked)
    tight = np.zeros(rows)
    places = np.empty(len(codes), np.int64)  # where a sentence holds a question term
    terms = np.empty(len(codes), np.int64)  # which (its column in `asked`)
    seen = np.zeros(m, np.int64)
    for row in range(rows):
        held = 0
        for at in range(bounds[row], bounds[row + 1]):
            column = np.searchsorted(asked, codes[at])
            if column < m and asked[column] == codes[at]:
                places[held], terms[held] = at, column
                held += 1
        if held:
            tight[row] = _tight(places, terms, held, seen)
    return tight


@jit
def _tight(places: np.ndarray, terms: np.ndarray, held: int, seen: np.ndarray) -> float:
    """One sentence's tightness: the distinct question terms among the `held` first of `terms`
    (found at `places`, in order) over the length of the shortest run holding them all.
    `seen`: a zero per question term, left zero."""
    distinct = 0
    for i in range(held):
        if seen[terms[i]] == 0:
            distinct += 1
        seen[terms[i]] += 1
    for i in range(held):
        seen[terms[i]] = 0
    shortest = places[held - 1] - places[0] + 1
    if distinct < held:  # a term twice: the shortest run holding every one
        inside, left = 0, 0
        for right in range(held):
            if seen[terms[right]] == 0:
                inside += 1
            seen[terms[right]] += 1
            while inside == distinct:
                shortest = min(shortest, places[right] - places[left] + 1)
                seen[terms[left]] -= 1
                if seen[terms[left]] == 0:
                    inside -= 1
                left += 1
        for i in range(held):
            seen[terms[i]] = 0
    ratio: float = distinct / shortest
    return ratio
