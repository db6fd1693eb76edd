"""The compiled search (retrieval/kernel.py) against the NumPy path and rank-bm25."""

import json
import logging
import sys

import numpy as np
import pytest

from corpusbot.retrieval import kernel
from corpusbot.retrieval.corpus import Article, load_corpus
from corpusbot.retrieval.index import Index
from corpusbot.retrieval.passages import Passage, SplitSettings, split_corpus

from .conftest import DATA, ROOT, SEEDS
from .test_index import QUESTIONS, SETTINGS, assert_parity


def scifact_sample() -> tuple[list[Article], list[Passage], list[str]]:
    rows = [json.loads(line) for line in (DATA / "scifact_sample.jsonl").open()]
    articles = [Article(r["_id"], r["title"], f"{r['title']} {r['text']}", "") for r in rows]
    passages = [Passage(a.id, 0, 0, len(a.text), a.text) for a in articles]
    claims = [line.strip() for line in (DATA / "scifact_sample_claims.txt").open()]
    return articles, passages, claims


@pytest.fixture(params=["plain", "pruned"])
def compiled(request, monkeypatch):
    """The kernel on for every index, however small; "pruned" checks for MaxScore skips before
    every postings list, so the lookup path runs on these small corpora too."""
    # numba's compiled code kept beside pytest's own cache (numba reads this on its import), so
    # only the first test session compiles it (~10 s), not every one.
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(ROOT / ".pytest_cache" / "numba"))
    if kernel.load() is None:
        pytest.fail("numba is a dependency: the compiled search must load here")
    monkeypatch.setattr(kernel, "KERNEL_MIN_PASSAGES", 0)
    if request.param == "pruned":
        monkeypatch.setattr(kernel, "CHECK_POSTINGS", 1)
    return request.param


def numpy_search(index: Index, question: str, k: int, allowed=None):
    minimum = kernel.KERNEL_MIN_PASSAGES
    kernel.KERNEL_MIN_PASSAGES = len(index) + 1
    try:
        return index.search(question, k, allowed=allowed)
    finally:
        kernel.KERNEL_MIN_PASSAGES = minimum


def test_parity_with_rank_bm25_on_a_scifact_sample(compiled):
    assert_parity(*scifact_sample())


def test_parity_with_rank_bm25_on_the_seeds(compiled):
    articles = load_corpus(SEEDS).articles
    assert_parity(articles, list(split_corpus(articles, SplitSettings(chunk_size=500))), QUESTIONS)


def test_the_same_hits_and_scores_as_numpy_to_the_last_bit(compiled, monkeypatch):
    articles, passages, claims = scifact_sample()
    index = Index.build(articles, passages, SETTINGS)
    calls = 0
    original = kernel.search

    def counting(*args, **kwargs):
        nonlocal calls
        calls += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(kernel, "search", counting)
    compared = 0
    for claim in claims:
        for k in (1, 3, 10, 40):
            ours = index.search(claim, k)
            assert ours == numpy_search(index, claim, k)  # equal floats, equal order
            compared += len(ours.hits)
    assert calls >= len(claims) * 4 - 10  # the kernel answered (not the NumPy path)
    assert compared > 1000


def test_an_allowed_mask_gives_the_same_hits_as_numpy(compiled):
    articles, passages, claims = scifact_sample()
    index = Index.build(articles, passages, SETTINGS)
    rng = np.random.default_rng(5)
    for claim in claims[:40]:
        allowed = rng.random(len(index.articles)) < 0.3
        ours = index.search(claim, 5, allowed=allowed)
        assert ours == numpy_search(index, claim, 5, allowed)
        assert all(allowed[h.article.number - 1] for h in ours.hits)


def test_the_score_buffer_is_left_zeroed(compiled):
    articles, passages, claims = scifact_sample()
    index = Index.build(articles, passages, SETTINGS)
    for claim in claims[:20]:
        index.search(claim, 5)
    assert not index._buffer().any()


def test_without_numba_the_numpy_path_answers_and_says_so_once(monkeypatch, caplog):
    monkeypatch.setattr(kernel, "_loaded", [])
    monkeypatch.setattr(kernel, "KERNEL_MIN_PASSAGES", 0)
    monkeypatch.setitem(sys.modules, "corpusbot.retrieval.kernel_code", None)  # import fails
    articles, passages, claims = scifact_sample()
    index = Index.build(articles, passages, SETTINGS)
    with caplog.at_level(logging.WARNING, logger="corpusbot.retrieval.kernel"):
        found = [index.search(claim, 3) for claim in claims[:5]]
    assert kernel.load() is None
    assert sum(len(r.hits) for r in found) > 5
    notes = [r.getMessage() for r in caplog.records if r.name == "corpusbot.retrieval.kernel"]
    assert len(notes) == 1 and "searching with NumPy" in notes[0]


def test_corpusbot_kernel_numpy_turns_it_off(monkeypatch):
    monkeypatch.setattr(kernel, "_loaded", [])
    monkeypatch.setenv("CORPUSBOT_KERNEL", "numpy")
    assert kernel.load() is None


def test_the_bot_warms_the_kernel_for_large_indexes_only(monkeypatch):
    monkeypatch.setattr(kernel, "_loaded", [])
    started = []
    monkeypatch.setattr(kernel.threading, "Thread", lambda **kw: started.append(kw) or _NoThread())
    kernel.load_in_background(kernel.KERNEL_MIN_PASSAGES - 1)
    assert started == []
    kernel.load_in_background(kernel.KERNEL_MIN_PASSAGES)
    assert [kw["target"] for kw in started] == [kernel.load]


class _NoThread:
    def start(self) -> None:
        pass
