"""The bot as `eval --qa` asks it: a question to a `Reply`, and a follow-up after an earlier
question read as a chat would read it (bot/answer/conversation.py). For `corpusbot eval --qa` and
benchmarks/news_questions.py."""

from __future__ import annotations

from corpusbot.bot.answer import Turn, follow_up
from corpusbot.bot.app.service import Service
from corpusbot.retrieval.evaluation import AnswerFunction, FollowUpFunction, QuoteOut, Reply

__all__ = ["answer_functions"]


def answer_functions(service: Service) -> tuple[AnswerFunction, FollowUpFunction]:
    """(ask, ask after an earlier question) over `service`'s index."""

    def ask(question: str) -> Reply:
        answer = service.ask(question)
        quotes = tuple(
            QuoteOut(q.text, tuple(s.id for s in q.sources), q.lead) for q in answer.quotes
        )
        return Reply(answer.answered, quotes)

    def ask_after(earlier: str, question: str) -> Reply:
        """`question` typed right after `earlier`, by the same person in the same chat."""
        analyzer = service.index.analyzer
        found = follow_up(question, Turn(earlier, 0.0), analyzer, now=0.0, window=1.0)
        return ask(found.question if found else question)

    return ask, ask_after
