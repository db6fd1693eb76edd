"""A question as the answer reads it, once: cleaned, its frame apart from its topic, respelled in
the corpus's spelling, and analysed into the terms and weights that the search, the coverage
check and the sentence scores all use.

The answers (bot/answer/compose.py, and the scoped and follow-up answers above it) make one
`Question` for what a user asked and pass it down; nothing below analyses its text again.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from corpusbot.bot.answer.answer_type import AnswerType
from corpusbot.bot.answer.question_form import (
    Form,
    QuestionCues,
    QuestionForm,
    question_cues,
    read_form,
    small_talk,
)
from corpusbot.bot.answer.respell import Rewritten, rewrite
from corpusbot.retrieval.analysis import Analyzer, common_words
from corpusbot.retrieval.index import Index, Query

__all__ = ["Question", "clean_question", "read_question"]

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")


@dataclass(frozen=True)
class Question:
    """One question, read against one index (its weights and term numbers are that index's)."""

    text: str  # cleaned, as asked: what the answer reports
    cut: bool  # it was longer than the settings allow, and cut
    small_talk: bool  # a greeting or thanks: nothing to search
    form: QuestionForm  # its frame ("What did X say") apart from its topic
    rewritten: Rewritten  # the topic in the corpus's spelling: what is searched
    words: tuple[str, ...]  # the searched text's words, case-folded
    word_terms: tuple[str, ...]  # each word's term ("" for a stop word)
    query: Query  # the searched terms, with the index's weights
    cues: QuestionCues  # what a sentence must offer to answer it
    # The terms of the speaker's words that are not capitalised ("the fire chief"): a name is
    # respelled, but one of these that no article holds means no article quotes that speaker.
    speaker_terms: tuple[str, ...] = ()
    # Each spelling searched beside an asked word ("Raeisi" beside "Raisi") and the asked
    # word's terms: such a spelling is not more of the question.
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def common_terms(self, language: str) -> frozenset[str]:
        """The terms of its words that are among `language`'s most frequent ("after",
        "death"): in a corpus too small for idf to tell, not what the question is specific
        about. Asked only there (bot/answer/coverage.py), so not made for every question."""
        common = common_words(language)
        return frozenset(
            t for w, t in zip(self.words, self.word_terms, strict=True) if t and w in common
        )

    @property
    def searched(self) -> str:
        """The text searched: the topic, respelled."""
        return self.rewritten.question

    @property
    def terms(self) -> tuple[str, ...]:
        """The searched terms, in the question's order, repeats kept."""
        return self.query.terms

    @property
    def weights(self) -> dict[str, float]:
        """Each distinct searched term's weight: its idf (a term no article holds, the largest)."""
        return self.query.weights


def clean_question(raw: str, limit: int) -> tuple[str, bool]:
    """Normalise whitespace, drop control characters, cut at `limit` characters."""
    text = CONTROL.sub(" ", unicodedata.normalize("NFC", raw or ""))
    text = " ".join(text.split())
    return (text[:limit].rstrip(), True) if len(text) > limit else (text, False)


def read_question(raw: str, index: Index, *, limit: int) -> Question:
    """`raw` cleaned and cut to `limit` characters, its frame read, respelled and analysed."""
    text, cut = clean_question(raw, limit)
    if not text or small_talk(text):  # nothing to search, so nothing to analyse
        return _unsearched(text, cut, index)
    analyzer = index.analyzer
    form = read_form(text, analyzer)
    rewritten = rewrite(form.topic, index)
    words = analyzer.words(rewritten.question)
    word_terms = analyzer.terms_of(words)
    common = " ".join(w for w in form.speaker.split() if not w[:1].isupper())
    return Question(
        text,
        cut,
        small_talk=False,
        form=form,
        rewritten=rewritten,
        words=tuple(words),
        word_terms=tuple(word_terms),
        query=index.query([term for term in word_terms if term]),
        cues=question_cues(form.asked or text, form, analyzer),
        speaker_terms=tuple(analyzer.terms(common)),
        aliases=_added_spellings(rewritten, analyzer),
    )


def _unsearched(text: str, cut: bool, index: Index) -> Question:
    """An empty question, or small talk: answered without a search."""
    return Question(
        text,
        cut,
        small_talk=bool(text),
        form=QuestionForm(Form.OTHER, text),
        rewritten=Rewritten(text),
        words=(),
        word_terms=(),
        query=index.query(()),
        cues=QuestionCues(AnswerType.ANY),
    )


def _added_spellings(rewritten: Rewritten, analyzer: Analyzer) -> dict[str, tuple[str, ...]]:
    """Each spelling searched beside an asked word, and the asked word's terms."""
    aliases: dict[str, tuple[str, ...]] = {}
    for respelled in rewritten.respelled:
        asked = tuple(analyzer.terms(respelled.asked))
        if respelled.added and asked:
            aliases.update((t, asked) for t in respelled.terms if t not in asked)
    return aliases
