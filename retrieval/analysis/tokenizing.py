"""Turning a chunk of passages into (passage, term, frequency) triples, and each passage's
sentences with their terms (retrieval/index/building.py runs it in worker processes for large
corpora).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from corpusbot.retrieval.analysis.analyzer import Analyzer, AnalyzerSettings
from corpusbot.retrieval.analysis.sentences import sentence_spans

CHUNK_PASSAGES = 20_000


@dataclass
class TokenizedChunk:
    """A run of passages: local vocabulary and sorted (passage, term) pairs with counts; and
    each passage's sentences as a record of storage.SentenceRecords, for quoting."""

    vocab: list[str]
    doc: np.ndarray  # int32, passage number within the chunk
    term: np.ndarray  # int32, into `vocab`
    tf: np.ndarray  # uint16
    doc_len: np.ndarray  # int32, terms per passage (repeats counted)
    records: np.ndarray  # int32, the passages' records one after another, terms into `vocab`
    record_lengths: np.ndarray  # int64, per passage
    term_slots: np.ndarray  # bool, per value of `records`: whether it is a term


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
    # Each passage is a heading piece (maybe empty), then one piece a sentence.
    pieces = np.array(piece_words, dtype=np.int64)
    heading_piece = np.cumsum(sentences + 1) - (sentences + 1)
    is_sentence = np.ones(len(pieces), dtype=bool)
    is_sentence[heading_piece] = False
    terms_in = _run_sums(keep, np.cumsum(pieces) - pieces)  # terms (words kept) a piece
    docs = np.repeat(np.arange(len(texts), dtype=np.int64), _run_sums(pieces, heading_piece))
    tokens, docs = tokens[keep], docs[keep]
    vocab_size = max(len(term_ids), 1)
    pairs, counts = np.unique(docs * vocab_size + tokens, return_counts=True)
    doc_len = np.bincount(docs, minlength=len(texts))
    cuts = np.array(spans, dtype=np.int64).reshape(-1, 2)
    header = np.column_stack([cuts, terms_in[is_sentence]])
    records, lengths, slots = _records(
        tokens, docs, doc_len, sentences, header, heading=terms_in[heading_piece]
    )
    return TokenizedChunk(
        vocab=list(term_ids),
        doc=(pairs // vocab_size).astype(np.int32),
        term=(pairs % vocab_size).astype(np.int32),
        tf=np.minimum(counts, np.iinfo(np.uint16).max).astype(np.uint16),
        doc_len=doc_len.astype(np.int32),
        records=records,
        record_lengths=lengths,
        term_slots=slots,
    )


def _records(
    tokens: np.ndarray,
    docs: np.ndarray,
    doc_len: np.ndarray,
    sentences: np.ndarray,
    header: np.ndarray,
    *,
    heading: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each passage's record: [sentences n, (start, end, terms) x n, the sentences' terms]; the
    records one after another, their lengths, and which values are terms. `tokens` and `docs`:
    every passage's terms and their passages (heading first); `header`: (start, end, terms) a
    sentence; `heading`: each passage's heading terms, which come before its sentences'."""
    firsts = np.cumsum(sentences) - sentences  # each passage's first sentence
    lengths = 1 + 3 * sentences.astype(np.int64) + doc_len - heading
    starts = np.cumsum(lengths) - lengths
    records = np.zeros(int(lengths.sum()), dtype=np.int32)
    records[starts] = sentences
    # sentence i, the j-th of its passage p, has its header at starts[p] + 1 + 3 j
    owner = np.repeat(np.arange(len(sentences)), sentences)
    place = starts[owner] + 1 + 3 * (np.arange(len(owner)) - firsts[owner])
    for column in range(3):
        records[place + column] = header[:, column]
    # a passage's k-th term (counted from its first, heading included) goes after the headers
    passage_first = np.cumsum(doc_len) - doc_len
    k = np.arange(len(tokens)) - passage_first[docs]
    in_text = k >= heading[docs]
    slot = (starts + 1 + 3 * sentences - heading)[docs] + k
    records[slot[in_text]] = tokens[in_text]
    slots = np.zeros(len(records), dtype=bool)
    slots[slot[in_text]] = True
    return records, lengths, slots


def _run_sums(values: np.ndarray, firsts: np.ndarray) -> np.ndarray:
    """The sums of `values` over the runs starting at `firsts` (ascending; the last run ends
    with `values`; a run may be empty)."""
    totals = np.concatenate([[0], np.cumsum(values, dtype=np.int64)])
    bounds = np.append(firsts, len(values))
    sums: np.ndarray = totals[bounds[1:]] - totals[bounds[:-1]]
    return sums
