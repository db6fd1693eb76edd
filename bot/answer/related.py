"""Other articles on the same story: BM25 of an article's most telling terms against the index.

An article's telling terms are those with the highest tf·idf in its own text; searching the
passage index with them finds passages of articles that share the story's names and words. The
article itself is left out, and an article must share a good part of the terms to count.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from corpusbot.retrieval.analysis import TOKEN
from corpusbot.retrieval.index import ArticleInfo, Index

TOP_TERMS = 12  # terms of the article that make the query
SEARCHED = 80  # passages searched; grouped by article afterwards
MIN_SHARED = 0.25  # share of the query's terms a related passage must contain


@dataclass(frozen=True)
class RelatedArticle:
    article: ArticleInfo
    score: float  # the BM25 score of its best passage for the article's terms
    shared: int  # how many of the query's terms that passage contains


def telling_words(index: Index, text: str, count: int = TOP_TERMS) -> list[str]:
    """The words of `text` whose terms weigh most (tf·idf), one surface word per term."""
    tf: Counter[str] = Counter()
    surface: dict[str, str] = {}
    for match in TOKEN.finditer(text):
        word = match.group().casefold()
        term = index.analyzer.term(word)
        if term and term in index.vocab and not word.isdigit():
            tf[term] += 1
            surface.setdefault(term, word)
    weight = {term: times * index.term_weight(term) for term, times in tf.items()}
    best = sorted(weight, key=lambda term: (-weight[term], term))[:count]
    return [surface[term] for term in best]


def related_articles(index: Index, number: int, *, limit: int = 5) -> list[RelatedArticle]:
    """Up to `limit` other articles on the story of article `number` (1-based), best first."""
    words = telling_words(index, index.article_text(number))
    if not words:
        return []
    result = index.search(" ".join(words), SEARCHED)
    needed = max(2, round(MIN_SHARED * len(result.question_terms)))
    own = index.articles[number - 1].id
    found: dict[str, RelatedArticle] = {}
    for hit in result.hits:
        if len(found) >= limit:
            break
        if hit.article.id == own or hit.article.id in found or len(hit.matched) < needed:
            continue
        found[hit.article.id] = RelatedArticle(hit.article, hit.score, len(hit.matched))
    return list(found.values())
