"""A news question's frame (reporting and event verbs) read apart from its topic."""

import pytest

from corpusbot.retrieval.analyzer import Analyzer, AnalyzerSettings
from corpusbot.retrieval.question_form import Form, read_form, small_talk


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(AnalyzerSettings.create("english", "english"))


@pytest.mark.parametrize(
    ("question", "form", "frame", "speaker"),
    [
        ("What did the mayor say?", Form.SAY, ("say",), "the mayor"),
        ("What did the mayor said?", Form.SAY, ("said",), "the mayor"),
        ("What has Lavrov told reporters about the JCPOA?", Form.SAY, ("told",), "Lavrov"),
        ("What did Borrell demand Iran stop?", Form.SAY, ("demand",), "Borrell"),
        ("Who warned of a crisis?", Form.SAY, ("warned",), ""),
        ("What happened in Baghdad?", Form.HAPPENED, ("happened",), ""),
        ("What is happening in Portville?", Form.HAPPENED, ("happening",), ""),
    ],
)
def test_the_frame_is_read_apart_from_the_topic(
    analyzer: Analyzer, question: str, form: Form, frame: tuple[str, ...], speaker: str
):
    read = read_form(question, analyzer)
    assert (read.form, read.frame, read.speaker) == (form, frame, speaker)
    assert not set(frame) & set(read.topic.split())


@pytest.mark.parametrize(
    "question",
    [
        "What was media day called for Super Bowl 50?",  # a passive: "called" is its topic
        "Who were the announcers of Super Bowl 50?",  # a noun, not the verb "announce"
        "When did Tesla make these claims?",  # a noun after a determiner
        "Where can a lot of Tesla's writings be found?",
        "What did they say?",  # nothing but the frame: it stays searched
        "Lavrov said the talks went well",  # no question word: a statement, searched as it is
    ],
)
def test_what_is_no_frame_stays_the_topic(analyzer: Analyzer, question: str):
    read = read_form(question, analyzer)
    assert (read.form, read.topic) == (Form.OTHER, question)


def test_only_english_has_frame_verbs():
    french = Analyzer(AnalyzerSettings.create("french", "none"))
    assert read_form("What did the mayor say?", french).form is Form.OTHER


@pytest.mark.parametrize("message", ["hi", "Hello!", "thanks a lot", "Thank you so much!", "hey"])
def test_greetings_and_thanks_are_small_talk(message: str):
    assert small_talk(message)


@pytest.mark.parametrize("message", ["hi Lavrov", "thanks for the Baghdad news", "", "Hormuz"])
def test_a_message_with_a_topic_is_no_small_talk(message: str):
    assert not small_talk(message)
