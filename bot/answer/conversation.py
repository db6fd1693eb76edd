"""Follow-ups typed as new messages: "and when?", "who is he?", "why?", "what about Russia?".

A short message with no subject of its own, sent by the same person in the same chat soon after
a question, is read with that question's subject: "who is he?" after "What did Lavrov say about
the JCPOA?" asks "who is Lavrov?", and "and when?" asks when, about Lavrov and the JCPOA. "What
about X?" keeps the earlier question's frame with X as its topic. Anything with a subject of its
own is a new question. No `telegram` import: the Telegram layer keeps each person's last
question (`Turn`) and asks `follow_up` what to search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpusbot.bot.answer.question_form import Form, is_frame_verb, read_form, small_talk
from corpusbot.bot.answer.request_frame import read_request
from corpusbot.retrieval.analysis import Analyzer

__all__ = ["FollowUpQuestion", "Turn", "follow_up"]

# Pronouns a follow-up points back with; the earlier question's subject takes their place.
_PRONOUN = re.compile(
    r"\b(?:he|she|they|him|her|them|his|hers|their|theirs|it|its|this|that)\b", re.IGNORECASE
)
_PERSON = re.compile(r"he|she|him|her|his|hers", re.IGNORECASE)
_LEAD = re.compile(r"^\s*(?:and|but|so|then|also|ok|okay)\b[\s,]*", re.IGNORECASE)
_WHAT_ABOUT = re.compile(r"^\s*(?:and\s+)?(?:what|how)\s+about\s+(.+?)\s*[?.!]*\s*$", re.IGNORECASE)
# The opening of a question, before its topic: "What did", "Who is", "When was" ...
_OPENING = re.compile(
    r"^\s*(?:what|who|whom|whose|which|why|when|where|how(?:\s+many|\s+much)?)\b"
    r"(?:\s+(?:did|does|do|is|are|was|were|has|have|had|will|would))?\s*",
    re.IGNORECASE,
)
# A name: capitalised words in a row, not the message's first word.
_NAME = re.compile(r"(?<=\s)[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*")
MAX_FOLLOW_UP_WORDS = 6


@dataclass(frozen=True)
class Turn:
    """A person's last question in a chat, and when they asked it (Unix time)."""

    question: str
    at: float


@dataclass(frozen=True)
class FollowUpQuestion:
    question: str  # what to search: the follow-up read with the earlier subject
    about: str  # the earlier question's subject, for the reply's "About …" line


def follow_up(
    message: str, earlier: Turn | None, analyzer: Analyzer, *, now: float, window: float
) -> FollowUpQuestion | None:
    """`message` read as a follow-up of `earlier`, or None when it is a new question (or
    small talk, or `earlier` is older than `window` seconds; a window of 0 turns follow-ups
    off)."""
    if earlier is None or window <= 0 or now - earlier.at > window or small_talk(message):
        return None
    if len(message.split()) > MAX_FOLLOW_UP_WORDS:
        return None
    subject = subject_of(earlier.question, analyzer)
    if not subject:
        return None
    about = _WHAT_ABOUT.match(message)
    if about is not None:  # the earlier frame, a new topic
        form = read_form(earlier.question, analyzer)
        if form.form is Form.SAY and form.speaker:
            return FollowUpQuestion(f"What did {form.speaker} say about {about.group(1)}?", subject)
        return FollowUpQuestion(f"{about.group(1)} {subject}", subject)
    asked = _LEAD.sub("", message).strip()
    pronoun = _PRONOUN.search(asked)
    # Words of its own make a new question, unless a pronoun points back and no name is new:
    # "who is investigating it?" asks about what the last question asked about.
    if _has_subject(message, analyzer) and (pronoun is None or _NAME.search(f" {asked}")):
        return None
    if pronoun is not None:
        # "he", "she" stand for a person: the subject; "it", "this", "they" for what was
        # asked about: "who is investigating it?" after "How many masks were stolen in Kobe?"
        # asks about the stolen masks, not about Kobe.
        person = _PERSON.fullmatch(pronoun.group())
        stands_for = subject if person else _topic(earlier.question, analyzer) or subject
        return FollowUpQuestion(_PRONOUN.sub(stands_for, asked, count=1), subject)
    return FollowUpQuestion(f"{asked.rstrip('?!. ')} {_topic(earlier.question, analyzer)}", subject)


def subject_of(question: str, analyzer: Analyzer) -> str:
    """What `question` asks about: the speaker of "What did X say", else its first name, else
    its topic words."""
    form = read_form(question, analyzer)
    if form.form is Form.SAY and analyzer.terms(form.speaker):
        return form.speaker
    name = _NAME.search(form.topic)  # never the first word: it needs a space before it
    if name is not None and analyzer.terms(name.group()):
        return name.group()
    return _topic(question, analyzer)


def _has_subject(message: str, analyzer: Analyzer) -> bool:
    """Whether `message` holds a word of its own to search, frame verbs and the request around
    it aside ("what did she say?" and "tell me more" hold none)."""
    words = [w.strip("?!.,;:") for w in read_request(message).question.split()]
    kept = [w for w in words if not is_frame_verb(w, analyzer) and not _PRONOUN.fullmatch(w)]
    return bool(analyzer.terms(" ".join(kept)))


def _topic(question: str, analyzer: Analyzer) -> str:
    """The question's topic words: without its frame verbs and its opening ("What did")."""
    topic = read_form(question, analyzer).topic
    return _OPENING.sub("", topic, count=1).rstrip("?!. ")
