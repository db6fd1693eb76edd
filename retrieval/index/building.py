"""Building an index folder from a stream of articles, in bounded memory.

Articles arrive one at a time with their passages. Their texts go straight to texts.bin and the
per-passage tables to their .npy files; passages are tokenized in chunks (in worker processes
once the corpus proves large); each tokenized chunk's postings, renumbered into one growing
vocabulary, are buffered and spilled to disk as a segment sorted by term. BM25 weights need
every passage's length and every term's document frequency, so the postings are written only at
the end: the segments are merged a range of terms at a time (each range's postings read back
from every segment, grouped by term, weighted, appended). Peak memory is then one segment
buffer plus one merge range, whatever the corpus size; what grows with it is a few bytes per
passage (its length) and the vocabulary.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import shutil
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from corpusbot.retrieval.analysis import (
    CHUNK_PASSAGES,
    AnalyzerSettings,
    TokenizedChunk,
    pool_worker,
    tokenize_chunk,
)
from corpusbot.retrieval.reading import Article, Passage
from corpusbot.retrieval.storage import (
    FORMAT,
    META,
    PASSAGE_FILES,
    POSTINGS_FILES,
    SENTENCE_OFFSETS,
    SENTENCE_RECORDS,
    TEXTS,
    VOCAB,
    ArrayWriter,
    ArticleInfo,
    ArticleWriter,
    IndexMeta,
    Provenance,
    fsync_folder,
    write_array,
    write_json,
)

# Postings buffered before they are spilled as one sorted segment (about 10 bytes each).
SEGMENT_POSTINGS = 16_000_000
# Postings weighted and written per merge step.
MERGE_POSTINGS = 8_000_000
# The first chunks are tokenized in this process: small corpora never pay for starting workers.
LOCAL_CHUNKS = 2
SEGMENTS = ".segments"
# Corpora with fewer passages use an idf that is never 0 or negative (see bm25_idf).
TINY_CORPUS = 10

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Weighting:
    """BM25Okapi's parameters (rank-bm25's names and defaults)."""

    k1: float = 1.5
    b: float = 0.75
    epsilon: float = 0.25


def bm25_idf(df: np.ndarray, passages: int, epsilon: float) -> np.ndarray:
    """rank-bm25's BM25Okapi idf: negative values are floored at epsilon * the mean idf.

    Below TINY_CORPUS passages that idf gives few or no terms a positive weight (none at all
    with one or two passages), so nothing could be found: there, and only there, Lucene's
    always-positive BM25 idf, log(1 + (n - df + 0.5) / (df + 0.5)), is used instead.
    """
    if passages < TINY_CORPUS:
        return np.log1p((passages - df + 0.5) / (df + 0.5))
    idf = np.log(passages - df + 0.5) - np.log(df + 0.5)
    if len(idf):
        # fsum: the exact sum, whatever order the terms were numbered in (it changes with each
        # process's string hashing), so a rebuilt index scores every passage alike to the bit
        idf[idf < 0] = epsilon * (math.fsum(idf.tolist()) / len(idf))
    return idf


def build_folder(
    pairs: Iterable[tuple[Article, list[Passage]]],
    folder: Path,
    *,
    analyzer: AnalyzerSettings,
    weighting: Weighting,
    workers: int = 1,
    progress: Progress | None = None,
    provenance: Provenance | None = None,
    articles: int = 0,
) -> IndexMeta:
    """Write the index of `pairs` (each article with its passages, in order) into `folder`.

    `articles`, when known, is how many articles `pairs` holds: progress is reported against it.
    """
    folder.mkdir(parents=True, exist_ok=True)
    build = _Build(folder, analyzer, workers, progress)
    build.expected = articles
    try:
        for article, passages in pairs:
            build.add(article, passages)
        return build.finish(weighting, provenance or Provenance())
    finally:
        build.close()


class _Build:
    def __init__(
        self, folder: Path, analyzer: AnalyzerSettings, workers: int, progress: Progress | None
    ) -> None:
        self.folder, self.analyzer, self.progress = folder, analyzer, progress
        self.expected = 0  # articles, when the caller knows: the progress total
        self.texts = (folder / TEXTS).open("wb")
        self.text_bytes = 0
        self.articles = ArticleWriter(folder)
        self.article_bstart = [0]
        self.tables = {
            name: ArrayWriter(folder / PASSAGE_FILES[name], dtype)
            for name, dtype in (
                ("article", np.int32),
                ("ordinal", np.int32),
                ("start", np.int32),
                ("end", np.int32),
                ("bstart", np.int64),
                ("bend", np.int64),
            )
        }
        self.pending: dict[str, list[int]] = {name: [] for name in self.tables}
        self.pending_texts: list[str] = []
        self.pending_starts: list[int] = []  # where each text starts after its heading
        self.sentence_records = ArrayWriter(folder / SENTENCE_RECORDS, np.int32)
        self.record_lengths: list[np.ndarray] = []
        self.tokenizer = _Tokenizer(analyzer, workers)
        self.vocab: dict[str, int] = {}
        self.df = np.zeros(0, np.int64)
        self.doc_len: list[np.ndarray] = []
        self.tokenized = 0  # passages whose postings are buffered or spilled
        self.segments = _Segments(folder / SEGMENTS)

    def add(self, article: Article, passages: list[Passage]) -> None:
        number = len(self.articles)
        encoded = article.text.encode("utf-8")
        self.texts.write(encoded)
        base = self.text_bytes
        self.text_bytes += len(encoded)
        self.article_bstart.append(self.text_bytes)
        self.articles.append(
            ArticleInfo(
                number + 1,
                article.id,
                article.title,
                article.path,
                article.source,
                article.date,
                article.url,
                len(passages),
            )
        )
        rows = self.pending
        rows["article"] += [number] * len(passages)
        rows["ordinal"] += [p.ordinal for p in passages]
        rows["start"] += [p.start for p in passages]
        rows["end"] += [p.end for p in passages]
        if len(encoded) == len(article.text):  # ASCII: byte offsets are character offsets
            rows["bstart"] += [base + p.start for p in passages]
            rows["bend"] += [base + p.end for p in passages]
        else:
            starts, ends = _ByteCursor(article.text), _ByteCursor(article.text)
            rows["bstart"] += [base + starts.at(p.start) for p in passages]
            rows["bend"] += [base + ends.at(p.end) for p in passages]
        self.pending_texts += [p.searchable for p in passages]  # heading + text
        self.pending_starts += [len(p.searchable) - len(p.text) for p in passages]
        if len(self.pending_texts) >= CHUNK_PASSAGES:
            self._flush_chunk()

    def _flush_chunk(self) -> None:
        for name, writer in self.tables.items():
            writer.append(np.array(self.pending[name], dtype=writer.dtype))
            self.pending[name] = []
        texts, self.pending_texts = self.pending_texts, []
        starts, self.pending_starts = self.pending_starts, []
        for chunk in self.tokenizer.submit(texts, starts):
            self._take(chunk)

    def _take(self, chunk: TokenizedChunk) -> None:
        """Renumber a tokenized chunk's terms into the shared vocabulary and buffer it."""
        vocab = self.vocab
        mapping = np.fromiter(
            (vocab.setdefault(t, len(vocab)) for t in chunk.vocab),
            dtype=np.int32,
            count=len(chunk.vocab),
        )
        terms = mapping[chunk.term] if len(mapping) else chunk.term
        counts = np.bincount(terms, minlength=len(vocab))
        counts[: len(self.df)] += self.df
        self.df = counts
        self.segments.add(terms, chunk.doc + self.tokenized, chunk.tf)
        self.doc_len.append(chunk.doc_len)
        self._take_sentences(chunk, mapping)
        self.tokenized += len(chunk.doc_len)
        if self.progress:  # in articles: how many passages are to come is not known
            done = len(self.articles)
            self.progress("indexing articles", done, max(self.expected, done))

    def _take_sentences(self, chunk: TokenizedChunk, mapping: np.ndarray) -> None:
        """Write the chunk's sentence records, their terms renumbered by `mapping`."""
        records = chunk.records
        if len(mapping):
            records = records.copy()
            records[chunk.term_slots] = mapping[records[chunk.term_slots]]
        self.sentence_records.append(records)
        self.record_lengths.append(chunk.record_lengths)

    def finish(self, weighting: Weighting, provenance: Provenance) -> IndexMeta:
        if self.pending_texts:
            self._flush_chunk()
        for chunk in self.tokenizer.drain():
            self._take(chunk)
        self.segments.spill()
        n = self.tokenized
        doc_len = np.concatenate(self.doc_len) if self.doc_len else np.zeros(0, np.int32)
        avgdl = float(doc_len.sum()) / n if n else 1.0
        avgdl = avgdl or 1.0
        idf = bm25_idf(self.df.astype(np.float64), n, weighting.epsilon)
        offsets = np.zeros(len(self.df) + 1, dtype=np.int64)
        np.cumsum(self.df, out=offsets[1:])
        max_impact = self._write_postings(offsets, idf, doc_len, avgdl, weighting)
        for name, values in (("offsets", offsets), ("idf", idf), ("max_impact", max_impact)):
            write_array(self.folder / POSTINGS_FILES[name], values)
        write_array(self.folder / PASSAGE_FILES["doc_len"], doc_len.astype(np.int32))
        self._write_sentence_offsets()
        write_array(
            self.folder / PASSAGE_FILES["article_bstart"],
            np.array(self.article_bstart, dtype=np.int64),
        )
        self._close_files()
        write_json(self.folder / VOCAB, list(self.vocab))
        meta = IndexMeta(
            format=FORMAT,
            passages=n,
            articles=len(self.articles),
            terms=len(self.vocab),
            postings=int(offsets[-1]),
            avgdl=avgdl,
            language=self.analyzer.language,
            stopwords=tuple(sorted(self.analyzer.stopwords)),
            lemmas=self.analyzer.lemmas,
            k1=weighting.k1,
            b=weighting.b,
            epsilon=weighting.epsilon,
            provenance=provenance,
        )
        write_json(self.folder / META, meta.to_json())  # last: its presence means complete
        fsync_folder(self.folder)
        return meta

    def _write_sentence_offsets(self) -> None:
        lengths = np.concatenate(self.record_lengths) if self.record_lengths else np.zeros(0)
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        write_array(self.folder / SENTENCE_OFFSETS, offsets)

    def _write_postings(
        self,
        offsets: np.ndarray,
        idf: np.ndarray,
        doc_len: np.ndarray,
        avgdl: float,
        weighting: Weighting,
    ) -> np.ndarray:
        """Merge the segments into doc_ids, impacts and tfs; each term's largest impact."""
        k1, b = weighting.k1, weighting.b
        writers = {
            name: ArrayWriter(self.folder / POSTINGS_FILES[name], dtype)
            for name, dtype in (("doc_ids", np.int32), ("impacts", np.float32), ("tfs", np.uint16))
        }
        max_impact = np.zeros(len(idf))
        for first, last in _term_ranges(offsets, MERGE_POSTINGS):
            term, doc, tf = self.segments.read(first, last)
            tf64 = tf.astype(np.float64)
            norm = k1 * (1 - b + b * doc_len[doc] / avgdl)
            exact = idf[term] * tf64 * (k1 + 1) / (tf64 + norm)
            # Every term has at least one posting, so each reduceat segment is non-empty.
            starts = offsets[first:last] - offsets[first]
            max_impact[first:last] = np.maximum.reduceat(exact, starts)
            writers["doc_ids"].append(doc)
            writers["impacts"].append(exact.astype(np.float32))
            writers["tfs"].append(tf)
            if self.progress:  # counted in passages, so a small corpus stays quiet
                share = int(offsets[last]) / max(int(offsets[-1]), 1)
                self.progress("writing postings", int(share * len(doc_len)), len(doc_len))
        for writer in writers.values():
            writer.close()
        return max_impact

    def _close_files(self) -> None:
        for writer in (*self.tables.values(), self.sentence_records):
            writer.close()
        self.articles.close()
        self.texts.close()

    def close(self) -> None:
        """Stop the workers and drop the segments, finished or not."""
        self.tokenizer.close()
        if not self.texts.closed:
            self.texts.close()
        self.segments.remove()


def _term_ranges(offsets: np.ndarray, postings: int) -> Iterator[tuple[int, int]]:
    """Consecutive term ranges of about `postings` postings each (one term may exceed it)."""
    first, terms = 0, len(offsets) - 1
    while first < terms:
        last = int(np.searchsorted(offsets, offsets[first] + postings, side="right")) - 1
        last = min(max(last, first + 1), terms)
        yield first, last
        first = last


class _Segments:
    """Postings spilled to disk in runs sorted by term (then passage)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.buffer: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.buffered = 0
        # Per segment: its distinct terms, and where each one's postings start (plus the end).
        self.index: list[tuple[np.ndarray, np.ndarray]] = []

    def add(self, term: np.ndarray, doc: np.ndarray, tf: np.ndarray) -> None:
        self.buffer.append((term, doc, tf))
        self.buffered += len(term)
        if self.buffered >= SEGMENT_POSTINGS:
            self.spill()

    def spill(self) -> None:
        if not self.buffer:
            return
        term, doc, tf = (np.concatenate(parts) for parts in zip(*self.buffer, strict=True))
        self.buffer, self.buffered = [], 0
        doc, term, tf = group_by_term(doc, term, tf)
        self.folder.mkdir(exist_ok=True)
        number = len(self.index)
        for name, values in (("term", term), ("doc", doc), ("tf", tf)):
            values.tofile(self.folder / f"{number}.{name}")
        distinct, starts = np.unique(term, return_index=True)
        self.index.append((distinct, np.append(starts, len(term)).astype(np.int64)))

    def read(self, first: int, last: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every posting of terms first..last-1, grouped by term, passages ascending."""
        parts = []
        for number, (distinct, starts) in enumerate(self.index):
            lo, hi = (int(starts[i]) for i in np.searchsorted(distinct, [first, last]))
            if hi > lo:
                parts.append(
                    tuple(
                        np.fromfile(
                            self.folder / f"{number}.{name}",
                            dtype=dtype,
                            count=hi - lo,
                            offset=lo * np.dtype(dtype).itemsize,
                        )
                        for name, dtype in (
                            ("term", np.int32),
                            ("doc", np.int32),
                            ("tf", np.uint16),
                        )
                    )
                )
        term, doc, tf = (np.concatenate(p) for p in zip(*parts, strict=True))
        if len(parts) > 1:  # segments hold rising passages: a stable sort by term suffices
            doc, term, tf = group_by_term(doc, term - first, tf)
            term += first
        return term, doc, tf

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def group_by_term(
    doc: np.ndarray, term: np.ndarray, tf: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The (passage, term, tf) triples ordered by term, keeping their order within a term."""
    # NumPy's stable sort of 16-bit keys is a radix sort, far faster than its stable sort of
    # 32-bit ones: sort by the low 16 bits of the term, then (large vocabularies) the high.
    order = np.argsort((term & 0xFFFF).astype(np.uint16), kind="stable")
    if len(term) and int(term.max()) >= 1 << 16:
        order = order[np.argsort((term[order] >> 16).astype(np.uint16), kind="stable")]
    return doc[order], term[order], tf[order]


class _Tokenizer:
    """Chunks of passages tokenized in order: here for the first few, then in a worker pool,
    with a bounded number in flight so results never pile up in memory."""

    def __init__(self, settings: AnalyzerSettings, workers: int) -> None:
        self.settings, self.workers = settings, workers
        self.chunks = 0
        self.pool: ProcessPoolExecutor | None = None
        self.running: deque[Future[TokenizedChunk]] = deque()

    def submit(self, texts: list[str], starts: list[int]) -> Iterator[TokenizedChunk]:
        """Queue `texts` (each text starting at `starts` after its heading); yields the chunks
        (of earlier texts too) that are done, in order."""
        self.chunks += 1
        if self.workers <= 1 or self.chunks <= LOCAL_CHUNKS:
            yield from self.drain()
            yield tokenize_chunk(texts, self.settings, starts)
            return
        if self.pool is None:
            context = multiprocessing.get_context("spawn")  # fork is unsafe beside an event loop
            # Workers end with this process, even if it is killed (else each lives on, ~130 MB),
            # and leave Ctrl+C to it.
            self.pool = ProcessPoolExecutor(
                self.workers,
                mp_context=context,
                initializer=pool_worker,
                initargs=(os.getpid(),),
            )
        self.running.append(self.pool.submit(tokenize_chunk, texts, self.settings, starts))
        while len(self.running) > self.workers or (self.running and self.running[0].done()):
            yield self.running.popleft().result()

    def drain(self) -> Iterator[TokenizedChunk]:
        while self.running:
            yield self.running.popleft().result()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None


class _ByteCursor:
    """UTF-8 byte offsets of rising character offsets in one text, in linear time overall."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.char = self.byte = 0

    def at(self, char: int) -> int:
        if char < self.char:
            self.char = self.byte = 0
        self.byte += len(self.text[self.char : char].encode("utf-8"))
        self.char = char
        return self.byte
