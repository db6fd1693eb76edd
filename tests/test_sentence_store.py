"""A passage's analyzed sentences, and the cache of them for passages not in an index."""

import pytest

from corpusbot.retrieval.analysis.analyzer import Analyzer, AnalyzerSettings
from corpusbot.retrieval.analysis.sentences import sentence_spans
from corpusbot.retrieval.storage.sentence_store import SentenceCache, analyzed_sentences

from .conftest import analysed_texts

ENGLISH = Analyzer(AnalyzerSettings.create("english", "english"))
TEXT = "Dr. Raeisi spoke on Monday. The talks resumed in Vienna!\n\nNo deal was reached."


def test_each_sentence_comes_with_its_terms() -> None:
    got = analyzed_sentences(TEXT, ENGLISH)
    assert [(s, e) for s, e, _ in got] == sentence_spans(TEXT)
    assert [terms for _, _, terms in got] == [
        tuple(ENGLISH.terms(TEXT[s:e])) for s, e in sentence_spans(TEXT)
    ]
    assert got[0][2] == ("dr", "raeisi", "speak", "monday")  # "spoke" folded to its lemma


def test_the_cache_analyzes_a_passage_once_and_stays_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = SentenceCache(ENGLISH, size=2)
    calls = analysed_texts(ENGLISH, monkeypatch)
    first = cache(TEXT)
    assert cache(TEXT) is first and len(calls) == 3  # three sentences, analyzed once
    cache("One more passage.")
    cache("And another one.")  # the cache was full: cleared, then kept
    assert len(cache._kept) <= 2
    assert cache(TEXT) == first
