"""The streamed build: however the postings are cut into segments, merge ranges and worker
chunks, the index is the same, and its scores stay rank-bm25's (tests/test_index.py)."""

import itertools
import json
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from corpusbot.retrieval.analysis import tokenizing
from corpusbot.retrieval.analysis.analyzer import AnalyzerSettings
from corpusbot.retrieval.index import building
from corpusbot.retrieval.index.bm25 import Index, IndexSettings
from corpusbot.retrieval.index.building import Weighting, build_folder, group_by_term
from corpusbot.retrieval.reading.corpus import Article, load_corpus
from corpusbot.retrieval.reading.passages import Passage, SplitSettings, split_article

from .conftest import DATA, SEEDS
from .test_sentence_block import stored_sentences

ANALYZER = AnalyzerSettings.create("english", "english")
CLAIMS = [line.strip() for line in (DATA / "scifact_sample_claims.txt").open()]


def _scifact() -> list[tuple[Article, list[Passage]]]:
    rows = [json.loads(line) for line in (DATA / "scifact_sample.jsonl").open()]
    articles = [Article(r["_id"], r["title"], f"{r['title']} {r['text']}", "") for r in rows]
    return [(a, [Passage(a.id, 0, 0, len(a.text), a.text)]) for a in articles]


def _build(folder: Path, pairs: Iterable[tuple[Article, list[Passage]]], workers: int = 1) -> Index:
    build_folder(pairs, folder, analyzer=ANALYZER, weighting=Weighting(), workers=workers)
    return Index.load(folder)


def _same_index(one: Index, other: Index) -> None:
    """Same counts, passages and, term by term, postings. Term numbers may differ, and with
    them the order in which the idf floor's mean is summed: hence the last-bit tolerance."""
    assert one.meta == other.meta
    assert one.vocab.keys() == other.vocab.keys()
    for name, values in vars(one.table).items():
        np.testing.assert_array_equal(values, getattr(other.table, name), name)
    a, b = one.postings, other.postings
    mine = [one.vocab[t] for t in one.vocab]
    theirs = [other.vocab[t] for t in one.vocab]
    for name in ("idf", "max_impact"):
        np.testing.assert_allclose(getattr(a, name)[mine], getattr(b, name)[theirs], rtol=1e-12)
    for i, j in zip(mine, theirs, strict=True):
        lo, hi, other_lo, other_hi = a.offsets[i], a.offsets[i + 1], b.offsets[j], b.offsets[j + 1]
        np.testing.assert_array_equal(a.doc_ids[lo:hi], b.doc_ids[other_lo:other_hi])
        np.testing.assert_array_equal(a.tfs[lo:hi], b.tfs[other_lo:other_hi])
        np.testing.assert_allclose(a.impacts[lo:hi], b.impacts[other_lo:other_hi], rtol=1e-6)
    # each passage's sentences and their terms (term numbers may differ)
    assert stored_sentences(one) == stored_sentences(other)
    for claim in CLAIMS:
        hits, other_hits = one.search(claim, 10).hits, other.search(claim, 10).hits
        assert [h.passage for h in hits] == [h.passage for h in other_hits]
        np.testing.assert_allclose(
            [h.score for h in hits], [h.score for h in other_hits], rtol=1e-12
        )


def test_many_segments_and_merge_ranges_give_the_same_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = _build(tmp_path / "whole", _scifact())
    monkeypatch.setattr(building, "SEGMENT_POSTINGS", 500)  # dozens of segments
    monkeypatch.setattr(building, "MERGE_POSTINGS", 300)  # and of merge ranges
    monkeypatch.setattr(tokenizing, "CHUNK_PASSAGES", 7)
    monkeypatch.setattr(building, "CHUNK_PASSAGES", 7)
    spills: list[int] = []
    original = building._Segments.spill

    def spill(self: building._Segments) -> None:
        spills.append(len(self.index))
        original(self)

    monkeypatch.setattr(building._Segments, "spill", spill)
    cut = _build(tmp_path / "cut", _scifact())
    assert max(spills) >= 10  # really cut into many segments
    assert len(list((tmp_path / "cut").iterdir())) == len(list((tmp_path / "whole").iterdir()))
    _same_index(whole, cut)


def test_worker_processes_give_the_same_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = load_corpus(SEEDS).articles
    pairs = [(a, split_article(a, SplitSettings())) for a in articles]
    alone = _build(tmp_path / "alone", pairs)
    monkeypatch.setattr(building, "CHUNK_PASSAGES", 10)
    monkeypatch.setattr(building, "LOCAL_CHUNKS", 1)  # the rest go to the pool
    pools = []

    class CountedPool(ProcessPoolExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pools.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(building, "ProcessPoolExecutor", CountedPool)
    pooled = _build(tmp_path / "pooled", pairs, workers=2)
    assert len(pools) == 1
    _same_index(alone, pooled)


def test_non_ascii_passages_keep_their_byte_ranges(tmp_path: Path) -> None:
    text = "Zürich’s “Grand Café” opened.\n\nSo did Δelta — 東京 too."
    article = Article("z", "Zürich", text, "z.txt")
    passages = split_article(article, SplitSettings(chunk_size=50))
    assert len(passages) > 1
    index = _build(tmp_path, [(article, passages)])
    assert [index.passage(n) for n in range(len(passages))] == passages
    assert index.article_text(1) == text


def test_an_empty_corpus_builds_an_index_that_finds_nothing(tmp_path: Path) -> None:
    index = _build(tmp_path, [(Article("e", "", "", "e.txt"), [])])
    assert len(index) == 0 and len(index.articles) == 1
    assert index.search("anything", 5).hits == []


def test_the_segments_are_removed_even_when_the_input_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(building, "SEGMENT_POSTINGS", 100)

    def failing() -> Iterator[tuple[Article, list[Passage]]]:
        yield from _scifact()[:30]
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        _build(tmp_path, failing())
    assert not (tmp_path / building.SEGMENTS).exists()
    assert not (tmp_path / "meta.json").exists()


def test_term_ranges_cover_every_term_once() -> None:
    offsets = np.cumsum([0, 5, 1, 100, 2, 2, 2, 40])
    ranges = list(building._term_ranges(offsets, 10))
    assert ranges[0][0] == 0 and ranges[-1][1] == len(offsets) - 1
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
    for first, last in ranges:  # a term larger than a range gets one of its own
        assert offsets[last] - offsets[first] <= 10 or last == first + 1
    assert (2, 3) in ranges


def test_postings_are_grouped_by_term_then_passage_for_large_vocabularies() -> None:
    rng = np.random.default_rng(7)
    doc = np.sort(rng.integers(0, 500, 5000)).astype(np.int32)
    term = rng.integers(0, 200_000, 5000).astype(np.int32)  # beyond 16 bits
    tf = rng.integers(1, 9, 5000).astype(np.uint16)
    got = group_by_term(doc, term, tf)
    order = np.lexsort((doc, term))
    for ours, expected in zip(got, (doc[order], term[order], tf[order]), strict=True):
        np.testing.assert_array_equal(ours, expected)


def test_build_into_opens_what_it_wrote(tmp_path: Path) -> None:
    settings = IndexSettings(analyzer=ANALYZER)
    index = Index.build_into(tmp_path, _scifact(), replace(settings, workers=1))
    assert index.folder == tmp_path
    assert index.search(CLAIMS[0], 3).hits


def test_the_idf_floor_does_not_depend_on_the_order_terms_are_numbered_in() -> None:
    """Terms are numbered in a set's order, which changes with each process's string hashing.
    The floor's mean was summed in that order, so a rebuilt index scored some passages a last
    bit differently (a quote's score 4.322868180975485 against ...484 on the seeds)."""
    rng = np.random.default_rng(5)
    df = rng.integers(1, 4_000, size=20_000).astype(np.float64)  # many above half of 5,000
    idf = building.bm25_idf(df, 5_000, 0.25)
    assert (df > 2_500).any()
    for _ in range(5):
        order = rng.permutation(len(df))
        again = np.empty_like(idf)
        again[order] = building.bm25_idf(df[order], 5_000, 0.25)
        assert again.tobytes() == idf.tobytes()
