"""The sentences of a question's hits as arrays: read from the index's stored table, or
analyzed, they are the same sentences with the same terms and give the same scores."""

import random
from typing import Any

import numpy as np
import pytest

from corpusbot.bot.answer.question import read_question
from corpusbot.bot.answer.sentence_score import sentence_features
from corpusbot.retrieval.analysis.analyzer import AnalyzerSettings
from corpusbot.retrieval.index.bm25 import Hit, Index, IndexSettings
from corpusbot.retrieval.reading.corpus import Article, load_corpus
from corpusbot.retrieval.reading.passages import SplitSettings, split_article
from corpusbot.retrieval.storage import SentenceShares
from corpusbot.retrieval.storage.sentence_block import (
    SentenceBlock,
    from_sentences,
    from_table,
    measure,
    question_pairs,
    select,
)
from corpusbot.retrieval.storage.sentence_store import Sentence, analyzed_sentences

from .conftest import SEEDS

SETTINGS = AnalyzerSettings.create("english", "english")
TEXT = "Dr. Raeisi spoke on Monday. The talks resumed in Vienna!\n\nNo deal was reached."
# Headlines searched with a first passage (not its first words), other scripts, a passage of
# stop words only, sentences without terms, marks that do not end a sentence.
ODD = [
    Article("a", "Talks resume in Vienna", TEXT, "a.txt"),
    Article(
        "z", "Zürich", "Zürich’s “Grand Café” opened.\n\nSo did Δelta, 東京 too. 2019年!", "z.txt"
    ),
    Article("s", "The", "The and of. It is. ...\n\n!!! ?", "s.txt"),
    Article("n", "Numbers", "Mr. A. B. Smith paid $3.5m (c. 2019) e.g. for IL-6 tests.", "n.txt"),
]


def rows(block: SentenceBlock) -> list[list[Sentence]]:
    """The block's sentences, one list a hit."""
    found: list[list[Sentence]] = [[] for _ in range(int(block.hit.max(initial=-1)) + 1)]
    for row, hit in enumerate(block.hit.tolist()):
        found[hit].append((int(block.start[row]), int(block.end[row]), block.terms(row)))
    return found


def stored_sentences(index: Index, numbers: list[int] | None = None) -> list[list[Sentence]]:
    """The sentences of passages `numbers` (default: all) as the index stored them."""
    numbers = list(range(len(index))) if numbers is None else numbers
    return rows(from_table(index.sentence_table, numbers, vocab=index.vocab, terms=index.terms))


@pytest.fixture(scope="module")
def index() -> Index:
    articles = [*load_corpus(SEEDS).articles, *ODD]
    passages = [p for a in articles for p in split_article(a, SplitSettings(chunk_size=300))]
    assert any(p.heading for p in passages)  # headings are stored before the first sentence
    return Index.build(articles, passages, IndexSettings(analyzer=SETTINGS))


def test_stored_sentences_are_the_analyzed_sentences_of_every_passage(index: Index) -> None:
    expected = [
        analyzed_sentences(index.passage(n).text, index.analyzer) for n in range(len(index))
    ]
    assert stored_sentences(index) == expected
    numbers = random.Random(7).choices(range(len(index)), k=40)  # any order, repeats
    assert stored_sentences(index, numbers) == [expected[n] for n in numbers]


def test_hits_not_read_from_the_index_are_analyzed_and_measured_alike(index: Index) -> None:
    result = index.search("Vienna talks resumed", 3)
    weights, order = result.question_terms, index.analyzer.terms("Vienna talks resumed")
    made = [Hit(h.passage, h.article, h.score, h.matched) for h in result.hits]  # no index's
    own, analyzed = (
        index.sentence_shares(result.hits, weights, order),
        index.sentence_shares(made, weights, order),
    )
    assert (
        rows(analyzed.block)
        == rows(own.block)
        == [analyzed_sentences(h.passage.text, index.analyzer) for h in result.hits]
    )
    np.testing.assert_array_equal(own.values, analyzed.values)
    np.testing.assert_array_equal(own.unasked, analyzed.unasked)
    assert made[0].passage.text in index._analyzed._kept  # analyzed, and kept for next time


def test_stored_and_analyzed_sentences_give_the_same_features(index: Index) -> None:
    for question in (
        "When did Iran and Saudi Arabia restore ties?",
        "Who is Iraq's foreign minister?",
    ):
        read = read_question(question, index, limit=1_000)
        result = index.search(read.query, 12)
        stored = sentence_features(
            read,
            result.hits,
            index.analyzer,
            shares=index.sentence_shares(result.hits, read.weights, read.terms),
        )
        analyzed = sentence_features(read, result.hits, index.analyzer)
        assert len(stored.block) > len(result.hits) >= 2
        np.testing.assert_array_equal(stored.values, analyzed.values)


@pytest.mark.parametrize("picked", [[0, 2, 5], [1], [0, 1, 2, 3, 4, 5], [], [4, 5]])
def test_the_shares_of_some_hits_are_those_measured_on_them_alone(
    index: Index, picked: list[Any]
) -> None:
    question = "When did Iran and Saudi Arabia restore ties in Vienna?"
    result = index.search(question, 6)
    weights, order = result.question_terms, index.analyzer.terms(question)
    assert len(result.hits) == 6
    alone = index.sentence_shares([result.hits[p] for p in picked], weights, order)
    chosen = select(index.sentence_shares(result.hits, weights, order), picked)
    assert rows(chosen.block) == rows(alone.block)
    for name in ("hit", "number", "start", "end", "bounds", "codes"):
        np.testing.assert_array_equal(getattr(chosen.block, name), getattr(alone.block, name))
    np.testing.assert_array_equal(chosen.values, alone.values)
    np.testing.assert_array_equal(chosen.unasked, alone.unasked)


# Two passages: "Velm bridge crosses Orra. Opened 1932." and "Orra Velm. (nothing)".
BLOCK = from_sentences(
    [
        [(0, 10, ("velm", "bridg", "cross", "orra")), (11, 20, ("open", "1932"))],
        [(0, 8, ("orra", "velm")), (9, 12, ())],
    ]
)


def _shares(asked: list[str], weights: list[float], order: list[str]) -> SentenceShares:
    wanted = np.array([BLOCK.code_of(t) for t in asked])
    return measure(BLOCK, wanted, np.array(weights), question_pairs(order, asked))


def test_the_shares_each_sentence_holds_with_its_neighbours() -> None:
    # "velm" 0.5, "bridg" 0.25, "1932" 0.125, and a word no sentence holds 0.125
    found = _shares(["velm", "bridg", "1932", "absent"], [0.5, 0.25, 0.125, 0.125], [])
    assert found.share("carried").tolist() == [0.75, 0.125, 0.5, 0.0]
    assert found.share("with_previous").tolist() == [0.75, 0.875, 0.5, 0.5]
    assert found.share("with_next").tolist() == [0.875, 0.125, 0.5, 0.0]
    assert found.share("with_first").tolist() == [0.75, 0.875, 0.5, 0.5]
    assert found.share("in_passage").tolist() == [0.875, 0.875, 0.5, 0.5]
    assert found.unasked.tolist() == [2, 1, 1, 0]  # an empty sentence holds nothing else


def test_neighbours_count_as_the_question_orders_them_and_within_a_sentence() -> None:
    # pairs (velm, bridg) and (bridg, orra) -> None: "velm bridg" in the first sentence; "orra velm"
    # is the wrong way round; "orra" ends one sentence and nothing follows across sentences
    found = _shares(["velm", "bridg", "orra"], [0.5, 0.25, 0.25], ["velm", "bridg", "orra"])
    assert found.share("phrase").tolist() == [0.75, 0.0, 0.0, 0.0]
    assert found.share("joined").tolist() == [0.75, 0.0, 0.0, 0.0]
