"""bot/answer/conversation.py: which short messages follow up the last question, and how."""

import pytest

from corpusbot.bot.answer.conversation import Turn, follow_up, subject_of
from corpusbot.retrieval.analysis.analyzer import Analyzer, AnalyzerSettings

LAVROV = Turn("What did Lavrov say about the JCPOA?", at=1000.0)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(AnalyzerSettings.create("english", "english"))


@pytest.mark.parametrize(
    ("message", "question"),
    [
        ("who is he?", "who is Lavrov?"),
        ("What did she say?", "What did Lavrov say?"),
        ("and when?", "when Lavrov about the JCPOA"),
        ("why?", "why Lavrov about the JCPOA"),
        ("what about Russia?", "What did Lavrov say about Russia?"),
        ("tell me more", "tell me more Lavrov about the JCPOA"),  # a request, no subject
    ],
)
def test_a_message_without_a_subject_is_read_with_the_last_one(
    analyzer: Analyzer, message: str, question: str
) -> None:
    found = follow_up(message, LAVROV, analyzer, now=1060.0, window=600.0)
    assert found is not None and (found.question, found.about) == (question, "Lavrov")


@pytest.mark.parametrize(
    "message",
    [
        "hi",  # small talk
        "thanks a lot",
        "Who is Iraq's foreign minister?",  # a subject of its own: a new question
        "Portville tram line",
        "and when did the talks in Vienna resume after the long summer break?",  # too long
    ],
)
def test_anything_else_is_a_new_question(analyzer: Analyzer, message: str) -> None:
    assert follow_up(message, LAVROV, analyzer, now=1060.0, window=600.0) is None


def test_an_old_question_is_not_followed_up(analyzer: Analyzer) -> None:
    assert follow_up("and when?", LAVROV, analyzer, now=1601.0, window=600.0) is None
    assert follow_up("and when?", LAVROV, analyzer, now=1000.0, window=0.0) is None  # off
    assert follow_up("and when?", None, analyzer, now=1000.0, window=600.0) is None


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("What did the mayor say?", "the mayor"),
        ("What happened in Portville?", "Portville"),
        ("How many percent of the vote did Firefly win?", "Firefly"),
    ],
)
def test_the_subject_is_the_speaker_else_a_name_else_the_topic(
    analyzer: Analyzer, question: str, subject: str
) -> None:
    assert subject_of(question, analyzer) == subject


def test_it_stands_for_what_was_asked_about_and_he_for_the_person(analyzer: Analyzer) -> None:
    masks = Turn("How many surgical masks were stolen in Kobe?", at=1000.0)
    found = follow_up("who is investigating it?", masks, analyzer, now=1060.0, window=600.0)
    assert found is not None
    assert found.question == "who is investigating surgical masks were stolen in Kobe?"
    he = follow_up("what did he promise?", LAVROV, analyzer, now=1060.0, window=600.0)
    assert he is not None and he.question == "what did Lavrov promise?"
    # A pronoun beside a name of its own is a new question.
    assert (
        follow_up("is it true Macron resigned?", masks, analyzer, now=1060.0, window=600.0) is None
    )
