"""Each passage's sentences with their index terms, as quoting reads them.

Scoring a question's sentences (retrieval/sentence_score.py) needs every retrieved passage cut
into sentences and each sentence's terms. Cutting and analyzing costs about 35 µs a passage
(most of a cold question's compose time), so the build stores them (`SentenceTable`:
retrieval/tokenizing.py cuts the sentences and reads each one's words in the same pass that
tokenizes the passage) and `stored_sentences` reads them back in a few µs. Passages that are
not in an index (a hand-made `Hit`) are analyzed here, and remembered by `SentenceCache`.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from corpusbot.retrieval.analyzer import Analyzer
from corpusbot.retrieval.sentences import sentence_spans
from corpusbot.retrieval.storage import SentenceTable

# Passages kept analyzed (a few KB each): a question reads up to 24.
CACHED_PASSAGES = 20_000

Sentence = tuple[int, int, tuple[str, ...]]  # start, end (offsets into the passage), its terms


def analyzed_sentences(text: str, analyzer: Analyzer) -> list[Sentence]:
    """The sentences of `text` with their index terms, in order."""
    return [(s, e, tuple(analyzer.terms(text[s:e]))) for s, e in sentence_spans(text)]


def stored_sentences(table: SentenceTable, terms: Sequence[str], number: int) -> list[Sentence]:
    """Passage `number`'s sentences as the build stored them: `analyzed_sentences` of its text
    (`terms`: the index's terms by number)."""
    first, last = int(table.first[number]), int(table.first[number + 1])
    base = int(table.token_first[number])
    words = list(map(terms.__getitem__, table.tokens[base : table.token_first[number + 1]].tolist()))
    return [
        (start, end, tuple(words[a:b]))
        for start, end, a, b in zip(
            table.start[first:last].tolist(),
            table.end[first:last].tolist(),
            table.token_start[first:last].tolist(),
            table.token_end[first:last].tolist(),
            strict=True,
        )
    ]


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
