"""From ranked hits to an `Answer`: the best quotes, answer first, attributed.

Extractive only: every word of a quote is the article's own. The steps are
1. search, and refuse when the best passage covers too little of the question's weight;
2. select: score every sentence of the retrieved passages of the articles that have a relevant
   one (retrieval/sentence_score.py);
3. quote: per article, its best sentence first, then its next best ones if close, short;
4. fold quotes from different articles that say nearly the same thing into one, with all sources.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from corpusbot.bot.freshness import newest_first, quoted_first
from corpusbot.bot.scope import AnswerScope
from corpusbot.retrieval.analyzer import Analyzer
from corpusbot.retrieval.coverage import covered, relevant_hits, strongest
from corpusbot.retrieval.index import ArticleInfo, Hit, Index
from corpusbot.retrieval.respell import Rewritten, rewrite
from corpusbot.retrieval.sentence_score import ScoredSentence, score_sentences
from corpusbot.retrieval.sentences import sentence_spans

__all__ = [
    "Answer",
    "AnswerSettings",
    "Quote",
    "Reason",
    "Respelling",
    "clean_question",
    "compose",
    "sentence_spans",
]

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
# A further sentence joins the best one in a quote only if it scores at most this much less: the
# scores are fitted as a softmax (retrieval/sentence_score.py), so 3.5 is about 3% as likely.
SUPPORT_MARGIN = 3.5
# Two quotes tell one story when their best sentences share `duplicate_overlap` of their words,
# and this share of it beyond the question's: a short sentence that shares only the question's
# words and one more ("The cracked piers...") is another story.
BEYOND_QUESTION = 2 / 3
GAP = " … "  # between sentences that do not follow each other in the article


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
    NO_TERMS = "no_terms"
    NOT_FOUND = "not_found"
    ABSENT = "absent"  # the question names something no article mentions
    UNKNOWN_OUTLET = "unknown_outlet"  # news: an outlet no article comes from (bot/scoped_answer)
    EMPTY_SCOPE = "empty_scope"  # news: no article in the dates or outlets asked for


@dataclass(frozen=True)
class Quote:
    text: str
    highlights: tuple[tuple[int, int], ...]  # character spans of the question's words in `text`
    sources: tuple[ArticleInfo, ...]  # more than one when several articles say the same
    score: float
    lead: int = 0  # length of the answer-bearing sentence that opens `text` (0: unknown)


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
    scope: AnswerScope | None = None  # news: the date/outlet range asked for (bot/scope.py)


def clean_question(raw: str, limit: int) -> tuple[str, bool]:
    """Normalise whitespace, drop control characters, cut at `limit` characters."""
    text = CONTROL.sub(" ", unicodedata.normalize("NFC", raw or ""))
    text = " ".join(text.split())
    return (text[:limit].rstrip(), True) if len(text) > limit else (text, False)


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
        allowed: a bool per article: quote only those (bot/scoped_answer.py reads dates and
            outlets out of the question into it).
    Returns:
        An `Answer`: `answered` with its quotes, or not, with its `reason`.
    """
    question, cut = clean_question(raw_question, settings.max_question_chars)
    if not question:
        return Answer(question, False, reason=Reason.EMPTY)
    retrieved = _retrieve(index, question, settings, allowed=allowed)
    rewritten, weights, terms = retrieved.rewritten, retrieved.weights, tuple(retrieved.weights)
    if retrieved.reason is Reason.ABSENT:
        hints = tuple(_surface_in_corpus(index, t) for t in rewritten.suggestions)
        return Answer(
            question,
            False,
            reason=Reason.ABSENT,
            question_cut=cut,
            missing=rewritten.absent,
            suggestions=hints,
        )
    if retrieved.reason is Reason.NO_TERMS:
        return Answer(question, False, reason=Reason.NO_TERMS, question_cut=cut)
    if retrieved.reason is not None:
        return Answer(
            question,
            False,
            reason=retrieved.reason,
            question_cut=cut,
            terms=terms,
            missing=rewritten.absent,
        )
    candidates, passed = retrieved.candidates, retrieved.passed
    sentences = score_sentences(
        rewritten.question,
        candidates,
        weights,
        index.analyzer,
        relevant=passed,
        shares=index.sentence_shares(candidates, weights, index.analyzer.terms(rewritten.question)),
    )
    quotes = _fold_duplicates(
        (
            _quote(candidates, group, weights, index.analyzer, settings)
            for group in _by_article(candidates, sentences)
        ),
        settings.duplicate_overlap,
        settings.max_hits,
        asked=frozenset(weights),
    )
    found = index.analyzer.find([q.text for q in quotes], weights)  # the quotes kept only
    quotes = [
        dataclasses.replace(q, highlights=tuple(f)) for q, f in zip(quotes, found, strict=True)
    ]
    respelled = tuple(
        Respelling(r.asked, tuple(_surface(index, t, quotes) for t in r.terms), r.added)
        for r in rewritten.respelled
    )
    return Answer(
        question,
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


def _retrieve(
    index: Index, question: str, settings: AnswerSettings, *, allowed: np.ndarray | None = None
) -> _Retrieved:
    rewritten = rewrite(question, index)
    # A name no article mentions, and no other name that some article does: nothing to quote.
    if rewritten.absent and not rewritten.present:
        return _Retrieved(rewritten, {}, Reason.ABSENT)
    result = index.search(rewritten.question, settings.max_hits * 2, allowed=allowed)
    weights = result.question_terms
    if not weights:
        return _Retrieved(rewritten, weights, Reason.NO_TERMS)
    relevant = relevant_hits(result.hits, weights, settings.min_coverage, names=rewritten.names)
    if not covered(index, result, rewritten, relevant):
        return _Retrieved(rewritten, weights, Reason.NOT_FOUND)
    candidates, passed = _quotable(result.hits, strongest(relevant, weights), settings.max_hits)
    return _Retrieved(rewritten, weights, None, candidates, passed)


def sentence_candidates(
    index: Index, question: str, settings: AnswerSettings
) -> tuple[str, dict[str, float], list[Hit], list[bool]] | None:
    """What `compose` scores the sentences of, for `question` (None when it would refuse): the
    question as searched, its terms' weights, the candidate passages and whether each passed the
    relevance check. For fitting the sentence weights (benchmarks/fit_sentence_weights.py)."""
    question = clean_question(question, settings.max_question_chars)[0]
    found = _retrieve(index, question, settings) if question else None
    if found is None or found.reason is not None:
        return None
    return (found.rewritten.question, found.weights, found.candidates, found.passed)


def _by_article(hits: list[Hit], sentences: list[ScoredSentence]) -> list[list[ScoredSentence]]:
    """Each article's sentences, best first; articles in the order of their best sentence."""
    groups: dict[int, list[ScoredSentence]] = {}
    for sentence in sorted(sentences, key=lambda s: (-s.score, s.hit, s.number)):
        groups.setdefault(hits[sentence.hit].article_number, []).append(sentence)
    return list(groups.values())


def _quote(
    hits: list[Hit],
    ranked: list[ScoredSentence],
    weights: dict[str, float],
    analyzer: Analyzer,
    settings: AnswerSettings,
) -> tuple[Quote, frozenset[str]]:
    """An article's best sentence, then its next best ones if they score nearly as well; and
    the best sentence's terms."""
    best = ranked[0]
    lead = _text(hits, best)
    chosen, texts = [best], [lead]
    size = best.end - best.start
    for other in ranked[1:]:
        if len(chosen) >= settings.max_quote_sentences or other.score < best.score - SUPPORT_MARGIN:
            break
        length = other.end - other.start
        if size + length > settings.max_quote_chars:
            continue
        text = _text(hits, other)
        if text not in texts:  # the same sentence twice in the article: quoted once
            chosen.append(other)
            texts.append(text)
            size += length
    text = lead + "".join(
        _joint(before, after) + later
        for (before, after), later in zip(itertools.pairwise(chosen), texts[1:], strict=True)
    )
    score = max(hits[s.hit].score for s in chosen)
    # Highlights are added after folding, to the quotes kept (Analyzer.find: the analyzer's own
    # words, so "COVID-19" lights up as "COVID" and "19").
    quote = Quote(text, (), (hits[best.hit].article,), score, lead=len(lead))
    return quote, best.terms


def _text(hits: list[Hit], sentence: ScoredSentence) -> str:
    return " ".join(hits[sentence.hit].passage.text[sentence.start : sentence.end].split())


def _joint(before: ScoredSentence, after: ScoredSentence) -> str:
    """A space between sentences that follow each other in the article, else an ellipsis."""
    same_passage = before.hit == after.hit and after.number == before.number + 1
    return " " if same_passage else GAP


def _fold_duplicates(
    quotes: Iterable[tuple[Quote, frozenset[str]]],
    threshold: float,
    limit: int,
    *,
    asked: frozenset[str],
) -> list[Quote]:
    """Quotes whose best sentences share most words become one quote with every source; the
    words beyond the question's (`asked`, which every quote shares) must be alike too.

    Stops at the first quote that would be distinct beyond `limit`, so the quotes past it
    (lazily made) are never made.
    """
    kept: list[tuple[Quote, frozenset[str]]] = []
    for quote, words in quotes:
        for position, (other, other_words) in enumerate(kept):
            if _alike(words, other_words, threshold) and _alike(
                words - asked, other_words - asked, threshold * BEYOND_QUESTION
            ):
                # news hook (bot/freshness.py): the story's newest article is the one quoted
                first, second = quoted_first(other, quote, key=lambda q: q.sources[0])
                merged = Quote(
                    first.text,
                    first.highlights,
                    newest_first(first.sources + second.sources),
                    max(other.score, quote.score),
                    first.lead,
                )
                kept[position] = (merged, other_words)
                break
        else:
            if len(kept) == limit:
                break
            kept.append((quote, words))
    return [quote for quote, _ in kept]


def _alike(words: frozenset[str], other: frozenset[str], threshold: float) -> bool:
    return len(words & other) / (min(len(words), len(other)) or 1) >= threshold


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
