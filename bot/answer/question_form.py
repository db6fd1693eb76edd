"""The frame of a news question, read apart from its topic.

"What did the mayor say about the tram line?" asks about the mayor and the tram line; "say" is
how it asks. So is "happened" in "What happened in Portville?". Searched as a topic, such a verb
either weighs the most (no article holds "happened") or matches every "said" of the corpus. A
question's frame words are the reporting verbs (say, tell, warn, urge, ...) and the verbs of
events (happen, occur), recognised by their lemma in any inflection (the analyzer folds "said"
and "told" to "say" and "tell"), and only where they frame: after "did", "has", "will" ... and
their subject, or as the question's verb ("Who warned ...?"; an event verb also after "is":
"What is happening in ..."). A passive ("What was the plan called?") or a noun ("the
announcers") is no frame. A frame word is dropped from the search when the question keeps a
term of its own without it.

The speaker of "What did X say ...?" is what the question asks about: when X names someone no
article mentions, the answer says so by name, however well the rest matches (bot/answer/compose.py).
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache

from corpusbot.bot.answer.answer_type import AnswerType, expected_type, units_asked
from corpusbot.bot.answer.request_frame import Request, read_request
from corpusbot.retrieval.analysis import Analyzer, lemmatizer

__all__ = [
    "Form",
    "QuestionCues",
    "QuestionForm",
    "SpeechCue",
    "is_frame_verb",
    "question_cues",
    "read_form",
    "small_talk",
    "speech_cue",
]

# English lemmas only: the list is of dictionary forms, and the analyzer folds every inflection
# onto them. Other languages search these verbs as topic words, as before.
REPORTING_VERBS = frozenset(
    [
        "say",
        "tell",
        "claim",
        "warn",
        "announce",
        "stress",
        "urge",
        "insist",
        "deny",
        "argue",
        "demand",
        "confirm",
        "explain",
        "declare",
        "suggest",
        "accuse",
        "comment",
        "remark",
        "reply",
        "respond",
        "emphasize",
        "emphasise",
        "underline",
        "vow",
        "pledge",
        "promise",
        "threaten",
        "criticize",
        "criticise",
        "condemn",
        "praise",
        "reiterate",
        "acknowledge",
        "admit",
        "mention",
        "predict",
        "propose",
        "reveal",
        "tweet",
        "report",
    ]
)
EVENT_VERBS = frozenset({"happen", "occur", "unfold", "transpire"})
# Auxiliaries after which a subject and then the frame verb follow: "what did X say"; an
# event verb also after a form of "be" ("what is happening in X"), a reporting verb not (there it
# is a passive: "what was the plan called").
_AUXILIARY = re.compile(r"\b(?:did|does|do|has|have|had|will|would)\b", re.IGNORECASE)
# "'s" has no word boundary before it at the start of what follows "what": matched as it is.
_BE = re.compile(r"(?:\b(?:is|are|was|were)|['’]s)\b", re.IGNORECASE)
_QUESTION_WORD = re.compile(r"^\s*(?:what|who|whom|why|when|where|how|which)\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# A subject is at most this many words ("the Russian foreign minister Sergey Lavrov").
_MAX_SUBJECT_WORDS = 6
_ENGLISH = frozenset({"english", "porter"})
_WHY = re.compile(r"^\s*(?:and\s+)?why\b", re.IGNORECASE)
# "How old is X?" asks a number that news writes without the adjective ("X, 51"): the adjective
# is how the question asks, not its topic. ("how long" and "how much" stay: they name a unit.)
_MEASURE = re.compile(r"\bhow\s+(old|far|tall|big|large|high|wide|deep)\b", re.IGNORECASE)
_WHO_IS = re.compile(
    r"^\s*who(?:\s+(?:is|was|are|were)|['’]s)\s+(?!the\b|a\b|an\b)(.+?)\s*[?.!]*\s*$",
    re.IGNORECASE,
)
# "Iran's foreign minister", "Portville's mayor": a possessive, then the role in common words
_ROLE = re.compile(r"['’]s\s+[a-z]")
_DETERMINERS = frozenset(
    [
        "the",
        "a",
        "an",
        "this",
        "that",
        "these",
        "those",
        "his",
        "her",
        "its",
        "their",
        "our",
        "your",
        "my",
        "quoted",
    ]
)
_GREETINGS = frozenset(
    [
        "hi",
        "hello",
        "hey",
        "hiya",
        "howdy",
        "yo",
        "greetings",
        "thanks",
        "thank",
        "thx",
        "ty",
        "cheers",
        "bye",
        "goodbye",
        "ok",
        "okay",
        "morning",
        "evening",
        "afternoon",
        "good",
        "great",
        "nice",
        "cool",
    ]
)
_COURTESY = frozenset({"you", "very", "much", "so", "there", "bot", "a", "lot", "all", "again"})


class Form(StrEnum):
    SAY = "say"  # what did X say (about Y)?
    HAPPENED = "what-happened"  # what happened in/to/at X?
    WHO = "who"  # who is X? (what X is: a role, an apposition)
    OTHER = "other"


@dataclass(frozen=True)
class QuestionForm:
    form: Form
    topic: str  # the question without its frame words: what to search
    frame: tuple[str, ...] = ()  # the frame words dropped, as written
    speaker: str = ""  # with Form.SAY: the subject of the reporting verb, as written
    subject: str = ""  # with Form.WHO: the one asked about, as written
    # The question without the request around it ("who won?" of "can you tell me who won?"),
    # what its cues are read from; "" when it has none (bot/answer/request_frame.py).
    asked: str = ""
    request: tuple[str, ...] = ()  # the request's words, as written ("can you", "tell me")


@dataclass(frozen=True)
class SpeechCue:
    """What marks a sentence as the answer to "What did X say?": a reporting verb's term, and
    X's terms near it (bot/answer/sentence_score.py)."""

    verbs: frozenset[str]
    speaker: frozenset[str]


@dataclass(frozen=True)
class QuestionCues:
    """What a sentence must offer to answer the question, read once from the question as asked
    (its topic alone has lost "how old" or "say"): the kind of answer and its units
    (bot/answer/answer_type.py), reported speech, a description of the one asked about, a
    reason."""

    kind: AnswerType
    units: tuple[re.Pattern[str], ...] = ()
    speech: SpeechCue | None = None
    described: frozenset[str] = frozenset()  # "Who is X?": X's terms
    reason: bool = False  # "Why ...?"


def question_cues(question: str, form: QuestionForm, analyzer: Analyzer) -> QuestionCues:
    """The cues of `question`, read as `form`."""
    described = frozenset(analyzer.terms(form.subject)) if form.form is Form.WHO else frozenset()
    # "Who is X?" wants what X is, not another name: the name cue is for "Who met X?".
    kind = AnswerType.ANY if described else expected_type(question)
    reason = analyzer.settings.language in _ENGLISH and bool(_WHY.search(question))
    return QuestionCues(kind, units_asked(question), speech_cue(form, analyzer), described, reason)


def speech_cue(form: QuestionForm, analyzer: Analyzer) -> SpeechCue | None:
    """The speech cue of a "say" question, None for other forms."""
    if form.form is not Form.SAY:
        return None
    return SpeechCue(_speech_terms(analyzer), frozenset(analyzer.terms(form.speaker)))


def _speech_terms(analyzer: Analyzer) -> frozenset[str]:
    """The analyzer's terms of the reporting verbs: a sentence holding one reports speech."""
    found = _speech_terms_of.get(analyzer)
    if found is None:
        found = frozenset(filter(None, map(analyzer.term, REPORTING_VERBS)))
        _speech_terms_of[analyzer] = found
    return found


# Per analyzer, held only while it lives: a reload's new analyzer gets its own.
_speech_terms_of: weakref.WeakKeyDictionary[Analyzer, frozenset[str]] = weakref.WeakKeyDictionary()


def small_talk(question: str) -> bool:
    """A greeting or thanks with nothing to search: "hi", "thanks a lot!", "good morning"."""
    # At most four words, each a greeting or a courtesy, one a greeting: read word by word, so
    # that a question (whose first or fifth word settles it) is not read to its end.
    greeted = False
    for count, match in enumerate(_WORD.finditer(question), start=1):
        word = match.group().casefold()
        if count > 4 or (word not in _GREETINGS and word not in _COURTESY):
            return False
        greeted = greeted or word in _GREETINGS
    return greeted


def read_form(question: str, analyzer: Analyzer) -> QuestionForm:
    """The frame of `question` and the topic left to search (the question itself when it has
    no frame word, or nothing but its frame), once the request around it is read off ("can you
    tell me what the mayor said?": the mayor, and what he said)."""
    english = analyzer.settings.language in _ENGLISH
    request = read_request(question) if english else Request(question)
    if request.question == question:
        return _framed(question, analyzer)
    if request.ongoing:  # "what's going on in Portville?": what happened there
        form = QuestionForm(Form.HAPPENED, request.question)
    else:
        form = _framed(request.question, analyzer, indirect=request.indirect)
    return replace(form, asked=request.question, request=request.words)


def _framed(question: str, analyzer: Analyzer, *, indirect: bool = False) -> QuestionForm:
    """`read_form` of a question with no request around it; `indirect`: it may be in a
    statement's order ("what the mayor said", after "tell me")."""
    # A frame follows the question word ("What did the mayor | say"): a question that opens
    # with none (a statement, a claim) has no frame, and its words need no lemma lookup.
    asking = _QUESTION_WORD.match(question) is not None
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(question)] if asking else []
    kinds = {w: _frame_kind(w[2], analyzer) for w in words}
    # The first frame only: a later one belongs to a clause ("... claimed that Luther said").
    framing = [
        w
        for w, kind in kinds.items()
        if kind is not None and _frames(question, w[0], kind, indirect=indirect)
    ][:1]
    measure = _MEASURE.search(question) if analyzer.settings.language in _ENGLISH else None
    if measure is not None:  # "How old is X?": the text says "X, 51", not "old"
        framing.append((measure.start(1), measure.end(1), measure.group(1)))
    if not framing:
        return _described(question, analyzer)
    topic = _without(question, sorted(framing))
    if not analyzer.terms(topic):  # "What did they say?": the frame is all there is to search
        return QuestionForm(Form.OTHER, question)
    if not any(kinds.get(w) for w in framing):  # a measure alone
        return replace(_described(topic, analyzer), frame=tuple(w[2] for w in framing))
    form = Form.SAY if any(kinds.get(w) is Form.SAY for w in framing) else Form.HAPPENED
    first = framing[0]
    speaker = _speaker(question, first[0]) if form is Form.SAY else ""
    return QuestionForm(form, topic, tuple(w[2] for w in framing), speaker)


def _described(question: str, analyzer: Analyzer) -> QuestionForm:
    """ "Who is X?" asks what X is: `Form.WHO`, with X as the subject; else `Form.OTHER`. "Who
    is Iran's foreign minister?" names a role, not someone: it asks a name, as "Who is the
    Russian foreign minister?" does."""
    asked = _WHO_IS.match(question) if analyzer.settings.language in _ENGLISH else None
    if asked is None or not analyzer.terms(asked.group(1)) or _ROLE.search(asked.group(1)):
        return QuestionForm(Form.OTHER, question)
    return QuestionForm(Form.WHO, question, subject=asked.group(1))


def is_frame_verb(word: str, analyzer: Analyzer) -> bool:
    """Whether `word` is a form of a reporting or event verb ("said", "happened")."""
    return _frame_kind(word, analyzer) is not None


def _frame_kind(word: str, analyzer: Analyzer) -> Form | None:
    """Whether `word` is an inflection of a reporting or event verb, by its lemma: "says" and
    "said" are forms of "say"; "announcers" is a form of "announcer", no verb."""
    if analyzer.settings.language not in _ENGLISH:
        return None
    settings = analyzer.settings
    return _kind_of(word.casefold(), settings.language if settings.lemmas else "")


@lru_cache(maxsize=65_536)  # a question's words recur: each is looked up once
def _kind_of(word: str, language: str) -> Form | None:
    """The frame kind of a case-folded word, by its lemma in `language` ("": no lemmas)."""
    lemma = lemmatizer(language) if language else None
    found = lemma(word) if lemma else word
    if found in REPORTING_VERBS:
        return Form.SAY
    return Form.HAPPENED if found in EVENT_VERBS else None


def _frames(question: str, at: int, kind: Form, *, indirect: bool = False) -> bool:
    """Whether the verb at `at` frames the question: right after the question word ("Who
    warned", "What happened"), or after an auxiliary that follows the question word, with a
    short subject between ("What did the mayor | say"); in an `indirect` question also with no
    auxiliary ("what the mayor | said")."""
    before = question[:at]
    asking = _QUESTION_WORD.match(before)
    if asking is None:
        return False
    rest = before[asking.end() :]
    if not rest.strip():
        return True
    auxiliary = _AUXILIARY.match(rest.lstrip()) or (
        _BE.match(rest.lstrip()) if kind is Form.HAPPENED else None
    )
    if auxiliary is None and not indirect:
        return False
    subject = rest.lstrip()[auxiliary.end() if auxiliary else 0 :].split()
    # After a determiner the word is a noun: "make the quoted remarks", "these claims".
    noun = bool(subject) and subject[-1].casefold() in _DETERMINERS
    return len(subject) <= _MAX_SUBJECT_WORDS and not noun


def _speaker(question: str, at: int) -> str:
    """The words between the auxiliary (or in an indirect question, the question word) and the
    reporting verb at `at`: "the mayor"."""
    rest = question[:at].lstrip()
    asking = _QUESTION_WORD.match(rest)
    rest = rest[asking.end() :].lstrip() if asking else rest
    auxiliary = _AUXILIARY.match(rest)
    return rest[auxiliary.end() if auxiliary else 0 :].strip()


def _without(question: str, words: list[tuple[int, int, str]]) -> str:
    kept, last = [], 0
    for start, end, _ in words:
        kept.append(question[last:start])
        last = end
    kept.append(question[last:])
    return " ".join("".join(kept).split())
