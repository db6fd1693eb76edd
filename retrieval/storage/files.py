"""An index folder on disk: which files it holds, how they are written and read back.

    meta.json           IndexMeta, written last: its presence means the folder is complete
    vocab.json          the terms, in term-number order
    articles.jsonl      one ArticleInfo a line; article_lines.npy holds each line's byte offset
    texts.bin           every article's text, UTF-8, back to back
    <name>.npy          the arrays of Postings and PassageTable, memory-mapped when read
    sentence_*.npy      each passage's sentences with their terms (SentenceTable)

Arrays are written in pieces as they are made (ArrayWriter), so a build never holds a whole
array in memory; readers see ordinary .npy files.
"""

from __future__ import annotations

import json
import mmap
import os
import struct
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import IO, Any, overload

import numpy as np

from corpusbot.retrieval.reading import Skipped
from corpusbot.retrieval.storage.heap import collector_paused

FORMAT = "corpusbot-index-10"  # bumped whenever tokens or files change
META = "meta.json"
VOCAB = "vocab.json"
ARTICLES = "articles.jsonl"
ARTICLE_LINES = "article_lines.npy"
TEXTS = "texts.bin"
# A fixed-size .npy header, written before the length is known and rewritten at the end.
HEADER_BYTES = 128
# ArticleInfo records kept decoded (a few dozen MB at most): a question reads a few dozen, often
# the same.
ARTICLE_CACHE = 65_536
# A table of at most this many articles is decoded whole on its first miss: about 4 us a record
# read a block at a time (under 0.1 s for all), against 16 us for each record read alone.
ARTICLE_WHOLE = 16_384
# Articles read at once by a walk over all of them (about 1 MB of articles.jsonl).
ARTICLE_BLOCK = 4096
# sentence_records.npy and texts.bin files up to this size are memory-mapped, larger ones read
# with pread.
MAPPED_RECORDS = 256 << 20


class IndexCorrupt(Exception):
    """A saved index that cannot be used; it should be rebuilt."""


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
class Provenance:
    """Where an index came from: the cache's key, the corpus folder and its files."""

    fingerprint: str = ""
    corpus: str = ""
    skipped: tuple[Skipped, ...] = ()
    files: dict[str, list[int]] = field(default_factory=dict)  # path -> [size, mtime_ns]
    # The settings that shape an index (the fingerprint less the files): an index of other
    # settings is never updated into this one's.
    settings: str = ""


@dataclass(frozen=True)
class IndexMeta:
    """The index's counts, scoring settings and provenance (meta.json)."""

    format: str
    passages: int
    articles: int
    terms: int
    postings: int
    avgdl: float
    language: str
    stopwords: tuple[str, ...]
    k1: float
    b: float
    epsilon: float
    provenance: Provenance = field(default_factory=Provenance)
    lemmas: str = ""  # what folded irregular forms (AnalyzerSettings.lemmas); older indexes: none

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> IndexMeta:
        raw = json.loads(text)
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            found = raw.get("format") if isinstance(raw, dict) else None
            raise IndexCorrupt(f"format {found!r}, expected {FORMAT}")
        origin = raw.pop("provenance", {})
        skipped = tuple(Skipped(**s) for s in origin.pop("skipped", []))
        return cls(
            **{**raw, "stopwords": tuple(raw["stopwords"])},
            provenance=Provenance(**origin, skipped=skipped),
        )


@dataclass(frozen=True)
class Postings:
    """Each term's passages (ascending) with their BM25 impacts and term frequencies."""

    offsets: np.ndarray  # int64, terms + 1: term t's postings are [offsets[t], offsets[t+1])
    doc_ids: np.ndarray  # int32 passage numbers
    impacts: np.ndarray  # float32 BM25 contribution of the term to the passage
    tfs: np.ndarray  # uint16 term frequencies, for exact float64 rescoring
    idf: np.ndarray  # float64, per term
    max_impact: np.ndarray  # float64, per term: its largest impact

    def lengths(self, meta: IndexMeta) -> dict[str, int]:
        return {
            "offsets": meta.terms + 1,
            "doc_ids": meta.postings,
            "impacts": meta.postings,
            "tfs": meta.postings,
            "idf": meta.terms,
            "max_impact": meta.terms,
        }


@dataclass(frozen=True)
class PassageTable:
    """Per passage: its length in terms and where it sits in its article and in texts.bin."""

    doc_len: np.ndarray  # int32
    article: np.ndarray  # int32, 0-based article number
    ordinal: np.ndarray  # int32
    start: np.ndarray  # int32 character offsets into the article
    end: np.ndarray  # int32
    bstart: np.ndarray  # int64 byte offsets into texts.bin
    bend: np.ndarray  # int64
    article_bstart: np.ndarray  # int64, articles + 1: article byte ranges in texts.bin

    def lengths(self, meta: IndexMeta) -> dict[str, int]:
        n = meta.passages
        return {
            "doc_len": n,
            "article": n,
            "ordinal": n,
            "start": n,
            "end": n,
            "bstart": n,
            "bend": n,
            "article_bstart": meta.articles + 1,
        }


class SentenceRecords:
    """sentence_records.npy: every passage's sentences as int32 records, one after another:
    [sentences n, then (start, end, terms) for each, then the terms' numbers in order], the
    character offsets into the passage's text, the heading's terms left out. Files up to
    MAPPED_RECORDS bytes are memory-mapped (`mapped`); larger ones are read a passage at a time
    with pread, so that a question's scattered reads do not grow the resident size (a map's
    faults bring in whole folios, about 190 KB a read measured at 10M passages)."""

    def __init__(self, path: Path) -> None:
        self._file = TextFile(path)
        self.length = (len(self._file) - HEADER_BYTES) // 4
        small = len(self._file) <= MAPPED_RECORDS
        self.mapped = np.asarray(np.load(path, mmap_mode="c")) if small else None

    def read(self, start: int, stop: int) -> np.ndarray:
        """records[start:stop], as int32."""
        if self.mapped is not None:
            return self.mapped[start:stop]
        raw = self._file.read(HEADER_BYTES + 4 * start, HEADER_BYTES + 4 * stop)
        return np.frombuffer(raw, dtype=np.int32)


@dataclass(frozen=True)
class SentenceTable:
    """Every passage's sentences and their terms: what quoting reads, so that a question does
    not cut and analyze the passages it retrieves (retrieval/storage/sentence_block.py)."""

    offsets: (
        np.ndarray
    )  # int64, passages + 1: passage p's record is records[offsets[p]:offsets[p+1]]
    records: SentenceRecords


POSTINGS_FILES = {f.name: f"{f.name}.npy" for f in fields(Postings)}
PASSAGE_FILES = {f.name: f"passage_{f.name}.npy" for f in fields(PassageTable)}
SENTENCE_OFFSETS = "sentence_offsets.npy"
SENTENCE_RECORDS = "sentence_records.npy"


@dataclass(frozen=True)
class StoredIndex:
    """Everything an index folder holds, opened for reading."""

    folder: Path
    meta: IndexMeta
    vocab: dict[str, int]
    terms: list[str]  # vocab's terms by number
    postings: Postings
    passages: PassageTable
    sentences: SentenceTable
    articles: ArticleTable
    texts: TextFile


def read_meta(folder: Path) -> IndexMeta:
    """`folder`'s meta.json, parsed once per file (a file is written once, never changed in
    place): a large folder's files table takes a fifth of a second to parse, and an update
    after a build reads it twice. Raises OSError, ValueError (or IndexCorrupt) when unusable."""
    path = folder / META
    info = path.stat()
    key = (str(path), info.st_ino, info.st_mtime_ns, info.st_size)
    found = _METAS.get(key)
    if found is None:
        with collector_paused():  # the files table: a list per file
            found = IndexMeta.from_json(path.read_text(encoding="utf-8"))
        if len(_METAS) >= _METAS_KEPT:
            _METAS.clear()
        _METAS[key] = found
    return found


_METAS: dict[tuple[str, int, int, int], IndexMeta] = {}
_METAS_KEPT = 4


def load(folder: Path) -> StoredIndex:
    """Open `folder` with its arrays memory-mapped; raises IndexCorrupt if it is unusable."""
    try:
        meta = read_meta(folder)
        terms = json.loads((folder / VOCAB).read_text(encoding="utf-8"))
        postings = Postings(**_arrays(folder, POSTINGS_FILES))
        passages = PassageTable(**_arrays(folder, PASSAGE_FILES))
        sentences = SentenceTable(
            np.asarray(np.load(folder / SENTENCE_OFFSETS, mmap_mode="c")),
            SentenceRecords(folder / SENTENCE_RECORDS),
        )
        articles = ArticleTable(folder)
        texts = TextFile(folder / TEXTS, mapped_up_to=MAPPED_RECORDS)
    except IndexCorrupt:
        raise
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise IndexCorrupt(f"{type(exc).__name__}: {exc}") from None
    _check(meta, terms, (postings, passages, sentences), articles=articles, texts=texts)
    vocab = {t: n for n, t in enumerate(terms)}
    return StoredIndex(folder, meta, vocab, terms, postings, passages, sentences, articles, texts)


def _arrays(folder: Path, files: dict[str, str]) -> dict[str, np.ndarray]:
    # Plain ndarray views of the maps: slicing an np.memmap is several times slower.
    # Copy-on-write maps ("c"), not read-only ones: numba type-checks a read-only array on a
    # slow path (~3 µs an argument, every search); nothing writes to them, so no page is copied.
    return {name: np.asarray(np.load(folder / file, mmap_mode="c")) for name, file in files.items()}


def _check(
    meta: IndexMeta,
    terms: list[str],
    tables: tuple[Postings, PassageTable, SentenceTable],
    *,
    articles: ArticleTable,
    texts: TextFile,
) -> None:
    if len(terms) != meta.terms or len(articles) != meta.articles:
        raise IndexCorrupt("vocab.json or articles.jsonl does not match meta.json")
    postings, passages, sentences = tables
    for table in (postings, passages):
        for name, length in table.lengths(meta).items():
            shape = getattr(table, name).shape
            if shape != (length,):
                raise IndexCorrupt(f"{name} has shape {shape}, expected ({length},)")
    offsets = sentences.offsets
    if offsets.shape != (meta.passages + 1,) or int(offsets[-1]) != sentences.records.length:
        raise IndexCorrupt("sentence_records.npy does not match its offsets")
    if int(passages.article_bstart[-1]) != len(texts):
        raise IndexCorrupt("texts.bin does not match the article table")


# --- writing ------------------------------------------------------------------------------


class ArrayWriter:
    """A 1-D .npy file written piece by piece; its header gets the length on close."""

    def __init__(self, path: Path, dtype: type | np.dtype) -> None:
        self.dtype = np.dtype(dtype)
        self.length = 0
        self._file: IO[bytes] = path.open("wb")
        self._file.write(b"\0" * HEADER_BYTES)

    def append(self, values: np.ndarray) -> None:
        values = np.ascontiguousarray(values, dtype=self.dtype)
        self._file.write(values.data)
        self.length += len(values)

    def close(self) -> None:
        self._file.seek(0)
        self._file.write(npy_header(self.dtype, self.length))
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()


def npy_header(dtype: np.dtype, length: int) -> bytes:
    """A version 1.0 .npy header of exactly HEADER_BYTES for a 1-D array."""
    described = {
        "descr": np.lib.format.dtype_to_descr(dtype),
        "fortran_order": False,
        "shape": (length,),
    }
    body = repr(described).encode("latin1")
    magic = b"\x93NUMPY\x01\x00"
    padding = HEADER_BYTES - len(magic) - 2 - len(body) - 1
    return magic + struct.pack("<H", HEADER_BYTES - len(magic) - 2) + body + b" " * padding + b"\n"


def write_array(path: Path, values: np.ndarray) -> None:
    writer = ArrayWriter(path, values.dtype)
    writer.append(values)
    writer.close()


class ArticleWriter:
    """articles.jsonl and the byte offset of each line, as articles arrive."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._file: IO[bytes] = (folder / ARTICLES).open("wb")
        self._lines = [0]

    def append(self, info: ArticleInfo) -> None:
        record = {
            "number": info.number,
            "id": info.id,
            "title": info.title,
            "path": info.path,
            "source": info.source,
            "date": info.date,
            "url": info.url,
            "passages": info.passages,
        }  # asdict() costs several times more
        line = json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n"
        self._file.write(line)
        self._lines.append(self._lines[-1] + len(line))

    def __len__(self) -> int:
        return len(self._lines) - 1

    def close(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        write_array(self._folder / ARTICLE_LINES, np.array(self._lines, dtype=np.int64))


def write_json(path: Path, value: object) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
        handle.flush()
        os.fsync(handle.fileno())


def fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- reading ------------------------------------------------------------------------------


class TextFile:
    """texts.bin read with pread: a passage costs one system call, and unlike a memory map the
    pages read (and the kernel's read-ahead around them) never count in the resident size. A
    file of at most `mapped_up_to` bytes is memory-mapped instead: a passage's text is read in
    about half the time (no system call), and all the map can keep resident is that bound (37 MB
    at 100k passages)."""

    def __init__(self, path: Path, *, mapped_up_to: int = 0) -> None:
        self._file = path.open("rb")
        self._fd = self._file.fileno()
        self._size = os.fstat(self._fd).st_size
        small = 0 < self._size <= mapped_up_to
        self._map = mmap.mmap(self._fd, 0, access=mmap.ACCESS_READ) if small else None

    def __len__(self) -> int:
        return self._size

    def read(self, start: int, stop: int) -> bytes:
        start, length = int(start), int(stop) - int(start)
        if self._map is not None and start >= 0 and length >= 0 and start + length <= self._size:
            return self._map[start : start + length]
        first = os.pread(self._fd, min(length, 1 << 30), start)  # one call, unless huge
        if len(first) == length:
            return first
        return self._read_rest(first, start + len(first), length - len(first))

    def _read_rest(self, first: bytes, start: int, length: int) -> bytes:
        pieces = [first]
        while length > 0:  # pread may return less than asked for very large reads
            piece = os.pread(self._fd, min(length, 1 << 30), start)
            if not piece:
                raise IndexCorrupt("texts.bin is shorter than its table says")
            pieces.append(piece)
            start += len(piece)
            length -= len(piece)
        return b"".join(pieces)


_ARTICLE_FIELDS = frozenset(f.name for f in fields(ArticleInfo))


def _article_info(record: Any) -> ArticleInfo:
    """The ArticleInfo of an articles.jsonl record. A record of exactly its fields has them set
    straight into the frozen instance's `__dict__`, in a sixth of the time of `__init__` (whose
    `object.__setattr__` per field cost nearly as much as the JSON parse): a question reads a
    few dozen articles, a listing all of them. Any other record goes through `__init__`, which
    says what is wrong with it."""
    if type(record) is dict and record.keys() == _ARTICLE_FIELDS:
        info = object.__new__(ArticleInfo)
        info.__dict__.update(record)
        return info
    return ArticleInfo(**record)


class ArticleTable(Sequence[ArticleInfo]):
    """articles.jsonl, read a line at a time when asked: opening an index with a million
    articles must not decode them all."""

    def __init__(self, folder: Path) -> None:
        self._lines = np.load(folder / ARTICLE_LINES).tolist()
        self._text = TextFile(folder / ARTICLES, mapped_up_to=MAPPED_RECORDS)
        self._cache: dict[int, ArticleInfo] = {}
        if not self._lines or self._lines[-1] != len(self._text):
            raise IndexCorrupt("articles.jsonl does not match its line table")

    def __len__(self) -> int:
        return len(self._lines) - 1

    @overload
    def __getitem__(self, number: int) -> ArticleInfo: ...

    @overload
    def __getitem__(self, number: slice) -> list[ArticleInfo]: ...

    def __getitem__(self, number: int | slice) -> ArticleInfo | list[ArticleInfo]:
        info = self._cache.get(number) if isinstance(number, int) else None
        if info is not None:  # the common case first: a question's hits share articles
            return info
        if isinstance(number, slice):
            return [self[i] for i in range(*number.indices(len(self)))]
        if number < 0:
            number += len(self)
        if not 0 <= number < len(self):
            raise IndexError(f"article {number} out of range")
        info = self._cache.get(number)
        if info is None:
            if len(self) <= ARTICLE_WHOLE:  # decoded at once, a block of lines a JSON parse
                self._cache = dict(enumerate(self))
                return self._cache[number]
            if len(self._cache) >= ARTICLE_CACHE:
                self._cache.clear()
            line = self._text.read(self._lines[number], self._lines[number + 1])
            info = self._cache[number] = _article_info(json.loads(line))
        return info

    def __iter__(self) -> Iterator[ArticleInfo]:
        """Every article, read a block of lines at a time and not cached: a walk over a million
        articles must not cost a system call and a cache entry each."""
        lines = self._lines
        for first in range(0, len(self), ARTICLE_BLOCK):
            last = min(first + ARTICLE_BLOCK, len(self))
            block = self._text.read(lines[first], lines[last])
            # One JSON array per block (json.dumps wrote each record on one line).
            records = json.loads(b"[" + block.rstrip(b"\n").replace(b"\n", b",") + b"]")
            if len(records) != last - first:
                raise IndexCorrupt("articles.jsonl does not match its line table")
            for record in records:
                yield _article_info(record)
