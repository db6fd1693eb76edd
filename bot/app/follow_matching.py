"""Which new articles answer which follows, and the alerts they bring. No `telegram` import.

An article matches a follow when the follow, asked as a question now, quotes that article on
the first page of its answer, refusal checks included: an article that shares only common words
with the follow sends nothing. A story several outlets carry is one quote naming them all: it
alerts once, naming the others, and a later report of a story already sent alerts no one.

The follows are indexed by term (`FollowIndex`, a reverse search): a new article's terms
retrieve the follows that share one, and only a follow of which the article holds at least
`min_coverage` of the weight (idf, from the corpus's statistics) is asked, since no answer quotes
a passage holding less. So a round of news costs a few answers, not one per follow.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from corpusbot.bot.answer import Answer, Quote, View, answer_buttons, read_form, render_alert
from corpusbot.bot.app.service import Service
from corpusbot.bot.history import Alert, Follow
from corpusbot.retrieval.index import ArticleInfo, Index

__all__ = [
    "STOP_LABEL",
    "FollowIndex",
    "FollowMatch",
    "alerts_for",
    "lately",
    "matches",
    "new_articles",
    "would_have_sent",
]

STOP_LABEL = "Stop following"
RECENT_DAYS = 7  # what a new follow would have sent is shown over these last days
LEAD_CHARS = 400  # an article's lead: about its first paragraph
# An article is about a follow when its headline holds some of the follow's weight, or its lead
# nearly all of it (a headline may say it otherwise): measured on tests/data/follows
# (benchmarks/follow_quality.py, docs/benchmarks.md).
HEADLINE_SHARE = 0.2
WHOLE_LEAD_SHARE = 0.85
_LABELS = {View.CONTEXT: "Context", View.FULL: "Full article"}


@dataclass(frozen=True)
class FollowMatch:
    follow: Follow
    quote: Quote  # the first-page quote that stands for the new article
    article: ArticleInfo  # the new article: the quote's own, or another report of its story


def new_articles(index: Index, paths: Iterable[str]) -> list[ArticleInfo]:
    """The articles read from the files at `paths` (added or changed files), in one pass over
    the index's articles; an article of a .jsonl file has the file's path and its line number
    ("feed.jsonl:3")."""
    wanted = set(paths)
    return [article for article in index.articles if _file_of(article.path) in wanted]


def _file_of(path: str) -> str:
    file, colon, line = path.rpartition(":")
    return file if colon and line.isdigit() and file.endswith(".jsonl") else path


class FollowIndex:
    """The follows by term, each term weighed by its idf in the corpus."""

    def __init__(self, follows: Iterable[Follow], index: Index, *, min_coverage: float) -> None:
        self._follows: dict[int, Follow] = {}
        self._terms: dict[int, dict[str, float]] = {}  # a follow's terms and their weights
        self._weights: dict[int, float] = {}  # a follow's whole weight
        self._by_term: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self._min = min_coverage
        passages = max(len(index), 1)
        for follow in follows:
            if follow.paused:
                continue
            # The words the follow's answer searches: not "news" of "news about the strike".
            terms = set(index.analyzer.terms(read_form(follow.query, index.analyzer).topic))
            weights = {term: _idf(index.document_frequency(term), passages) for term in terms}
            self._follows[follow.id] = follow
            self._terms[follow.id] = weights
            self._weights[follow.id] = sum(weights.values())
            for term, weight in weights.items():
                self._by_term[term].append((follow.id, weight))

    def __len__(self) -> int:
        return len(self._follows)

    def share(self, follow: Follow, terms: Collection[str]) -> float:
        """The share of the follow's weight that `terms` hold."""
        held = sum(w for term, w in self._terms.get(follow.id, {}).items() if term in terms)
        return held / self._weights[follow.id] if self._weights.get(follow.id) else 0.0

    def candidates(self, terms: Collection[str]) -> list[Follow]:
        """The follows of which `terms` (an article's) hold at least min_coverage of the
        weight, in the order they were made."""
        held: dict[int, float] = defaultdict(float)
        for term in terms:
            for follow_id, weight in self._by_term.get(term, ()):
                held[follow_id] += weight
        return [
            self._follows[follow_id]
            for follow_id in sorted(held)
            if held[follow_id] >= self._min * self._weights[follow_id]
        ]


def matches(
    follows: Iterable[Follow],
    new: Collection[ArticleInfo],
    *,
    index: Index,
    ask: Callable[[str], Answer],
    first_page: int,
    min_coverage: float,
    min_share: float = 0.0,
) -> list[FollowMatch]:
    """Each follow's quotes, on its answer's first page, of an article in `new` that is about
    the follow: its headline and lead hold at least `min_share` of the follow's weight, and its
    headline some of it (or its lead nearly all). News says there what an article is about, so
    an article that mentions the follow's words in passing sends nothing."""
    if not new:
        return []
    by_term = FollowIndex(follows, index, min_coverage=min_coverage)
    asked: dict[int, Follow] = {}
    for article in new:
        terms = article_terms(index, article)
        asked.update((follow.id, follow) for follow in by_term.candidates(terms))
    ids = {article.id for article in new}
    about = _Aboutness(index, by_term, min_share)
    found: list[FollowMatch] = []
    for follow in sorted(asked.values(), key=lambda f: f.id):
        answer = ask(follow.query)
        if not answer.answered:
            continue
        for quote in answer.quotes[:first_page]:
            arrived = [source for source in quote.sources if source.id in ids]
            if arrived and about(follow, arrived[0]):
                found.append(FollowMatch(follow, quote, arrived[0]))
    return found


class _Aboutness:
    """Whether an article is about a follow; each article's headline and lead are analysed
    once, however many follows ask."""

    def __init__(self, index: Index, by_term: FollowIndex, min_share: float) -> None:
        self._index = index
        self._by_term = by_term
        self._min_share = min_share
        self._read: dict[str, tuple[set[str], set[str]]] = {}  # id -> (lead, headline) terms

    def __call__(self, follow: Follow, article: ArticleInfo) -> bool:
        if article.id not in self._read:
            headline = set(self._index.analyzer.terms(article.title))
            self._read[article.id] = (lead_terms(self._index, article), headline)
        in_lead, in_headline = self._read[article.id]
        lead = self._by_term.share(follow, in_lead)
        if lead < self._min_share:
            return False
        return (
            self._by_term.share(follow, in_headline) >= HEADLINE_SHARE or lead >= WHOLE_LEAD_SHARE
        )


def would_have_sent(
    words: str,
    answer: Answer,
    index: Index,
    *,
    first_page: int,
    min_coverage: float,
    min_share: float,
    today: dt.date,
) -> list[Quote]:
    """The quotes of `answer` (to `words`) that a follow of `words` would have alerted of in the
    last RECENT_DAYS days: on its first page, of an article that recent and about the follow."""
    if not answer.answered:
        return []
    since = (today - dt.timedelta(days=RECENT_DAYS)).isoformat()
    follow = Follow(0, 0, words, 0.0, False)
    about = _Aboutness(index, FollowIndex([follow], index, min_coverage=min_coverage), min_share)
    return [
        quote
        for quote in answer.quotes[:first_page]
        if (quote.sources[0].date or "") >= since and about(follow, quote.sources[0])
    ]


def lately(service: Service, words: str, *, today: dt.date) -> tuple[Answer, list[Quote]]:
    """The answer to a new follow's words, and what the follow would have sent lately, with the
    service's settings (/follow's preview and `corpusbot follows test`)."""
    answer = service.ask(words)
    settings = service.settings
    recent = would_have_sent(
        words,
        answer,
        service.index,
        first_page=settings.answer.max_quotes,
        min_coverage=settings.answer.min_coverage,
        min_share=settings.follows.min_share,
        today=today,
    )
    return answer, recent


def alerts_for(
    found: Iterable[FollowMatch], index: Index, *, stop_data: Callable[[Follow], str]
) -> list[Alert]:
    """One alert per new article and chat: its sentence, its buttons (Context, Full article,
    and Stop following, whose data `stop_data` makes)."""
    alerts: dict[tuple[int, str], Alert] = {}
    for match in found:
        key = (match.follow.chat_id, match.article.id)
        if key in alerts:
            continue
        # The quote is its first source's words: Context and Full article open that article.
        buttons = [*_article_buttons(index, match.quote.sources[0], match.quote)]
        buttons.append((STOP_LABEL, stop_data(match.follow)))
        text = render_alert(match.follow.query, match.quote)
        story = tuple(source.id for source in match.quote.sources)
        alerts[key] = Alert(
            match.follow.id, match.follow.chat_id, match.article.id, text, tuple(buttons), story
        )
    return list(alerts.values())


def _article_buttons(index: Index, article: ArticleInfo, quote: Quote) -> list[tuple[str, str]]:
    return [
        (_LABELS[button.view], button.data())
        for button in answer_buttons(index, article, quote.text)
        if button.view in _LABELS
    ]


def article_terms(index: Index, article: ArticleInfo) -> set[str]:
    text = index.article_text(article.number)
    return set(index.analyzer.terms(f"{article.title}\n{text}"))


def lead_terms(index: Index, article: ArticleInfo) -> set[str]:
    """The terms of the article's headline and lead (its first LEAD_CHARS characters)."""
    lead = index.article_text(article.number)[:LEAD_CHARS]
    return set(index.analyzer.terms(f"{article.title}\n{lead}"))


def _idf(df: int, passages: int) -> float:
    """BM25's idf, kept positive: a term in most passages still weighs a little."""
    return math.log(1 + (passages - df + 0.5) / (df + 0.5))
