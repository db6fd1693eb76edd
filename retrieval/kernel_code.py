"""The compiled search of retrieval/kernel.py, in numba's subset of Python and NumPy.

Imported only through `kernel.load()`, which sets numba's cache folder first. The scoring
arithmetic mirrors `Index._exact_scores` operation for operation, so scores are bit-for-bit equal.
"""

from __future__ import annotations

import numba
import numpy as np

jit = numba.njit(cache=True, nogil=True)


@jit
def search(
    offsets: np.ndarray,
    doc_ids: np.ndarray,
    impacts: np.ndarray,
    tfs: np.ndarray,
    idf: np.ndarray,
    max_impact: np.ndarray,
    doc_len: np.ndarray,
    article: np.ndarray,
    allowed: np.ndarray,
    terms: np.ndarray,
    times: np.ndarray,
    k: int,
    count: int,
    avgdl: float,
    k1: float,
    b: float,
    acc: np.ndarray,
    check_postings: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n_terms = len(terms)
    filtering = len(allowed) > 0
    bounds = np.empty(n_terms)
    capacity = 0
    for i in range(n_terms):
        bounds[i] = times[i] * max_impact[terms[i]]
        capacity += offsets[terms[i] + 1] - offsets[terms[i]]
    order = np.argsort(-bounds, kind="mergesort")  # largest bound first, ties in question order
    rest = 0.0
    for i in range(n_terms):
        rest += bounds[i]
    touched = np.empty(capacity, np.int64)
    # touched is a run of ascending passage numbers per gathered term: runs[pos] starts term pos's
    runs = np.zeros(n_terms + 1, np.int64)
    m = 0
    floor = -1.0
    gathered = n_terms
    for pos in range(n_terms):
        i = order[pos]
        lo, hi = offsets[terms[i]], offsets[terms[i] + 1]
        # A new floor costs a pass over the touched passages: worth it before a list as long.
        if pos > 0 and m >= k and hi - lo >= check_postings and 2 * (hi - lo) >= m:
            floor = max(
                floor,
                _floor(
                    offsets,
                    doc_ids,
                    tfs,
                    idf,
                    doc_len,
                    terms,
                    times,
                    acc,
                    touched[:m],
                    k,
                    avgdl,
                    k1,
                    b,
                ),
            )
        if rest < floor - (1e-5 * floor + 1e-9):
            gathered = pos
            break
        runs[pos] = m
        weight = np.float32(times[i])
        for p in range(lo, hi):
            d = doc_ids[p]
            if filtering and not allowed[article[d]]:
                continue
            if acc[d] == 0:
                touched[m] = d
                m += 1
            acc[d] += impacts[p] * weight
        rest -= bounds[i]
    if gathered == n_terms:
        candidates = touched[:m]
    else:  # the terms left are only looked up for passages that can still rank
        floor = max(
            floor,
            _floor(
                offsets, doc_ids, tfs, idf, doc_len, terms, times, acc, touched[:m], k, avgdl, k1, b
            ),
        )
        runs[gathered] = m
        candidates = _looked_up(
            offsets,
            doc_ids,
            impacts,
            terms,
            times,
            order[gathered:],
            bounds,
            acc,
            touched[:m],
            runs[: gathered + 1],
            floor,
            rest,
        )
    best = _best(acc, candidates, count)
    for j in range(m):  # leave the buffer zeroed for the next question
        acc[touched[j]] = 0
    return _rescored(offsets, doc_ids, tfs, idf, doc_len, terms, times, best, k, avgdl, k1, b)


@jit
def _looked_up(
    offsets: np.ndarray,
    doc_ids: np.ndarray,
    impacts: np.ndarray,
    terms: np.ndarray,
    times: np.ndarray,
    left: np.ndarray,
    bounds: np.ndarray,
    acc: np.ndarray,
    touched: np.ndarray,
    runs: np.ndarray,
    floor: float,
    rest: float,
) -> np.ndarray:
    """The terms `left` (largest bound first) added to the touched passages that can still
    reach `floor`; returns those passages. `rest`: the most the terms left can add. `touched`
    is made of ascending runs (`runs`: their starts, then the end): each run is walked through
    a term's postings on its own, so nothing needs sorting (numba's sort is slow)."""
    slack = 1e-5 * floor + 1e-9
    candidates = touched.copy()
    ends = runs.copy()
    for i in left:
        lo, hi = offsets[terms[i]], offsets[terms[i] + 1]
        weight = np.float32(times[i])
        kept = 0
        for run in range(len(ends) - 1):
            first, at = kept, lo
            for j in range(ends[run], ends[run + 1]):
                d = candidates[j]
                if acc[d] + rest < floor - slack:
                    continue
                at = _seek(doc_ids, at, hi, d)
                if at < hi and doc_ids[at] == d:
                    acc[d] += impacts[at] * weight
                candidates[kept] = d
                kept += 1
            ends[run] = first
        ends[len(ends) - 1] = kept
        candidates = candidates[:kept]
        rest -= bounds[i]
    return candidates


@jit
def _seek(ids: np.ndarray, at: int, hi: int, d: int) -> int:
    """The first position in ids[at:hi] (ascending) holding d or more: galloping, then binary
    search, so a walk over sorted passages costs little more than their number."""
    step = 1
    while at + step < hi and ids[at + step] < d:
        at += step
        step *= 2
    if at < hi and ids[at] >= d:
        return at
    lo, top = min(at + 1, hi), min(at + step, hi)
    while lo < top:
        mid = (lo + top) // 2
        if ids[mid] < d:
            lo = mid + 1
        else:
            top = mid
    return lo


@jit
def _better(score: float, number: int, other_score: float, other_number: int) -> bool:
    return score > other_score or (score == other_score and number < other_number)


@jit
def _floor(
    offsets: np.ndarray,
    doc_ids: np.ndarray,
    tfs: np.ndarray,
    idf: np.ndarray,
    doc_len: np.ndarray,
    terms: np.ndarray,
    times: np.ndarray,
    acc: np.ndarray,
    touched: np.ndarray,
    k: int,
    avgdl: float,
    k1: float,
    b: float,
) -> float:
    """A lower bound on the k-th best score: the exact scores (every term) of the k touched
    passages with the best partial scores; at least k passages score that much."""
    best = _best(acc, touched, k)
    exact = _exact(offsets, doc_ids, tfs, idf, doc_len, terms, times, best, avgdl, k1, b)[0]
    return float(exact.min())


@jit
def _best(acc: np.ndarray, candidates: np.ndarray, count: int) -> np.ndarray:
    """The `count` candidates with the best partial scores (ties: lower passage number), kept in
    a min-heap whose root is the worst kept; returned sorted by passage number."""
    size = min(count, len(candidates))
    if size == 0:
        return np.empty(0, np.int64)
    heap = np.empty(size, np.int64)
    filled = 0
    for j in range(len(candidates)):
        d = candidates[j]
        if filled < size:
            heap[filled] = d
            filled += 1
            child = filled - 1
            while child > 0:  # sift up
                parent = (child - 1) // 2
                if _better(acc[heap[parent]], heap[parent], acc[heap[child]], heap[child]):
                    heap[parent], heap[child] = heap[child], heap[parent]
                    child = parent
                else:
                    break
        elif _better(acc[d], d, acc[heap[0]], heap[0]):
            heap[0] = d
            parent = 0
            while True:  # sift down
                left, worst = 2 * parent + 1, parent
                for child in (left, left + 1):
                    if child < size and _better(
                        acc[heap[worst]], heap[worst], acc[heap[child]], heap[child]
                    ):
                        worst = child
                if worst == parent:
                    break
                heap[parent], heap[worst] = heap[worst], heap[parent]
                parent = worst
    return np.sort(heap[:filled])


@jit
def _rescored(
    offsets: np.ndarray,
    doc_ids: np.ndarray,
    tfs: np.ndarray,
    idf: np.ndarray,
    doc_len: np.ndarray,
    terms: np.ndarray,
    times: np.ndarray,
    best: np.ndarray,
    k: int,
    avgdl: float,
    k1: float,
    b: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The `k` best of `best` by exact score, scoring above 0, ties by passage number."""
    exact, found = _exact(offsets, doc_ids, tfs, idf, doc_len, terms, times, best, avgdl, k1, b)
    n_terms, n = len(terms), len(best)
    order = np.argsort(-exact, kind="mergesort")  # `best` is sorted: ties by passage number
    top = order[: min(k, n)]
    kept = 0
    for j in range(len(top)):
        if exact[top[j]] > 0:
            top[kept] = top[j]
            kept += 1
    top = top[:kept]
    numbers = np.empty(kept, np.int64)
    scores = np.empty(kept)
    matched = np.zeros((n_terms, kept), np.bool_)
    for j in range(kept):
        numbers[j] = best[top[j]]
        scores[j] = exact[top[j]]
        for i in range(n_terms):
            matched[i, j] = found[i, top[j]]
    return numbers, scores, matched


@jit
def _exact(
    offsets: np.ndarray,
    doc_ids: np.ndarray,
    tfs: np.ndarray,
    idf: np.ndarray,
    doc_len: np.ndarray,
    terms: np.ndarray,
    times: np.ndarray,
    best: np.ndarray,
    avgdl: float,
    k1: float,
    b: float,
) -> tuple[np.ndarray, np.ndarray]:
    """rank-bm25's float64 scores of passages `best`, the same arithmetic in the same order as
    `Index._exact_scores`, and which terms each holds."""
    n_terms, n = len(terms), len(best)
    exact = np.zeros(n)
    found = np.zeros((n_terms, n), np.bool_)
    for j in range(n):
        d = best[j]
        norm = k1 * (1 - b + b * np.float64(doc_len[d]) / avgdl)
        score = 0.0
        for i in range(n_terms):
            lo, hi = offsets[terms[i]], offsets[terms[i] + 1]
            ids = doc_ids[lo:hi]
            where = np.searchsorted(ids, d)
            tf = 0.0
            if where < hi - lo and ids[where] == d:
                tf = np.float64(tfs[lo + where])
                found[i, j] = True
            score += (times[i] * idf[terms[i]]) * (tf * (k1 + 1) / (tf + norm))
        exact[j] = score
    return exact, found
