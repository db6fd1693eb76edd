"""The small segments of an index in segments (retrieval/index/segmented.py), put together in
memory so that one compiled search covers them all.

A stream of updates leaves a few small segments beside the base. Searched one by one, each costs
a kernel call and its bookkeeping (about 45 µs at 100k passages) for passages that mostly score
below the base's k-th best and come back empty. Once per generation, their live passages are
laid end to end as one small index:
- numbered in corpus order (the live articles' order, then each article's passages in theirs),
  so that the kernel, which breaks ties by passage number, ranks equal scores as a single index;
- with each posting's impact scaled to the whole index's idf (the scales a segment's search
  would apply), so a single set of bounds serves; the segments' own average lengths differ from
  the whole index's, which `loose` covers as it does for a segment searched alone;
- by the whole index's term numbers (a dict to the terms held here), each passage with its live
  article's number and its number in the whole index, so that neither needs a mapping;
- with each segment's sentence records renamed to the whole index's term numbers, so that a
  question's sentences, wherever its hits are, are read in one call of the compiled reader.
Dead passages are left out. A question with a term that one of the segments weighs 0 or less
(rank-bm25's idf floor) cannot be bounded that way; the segments are then searched one by one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from corpusbot.retrieval.storage import Postings, SentenceTable

# Segments beside the base with at most this many passages are put together; larger ones are
# searched on their own (putting them together copies their postings at every update, for a
# saving of one call's overhead). Four segments of 510 passages, 80,000 postings: 5 ms.
TOGETHER_MAX_PASSAGES = 20_000


@dataclass(frozen=True)
class Part:
    """One segment as `together` reads it: its arrays and the whole index's view of it."""

    postings: Postings
    doc_len: np.ndarray
    passage_article: np.ndarray  # per passage, its 0-based article number in the segment
    to_whole: np.ndarray  # its term numbers in the whole index's
    # by its term numbers: the whole index's idf over its own (0 where either is 0 or less),
    # and where both are above 0 (its impacts then bound the contributions)
    scales: np.ndarray
    bounded: np.ndarray
    avgdl: float
    start: int  # its first passage's number in the whole index
    sentences: SentenceTable


@dataclass(frozen=True)
class Together:
    """Segments' live passages as one small index (see the module's docstring)."""

    segments: tuple[int, ...]  # the places of the segments put together
    postings: Postings  # by term number here; impacts scaled to the whole index's idf
    doc_len: np.ndarray
    article: np.ndarray  # per passage: its live article's number (0-based) in the whole index
    number: np.ndarray  # per passage: its number in the whole index
    terms: dict[int, int]  # the whole index's term number -> the number here
    unscalable: frozenset[int]  # whole term numbers some segment here weighs 0 or less
    loose: float  # the impacts are within a factor 1 + loose of the exact contributions
    # By segment place: its sentence records (at its own offsets) with the whole index's term
    # numbers, so that a question's sentences are read from every segment in one call; a
    # segment whose records are damaged is left out (read record by record, and refused).
    records: dict[int, np.ndarray]

    def local_terms(
        self, known: list[tuple[int, int]]
    ) -> tuple[list[tuple[int, int]], list[int]] | None:
        """The question's terms held here, by their numbers here, and their rows in `known`;
        None when one of them cannot be searched here (see `unscalable`)."""
        local, rows = terms_held(known, self.terms)
        unscalable = self.unscalable
        if unscalable and any(known[row][0] in unscalable for row in rows):
            return None
        return local, rows


def terms_held(
    known: list[tuple[int, int]], numbers: dict[int, int]
) -> tuple[list[tuple[int, int]], list[int]]:
    """The question's terms ((whole term number, times)) that `numbers` maps to a folder's own
    numbers, so numbered, and their rows in `known`."""
    local: list[tuple[int, int]] = []
    rows: list[int] = []
    mine = numbers.get
    for row, (number, times) in enumerate(known):
        place = mine(number)
        if place is not None:
            local.append((place, times))
            rows.append(row)
    return local, rows


def together(
    places: list[int],
    parts: list[Part],
    *,
    where: np.ndarray,
    article_at: np.ndarray,
    idf: np.ndarray,
    avgdl: float,
) -> Together:
    """`parts` (the segments at `places`) as one index of their live passages. `where` and
    `article_at`: the live articles in corpus order, each one's segment place and its article
    number there; `idf` (by its term numbers) and `avgdl`: the whole index's."""
    segment_of, local_of, article_of = _passages(places, parts, where, article_at)
    doc_len = np.zeros(len(local_of), dtype=np.int32)
    number = local_of.copy()
    columns = []
    for place, part in zip(places, parts, strict=True):
        mine = np.flatnonzero(segment_of == place)
        doc_len[mine] = part.doc_len[local_of[mine]]
        number[mine] += part.start
        to_here = np.full(len(part.doc_len), -1, dtype=np.int64)
        to_here[local_of[mine]] = mine
        columns.append(_postings_here(part, to_here))
    term, doc, impacts, tfs = (np.concatenate([c[i] for c in columns]) for i in range(4))
    rank = np.argsort(term * max(len(doc_len), 1) + doc)  # by term, then passage (unique)
    present, starts = np.unique(term[rank], return_index=True)
    impacts = impacts[rank].astype(np.float32)
    postings = Postings(
        offsets=np.append(starts, len(rank)).astype(np.int64),
        doc_ids=doc[rank].astype(np.int32),
        impacts=impacts,
        tfs=tfs[rank].astype(np.uint16),
        idf=idf[present],
        max_impact=np.maximum.reduceat(impacts, starts).astype(np.float64)
        if len(rank)
        else np.zeros(0),
    )
    return Together(
        segments=tuple(places),
        postings=postings,
        doc_len=doc_len,
        article=article_of.astype(np.int32),
        number=number,
        terms=dict(zip(present.tolist(), range(len(present)), strict=True)),
        unscalable=frozenset(_unscalable(parts)),
        loose=max(max(p.avgdl, avgdl) / min(p.avgdl, avgdl) for p in parts) - 1.0 + 1e-6,
        records=_renamed_records(places, parts),
    )


def _passages(
    places: list[int], parts: list[Part], where: np.ndarray, article_at: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per passage here, in corpus order: its segment's place, its number there and its live
    article's number. A segment's article's passages are consecutive, as it was built."""
    lives = np.flatnonzero(np.isin(where, places))  # live article numbers, in corpus order
    firsts = np.zeros(len(lives), dtype=np.int64)
    lasts = np.zeros(len(lives), dtype=np.int64)
    for place, part in zip(places, parts, strict=True):
        mine = where[lives] == place
        articles = article_at[lives][mine]
        firsts[mine] = np.searchsorted(part.passage_article, articles, side="left")
        lasts[mine] = np.searchsorted(part.passage_article, articles, side="right")
    lengths = lasts - firsts
    total = int(lengths.sum())
    # passage i here is the article's first plus how far i is past where its article starts here
    begins = np.cumsum(lengths) - lengths
    local_of = np.repeat(firsts - begins, lengths) + np.arange(total, dtype=np.int64)
    return np.repeat(where[lives], lengths), local_of, np.repeat(lives, lengths)


def _postings_here(
    part: Part, to_here: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A segment's live postings as (whole term number, passage here, impact scaled to the whole
    index's idf, term frequency) columns."""
    postings = part.postings
    counts = np.diff(postings.offsets)
    local_term = np.repeat(np.arange(len(counts)), counts)
    doc = to_here[postings.doc_ids]
    alive = doc >= 0
    impacts = postings.impacts.astype(np.float64) * part.scales[local_term]
    return (
        part.to_whole[local_term[alive]],
        doc[alive],
        impacts[alive],
        postings.tfs[alive],
    )


def _renamed_records(places: list[int], parts: list[Part]) -> dict[int, np.ndarray]:
    """Each part's sentence records with the whole index's term numbers, by place."""
    found = {}
    for place, part in zip(places, parts, strict=True):
        renamed = renamed_records(part.sentences, part.to_whole)
        if renamed is not None:
            found[place] = renamed
    return found


def renamed_records(table: SentenceTable, to_whole: np.ndarray) -> np.ndarray | None:
    """A folder's sentence records (layout in storage.SentenceRecords), at the same offsets,
    with its term numbers turned to the whole index's (`to_whole`); None if one is damaged."""
    records = table.records.read(0, table.records.length)
    starts, ends = table.offsets[:-1], table.offsets[1:]
    if len(starts) and (starts[0] != 0 or (ends < starts).any() or ends[-1] > len(records)):
        return None
    filled = np.flatnonzero(ends > starts)
    counts = records[starts[filled]].astype(np.int64)
    first = starts[filled] + 1 + 3 * counts  # where each record's term numbers begin
    if (counts < 0).any() or (first > ends[filled]).any():
        return None
    # Term numbers are the spans [first, end) of each record: marked by +1 at each start and
    # -1 at each end, summed along.
    edges = np.zeros(len(records) + 1, dtype=np.int64)
    np.add.at(edges, first, 1)
    np.add.at(edges, ends[filled], -1)
    terms = np.cumsum(edges[:-1]) > 0
    whole = whole_numbers(records[terms], to_whole)
    if whole is None:
        return None
    renamed = np.array(records, dtype=np.int32)
    renamed[terms] = whole
    return renamed


def whole_numbers(codes: np.ndarray, to_whole: np.ndarray) -> np.ndarray | None:
    """A folder's term numbers `codes` as the whole index's (`to_whole`: by the folder's); None
    when one is no term number of the folder (a damaged record)."""
    if len(codes) and (int(codes.min()) < 0 or int(codes.max()) >= len(to_whole)):
        return None
    whole: np.ndarray = to_whole[codes]
    return whole


def _unscalable(parts: list[Part]) -> set[int]:
    """Whole term numbers whose idf, the segment's own or the whole index's, is 0 or less in
    some part: their impacts bound nothing."""
    found: set[int] = set()
    for part in parts:
        found.update(part.to_whole[~part.bounded].tolist())
    return found
