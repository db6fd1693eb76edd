"""The compiled search (retrieval/compiled/kernel.py) against the NumPy path and rank-bm25."""

import json
import logging
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable
from itertools import compress
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from corpusbot.retrieval.compiled import kernel
from corpusbot.retrieval.index import SearchResult
from corpusbot.retrieval.index.bm25 import Index
from corpusbot.retrieval.reading.corpus import Article, load_corpus
from corpusbot.retrieval.reading.passages import Passage, SplitSettings, split_corpus

from .conftest import DATA, SEEDS
from .test_index import QUESTIONS, SETTINGS, assert_parity


def scifact_sample() -> tuple[list[Article], list[Passage], list[str]]:
    rows = [json.loads(line) for line in (DATA / "scifact_sample.jsonl").open()]
    articles = [Article(r["_id"], r["title"], f"{r['title']} {r['text']}", "") for r in rows]
    passages = [Passage(a.id, 0, 0, len(a.text), a.text) for a in articles]
    claims = [line.strip() for line in (DATA / "scifact_sample_claims.txt").open()]
    return articles, passages, claims


@pytest.fixture(params=["one pass", "windows", "small windows"])
def compiled(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The kernel on for every index, however small. "one pass" scores every posting at once,
    as it does up to SCORE_ALL_MAX_PASSAGES; the others walk windows (MaxScore), and "small
    windows" scores 64 passages at a time, so these small corpora span many windows and the
    k-th best score rises between them (MaxScore then looks terms up instead of walking them)."""
    if kernel.load() is None:
        pytest.fail("numba is a dependency: the compiled search must load here")
    monkeypatch.setattr(kernel, "KERNEL_MIN_PASSAGES", 0)
    if request.param != "one pass":
        monkeypatch.setattr(kernel, "SCORE_ALL_MAX_PASSAGES", 0)
    if request.param == "small windows":
        monkeypatch.setattr(kernel, "WINDOW", 64)
    param: str = request.param
    return param


def numpy_search(
    index: Index, question: str, k: int, allowed: np.ndarray | None = None
) -> SearchResult:
    minimum = kernel.KERNEL_MIN_PASSAGES
    kernel.KERNEL_MIN_PASSAGES = len(index) + 1
    try:
        return index.search(question, k, allowed=allowed)
    finally:
        kernel.KERNEL_MIN_PASSAGES = minimum


def test_parity_with_rank_bm25_on_a_scifact_sample(compiled: str) -> None:
    assert_parity(*scifact_sample())


def test_parity_with_rank_bm25_on_the_seeds(compiled: str) -> None:
    articles = load_corpus(SEEDS).articles
    assert_parity(articles, list(split_corpus(articles, SplitSettings(chunk_size=500))), QUESTIONS)


def counted_searches(monkeypatch: pytest.MonkeyPatch) -> list[None]:
    """Count the compiled searches: the list returned grows by one a call."""
    calls: list[None] = []
    original = kernel.search

    def counted(*args: Any, **kwargs: Any) -> kernel.Ranked:
        calls.append(None)
        return original(*args, **kwargs)

    monkeypatch.setattr(kernel, "search", counted)
    return calls


def test_the_same_hits_and_scores_as_numpy_to_the_last_bit(
    compiled: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles, passages, claims = scifact_sample()
    index = Index.build(articles, passages, SETTINGS)
    calls = counted_searches(monkeypatch)
    compared = 0
    for claim in claims:
        for k in (1, 3, 10, 40):
            ours = index.search(claim, k)
            assert ours == numpy_search(index, claim, k)  # equal floats, equal order
            compared += len(ours.hits)
    assert len(calls) >= len(claims) * 4 - 10  # the kernel answered (not the NumPy path)
    assert compared > 1000


def test_an_allowed_mask_gives_the_same_hits_as_numpy(compiled: str) -> None:
    articles, passages, claims = scifact_sample()
    index = Index.build(articles, passages, SETTINGS)
    rng = np.random.default_rng(5)
    for claim in claims[:40]:
        allowed = rng.random(len(index.articles)) < 0.3
        ours = index.search(claim, 5, allowed=allowed)
        assert ours == numpy_search(index, claim, 5, allowed)
        assert all(allowed[h.article.number - 1] for h in ours.hits)


def test_without_numba_the_numpy_path_answers_and_says_so_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(kernel.SEARCH, "_loaded", [])
    monkeypatch.setattr(kernel, "KERNEL_MIN_PASSAGES", 0)
    # the import fails
    monkeypatch.setitem(sys.modules, "corpusbot.retrieval.compiled.kernel_code", None)
    articles, passages, claims = scifact_sample()
    index = Index.build(articles, passages, SETTINGS)
    with caplog.at_level(logging.WARNING, logger="corpusbot.retrieval.compiled.loader"):
        found = [index.search(claim, 3) for claim in claims[:5]]
    assert kernel.load() is None
    assert sum(len(r.hits) for r in found) > 5
    notes = [
        r.getMessage() for r in caplog.records if r.name == "corpusbot.retrieval.compiled.loader"
    ]
    assert len(notes) == 1 and "searching with NumPy" in notes[0]


def test_corpusbot_kernel_numpy_turns_it_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kernel.SEARCH, "_loaded", [])
    monkeypatch.setenv("CORPUSBOT_KERNEL", "numpy")
    assert kernel.load() is None


# --- the window MaxScore against every passage scored -----------------------------------------

WORDS = [
    "river",
    "stone",
    "cloud",
    "maple",
    "harbor",
    "violin",
    "copper",
    "garden",
    "lantern",
    "meadow",
    "falcon",
    "glacier",
    "orchard",
    "pepper",
    "quartz",
    "saddle",
    "timber",
    "velvet",
    "walnut",
    "canyon",
    "dolphin",
    "ember",
    "fossil",
    "granite",
    "hammock",
    "island",
    "jasmine",
    "kettle",
    "lemon",
    "marble",
    "nectar",
    "oyster",
    "pebble",
    "quiver",
    "raven",
    "sapphire",
    "tulip",
]


def random_corpus(seed: int, articles: int = 240) -> tuple[list[Article], list[Passage]]:
    """Ten passages an article over a Zipf-like vocabulary: a few words in most passages, many
    rare ones; every seventh article repeats an earlier one's texts, so exact ties abound."""
    rng = np.random.default_rng(seed)
    weights = 1 / np.arange(1, len(WORDS) + 1) ** 1.1
    made: list[list[str]] = []
    for number in range(articles):
        if number % 7 == 6:
            made.append(made[int(rng.integers(number))])
            continue
        lengths = rng.integers(1, 25, size=10)
        made.append([" ".join(rng.choice(WORDS, n, p=weights / weights.sum())) for n in lengths])
    result_articles, passages = [], []
    for number, texts in enumerate(made):
        article = Article(f"r{number}", texts[0][:20], "\n\n".join(texts), "")
        result_articles.append(article)
        start = 0
        for ordinal, text in enumerate(texts):
            passages.append(Passage(article.id, ordinal, start, start + len(text), text))
            start += len(text) + 2
    return result_articles, passages


def exhaustive(
    index: Index, question: str, k: int, allowed: np.ndarray | None = None
) -> list[tuple[Any, ...]]:
    """The k best passages by exact score, every passage scored; ties by passage number."""
    counts = Counter(index.analyzer.terms(question))
    present = [t for t in counts if t in index.vocab]
    known = [(index.vocab[t], counts[t]) for t in present]
    everyone = np.arange(len(index))
    if allowed is not None:
        everyone = everyone[allowed[index.table.article]]
    if not known or len(everyone) == 0:
        return []
    exact, matched = index._exact_scores(known, everyone)
    order = np.lexsort((everyone, -exact))[:k]
    order = order[exact[order] > 0]
    return [
        (
            index.passage(int(everyone[j])),
            float(exact[j]),
            frozenset(compress(present, matched[:, j])),
        )
        for j in order
    ]


def found(
    index: Index, question: str, k: int, allowed: np.ndarray | None = None
) -> list[tuple[Any, ...]]:
    return [
        (h.passage, h.score, h.matched) for h in index.search(question, k, allowed=allowed).hits
    ]


def random_questions(seed: int, count: int) -> list[str]:
    """One to twelve words, some repeated, common and rare alike."""
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(WORDS, int(rng.integers(1, 13)))) for _ in range(count)]


@pytest.mark.parametrize("seed", [1, 2])
def test_the_k_best_of_every_passage_scored_on_random_indexes(
    compiled: str, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    index = Index.build(*random_corpus(seed), SETTINGS)
    calls = counted_searches(monkeypatch)
    questions = random_questions(seed, 60)
    hits = 0
    for question in questions:
        for k in (1, 5, 24):
            ours = found(index, question, k)
            assert ours == exhaustive(index, question, k), (question, k)
            hits += len(ours)
    assert len(calls) == len(questions) * 3  # the kernel answered every one
    assert hits > 1000


def test_candidates_the_cut_rose_past_are_reported_left_out(compiled: str) -> None:
    # With room for every passage offered, candidates are still dropped: those offered before
    # the k-th best rose past them cannot be among the k best. They are not rescored, and the
    # best of them is reported as left out (retrieval/index/segmented.py reads it), below the
    # k-th best score found.
    index = Index.build(*random_corpus(1), SETTINGS)
    search = kernel.load()
    assert search is not None
    reported = 0
    for question in random_questions(1, 40):
        counts = Counter(index.analyzer.terms(question))
        known = [(index.vocab[t], n) for t, n in counts.items() if t in index.vocab]
        ranked = kernel.search(
            search, index.postings, index.table.doc_len, terms=known, k=5, count=100_000,
            avgdl=index.avgdl, k1=SETTINGS.k1, b=SETTINGS.b, article=index.table.article,
            window=kernel.WINDOW,
        )  # fmt: skip
        best = exhaustive(index, question, 5)
        assert ranked.scores.tolist() == [score for _, score, _ in best], question
        if ranked.left_out >= 0:
            reported += 1
            assert ranked.left_out < ranked.scores[-1], question
    assert reported > 10


def test_one_term_questions_common_and_rare(compiled: str) -> None:
    index = Index.build(*random_corpus(3), SETTINGS)
    for word in WORDS:
        for k in (1, 10, 100):
            assert found(index, word, k) == exhaustive(index, word, k), (word, k)


TIED = "falcon glacier falcon"


def tied_index() -> Index:
    """A random corpus and 300 passages of the same text, so of the same score."""
    articles, passages = random_corpus(4, articles=40)
    for number in range(30):
        texts = [TIED] * 10
        article = Article(f"t{number}", TIED, "\n\n".join(texts), "")
        articles.append(article)
        passages.extend(
            Passage(article.id, o, o * (len(TIED) + 2), o * (len(TIED) + 2) + len(TIED), TIED)
            for o in range(10)
        )
    return Index.build(articles, passages, SETTINGS)


def assert_ties_to_lower_numbers(
    index: Index, search: Callable[[Index, str, int], list[tuple[Any, ...]]]
) -> None:
    first = next(n for n in range(len(index)) if index.passage(n).text == TIED)
    for question in (TIED, "falcon glacier river"):
        for k in (1, 7, 64, 299, 320):
            ours = search(index, question, k)
            assert ours == exhaustive(index, question, k), (question, k)
            tied = [hit for hit in ours if hit[0].text == TIED]
            if question == TIED:
                assert len(tied) == min(k, 300)
                assert [h[0] for h in tied] == [index.passage(first + j) for j in range(len(tied))]


def test_ties_go_to_the_lower_passage_numbers_across_windows(compiled: str) -> None:
    assert_ties_to_lower_numbers(tied_index(), found)


def test_the_numpy_path_breaks_ties_beyond_the_rescoring_margin_alike() -> None:
    index = tied_index()
    assert len(index) < kernel.KERNEL_MIN_PASSAGES  # NumPy answers

    def with_a_mask(index: Index, question: str, k: int) -> list[tuple[Any, ...]]:
        everyone = np.ones(len(index.articles), dtype=bool)
        return found(index, question, k, everyone)

    assert_ties_to_lower_numbers(index, found)
    assert_ties_to_lower_numbers(index, with_a_mask)


@pytest.mark.parametrize("share", [0.0, 0.02, 0.3, 0.9])
def test_an_allowed_mask_against_every_allowed_passage_scored(compiled: str, share: float) -> None:
    index = Index.build(*random_corpus(5), SETTINGS)
    rng = np.random.default_rng(6)
    for question in random_questions(7, 30):
        allowed = rng.random(len(index.articles)) < share
        for k in (3, 24):
            assert found(index, question, k, allowed) == exhaustive(index, question, k, allowed)


@pytest.mark.parametrize("window", [0, 100, -64])
def test_a_window_that_is_not_a_multiple_of_64_is_refused(window: int) -> None:
    compiled = kernel.load()
    assert compiled is not None
    index = Index.build(*random_corpus(8, articles=5), SETTINGS)
    with pytest.raises(ValueError, match="multiple of 64"):
        kernel.search(
            compiled,
            index.postings,
            index.table.doc_len,
            terms=[(0, 1)],
            k=3,
            count=5,
            avgdl=index.avgdl,
            k1=1.5,
            b=0.75,
            article=index.table.article,
            window=window,
        )


class _NoThread:
    def start(self) -> None:
        pass


def test_a_large_index_loads_the_compiled_parts_in_the_background(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[dict[str, Any]] = []

    def thread(**kwargs: Any) -> _NoThread:
        started.append(kwargs)
        return _NoThread()

    monkeypatch.setattr(threading, "Thread", thread)
    loaded = []
    loaders = (lambda: loaded.append("sentences"), lambda: loaded.append("coverage"))
    kernel.load_in_background(kernel.KERNEL_MIN_PASSAGES - 1, *loaders)
    assert started == []
    kernel.load_in_background(kernel.KERNEL_MIN_PASSAGES, *loaders)
    assert len(started) == 1 and started[0]["daemon"]
    started[0]["target"]()
    assert loaded == ["sentences", "coverage"]


def test_numba_s_cache_goes_to_the_cache_folder_even_if_numba_was_imported_first(
    tmp_path: Path,
) -> None:
    # numba reads NUMBA_CACHE_DIR when it is first imported; a library (bm25s) or a script that
    # imported it before the compiled search loads must not make it write beside the source.
    script = (
        "import numba\n"
        "from corpusbot.retrieval.compiled import kernel\n"
        "assert kernel.load() is not None\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NUMBA_", "CORPUSBOT_"))}
    env["XDG_CACHE_HOME"] = str(tmp_path)
    source = Path(kernel.__file__).parent / "__pycache__"
    before = set(source.glob("*.nb?")) if source.exists() else set()
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert list((tmp_path / "corpusbot" / "numba").rglob("kernel_code.search*.nbi"))
    after = set(source.glob("*.nb?")) if source.exists() else set()
    assert after == before, f"numba wrote beside the source: {sorted(after - before)}"


@pytest.mark.parametrize("seed", [3, 4])
def test_a_floor_leaves_exactly_the_passages_below_it_out(compiled: str, seed: int) -> None:
    # A segment of a larger index is searched with the k-th best score its other segments
    # reached (retrieval/index/segmented.py): what comes back must be the segment's k best
    # that score at least that, ties with it included, and nothing else.
    index = Index.build(*random_corpus(seed), SETTINGS)
    checked = 0
    for question in random_questions(seed, 40):
        counts = Counter(index.analyzer.terms(question))
        known = [(index.vocab[t], n) for t, n in counts.items() if t in index.vocab]
        scales = np.ones(len(known))
        for k in (1, 5, 24):
            best = exhaustive(index, question, k)
            for floor in {score for _, score, _ in best} | {best[-1][1] * 1.5 if best else 1.0}:
                ranked = index._scored(
                    known, k, None, idf=index.postings.idf, scales=scales,
                    avgdl=index.avgdl, loose=0.0, compiled=True, floor=floor,
                )  # fmt: skip
                wanted = [(p, s) for p, s, _ in best if s >= floor]
                numbers, scores = ranked.numbers.tolist(), ranked.scores.tolist()
                got = [(index.passage(n), s) for n, s in zip(numbers, scores, strict=True)]
                assert got == wanted, (question, k, floor)
                checked += len(wanted)
    assert checked > 1000
