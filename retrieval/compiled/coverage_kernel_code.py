"""The compiled coverage check (retrieval/compiled/coverage_kernel.py), in numba's subset of Python
and NumPy. Imported only through `coverage_kernel.load()`.

Both functions read the search's (terms x hits) matrix of which hit holds which question term.
Every sum runs over the terms in question order, or over the hits (or their articles) in hit
order, as the Python of bot/answer/coverage.py adds them, so both give the same floats.
"""

from __future__ import annotations

import numba
import numpy as np

jit = numba.njit(cache=True, nogil=True)

# The signals `passage_signals` gives, in the order of its values.
SIGNALS = ("passage", "rarest_held", "heaviest_missed", "unheld", "runner_up", "score", "focus")


@jit
def judge(
    matched: np.ndarray,
    weight: np.ndarray,
    named: np.ndarray,
    scores: np.ndarray,
    articles: np.ndarray,
    total: float,
    floor: float,
    specific_share: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """`relevance` of every hit, then `passage_signals` of the relevant ones (`scores`,
    `articles`: every hit's): one call where two cost a second dispatch and the Python slicing
    between them. With no relevant hit the signals are 0 and the best place -1."""
    held, kept = relevance(matched, weight, named, total, floor, specific_share)
    places = np.flatnonzero(kept)
    if len(places) == 0:
        return held, kept, np.zeros(len(SIGNALS)), -1
    values, best = passage_signals(
        matched[:, places], weight, held[places], scores[places], articles[places], total
    )
    return held, kept, values, best


@jit
def relevance(
    matched: np.ndarray,
    weight: np.ndarray,
    named: np.ndarray,
    total: float,
    floor: float,
    specific_share: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Each hit's weight held (its terms' `weight` summed) and whether it is relevant, as
    `coverage.relevant_hits` decides: at least `floor` of `total`, one specific term (weighing
    `specific_share` of the rarest term found), and a name (`named` terms) if the rarest term
    found is one."""
    n_terms, n_hits = matched.shape
    held = np.zeros(n_hits)
    for i in range(n_hits):
        for j in range(n_terms):
            if matched[j, i]:
                held[i] += weight[j]
    found = np.zeros(n_terms, np.bool_)
    rarest = 0.0
    for j in range(n_terms):
        for i in range(n_hits):
            if matched[j, i]:
                found[j] = True
                rarest = max(rarest, weight[j])
                break
    by_name = False
    for j in range(n_terms):
        by_name = by_name or (found[j] and named[j] and weight[j] >= rarest)
    kept = np.zeros(n_hits, np.bool_)
    for i in range(n_hits):
        specific, holds_name = False, not by_name
        for j in range(n_terms):
            if matched[j, i]:
                specific = specific or weight[j] >= specific_share * rarest
                holds_name = holds_name or named[j]
        kept[i] = held[i] / total >= floor and specific and holds_name
    return held, kept


@jit
def passage_signals(
    matched: np.ndarray,
    weight: np.ndarray,
    held: np.ndarray,
    scores: np.ndarray,
    articles: np.ndarray,
    total: float,
) -> tuple[np.ndarray, int]:
    """The `SIGNALS` of the hits of `matched` (the relevant ones; every term known to the
    corpus), as `coverage._passage_signals` computes them, and the place of the first hit
    holding the most. `heaviest_missed` is of these terms only (the caller adds the unknown)."""
    n_terms, n_hits = matched.shape
    best = 0
    for i in range(1, n_hits):
        if held[i] > held[best]:
            best = i
    summed, best_share, seen = _per_article(held, scores, articles)
    first = second = 0.0  # the two largest of the articles' best shares
    for a in range(seen):
        if best_share[a] > first:
            first, second = best_share[a], first
        elif best_share[a] > second:
            second = best_share[a]
    top = 0.0
    for j in range(n_terms):
        top = max(top, weight[j])
    rarest_held, missed, unheld = 0.0, 0.0, 0.0
    for j in range(n_terms):
        if matched[j, best]:
            rarest_held = 1.0 if weight[j] >= top else rarest_held
        else:
            missed = max(missed, weight[j])
        anywhere = False
        for i in range(n_hits):
            anywhere = anywhere or matched[j, i]
        if not anywhere:
            unheld += weight[j]
    values = np.zeros(len(SIGNALS))
    values[0] = held[best] / total
    values[1] = rarest_held
    values[2] = missed
    values[3] = unheld / total
    values[4] = second / first if first > 0 else 0.0
    values[5] = scores[0] / total
    together = _sum(summed[:seen])
    values[6] = summed[:seen].max() / (together if together != 0 else 1.0)
    return values, best


@jit
def _per_article(
    held: np.ndarray, scores: np.ndarray, articles: np.ndarray
) -> tuple[np.ndarray, np.ndarray, int]:
    """Per article, in the order they first appear among the hits: the hits' scores summed, and
    the best weight held (at least 0); and how many articles there are."""
    n_hits = len(held)
    order = np.empty(n_hits, articles.dtype)
    summed, best_share = np.zeros(n_hits), np.zeros(n_hits)
    seen = 0
    for i in range(n_hits):
        a = 0
        while a < seen and order[a] != articles[i]:
            a += 1
        if a == seen:
            order[a], seen = articles[i], seen + 1
            summed[a], best_share[a] = scores[i], max(held[i], 0.0)
        else:
            summed[a] += scores[i]
            best_share[a] = max(best_share[a], held[i])
    return summed, best_share, seen


@jit
def _sum(values: np.ndarray) -> float:
    """Added one after another (NumPy's sum adds in pairs, not as Python's `sum` does)."""
    total = 0.0
    for value in values:
        total += value
    return total
