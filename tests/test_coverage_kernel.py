"""The compiled coverage check (retrieval/compiled/coverage_kernel.py) against the Python of
coverage.py."""

from __future__ import annotations

import logging
import sys
from types import ModuleType
from typing import Any, NamedTuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpusbot.bot.answer import coverage
from corpusbot.bot.answer.question import read_question
from corpusbot.retrieval.compiled import coverage_kernel, kernel
from corpusbot.retrieval.index import Hit
from corpusbot.retrieval.index.bm25 import Index
from corpusbot.retrieval.storage import SentenceShares

from .conftest import compiled_part
from .test_coverage import _claims, scifact_abstracts


@pytest.fixture(scope="module")
def compiled() -> ModuleType:
    return compiled_part(coverage_kernel.load, "coverage check")


@pytest.fixture(scope="module")
def abstracts() -> Index:
    return scifact_abstracts()


class _Hit(NamedTuple):  # what the Python check reads of a hit
    matched: frozenset[str]
    score: float
    article_number: int


# A search's matrix (terms x hits), term weights, hit scores and articles, which terms are names,
# and the weights of the terms no passage holds.
Search = tuple[np.ndarray, np.ndarray, list[float], list[int], np.ndarray, list[float]]


@st.composite
def searches(draw: st.DrawFn) -> Search:
    """A search's matrix: up to 8 terms (weights of a few kinds, ties among them), up to 24 hits
    of a few articles, each holding some of the terms."""
    n_terms = draw(st.integers(1, 8))
    n_hits = draw(st.integers(1, 24))
    kinds = draw(st.lists(st.floats(0.05, 9.0), min_size=1, max_size=4))
    if draw(st.booleans()):  # a term weighing exactly half another: the specific-term bound
        kinds.append(kinds[0] * 0.5)
    weight = [draw(st.sampled_from(kinds)) for _ in range(n_terms)]
    matched = [[draw(st.booleans()) for _ in range(n_hits)] for _ in range(n_terms)]
    for i in range(n_hits):  # a hit holds at least one term
        matched[draw(st.integers(0, n_terms - 1))][i] = True
    scores = sorted((draw(st.floats(0.1, 40.0)) for _ in range(n_hits)), reverse=True)
    articles = [draw(st.integers(0, 5)) for _ in range(n_hits)]
    named = [draw(st.booleans()) and draw(st.booleans()) for _ in range(n_terms)]
    unknown = draw(st.lists(st.floats(0.05, 9.0), max_size=2))  # terms the corpus lacks
    return np.array(matched), np.array(weight), scores, articles, np.array(named), unknown


def _never_read(hits: list[Hit]) -> SentenceShares:
    raise AssertionError("no passage is relevant: no sentence is read")


def _python(
    matched: np.ndarray,
    weight: np.ndarray,
    scores: list[float],
    articles: list[int],
    unknown: list[float],
) -> tuple[list[str], dict[str, float], list[_Hit]]:
    terms = [f"t{j}" for j in range(len(weight))]
    weights = dict(zip(terms, weight.tolist(), strict=True))
    weights.update((f"unknown{n}", w) for n, w in enumerate(unknown))
    hits = [
        _Hit(frozenset(t for t, held in zip(terms, column, strict=True) if held), s, a + 1)
        for column, s, a in zip(matched.T.tolist(), scores, articles, strict=True)
    ]
    return terms, weights, hits


@settings(max_examples=300, deadline=None)
@given(search=searches(), floor=st.sampled_from([0.0, 0.2, 0.4, 0.7]))
def test_relevance_keeps_the_hits_the_python_keeps(
    compiled: ModuleType, search: Search, floor: float
) -> None:
    matched, weight, scores, articles, named, unknown = search
    terms, weights, hits = _python(matched, weight, scores, articles, unknown)
    names = frozenset(t for t, n in zip(terms, named.tolist(), strict=True) if n)
    total = sum(weights.values())
    held, kept = compiled.relevance(matched, weight, named, total, floor, coverage.SPECIFIC_SHARE)
    expected: list[Any] = coverage.relevant_hits(hits, weights, floor, names=names)  # type: ignore[arg-type]
    assert [h for h, k in zip(hits, kept.tolist(), strict=True) if k] == expected
    assert held.tolist() == coverage._held_each([h.matched for h in hits], weights)


@settings(max_examples=300, deadline=None)
@given(search=searches())
def test_passage_signals_are_the_python_signals_float_for_float(
    compiled: ModuleType, search: Search
) -> None:
    matched, weight, scores, articles, _, unknown = search
    terms, weights, hits = _python(matched, weight, scores, articles, unknown)
    held = coverage._held_each([h.matched for h in hits], weights)
    best = max(range(len(hits)), key=held.__getitem__)
    total = sum(weights.values())
    expected = coverage._passage_signals(
        hits,  # type: ignore[arg-type]
        [h.matched for h in hits],
        weights,
        held,
        best,
        known=frozenset(terms),
        named=False,
        subject=0.0,
    )
    values, got_best = compiled.passage_signals(
        matched, weight, np.array(held), np.array(scores), np.array(articles, np.int32), total
    )
    got = dict(zip(compiled.SIGNALS, values.tolist(), strict=True))
    got["heaviest_missed"] = max([got["heaviest_missed"], *unknown]) / total
    assert got_best == best
    assert got == {name: getattr(expected, name) for name in compiled.SIGNALS}


@settings(max_examples=300, deadline=None)
@given(search=searches(), floor=st.sampled_from([0.0, 0.2, 0.4, 0.7]))
def test_judge_is_relevance_then_the_relevant_hits_signals(
    compiled: ModuleType, search: Search, floor: float
) -> None:
    matched, weight, scores, articles, named, _ = search
    total = float(weight.sum())
    score_array, article_array = np.array(scores), np.array(articles, np.int32)
    held, kept, values, best = compiled.judge(
        matched, weight, named, score_array, article_array, total, floor, coverage.SPECIFIC_SHARE
    )
    alone = compiled.relevance(matched, weight, named, total, floor, coverage.SPECIFIC_SHARE)
    assert held.tolist() == alone[0].tolist() and kept.tolist() == alone[1].tolist()
    places = np.flatnonzero(kept)
    if not len(places):
        assert best == -1 and values.tolist() == [0.0] * len(compiled.SIGNALS)
        return
    part = compiled.passage_signals(
        matched[:, places], weight, held[places], score_array[places], article_array[places], total
    )
    assert values.tolist() == part[0].tolist() and best == part[1]


def _verdicts(
    index: Index, question: str, monkeypatch: pytest.MonkeyPatch
) -> list[coverage.Verdict]:
    """`judge`'s verdict for `question` as compose asks it, compiled and then in Python."""
    read = read_question(question, index, limit=1_000)
    result = index.search(read.query, 24)
    verdicts = []
    for smallest in (0, len(index) + 1):
        monkeypatch.setattr(kernel, "KERNEL_MIN_PASSAGES", smallest)
        verdicts.append(
            coverage.judge(
                index,
                result,
                read,
                0.2,
                shares=lambda hits: index.sentence_shares(hits, result.question_terms, read.terms),
            )
        )
    return verdicts


def test_the_compiled_check_judges_every_claim_as_the_python_does(
    compiled: ModuleType, abstracts: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    answered = refused = 0
    for claim in _claims():
        fast, slow = _verdicts(abstracts, claim, monkeypatch)
        assert fast == slow, claim
        answered += fast.answerable
        refused += not fast.answerable
    assert answered >= 10 and refused >= 10  # both outcomes are compared


def test_a_question_with_no_relevant_hit_is_refused_on_both_paths(
    compiled: ModuleType, abstracts: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, slow = _verdicts(abstracts, "the weather in Lisbon tomorrow", monkeypatch)
    assert fast == slow == coverage.Verdict([], False, [])


def test_without_numba_the_python_check_answers(
    abstracts: Index, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(coverage_kernel.JUDGE, "_loaded", [])
    monkeypatch.setitem(sys.modules, "corpusbot.retrieval.compiled.coverage_kernel_code", None)
    with caplog.at_level(logging.WARNING):
        assert coverage_kernel.load() is None
    assert "compiled coverage check unavailable" in caplog.text
    claim = _claims()[0]
    fast, slow = _verdicts(abstracts, claim, monkeypatch)
    assert fast == slow


def test_a_search_whose_hits_are_all_filtered_out_is_refused_on_both_paths(
    compiled: ModuleType, abstracts: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A date or outlet filter can leave no passage: the matrix then has no column.
    nothing = np.zeros(len(abstracts.articles), dtype=np.bool_)
    result = abstracts.search("estrogen receptor binding sites", 24, allowed=nothing)
    assert result.hits == [] and result.matches is not None
    assert result.matches.matched.shape == (len(result.matches.terms), 0)
    for smallest in (0, len(abstracts) + 1):
        monkeypatch.setattr(kernel, "KERNEL_MIN_PASSAGES", smallest)
        verdict = coverage.judge(
            abstracts,
            result,
            read_question("estrogen", abstracts, limit=1_000),
            0.2,
            shares=_never_read,
        )
        assert verdict == coverage.Verdict([], False, [])
