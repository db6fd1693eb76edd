"""A news question's frame (reporting and event verbs) read apart from its topic."""

import pytest

from corpusbot.bot.answer.answer_type import AnswerType
from corpusbot.bot.answer.question_form import Form, question_cues, read_form, small_talk
from corpusbot.retrieval.analysis.analyzer import Analyzer, AnalyzerSettings


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
) -> None:
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
def test_what_is_no_frame_stays_the_topic(analyzer: Analyzer, question: str) -> None:
    read = read_form(question, analyzer)
    assert (read.form, read.topic) == (Form.OTHER, question)


def test_only_english_has_frame_verbs() -> None:
    french = Analyzer(AnalyzerSettings.create("french", "none"))
    assert read_form("What did the mayor say?", french).form is Form.OTHER


@pytest.mark.parametrize("message", ["hi", "Hello!", "thanks a lot", "Thank you so much!", "hey"])
def test_greetings_and_thanks_are_small_talk(message: str) -> None:
    assert small_talk(message)


@pytest.mark.parametrize(
    "message",
    ["hi Lavrov", "thanks for the Baghdad news", "", "Hormuz", "thank you so very much again"],
)
def test_a_message_with_a_topic_is_no_small_talk(message: str) -> None:
    assert not small_talk(message)


def test_how_old_asks_a_number_without_searching_old(analyzer: Analyzer) -> None:
    read = read_form("How old is Raquel Montoya-Lewis?", analyzer)
    assert read.frame == ("old",) and "old" not in read.topic.split()


@pytest.mark.parametrize(
    ("question", "subject"),
    [("Who is Fuad Hussein?", "Fuad Hussein"), ("Who was Philip I?", "Philip I")],
)
def test_who_is_x_asks_what_x_is(analyzer: Analyzer, question: str, subject: str) -> None:
    read = read_form(question, analyzer)
    assert (read.form, read.subject) == (Form.WHO, subject)


def test_who_is_the_minister_asks_a_name(analyzer: Analyzer) -> None:
    assert read_form("Who is the Russian foreign minister?", analyzer).form is Form.OTHER


def test_the_cues_come_from_the_question_as_asked(analyzer: Analyzer) -> None:
    question = "How old is Raquel Montoya-Lewis?"
    cues = question_cues(question, read_form(question, analyzer), analyzer)
    assert cues.kind is AnswerType.NUMBER  # though its topic has lost "how old"
    who = question_cues("Who is Di Li?", read_form("Who is Di Li?", analyzer), analyzer)
    assert who.kind is AnswerType.ANY and who.described == frozenset({"di", "li"})
    why = "Why did emissions fall?"
    assert question_cues(why, read_form(why, analyzer), analyzer).reason


def test_an_event_verb_after_an_apostrophe_s_frames_the_question(analyzer: Analyzer) -> None:
    # "'s" has no word boundary before it where it follows "what": it was read as no "be", so
    # "happening" stayed a search term that no article holds.
    read = read_form("What's happening in Portville?", analyzer)
    assert (read.form, read.frame) == (Form.HAPPENED, ("happening",))


@pytest.mark.parametrize("question", ["who's Mara Quint", "whos Mara Quint"])
def test_who_s_x_asks_what_x_is(analyzer: Analyzer, question: str) -> None:
    read = read_form(question, analyzer)
    assert (read.form, read.subject) == (Form.WHO, "Mara Quint")


@pytest.mark.parametrize(
    ("question", "form", "topic", "speaker"),
    [
        ("tell me about Mara Quint", Form.OTHER, "Mara Quint", ""),
        (
            "can you tell me what the mayor said about the bridge?",
            Form.SAY,
            "what the mayor about the bridge?",
            "the mayor",
        ),
        ("hi, what did the mayor say?", Form.SAY, "what did the mayor ?", "the mayor"),
        ("what's going on in Portville?", Form.HAPPENED, "Portville?", ""),
        ("do you know who Raquel Montoya-Lewis is?", Form.WHO, "who is Raquel Montoya-Lewis?", ""),
    ],
)
def test_the_request_around_a_question_is_no_topic(
    analyzer: Analyzer, question: str, form: Form, topic: str, speaker: str
) -> None:
    read = read_form(question, analyzer)
    assert (read.form, read.topic, read.speaker) == (form, topic, speaker)
    assert read.request and read.asked


def test_only_english_requests_are_read() -> None:
    french = Analyzer(AnalyzerSettings.create("french", "none"))
    read = read_form("tell me about Mara Quint", french)
    assert (read.topic, read.request) == ("tell me about Mara Quint", ())


@pytest.mark.parametrize("question", ["Who is Iran's foreign minister?", "who's Portville's mayor"])
def test_who_is_a_role_is_no_one_described(analyzer: Analyzer, question: str) -> None:
    read = read_form(question, analyzer)
    assert (read.form, read.subject) == (Form.OTHER, "")
