"""The coverage check's per-hit arithmetic compiled with numba: which hits are relevant, and
what the relevant ones tell the model (bot/answer/coverage.py), from the search's matrix of which
hit holds which question term, in one call instead of loops over each hit's set of terms.

The values are those of `coverage.relevant_hits` and `coverage._passage_signals`, float for
float (tests/test_coverage_kernel.py). Used where the compiled search is
(retrieval/compiled/kernel.py: indexes of KERNEL_MIN_PASSAGES or more, numba importable,
CORPUSBOT_KERNEL not "numpy"); elsewhere the Python of coverage.py answers.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np

from corpusbot.retrieval.compiled import kernel
from corpusbot.retrieval.compiled import loader as compiled


def load() -> ModuleType | None:
    """The compiled module (`judge`: `relevance`, then `passage_signals`; `SIGNALS`), or None;
    only if the compiled search loaded."""
    return JUDGE.load()


def _ready(code: ModuleType) -> ModuleType:
    _warm_up(code)
    return code


def _warm_up(code: ModuleType) -> None:
    """Compile (or load from numba's cache) for the types a search gives: two hits of two
    terms, the first holding both, the second only the commoner."""
    matched = np.array([[True, True], [True, False]])
    weight, scores = np.array([1.0, 3.0]), np.array([2.0, 1.0])
    articles = np.array([0, 0], dtype=np.int32)
    held, kept, values, best = code.judge(
        matched, weight, np.zeros(2, np.bool_), scores, articles, 4.0, 0.5, 0.5
    )
    if held.tolist() != [4.0, 1.0] or kept.tolist() != [True, False]:
        raise RuntimeError(f"compiled relevance gave {held}, {kept} for two hits")
    if best != 0 or values[0] != 1.0:
        raise RuntimeError(f"compiled passage signals gave {values}, best {best} for two hits")


JUDGE: compiled.CompiledPart[ModuleType] = compiled.CompiledPart(
    "corpusbot.retrieval.compiled.coverage_kernel_code",
    _ready,
    what="coverage check",
    instead="using Python",
    needs=kernel.SEARCH,
)
