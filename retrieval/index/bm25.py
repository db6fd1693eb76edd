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

import math
import shutil
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from itertools import compress
from pathlib import Path
from typing import Any, Generic, TypeVar, overload

import numpy as np

from corpusbot.retrieval.analysis import Analyzer, AnalyzerSettings
from corpusbot.retrieval.compiled import kernel, sentence_kernel
from corpusbot.retrieval.index.building import Weighting, build_folder
from corpusbot.retrieval.reading import Article, Passage
from corpusbot.retrieval.storage import (
    FORMAT,
    ArticleInfo,
    IndexCorrupt,
    IndexMeta,
    Provenance,
    SentenceCache,
    SentenceShares,
    StoredIndex,
    from_sentences,
    from_table,
    measure_question,
    question_arrays,
)
from corpusbot.retrieval.storage import files as storage

__all__ = [
    "FORMAT",
    "ArticleColumns",
    "ArticleInfo",
    "Hit",
    "Index",
    "IndexCorrupt",
    "IndexSettings",
    "Matches",
    "Provenance",
    "Query",
    "SearchResult",
]

# Extra candidates rescored exactly beyond the k asked for, so float32 rounding cannot reorder.
RESCORE_MARGIN = 32
# The rarest terms are scored first on at most this many postings to find the score floor.
PROBE_POSTINGS = 50_000
# Articles whose title terms are kept (Index.title_terms): a few MB.
TITLE_CACHE = 65_536
T = TypeVar("T")

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class IndexSettings:
    analyzer: AnalyzerSettings = field(default_factory=AnalyzerSettings)
    k1: float = 1.5
    b: float = 0.75
    epsilon: float = 0.25
    cache_dir: Path | None = None
    workers: int = 1

    @property
    def weighting(self) -> Weighting:
        return Weighting(self.k1, self.b, self.epsilon)


@dataclass(frozen=True)
class Hit:
    passage: Passage
    article: ArticleInfo
    score: float
    matched: frozenset[str]  # the question's terms this passage contains

    @property
    def article_number(self) -> int:
        """Its article's number (1-based): grouping hits by article need not read the article."""
        return self.article.number

    @property
    def text(self) -> str:
        """Its passage's text (a stored hit reads only that, not the whole `Passage`)."""
        return self.passage.text


class _ReadOnce(Generic[T]):
    """A property read from the index the first time it is asked for, then kept in the
    instance's `__dict__` (which later reads find first). functools.cached_property does the
    same under a lock in Python 3.11, and a question's hits are first read a dozen times."""

    def __init__(self, read: Callable[[Any], T]) -> None:
        self._read = read
        self._name = read.__name__
        self.__doc__ = read.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> _ReadOnce[T]: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...

    def __get__(self, instance: object | None, owner: type | None = None) -> T | _ReadOnce[T]:
        if instance is None:
            return self
        value = instance.__dict__[self._name] = self._read(instance)
        return value


class _StoredHit(Hit):
    """A Hit whose passage and article are read from the index only when first asked for:
    compose quotes a few of the hits it searches for, and filters the rest on score and
    `matched` alone. Equal to the plain Hit with the same four values."""

    _index: Index
    _number: int
    _article: int  # 0-based, from the passage table
    _matches: Matches  # the search's hits as arrays
    _column: int  # this hit's among them

    @classmethod
    def many(cls, index: Index, numbers: np.ndarray, matches: Matches) -> list[Hit]:
        """A hit for each of passages `numbers`, as `matches` describes them. The frozen
        instances' attributes are set straight into their `__dict__`, with no `__init__` call
        or `__setattr__` each: a search makes a few dozen hits, and this took a tenth of it."""
        hits: list[Hit] = []
        scores, articles = matches.scores.tolist(), matches.articles.tolist()
        rows = zip(numbers.tolist(), scores, articles, strict=True)
        for column, (number, score, article) in enumerate(rows):
            hit = object.__new__(cls)
            attributes = hit.__dict__
            attributes["score"] = score
            attributes["_matches"] = matches
            attributes["_column"] = column
            attributes["_index"] = index
            attributes["_number"] = number
            attributes["_article"] = article
            hits.append(hit)
        return hits

    @_ReadOnce
    def matched(self) -> frozenset[str]:
        return self._matches.sets[self._column]

    @_ReadOnce
    def passage(self) -> Passage:
        return self._index.passage(self._number)

    @_ReadOnce
    def article(self) -> ArticleInfo:
        return self._index.articles[self._article]

    @_ReadOnce
    def text(self) -> str:
        passage = self.__dict__.get("passage")
        return passage.text if passage is not None else self._index.passage_text(self._number)

    @property
    def article_number(self) -> int:
        return self._article + 1

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Hit):
            return NotImplemented
        mine = (self.passage, self.article, self.score, self.matched)
        return mine == (other.passage, other.article, other.score, other.matched)

    def __hash__(self) -> int:
        return hash((self.passage, self.article, self.score, self.matched))


@dataclass(frozen=True, eq=False)
class Matches:
    """A search's hits as arrays, for the compiled coverage check
    (retrieval/compiled/coverage_kernel.py):
    `matched[j, i]`, whether hit i holds `terms[j]` (the question's terms the index holds, in
    question order); each hit's score and article (0-based)."""

    terms: tuple[str, ...]
    matched: np.ndarray
    scores: np.ndarray
    articles: np.ndarray

    @cached_property
    def sets(self) -> list[frozenset[str]]:
        """Each hit's terms as a set, made for all the hits at once when one is first read (the
        compiled coverage check reads the matrix, and then few hits are asked for theirs)."""
        return [frozenset(compress(self.terms, column)) for column in self.matched.T.tolist()]


@dataclass(frozen=True, eq=False)
class Query:
    """A question's terms as one index weighs them, made once by `Index.query` and searched by
    `Index.search`; only for the index that made it (the term numbers are its own)."""

    terms: tuple[str, ...]  # as asked, in order, repeats kept
    weights: dict[str, float]  # each distinct term -> its idf (unknown terms: the largest)
    present: list[str]  # the distinct terms the index holds, in question order
    known: list[tuple[int, int]]  # those as (term number, times asked)


@dataclass(frozen=True, eq=False)
class ArticleColumns:
    """Each article's date, outlet and id as columns, in index order: what filtering questions
    by date and outlet reads of every article, read once per index folder."""

    days: np.ndarray  # int64, the date's proleptic ordinal (date.toordinal()), -1 for none
    sources: list[str | None]
    id_hashes: np.ndarray  # int64, hash() of each id (this process's string hash)

    @classmethod
    def of(cls, articles: Iterable[ArticleInfo]) -> ArticleColumns:
        days: list[int] = []
        sources: list[str | None] = []
        hashes: list[int] = []
        for article in articles:
            days.append(_ordinal(article.date))
            sources.append(article.source)
            hashes.append(hash(article.id))
        return cls(np.array(days, dtype=np.int64), sources, np.array(hashes, dtype=np.int64))


def _ordinal(iso: str | None) -> int:
    """The ordinal of an ISO `YYYY-MM-DD` date, -1 for none or an unreadable one."""
    try:
        return date.fromisoformat(iso or "").toordinal()
    except ValueError:
        return -1


@dataclass(frozen=True)
class SearchResult:
    question_terms: dict[str, float]  # each distinct term -> its idf (unknown terms: the largest)
    hits: list[Hit]
    # The hits as arrays (None: no hits); what they hold, so left out of comparisons.
    matches: Matches | None = field(default=None, compare=False)


class Index:
    """Passages, their articles and the postings of an index folder; immutable once opened."""

    def __init__(
        self, stored: StoredIndex, scratch: tempfile.TemporaryDirectory[str] | None = None
    ) -> None:
        self.folder = stored.folder
        self.meta: IndexMeta = stored.meta
        self.settings = _settings_from_meta(stored.meta)
        self.analyzer = Analyzer(self.settings.analyzer)
        self._analyzed = SentenceCache(self.analyzer)  # sentences of passages not stored here
        self._titles: dict[int, frozenset[str]] = {}  # article number -> its title's terms
        self.vocab: Mapping[str, int] = stored.vocab
        self.terms = stored.terms
        self.sentence_table = stored.sentences
        self.articles: Sequence[ArticleInfo] = stored.articles
        self.postings = stored.postings
        self.table = stored.passages
        self._texts = stored.texts
        self._scratch = scratch  # a built-in-memory index's folder, removed with the index
        self._local = threading.local()  # a reusable score buffer per thread
        self.avgdl = stored.meta.avgdl
        self.max_idf = math.log((len(self) + 0.5) / 0.5)
        self.idf: np.ndarray = stored.postings.idf  # each term's weight, by term number

    def __len__(self) -> int:
        return self.meta.passages

    # --- building, saving and loading ---------------------------------------------------

    @classmethod
    def build_into(
        cls,
        folder: Path,
        pairs: Iterable[tuple[Article, list[Passage]]],
        settings: IndexSettings,
        *,
        progress: Progress | None = None,
        provenance: Provenance | None = None,
        articles: int = 0,
    ) -> Index:
        """Index `pairs` (each article with its passages, in order) into `folder`, streamed:
        memory stays bounded whatever the corpus size. Returns the index opened from there.
        `articles` (how many there are, when known) is the progress total."""
        build_folder(
            pairs,
            folder,
            analyzer=settings.analyzer,
            weighting=settings.weighting,
            workers=settings.workers,
            progress=progress,
            provenance=provenance,
            articles=articles,
        )
        return cls.load(folder)

    @classmethod
    def build(
        cls,
        articles: Sequence[Article],
        passages: Sequence[Passage],
        settings: IndexSettings,
        progress: Progress | None = None,
    ) -> Index:
        """Index `passages` (which must come in article order) in a temporary folder that lives
        as long as the index: for tests and evaluations; the cache builds into its own."""
        by_article: dict[str, list[Passage]] = {a.id: [] for a in articles}
        for passage in passages:
            by_article[passage.article_id].append(passage)
        return cls.in_temporary_folder(
            lambda folder: build_folder(
                ((a, by_article[a.id]) for a in articles),
                folder,
                analyzer=settings.analyzer,
                weighting=settings.weighting,
                workers=settings.workers,
                progress=progress,
                articles=len(articles),
            )
        )

    @classmethod
    def in_temporary_folder(cls, build: Callable[[Path], object]) -> Index:
        """Run `build` into a new temporary folder, removed when the index is."""
        scratch = tempfile.TemporaryDirectory(prefix="corpusbot-index-")
        try:
            build(Path(scratch.name))
            return cls(storage.load(Path(scratch.name)), scratch)
        except BaseException:
            scratch.cleanup()
            raise

    def save(self, folder: Path) -> None:
        """Copy the index into `folder`; meta.json goes last, so its presence means complete."""
        folder.mkdir(parents=True, exist_ok=True)
        for path in sorted(self.folder.iterdir(), key=lambda p: p.name == storage.META):
            shutil.copyfile(path, folder / path.name)
        storage.fsync_folder(folder)

    @classmethod
    def load(cls, folder: Path) -> Index:
        """Open a saved index with its arrays memory-mapped; raises IndexCorrupt if unusable."""
        return cls(storage.load(folder))

    # --- searching ----------------------------------------------------------------------

    def query(self, terms: Sequence[str]) -> Query:
        """`terms` (a question's, analysed) with this index's weights, ready to search."""
        weights, present, known = self._question_terms(Counter(terms))
        return Query(tuple(terms), weights, present, known)

    def search(
        self, question: str | Query, k: int = 10, *, allowed: np.ndarray | None = None
    ) -> SearchResult:
        """The `k` best passages for `question` (a text, analysed here, or this index's
        `Query`), best first; only passages scoring above 0. With `allowed` (a bool per
        article, in index order) only those articles' passages."""
        query = self.query(self.analyzer.terms(question)) if isinstance(question, str) else question
        weights, known = query.weights, query.known
        if not known or k <= 0 or len(self) == 0:
            return SearchResult(weights, [])
        ranked = self._ranked(known, k, allowed)
        articles = self.table.article[ranked.numbers]
        matches = Matches(tuple(query.present), ranked.matched, ranked.scores, articles)
        return SearchResult(weights, _StoredHit.many(self, ranked.numbers, matches), matches)

    def _question_terms(
        self, counts: Counter[str]
    ) -> tuple[dict[str, float], list[str], list[tuple[int, int]]]:
        """Each question term's weight (its idf; unknown terms the largest), the terms the index
        holds, and those as (term number, times asked): one pass, each idf read with `item`
        (a NumPy scalar each, then float, cost twice as much)."""
        vocab, idf = self.vocab, self.idf
        weights: dict[str, float] = {}
        present: list[str] = []
        known: list[tuple[int, int]] = []
        for term, times in counts.items():
            number = vocab.get(term)
            if number is None:
                weights[term] = self.max_idf
            else:
                weights[term] = idf.item(number)
                present.append(term)
                known.append((number, times))
        return weights, present, known

    def _ranked(
        self, known: list[tuple[int, int]], k: int, allowed: np.ndarray | None
    ) -> kernel.Ranked:
        """The k best passages: with the compiled kernel on large indexes, else with NumPy."""
        compiled = kernel.load() if kernel.compiled_for(len(self)) else None
        if compiled is not None and self._idf_positive:
            return kernel.search(
                compiled,
                self.postings,
                self.table.doc_len,
                terms=known,
                k=k,
                count=k + RESCORE_MARGIN,
                avgdl=self.avgdl,
                k1=self.settings.k1,
                b=self.settings.b,
                article=self.table.article,
                allowed=allowed,
                window=kernel.WINDOW,
            )
        if allowed is None:
            candidates = self._candidates(known, k + RESCORE_MARGIN)
        else:
            candidates = self._allowed_candidates(known, k + RESCORE_MARGIN, allowed)
        return self._best_exactly(known, candidates, k)

    def _best_exactly(
        self,
        known: list[tuple[int, int]],
        candidates: np.ndarray,
        k: int,
        *,
        idf: np.ndarray | None = None,
        avgdl: float | None = None,
    ) -> kernel.Ranked:
        """The k best of `candidates` (sorted) by exact score, scoring above 0, ties by passage
        number (`_exact_scores`' statistics: this index's, or `idf` and `avgdl`)."""
        exact, matched = self._exact_scores(known, candidates, idf=idf, avgdl=avgdl)
        order = np.lexsort((candidates, -exact))[:k]
        order = order[exact[order] > 0]
        # `matched` row-major, as the compiled search gives it (see `_row_major`)
        return kernel.Ranked(candidates[order], exact[order], _row_major(matched[:, order]))

    @cached_property
    def _idf_positive(self) -> bool:
        """Whether every term weighs more than 0, as the compiled search's bounds assume (with
        the epsilon floor, all but a corpus of near-identical passages). Read once: per question
        it cost a quarter of the search's own Python."""
        return bool((self.idf > 0).all())

    @cached_property
    def article_columns(self) -> ArticleColumns:
        """Every article's date, outlet and id as columns, read in one walk, once."""
        return ArticleColumns.of(self.articles)

    def term_weight(self, term: str) -> float:
        """`term`'s idf (an index term, as the analyzer makes it); a term no passage holds
        weighs the most, as in a question."""
        number = self.vocab.get(term)
        return self.max_idf if number is None else self.idf.item(number)

    # --- a segment of a larger index (retrieval/index/segmented.py) -----------------------

    def _scored(
        self,
        known: list[tuple[int, int]],
        k: int,
        allowed: np.ndarray | None,
        *,
        idf: np.ndarray,
        scales: np.ndarray | None,
        avgdl: float,
        loose: float,
        compiled: bool,
        floor: float = 0.0,
    ) -> kernel.Ranked:
        """The k best of this folder's passages scored with another index's statistics (`idf`
        by this folder's term numbers, `avgdl`): exactly those a single index of the same
        passages would rank, scores to the bit. The compiled search walks this folder's
        impacts scaled to `idf` (`scales`: `idf` over this folder's own, for the terms of
        `known`; None when one weighs 0 or less either way, so that its impacts bound nothing),
        which are then within a factor 1 + `loose` of the exact contributions; when
        its candidates cannot be shown to hold the k best, or without it, every passage holding
        a term is scored exactly. `floor` (above 0): an exact score k passages of the other
        folders reach; only passages scoring at least that come back (fewer than k, often
        none), and the compiled search leaves out early those that cannot."""
        search = kernel.load() if compiled and scales is not None else None
        if search is not None and scales is not None:
            ranked = kernel.search(
                search,
                self.postings,
                self.table.doc_len,
                terms=known,
                k=k,
                count=k + RESCORE_MARGIN,
                avgdl=avgdl,
                k1=self.settings.k1,
                b=self.settings.b,
                article=self.table.article,
                allowed=allowed,
                window=kernel.WINDOW,
                idf=idf,
                scales=scales,
                loose=loose,
                floor=floor,
            )
            if _holds_the_best(ranked, k, loose, floor):
                return ranked
        ranked = self._all_scored(known, k, allowed, idf=idf, avgdl=avgdl)
        return ranked if floor <= 0 else _reaching(ranked, floor)

    def _all_scored(
        self,
        known: list[tuple[int, int]],
        k: int,
        allowed: np.ndarray | None,
        *,
        idf: np.ndarray,
        avgdl: float,
    ) -> kernel.Ranked:
        """The k best by exact scores of every passage holding one of `known`."""
        ids = [self._postings(term)[0] for term, _ in known]
        candidates = np.unique(np.concatenate(ids)).astype(np.int64)
        if allowed is not None:
            candidates = candidates[np.asarray(allowed, dtype=bool)[self.table.article[candidates]]]
        return self._best_exactly(known, candidates, k, idf=idf, avgdl=avgdl)

    def title_terms(self, article: ArticleInfo) -> frozenset[str]:
        """The index terms of `article`'s title, kept once read (the coverage model reads the
        title of each question's best passage, and a bot's questions come back to the same
        articles); at most TITLE_CACHE titles are kept."""
        terms = self._titles.get(article.number)
        if terms is None:
            if len(self._titles) >= TITLE_CACHE:
                self._titles.clear()
            terms = self._titles[article.number] = frozenset(self.analyzer.terms(article.title))
        return terms

    def vocabulary_since(self, earlier: Index) -> tuple[set[str], set[str]] | None:
        """The terms this index holds that `earlier` lacked, and those it no longer holds, when
        that is known without comparing the whole vocabularies (an update of `earlier`); None
        otherwise."""
        return (set(), set()) if earlier is self else None

    def document_frequency(self, term: str) -> int:
        """How many passages contain `term` (an index term, as the analyzer makes it); 0 if none."""
        number = self.vocab.get(term)
        return 0 if number is None else self._df(number)

    def _candidates(self, known: list[tuple[int, int]], count: int) -> np.ndarray:
        """Passage numbers (sorted) among which the best `count - RESCORE_MARGIN` surely are."""
        k = max(count - RESCORE_MARGIN, 1)
        idf = self.postings.idf[[t for t, _ in known]]
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
        lo, hi = self.postings.offsets[term], self.postings.offsets[term + 1]
        return self.postings.doc_ids[lo:hi], self.postings.impacts[lo:hi]

    def _df(self, term: int) -> int:
        return int(self.postings.offsets[term + 1] - self.postings.offsets[term])

    def _find(self, term: int, passages: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For sorted `passages`: their positions in `term`'s postings (offset from the term's
        first posting, valid where present) and whether each contains the term at all."""
        ids = self.postings.doc_ids[self.postings.offsets[term] : self.postings.offsets[term + 1]]
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
        return _best_partial(touched, partial, count)

    # --- news filter (bot/answer/query_filters.py): a date or outlet mask over articles -------

    def _allowed_candidates(
        self, known: list[tuple[int, int]], count: int, allowed: np.ndarray
    ) -> np.ndarray:
        """The `count` best approximate scores among the allowed articles' passages. No MaxScore
        pruning: its floor comes from passages a narrow filter may exclude."""
        touched, partial = self._gather(known)
        keep = np.asarray(allowed, dtype=bool)[self.table.article[touched]]
        return _best_partial(touched[keep], partial[keep], count)

    # -----------------------------------------------------------------------------------------

    def _floor(self, known: list[tuple[int, int]], k: int) -> float:
        """A lower bound on the k-th best score: exact scores of the rarest terms' best."""
        by_df = sorted(known, key=lambda tt: self._df(tt[0]))
        probe: list[tuple[int, int]] = []
        size = 0
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

    def _pruned_candidates(self, known: list[tuple[int, int]], floor: float, k: int) -> np.ndarray:
        """Passages that could score at least the k-th best, gathered from the rarer terms."""
        bounds = sorted(
            ((times * float(self.postings.max_impact[term]), term, times) for term, times in known),
            reverse=True,
        )
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

    def _exact_scores(
        self,
        known: list[tuple[int, int]],
        candidates: np.ndarray,
        *,
        idf: np.ndarray | None = None,
        avgdl: float | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """rank-bm25's scores for `candidates` in float64, and which terms each contains; with
        this index's statistics, or with `idf` and `avgdl` (a segment's whole index's)."""
        k1, b = self.settings.k1, self.settings.b
        postings = self.postings
        idf = postings.idf if idf is None else idf
        avgdl = self.avgdl if avgdl is None else avgdl
        norm = k1 * (1 - b + b * self.table.doc_len[candidates].astype(np.float64) / avgdl)
        tf = np.zeros((len(known), len(candidates)))
        for row, (term, _) in enumerate(known):  # one lookup a term; the arithmetic at once
            where, present = self._find(term, candidates)
            tfs = postings.tfs[postings.offsets[term] : postings.offsets[term + 1]]
            tf[row] = np.where(present, tfs[where], 0)
        weights = np.array([[times * idf[term]] for term, times in known])
        # Summed down the rows, every passage's terms add up in the same order (a matrix
        # product may not), so passages of equal score stay exactly equal and keep their order.
        scores = (weights * (tf * (k1 + 1) / (tf + norm))).sum(axis=0)
        return scores, tf > 0

    # --- reading passages and articles --------------------------------------------------

    def sentence_shares(
        self, hits: Sequence[Hit], weights: Mapping[str, float], order: Sequence[str]
    ) -> SentenceShares:
        """Every sentence of `hits`' passages, with the shares of the question's weight it holds
        (retrieval/storage/sentence_block.py): `weights`, each question term's (its idf); `order`,
        the question's terms as asked. Read from the build's table for this index's own hits
        (compiled on large indexes), else analyzed."""
        if all(isinstance(h, _StoredHit) and h._index is self for h in hits):
            numbers = [h._number for h in hits]  # type: ignore[attr-defined]
            return self._shares_of(numbers, weights, order, compiled=kernel.compiled_for(len(self)))
        block = from_sentences(self._analyzed(h.passage.text) for h in hits)
        return measure_question(block, weights, order)

    def _shares_of(
        self,
        numbers: list[int],
        weights: Mapping[str, float],
        order: Sequence[str],
        *,
        compiled: bool,
        names: Index | None = None,
    ) -> SentenceShares:
        """`sentence_shares` of passages `numbers`, read from the build's sentence table: with
        `compiled`, by the compiled reader (if it loads), which gives the same values. The
        block's term codes are `names`'s (this index's by default; an index in segments names
        its base's terms by the same numbers)."""
        names = self if names is None else names
        reader = sentence_kernel.load() if compiled else None
        if reader is not None:
            wanted, shares, pairs = names._sentence_question(weights, order)
            return sentence_kernel.read(
                reader,
                self.sentence_table,
                numbers,
                wanted=wanted,
                weights=shares,
                pairs=pairs,
                code_of=names._code_of,
                terms=names.terms,
            )
        block = from_table(self.sentence_table, numbers, vocab=names.vocab, terms=names.terms)
        return measure_question(block, weights, order)

    def _sentence_question(
        self, weights: Mapping[str, float], order: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The question as the compiled sentence reading takes it: the asked terms' numbers
        here (-1: held nowhere), their shares of its weight, and the pairs asked side by side."""
        asked, shares, pairs = question_arrays(weights, order)
        wanted = np.array([self.vocab.get(term, -1) for term in asked], dtype=np.int64)
        return wanted, shares, pairs

    def _code_of(self, term: str) -> int:
        """A term's number here; -1 when no passage holds it."""
        number = self.vocab.get(term)
        return -1 if number is None else number

    def passage(self, number: int) -> Passage:
        article = self.articles[int(self.table.article[number])]
        return Passage(
            article.id,
            int(self.table.ordinal[number]),
            int(self.table.start[number]),
            int(self.table.end[number]),
            self.passage_text(number),
        )

    def passage_text(self, number: int) -> str:
        """Passage `number`'s text alone."""
        return self._texts.read(self.table.bstart[number], self.table.bend[number]).decode("utf-8")

    def article_text(self, number: int) -> str:
        """The full text of article `number` (1-based)."""
        lo, hi = self.table.article_bstart[number - 1], self.table.article_bstart[number]
        return self._texts.read(lo, hi).decode("utf-8")


def _holds_the_best(ranked: kernel.Ranked, k: int, loose: float, floor: float = 0.0) -> bool:
    """Whether the compiled search's candidates surely held the k best (of those scoring at
    least `floor`): every passage it left out scored at most `ranked.left_out` by its impacts,
    so at most (1 + loose) times that exactly, below the k-th best found or below `floor`
    (float32 rounding aside, for which 1e-6 is ample)."""
    if ranked.left_out < 0:
        return True
    most = ranked.left_out * (1.0 + loose) * (1.0 + 1e-6) + 1e-9
    if most < floor:
        return True
    if len(ranked.scores) < k:
        return False
    return float(ranked.scores[-1]) > most


def _reaching(ranked: kernel.Ranked, floor: float) -> kernel.Ranked:
    """`ranked`'s passages scoring `floor` or more."""
    reaching = ranked.scores >= floor
    if reaching.all():
        return ranked
    return replace(
        ranked,
        numbers=ranked.numbers[reaching],
        scores=ranked.scores[reaching],
        matched=_row_major(ranked.matched[:, reaching]),
    )


def _row_major(matched: np.ndarray) -> np.ndarray:
    """`matched` (a question's terms by hits) row-major, as the compiled search gives it: the
    compiled coverage check is compiled for that layout, and would be compiled again (over a
    second, at a question) for a column-major one, which a column selection gives."""
    return np.ascontiguousarray(matched)


def _best_partial(touched: np.ndarray, partial: np.ndarray, count: int) -> np.ndarray:
    """The `count` passages of `touched` (sorted) with the best partial scores, sorted; at the
    cut, ties go to the lower passage numbers, as in the compiled search, so that passages of
    equal score beyond the rescoring margin are the same ones on both paths."""
    if len(touched) <= count:
        return touched
    cut = np.partition(partial, -count)[-count]
    above: np.ndarray = partial > cut
    tied = np.flatnonzero(partial == cut)[: count - int(above.sum())]
    above[tied] = True
    kept: np.ndarray = touched[above]
    return kept


def _settings_from_meta(meta: IndexMeta) -> IndexSettings:
    analyzer = AnalyzerSettings(meta.language, frozenset(meta.stopwords), meta.lemmas)
    return IndexSettings(analyzer=analyzer, k1=meta.k1, b=meta.b, epsilon=meta.epsilon)
