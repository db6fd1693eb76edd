"""The kind of answer a question asks for, and whether a sentence offers a new one."""

import pytest

from corpusbot.bot.answer import answer_type
from corpusbot.bot.answer.answer_type import (
    AnswerType,
    expected_type,
    offers,
    offers_unit,
    units_asked,
)
from corpusbot.retrieval.analysis.analyzer import Analyzer, AnalyzerSettings

ANALYZER = Analyzer(AnalyzerSettings.create("english", "english"))


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Who leads the new government?", AnswerType.NAME),
        ("Whose plan was adopted?", AnswerType.NAME),
        ("When did the embargo end?", AnswerType.DATE),
        ("In what year was the accord signed?", AnswerType.DATE),
        ("How many doses arrived?", AnswerType.NUMBER),
        ("What percentage of voters agreed?", AnswerType.NUMBER),
        ("Where was the conference held?", AnswerType.PLACE),
        ("Which city hosted the talks?", AnswerType.PLACE),
        ("What did the minister say?", AnswerType.ANY),
    ],
)
def test_the_question_word_gives_the_kind(question: str, kind: AnswerType) -> None:
    assert expected_type(question) is kind


def test_only_a_token_beyond_the_question_counts() -> None:
    asked = set(ANALYZER.terms("When did the embargo end in 2020?"))
    assert not offers(AnswerType.DATE, "The embargo ended in 2020.", asked, ANALYZER)
    assert offers(AnswerType.DATE, "The embargo of 2020 ended in October.", asked, ANALYZER)
    asked = set(ANALYZER.terms("Who met Borrell?"))
    # "Monday" is capitalised but not at the sentence start: a candidate name, as designed.
    assert offers(AnswerType.NAME, "He met Borrell on Monday", asked, ANALYZER)
    assert not offers(AnswerType.NAME, "they met Borrell there.", asked, ANALYZER)
    assert offers(AnswerType.NAME, "they met Borrell and Zarif.", asked, ANALYZER)


def test_numbers_and_places() -> None:
    asked = set(ANALYZER.terms("How many doses arrived?"))
    assert offers(AnswerType.NUMBER, "Half a million doses arrived.", asked, ANALYZER)
    assert not offers(AnswerType.NUMBER, "The doses arrived.", asked, ANALYZER)
    asked = set(ANALYZER.terms("Where was the meeting?"))
    assert offers(AnswerType.PLACE, "The meeting was held in Amman.", asked, ANALYZER)
    assert not offers(AnswerType.PLACE, "The meeting was held in secret.", asked, ANALYZER)
    assert not offers(AnswerType.ANY, "Anything at all in Amman, 2020.", asked, ANALYZER)


def test_a_sentence_of_places_offers_more_than_a_passing_place() -> None:
    asked = set(ANALYZER.terms("Where did the final take place?"))
    many = "The final was played at Velm Stadium in the Orra valley at Quorvia."
    one = "Fans in the Orra valley cheered the final."
    assert offers(AnswerType.PLACE, many, asked, ANALYZER) == 1.0
    assert offers(AnswerType.PLACE, one, asked, ANALYZER) == pytest.approx(1 / 3)


def test_to_before_a_capitalised_word_names_no_place() -> None:
    asked = set(ANALYZER.terms("Where did the final take place?"))
    sentence = "In addition to the Velm Trophy, the winner gets a medal."
    assert offers(AnswerType.PLACE, sentence, asked, ANALYZER) == 0.0


@pytest.mark.parametrize(
    ("question", "answers", "misses"),
    [
        (
            "How much did the museum pay for the vase?",
            "It was bought for $4 million.",
            "It cost 4.",
        ),
        ("How much money was raised?", "They raised £20,980.", "They raised 20,980 votes."),
        ("What percentage of voters agreed?", "Some 62% agreed.", "Some 62 voters agreed."),
        ("How much of the budget went to roads?", "One half went to roads.", "Roads got 3."),
        ("How long did the siege last?", "It lasted 72 days.", "It lasted until 1453."),
    ],
)
def test_a_quantity_asked_with_its_unit(question: str, answers: str, misses: str) -> None:
    units = units_asked(question)
    assert offers_unit(units, answers) == 1.0
    assert offers_unit(units, misses) == 0.0


def test_no_unit_is_asked_of_other_questions() -> None:
    assert units_asked("How many doses arrived?") == ()
    assert units_asked("Who paid for the bridge?") == ()


@pytest.mark.parametrize(
    "question",
    [
        "Whom did the council elect?",
        "WHEN did it open",
        "in what decade was it built?",
        "How far is the border?",
        "The plan cost how much money in the end?",
        "What share of the budget went to roads?",
        "percentages rose; which proportion stayed?",
        "The proportion of voters, how much of it changed?",
        "Tell me how long the strike lasted",
        "Vitamin D lowers the risk of fractures.",
        "Whoever wins, the howitzer stays in Whitby.",  # question words only inside others
    ],
)
def test_the_question_word_check_skips_no_pattern(question: str) -> None:
    # Every pattern the kinds and units read needs one of the words the quick check looks for.
    text = question.casefold()
    patterns = [answer_type._DATE_QUESTION, answer_type._NUMBER_QUESTION]
    patterns += [answer_type._PLACE_QUESTION, answer_type._NAME_QUESTION]
    patterns += [asked for asked, _ in answer_type._UNITS]
    if any(pattern.search(text) for pattern in patterns):
        assert answer_type._ASKING.search(text)
    else:
        assert expected_type(question) is AnswerType.ANY and units_asked(question) == ()


def test_news_dates_its_events_by_weekday() -> None:
    asked = set(ANALYZER.terms("When did Lavrov meet Rouhani?"))
    assert offers(AnswerType.DATE, "Lavrov met Rouhani in Tehran on Tuesday.", asked, ANALYZER)
    assert not offers(AnswerType.DATE, "Lavrov met Rouhani in Tehran.", asked, ANALYZER)


def test_a_place_may_follow_a_compass_word() -> None:
    asked = set(ANALYZER.terms("Where is the telescope?"))
    sentence = "The telescope in southern China passed its tests."
    assert offers(AnswerType.PLACE, sentence, asked, ANALYZER)
