"""The index against rank-bm25, its reference: same top passages, same scores."""

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from corpusbot.retrieval.analysis.analyzer import Analyzer, AnalyzerSettings
from corpusbot.retrieval.index import bm25
from corpusbot.retrieval.index.bm25 import Index, IndexCorrupt, IndexSettings
from corpusbot.retrieval.reading.corpus import Article, load_corpus
from corpusbot.retrieval.reading.passages import Passage, SplitSettings, split_corpus

from .conftest import DATA, SEEDS

SETTINGS = IndexSettings(analyzer=AnalyzerSettings.create("english", "english"))
QUESTIONS = [
    q["question"] for q in json.loads((DATA / "seed_questions.json").read_text())["answerable"]
]


def assert_parity(articles: list[Article], passages: list[Passage], questions: list[str]) -> None:
    index = Index.build(articles, passages, SETTINGS)
    analyzer = Analyzer(SETTINGS.analyzer)
    reference = BM25Okapi(
        [analyzer.terms(p.searchable) for p in passages], k1=1.5, b=0.75, epsilon=0.25
    )
    compared = 0
    for question in questions:
        expected = reference.get_scores(analyzer.terms(question))
        hits = index.search(question, 10).hits
        positive = int((expected > 0).sum())
        assert len(hits) == min(10, positive)
        ours = np.array([h.score for h in hits])
        top = np.sort(expected)[::-1][: len(hits)]
        np.testing.assert_allclose(ours, top, rtol=0, atol=1e-6)
        for hit in hits:  # each passage's own score, so ties cannot hide a wrong passage
            number = passages.index(hit.passage)
            assert abs(expected[number] - hit.score) <= 1e-6
        compared += len(hits)
    assert compared > len(questions)  # the comparison really ran over many hits


@pytest.fixture(params=["plain", "pruned"])
def pruning(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test twice: as configured, and with the score floor taken from one term only, so
    that common terms are skipped (MaxScore) even on these small corpora."""
    if request.param == "pruned":
        monkeypatch.setattr("corpusbot.retrieval.index.bm25.PROBE_POSTINGS", 1)
    param: str = request.param
    return param


def test_parity_with_rank_bm25_on_the_seeds(pruning: str) -> None:
    articles = load_corpus(SEEDS).articles
    passages = list(split_corpus(articles, SplitSettings(chunk_size=500)))
    assert_parity(articles, passages, QUESTIONS)


def test_parity_with_rank_bm25_on_a_scifact_sample(pruning: str) -> None:
    rows = [json.loads(line) for line in (DATA / "scifact_sample.jsonl").open()]
    articles = [Article(r["_id"], r["title"], f"{r['title']} {r['text']}", "") for r in rows]
    passages = [Passage(a.id, 0, 0, len(a.text), a.text) for a in articles]
    claims = [line.strip() for line in (DATA / "scifact_sample_claims.txt").open()]
    assert_parity(articles, passages, claims)


def test_save_and_load_give_the_same_answers(tmp_path: Path) -> None:
    articles = load_corpus(SEEDS).articles
    passages = list(split_corpus(articles, SplitSettings()))
    built = Index.build(articles, passages, SETTINGS)
    built.save(tmp_path / "ix")
    loaded = Index.load(tmp_path / "ix")
    for question in QUESTIONS[:10]:
        assert built.search(question, 5) == loaded.search(question, 5)
    assert loaded.article_text(3) == articles[2].text
    assert [loaded.passage(n) for n in range(len(passages))] == passages
    hits = loaded.search(QUESTIONS[0], 5).hits
    assert [h.text for h in hits] == [h.passage.text for h in hits]  # the text alone, read first
    assert [h.text for h in loaded.search(QUESTIONS[0], 5).hits] == [h.text for h in hits]


def test_a_damaged_index_is_refused(tmp_path: Path) -> None:
    articles = load_corpus(SEEDS).articles
    Index.build(articles, list(split_corpus(articles, SplitSettings())), SETTINGS).save(tmp_path)
    (tmp_path / "impacts.npy").write_bytes(b"garbage")
    with pytest.raises(IndexCorrupt):
        Index.load(tmp_path)


def test_empty_and_stop_word_questions_find_nothing() -> None:
    articles = load_corpus(SEEDS).articles
    index = Index.build(articles, list(split_corpus(articles, SplitSettings())), SETTINGS)
    assert index.search("", 5).hits == []
    assert index.search("what is the", 5).question_terms == {}
    assert index.search("xylophonic zebras", 5).hits == []


def test_skipping_common_terms_finds_the_same_passages(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [json.loads(line) for line in (DATA / "scifact_sample.jsonl").open()]
    articles = [Article(r["_id"], r["title"], f"{r['title']} {r['text']}", "") for r in rows]
    passages = [Passage(a.id, 0, 0, len(a.text), a.text) for a in articles]
    claims = [line.strip() for line in (DATA / "scifact_sample_claims.txt").open()]
    index = Index.build(articles, passages, SETTINGS)
    plain = {(c, k): index.search(c, k) for c in claims for k in (1, 3, 5)}
    monkeypatch.setattr("corpusbot.retrieval.index.bm25.PROBE_POSTINGS", 1)
    used = 0
    original = index._pruned_candidates

    def counting(*args: Any) -> Any:
        nonlocal used
        used += 1
        return original(*args)

    monkeypatch.setattr(index, "_pruned_candidates", counting)
    for (claim, k), expected in plain.items():
        assert index.search(claim, k) == expected
    assert used >= 20  # the pruned path really ran


def test_title_terms_are_the_analyzers_kept_and_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    articles = load_corpus(SEEDS).articles
    index = Index.build(articles, list(split_corpus(articles, SplitSettings())), SETTINGS)
    first, second = index.articles[0], index.articles[1]
    terms = index.title_terms(first)
    assert terms == frozenset(index.analyzer.terms(first.title)) and terms
    assert index.title_terms(first) is terms  # read once
    monkeypatch.setattr("corpusbot.retrieval.index.bm25.TITLE_CACHE", 1)
    assert index.title_terms(second) == frozenset(index.analyzer.terms(second.title))
    assert index.title_terms(first) is not terms  # the full cache was emptied, and read again


def test_every_search_gives_its_matches_row_major() -> None:
    # The compiled coverage check is compiled for the compiled search's row-major `matched`;
    # the exhaustive scoring (used where the compiled search cannot prove its best) gave a
    # column-major one, which made numba compile the check again at a user's question.
    articles = load_corpus(SEEDS).articles
    index = Index.build(articles, list(split_corpus(articles, SplitSettings())), SETTINGS)
    checked = 0
    for question in QUESTIONS:
        known = index.query(index.analyzer.terms(question)).known
        if not known:
            continue
        ranked = index._all_scored(known, 10, None, idf=index.postings.idf, avgdl=index.avgdl)
        assert ranked.matched.flags.c_contiguous
        floored = bm25._reaching(ranked, float(ranked.scores[len(ranked.scores) // 2]))
        assert floored.matched.flags.c_contiguous
        checked += len(ranked.numbers) > 1
    assert checked > 5
