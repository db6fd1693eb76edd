"""From ranked hits to an `Answer`: the best quotes, answer first, attributed.

Extractive only: every word of a quote is the article's own. The steps are
1. search, and refuse when the best passage covers too little of the question's weight;
2. select: score every sentence of the retrieved passages of the articles that have a relevant
   one (bot/answer/sentence_score.py);
3. quote: per article, its best sentence first, then its next best ones if close, short; and
   fold quotes from different articles that say nearly the same thing into one, with all
   sources (bot/answer/quotes.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

import numpy as np

from corpusbot.bot.answer.coverage import judge
from corpusbot.bot.answer.question import Question, read_question
from corpusbot.bot.answer.question_form import QuestionForm
from corpusbot.bot.answer.quotes import Quote, QuoteLimits, make_quotes
from corpusbot.bot.answer.respell import Rewritten
from corpusbot.bot.answer.scope import AnswerScope
from corpusbot.bot.answer.sentence_score import sentence_scores
from corpusbot.retrieval.analysis import sentence_spans
from corpusbot.retrieval.compiled import select
from corpusbot.retrieval.index import Hit, Index
from corpusbot.retrieval.storage import SentenceShares

__all__ = [
    "Answer",
    "AnswerSettings",
    "Question",
    "Quote",
    "Reason",
    "Respelling",
    "answer_question",
    "asked_about",
    "compose",
    "sentence_spans",
]


@dataclass(frozen=True)
class AnswerSettings:
    max_quotes: int
    max_hits: int
    min_coverage: float
    max_quote_sentences: int
    max_quote_chars: int
    duplicate_overlap: float
    max_question_chars: int


class Reason(StrEnum):
    """Why nothing was quoted."""

    EMPTY = "empty"
    SMALL_TALK = "small_talk"  # a greeting or thanks: nothing to search
    NO_TERMS = "no_terms"
    NOT_FOUND = "not_found"
    ABSENT = "absent"  # the question names something no article mentions
    UNKNOWN_OUTLET = "unknown_outlet"  # news: an outlet no article comes from (bot/scoped_answer)
    EMPTY_SCOPE = "empty_scope"  # news: no article in the dates or outlets asked for


@dataclass(frozen=True)
class Respelling:
    asked: str
    used: tuple[str, ...]  # as the corpus writes them
    added: bool = False


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    quotes: tuple[Quote, ...] = ()
    reason: Reason | None = None  # None when answered
    question_cut: bool = False  # the question was longer than max_question_chars
    terms: tuple[str, ...] = field(default=())
    # Words searched in the corpus's own spelling: as asked, and the corpus's spellings searched
    # instead of it (or, when `Respelling.added`, beside it).
    respelled: tuple[Respelling, ...] = ()
    missing: tuple[str, ...] = ()  # names no article mentions, as asked
    suggestions: tuple[str, ...] = ()  # with ABSENT: corpus words spelled close to them
    scope: AnswerScope | None = None  # news: the date/outlet range asked for (bot/answer/scope.py)
    # With ABSENT for the one asked about ("What did Blinken say about the talks?"): what the
    # articles say about the rest of the question, offered as such, never as the answer.
    related: tuple[Quote, ...] = ()


def compose(
    index: Index,
    raw_question: str,
    settings: AnswerSettings,
    *,
    allowed: np.ndarray | None = None,
) -> Answer:
    """Answer `raw_question` from `index`: quotes, answer-bearing sentence first, or a reason.

    Args:
        index: the searchable passages.
        raw_question: what the user typed; cleaned and cut to `settings.max_question_chars`.
        settings: how many quotes, how long, and the relevance floor.
        allowed: a bool per article: quote only those (bot/answer/scoped_answer.py reads dates
            and outlets out of the question into it).
    Returns:
        An `Answer`: `answered` with its quotes, or not, with its `reason`.
    """
    question = read_question(raw_question, index, limit=settings.max_question_chars)
    return answer_question(index, question, settings, allowed=allowed)


def answer_question(
    index: Index,
    question: Question,
    settings: AnswerSettings,
    *,
    allowed: np.ndarray | None = None,
) -> Answer:
    """`compose` for a question already read (bot/answer/question.py) against `index`."""
    text, cut = question.text, question.cut
    if not text:
        return Answer(text, False, reason=Reason.EMPTY)
    if question.small_talk:
        return Answer(text, False, reason=Reason.SMALL_TALK)
    retrieved = _retrieve(index, question, settings, allowed=allowed)
    rewritten, weights, terms = retrieved.rewritten, retrieved.weights, tuple(retrieved.weights)
    if retrieved.reason is Reason.ABSENT:
        hints = tuple(_surface_in_corpus(index, t) for t in rewritten.suggestions)
        return Answer(
            text,
            False,
            reason=Reason.ABSENT,
            question_cut=cut,
            missing=rewritten.absent,
            suggestions=hints,
            related=_about_the_rest(index, question.form, settings, allowed=allowed),
        )
    if retrieved.reason is Reason.NO_TERMS:
        return Answer(text, False, reason=Reason.NO_TERMS, question_cut=cut)
    if retrieved.reason is not None:
        return Answer(
            text,
            False,
            reason=retrieved.reason,
            question_cut=cut,
            terms=terms,
            missing=rewritten.absent,
        )
    candidates, passed = retrieved.candidates, retrieved.passed
    block, scores = sentence_scores(
        question, candidates, index.analyzer, relevant=passed, shares=retrieved.shares
    )
    limits = QuoteLimits(
        settings.max_quote_sentences,
        settings.max_quote_chars,
        settings.duplicate_overlap,
        settings.max_hits,
    )
    quotes = make_quotes(candidates, block, scores, weights, limits, analyzer=index.analyzer)
    respelled = tuple(
        Respelling(r.asked, tuple(_surface(index, t, quotes) for t in r.terms), r.added)
        for r in rewritten.respelled
    )
    return Answer(
        text,
        True,
        tuple(quotes),
        question_cut=cut,
        terms=terms,
        respelled=respelled,
        missing=rewritten.absent,
    )


def _quotable(hits: list[Hit], relevant: list[Hit], limit: int) -> tuple[list[Hit], list[bool]]:
    """The passages quotes may come from: the relevant ones, and the others of their articles
    among the best `limit` hits (the answer is often in a passage that shares fewer words with
    the question; on squad-tune none past the best 12 held it that the others did not); and
    whether each is relevant itself."""
    quoted = {hit.article_number for hit in relevant}
    passed = {id(hit) for hit in relevant}
    candidates = [
        hit
        for rank, hit in enumerate(hits)
        if id(hit) in passed or (rank < limit and hit.article_number in quoted)
    ]
    return candidates, [id(hit) in passed for hit in candidates]


@dataclass(frozen=True)
class _Retrieved:
    """compose's steps up to the quotes: the question respelled, its terms' weights, and the
    passages quotes may come from with whether each passed the relevance check; or the reason
    there is nothing to quote."""

    rewritten: Rewritten
    weights: dict[str, float]
    reason: Reason | None = None
    candidates: list[Hit] = field(default_factory=list)
    passed: list[bool] = field(default_factory=list)
    shares: SentenceShares | None = None  # the question's shares in the candidates' sentences


def _retrieve(
    index: Index,
    question: Question,
    settings: AnswerSettings,
    *,
    allowed: np.ndarray | None = None,
) -> _Retrieved:
    rewritten, form = question.rewritten, question.form
    # A name no article mentions, and no other name that some article does: nothing to quote.
    # Nor when the absent name is the speaker asked about ("What did Blinken say about ..."):
    # what others said is no answer.
    if rewritten.absent and (not rewritten.present or asked_about(form, rewritten.absent)):
        return _Retrieved(rewritten, {}, Reason.ABSENT)
    # A speaker written in common words ("the fire chief") is no name to respell, but a word of
    # it that no article holds means no article reports what that speaker said. (Capitalised
    # words are names: respelling has looked them up, "Ruhani" finding Rouhani.)
    if not all(map(index.document_frequency, question.speaker_terms)):
        unknown = replace(rewritten, absent=(form.speaker,))
        return _Retrieved(unknown, {}, Reason.ABSENT)
    result = index.search(question.query, settings.max_hits * 2, allowed=allowed)
    weights = result.question_terms
    if not weights:
        return _Retrieved(rewritten, weights, Reason.NO_TERMS)
    # The relevant hits' sentences are measured once, for the coverage check (which most often
    # decides without them) and the quotes.
    measured: list[SentenceShares] = []

    def shares(relevant: list[Hit]) -> SentenceShares:
        if not measured:
            measured.append(index.sentence_shares(relevant, weights, question.terms))
        return measured[0]

    verdict = judge(index, result, question, settings.min_coverage, shares=shares)
    if not verdict.answerable:
        return _Retrieved(rewritten, weights, Reason.NOT_FOUND)
    candidates, passed = _quotable(result.hits, verdict.quoted, settings.max_hits)
    # The quotes' sentences: taken from the relevant hits' if the check measured them (a quote
    # may also come from a passage that failed the relevance check), else measured alone.
    taken = _of(measured[0], verdict.relevant, candidates) if measured else None
    if taken is None:
        taken = index.sentence_shares(candidates, weights, question.terms)
    return _Retrieved(rewritten, weights, None, candidates, passed, taken)


def _about_the_rest(
    index: Index, form: QuestionForm, settings: AnswerSettings, *, allowed: np.ndarray | None
) -> tuple[Quote, ...]:
    """For a speaker no article mentions: the quotes on the rest of the question ("What did
    Macron say about the tram line?": the tram line), if the articles answer that."""
    if not form.speaker:
        return ()
    rest = " ".join(w for w in form.topic.split() if w.strip("?!.,") not in form.speaker.split())
    if not index.analyzer.terms(rest):
        return ()
    return compose(index, rest, settings, allowed=allowed).quotes


def asked_about(form: QuestionForm, absent: tuple[str, ...]) -> bool:
    """Whether one of the `absent` names is the speaker the question asks about."""
    spoken = set(form.speaker.split())
    return any(set(name.split()) <= spoken for name in absent)


def _of(shares: SentenceShares, hits: list[Hit], some: list[Hit]) -> SentenceShares | None:
    """`shares` (of `hits`) of `some` of the hits only (in the hits' order), or None if not
    all of them are among the hits."""
    if len(some) == len(hits):
        return shares if all(a is b for a, b in zip(some, hits, strict=True)) else None
    chosen = {id(hit) for hit in some}
    places = [place for place, hit in enumerate(hits) if id(hit) in chosen]
    return select(shares, places) if len(places) == len(some) else None


def sentence_candidates(
    index: Index, raw_question: str, settings: AnswerSettings
) -> tuple[Question, list[Hit], list[bool]] | None:
    """What `compose` scores the sentences of, for `raw_question` (None when it would refuse):
    the question read, the candidate passages and whether each passed the relevance check. For
    fitting the sentence weights (benchmarks/fit_sentence_weights.py)."""
    question = read_question(raw_question, index, limit=settings.max_question_chars)
    if not question.text or question.small_talk:
        return None
    found = _retrieve(index, question, settings)
    if found.reason is not None:
        return None
    return (question, found.candidates, found.passed)


def _surface(index: Index, term: str, quotes: list[Quote]) -> str:
    """How the quotes, or else the corpus, write `term` (e.g. "Raeisi" for "raeisi")."""
    for quote in quotes:
        for start, end, found in index.analyzer.spans(quote.text):
            if found == term:
                return quote.text[start:end]
    return _surface_in_corpus(index, term)


def _surface_in_corpus(index: Index, term: str) -> str:
    """How the best passage holding `term` writes it."""
    hits = index.search(term, 1).hits
    if not hits:
        return term
    text = hits[0].passage.text
    return next((text[s:e] for s, e, t in index.analyzer.spans(text) if t == term), term)
