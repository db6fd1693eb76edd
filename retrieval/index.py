"""The BM25 index over passages: build, save, load, search.

Scoring is rank-bm25's BM25Okapi (same idf with its epsilon floor, same k1 and b), but instead of
scoring every passage for every question term, each term's postings carry the passage's
precomputed contribution (its "impact"), so a question touches only the passages that contain its
terms. Impacts are float32 for speed and size; the best candidates are then rescored exactly in
float64 from the stored term frequencies, so ranks and scores match rank-bm25.

Common terms are skipped safely (MaxScore): each term keeps its largest impact. The rarest terms
first give a few exactly scored passages, whose k-th score is a floor; the most common terms
whose largest impacts together stay below that floor cannot lift a passage without a rarer term
into the top k, so only the rarer terms' postings are gathered, and the common ones are looked up
(binary search) for the surviving candidates alone. The result is the same top k as scoring
every passage.
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from corpusbot.retrieval.analyzer import Analyzer, AnalyzerSettings
from corpusbot.retrieval.corpus import Article
from corpusbot.retrieval.passages import Passage
from corpusbot.retrieval.tokenize import TokenizedChunk, tokenize_passages

FORMAT = "corpusbot-index-5"  # bumped whenever tokens or files change
# Extra candidates rescored exactly beyond the k asked for, so float32 rounding cannot reorder.
RESCORE_MARGIN = 32
# The rarest terms are scored first on at most this many postings to find the score floor.
PROBE_POSTINGS = 50_000
ARRAYS = (
    "offsets", "doc_ids", "impacts", "tfs", "idf", "max_impact", "doc_len",
    "p_article", "p_ordinal", "p_start", "p_end", "p_bstart", "p_bend", "a_bstart",
)

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class IndexSettings:
    analyzer: AnalyzerSettings = field(default_factory=AnalyzerSettings)
    k1: float = 1.5
    b: float = 0.75
    epsilon: float = 0.25
    cache_dir: Path | None = None
    workers: int = 1


@dataclass(frozen=True)
class ArticleInfo:
    """What the index keeps about an article besides its text."""

    number: int  # 1-based, in corpus order: the number /source N takes
    id: str
    title: str
    path: str
    source: str | None
    date: str | None
    url: str | None
    passages: int


@dataclass(frozen=True)
class Hit:
    passage: Passage
    article: ArticleInfo
    score: float
    matched: frozenset[str]  # the question's terms this passage contains


@dataclass(frozen=True)
class SearchResult:
    question_terms: dict[str, float]  # each distinct term -> its idf (unknown terms: the largest)
    hits: list[Hit]


class IndexCorrupt(Exception):
    """A saved index that cannot be used; it should be rebuilt."""


class Index:
    """Passages, their articles and the postings; immutable once built or loaded."""

    def __init__(self, meta: dict, vocab: list[str], articles: list[ArticleInfo],
                 arrays: dict[str, np.ndarray], texts: bytes | _TextFile) -> None:
        self.meta = meta
        self.settings = _settings_from_meta(meta)
        self.analyzer = Analyzer(self.settings.analyzer)
        self.vocab = {term: number for number, term in enumerate(vocab)}
        self.articles = articles
        self._arrays = arrays
        self._texts = texts
        for name in ARRAYS:  # plain ndarray views: slicing a np.memmap is several times slower
            setattr(self, name, np.asarray(arrays[name]))
        self._local = threading.local()  # a reusable score buffer per thread
        self.avgdl: float = meta["avgdl"]
        self.max_idf = math.log((len(self) + 0.5) / 0.5)

    def __len__(self) -> int:
        return int(self.meta["passages"])

    # --- building -----------------------------------------------------------------------

    @classmethod
    def build(cls, articles: Sequence[Article], passages: Sequence[Passage],
              settings: IndexSettings, progress: Progress | None = None,
              extra_meta: dict | None = None) -> Index:
        """Tokenize and invert `passages` (which must come in article order)."""
        chunks = tokenize_passages([p.text for p in passages], settings.analyzer,
                                   settings.workers, progress)
        vocab, doc, term, tf = _merge_chunks(chunks)
        doc_len = np.concatenate([c.doc_len for c in chunks]) if chunks else np.zeros(0, np.int32)
        arrays = _invert(doc, term, tf, doc_len, len(vocab), settings)
        texts, article_infos = _layout_texts(articles, passages, arrays)
        meta = {
            "format": FORMAT, "passages": len(passages), "terms": len(vocab),
            "postings": len(arrays["doc_ids"]), "avgdl": arrays.pop("avgdl_value").item(),
            "settings": _settings_to_meta(settings), **(extra_meta or {}),
        }
        return cls(meta, vocab, article_infos, arrays, texts)

    @classmethod
    def build_streamed(cls, articles: Iterable[tuple[Article, list[Passage]]],
                       settings: IndexSettings, folder: Path, progress: Progress | None = None,
                       extra_meta: dict | None = None) -> Index:
        """Build from (article, its passages) pairs straight into `folder`, then open it."""
        pairs = list(articles)
        index = cls.build([a for a, _ in pairs], [p for _, ps in pairs for p in ps], settings,
                          progress, extra_meta)
        index.save(folder)
        return cls.load(folder)

    # --- saving and loading -------------------------------------------------------------

    def save(self, folder: Path) -> None:
        """Write into an empty `folder`; meta.json goes last, so its presence means complete."""
        folder.mkdir(parents=True, exist_ok=True)
        for name in ARRAYS:
            np.save(folder / f"{name}.npy", np.ascontiguousarray(self._arrays[name]))
        (folder / "texts.bin").write_bytes(bytes(self._texts))
        terms = sorted(self.vocab, key=self.vocab.__getitem__)
        _write_json(folder / "vocab.json", terms)
        _write_json(folder / "articles.json", [asdict(a) for a in self.articles])
        _write_json(folder / "meta.json", self.meta)
        _fsync_folder(folder)

    @classmethod
    def load(cls, folder: Path) -> Index:
        """Open a saved index with its arrays memory-mapped; raises IndexCorrupt if unusable."""
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            if meta.get("format") != FORMAT:
                raise IndexCorrupt(f"format {meta.get('format')!r}, expected {FORMAT}")
            vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
            articles = [ArticleInfo(**a) for a in
                        json.loads((folder / "articles.json").read_text(encoding="utf-8"))]
            arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in ARRAYS}
            texts = _TextFile(folder / "texts.bin")
        except IndexCorrupt:
            raise
        except (OSError, ValueError, TypeError, KeyError) as exc:
            raise IndexCorrupt(f"{type(exc).__name__}: {exc}") from None
        _check_shapes(meta, vocab, articles, arrays, len(texts))
        return cls(meta, vocab, articles, arrays, texts)

    # --- searching ----------------------------------------------------------------------

    def search(self, question: str, k: int = 10) -> SearchResult:
        """The `k` best passages for `question`, best first; only passages scoring above 0."""
        counts = Counter(self.analyzer.terms(question))
        weights = {t: float(self.idf[self.vocab[t]]) if t in self.vocab else self.max_idf
                   for t in counts}
        present = [t for t in counts if t in self.vocab]
        known = [(self.vocab[t], counts[t]) for t in present]
        if not known or k <= 0 or len(self) == 0:
            return SearchResult(weights, [])
        candidates = self._candidates(known, k + RESCORE_MARGIN)
        exact, matched = self._exact_scores(known, candidates)
        order = np.lexsort((candidates, -exact))[:k]
        order = order[exact[order] > 0]
        return SearchResult(weights, self._hits(candidates[order], exact[order],
                                                matched[:, order], present))

    def _candidates(self, known: list[tuple[int, int]], count: int) -> np.ndarray:
        """Passage numbers (sorted) among which the best `count - RESCORE_MARGIN` surely are."""
        k = max(count - RESCORE_MARGIN, 1)
        idf = self.idf[[t for t, _ in known]]
        if len(known) > 1 and (idf > 0).all():
            floor = self._floor(known, k)
            if floor > 0:
                return self._pruned_candidates(known, floor, k)
        return self._all_candidates(known, count)

    def _buffer(self) -> np.ndarray:
        buffer = getattr(self._local, "scores", None)
        if buffer is None or len(buffer) != len(self):
            buffer = self._local.scores = np.zeros(len(self), dtype=np.float32)
        return buffer

    def _postings(self, term: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.offsets[term], self.offsets[term + 1]
        return self.doc_ids[lo:hi], self.impacts[lo:hi]

    def _df(self, term: int) -> int:
        return int(self.offsets[term + 1] - self.offsets[term])

    def _find(self, term: int, passages: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For sorted `passages`: their positions in `term`'s postings (offset from the term's
        first posting, valid where present) and whether each contains the term at all."""
        ids = self.doc_ids[self.offsets[term]:self.offsets[term + 1]]
        where = np.minimum(np.searchsorted(ids, passages), len(ids) - 1)
        return where, ids[where] == passages

    def _gather(self, terms: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
        """The passages containing any of `terms` (sorted) and their float32 partial scores."""
        scores = self._buffer()
        lists = []
        for term, times in terms:
            ids, impacts = self._postings(term)
            scores[ids] += impacts if times == 1 else impacts * times
            lists.append(ids)
        total = sum(len(ids) for ids in lists)
        if len(lists) == 1:
            touched = lists[0]
        elif total * 8 < len(scores):  # sorting the few postings beats scanning every passage
            merged = np.sort(np.concatenate(lists))
            touched = merged[np.concatenate(([True], merged[1:] != merged[:-1]))]
        else:
            touched = np.flatnonzero(scores)
        partial = scores[touched]
        scores[touched] = 0  # leave the buffer zeroed for the next question
        return touched, partial

    def _all_candidates(self, known: list[tuple[int, int]], count: int) -> np.ndarray:
        """Every term's postings scored; the `count` best approximate scores."""
        touched, partial = self._gather(known)
        if len(touched) > count:
            best = np.argpartition(partial, -count)[-count:]
            touched = np.sort(touched[best])
        return touched

    def _floor(self, known: list[tuple[int, int]], k: int) -> float:
        """A lower bound on the k-th best score: exact scores of the rarest terms' best."""
        by_df = sorted(known, key=lambda tt: self._df(tt[0]))
        probe, size = [], 0
        for term, times in by_df:
            df = self._df(term)
            if probe and size + df > PROBE_POSTINGS:
                break
            probe.append((term, times))
            size += df
        if len(probe) == len(known):
            return 0.0  # every term is rare: the plain path is as cheap
        touched, partial = self._gather(probe)
        if len(touched) < k:
            return 0.0
        best = touched[np.argpartition(partial, -k)[-k:]]
        exact, _ = self._exact_scores(known, np.sort(best))
        return float(exact.min())

    def _pruned_candidates(self, known: list[tuple[int, int]], floor: float,
                           k: int) -> np.ndarray:
        """Passages that could score at least the k-th best, gathered from the rarer terms."""
        bounds = sorted(((times * float(self.max_impact[term]), term, times)
                         for term, times in known), reverse=True)
        slack = 1e-5 * floor + 1e-9  # float32 impacts and rounding must only add candidates
        skipped, rest = [], 0.0  # rest: the most the skipped terms can add to any passage
        while bounds and rest + bounds[-1][0] < floor - slack:
            skipped.append(bounds.pop())
            rest += skipped[-1][0]
        touched, partial = self._gather([(term, times) for _, term, times in bounds])
        if len(touched) > k:  # the best partial scores, scored exactly, raise the floor
            best = np.sort(touched[np.argpartition(partial, -k)[-k:]])
            floor = max(floor, float(self._exact_scores(known, best)[0].min()))
            slack = 1e-5 * floor + 1e-9
        for bound, term, times in reversed(skipped):  # largest bound first
            keep = partial + rest >= floor - slack
            touched, partial = touched[keep], partial[keep]
            where, present = self._find(term, touched)
            impacts = self._postings(term)[1]
            partial = partial + np.where(present, impacts[where] * times, 0)
            rest -= bound
        return touched[partial + max(rest, 0.0) >= floor - slack]

    def _exact_scores(self, known: list[tuple[int, int]],
                      candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """rank-bm25's scores for `candidates` in float64, and which terms each contains."""
        k1, b = self.settings.k1, self.settings.b
        norm = k1 * (1 - b + b * self.doc_len[candidates].astype(np.float64) / self.avgdl)
        scores = np.zeros(len(candidates))
        matched = np.zeros((len(known), len(candidates)), dtype=bool)
        for row, (term, times) in enumerate(known):
            where, present = self._find(term, candidates)
            tfs = self.tfs[self.offsets[term]:self.offsets[term + 1]]
            tf = np.where(present, tfs[where], 0).astype(np.float64)
            scores += times * self.idf[term] * (tf * (k1 + 1) / (tf + norm))
            matched[row] = present
        return scores, matched

    # --- reading passages and articles --------------------------------------------------

    def passage(self, number: int) -> Passage:
        article = self.articles[int(self.p_article[number])]
        text = bytes(self._texts[self.p_bstart[number]:self.p_bend[number]]).decode("utf-8")
        return Passage(article.id, int(self.p_ordinal[number]), int(self.p_start[number]),
                       int(self.p_end[number]), text)

    def article_text(self, number: int) -> str:
        """The full text of article `number` (1-based)."""
        lo, hi = self.a_bstart[number - 1], self.a_bstart[number]
        return bytes(self._texts[lo:hi]).decode("utf-8")

    def _hits(self, numbers: np.ndarray, scores: np.ndarray, matched: np.ndarray,
              terms: list[str]) -> list[Hit]:
        """Hits for passage `numbers`; `matched[j, i]`: whether passage i holds `terms[j]`.
        Each table is indexed once for all hits: per-hit NumPy scalars cost more than the rest."""
        columns = zip(self.p_article[numbers].tolist(), self.p_ordinal[numbers].tolist(),
                      self.p_start[numbers].tolist(), self.p_end[numbers].tolist(),
                      self.p_bstart[numbers].tolist(), self.p_bend[numbers].tolist(),
                      scores.tolist(), matched.T.tolist(), strict=True)
        hits = []
        for article, ordinal, start, end, bstart, bend, score, row in columns:
            info = self.articles[article]
            text = self._texts[bstart:bend].decode("utf-8")
            hits.append(Hit(Passage(info.id, ordinal, start, end, text), info, score,
                            frozenset(t for t, inside in zip(terms, row, strict=True) if inside)))
        return hits


# --- building blocks ----------------------------------------------------------------------


def _merge_chunks(chunks: list[TokenizedChunk]) -> tuple[list[str], np.ndarray, np.ndarray,
                                                          np.ndarray]:
    """One vocabulary for all chunks; (passage, term, tf) triples in passage order."""
    vocab: dict[str, int] = {}
    docs, terms, tfs = [], [], []
    offset = 0
    for chunk in chunks:
        mapping = np.fromiter((vocab.setdefault(t, len(vocab)) for t in chunk.vocab),
                              dtype=np.int32, count=len(chunk.vocab))
        docs.append(chunk.doc + offset)
        terms.append(mapping[chunk.term] if len(mapping) else chunk.term)
        tfs.append(chunk.tf)
        offset += len(chunk.doc_len)
    if not chunks:
        empty = np.zeros(0, np.int32)
        return [], empty, empty, np.zeros(0, np.uint16)
    return list(vocab), np.concatenate(docs), np.concatenate(terms), np.concatenate(tfs)


def bm25_idf(df: np.ndarray, passages: int, epsilon: float) -> np.ndarray:
    """rank-bm25's BM25Okapi idf: negative values are floored at epsilon * the mean idf."""
    idf = np.log(passages - df + 0.5) - np.log(df + 0.5)
    if len(idf):
        idf[idf < 0] = epsilon * idf.mean()
    return idf


def _invert(doc: np.ndarray, term: np.ndarray, tf: np.ndarray, doc_len: np.ndarray,
            vocab_size: int, settings: IndexSettings) -> dict[str, np.ndarray]:
    """Postings grouped by term, passages ascending within each, with their BM25 impacts."""
    n = len(doc_len)
    doc, term, tf = _group_by_term(doc, term, tf, n, vocab_size)
    df = np.bincount(term, minlength=vocab_size)
    offsets = np.zeros(vocab_size + 1, dtype=np.int64)
    np.cumsum(df, out=offsets[1:])
    idf = bm25_idf(df.astype(np.float64), n, settings.epsilon)
    avgdl = float(doc_len.sum()) / n if n else 1.0
    k1, b = settings.k1, settings.b
    tf64 = tf.astype(np.float64)
    norm = k1 * (1 - b + b * doc_len[doc] / (avgdl or 1.0))
    exact = idf[term] * tf64 * (k1 + 1) / (tf64 + norm)
    # Every term has at least one posting, so each reduceat segment is non-empty.
    max_impact = np.maximum.reduceat(exact, offsets[:-1]) if len(exact) else np.zeros(0)
    return {
        "offsets": offsets, "doc_ids": doc.astype(np.int32), "impacts": exact.astype(np.float32),
        "tfs": tf, "idf": idf, "max_impact": max_impact, "doc_len": doc_len.astype(np.int32),
        "avgdl_value": np.float64(avgdl or 1.0),
    }


def _group_by_term(doc: np.ndarray, term: np.ndarray, tf: np.ndarray, n: int,
                   vocab_size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The (passage, term, tf) triples ordered by term, then passage (a stable sort)."""
    # NumPy's stable sort of 16-bit keys is a radix sort, far faster than its stable sort of
    # 32-bit ones: sort by the low 16 bits of the term, then (large vocabularies) the high.
    order = np.argsort((term & 0xFFFF).astype(np.uint16), kind="stable")
    if vocab_size > 1 << 16:
        order = order[np.argsort((term[order] >> 16).astype(np.uint16), kind="stable")]
    return doc[order], term[order], tf[order]


def _layout_texts(articles: Sequence[Article], passages: Sequence[Passage],
                  arrays: dict[str, np.ndarray]) -> tuple[bytes, list[ArticleInfo]]:
    """Article texts as one UTF-8 blob, with passage and article byte ranges into it."""
    number_of = {a.id: i for i, a in enumerate(articles)}
    counts = Counter(p.article_id for p in passages)
    blob, a_bstart = bytearray(), [0]
    for article in articles:
        blob += article.text.encode("utf-8")
        a_bstart.append(len(blob))
    n = len(passages)
    fields = {name: np.zeros(n, np.int32) for name in ("p_article", "p_ordinal", "p_start",
                                                       "p_end")}
    bstart, bend = np.zeros(n, np.int64), np.zeros(n, np.int64)
    cursors: tuple[_ByteCursor, _ByteCursor] | None = None
    for i, p in enumerate(passages):
        a = number_of[p.article_id]
        if p.ordinal == 0 or cursors is None:
            text = articles[a].text
            cursors = (_ByteCursor(text), _ByteCursor(text))
        fields["p_article"][i], fields["p_ordinal"][i] = a, p.ordinal
        fields["p_start"][i], fields["p_end"][i] = p.start, p.end
        bstart[i] = a_bstart[a] + cursors[0].at(p.start)
        bend[i] = a_bstart[a] + cursors[1].at(p.end)
    arrays.update(fields, p_bstart=bstart, p_bend=bend, a_bstart=np.array(a_bstart, np.int64))
    infos = [ArticleInfo(i + 1, a.id, a.title, a.path, a.source, a.date, a.url, counts[a.id])
             for i, a in enumerate(articles)]
    return bytes(blob), infos


class _TextFile:
    """texts.bin read with pread: a passage costs one system call, and unlike a memory map the
    pages read (and the kernel's read-ahead around them) never count in the resident size."""

    def __init__(self, path: Path) -> None:
        self._file = path.open("rb")
        self._size = os.fstat(self._file.fileno()).st_size

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, part: slice) -> bytes:
        start, stop = int(part.start), int(part.stop)
        return self._read(start, stop - start)

    def __bytes__(self) -> bytes:
        return self._read(0, self._size)

    def _read(self, start: int, length: int) -> bytes:
        pieces = []
        while length > 0:  # pread may return less than asked for very large reads
            piece = os.pread(self._file.fileno(), min(length, 1 << 30), start)
            if not piece:
                raise IndexCorrupt("texts.bin is shorter than its table says")
            pieces.append(piece)
            start += len(piece)
            length -= len(piece)
        return b"".join(pieces)


class _ByteCursor:
    """UTF-8 byte offsets of rising character offsets in one text, in linear time overall."""

    def __init__(self, text: str) -> None:
        self.text, self.ascii = text, text.isascii()
        self.char = self.byte = 0

    def at(self, char: int) -> int:
        if self.ascii:
            return char
        if char < self.char:
            self.char = self.byte = 0
        self.byte += len(self.text[self.char:char].encode("utf-8"))
        self.char = char
        return self.byte


def _settings_to_meta(settings: IndexSettings) -> dict:
    return {
        "language": settings.analyzer.language,
        "stopwords": sorted(settings.analyzer.stopwords),
        "k1": settings.k1, "b": settings.b, "epsilon": settings.epsilon,
    }


def _settings_from_meta(meta: dict) -> IndexSettings:
    s = meta["settings"]
    analyzer = AnalyzerSettings(s["language"], frozenset(s["stopwords"]))
    return IndexSettings(analyzer=analyzer, k1=s["k1"], b=s["b"], epsilon=s["epsilon"])


def _check_shapes(meta: dict, vocab: list, articles: list, arrays: dict[str, np.ndarray],
                  text_bytes: int) -> None:
    n, postings = meta.get("passages"), meta.get("postings")
    expected = {
        "offsets": len(vocab) + 1, "doc_ids": postings, "impacts": postings, "tfs": postings,
        "idf": len(vocab), "max_impact": len(vocab), "doc_len": n, "p_article": n,
        "p_ordinal": n, "p_start": n, "p_end": n, "p_bstart": n, "p_bend": n,
        "a_bstart": len(articles) + 1,
    }
    for name, length in expected.items():
        if arrays[name].shape != (length,):
            raise IndexCorrupt(f"{name} has shape {arrays[name].shape}, expected ({length},)")
    if len(articles) and int(arrays["a_bstart"][-1]) != text_bytes:
        raise IndexCorrupt("texts.bin does not match the article table")


def _write_json(path: Path, value: object) -> None:
    with path.open("w", encoding="utf-8") as handle:
        json.dump(value, handle, ensure_ascii=False)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_folder(folder: Path) -> None:
    for path in folder.iterdir():
        with path.open("rb") as handle:
            os.fsync(handle.fileno())
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
