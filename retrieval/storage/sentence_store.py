"""Each passage's sentences with their index terms, analyzed from its text.

The build stores every indexed passage's sentences and terms (`SentenceTable`, read back by
retrieval/storage/sentence_block.py), so a question never cuts and analyzes the passages it
retrieves: that cost about 35 µs a passage, most of a question's compose time. Passages that are not
in an index (a hand-made `Hit`) are analyzed here, and remembered by `SentenceCache`.
"""

from __future__ import annotations

import threading

from corpusbot.retrieval.analysis import Analyzer, sentence_spans

# Passages kept analyzed (a few KB each): a question reads up to 24.
CACHED_PASSAGES = 20_000

Sentence = tuple[int, int, tuple[str, ...]]  # start, end (offsets into the passage), its terms


def analyzed_sentences(text: str, analyzer: Analyzer) -> list[Sentence]:
    """The sentences of `text` with their index terms, in order."""
    return [(s, e, tuple(analyzer.terms(text[s:e]))) for s, e in sentence_spans(text)]


class SentenceCache:
    """`analyzed_sentences` for one analyzer, remembered per passage text (bounded; cleared
    when full, as the article cache is). Callable: `cache(text)`."""

    def __init__(self, analyzer: Analyzer, size: int = CACHED_PASSAGES) -> None:
        self.analyzer = analyzer
        self.size = size
        self._kept: dict[str, list[Sentence]] = {}
        self._lock = threading.Lock()

    def __call__(self, text: str) -> list[Sentence]:
        found = self._kept.get(text)
        if found is None:
            found = analyzed_sentences(text, self.analyzer)
            with self._lock:
                if len(self._kept) >= self.size:
                    self._kept.clear()
                self._kept[text] = found
        return found
