"""Turning a chunk of passages into (passage, term, frequency) triples (retrieval/building.py
runs it in worker processes for large corpora)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from corpusbot.retrieval.analyzer import Analyzer, AnalyzerSettings

CHUNK_PASSAGES = 20_000


@dataclass
class TokenizedChunk:
    """A run of passages: local vocabulary and sorted (passage, term) pairs with counts."""

    vocab: list[str]
    doc: np.ndarray  # int32, passage number within the chunk
    term: np.ndarray  # int32, into `vocab`
    tf: np.ndarray  # uint16
    doc_len: np.ndarray  # int32, terms per passage (repeats counted)


@lru_cache(maxsize=4)
def _analyzer(settings: AnalyzerSettings) -> Analyzer:
    return Analyzer(settings)


def tokenize_chunk(texts: Sequence[str], settings: AnalyzerSettings) -> TokenizedChunk:
    analyzer = _analyzer(settings)
    # All the chunk's words in one list, so each new word is analyzed once and the mapping to
    # term ids is a single pass over C-level map() rather than a Python loop per passage.
    words: list[str] = []
    lengths = np.zeros(len(texts), dtype=np.int64)
    for number, text in enumerate(texts):
        found = analyzer.words(text)
        words += found
        lengths[number] = len(found)
    word_ids: dict[str, int] = {}  # case-folded word -> local term id, -1 for stop words
    term_ids: dict[str, int] = {}
    for word in set(words):
        term = analyzer.term(word)
        word_ids[word] = term_ids.setdefault(term, len(term_ids)) if term else -1
    tokens = np.fromiter(map(word_ids.__getitem__, words), dtype=np.int64, count=len(words))
    docs = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    keep = tokens >= 0
    tokens, docs = tokens[keep], docs[keep]
    vocab_size = max(len(term_ids), 1)
    pairs, counts = np.unique(docs * vocab_size + tokens, return_counts=True)
    return TokenizedChunk(
        vocab=list(term_ids),
        doc=(pairs // vocab_size).astype(np.int32),
        term=(pairs % vocab_size).astype(np.int32),
        tf=np.minimum(counts, np.iinfo(np.uint16).max).astype(np.uint16),
        doc_len=np.bincount(docs, minlength=len(texts)).astype(np.int32),
    )
