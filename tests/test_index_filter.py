"""Index.search with an allowed-articles mask (the news filter's hook in
retrieval/index/bm25.py)."""

import numpy as np

from corpusbot.retrieval.analysis.analyzer import AnalyzerSettings
from corpusbot.retrieval.index.bm25 import Index, IndexSettings
from corpusbot.retrieval.reading.corpus import Article, load_corpus
from corpusbot.retrieval.reading.passages import SplitSettings, split_corpus

from .conftest import DATA

SETTINGS = IndexSettings(analyzer=AnalyzerSettings.create("english", "english"))
QUESTIONS = [
    "nuclear talks enrichment",
    "port strike dock workers",
    "Old Mill Bridge",
    "reservoir water",
    "mayor Quint election",
    "container terminal expansion",
]


def build(articles: list[Article]) -> Index:
    return Index.build(articles, list(split_corpus(articles, SplitSettings(500, 0))), SETTINGS)


def test_a_mask_gives_the_unfiltered_ranking_restricted_to_the_allowed_articles() -> None:
    index = build(load_corpus(DATA / "news").articles)
    rng = np.random.default_rng(7)
    checked = 0
    for question in QUESTIONS:
        everything = index.search(question, len(index)).hits
        for _ in range(5):
            allowed = rng.random(len(index.articles)) < 0.4
            expected = [
                (h.passage, round(h.score, 9)) for h in everything if allowed[h.article.number - 1]
            ][:4]
            got = [
                (h.passage, round(h.score, 9))
                for h in index.search(question, 4, allowed=allowed).hits
            ]
            assert got == expected
            checked += len(got)
    assert checked > 20


def test_a_narrow_filter_still_finds_the_one_matching_article() -> None:
    # 300 articles say "harbor"; the allowed one is the weakest match of all, so filtering the
    # top hits afterwards would never see it.
    strong = [
        Article(f"s{i}", f"Harbor {i}", "Harbor harbor harbor news.", f"s{i}.txt")
        for i in range(300)
    ]
    weak = Article(
        "w",
        "Weak",
        "A long report that names the harbor once among many other "
        "words about roads, schools, budgets, weather and sport.",
        "w.txt",
    )
    index = build([*strong, weak])
    allowed = np.zeros(len(index.articles), dtype=bool)
    allowed[-1] = True
    assert all(h.article.id != "w" for h in index.search("harbor", 24).hits)
    hits = index.search("harbor", 24, allowed=allowed).hits
    assert [h.article.id for h in hits] == ["w"]
    assert index.search("harbor", 24, allowed=np.zeros(len(index.articles), bool)).hits == []
