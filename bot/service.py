"""The open index and the settings, shared by the command line and the Telegram bot."""

from __future__ import annotations

from dataclasses import dataclass

from bot.compose import Answer, compose
from bot.render import Context
from bot.settings import Settings
from retrieval.cache import OpenedIndex, open_index
from retrieval.index import Index, Progress


@dataclass
class Service:
    settings: Settings
    opened: OpenedIndex

    @classmethod
    def open(cls, settings: Settings, progress: Progress | None = None,
             rebuild: bool = False) -> Service:
        opened = open_index(settings.corpus, settings.split, settings.index,
                            settings.max_file_bytes, progress, rebuild)
        return cls(settings, opened)

    @property
    def index(self) -> Index:
        return self.opened.index

    def ask(self, question: str) -> Answer:
        return compose(self.index, question, self.settings.answer)

    @property
    def context(self) -> Context:
        return Context(
            articles=len(self.index.articles),
            example=self.examples(1)[0] if self.index.articles else "",
            max_question_chars=self.settings.answer.max_question_chars,
        )

    def examples(self, count: int = 3) -> list[str]:
        """Questions a newcomer can tap: the headlines of the first articles."""
        return [article.title.rstrip("…") for article in self.index.articles[:count]]
