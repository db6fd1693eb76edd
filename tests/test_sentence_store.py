"""A passage's analyzed sentences: as the build stores them, and the cache for passages that
are not in an index."""

import pytest

from corpusbot.retrieval.analyzer import Analyzer, AnalyzerSettings
from corpusbot.retrieval.corpus import Article, load_corpus
from corpusbot.retrieval.index import Hit, Index, IndexSettings
from corpusbot.retrieval.passages import SplitSettings, split_article
from corpusbot.retrieval.sentence_store import SentenceCache, analyzed_sentences, stored_sentences
from corpusbot.retrieval.sentences import sentence_spans

from .conftest import SEEDS

SETTINGS = AnalyzerSettings.create("english", "english")
ENGLISH = Analyzer(SETTINGS)
TEXT = "Dr. Raeisi spoke on Monday. The talks resumed in Vienna!\n\nNo deal was reached."
# Headlines searched with a first passage (not its first words), other scripts, a passage of
# stop words only, sentences without terms, marks that do not end a sentence.
ODD = [
    Article("a", "Talks resume in Vienna", TEXT, "a.txt"),
    Article("z", "Zürich", "Zürich’s “Grand Café” opened.\n\nSo did Δelta, 東京 too. 2019年!", "z.txt"),
    Article("s", "The", "The and of. It is. ...\n\n!!! ?", "s.txt"),
    Article("n", "Numbers", "Mr. A. B. Smith paid $3.5m (c. 2019) e.g. for IL-6 tests.", "n.txt"),
]


@pytest.fixture(scope="module")
def index() -> Index:
    articles = [*load_corpus(SEEDS).articles, *ODD]
    passages = [p for a in articles for p in split_article(a, SplitSettings(chunk_size=120))]
    assert any(p.heading for p in passages)  # headings are stored before the first sentence
    return Index.build(articles, passages, IndexSettings(analyzer=SETTINGS))


def test_stored_sentences_are_the_analyzed_sentences_of_every_passage(index: Index):
    for number in range(len(index)):
        text = index.passage(number).text
        stored = stored_sentences(index.sentence_table, index.terms, number)
        assert stored == analyzed_sentences(text, index.analyzer), text


def test_an_index_reads_its_own_hits_from_the_table_and_analyzes_others(index: Index):
    hit = index.search("Vienna talks", 1).hits[0]
    assert index.sentences(hit) == analyzed_sentences(hit.passage.text, index.analyzer)
    made = Hit(hit.passage, hit.article, hit.score, hit.matched)  # not read from an index
    assert index.sentences(made) == index.sentences(hit)
    assert made.passage.text in index._analyzed._kept  # analyzed, and kept for next time


def test_each_sentence_comes_with_its_terms():
    got = analyzed_sentences(TEXT, ENGLISH)
    assert [(s, e) for s, e, _ in got] == sentence_spans(TEXT)
    assert [terms for _, _, terms in got] == [
        tuple(ENGLISH.terms(TEXT[s:e])) for s, e in sentence_spans(TEXT)
    ]
    assert got[0][2] == ("dr", "raeisi", "spoke", "monday")


def test_the_cache_analyzes_a_passage_once_and_stays_bounded(monkeypatch):
    cache = SentenceCache(ENGLISH, size=2)
    calls = []
    original = ENGLISH.terms
    monkeypatch.setattr(ENGLISH, "terms", lambda text: calls.append(text) or original(text))
    first = cache(TEXT)
    assert cache(TEXT) is first and len(calls) == 3  # three sentences, analyzed once
    cache("One more passage.")
    cache("And another one.")  # the cache was full: cleared, then kept
    assert len(cache._kept) <= 2
    assert cache(TEXT) == first
