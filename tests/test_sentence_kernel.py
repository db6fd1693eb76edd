"""The compiled sentence reading (retrieval/compiled/sentence_kernel.py) against the NumPy path."""

import logging
import random
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from corpusbot.bot.answer import sentence_score
from corpusbot.retrieval.compiled import kernel, sentence_kernel
from corpusbot.retrieval.index import Hit
from corpusbot.retrieval.index.bm25 import Index, IndexCorrupt
from corpusbot.retrieval.reading.corpus import load_corpus
from corpusbot.retrieval.reading.passages import SplitSettings, split_article
from corpusbot.retrieval.storage import SentenceShares, sentence_block
from corpusbot.retrieval.storage import files as storage
from corpusbot.retrieval.storage.sentence_block import from_table, measure, question_arrays

from .conftest import SEEDS, compiled_part
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
def compiled() -> Callable[..., Any]:
    return compiled_part(sentence_kernel.load, "sentence reading")


def _numbers(hits: Sequence[Hit]) -> list[int]:
    """The passage numbers of this index's own hits (what the compiled reading takes)."""
    return [h._number for h in hits]  # type: ignore[attr-defined]


def _compare(index: Index, compiled: Callable[..., Any], question: str, numbers: list[int]) -> None:
    weights = index.search(question, 1).question_terms
    asked, shares, pairs = question_arrays(weights, index.analyzer.terms(question))
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
        terms=index.terms,
    )
    assert rows(got.block) == rows(block)
    np.testing.assert_array_equal(got.values, expected.values)
    np.testing.assert_array_equal(got.unasked, expected.unasked)
    # Read with the sentences, the tightness is the one sentence_score finds of the block.
    assert got.tight is not None
    np.testing.assert_array_equal(got.tight, sentence_score.tightness(block, weights))


def test_the_compiled_reading_equals_numpy_on_news(compiled: Callable[..., Any]) -> None:
    articles = [*load_corpus(SEEDS).articles, *ODD]
    passages = [p for a in articles for p in split_article(a, SplitSettings())]
    index = Index.build(articles, passages, SETTINGS)
    for question in SEED_QUESTIONS:
        hits = index.search(question, 24).hits
        _compare(index, compiled, question, _numbers(hits))
    everything = list(range(len(index)))
    _compare(index, compiled, SEED_QUESTIONS[0], everything[::-1])  # any order, every passage


def test_records_read_with_pread_are_those_mapped(
    compiled: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    articles, passages, claims = scifact_sample()
    index = Index.build(articles, passages, SETTINGS)
    table = index.sentence_table
    assert table.records.mapped is not None  # a small index: mapped
    numbers = _numbers(index.search(claims[0], 24).hits)
    spans = [(int(table.offsets[n]), int(table.offsets[n + 1])) for n in numbers]
    mapped = [table.records.read(a, b).tolist() for a, b in spans]
    monkeypatch.setattr(table.records, "mapped", None)  # as a large index reads them
    assert [table.records.read(a, b).tolist() for a, b in spans] == mapped
    _compare(index, compiled, claims[0], numbers)


def test_a_damaged_record_fails_the_question_instead_of_reading_past_it(
    compiled: Callable[..., Any], tmp_path: Path
) -> None:
    articles, passages, _ = scifact_sample()
    folder = tmp_path / "index"
    Index.build_into(folder, zip(articles, ([p] for p in passages), strict=True), SETTINGS)
    path = folder / storage.SENTENCE_RECORDS
    values = np.load(path)
    values[:64] = 1_000_000  # sentence counts and term numbers far past the end
    with path.open("r+b") as file:
        file.seek(storage.HEADER_BYTES)
        file.write(values.astype(np.int32).tobytes())
    index = Index.load(folder)
    with pytest.raises(IndexCorrupt):
        sentence_kernel.read(
            compiled,
            index.sentence_table,
            [0, 1, 2],
            wanted=np.array([0], dtype=np.int64),
            weights=np.array([1.0]),
            pairs=np.zeros((1, 1), dtype=bool),
            code_of=lambda term: index.vocab.get(term, -1),
            terms=index.terms,
        )
    with pytest.raises(IndexCorrupt):
        from_table(index.sentence_table, [0], vocab=index.vocab, terms=index.terms)


def test_the_compiled_reading_equals_numpy_on_abstracts(compiled: Callable[..., Any]) -> None:
    articles, passages, claims = scifact_sample()
    index = Index.build(articles, passages, SETTINGS)
    for claim in claims[:40]:
        hits = index.search(claim, 24).hits
        _compare(index, compiled, claim, _numbers(hits))


def test_large_indexes_measure_with_the_compiled_reading(
    compiled: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    articles, passages, claims = scifact_sample()
    index = Index.build(articles, passages, SETTINGS)
    result = index.search(claims[0], 12)
    order = index.analyzer.terms(claims[0])
    numpy_path = index.sentence_shares(result.hits, result.question_terms, order)
    calls: list[int] = []
    monkeypatch.setattr(kernel, "KERNEL_MIN_PASSAGES", 0)
    original = sentence_kernel.read

    def counted(*args: Any, **kwargs: Any) -> SentenceShares:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(sentence_kernel, "read", counted)
    compiled_path = index.sentence_shares(result.hits, result.question_terms, order)
    assert calls == [1]
    np.testing.assert_array_equal(compiled_path.values, numpy_path.values)


def test_numpy_measures_when_numba_fails(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(sentence_kernel.READ, "_loaded", [])
    monkeypatch.setitem(sys.modules, "corpusbot.retrieval.compiled.sentence_kernel_code", None)
    with caplog.at_level(logging.WARNING):
        assert sentence_kernel.load() is None
    assert "NumPy" in caplog.text


def test_the_compiled_selection_equals_numpy(compiled: Callable[..., Any]) -> None:
    articles = [*load_corpus(SEEDS).articles, *ODD]
    passages = [p for a in articles for p in split_article(a, SplitSettings())]
    index = Index.build(articles, passages, SETTINGS)
    picks = random.Random(3)
    for question in SEED_QUESTIONS[:4]:
        hits = index.search(question, 24).hits
        shares = index.sentence_shares(
            hits, index.search(question, 1).question_terms, index.analyzer.terms(question)
        )
        for _ in range(10):
            positions = sorted(picks.sample(range(len(hits)), picks.randint(0, len(hits))))
            got = sentence_kernel.select(shares, positions)
            expected = sentence_block.select(shares, positions)
            assert "select" in sentence_kernel._compiled  # the compiled one answered
            for name in ("hit", "number", "start", "end", "bounds", "codes"):
                np.testing.assert_array_equal(
                    getattr(got.block, name), getattr(expected.block, name)
                )
            np.testing.assert_array_equal(got.values, expected.values)
            np.testing.assert_array_equal(got.unasked, expected.unasked)
            np.testing.assert_array_equal(got.tight, expected.tight)


def test_the_compiled_tightness_equals_the_plain_loop(
    compiled: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = [*load_corpus(SEEDS).articles, *ODD]
    passages = [p for a in articles for p in split_article(a, SplitSettings(chunk_size=300))]
    index = Index.build(articles, passages, SETTINGS)
    questions = [*SEED_QUESTIONS, "Iran Iran talks talks Vienna Iran", "Lavrov said Russia Iran"]
    values: set[float] = set()
    for question in questions:
        result = index.search(question, 24)
        block = index.sentence_shares(
            result.hits, result.question_terms, index.analyzer.terms(question)
        ).block
        got = sentence_score.tightness(block, result.question_terms)
        with monkeypatch.context() as plain:
            plain.setattr(sentence_kernel, "_compiled", {})
            expected = sentence_score.tightness(block, result.question_terms)
        assert "tightness" in sentence_kernel._compiled
        np.testing.assert_array_equal(got, expected)
        values.update(expected.tolist())
    assert any(0 < v < 1 for v in values) and 1.0 in values  # spread-out and tight sentences
