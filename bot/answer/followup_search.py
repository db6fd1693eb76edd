"""Follow-up questions: a question asked in reply to an answer searches that answer's articles
first, and the whole corpus only when they hold nothing good enough. No `telegram` import.

The narrow search is `compose` with the index's article filter (`allowed`, a bool per article);
the wide one is the bot's ordinary answer (dates and outlets named in the question still apply).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from corpusbot.bot.answer.compose import Answer, AnswerSettings, answer_question
from corpusbot.bot.answer.question import Question, read_question
from corpusbot.bot.answer.scoped_answer import article_table
from corpusbot.bot.answer.scoped_answer import ask_question as ask_everywhere
from corpusbot.retrieval.index import Index


@dataclass(frozen=True)
class FollowUp:
    answer: Answer
    widened: bool  # the earlier answer's articles held nothing; the whole corpus was searched
    articles: int  # how many articles the first, narrow search covered


def article_filter(index: Index, article_ids: Collection[str]) -> np.ndarray:
    """`Index.search`'s `allowed`: True for the articles in `article_ids`. Found on the article
    table's id hashes, made once per index; only the candidates are read, to confirm them."""
    wanted = frozenset(article_ids)
    allowed = article_table(index).with_ids(wanted)
    for position in np.flatnonzero(allowed):
        if index.articles[int(position)].id not in wanted:  # another id with the same hash
            allowed[position] = False
    return allowed


def ask_follow_up(
    index: Index, question: str, article_ids: Collection[str], settings: AnswerSettings
) -> FollowUp:
    """`question` over `article_ids` first; over everything when that finds nothing, or when
    the question names someone those articles never mention ("What did Lavrov say ..." in
    reply to an answer about Iraq: what they say of other things is no answer)."""
    allowed = article_filter(index, article_ids)
    count = int(allowed.sum())
    read = read_question(question, index, limit=settings.max_question_chars)
    if not _names_all_in(index, read, allowed):
        return FollowUp(ask_everywhere(index, read, settings), True, count)
    narrow = answer_question(index, read, settings, allowed=allowed)
    if narrow.answered or narrow.reason in ("empty", "no_terms"):
        return FollowUp(narrow, False, count)
    return FollowUp(ask_everywhere(index, read, settings), True, count)


def _names_all_in(index: Index, question: Question, allowed: np.ndarray) -> bool:
    """Whether every name of `question` that the corpus holds is in one of the `allowed`
    articles."""
    present = question.rewritten.present
    return all(index.search(name, 1, allowed=allowed).hits for name in present)


def follow_up_note(follow_up: FollowUp) -> str:
    """The line above a follow-up's quotes (Telegram HTML)."""
    earlier = "the article" if follow_up.articles == 1 else f"the {follow_up.articles} articles"
    if follow_up.widened:
        return (
            f"↪️ <i>Nothing on that in {earlier} of the answer you replied to, so I searched "
            "all articles.</i>\n\n"
        )
    return f"↪️ <i>From {earlier} of the answer you replied to.</i>\n\n"
