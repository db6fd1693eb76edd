"""From scored sentences to quotes: per article its best sentences, answer first; quotes that
tell one story folded into one, with all its sources.

Which sentences a quote takes, and which quotes fold, are decided on the sentences' rows in a
`SentenceBlock` (their places, scores and terms); only the quotes kept are read and written out,
and each is highlighted only when it is shown.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np

from corpusbot.bot.answer.freshness import newest_first, quoted_first
from corpusbot.retrieval.analysis import Analyzer
from corpusbot.retrieval.index import ArticleInfo, Hit
from corpusbot.retrieval.storage import SentenceBlock

# A further sentence joins the best one in a quote only if it scores at most this much less: the
# scores are fitted as a softmax (bot/answer/sentence_score.py), so 3.5 is about 3% as likely.
SUPPORT_MARGIN = 3.5
# Two quotes tell one story when their best sentences share `overlap` of their terms, and this
# share of it beyond the question's: a short sentence that shares only the question's words and
# one more ("The cracked piers...") is another story.
BEYOND_QUESTION = 2 / 3
GAP = " … "  # between sentences that do not follow each other in the article
ELLIPSIS = "…"  # where a long opening sentence was cut at its start
# What a reply always shows of a quote; a longer opening sentence is cut at its start so that
# its stretch of the question's words (with LEAD_CONTEXT characters before them) is in view.
LEAD_WINDOW = 300
LEAD_CONTEXT = 60


@dataclass(frozen=True)
class Quote:
    text: str
    highlights: tuple[tuple[int, int], ...]  # character spans of the question's words in `text`
    sources: tuple[ArticleInfo, ...]  # more than one when several articles say the same
    score: float
    lead: int = 0  # length of the answer-bearing sentence that opens `text` (0: unknown)


@dataclass(frozen=True)
class QuoteLimits:
    sentences: int  # per quote
    chars: int  # per quote
    overlap: float  # the share of terms two quotes of one story share
    quotes: int  # distinct quotes


def make_quotes(
    hits: list[Hit],
    block: SentenceBlock,
    scores: np.ndarray,
    weights: dict[str, float],
    limits: QuoteLimits,
    *,
    analyzer: Analyzer,
) -> list[Quote]:
    """The quotes of `hits`, whose sentences are `block` scored `scores`, for a question whose
    terms weigh `weights`: at most `limits.quotes`, best first."""
    sentences = _Sentences(hits, block, scores)
    drafts = (_draft(sentences, rows, limits) for rows in sentences.by_article())
    asked = frozenset(block.code_of(term) for term in weights)
    kept = _fold(drafts, limits.overlap, limits.quotes, asked=asked)
    return [_quote(sentences, draft, analyzer=analyzer, terms=weights) for draft in kept]


class _Sentences:
    """One question's scored sentences as plain lists, looked up by row: a quote looks at a few
    sentences of each article, and a NumPy lookup per value cost more than these lists."""

    def __init__(self, hits: list[Hit], block: SentenceBlock, scores: np.ndarray) -> None:
        self.hits = hits
        self.hit: list[int] = block.hit.tolist()
        self.number: list[int] = block.number.tolist()
        self.start: list[int] = block.start.tolist()
        self.end: list[int] = block.end.tolist()
        self.score: list[float] = scores.tolist()
        self._bounds: list[int] = block.bounds.tolist()
        self._codes: list[int] = block.codes.tolist()
        self._order = np.lexsort((block.number, block.hit, -scores)).tolist()

    def by_article(self) -> list[list[int]]:
        """Each article's sentences, best first; articles in the order of their best sentence.
        Ties go to the earlier hit, then the earlier sentence."""
        article_of = [hit.article_number for hit in self.hits]
        groups: dict[int, list[int]] = {}
        for row in self._order:
            groups.setdefault(article_of[self.hit[row]], []).append(row)
        return list(groups.values())

    def terms(self, row: int) -> frozenset[int]:
        return frozenset(self._codes[self._bounds[row] : self._bounds[row + 1]])

    def text(self, row: int) -> str:
        return _single_spaced(self.hits[self.hit[row]].text[self.start[row] : self.end[row]])

    def joint(self, before: int, after: int) -> str:
        """A space between sentences that follow each other in the article, else an ellipsis."""
        following = (
            self.hit[before] == self.hit[after] and self.number[after] == self.number[before] + 1
        )
        return " " if following else GAP

    def repeats(self, row: int, chosen: list[int]) -> bool:
        """Whether sentence `row` says word for word what one `chosen` does (an article may
        repeat a sentence): the texts are compared only when the terms are the same."""
        bounds, codes = self._bounds, self._codes
        mine = codes[bounds[row] : bounds[row + 1]]
        return any(
            codes[bounds[other] : bounds[other + 1]] == mine and self.text(other) == self.text(row)
            for other in chosen
        )


def _single_spaced(text: str) -> str:
    """`text` with each run of whitespace as one space, and none at its ends. Most sentences are
    so already, which a scan tells faster than splitting them: a printable text's only space
    is " " (every other whitespace character is unprintable)."""
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


class _Draft(NamedTuple):  # a tuple: a question drafts one an article, and folds most
    """A quote before its text is read: its sentences (the best first), its best sentence's
    terms (for folding), the hits whose articles are its sources (the one quoted first, the
    others as they were folded in; read only for the quotes kept, and to choose which of two
    quotes of one story is shown), and its score."""

    chosen: tuple[int, ...]
    terms: frozenset[int]
    sources: tuple[Hit, ...]
    score: float


def _draft(sentences: _Sentences, ranked: list[int], limits: QuoteLimits) -> _Draft:
    """An article's best sentence, then its next best ones if they score nearly as well."""
    best, score, start, end = ranked[0], sentences.score, sentences.start, sentences.end
    hits, hit = sentences.hits, sentences.hit
    chosen, size, floor = [best], end[best] - start[best], score[best] - SUPPORT_MARGIN
    for place in range(1, len(ranked)):
        row = ranked[place]
        if len(chosen) >= limits.sentences or score[row] < floor:
            break
        length = end[row] - start[row]
        if size + length <= limits.chars and not sentences.repeats(row, chosen):
            chosen.append(row)
            size += length
    source = hits[hit[best]]
    best_hit = max(hits[hit[row]].score for row in chosen) if len(chosen) > 1 else source.score
    return _Draft(tuple(chosen), sentences.terms(best), (source,), best_hit)


def _fold(
    drafts: Iterable[_Draft], threshold: float, limit: int, *, asked: frozenset[int]
) -> list[_Draft]:
    """Drafts whose best sentences share most terms become one with every source; the terms
    beyond the question's (`asked`, which every quote shares) must be alike too.

    Stops at the first draft that would be distinct beyond `limit`, so the drafts past it
    (lazily made) are never made.
    """
    kept: list[_Draft] = []
    beyond: list[frozenset[int]] = []  # each kept draft's terms that are not the question's
    least = threshold * BEYOND_QUESTION
    # A draft whose terms are a kept draft's own folds into that one: it failed the test with
    # every quote kept before that one (the test is symmetric, and a quote's terms stay those
    # it was kept with), and passes with it. Republished stories make most drafts such copies.
    slot: dict[frozenset[int], int] = {}
    for draft in drafts:
        terms, extra = draft.terms, draft.terms - asked
        position = slot.get(terms) if extra and threshold <= 1 else None
        if position is None:
            position = _alike(terms, extra, kept, beyond, threshold, least)
        if position is not None:
            kept[position] = _folded(kept[position], draft)
        elif len(kept) == limit:
            break
        else:
            slot.setdefault(terms, len(kept))
            kept.append(draft)
            beyond.append(extra)
    return kept


def _alike(
    terms: frozenset[int],
    extra: frozenset[int],
    kept: list[_Draft],
    beyond: list[frozenset[int]],
    threshold: float,
    least: float,
) -> int | None:
    """The first kept draft as alike as `threshold` in all their terms, and as `least` in those
    beyond the question's (`extra`, `beyond`); None if there is none."""
    for position, other in enumerate(kept):
        if len(terms & other.terms) / (min(len(terms), len(other.terms)) or 1) < threshold:
            continue
        rest = beyond[position]
        if len(extra & rest) / (min(len(extra), len(rest)) or 1) >= least:
            return position
    return None


def _folded(other: _Draft, draft: _Draft) -> _Draft:
    """Two drafts of one story as one. News hook (bot/answer/freshness.py): the story's newest
    article is the one quoted; the others are put newest first once the story is complete
    (`_quote`)."""
    first, second = quoted_first(other, draft, key=lambda d: d.sources[0].article)
    score = max(other.score, draft.score)
    return _Draft(first.chosen, other.terms, first.sources + second.sources, score)


def _quote(
    sentences: _Sentences, draft: _Draft, *, analyzer: Analyzer, terms: Collection[str]
) -> Quote:
    """The draft's sentences as one text, the best first; highlighted when shown."""
    texts = [sentences.text(row) for row in draft.chosen]
    texts[0] = _visible_lead(texts[0], analyzer, terms)
    pairs = zip(draft.chosen[:-1], draft.chosen[1:], texts[1:], strict=True)
    text = texts[0] + "".join(
        sentences.joint(before, after) + later for before, after, later in pairs
    )
    sources = newest_first([hit.article for hit in draft.sources])
    return _Highlighted(
        text, sources, draft.score, lead=len(texts[0]), analyzer=analyzer, terms=terms
    )


def _visible_lead(sentence: str, analyzer: Analyzer, terms: Collection[str]) -> str:
    """A long opening sentence whose first question word lies past what a reply always shows
    (LEAD_WINDOW characters), cut at its start on a word, LEAD_CONTEXT characters before that
    word, and marked with an ellipsis: the answer sits among the question's words. Any other
    sentence as it is."""
    if len(sentence) <= LEAD_WINDOW:
        return sentence
    # Most long openings show a question word early: looked for in their head (whole words)
    # first, and in the whole sentence only when the head has none in view.
    limit = LEAD_WINDOW - LEAD_CONTEXT
    end = sentence.find(" ", limit)
    if end > 0:
        early = analyzer.find([sentence[:end]], terms)[0]
        if early and early[0][0] <= limit:
            return sentence
    found = analyzer.find([sentence], terms)[0]
    if not found or found[0][0] <= limit:
        return sentence
    cut = sentence.rfind(" ", 0, found[0][0] - LEAD_CONTEXT) + 1
    return ELLIPSIS + sentence[cut:] if cut > 0 else sentence


class _Highlighted(Quote):
    """A quote whose highlights are found when first read: a reply shows a page of the quotes,
    the others only if More is tapped. They are the analyzer's own words (Analyzer.find), so
    "COVID-19" lights up as "COVID" and "19". Equal to the plain Quote with the same values."""

    _analyzer: Analyzer
    _terms: Collection[str]

    def __init__(
        self,
        text: str,
        sources: tuple[ArticleInfo, ...],
        score: float,
        *,
        lead: int,
        analyzer: Analyzer,
        terms: Collection[str],
    ) -> None:  # no super().__init__, which would set `highlights`; one update of the frozen
        self.__dict__.update(  # instance's attributes, not one __setattr__ each
            text=text, sources=sources, score=score, lead=lead, _analyzer=analyzer, _terms=terms
        )

    @cached_property
    def highlights(self) -> tuple[tuple[int, int], ...]:
        return tuple(self._analyzer.find([self.text], self._terms)[0])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Quote):
            return NotImplemented
        return _values(self) == _values(other)

    def __hash__(self) -> int:
        return hash(_values(self))


def _values(quote: Quote) -> tuple[object, ...]:
    return (quote.text, quote.highlights, quote.sources, quote.score, quote.lead)
