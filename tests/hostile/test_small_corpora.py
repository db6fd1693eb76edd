"""Tiny corpora and caches that cannot be written (issue 10, item 13)."""

from __future__ import annotations

import json
from pathlib import Path

from corpusbot.retrieval.index.bm25 import Index, IndexSettings
from corpusbot.retrieval.reading.corpus import Article
from corpusbot.retrieval.reading.passages import Passage

from .helpers import corpusbot


def _index(texts: list[str]) -> Index:
    articles = [Article(f"a{n}", f"Title {n}", text, f"a{n}.txt") for n, text in enumerate(texts)]
    passages = [Passage(a.id, 0, 0, len(a.text), a.text) for a in articles]
    return Index.build(articles, passages, IndexSettings())


def test_a_one_passage_corpus_answers() -> None:
    index = _index(["Pistachio growers in Kerman expect a record harvest."])
    assert [h.article.id for h in index.search("pistachio harvest").hits] == ["a0"]


def test_a_two_passage_corpus_ranks_the_passage_with_the_word() -> None:
    index = _index(
        [
            "Pistachio growers in Kerman expect a record harvest.",
            "Saffron prices in Mashhad fell after a record harvest.",
        ]
    )
    assert [h.article.id for h in index.search("saffron").hits] == ["a1"]
    assert next(h.article.id for h in index.search("saffron harvest").hits) == "a1"


def test_a_tiny_folder_answers_from_the_command_line(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "one.txt").write_text("Carpet exports\n\nTabriz carpet exports doubled this year.")
    result = corpusbot(
        "ask", "carpet exports", "--json", "--corpus", str(corpus), cache=tmp_path / "cache"
    )
    assert json.loads(result.stdout)["answered"]


def test_an_unwritable_cache_answers_from_memory_and_says_so_once(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "one.txt").write_text("Carpet exports\n\nTabriz carpet exports doubled this year.")
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    result = corpusbot("ask", "Tabriz carpet", "--corpus", str(corpus), cache=blocked / "cache")
    assert result.returncode == 0, result.stderr
    assert b"Tabriz carpet exports doubled" in result.stdout
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1 and "could not be saved" in lines[0], lines
