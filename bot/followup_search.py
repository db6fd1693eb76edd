"""Follow-up questions: a question asked in reply to an answer searches that answer's articles
first, and the whole corpus only when they hold nothing good enough. No `telegram` import.

The restriction wraps the index: `ScopedIndex.search` runs the ordinary search with a larger `k`
and keeps the hits of the allowed articles (main's `Index.search` has no article filter yet), so
a scoped passage ranked below the first SCOPED_SEARCH passages overall is not seen.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import cast

from corpusbot.bot.compose import Answer, compose
from corpusbot.bot.settings import AnswerSettings
from corpusbot.retrieval.index import Index, SearchResult

SCOPED_SEARCH = 2_000  # passages searched before keeping the allowed articles' hits


class ScopedIndex:
    """An `Index` whose `search` only returns passages of `article_ids`; all else delegated."""

    def __init__(self, index: Index, article_ids: Collection[str]) -> None:
        self._index = index
        self._allowed = frozenset(article_ids)

    def __getattr__(self, name: str) -> object:
        return getattr(self._index, name)

    def search(self, question: str, k: int = 10) -> SearchResult:
        result = self._index.search(question, max(k, SCOPED_SEARCH))
        hits = [hit for hit in result.hits if hit.article.id in self._allowed][:k]
        return SearchResult(result.question_terms, hits)


@dataclass(frozen=True)
class FollowUp:
    answer: Answer
    widened: bool  # the earlier answer's articles held nothing; the whole corpus was searched
    articles: int  # how many articles the first, narrow search covered


def ask_follow_up(
    index: Index, question: str, article_ids: Collection[str], settings: AnswerSettings
) -> FollowUp:
    """`question` over `article_ids` first; over everything when that finds nothing."""
    narrow = compose(cast(Index, ScopedIndex(index, article_ids)), question, settings)
    if narrow.answered or narrow.reason in ("empty", "no_terms"):
        return FollowUp(narrow, False, len(set(article_ids)))
    return FollowUp(compose(index, question, settings), True, len(set(article_ids)))


def follow_up_note(follow_up: FollowUp) -> str:
    """The line above a follow-up's quotes (Telegram HTML)."""
    earlier = "the article" if follow_up.articles == 1 else f"the {follow_up.articles} articles"
    if follow_up.widened:
        return (
            f"↪️ <i>Nothing on that in {earlier} of the answer you replied to, so I searched "
            "all articles.</i>\n\n"
        )
    return f"↪️ <i>From {earlier} of the answer you replied to.</i>\n\n"
