"""Which new articles answer which follows, and the alerts they bring. No `telegram` import.

An article matches a follow when the follow, asked as a question now, quotes that article on
the first page of its answer, refusal checks included: an article that shares only common words
with the follow sends nothing. A story several outlets carry is one quote naming them all: it
alerts once, naming the others, and a later report of a story already sent alerts no one.

Only a follow whose words the new articles hold is asked at all (a follow's terms are looked up
in the new articles' terms first), so a round of news costs a few answers, not one per follow.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from corpusbot.bot.article_views import View, answer_buttons
from corpusbot.bot.compose import Answer
from corpusbot.bot.history.follows import Alert, Follow
from corpusbot.bot.quotes import Quote
from corpusbot.bot.render import render_alert
from corpusbot.retrieval.index import ArticleInfo, Index

__all__ = ["STOP_LABEL", "FollowMatch", "alerts_for", "matches", "new_article_ids"]

STOP_LABEL = "Stop following"
_LABELS = {View.CONTEXT: "Context", View.FULL: "Full article"}


@dataclass(frozen=True)
class FollowMatch:
    follow: Follow
    quote: Quote  # the first-page quote that stands for the new article
    article: ArticleInfo  # the new article: the quote's own, or another report of its story


def new_article_ids(index: Index, paths: Iterable[str]) -> set[str]:
    """The ids of the articles read from the files at `paths` (added or changed files)."""
    wanted = set(paths)
    return {article.id for article in index.articles if article.path in wanted}


def matches(
    follows: Iterable[Follow],
    new: Collection[str],
    *,
    index: Index,
    ask: Callable[[str], Answer],
    first_page: int,
) -> list[FollowMatch]:
    """Each follow's quotes, on its answer's first page, of an article in `new`."""
    if not new:
        return []
    held = _terms_of(index, new)
    found: list[FollowMatch] = []
    for follow in follows:
        if follow.paused or not set(index.analyzer.terms(follow.query)) & held:
            continue
        answer = ask(follow.query)
        if not answer.answered:
            continue
        for quote in answer.quotes[:first_page]:
            arrived = [source for source in quote.sources if source.id in new]
            if arrived:
                found.append(FollowMatch(follow, quote, arrived[0]))
    return found


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


def _terms_of(index: Index, ids: Collection[str]) -> set[str]:
    """The index terms of the articles `ids`: their headlines and texts."""
    terms: set[str] = set()
    for article in index.articles:
        if article.id in ids:
            text = index.article_text(article.number)
            terms.update(index.analyzer.terms(f"{article.title}\n{text}"))
    return terms
