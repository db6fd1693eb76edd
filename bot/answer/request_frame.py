"""The request around a question, read off its start: "Can you tell me about the strike?",
"any news on the ferry?", "what's going on in Portville?", "hi, what did the mayor say?".

People ask a bot as they would ask a person. Searched as words, a request's own ("tell", "me",
"know", "news", "going") weigh the most, since few articles hold them, and a question whose topic
the articles cover well is refused. So the request is read off the start of an English question
(other languages are searched as written, as with the frames of bot/answer/question_form.py),
leaving the question it wraps: "the strike", "what did the mayor say?". A request of nothing but
itself ("tell me more") leaves nothing to search.

What is left may be an indirect question, in a statement's order: "tell me what the mayor said",
"do you know who Raquel Montoya-Lewis is". The frame reading is told so (`indirect`), and "who
X is" is put back in a question's order. "What's going on in X", "what's new with X" and the
like ask what happened there (`ongoing`). Apostrophe-less contractions of the question words
("whats", "hows") are read as written with one ("what's", "how's").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Request", "read_request"]

# Each pattern is a request's opening, matched at the question's start (case-insensitively),
# read off again and again: "hi, can you please tell me about" is a greeting, a "can you",
# a "please" and a "tell me about". Beside each: whether what follows it may be an indirect
# question ("tell me | what the mayor said"), not only a topic ("any news on | the strike").
_YOU = r"(?:you|u|ya)"
_ME = r"(?:me|us)"
_ABOUT = r"(?:about|on|regarding|concerning|re:?|of|for|with)"
_NEWS = (
    r"(?:news|updates?|info|information|details?|word|articles?|stories|story|reports?|coverage"
    r"|background|headlines?|summary|overview|rundown|lowdown|facts|latest|anything|something"
    r"|everything|more)"
)
_SOME = r"(?:(?:any|some|the|a|an|all|more|other|recent|further)\s+)*"
_OPENINGS: tuple[tuple[str, bool], ...] = (
    # "hi,", "hey there", "ok so": a greeting or a filler before the question
    (
        r"(?:hi|hello|hey|hiya|yo|howdy|greetings|ok|okay|alright)(?:\s+there)?(?:\s+bot)?"
        r"(?=[\s,!.:;])[\s,!.:;]*",  # not "Yo-Yo Ma"
        False,
    ),
    (r"so\b[\s,]*(?=(?:what|who|whom|whose|which|why|when|where|how)\b)", False),
    (
        r"(?:(?:a\s+)?quick\s+question|question|sorry|excuse\s+me|btw|by\s+the\s+way)\s*[,:;!-]\s*",
        False,
    ),
    (r"(?:please|pls|plz|kindly)\b[\s,]*", False),
    # "can you", "could you please": only before what a request asks of the bot, which says
    (
        rf"(?:can|could|would|will)\s+{_YOU}\s+(?:please\s+|pls\s+|kindly\s+)?"
        r"(?=(?:tell|give|show|find|get|send|fill|let|explain|summari[sz]e|describe|outline)\b)",
        False,
    ),
    # "tell me about", "give me an update on", "show me news about", "tell me what ..."
    (rf"(?:tell|give|show|find|get|send)\s+{_ME}\s+(?:{_SOME}{_NEWS}\s*)?(?:{_ABOUT}\b\s*)?", True),
    (rf"fill\s+{_ME}\s+in(?:\s+{_ABOUT})?\b\s*", False),
    # "catch me up on", "update me on", "bring me up to speed on"; "remind me (of) what ..."
    (
        rf"(?:catch|update|brief|walk|bring)\s+{_ME}\s+(?:up\s+to\s+speed\s+|up\s+)?"
        rf"(?:(?:on|about|with|through|of|regarding)\b\s*)?",
        False,
    ),
    (rf"remind\s+{_ME}\s+(?:up\s+)?(?:(?:on|about|with|through|of|regarding)\b\s*)?", True),
    # "can I get an update on", "could we have the details of"
    (
        rf"(?:can|could|may)\s+(?:i|we)\s+(?:get|have|see|read|hear)\s+(?:{_SOME}{_NEWS}\s*)?"
        rf"(?:{_ABOUT}\b\s*)?",
        False,
    ),
    (rf"let\s+{_ME}\s+know(?:\s+{_ABOUT})?\b\s*", True),
    (
        rf"(?:explain|summari[sz]e|describe|outline)(?:\s+to\s+{_ME})?\s+"
        rf"(?:(?:the|a)\s+)?(?:(?:news|story|details|findings|situation)\s+{_ABOUT}\s+)?",
        True,
    ),
    # "do you know (anything) about", "what do you have on", "what can you tell me about"
    (
        rf"(?:do|did|would)\s+{_YOU}\s+(?:happen\s+to\s+)?(?:know|have)\s+(?:{_SOME}{_NEWS}\s+)?"
        rf"(?:{_ABOUT}\b\s*)?",
        True,
    ),
    (
        rf"what\s+(?:else\s+)?(?:do|can|could)\s+{_YOU}\s+(?:know|have|tell\s+{_ME}|say|find)"
        rf"\s+{_ABOUT}\b\s*",
        False,
    ),
    (
        rf"(?:have|did)\s+{_YOU}\s+(?:heard|got|seen|read)\s+(?:{_SOME}{_NEWS}\s+)?"
        rf"(?:{_ABOUT}\b\s*)?",
        True,
    ),
    (rf"(?:is|are)\s+there\s+{_SOME}{_NEWS}\s+{_ABOUT}\b\s*", False),
    # "I'd like to know more about", "I want to know", "I'm curious about", "I wonder"
    (
        rf"(?:i|we)\s*(?:['’]d|would|['’]m|am|are|was|were)?\s*(?:like|want|wanna|need|wish|love|"
        rf"trying|looking|interested|curious|wondering)\s+(?:to\s+)?(?:know|learn|hear|read|find\s+out"
        rf"|for|in)?\s*(?:{_SOME}{_NEWS}\s+)?(?:{_ABOUT}\b\s*)?",
        True,
    ),
    # the same with no "I" ("need info on", "looking for news about", "wondering why"), only
    # when what follows says it is a wish to know: "Love Island" asks about the show
    (
        rf"(?:(?:would\s+)?(?:like|want|love|need)\s+to\s+(?:know|learn|hear|read|find\s+out)"
        rf"|wanna\s+(?:know|learn|hear|read|find\s+out)|looking\s+for|interested\s+in"
        rf"|curious\s+(?:about|to\s+know)|wondering(?=\s+(?:what|who|why|when|where|how|whether|if"
        rf"|about)\b)|(?:need|want)(?=\s+{_SOME}{_NEWS}\s+{_ABOUT}\b))\b"
        rf"\s*(?:{_SOME}{_NEWS}\s+)?(?:{_ABOUT}\b\s*)?",
        True,
    ),
    (r"(?:i|we)\s+(?:wonder|was\s+wondering)\b\s*", True),
    # "any idea why", "got any idea who"
    (
        rf"(?:(?:do\s+{_YOU}\s+have|got|have\s+{_YOU}\s+got)\s+)?any\s+ideas?\s+(?:{_ABOUT}\b\s*)?",
        True,
    ),
    # "any news on", "updates on", "info about": news asked for by its topic
    (rf"{_SOME}{_NEWS}\s+{_ABOUT}\s+", True),
    (rf"(?:anything|something)\s+new\s+{_ABOUT}\s+", False),
)
# One pattern of them all, each opening a named group: the group that matched is the opening.
_OPENING = re.compile(
    "|".join(f"(?P<o{n}>{pattern})" for n, (pattern, _) in enumerate(_OPENINGS)), re.IGNORECASE
)
_INDIRECT = {f"o{n}": indirect for n, (_, indirect) in enumerate(_OPENINGS)}
# "what's going on in X", "what is new with X", "what's the story with X": what happened there
# ("what is happening in X" is a frame of its own: bot/answer/question_form.py)
_ONGOING = re.compile(
    r"^what(?:['’]s|\s+is|\s+are)\s+(?:going\s+on|up|new|the\s+(?:latest|news|story"
    r"|deal|situation|status|update|scoop))\b\s*(?:(?:with|in|at|on|about|for|to|of|regarding|over)\b"
    r"\s*)?",
    re.IGNORECASE,
)
# ", please?" or "please" at the end, and thanks after a comma ("..., thanks"): "Why did Lavrov
# say thank you?" asks about the thanks.
_CLOSING = re.compile(
    r"(?:[\s,]*+\b(?:please|pls|plz)|\s*,\s*(?:thanks|thank\s+you|thx|ty)|\s+(?:to|for)\s+me)\b"
    r"[\s.!]*(?=[?]*\s*$)",
    re.IGNORECASE,
)
_CONTRACTION = re.compile(r"\b(what|who|where|when|how|why|that|there)s\b", re.IGNORECASE)
# "who Raquel Montoya-Lewis is": "who is Raquel Montoya-Lewis"
_WHO_INDIRECT = re.compile(r"^(who|what)\s+(.+?)\s+(is|was|are|were)\s*([?.!]*)\s*$", re.IGNORECASE)
# A question is read off this many openings at most: each one read makes it shorter anyway.
MAX_OPENINGS = 8


@dataclass(frozen=True)
class Request:
    """A question read apart from the request around it."""

    question: str  # the question the request wraps, as written ("what did the mayor say?")
    words: tuple[str, ...] = ()  # the request's words, as written ("can you tell me")
    indirect: bool = False  # `question` may be in a statement's order ("what the mayor said")
    ongoing: bool = False  # it asks what is going on, new or happening in `question`


def read_request(question: str) -> Request:
    """`question` read apart from the request around it; itself when it has none."""
    text = _CONTRACTION.sub(lambda m: f"{m.group(1)}'s", question).strip()
    read: list[str] = []
    indirect = False
    for _ in range(MAX_OPENINGS):
        opening = _OPENING.match(text)
        if opening is None or not opening.group().strip():
            break
        read.append(opening.group().strip(" ,!.:;-"))
        indirect = indirect or _INDIRECT[str(opening.lastgroup)]
        text = text[opening.end() :]
    ongoing = _ONGOING.match(text)
    if ongoing is not None:
        read.append(ongoing.group().strip())
        text = text[ongoing.end() :]
    text = _CLOSING.sub("", text).strip()
    if indirect:
        text = _WHO_INDIRECT.sub(r"\1 \3 \2\4", text)
    if not read and text == question.strip():
        return Request(question)
    return Request(text, tuple(read), indirect, ongoing is not None)
