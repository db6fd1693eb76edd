"""Turning many passages into (passage, term, frequency) triples, on every core when it pays."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from corpusbot.retrieval.analyzer import Analyzer, AnalyzerSettings
from corpusbot.retrieval.lifeline import die_with_parent

CHUNK_PASSAGES = 20_000
# Below this many passages, starting worker processes costs more than it saves.
PARALLEL_FROM = 100_000


@dataclass
class TokenizedChunk:
    """A run of passages: local vocabulary and sorted (passage, term) pairs with counts."""

    vocab: list[str]
    doc: np.ndarray  # int32, passage number within the chunk
    term: np.ndarray  # int32, into `vocab`
    tf: np.ndarray  # uint16
    doc_len: np.ndarray  # int32, terms per passage (repeats counted)


def tokenize_passages(
    texts: Sequence[str],
    settings: AnalyzerSettings,
    workers: int = 1,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[TokenizedChunk]:
    """Tokenize `texts` in chunks, in order; in `workers` processes for large inputs."""
    slices = [texts[i:i + CHUNK_PASSAGES] for i in range(0, len(texts), CHUNK_PASSAGES)]
    total, done, chunks = len(texts), 0, []
    if workers > 1 and total >= PARALLEL_FROM:
        context = multiprocessing.get_context("spawn")  # fork is unsafe beside an event loop
        # Workers end with this process, even if it is killed (else each lives on, ~130 MB).
        with ProcessPoolExecutor(workers, mp_context=context, initializer=die_with_parent,
                                 initargs=(os.getpid(),)) as pool:
            for chunk in pool.map(tokenize_chunk, slices, [settings] * len(slices)):
                chunks.append(chunk)
                done += len(chunk.doc_len)
                if progress:
                    progress("indexing passages", done, total)
        return chunks
    for piece in slices:
        chunks.append(tokenize_chunk(piece, settings))
        done += len(piece)
        if progress:
            progress("indexing passages", done, total)
    return chunks


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
