"""Cutting articles into passages that keep their place in the article."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from langchain_text_splitters import RecursiveCharacterTextSplitter

from corpusbot.retrieval.reading.corpus import Article

# Paragraphs first, then lines, sentences, clauses and words: a passage ends where a reader pauses.
SEPARATORS = ["\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ", ""]


@dataclass(frozen=True)
class SplitSettings:
    chunk_size: int = 500
    chunk_overlap: int = 0


@dataclass(frozen=True)
class Passage:
    """A piece of an article: `article.text[start:end] == text`."""

    article_id: str
    ordinal: int
    start: int
    end: int
    text: str
    # Words searched with the passage but never quoted: the article's headline, on its first
    # passage, when the headline is not already the text's own first words.
    heading: str = field(default="", compare=False)

    @property
    def searchable(self) -> str:
        """What the index reads for this passage: its heading, then its text."""
        return f"{self.heading}\n{self.text}" if self.heading else self.text


@lru_cache(maxsize=8)
def _splitter(settings: SplitSettings) -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter(
        chunk_size=settings.chunk_size,
        chunk_overlap=settings.chunk_overlap,
        separators=SEPARATORS,
        keep_separator="end",
        strip_whitespace=True,
    )


def split_article(article: Article, settings: SplitSettings) -> list[Passage]:
    """The article's passages in order, each with its character offsets into `article.text`."""
    passages: list[Passage] = []
    cursor = 0
    for chunk in _splitter(settings).split_text(article.text):
        start = article.text.find(chunk, max(0, cursor - settings.chunk_overlap))
        if start < 0:  # The splitter only strips and joins, so this is a safety net.
            start = article.text.find(chunk)
        if start < 0:
            continue
        end = start + len(chunk)
        heading = "" if passages else _heading(article, chunk)
        passages.append(Passage(article.id, len(passages), start, end, chunk, heading))
        cursor = end
    return passages


def _heading(article: Article, first: str) -> str:
    """The headline, unless it was made from the first sentence (it is searched there)."""
    title = article.title.rstrip("…").strip()
    return "" if not title or title in first else article.title


def split_corpus(articles: Iterable[Article], settings: SplitSettings) -> Iterator[Passage]:
    for article in articles:
        yield from split_article(article, settings)
