"""An index in segments: index folders built at different times, answered as one index would be.

A large index is not rebuilt when a few articles arrive or go (retrieval/index/updating.py):
the new ones are indexed into a small folder of their own (a segment), and the ones deleted or
replaced are left out of the segments that hold them (tombstones). A *generation* names the
segments in use, the live articles in corpus order, and what the dead articles held.

Answers are those of a single index of the live articles, scores to the bit:
- BM25's statistics are the whole index's: the live passages' count and average length, each
  term's document frequency summed over the segments less what the dead passages held, and
  rank-bm25's idf floor over the live vocabulary. Each segment is searched with them
  (`Index._scored`), its impacts scaled to the whole index's idf. The base, the bulk, is
  searched first; each later segment only for the passages that reach the k-th best score
  found so far (which is what keeps a few small segments cheap: most return nothing), and the
  small ones all at once, laid out together in memory (retrieval/index/together.py).
- Passages of equal score rank as a single index numbers them, by (path, article, passage):
  segments are each in corpus order, and the segments' best are merged on that key.
- Articles are listed in corpus order (a rebuild's), numbered from 1 in that order.
"""

from __future__ import annotations

import json
import math
import os
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar, overload

import numpy as np

from corpusbot.retrieval.compiled import kernel, sentence_kernel
from corpusbot.retrieval.index.bm25 import (
    FORMAT,
    RESCORE_MARGIN,
    ArticleColumns,
    Hit,
    Index,
    Matches,
    Query,
    SearchResult,
    _holds_the_best,
    _row_major,
    _StoredHit,
)
from corpusbot.retrieval.index.building import bm25_idf
from corpusbot.retrieval.index.together import (
    TOGETHER_MAX_PASSAGES,
    Part,
    Together,
    terms_held,
    together,
    whole_numbers,
)
from corpusbot.retrieval.reading import Passage, Skipped
from corpusbot.retrieval.storage import (
    ArticleInfo,
    IndexCorrupt,
    Provenance,
    SentenceBlock,
    SentenceShares,
    collector_paused,
    fsync_folder,
    write_array,
    write_json,
)

GENERATION = "generation.json"
# order*.npy: the live articles in corpus order, each as segment << 32 | its number there
SEGMENT_BITS = 32


@dataclass(frozen=True)
class Dead:
    """What the deleted and replaced articles' passages held: taken from the segments' counts."""

    passages: int = 0
    length: int = 0  # their terms, counted as passage lengths are
    df: dict[str, int] = field(default_factory=dict)  # per term, how many of them hold it

    def plus(self, other: Dead) -> Dead:
        df = dict(self.df)
        for term, count in other.df.items():
            df[term] = df.get(term, 0) + count
        return Dead(self.passages + other.passages, self.length + other.length, df)

    def less(self, other: Dead) -> Dead:
        """What is left once `other` (a part of this, its segments merged away) is taken out."""
        df = {term: count - other.df.get(term, 0) for term, count in self.df.items()}
        left = {term: count for term, count in df.items() if count}
        return Dead(self.passages - other.passages, self.length - other.length, left)


@dataclass(frozen=True)
class Generation:
    """A generation folder's record: its segments (folder names beside it, the first one the
    largest), the files holding the live articles' order and the corpus's files table, and what
    the dead articles held."""

    segments: tuple[str, ...]
    dead: Dead
    provenance: Provenance
    order: str = "order.npy"

    @property
    def files(self) -> str:
        """The files table's name stem (.txt: the names, .npy: their stats); the order's token."""
        return "files" + self.order.removeprefix("order").removesuffix(".npy")

    def write(self, folder: Path, order: np.ndarray) -> None:
        """Into `folder`: the order and the files table first, then the record naming them,
        which replaces any earlier record at once (a reader sees the old generation or the new
        one, never a mixture)."""
        write_array(folder / self.order, order.astype(np.int64))
        origin = self.provenance
        # The files table (100,000 entries in a large corpus) as names and an array of their
        # stats: JSON took a third of an update to write and as much to read back.
        names = "\0".join(origin.files).encode("utf-8", "surrogateescape")
        _write_bytes(folder / f"{self.files}.txt", names)
        stats = np.array(list(origin.files.values()), dtype=np.int64).reshape(-1, 4)
        write_array(folder / f"{self.files}.npy", stats.reshape(-1))
        record = {
            "format": FORMAT,
            "segments": list(self.segments),
            "order": self.order,
            "dead": {
                "passages": self.dead.passages,
                "length": self.dead.length,
                "df": self.dead.df,
            },
            "provenance": {
                "fingerprint": origin.fingerprint,
                "corpus": origin.corpus,
                "skipped": [{"path": s.path, "reason": s.reason} for s in origin.skipped],
                "settings": origin.settings,
            },
        }
        temporary = folder / f".{GENERATION}.{os.getpid()}"
        write_json(temporary, json.dumps(record, ensure_ascii=False))
        os.replace(temporary, folder / GENERATION)
        fsync_folder(folder)
        info = (folder / GENERATION).stat()  # what this process wrote, it need not read back
        _remember((info.st_ino, info.st_mtime_ns, info.st_size), (self, order))

    @classmethod
    def read(cls, folder: Path) -> tuple[Generation, np.ndarray]:
        """The record and order of `folder`; raises IndexCorrupt when unusable. Read once per
        record file (a record is replaced, never rewritten in place): an update looks at the
        saved generation several times, and its files table is large."""
        try:
            info = (folder / GENERATION).stat()
        except OSError as exc:
            raise IndexCorrupt(f"{GENERATION}: {exc.strerror or exc}") from None
        # By the file alone: a generation is written in a folder renamed into place after.
        key = (info.st_ino, info.st_mtime_ns, info.st_size)
        found = _READ.get(key)
        if found is None:
            found = cls._parse(folder)
            _remember(key, found)
        return found

    @classmethod
    def _parse(cls, folder: Path) -> tuple[Generation, np.ndarray]:
        try:
            record = json.loads((folder / GENERATION).read_text(encoding="utf-8"))
            if record.get("format") != FORMAT:
                raise IndexCorrupt(f"format {record.get('format')!r}, expected {FORMAT}")
            origin = record["provenance"]
            skipped = tuple(Skipped(**s) for s in origin.pop("skipped", []))
            dead = record["dead"]
            generation = cls(
                tuple(record["segments"]),
                Dead(int(dead["passages"]), int(dead["length"]), dict(dead["df"])),
                Provenance(**origin, skipped=skipped),
                str(record["order"]),
            )
            order = np.load(folder / generation.order)
            files = _read_files(folder, generation.files)
        except IndexCorrupt:
            raise
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            raise IndexCorrupt(f"{GENERATION}: {type(exc).__name__}: {exc}") from None
        if not generation.segments or order.ndim != 1 or order.dtype != np.int64:
            raise IndexCorrupt(f"{GENERATION} names no segment or an unreadable order")
        return replace(generation, provenance=replace(generation.provenance, files=files)), order


def _write_bytes(path: Path, data: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _read_files(folder: Path, stem: str) -> dict[str, list[int]]:
    """A generation's files table: each name with its stats (a list, as file_stats makes them)."""
    raw = (folder / f"{stem}.txt").read_bytes()
    names = raw.decode("utf-8", "surrogateescape").split("\0") if raw else []
    stats = np.load(folder / f"{stem}.npy")
    if stats.shape != (4 * len(names),):
        raise IndexCorrupt(f"{stem}.npy does not match {stem}.txt")
    with collector_paused():  # a list per file: the collector would walk the heap often
        return dict(zip(names, stats.reshape(-1, 4).tolist(), strict=True))


def _remember(key: tuple[int, int, int], found: tuple[Generation, np.ndarray]) -> None:
    if len(_READ) >= 8:
        _READ.clear()
    _READ[key] = found


# Generation records read (or written) by this process, by the record file's identity.
_READ: dict[tuple[int, int, int], tuple[Generation, np.ndarray]] = {}


def is_generation(folder: Path) -> bool:
    return (folder / GENERATION).is_file()


# An entry of order.npy, or an array of them.
Entry = TypeVar("Entry", int, np.ndarray)


def code(segment: int, article: Entry) -> Entry:
    """A live article's entry in order.npy (or an array of them): its segment and its 0-based
    number there."""
    return (segment << SEGMENT_BITS) | article


def placed(entries: Entry) -> tuple[Entry, Entry]:
    """What `code` made, taken apart: (segment, article number there), for an entry or an
    array of them."""
    return entries >> SEGMENT_BITS, entries & ((1 << SEGMENT_BITS) - 1)


@dataclass(frozen=True)
class _Best:
    """A search's best passages in one part of the index (a segment, or the small segments
    together), best first: their numbers in the whole index, exact scores, which of the
    question's terms each holds (a row per term) and their live articles' numbers (int32, as
    a single index's passage table has them)."""

    numbers: np.ndarray
    scores: np.ndarray
    matched: np.ndarray
    articles: np.ndarray


class _Segment:
    """One folder of a segmented index, with where it sits in the whole."""

    def __init__(self, index: Index, start: int, live: np.ndarray) -> None:
        self.index = index
        self.start = start  # its first passage's number in the whole index
        # per article of the folder: its 0-based place among the live ones, or -1 (int32, as a
        # single index's passage table numbers articles)
        self.live = live
        self.alive = live >= 0
        self.all_alive = bool(self.alive.all())
        self.idf = np.zeros(0)  # the whole index's idf by this folder's term numbers (set later)
        # Per term (set later): whether both idfs, the whole index's and the folder's own, are
        # above 0 (its impacts then bound its contributions); the first over the second (0
        # where not); and whether every term is so.
        self.bounded = np.zeros(0, dtype=bool)
        self.scales = np.zeros(0)
        self.all_bounded = False
        self.loose = 0.0  # (set later) its impacts' distance from the exact contributions
        self.to_whole = np.zeros(0, dtype=np.int64)  # its term numbers in the whole index's
        self.from_whole: dict[int, int] = {}  # the other way (not for the base: the same)

    def allowed(self, wanted: np.ndarray | None) -> np.ndarray | None:
        """Per article of the folder: live and (if `wanted`, a bool per live article) wanted."""
        if wanted is None:
            return None if self.all_alive else self.alive
        mask = np.zeros(len(self.live), dtype=bool)
        mask[self.alive] = np.asarray(wanted, dtype=bool)[self.live[self.alive]]
        return mask


class _LiveVocab(Mapping[str, int]):
    """The whole index's terms (by number), less those only dead passages held."""

    def __init__(self, base: Mapping[str, int], extra: dict[str, int], gone: set[str]) -> None:
        self._base, self._extra, self._gone = base, extra, gone

    def get(self, term: str, default: int | None = None) -> int | None:  # type: ignore[override]
        number = self._base.get(term)
        if number is None:
            number = self._extra.get(term)
            if number is None:
                return default
        return default if self._gone and term in self._gone else number

    def __getitem__(self, term: str) -> int:
        number = self.get(term)
        if number is None:
            raise KeyError(term)
        return number

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self.get(term) is not None

    def __iter__(self) -> Iterator[str]:
        for terms in (self._base, self._extra):
            yield from (term for term in terms if term not in self._gone)

    def changed_since(self, earlier: _LiveVocab) -> tuple[set[str], set[str]]:
        """The terms gained and lost since `earlier`, a vocabulary of the same base: only terms
        outside the base or gone from it in one of them can differ."""
        maybe = (self._extra.keys() ^ earlier._extra.keys()) | (self._gone ^ earlier._gone)
        gained = {term for term in maybe if term in self and term not in earlier}
        return gained, {term for term in maybe if term in earlier and term not in self}

    def __len__(self) -> int:
        return len(self._base) + len(self._extra) - len(self._gone)


class _LiveArticles(Sequence[ArticleInfo]):
    """The live articles in corpus order, numbered from 1 in it."""

    def __init__(self, segments: list[_Segment], order: np.ndarray) -> None:
        self._segments = segments
        self._order = order.tolist()
        self._cache: dict[int, ArticleInfo] = {}

    def __len__(self) -> int:
        return len(self._order)

    @overload
    def __getitem__(self, number: int) -> ArticleInfo: ...

    @overload
    def __getitem__(self, number: slice) -> list[ArticleInfo]: ...

    def __getitem__(self, number: int | slice) -> ArticleInfo | list[ArticleInfo]:
        if isinstance(number, slice):
            return [self[i] for i in range(*number.indices(len(self)))]
        info = self._cache.get(number)
        if info is None:
            if number < 0:
                number += len(self)
            if not 0 <= number < len(self):
                raise IndexError(f"article {number} out of range")
            segment, local = self.place(number)
            stored = self._segments[segment].index.articles[local]
            info = self._cache[number] = replace(stored, number=number + 1)
        return info

    def place(self, number: int) -> tuple[int, int]:
        """Live article `number` (0-based): its segment and its 0-based number there."""
        return placed(self._order[number])

    def __iter__(self) -> Iterator[ArticleInfo]:
        """Every live article, each segment read a block at a time (as ArticleTable walks)."""
        walks = [enumerate(segment.index.articles) for segment in self._segments]
        for number, entry in enumerate(self._order):
            segment, local = placed(entry)
            for at, info in walks[segment]:
                if at == local:
                    yield replace(info, number=number + 1)
                    break


class SegmentedIndex(Index):
    """Segments (opened index folders, the first the base) answered as one index of their
    live articles. Built by `open_generation`; read-only like every Index."""

    def __init__(
        self, folder: Path, indexes: list[Index], generation: Generation, order: np.ndarray
    ):
        base = indexes[0]
        self._segments = self._place(indexes, order)
        # Index's own attributes, from the base: its analyzer, settings and caches.
        self.__dict__.update({k: v for k, v in base.__dict__.items() if not k.startswith("_idf")})
        self._titles = {}  # by live article number, not the base's
        self.folder = folder
        self._order = order  # the live articles, as order.npy holds them
        self._live_articles = _LiveArticles(self._segments, order)
        self.articles = self._live_articles
        self._starts = [segment.start for segment in self._segments]
        self._count_terms(generation.dead)
        live = int(sum(len(s.index) for s in self._segments)) - generation.dead.passages
        length = int(sum(int(s.index.table.doc_len.sum()) for s in self._segments))
        length -= generation.dead.length
        self._live = live
        self.avgdl = (float(length) / live if live else 1.0) or 1.0
        self.max_idf = math.log((live + 0.5) / 0.5)
        self._weigh(base.settings.epsilon)
        self.meta = replace(
            base.meta,
            passages=live,
            articles=len(self.articles),
            terms=len(self.vocab),
            postings=int(self._live_df.sum()),
            avgdl=self.avgdl,
            provenance=generation.provenance,
        )
        self.generation = generation
        # The small segments as one index, laid out as the generation opens (5 ms for 2,000
        # passages): a bot's reload does it before the index answers, not its first question.
        self._view = self._together() if kernel.compiled_for(live) else None

    def __len__(self) -> int:
        return self._live

    @property
    def segments(self) -> int:
        """How many folders it is made of."""
        return len(self._segments)

    # --- opening ------------------------------------------------------------------------

    @staticmethod
    def _place(indexes: list[Index], order: np.ndarray) -> list[_Segment]:
        where, local = placed(order)
        segments, start = [], 0
        for number, index in enumerate(indexes):
            live = np.full(len(index.articles), -1, dtype=np.int32)
            mine = where == number
            if len(local[mine]) and int(local[mine].max()) >= len(live):
                raise IndexCorrupt("order.npy names an article its segment lacks")
            live[local[mine]] = np.flatnonzero(mine)
            segments.append(_Segment(index, start, live))
            start += len(index)
        if int(where.max(initial=0)) >= len(indexes):
            raise IndexCorrupt("order.npy names a segment the generation lacks")
        return segments

    def _count_terms(self, dead: Dead) -> None:
        """The whole vocabulary (the base's numbers, then the other segments' new terms) and
        each term's live document frequency."""
        base = self._segments[0].index
        extra: dict[str, int] = {}
        terms = list(base.terms)
        df = np.diff(base.postings.offsets).astype(np.int64)
        counts: list[tuple[np.ndarray, np.ndarray]] = []
        for segment in self._segments[1:]:
            index = segment.index
            numbers = np.empty(len(index.terms), dtype=np.int64)
            from_whole = segment.from_whole
            for local, term in enumerate(index.terms):
                number = base.vocab.get(term)
                if number is None:
                    number = extra.get(term)
                    if number is None:
                        number = extra[term] = len(terms)
                        terms.append(term)
                numbers[local] = number
                from_whole[number] = local
            segment.to_whole = numbers
            counts.append((numbers, np.diff(index.postings.offsets)))
        total = np.zeros(len(terms), dtype=np.int64)
        total[: len(df)] = df
        for numbers, local_df in counts:
            np.add.at(total, numbers, local_df)
        for term, count in dead.df.items():
            number = base.vocab.get(term, extra.get(term))
            if number is None:
                raise IndexCorrupt(f"{GENERATION} counts a term no segment holds: {term!r}")
            total[number] -= count
        if (total < 0).any():
            raise IndexCorrupt(f"{GENERATION} counts more dead passages than the segments hold")
        gone = {terms[n] for n in np.flatnonzero(total == 0).tolist()}
        self._live_df = total
        self.terms = terms
        self._live_vocab = _LiveVocab(base.vocab, extra, gone)
        self.vocab = self._live_vocab

    def _weigh(self, epsilon: float) -> None:
        """rank-bm25's idf over the live vocabulary, as a single index of it weighs it."""
        held = self._live_df > 0
        idf = np.zeros(len(self._live_df))
        idf[held] = bm25_idf(self._live_df[held].astype(np.float64), self._live, epsilon)
        self.idf = idf
        base = self._segments[0]
        base.idf = idf[: len(base.index.terms)]
        for segment in self._segments[1:]:
            segment.idf = idf[segment.to_whole]
        for segment in self._segments:
            stored = segment.index.postings.idf
            segment.bounded = (stored > 0) & (segment.idf > 0)
            divisor = np.where(stored > 0, stored, 1.0)
            segment.scales = np.where(segment.bounded, segment.idf / divisor, 0.0)
            segment.all_bounded = bool(segment.bounded.all())
            # How far its impacts, scaled, may be from the exact contributions: by the ratio of
            # the average lengths, and float rounding unless nothing is scaled at all.
            ratio = max(segment.index.avgdl, self.avgdl) / min(segment.index.avgdl, self.avgdl)
            exact = ratio == 1.0 and bool((segment.scales[segment.bounded] == 1.0).all())
            segment.loose = ratio - 1.0 + (0.0 if exact else 1e-6)

    # --- searching ----------------------------------------------------------------------

    def search(
        self, question: str | Query, k: int = 10, *, allowed: np.ndarray | None = None
    ) -> SearchResult:
        query = self.query(self.analyzer.terms(question)) if isinstance(question, str) else question
        weights, known = query.weights, query.known
        if not known or k <= 0 or self._live == 0:
            return SearchResult(weights, [])
        compiled = kernel.compiled_for(self._live)
        parts: list[_Best] = []
        # The base (the bulk, searched first) most often holds the k best: the other segments
        # are searched for passages that reach its k-th best score, which few do. The small
        # ones are searched together, as one index (retrieval/index/together.py).
        code = kernel.load() if compiled and self._view is not None else None
        view = self._view if code is not None else None
        for number in range(len(self._segments)):
            if view is None or number not in view.segments:
                self._search_segment(number, known, k, allowed, parts, compiled=compiled)
        if (
            view is not None
            and code is not None
            and not self._search_together(view, known, k, allowed, parts, code)
        ):
            for number in view.segments:
                self._search_segment(number, known, k, allowed, parts, compiled=compiled)
        if not parts:
            return SearchResult(weights, [])
        present = tuple(query.present)
        if len(parts) == 1:  # most often the base alone: its best as they are
            best = parts[0]
            matches = Matches(present, best.matched, best.scores, best.articles)
            return SearchResult(weights, _StoredHit.many(self, best.numbers, matches), matches)
        scores = np.concatenate([best.scores for best in parts])
        order = self._best_of(parts, scores, k)
        articles = np.concatenate([best.articles for best in parts])[order]
        matched = _row_major(np.concatenate([best.matched for best in parts], axis=1)[:, order])
        matches = Matches(present, matched, scores[order], articles)
        numbers = np.concatenate([best.numbers for best in parts])[order]
        return SearchResult(weights, _StoredHit.many(self, numbers, matches), matches)

    def _articles_of(self, segment: int, passages: np.ndarray) -> np.ndarray:
        """The live articles' numbers (0-based, int32) of a segment's `passages`."""
        part = self._segments[segment]
        articles: np.ndarray = part.live[part.index.table.article[passages]]
        return articles

    def _search_segment(
        self,
        number: int,
        known: list[tuple[int, int]],
        k: int,
        allowed: np.ndarray | None,
        parts: list[_Best],
        *,
        compiled: bool,
    ) -> None:
        """Segment `number`'s passages that reach the k-th best of `parts`, added to them."""
        segment = self._segments[number]
        local, rows = self._local_terms(segment, known)
        if not local:
            return
        ranked = segment.index._scored(
            local,
            k,
            segment.allowed(allowed),
            idf=segment.idf,
            scales=self._scales(segment, local),
            avgdl=self.avgdl,
            loose=segment.loose,
            compiled=compiled,
            floor=_kth_best(parts, k),
        )
        if len(ranked.numbers):
            found = ranked.numbers + segment.start if segment.start else ranked.numbers
            matched = _in_rows(ranked.matched, rows, len(known))
            articles = self._articles_of(number, ranked.numbers)
            parts.append(_Best(found, ranked.scores, matched, articles))

    def _search_together(
        self,
        view: Together,
        known: list[tuple[int, int]],
        k: int,
        allowed: np.ndarray | None,
        parts: list[_Best],
        code: Callable[..., Any],
    ) -> bool:
        """The small segments' passages that reach the k-th best of `parts`, searched as one
        index (by the compiled search `code`) and added to `parts` as one; False when that
        cannot be done exactly (a term unbounded there, or candidates that cannot be shown to
        hold the best)."""
        terms = view.local_terms(known)
        if terms is None:
            return False
        local, rows = terms
        if not local:
            return True
        floor = _kth_best(parts, k)
        settings = self.settings
        ranked = kernel.search(
            code,
            view.postings,
            view.doc_len,
            terms=local,
            k=k,
            count=k + RESCORE_MARGIN,
            avgdl=self.avgdl,
            k1=settings.k1,
            b=settings.b,
            article=view.article,
            allowed=allowed,
            window=kernel.WINDOW,
            idf=view.postings.idf,
            loose=view.loose,
            floor=floor,
        )
        if not _holds_the_best(ranked, k, view.loose, floor):
            return False
        if len(ranked.numbers):
            here = ranked.numbers
            matched = _in_rows(ranked.matched, rows, len(known))
            parts.append(_Best(view.number[here], ranked.scores, matched, view.article[here]))
        return True

    def _together(self) -> Together | None:
        """The small segments beside the base as one index; None when there are none."""
        small = [
            number
            for number, segment in enumerate(self._segments)
            if number > 0 and len(segment.index) <= TOGETHER_MAX_PASSAGES
        ]
        if not small:
            return None
        where, article_at = placed(self._order)
        parts = [self._part(self._segments[number]) for number in small]
        return together(
            small, parts, where=where, article_at=article_at, idf=self.idf, avgdl=self.avgdl
        )

    @staticmethod
    def _part(segment: _Segment) -> Part:
        index = segment.index
        return Part(
            postings=index.postings,
            doc_len=index.table.doc_len,
            passage_article=index.table.article,
            to_whole=segment.to_whole,
            scales=segment.scales,
            bounded=segment.bounded,
            avgdl=index.avgdl,
            start=segment.start,
            sentences=index.sentence_table,
        )

    def _best_of(self, parts: list[_Best], scores: np.ndarray, k: int) -> np.ndarray:
        """The k best of the parts' best (`scores`: theirs, put end to end), as places in
        them. Equal scores rank as a single index numbers the passages: in one part its own
        order is the corpus's; the rare tie between parts is settled by path, article and
        place (`_rank_key`)."""
        order = np.argsort(-scores, kind="stable")
        if _share_a_score(parts):  # else no tie can span parts (most often)
            return self._ties_settled(parts, order, scores, k)
        return order[:k]

    def _ties_settled(
        self, parts: list[_Best], order: np.ndarray, scores: np.ndarray, k: int
    ) -> np.ndarray:
        """The first k of `order` (places in the parts put end to end, best first; `scores`:
        theirs) with each run of equal scores that reaches the k best and spans parts put in
        corpus order."""
        places, held = order.tolist(), scores.tolist()
        part_of = [place for place, best in enumerate(parts) for _ in range(len(best.scores))]
        numbers = np.concatenate([best.numbers for best in parts]).tolist()
        at = 0
        while at < min(k, len(places)):
            end = at + 1
            while end < len(places) and held[places[end]] == held[places[at]]:
                end += 1
            if len({part_of[place] for place in places[at:end]}) > 1:
                places[at:end] = sorted(places[at:end], key=lambda p: self._rank_key(numbers[p]))
            at = end
        return np.array(places[:k], dtype=np.int64)

    def _local_terms(
        self, segment: _Segment, known: list[tuple[int, int]]
    ) -> tuple[list[tuple[int, int]], list[int]]:
        """The question's terms this segment holds, by its numbers; and their rows in `known`."""
        if segment is self._segments[0]:  # the whole index numbers the base's terms first
            held = len(segment.index.terms)
            rows = [row for row, (number, _) in enumerate(known) if number < held]
            return (known if len(rows) == len(known) else [known[row] for row in rows]), rows
        return terms_held(known, segment.from_whole)

    def _scales(self, segment: _Segment, local: list[tuple[int, int]]) -> np.ndarray | None:
        """The whole index's idf over the segment's own for a question's `local` terms, in
        order: None when one of them weighs 0 or less (the idf floor at 0) either way."""
        numbers = [term for term, _ in local]
        if not (segment.all_bounded or segment.bounded[numbers].all()):
            return None
        scales: np.ndarray = segment.scales[numbers]
        return scales

    def _rank_key(self, number: int) -> tuple[object, ...]:
        """Where a single index of the corpus would number passage `number` (of the whole
        index): by its file's path (as the folder is listed, part by part), then its article in
        the file, then its place."""
        segment, passage = self._where(number)
        index = self._segments[segment].index
        local = int(index.table.article[passage])
        path = index.articles[local].path
        return (tuple(path.split("/")), local, int(index.table.ordinal[passage]))

    def _where(self, number: int) -> tuple[int, int]:
        """Passage `number` of the whole index: its segment's place and its number there."""
        segment = bisect_right(self._starts, number) - 1
        return segment, number - self._starts[segment]

    @cached_property
    def article_columns(self) -> ArticleColumns:
        """The segments' columns (each read once, and kept with the segment across updates) put
        in the live order."""
        parts = [segment.index.article_columns for segment in self._segments]
        order = self._order
        where, local = placed(order)
        days = np.zeros(len(order), dtype=np.int64)
        hashes = np.zeros(len(order), dtype=np.int64)
        sources: list[str | None] = [None] * len(order)
        for number, part in enumerate(parts):
            mine = np.flatnonzero(where == number)
            days[mine] = part.days[local[mine]]
            hashes[mine] = part.id_hashes[local[mine]]
            for at, article in zip(mine.tolist(), local[mine].tolist(), strict=True):
                sources[at] = part.sources[article]
        return ArticleColumns(days, sources, hashes)

    def vocabulary_since(self, earlier: Index) -> tuple[set[str], set[str]] | None:
        base = self._segments[0].index
        if earlier is base:
            return self._live_vocab.changed_since(_LiveVocab(base.vocab, {}, set()))
        if isinstance(earlier, SegmentedIndex) and earlier._segments[0].index is base:
            return self._live_vocab.changed_since(earlier._live_vocab)
        return None

    def document_frequency(self, term: str) -> int:
        number = self.vocab.get(term)
        return 0 if number is None else int(self._live_df[number])

    # --- reading passages and articles --------------------------------------------------

    def passage(self, number: int) -> Passage:
        segment, local = self._where(number)
        return self._segments[segment].index.passage(local)

    def passage_text(self, number: int) -> str:
        segment, local = self._where(number)
        return self._segments[segment].index.passage_text(local)

    def article_text(self, number: int) -> str:
        segment, local = self._live_articles.place(number - 1)
        return self._segments[segment].index.article_text(local + 1)

    def sentence_shares(
        self, hits: Sequence[Hit], weights: Mapping[str, float], order: Sequence[str]
    ) -> SentenceShares:
        if not all(isinstance(h, _StoredHit) and h._index is self for h in hits):
            return super().sentence_shares(hits, weights, order)
        compiled = kernel.compiled_for(self._live)
        numbers: list[int] = [hit._number for hit in hits]  # type: ignore[attr-defined]
        if len(self._segments) == 1 or max(numbers, default=0) < self._starts[1]:
            # The base alone: its sentences in the hits' order already, named by the whole
            # index's term numbers (it numbers the base's terms first).
            base = self._segments[0].index
            return base._shares_of(numbers, weights, order, compiled=compiled, names=self)
        reader = sentence_kernel.load() if compiled else None
        if reader is not None:  # the hits' records, by the whole index's term numbers, read once
            question = self._sentence_question(weights, order)
            return sentence_kernel.read_pieces(
                reader, self._records(numbers), question, code_of=self._code_of, terms=self.terms
            )
        found = np.array(numbers, dtype=np.int64)
        segments = np.searchsorted(self._starts, found, side="right") - 1
        parts = []
        for number in np.unique(segments).tolist():
            part = self._segments[number]
            positions = np.flatnonzero(segments == number)
            local = (found[positions] - part.start).tolist()
            shares = part.index._shares_of(local, weights, order, compiled=False)
            parts.append((part, positions, shares))
        return self._joined(parts)

    def _records(self, numbers: list[int]) -> list[np.ndarray]:
        """Passages `numbers`' sentence records, their terms by the whole index's numbers: the
        small segments' from the view, which holds them so; a larger one's renamed here.
        (A few dozen hits: plain Python costs less than NumPy's calls on such short arrays.)"""
        renamed = self._view.records if self._view is not None else {}
        pieces = []
        for number in numbers:
            segment = bisect_right(self._starts, number) - 1
            part = self._segments[segment]
            table = part.index.sentence_table
            local = number - part.start
            start, end = int(table.offsets[local]), int(table.offsets[local + 1])
            laid_out = renamed.get(segment)
            if laid_out is not None:
                pieces.append(laid_out[start:end])
            elif segment:
                pieces.append(_renamed(table.records.read(start, end), part.to_whole))
            else:
                pieces.append(table.records.read(start, end))
        return pieces

    def _joined(self, parts: list[tuple[_Segment, np.ndarray, SentenceShares]]) -> SentenceShares:
        """Sentence shares read segment by segment, as one block in the hits' order, with the
        whole index's term codes."""
        hit = np.concatenate([positions[shares.block.hit] for _, positions, shares in parts])
        rows = np.argsort(hit, kind="stable")
        lengths = np.concatenate([np.diff(shares.block.bounds) for _, _, shares in parts])
        starts = np.concatenate(
            [
                shares.block.bounds[:-1] + offset
                for (_, _, shares), offset in zip(parts, _offsets(parts), strict=True)
            ]
        )
        codes = np.concatenate(
            [self._whole_codes(segment, shares.block.codes) for segment, _, shares in parts]
        )
        bounds = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths[rows], out=bounds[1:])
        gather = np.repeat(starts[rows] - bounds[:-1], lengths[rows]) + np.arange(bounds[-1])
        block = SentenceBlock(
            hit=hit[rows],
            number=np.concatenate([s.block.number for _, _, s in parts])[rows],
            start=np.concatenate([s.block.start for _, _, s in parts])[rows],
            end=np.concatenate([s.block.end for _, _, s in parts])[rows],
            bounds=bounds,
            codes=codes[gather],
            code_of=self._code_of,
            term_of=self.terms.__getitem__,
        )
        values = np.concatenate([s.values for _, _, s in parts])[rows]
        unasked = np.concatenate([s.unasked for _, _, s in parts])[rows]
        tights = [s.tight for _, _, s in parts if s.tight is not None]
        tight = np.concatenate(tights)[rows] if len(tights) == len(parts) else None
        return SentenceShares(block, values, unasked, tight)

    def _whole_codes(self, segment: _Segment, codes: np.ndarray) -> np.ndarray:
        if segment is self._segments[0]:
            return codes
        whole = segment.to_whole
        return np.where(codes >= 0, whole[np.maximum(codes, 0)], -1)


def _renamed(record: np.ndarray, to_whole: np.ndarray) -> np.ndarray:
    """A segment's sentence record (layout in storage.SentenceRecords) with its terms' numbers
    turned to the whole index's (`to_whole`). A record whose head is damaged is left as it is
    for the reader to refuse."""
    count = int(record[0]) if len(record) else -1
    first = 1 + 3 * count
    if count < 0 or first > len(record):
        return record
    whole = whole_numbers(record[first:], to_whole)
    if whole is None:
        raise IndexCorrupt("sentence_records.npy holds a damaged record")
    renamed = record.copy()
    renamed[first:] = whole
    return renamed


def _offsets(parts: list[tuple[_Segment, np.ndarray, SentenceShares]]) -> list[int]:
    """Where each part's codes start once they are all put end to end."""
    offsets, total = [], 0
    for _, _, shares in parts:
        offsets.append(total)
        total += len(shares.block.codes)
    return offsets


def _in_rows(matched: np.ndarray, rows: list[int], count: int) -> np.ndarray:
    """A search's `matched` (a row per term it was given: the question's rows `rows`) as rows of
    all the question's `count` terms."""
    if len(rows) == count:
        return matched
    full = np.zeros((count, matched.shape[1]), dtype=bool)
    full[rows] = matched
    return full


def _share_a_score(parts: list[_Best]) -> bool:
    """Whether two of the parts hold an equal score."""
    seen: set[float] = set()
    for best in parts:
        scores = set(best.scores.tolist())
        if not seen.isdisjoint(scores):
            return True
        seen |= scores
    return False


def _kth_best(parts: list[_Best], k: int) -> float:
    """The k-th best exact score among the parts' best found so far; 0 when fewer."""
    if not parts:
        return 0.0
    if len(parts) == 1:
        scores = parts[0].scores  # a part's best come best first
        return float(scores[k - 1]) if len(scores) >= k else 0.0
    held = np.concatenate([best.scores for best in parts])
    return float(np.partition(held, len(held) - k)[len(held) - k]) if len(held) >= k else 0.0
