"""The compiled search of retrieval/compiled/kernel.py, in numba's subset of Python and NumPy.

Imported only through `kernel.load()`, which sets numba's cache folder first. The scoring
arithmetic mirrors `Index._exact_scores` operation for operation, so scores are bit-for-bit equal.

The search is MaxScore over windows of passages (as Lucene's MaxScoreBulkScorer): terms ordered
by their largest contribution (their "bound"), largest first. The passages are walked in order,
one window of `window` consecutive passage numbers at a time. In a window, the essential terms'
postings are added term by term into a small float32 array that stays in the CPU cache; then
each passage touched there, in passage order, has the other terms looked up (galloping forward
in their sorted postings) while its partial score plus what those terms can still add reaches
`cut`, and is offered to two heaps: the k best (whose worst sets `cut`) and the `count` best (the
candidates, rescored exactly if they still reach `cut` at the end). Between windows, the terms
of smallest bound whose bounds together stay below `cut` stop being essential: a passage holding
only those cannot reach the top k, so their postings are never walked, only looked up for
passages that can still make it.

An index of at most `score_all` passages is scored in one pass instead: every posting of every
term added into one array of all the passages' scores, then each passage scoring above 0 offered
to the heaps in passage order (a block of BLOCK passages skipped at once when none reaches the
cut). Below about a million passages that is faster than the windows' bookkeeping (benchmarks
in docs/benchmarks.md); the heaps see the same passages with the same scores in the same order,
so the same candidates come out.

Each passage's float32 score adds its terms in the same order (largest bound first, ties in
question order) as the earlier term-at-a-time kernel did, so the same candidates come out.
"""

from __future__ import annotations

import numba
import numpy as np

jit = numba.njit(cache=True, nogil=True)

# The lowest set bit of a 64-bit word, by de Bruijn multiplication: LOWEST_BIT[(w & -w) *
# MAGIC >> 58] is its position (numba has no portable count-trailing-zeros).
MAGIC = np.uint64(0x03F79D71B4CB0A89)
LOWEST_BIT = np.zeros(64, np.int64)
for _bit in range(64):
    LOWEST_BIT[((1 << _bit) * int(MAGIC)) % 2**64 >> 58] = _bit
del _bit
# Passages whose scores `_score_all` compares with the cut at once, before one by one.
BLOCK = 64


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
    scales: np.ndarray,
    loose: float,
    k: int,
    count: int,
    avgdl: float,
    k1: float,
    b: float,
    window: int,
    score_all: int,
    floor: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    n = len(terms)
    cur, end, weight, rest = _by_bound(offsets, max_impact, terms, times, scales)
    # How far below the k-th best float32 score a passage's bound may be and still be kept:
    # float32 impacts summed over n terms are within ~(n + 1) * 2**-24 of the exact score, so
    # with 4 * (n + 2) * 2**-24 no passage whose exact score ties the k-th best is dropped.
    relative = max(1e-5, 4.0 * (n + 2) * 2.0**-24)
    # min-heaps of the k best passages so far (their worst sets the cut) and the `count` best
    # (the candidates), by float32 score; filled: how many each holds
    top_s, top_d = np.empty(k, np.float32), np.empty(k, np.int64)
    count = max(count, k)
    cand_s, cand_d = np.empty(count, np.float32), np.empty(count, np.int64)
    filled = np.zeros(2, np.int64)
    # cut[0]: a passage whose bound is below it cannot be in the top k; cut[1]: what the k-th
    # best float32 score is divided by first, (1 + loose)**2 (see `_offer`)
    cut = np.array([-1.0, (1.0 + loose) ** 2])
    if floor > 0.0:  # an exact score the caller holds already: the cut a k-th best of it sets
        cut[0] = _cut_below(floor, cut[1], relative)
    heaps = (top_s, top_d, cand_s, cand_d, filled, cut)
    postings = (doc_ids, impacts, cur, end, weight)
    if len(doc_len) <= score_all:
        _score_all(postings, len(doc_len), article, allowed, heaps, relative)
    else:
        _max_score(postings, rest, window, article, allowed, heaps, relative)
    # The worst float32 score the candidates kept, when more were offered than they hold (a
    # passage left out scored at most that): -1 when none was left out.
    left_out = np.float64(cand_s[0]) if filled[1] == count else -1.0
    # Candidates offered before the cut rose to where it ended cannot be in the k best either:
    # only the others are rescored, and the best of those left out is reported as left out.
    offered = cand_s[: filled[1]]
    reaching = offered >= cut[0]
    if not reaching.all():
        left_out = max(left_out, np.float64(offered[~reaching].max()))
    best = np.sort(cand_d[: filled[1]][reaching])
    numbers, scores, matched = _rescored(
        offsets, doc_ids, tfs, idf, doc_len, terms, times, best, k, avgdl, k1, b, floor
    )
    return numbers, scores, matched, left_out


@jit
def _max_score(
    postings: tuple[np.ndarray, ...],
    rest: np.ndarray,
    window: int,
    article: np.ndarray,
    allowed: np.ndarray,
    heaps: tuple[np.ndarray, ...],
    relative: float,
) -> None:
    """The passages offered to the heaps window by window, the essential terms walked and the
    others looked up; terms stop being essential as the cut rises."""
    doc_ids, impacts, cur, end, weight = postings
    cut = heaps[5]  # heaps: top_s, top_d, cand_s, cand_d, filled, cut (see `search`)
    acc = np.zeros(window, np.float32)
    bits = np.zeros(window // 64, np.uint64)
    essential = len(cur)  # terms by_bound[:essential] are walked; the rest only looked up
    while essential > 0:
        base = _next_passage(doc_ids, cur, end, essential)
        if base < 0:
            break
        _add_window(doc_ids, impacts, cur, end, weight, essential, base, acc, bits)
        _rank_window(
            doc_ids, impacts, cur, end, weight, rest, essential, base, acc, bits, article, allowed,
            heaps, relative,
        )  # fmt: skip
        while essential > 0 and rest[essential - 1] < cut[0]:
            essential -= 1


@jit
def _score_all(
    postings: tuple[np.ndarray, ...],
    passages: int,
    article: np.ndarray,
    allowed: np.ndarray,
    heaps: tuple[np.ndarray, ...],
    relative: float,
) -> None:
    """Every passage's float32 score summed term by term in bound order, as the windows sum
    them; then each scoring above 0 and at least the cut offered to the heaps, in passage order."""
    doc_ids, impacts, cur, end, weight = postings
    cut = heaps[5]
    acc = np.zeros(passages, np.float32)
    for pos in range(len(cur)):
        w = weight[pos]
        for at in range(cur[pos], end[pos]):
            acc[doc_ids[at]] += impacts[at] * w
    filtering = len(allowed) > 0
    # One comparison per passage: above 0 (untouched passages score exactly 0; a term's impact
    # is positive) and at least the cut. Most passages fail it once the heaps are full, so the
    # branch is predicted well; a second test for 0 would mispredict on every touched passage.
    floor = max(cut[0], 1e-300)  # the cut may start at the caller's floor
    # Each block of BLOCK passages is tested whole first: its largest score against the floor
    # rounded to float32 (rounded either way, a float32 below that is below the floor). Scores
    # are at least 0, so their bits order as int32s do, whose maximum is vectorised.
    bits = acc.view(np.int32)
    box = np.empty(1, np.float32)
    box_bits = box.view(np.int32)
    box[0] = floor
    for start in range(0, passages, BLOCK):
        if start + BLOCK <= passages and _largest(bits, start) < box_bits[0]:
            continue
        for d in range(start, min(start + BLOCK, passages)):
            score = acc[d]
            if score < floor or (filtering and not allowed[article[d]]):
                continue
            _offer(heaps, score, d, relative)
            floor = max(cut[0], 1e-300)
            box[0] = floor


@jit
def _largest(bits: np.ndarray, start: int) -> np.int32:
    """The largest of bits[start:start + BLOCK] (a fixed count: the loop is vectorised)."""
    most = np.int32(0)
    for d in range(BLOCK):
        most = max(most, bits[start + d])
    return most


@jit
def _by_bound(
    offsets: np.ndarray,
    max_impact: np.ndarray,
    terms: np.ndarray,
    times: np.ndarray,
    scales: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per term, largest bound first (ties in question order): its postings' cursor and end,
    its float32 weight (times asked, by its scale); and rest[p], the most the terms from the
    p-th on can add together."""
    n = len(terms)
    bounds = np.empty(n)
    for i in range(n):
        bounds[i] = times[i] * scales[i] * max_impact[terms[i]]
    order = np.argsort(-bounds, kind="mergesort")
    cur = np.empty(n, np.int64)
    end = np.empty(n, np.int64)
    weight = np.empty(n, np.float32)
    rest = np.zeros(n + 1)
    for pos in range(n):
        i = order[pos]
        cur[pos], end[pos] = offsets[terms[i]], offsets[terms[i] + 1]
        weight[pos] = np.float32(times[i] * scales[i])
    for pos in range(n - 1, -1, -1):
        rest[pos] = rest[pos + 1] + bounds[order[pos]]
    return cur, end, weight, rest


@jit
def _next_passage(doc_ids: np.ndarray, cur: np.ndarray, end: np.ndarray, essential: int) -> int:
    """The smallest passage number left in the essential terms' postings, or -1."""
    first = -1
    for pos in range(essential):
        if cur[pos] < end[pos] and (first < 0 or doc_ids[cur[pos]] < first):
            first = doc_ids[cur[pos]]
    return first


@jit
def _add_window(
    doc_ids: np.ndarray,
    impacts: np.ndarray,
    cur: np.ndarray,
    end: np.ndarray,
    weight: np.ndarray,
    essential: int,
    base: int,
    acc: np.ndarray,
    bits: np.ndarray,
) -> None:
    """The essential terms' postings of passages base..base + len(acc) - 1 added into acc, term
    by term; bits marks the passages touched."""
    limit = base + len(acc)
    for pos in range(essential):
        at, hi, w = cur[pos], end[pos], weight[pos]
        while at < hi:
            d = doc_ids[at]
            if d >= limit:
                break
            j = d - base
            acc[j] += impacts[at] * w
            bits[j >> 6] |= np.uint64(1) << np.uint64(j & 63)
            at += 1
        cur[pos] = at


@jit
def _rank_window(
    doc_ids: np.ndarray,
    impacts: np.ndarray,
    cur: np.ndarray,
    end: np.ndarray,
    weight: np.ndarray,
    rest: np.ndarray,
    essential: int,
    base: int,
    acc: np.ndarray,
    bits: np.ndarray,
    article: np.ndarray,
    allowed: np.ndarray,
    heaps: tuple[np.ndarray, ...],
    relative: float,
) -> None:
    """Each touched passage of the window in order: the other terms looked up while it can
    still reach the cut, then offered to the heaps; acc and bits are left zeroed."""
    cut = heaps[5]
    filtering = len(allowed) > 0
    n = len(cur)
    for word_at in range(len(bits)):
        word = bits[word_at]
        bits[word_at] = 0
        while word != 0:
            lowest = word & (~word + np.uint64(1))
            word ^= lowest
            j = word_at * 64 + LOWEST_BIT[(lowest * MAGIC) >> np.uint64(58)]
            score = acc[j]
            acc[j] = 0
            d = base + j
            if filtering and not allowed[article[d]]:
                continue
            kept = True
            for pos in range(essential, n):
                if score + rest[pos] < cut[0]:
                    kept = False
                    break
                at = _seek(doc_ids, cur[pos], end[pos], d)
                cur[pos] = at
                if at < end[pos] and doc_ids[at] == d:
                    score += impacts[at] * weight[pos]
            if not kept or score < cut[0]:
                continue
            _offer(heaps, score, d, relative)


@jit
def _offer(heaps: tuple[np.ndarray, ...], score: float, d: int, relative: float) -> None:
    """Passage d, scoring `score`, offered to both heaps; once the k best are full, the cut is
    their worst score less what float32 sums may be off by. Impacts weighed with other
    statistics than the exact scores' (a segment of a larger index, retrieval/index/segmented.py)
    are within a factor 1 + loose of them either way: the worst is first divided by cut[1],
    (1 + loose)**2, 1 when they are the same statistics."""
    top_s, top_d, cand_s, cand_d, filled, cut = heaps
    filled[1] = _push(cand_s, cand_d, filled[1], score, d)
    filled[0] = _push(top_s, top_d, filled[0], score, d)
    if filled[0] == len(top_s):  # the cut only rises (it may start at the caller's floor)
        cut[0] = max(cut[0], _cut_below(np.float64(top_s[0]), cut[1], relative))


@jit
def _cut_below(score: float, loosening: float, relative: float) -> float:
    """The cut a k-th best `score` sets: first divided by `loosening`, (1 + loose)**2, then
    lowered by what float32 sums may be off by."""
    worst = score / loosening
    return worst - (relative * worst + 1e-9)


@jit
def _worse(score: float, number: int, other_score: float, other_number: int) -> bool:
    return score < other_score or (score == other_score and number > other_number)


@jit
def _push(scores: np.ndarray, numbers: np.ndarray, filled: int, score: float, d: int) -> int:
    """Passage d offered to a min-heap (root: the worst kept; ties: the higher number is
    worse) that keeps the len(scores) best; d is above every number kept. Returns the count."""
    size = len(scores)
    if filled < size:
        child = filled
        scores[child], numbers[child] = score, d
        while child > 0:  # sift up
            parent = (child - 1) // 2
            if not _worse(scores[child], numbers[child], scores[parent], numbers[parent]):
                break
            scores[parent], scores[child] = scores[child], scores[parent]
            numbers[parent], numbers[child] = numbers[child], numbers[parent]
            child = parent
        return filled + 1
    if not score > scores[0]:  # a tie loses: d's number is higher
        return filled
    scores[0], numbers[0] = score, d
    parent = 0
    while True:  # sift down
        worst = parent
        for child in (2 * parent + 1, 2 * parent + 2):
            if child >= size:
                break
            if _worse(scores[child], numbers[child], scores[worst], numbers[worst]):
                worst = child
        if worst == parent:
            return filled
        scores[parent], scores[worst] = scores[worst], scores[parent]
        numbers[parent], numbers[worst] = numbers[worst], numbers[parent]
        parent = worst


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
    floor: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The `k` best of `best` by exact score, scoring above 0 and at least `floor`, ties by
    passage number."""
    exact, found = _exact(offsets, doc_ids, tfs, idf, doc_len, terms, times, best, avgdl, k1, b)
    n_terms, n = len(terms), len(best)
    order = np.argsort(-exact, kind="mergesort")  # `best` is sorted: ties by passage number
    top = order[: min(k, n)]
    kept = 0
    for j in range(len(top)):
        if exact[top[j]] > 0 and exact[top[j]] >= floor:
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
    """rank-bm25's float64 scores of passages `best` (ascending), the same arithmetic in the
    same order as `Index._exact_scores`, and which terms each holds. Each term's postings are
    walked forward once along `best` (galloping), not binary-searched anew for each passage."""
    n_terms, n = len(terms), len(best)
    exact = np.zeros(n)
    found = np.zeros((n_terms, n), np.bool_)
    norms = np.empty(n)
    for j in range(n):
        norms[j] = k1 * (1 - b + b * np.float64(doc_len[best[j]]) / avgdl)
    for i in range(n_terms):
        at, hi = offsets[terms[i]], offsets[terms[i] + 1]
        term_weight = times[i] * idf[terms[i]]
        for j in range(n):
            at = _seek(doc_ids, at, hi, best[j])
            tf = 0.0
            if at < hi and doc_ids[at] == best[j]:
                tf = np.float64(tfs[at])
                found[i, j] = True
            exact[j] += term_weight * (tf * (k1 + 1) / (tf + norms[j]))
    return exact, found
