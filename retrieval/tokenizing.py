"""Turning a chunk of passages into (passage, term, frequency) triples, and each passage's
sentences with their terms (retrieval/building.py runs it in worker processes for large corpora).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from corpusbot.retrieval.analyzer import Analyzer, AnalyzerSettings
from corpusbot.retrieval.sentences import sentence_spans

CHUNK_PASSAGES = 20_000


@dataclass
class TokenizedChunk:
    """A run of passages: local vocabulary and sorted (passage, term) pairs with counts; and
    the passages' terms in order with their sentences, for quoting (retrieval/sentence_store.py).
    """

    vocab: list[str]
    doc: np.ndarray  # int32, passage number within the chunk
    term: np.ndarray  # int32, into `vocab`
    tf: np.ndarray  # uint16
    doc_len: np.ndarray  # int32, terms per passage (repeats counted)
    tokens: np.ndarray  # int32, into `vocab`: every passage's terms in order, heading first
    sentences: np.ndarray  # int32, sentences per passage
    # Per sentence: character offsets into its passage's text (without the heading), and its
    # terms' offsets into the passage's run of `tokens`.
    sentence_start: np.ndarray
    sentence_end: np.ndarray
    token_start: np.ndarray
    token_end: np.ndarray


@lru_cache(maxsize=4)
def _analyzer(settings: AnalyzerSettings) -> Analyzer:
    return Analyzer(settings)


def tokenize_chunk(
    texts: Sequence[str], settings: AnalyzerSettings, text_starts: Sequence[int] | None = None
) -> TokenizedChunk:
    """Tokenize `texts` (each passage's heading and text); `text_starts`: where each text
    starts after its heading (none: no headings). Sentences are found in the text alone."""
    analyzer = _analyzer(settings)
    # All the chunk's words in one list, so each new word is analyzed once and the mapping to
    # term ids is a single pass over C-level map() rather than a Python loop per passage. The
    # words are read a piece at a time (the heading, then each sentence: no word spans two),
    # which gives the same words as the whole text and says which sentence each is in.
    words: list[str] = []
    piece_words: list[int] = []
    spans: list[tuple[int, int]] = []
    sentences = np.zeros(len(texts), dtype=np.int32)
    for number, text in enumerate(texts):
        at = text_starts[number] if text_starts else 0
        body = text[at:]
        found = analyzer.words(text[:at]) if at else []
        words += found
        piece_words.append(len(found))
        cut = sentence_spans(body)
        for start, end in cut:
            found = analyzer.words(body[start:end])
            words += found
            piece_words.append(len(found))
        spans += cut
        sentences[number] = len(cut)
    word_ids: dict[str, int] = {}  # case-folded word -> local term id, -1 for stop words
    term_ids: dict[str, int] = {}
    for word in set(words):
        term = analyzer.term(word)
        word_ids[word] = term_ids.setdefault(term, len(term_ids)) if term else -1
    tokens = np.fromiter(map(word_ids.__getitem__, words), dtype=np.int64, count=len(words))
    keep = tokens >= 0
    token_start, token_end = _sentence_tokens(keep, np.array(piece_words), sentences)
    docs = np.repeat(
        np.arange(len(texts), dtype=np.int64), _words_per_passage(piece_words, sentences)
    )
    tokens, docs = tokens[keep], docs[keep]
    vocab_size = max(len(term_ids), 1)
    pairs, counts = np.unique(docs * vocab_size + tokens, return_counts=True)
    cuts = np.array(spans, dtype=np.int32).reshape(-1, 2)
    return TokenizedChunk(
        vocab=list(term_ids),
        doc=(pairs // vocab_size).astype(np.int32),
        term=(pairs % vocab_size).astype(np.int32),
        tf=np.minimum(counts, np.iinfo(np.uint16).max).astype(np.uint16),
        doc_len=np.bincount(docs, minlength=len(texts)).astype(np.int32),
        tokens=tokens.astype(np.int32),
        sentences=sentences,
        sentence_start=cuts[:, 0].copy(),
        sentence_end=cuts[:, 1].copy(),
        token_start=token_start,
        token_end=token_end,
    )


def _words_per_passage(piece_words: list[int], sentences: np.ndarray) -> np.ndarray:
    """Words per passage from words per piece (each passage: a heading piece, its sentences)."""
    firsts = np.concatenate([[0], np.cumsum(sentences + 1)])
    totals: np.ndarray = np.concatenate([[0], np.cumsum(piece_words)])
    words: np.ndarray = totals[firsts[1:]] - totals[firsts[:-1]]
    return words


def _sentence_tokens(
    keep: np.ndarray, piece_words: np.ndarray, sentences: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each sentence's first and past-last term, counted from its passage's first term (the
    heading's terms come first); `keep` marks the words that are terms (not stop words)."""
    kept_before = np.concatenate([[0], np.cumsum(keep)])
    word_bounds = np.concatenate([[0], np.cumsum(piece_words)])
    kept = kept_before[word_bounds[1:]] - kept_before[word_bounds[:-1]]  # terms per piece
    ends = np.cumsum(kept)
    heading = np.concatenate([[0], np.cumsum(sentences + 1)[:-1]])  # each passage's first piece
    passage_base = (ends - kept)[heading]  # terms before the passage
    relative_end = ends - np.repeat(passage_base, sentences + 1)
    is_sentence = np.ones(len(kept), dtype=bool)
    is_sentence[heading] = False
    end = relative_end[is_sentence]
    return (end - kept[is_sentence]).astype(np.int32), end.astype(np.int32)
