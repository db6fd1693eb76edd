"""Example questions for /start, /help and the empty-question reply, made from the corpus.

A question is made from one sentence of an article, in one of two shapes:

- "Who is Iraq's foreign minister?" from "... Iraq's Foreign Minister Fuad Hussein ...": a title,
  whose title it is (a possessive or a nationality) before it and a name after it;
- "What did Lavrov say about Iran?" from "... Lavrov said ..." with another name in the sentence.

A question is offered only if asking it answers with a first quote from the sentence's article
that names the person. Headlines and cut sentences are never offered: when the corpus yields no
question that passes, there are no examples at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from corpusbot.bot.answer.compose import Answer
from corpusbot.retrieval.analysis import sentence_spans
from corpusbot.retrieval.index import Index

# Work is bounded whatever the corpus size: articles read, and questions asked to check them.
MAX_ARTICLES_READ = 200
MAX_QUESTIONS_ASKED = 40
MAX_QUESTION_CHARS = 80  # longer questions do not fit on a button

_WORD = r"[A-Z][a-z]+"
_NAME = rf"{_WORD}(?:[- ]{_WORD}){{0,3}}"
_CAPITALISED = r"(?:[A-Z][a-z]+|[A-Z]{2,})"  # topics may be acronyms: "NATO", "NBC Blue"
_QUALIFIERS = (
    r"Foreign|Prime|Deputy|Defense|Defence|Interior|Finance|Health|Economy|Vice|"
    r"Chief|Supreme|General|Caretaker|Acting"
)
_TITLES = (
    r"Minister|President|Ambassador|Spokesman|Spokeswoman|Spokesperson|Secretary|"
    r"Director|Envoy|Commander|Speaker|Governor|Chancellor|Mayor|Chairman|Chairwoman|"
    r"Leader|King|Queen"
)
# "Iraq's Foreign Minister Fuad Hussein", "Russian Foreign Minister Sergey Lavrov".
ROLE = re.compile(
    rf"\b(?P<owner>{_WORD}(?:['’]s)?) (?P<title>(?:(?:{_QUALIFIERS}) )*"
    rf"(?:{_TITLES})) (?P<name>{_NAME})"
)
# "Lavrov said", "Ali Baqeri stressed"; not "... announced by Milton Cross".
REPORTED = re.compile(
    rf"\b(?P<name>{_NAME}) (?:said|says|stated|stressed|emphasized|emphasised|"
    r"noted|added|told|warned|announced|urged|explained|insisted)\b(?! by\b)"
)
PROPER_NAME = re.compile(rf"\b{_CAPITALISED}(?:[- ]{_CAPITALISED}){{0,3}}\b")
# Nationality adjectives: Iranian, Chinese, Turkish, Iraqi, French.
NATIONALITY = re.compile(r"(?:an|ese|ish|i|ch)$")
# Capitalised words that are no one's name: weekdays, months, pronouns, institutions.
_NOT_NAMES = """Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March
April May June July August September October November December He She It They We You This That
These Those The His Her Its Their Our Ministry Office Department Agency Government Embassy
Statement Report"""
NOT_NAMES = frozenset([*_NOT_NAMES.split(), *_QUALIFIERS.split("|"), *_TITLES.split("|")])
# Words that come before a name without being part of it ("Administrator Webb said").
_HONORIFICS = """Mr Mrs Ms Dr Professor Administrator Senator Judge Justice Sir Lord Captain
Colonel Admiral Officer Spokesman Spokeswoman Minister President Ambassador Secretary Director
Envoy Commander Speaker Governor Chancellor Mayor Chairman Chairwoman General"""
HONORIFICS = frozenset(_HONORIFICS.split())


@dataclass(frozen=True)
class Candidate:
    """A question, the article (number) whose sentence it came from, and the words the first
    quote of its answer must hold (the person's name, and the topic when there is one)."""

    question: str
    article: int
    evidence: tuple[str, ...]


def example_questions(index: Index, ask: Callable[[str], Answer], count: int) -> list[str]:
    """Up to `count` questions the corpus answers, at most one per article, in article order.

    Args:
        index: the open index; its articles' texts are read to make the questions.
        ask: answers a question as the bot would (Service.ask), to check each one.
        count: how many questions are wanted.

    Returns:
        The questions that passed the check; fewer than `count` (or none) when the corpus
        offers no more.
    """
    found: list[str] = []
    asked = 0
    for candidates in _candidates_by_article(index):
        for candidate in candidates:
            if asked == MAX_QUESTIONS_ASKED or len(found) == count:
                return found
            if candidate.question.casefold() in {q.casefold() for q in found}:
                continue
            asked += 1
            if _answers_itself(ask(candidate.question), candidate):
                found.append(candidate.question)
                break  # one question per article, for variety
    return found


def _answers_itself(answer: Answer, candidate: Candidate) -> bool:
    """The answer's first quote comes from the candidate's article and holds its evidence."""
    if not answer.answered or not answer.quotes:
        return False
    first = answer.quotes[0]
    return first.sources[0].number == candidate.article and all(
        word in first.text for word in candidate.evidence
    )


def _candidates_by_article(index: Index) -> Iterator[list[Candidate]]:
    for article in index.articles[:MAX_ARTICLES_READ]:
        text = index.article_text(article.number)
        sentences = [text[start:end] for start, end in sentence_spans(text)]
        title = " ".join(article.title.split())
        body = [s for s in sentences if " ".join(s.split()) != title]
        candidates = [
            c for sentence in body for c in _from_sentence(sentence, article.number, index)
        ]
        # Roles first: "Who is ...?" questions are the crispest.
        yield sorted(candidates, key=lambda c: not c.question.startswith("Who "))


def _from_sentence(sentence: str, article: int, index: Index) -> Iterator[Candidate]:
    sentence = " ".join(sentence.split())
    for match in ROLE.finditer(sentence):
        question = _who_is(match.group("owner"), match.group("title"))
        if question and _is_name(match.group("name"), index):
            yield Candidate(question, article, (match.group("name").split()[-1],))
    for match in REPORTED.finditer(sentence):
        name = match.group("name")
        topic = _topic(sentence, name, index)
        if topic and _is_name(name.split()[-1], index):
            # A match of three words or more may have swallowed a place before the name
            # ("Ambassador to Moscow Kazem Jalali said"): keep the last two, without a title.
            words = name.split()
            while len(words) > 1 and words[0] in HONORIFICS:
                words = words[1:]
            speaker = " ".join(words[-2:])
            question = f"What did {speaker} say about {topic}?"
            if len(question) <= MAX_QUESTION_CHARS:
                yield Candidate(question, article, (speaker.split()[-1], topic.split()[-1]))


def _who_is(owner: str, title: str) -> str | None:
    """ "Who is Iraq's foreign minister?" or "Who is the Russian foreign minister?" """
    role = title.lower()
    if owner.endswith(("'s", "’s")):
        question = f"Who is {owner[:-2]}'s {role}?"
    elif NATIONALITY.search(owner) and owner not in NOT_NAMES:
        question = f"Who is the {owner} {role}?"
    else:
        return None
    return question if len(question) <= MAX_QUESTION_CHARS else None


def _is_name(name: str, index: Index) -> bool:
    """Every word of `name` is a searchable word and none is a title, month or weekday."""
    words = name.replace("-", " ").split()
    return all(word not in NOT_NAMES and index.analyzer.terms(word) for word in words)


def _topic(sentence: str, name: str, index: Index) -> str | None:
    """Another name in the sentence, with its "the" if it has one ("the Persian Gulf"); not
    the sentence's first word (capitalised anyway), not the speaker, not a name that
    qualifies the word after it ("Israeli attacks", "Zionist regime"), not a title before a
    name ("Dr." of "Dr. Okafor said")."""
    for match in PROPER_NAME.finditer(sentence):
        topic, before, after = match.group(), sentence[: match.start()], sentence[match.end() :]
        opens = not before or before[-1] in "\"“‘'("
        following = re.match(r" ([a-z]+)", after)
        adjective = following is not None and bool(index.analyzer.terms(following.group(1)))
        honorific = topic in HONORIFICS or (after.startswith(".") and len(topic) <= 3)
        if opens or adjective or honorific or name in topic or topic in name:
            continue
        if not _is_name(topic, index):
            continue
        return f"the {topic}" if before.endswith(("the ", "The ")) else topic
    return None
