"""From ranked hits to an `Answer`: the best quotes, trimmed, merged and attributed.

Extractive only: every word of a quote is the article's own. The steps are
1. search, and refuse when the best passage covers too little of the question's weight;
2. gather the hits of each article (neighbouring passages read as one text);
3. trim each article's text to the sentences that carry the question's terms;
4. fold quotes from different articles that say nearly the same thing into one, with all sources.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from corpusbot.bot.freshness import newest_first, quoted_first
from corpusbot.bot.scope import AnswerScope
from corpusbot.bot.settings import AnswerSettings
from corpusbot.retrieval.analyzer import TOKEN
from corpusbot.retrieval.index import ArticleInfo, Hit, Index

# A sentence ends at . ! ? … (and closing quotes) followed by space, or at a line break.
SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+|\n+")
ABBREVIATION = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Gen|Lt|Col|Sgt|Prof|Sen|Rep|Gov|Jr|Sr|"
                          r"Inc|Ltd|Co|Coop|vs|No|Vol|Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec)"
                          r"|\b[A-Z](?:\.[A-Z])*)\.[\"”’)\]]*\s+$")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")


@dataclass(frozen=True)
class Quote:
    text: str
    highlights: tuple[tuple[int, int], ...]  # character spans of the question's words in `text`
    sources: tuple[ArticleInfo, ...]  # more than one when several articles say the same
    score: float


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    quotes: tuple[Quote, ...] = ()
    # Why nothing was quoted: "empty", "no_terms" or "not_found"; None when answered.
    reason: str | None = None
    question_cut: bool = False  # the question was longer than max_question_chars
    terms: tuple[str, ...] = field(default=())
    scope: AnswerScope | None = None  # news: the date/outlet range asked for (bot/scope.py)


def clean_question(raw: str, limit: int) -> tuple[str, bool]:
    """Normalise whitespace, drop control characters, cut at `limit` characters."""
    text = CONTROL.sub(" ", unicodedata.normalize("NFC", raw or ""))
    text = " ".join(text.split())
    return (text[:limit].rstrip(), True) if len(text) > limit else (text, False)


def compose(index: Index, raw_question: str, settings: AnswerSettings, *,
            allowed: np.ndarray | None = None) -> Answer:
    """Quotes for `raw_question`; with `allowed` (a bool per article), from those articles only
    (bot/scoped_answer.py reads dates and outlets out of the question into it)."""
    question, cut = clean_question(raw_question, settings.max_question_chars)
    if not question:
        return Answer(question, False, reason="empty")
    result = index.search(question, settings.max_hits * 2, allowed=allowed)
    weights = result.question_terms
    terms = tuple(weights)
    if not weights:
        return Answer(question, False, reason="no_terms", question_cut=cut)
    total = sum(weights.values())
    relevant = [h for h in result.hits
                if sum(weights[t] for t in h.matched) / total >= settings.min_coverage]
    if not relevant:
        return Answer(question, False, reason="not_found", question_cut=cut, terms=terms)
    quotes = _fold_duplicates(
        (_quote(index, hits, weights, settings) for hits in _by_article(relevant)),
        settings.duplicate_overlap, settings.max_hits,
    )
    return Answer(question, True, tuple(quotes), question_cut=cut, terms=terms)


def _by_article(hits: list[Hit]) -> list[list[Hit]]:
    """Hits grouped by article, articles in the order of their best hit."""
    groups: dict[str, list[Hit]] = {}
    for hit in hits:
        groups.setdefault(hit.article.id, []).append(hit)
    return list(groups.values())


def _quote(index: Index, hits: list[Hit], weights: dict[str, float],
           settings: AnswerSettings) -> tuple[Quote, set[str]]:
    """One quote from an article's hits (its best sentences), and the best sentence's terms."""
    text = _joined_passages(hits)
    spans = sentence_spans(text)
    values = [_sentence_value(index, text[s:e], weights) for s, e in spans]
    best = max(range(len(spans)), key=lambda i: (values[i], -i))
    chosen = _grow_around(best, spans, values, settings)
    quote = " ".join(" ".join(text[spans[i][0]:spans[i][1]].split()) for i in chosen)
    core = set(index.analyzer.terms(text[spans[best][0]:spans[best][1]]))
    return Quote(quote, _highlights(index, quote, weights), (hits[0].article,),
                 max(h.score for h in hits)), core


def _joined_passages(hits: list[Hit]) -> str:
    """The hits' passages in article order; a gap between non-neighbours is marked with …"""
    parts: list[str] = []
    previous = None
    for hit in sorted(hits, key=lambda h: h.passage.ordinal):
        if previous is not None:
            parts.append("\n" if hit.passage.ordinal == previous + 1 else "\n…\n")
        parts.append(hit.passage.text)
        previous = hit.passage.ordinal
    return "".join(parts)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in `text`, abbreviations such as "Mr." not ending one."""
    spans, start = [], 0
    for match in SENTENCE_END.finditer(text):
        if match.group().strip() == "" and "\n" not in match.group() \
                and ABBREVIATION.search(text[max(0, match.start() - 12):match.end()]):
            continue
        if text[start:match.start()].strip():
            spans.append((start, match.start() + len(match.group().rstrip())))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans or [(0, len(text))]


def _sentence_value(index: Index, sentence: str, weights: dict[str, float]) -> float:
    present = set(index.analyzer.terms(sentence))
    return sum(weight for term, weight in weights.items() if term in present)


def _grow_around(best: int, spans: list[tuple[int, int]], values: list[float],
                 settings: AnswerSettings) -> list[int]:
    """Add neighbouring sentences carrying at least half the best one's weight, within limits."""
    chosen = [best]
    size = spans[best][1] - spans[best][0]
    for candidate in sorted(range(len(spans)), key=lambda i: (-values[i], abs(i - best))):
        if len(chosen) >= settings.max_quote_sentences or values[candidate] < values[best] / 2:
            break
        if candidate in chosen or not (min(chosen) - 1 <= candidate <= max(chosen) + 1):
            continue
        length = spans[candidate][1] - spans[candidate][0]
        if size + length > settings.max_quote_chars:
            continue
        chosen.append(candidate)
        size += length
    return sorted(chosen)


def _highlights(index: Index, text: str, weights: dict[str, float]) -> tuple[tuple[int, int], ...]:
    spans = []
    for match in TOKEN.finditer(text):  # the analyzer's own words, so "COVID-19" lights up
        if index.analyzer.term(match.group().casefold()) in weights:
            spans.append((match.start(), match.end()))
    return tuple(spans)


def _fold_duplicates(quotes: Iterable[tuple[Quote, set[str]]], threshold: float,
                     limit: int) -> list[Quote]:
    """Quotes whose best sentences share most words become one quote with every source.

    Stops at the first quote that would be distinct beyond `limit`, so the quotes past it
    (lazily made) are never made.
    """
    kept: list[tuple[Quote, set[str]]] = []
    for quote, words in quotes:
        for position, (other, other_words) in enumerate(kept):
            smaller = min(len(words), len(other_words)) or 1
            if len(words & other_words) / smaller >= threshold:
                # news hook (bot/freshness.py): the story's newest article is the one quoted
                first, second = quoted_first(other, quote, key=lambda q: q.sources[0])
                merged = Quote(first.text, first.highlights,
                               newest_first(first.sources + second.sources),
                               max(other.score, quote.score))
                kept[position] = (merged, other_words)
                break
        else:
            if len(kept) == limit:
                break
            kept.append((quote, words))
    return [quote for quote, _ in kept]
