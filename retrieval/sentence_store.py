"""Each passage's sentences with their index terms, analyzed once and kept for the next question.

Scoring a question's sentences (retrieval/sentence_score.py) cuts every retrieved passage into
sentences and analyzes each one; half of that work is the same for every question that retrieves
the passage. `SentenceCache` keeps the result per passage text, a bounded number of them.

Storing the sentences at index time was measured and not done: cutting a passage into sentences
costs about 23 µs (the same again to analyze them one by one), against 46-55 CPU µs a passage
for the whole build today, which would take the 1M-passage build below its 20,000 passages/s
target; the benchmark's questions share few passages (8-14% of the quoted ones), so the cache
saves less there than in a bot asked the same things again (docs/benchmarks.md).
"""

from __future__ import annotations

import threading

from corpusbot.retrieval.analyzer import Analyzer
from corpusbot.retrieval.sentences import sentence_spans

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
