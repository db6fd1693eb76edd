"""The compiled sentence reading (retrieval/sentence_kernel.py) against the NumPy path."""

import logging
import sys

import numpy as np
import pytest

from corpusbot.retrieval import kernel, sentence_kernel
from corpusbot.retrieval.corpus import load_corpus
from corpusbot.retrieval.index import Index
from corpusbot.retrieval.passages import SplitSettings, split_article
from corpusbot.retrieval.sentence_block import from_table, measure, question_pairs

from .conftest import ROOT, SEEDS
from .test_index import SETTINGS
from .test_kernel import scifact_sample
from .test_sentence_block import ODD, rows

SEED_QUESTIONS = [
    "When did Iran and Saudi Arabia restore ties?",
    "Who is Iraq's foreign minister?",
    "What did Lavrov say about the nuclear deal?",
    "Vienna talks resumed",
    "Zürich Café 2019",
    "the and of",  # stop words only: nothing asked
]


@pytest.fixture(scope="module")
def compiled():
    # numba's compiled code beside pytest's own cache (read on numba's import; see test_kernel)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NUMBA_CACHE_DIR", str(ROOT / ".pytest_cache" / "numba"))
        found = sentence_kernel.load()
    if found is None:
        pytest.fail("numba is a dependency: the compiled sentence reading must load here")
    return found


def _compare(index: Index, compiled, question: str, numbers: list[int]) -> None:
    weights = index.search(question, 1).question_terms
    asked = list(weights)
    total = sum(weights.values()) or 1.0
    shares = np.array([weights[t] / total for t in asked])
    pairs = question_pairs(index.analyzer.terms(question), asked)
    wanted = np.array([index.vocab.get(t, -1) for t in asked], dtype=np.int64)
    block = from_table(index.sentence_table, numbers, vocab=index.vocab, terms=index.terms)
    expected = measure(block, wanted, shares, pairs)
    got = sentence_kernel.read(
        compiled,
        index.sentence_table,
        numbers,
        wanted=wanted,
        weights=shares,
        pairs=pairs,
        code_of=block.code_of,
        term_of=block.term_of,
    )
    assert rows(got.block) == rows(block)
    np.testing.assert_array_equal(got.values, expected.values)
    np.testing.assert_array_equal(got.unasked, expected.unasked)


def test_the_compiled_reading_equals_numpy_on_news(compiled):
    articles = [*load_corpus(SEEDS).articles, *ODD]
    passages = [p for a in articles for p in split_article(a, SplitSettings())]
    index = Index.build(articles, passages, SETTINGS)
    for question in SEED_QUESTIONS:
        hits = index.search(question, 24).hits
        _compare(index, compiled, question, [h._number for h in hits])
    everything = list(range(len(index)))
    _compare(index, compiled, SEED_QUESTIONS[0], everything[::-1])  # any order, every passage


def test_the_compiled_reading_equals_numpy_on_abstracts(compiled):
    articles, passages, claims = scifact_sample()
    index = Index.build(articles, passages, SETTINGS)
    for claim in claims[:40]:
        hits = index.search(claim, 24).hits
        _compare(index, compiled, claim, [h._number for h in hits])


def test_large_indexes_measure_with_the_compiled_reading(compiled, monkeypatch):
    articles, passages, claims = scifact_sample()
    index = Index.build(articles, passages, SETTINGS)
    result = index.search(claims[0], 12)
    order = index.analyzer.terms(claims[0])
    numpy_path = index.sentence_shares(result.hits, result.question_terms, order)
    calls = []
    monkeypatch.setattr(kernel, "KERNEL_MIN_PASSAGES", 0)
    original = sentence_kernel.read
    monkeypatch.setattr(
        sentence_kernel, "read", lambda *a, **k: calls.append(1) or original(*a, **k)
    )
    compiled_path = index.sentence_shares(result.hits, result.question_terms, order)
    assert calls == [1]
    np.testing.assert_array_equal(compiled_path.values, numpy_path.values)


def test_numpy_measures_when_numba_fails(monkeypatch, caplog):
    monkeypatch.setattr(sentence_kernel, "_loaded", [])
    monkeypatch.setitem(sys.modules, "corpusbot.retrieval.sentence_kernel_code", None)
    with caplog.at_level(logging.WARNING):
        assert sentence_kernel.load() is None
    assert "NumPy" in caplog.text


class _NoThread:
    def start(self) -> None:
        pass


def test_a_large_index_loads_both_compiled_parts_in_the_background(monkeypatch):
    monkeypatch.setattr(sentence_kernel, "_loaded", [])
    started = []
    monkeypatch.setattr(
        sentence_kernel.threading, "Thread", lambda **kw: started.append(kw) or _NoThread()
    )
    sentence_kernel.load_in_background(kernel.KERNEL_MIN_PASSAGES - 1)
    assert started == []
    sentence_kernel.load_in_background(kernel.KERNEL_MIN_PASSAGES)
    assert [kw["target"] for kw in started] == [sentence_kernel.load]
