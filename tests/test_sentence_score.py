"""Sentence scores in retrieved passages: the sentence that answers beats one that echoes."""

import numpy as np
import pytest

from corpusbot.bot.answer.question import Question
from corpusbot.bot.answer.question_form import question_cues, read_form
from corpusbot.bot.answer.respell import Rewritten
from corpusbot.bot.answer.sentence_score import sentence_scores, tightness
from corpusbot.retrieval.analysis.analyzer import Analyzer, AnalyzerSettings
from corpusbot.retrieval.index.bm25 import ArticleInfo, Hit, Query
from corpusbot.retrieval.reading.passages import Passage
from corpusbot.retrieval.storage.sentence_block import from_sentences

ANALYZER = Analyzer(AnalyzerSettings.create("english", "english"))
ARTICLE = ArticleInfo(1, "a", "A", "a.txt", None, None, None, 1)


def hit(text: str, score: float = 1.0) -> Hit:
    return Hit(Passage("a", 0, 0, len(text), text), ARTICLE, score, frozenset())


def asked(text: str) -> Question:
    """`text` read as a question whose every term weighs 1 (no index: no respelling)."""
    words = ANALYZER.words(text)
    word_terms = ANALYZER.terms_of(words)
    terms = tuple(t for t in word_terms if t)
    form = read_form(text, ANALYZER)
    return Question(
        text,
        False,
        small_talk=False,
        form=form,
        rewritten=Rewritten(text),
        words=tuple(words),
        word_terms=tuple(word_terms),
        query=Query(terms, dict.fromkeys(terms, 1.0), [], []),
        cues=question_cues(text, form, ANALYZER),
    )


def best_sentence(question: str, *passages: tuple[str, float]) -> str:
    hits = [hit(text, score) for text, score in passages]
    block, scores = sentence_scores(asked(question), hits, ANALYZER)
    top = int(np.argmax(scores))  # the first best, as max() takes it
    return hits[int(block.hit[top])].text[int(block.start[top]) : int(block.end[top])]


def test_a_sentence_that_only_repeats_the_question_loses_to_one_that_answers() -> None:
    text = (
        "The treaty was signed. Who signed the treaty remained secret for years. "
        "Ministers from Quorvia signed the treaty in Velm."
    )
    assert (
        best_sentence("Who signed the treaty?", (text, 1.0))
        == "Ministers from Quorvia signed the treaty in Velm."
    )


def test_the_kind_of_answer_decides_between_equal_matches() -> None:
    text = "The bridge opened to traffic. The bridge opened in 1932."
    assert best_sentence("When did the bridge open?", (text, 1.0)) == "The bridge opened in 1932."


def test_a_phrase_in_question_order_beats_scattered_words() -> None:
    text = "Red wine and blue cheese were served. Blue wine and red cheese were served."
    assert best_sentence("blue wine", (text, 1.0)) == "Blue wine and red cheese were served."


def test_no_hits_no_sentences() -> None:
    block, scores = sentence_scores(asked("anything"), [], ANALYZER)
    assert len(block) == len(scores) == 0


def test_a_sentence_that_answers_for_the_one_before_it_wins() -> None:
    # "He" is Manning: the answer sentence carries the question's names through its neighbour.
    text = "Peyton Manning played for Denver in 2015. He was 39 years old. The weather was cold."
    assert best_sentence("How old was Peyton Manning in 2015?", (text, 1.0)) == (
        "He was 39 years old."
    )


def test_a_passage_that_failed_the_relevance_check_counts_for_less() -> None:
    question = "Where was the treaty signed?"
    passages = [hit("The treaty was signed in Velm."), hit("The treaty was signed in Orsk.")]
    block, scores = sentence_scores(asked(question), passages, ANALYZER, relevant=[False, True])
    assert block.hit[np.argmax(scores)] == 1


def test_a_sum_of_money_answers_how_much_a_sale_brought() -> None:
    # squad-tune, Nikola_Tesla: both sentences name Wardenclyffe and a number; only one a sum.
    text = (
        "In 1917, around the time that the Wardenclyffe Tower was demolished by Boldt to make "
        "the land a more viable real estate asset, Tesla received AIEE's highest honor, the "
        "Edison Medal. Eventually, he sold Wardenclyffe for $20,000 ($472,500 in today's dollars)."
    )
    assert best_sentence(
        "How much did Tesla receive from the sale of Wardenclyffe?", (text, 1.0)
    ) == ("Eventually, he sold Wardenclyffe for $20,000 ($472,500 in today's dollars).")


def test_the_question_words_close_together_beat_the_same_words_spread_out() -> None:
    # squad-tune, Nikola_Tesla: both sentences hold "Tesla", "Graz" and a date; in the answer
    # the two names stand two words apart ("Tesla left Graz"), in the other four.
    text = (
        "In 1875, Tesla enrolled at Austrian Polytechnic in Graz, Austria, on a Military "
        "Frontier scholarship. In December 1878, Tesla left Graz and severed all relations with "
        "his family to hide the fact that he dropped out of school."
    )
    assert best_sentence("When did Tesla depart Graz?", (text, 1.0)) == (
        "In December 1878, Tesla left Graz and severed all relations with his family to hide "
        "the fact that he dropped out of school."
    )


def test_tightness_is_distinct_question_terms_over_their_shortest_run() -> None:
    # "a b x a" holds a and b within two terms: 2 / 2; "x y" holds none; "a x b y c a" holds
    # all three within four ("b y c a") -> None: 3 / 4.
    block = from_sentences([[(0, 5, ("a", "b", "x", "a")), (6, 9, ("x", "y"))], [(0, 1, ("b",))]])
    assert tightness(block, {"a": 1.0, "b": 1.0}).tolist() == [1.0, 0.0, 1.0]
    block = from_sentences([[(0, 5, ("a", "x", "b", "y", "c", "a"))]])
    assert tightness(block, {"a": 1.0, "b": 1.0, "c": 1.0}).tolist() == [0.75]


@pytest.mark.parametrize(
    "sentence",
    [
        "The protest started when President Macron announced an increase in fuel taxes.",
        "Adding the birch tar would allow the user to hold the tool comfortably.",
        "The reason for that decline is simple: the country burns less coal.",
        "Growth was driven by exports to Asia.",
        "The port closed because of the storm.",
        "New software enables drivers to book a slot.",
    ],
)
def test_a_sentence_that_gives_a_reason_or_a_purpose_is_one_for_why(sentence: str) -> None:
    from corpusbot.bot.answer.sentence_score import _BECAUSE

    assert _BECAUSE.search(sentence)


@pytest.mark.parametrize(
    "sentence",
    ["The protest lasted three weeks.", "Users may allow cookies.", "The talks began in May."],
)
def test_a_sentence_without_one_is_none(sentence: str) -> None:
    from corpusbot.bot.answer.sentence_score import _BECAUSE

    assert not _BECAUSE.search(sentence)
