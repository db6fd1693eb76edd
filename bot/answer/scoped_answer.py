"""Questions with a time or an outlet in them: "the latest on the talks", "bridge in April 2021",
"what did AA report". The expression is read out of the question (bot/answer/query_filters.py),
the search is limited to the articles it allows, and the answer says which range it used.
A question left with nothing to search for ("what happened last week") lists the newest
articles in range instead.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from corpusbot.bot.answer.compose import (
    Answer,
    AnswerSettings,
    Quote,
    Reason,
    answer_question,
    sentence_spans,
)
from corpusbot.bot.answer.freshness import sort_newest_first
from corpusbot.bot.answer.query_filters import (
    ACCORDING_TO,
    FROM_TOKEN,
    ArticleFacts,
    article_mask,
    newest_positions,
    parse_question,
)
from corpusbot.bot.answer.question import Question, clean_question, read_question
from corpusbot.bot.answer.scope import scope_of
from corpusbot.retrieval.index import Index

# "The latest on X": a quote scoring this share of the best one answers well, and is ordered
# among the newest first; the others follow.
WELL_ANSWERED_SHARE = 0.6
# Passages searched for the articles on a topic when the newest are asked for ("the latest on
# X"): the newest of those that hold the whole topic are quoted.
TOPIC_POOL = 1_000
SAYING = re.compile(r"\b(?:say|says|said|think|thinks|thought)\b", re.IGNORECASE)
_tables: weakref.WeakKeyDictionary[Index, ArticleFacts] = weakref.WeakKeyDictionary()
_tables_lock = threading.Lock()


def article_table(index: Index) -> ArticleFacts:
    """The index's dates and outlets as arrays, made once per index."""
    with _tables_lock:
        table = _tables.get(index)
        if table is None:
            table = _tables[index] = ArticleFacts.of_columns(index.article_columns)
        return table


def ask(index: Index, raw_question: str, settings: AnswerSettings) -> Answer:
    """The answer to `raw_question`, within the dates and outlets it names."""
    limit = settings.max_question_chars
    text, cut = clean_question(raw_question, limit)
    # Read only if the answer needs the whole question (it names no date or outlet, or an
    # "outlet" that may be a person), which it then does once; otherwise only its topic is read.
    return _ask(index, text, cut, lambda: read_question(raw_question, index, limit=limit), settings)


def ask_question(index: Index, question: Question, settings: AnswerSettings) -> Answer:
    """`ask` for a question already read (bot/answer/question.py)."""
    return _ask(index, question.text, question.cut, lambda: question, settings)


def _ask(
    index: Index,
    text: str,
    cut: bool,
    whole: Callable[[], Question],
    settings: AnswerSettings,
) -> Answer:
    table = article_table(index)
    parsed = parse_question(
        text,
        outlets=table.outlets,
        newest=table.newest,
        is_topic=lambda name: _is_topic(index, name),
    )
    wanted = parsed.filter
    if not wanted.active:
        return answer_question(index, whole(), settings)
    listing = not index.analyzer.terms(parsed.text)
    scope = scope_of(wanted, table.outlets, listing=listing)
    plain = Answer(text, False, question_cut=cut, scope=scope)
    if wanted.missing_outlet:
        absent = _absent_person(index, text, whole, wanted.missing_outlet, settings)
        return absent or replace(plain, reason=Reason.UNKNOWN_OUTLET)
    allowed = article_mask(wanted, table)
    if allowed is not None and not allowed.any():
        return replace(plain, reason=Reason.EMPTY_SCOPE)
    if listing:
        return replace(
            plain, answered=True, quotes=_newest_articles(index, allowed, settings.max_hits)
        )
    if wanted.newest_first:  # the newest among the articles on the topic, not the best-scored
        allowed = _newest_on_topic(index, parsed.text, allowed, settings.max_hits)
    topic = read_question(parsed.text, index, limit=settings.max_question_chars)
    answer = answer_question(index, topic, settings, allowed=allowed)
    quotes = _newest_first(answer.quotes) if wanted.newest_first else answer.quotes
    return replace(answer, question=text, question_cut=cut, quotes=quotes, scope=scope)


def _absent_person(
    index: Index,
    text: str,
    whole: Callable[[], Question],
    name: str,
    settings: AnswerSettings,
) -> Answer | None:
    """ "What did Blinken say...": a person says, an outlet reports. Unless the question (`text`;
    `whole`, read) names an outlet outright ("according to", "from:", "report"), a name in no
    article's text either is answered as compose answers it: "No article mentions Blinken."
    (issue 9), or respelled to the articles' spelling of it ("Ruhani": Rouhani)."""
    if ACCORDING_TO.search(text) or FROM_TOKEN.search(text) or not SAYING.search(text):
        return None
    answer = answer_question(index, whole(), settings)
    absent = answer.reason == Reason.ABSENT and name in answer.missing
    respelled = any(r.asked == name for r in answer.respelled)  # "Ruhani" for "Rouhani"
    return answer if absent or respelled else None


def _newest_on_topic(
    index: Index, text: str, allowed: np.ndarray | None, limit: int
) -> np.ndarray | None:
    """The `limit` newest of the articles (among `allowed`) that hold every term of `text` in
    one passage, as an article mask; `allowed` unchanged when no article does. "The latest from
    Portville" must reach July's article that mentions Portville, not only the best-scored
    ones, which BM25 finds among short passages of any date."""
    search = index.search(text, TOPIC_POOL, allowed=allowed)
    asked = frozenset(search.question_terms)
    on_topic = np.zeros(len(index.articles), dtype=bool)
    for hit in search.hits:
        if hit.matched >= asked:
            on_topic[hit.article_number - 1] = True
    if not on_topic.any():
        return allowed
    newest = newest_positions(article_table(index), on_topic, limit)
    mask = np.zeros(len(index.articles), dtype=bool)
    mask[newest] = True
    return mask


def _newest_first(quotes: tuple[Quote, ...]) -> tuple[Quote, ...]:
    """The quotes that answer well (WELL_ANSWERED_SHARE of the best score) newest first, then the
    weaker ones by score: "the latest on the talks" must not lead with a passing mention."""
    best = max((quote.score for quote in quotes), default=0.0)
    strong = [quote for quote in quotes if quote.score >= best * WELL_ANSWERED_SHARE]
    weak = [quote for quote in quotes if quote.score < best * WELL_ANSWERED_SHARE]
    return (*sort_newest_first(strong, key=lambda quote: quote.sources[0]), *weak)


def _is_topic(index: Index, name: str) -> bool:
    """Whether the articles use every word of `name` (so it is a subject, not an outlet)."""
    terms = index.analyzer.terms(name)
    return bool(terms) and all(term in index.vocab for term in terms)


def _newest_articles(index: Index, allowed: np.ndarray | None, limit: int) -> tuple[Quote, ...]:
    """The first sentence of each allowed article, newest first, at most `limit`: chosen on the
    article table's days, so only those `limit` articles are read."""
    positions = newest_positions(article_table(index), allowed, limit)
    newest = [index.articles[int(position)] for position in positions]
    return tuple(
        Quote(_opening(index.article_text(a.number), a.title), (), (a,), 0.0) for a in newest
    )


def _opening(text: str, title: str) -> str:
    """The article's first sentence that is not its headline."""
    for line in text.splitlines():
        line = " ".join(line.split())
        if line and line != title:
            start, end = sentence_spans(line)[0]
            return line[start:end]
    return title
