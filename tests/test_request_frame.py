"""The request around a question ("can you tell me about", "any news on") read off its start."""

import pytest

from corpusbot.bot.answer.request_frame import Request, read_request


@pytest.mark.parametrize(
    ("question", "asked", "words"),
    [
        ("tell me about Mara Quint", "Mara Quint", ("tell me about",)),
        ("tell me more about Dezuka Suisan", "Dezuka Suisan", ("tell me more about",)),
        (
            "Could you please tell me what the mayor said?",
            "what the mayor said?",
            ("Could you please", "tell me"),
        ),
        ("give me an update on the strike", "the strike", ("give me an update on",)),
        ("show me news about the heatwave", "the heatwave", ("show me news about",)),
        ("what do you know about the dock strike", "the dock strike", ("what do you know about",)),
        ("do you know anything about the ferry?", "the ferry?", ("do you know anything about",)),
        ("i'd like to know more about Mara Quint", "Mara Quint", ("i'd like to know more about",)),
        ("I'm curious about the reservoir", "the reservoir", ("I'm curious about",)),
        ("Is there any news about the strike?", "the strike?", ("Is there any news about",)),
        ("info on the water rationing", "the water rationing", ("info on",)),
        ("hi, what did the mayor say?", "what did the mayor say?", ("hi",)),
        ("ok, who appointed Montoya-Lewis?", "who appointed Montoya-Lewis?", ("ok",)),
        (
            "please summarize the findings about the tool",
            "the tool",
            ("please", "summarize the findings about"),
        ),
        ("Who is Mara Quint, please?", "Who is Mara Quint?", ()),
    ],
)
def test_the_request_is_read_off_the_question(
    question: str, asked: str, words: tuple[str, ...]
) -> None:
    read = read_request(question)
    assert (read.question, read.words) == (asked, words)


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("whats going on with the old mill bridge", "the old mill bridge"),
        ("what's up with the ferry", "the ferry"),
        ("What is new in Portville?", "Portville?"),
        ("what's the story with the stolen masks", "the stolen masks"),
        ("What is the status of the repairs?", "the repairs?"),
    ],
)
def test_what_is_going_on_asks_what_happened(question: str, asked: str) -> None:
    read = read_request(question)
    assert (read.question, read.ongoing) == (asked, True)


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("can you tell me who Raquel Montoya-Lewis is?", "who is Raquel Montoya-Lewis?"),
        ("do you know why the port closed?", "why the port closed?"),
        ("tell me what happened in Portville", "what happened in Portville"),
        # indirect after each verb that may take one, "would you" or "could you" before it
        ("could you describe what the mayor said", "what the mayor said"),
        ("remind me what the mayor said", "what the mayor said"),
    ],
)
def test_what_follows_a_request_may_be_an_indirect_question(question: str, asked: str) -> None:
    read = read_request(question)
    assert (read.question, read.indirect) == (asked, True)


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("Quick question: who won the election?", "who won the election?"),
        ("I was wondering what the mayor said", "what the mayor said"),
        ("Can I get an update on the strike?", "the strike?"),
        ("Need info on the reservoir", "the reservoir"),
        ("Looking for news on the lantern festival", "the lantern festival"),
        ("Any idea why the port closed?", "why the port closed?"),
        ("Explain the strike to me", "strike"),
        ("catch me up on the strike", "the strike"),
        ("bring me up to speed on the talks", "the talks"),
        ("Anything new on the terminal?", "the terminal?"),
        ("What can you find about the dredging?", "the dredging?"),
    ],
)
def test_more_ways_of_asking(question: str, asked: str) -> None:
    assert read_request(question).question == asked


def test_a_request_of_nothing_else_leaves_nothing_to_search() -> None:
    assert read_request("tell me more").question == ""


def test_contractions_typed_without_their_apostrophe_are_read_with_it() -> None:
    assert read_request("whos Mara Quint").question == "who's Mara Quint"


@pytest.mark.parametrize(
    "question",
    [
        "What did the mayor say?",
        "What did the report say?",
        "Why did Lavrov say thank you?",  # the thanks is what it asks about
        "How many cars cross the bridge?",
        "I heard the bridge reopened?",  # no request: "heard" is no wish to know
        "Tell-tale signs of a strike",
        "Love Island winners",  # no wish to know follows: a name
        "Yo-Yo Ma's concert",
        "Need for regional cooperation",
        "Interested parties in the deal",
        "",
    ],
)
def test_a_question_with_no_request_is_itself(question: str) -> None:
    assert read_request(question) == Request(question)
