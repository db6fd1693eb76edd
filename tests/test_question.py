"""A question read once (bot/answer/question.py): what it carries, and that answering it never
analyses its text again."""

from __future__ import annotations

import pytest

from corpusbot.bot.answer.compose import answer_question
from corpusbot.bot.answer.question import read_question
from corpusbot.bot.answer.question_form import Form
from corpusbot.bot.app.service import Service

from .conftest import analysed_texts

LIMIT = 500


def test_a_question_carries_its_terms_with_the_index_s_weights(seeds_service: Service) -> None:
    index = seeds_service.index
    question = read_question("  Who is Iraq's   foreign minister?\x00", index, limit=LIMIT)
    assert question.text == "Who is Iraq's foreign minister?" and not question.cut
    assert question.terms == tuple(index.analyzer.terms(question.searched))
    assert question.weights == index.search(question.searched).question_terms
    assert [t for t in question.word_terms if t] == list(question.terms)
    assert len(question.words) == len(question.word_terms)


def test_the_frame_is_not_searched(seeds_service: Service) -> None:
    question = read_question("What did Borrell say about Iran?", seeds_service.index, limit=LIMIT)
    assert question.form.form is Form.SAY and question.form.speaker == "Borrell"
    assert "say" not in question.searched.split()
    assert question.cues.speech is not None


@pytest.mark.parametrize("text", ["", "   ", "hi", "thanks a lot!"])
def test_nothing_to_search_is_read_without_analysis(seeds_service: Service, text: str) -> None:
    question = read_question(text, seeds_service.index, limit=LIMIT)
    assert question.terms == () and question.weights == {}
    assert question.small_talk is bool(text.strip())


def test_a_long_question_is_cut(seeds_service: Service) -> None:
    question = read_question("Iraq " * 50, seeds_service.index, limit=20)
    assert question.cut and len(question.text) <= 20


@pytest.mark.parametrize(
    "asked",
    [
        "Who is Iraq's foreign minister?",
        "What did Lavrov say?",
        "When did Lavrov visit Tehran?",
        "Iran Russia cooperation",
    ],
)
def test_answering_a_question_never_analyses_its_text_again(
    seeds_service: Service, asked: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Once the question is read, the search, the coverage check and the sentence scores use
    # its terms: neither its text nor the text searched is analysed again.
    index = seeds_service.index
    question = read_question(asked, index, limit=LIMIT)
    analysed = analysed_texts(index.analyzer, monkeypatch)
    answer = answer_question(index, question, seeds_service.settings.answer)
    assert answer.answered
    assert question.searched not in analysed and question.text not in analysed


def test_the_cues_are_read_from_the_question_a_request_wraps(seeds_service: Service) -> None:
    # "Why ...?" asks a reason only at the question's start, which the request hid.
    asked = "do you know why Lavrov visited Tehran?"
    question = read_question(asked, seeds_service.index, limit=LIMIT)
    assert question.cues.reason and question.form.request == ("do you know",)
    assert "know" not in question.searched.split()
