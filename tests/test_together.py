"""The small segments of an index in segments searched as one (retrieval/index/together.py)."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import numpy as np
import pytest

from corpusbot.retrieval.index import Index, SegmentedIndex, segmented, together
from corpusbot.retrieval.storage import Postings, SentenceTable
from corpusbot.retrieval.storage.files import SentenceRecords

from .test_segmented import ABSTRACTS, CLAIMS, FIRST, opened, same_as_a_rebuild, saved


def streamed(tmp_path: Path) -> tuple[Path, Path]:
    """A saved index with three small segments beside its base, as three updates of a stream
    leave them. Exact copies make scores tie: of a base article in the second, and in the third
    of an article of the first, under a name the folder lists before the original's."""
    corpus, cache = saved(tmp_path)
    arriving = iter(ABSTRACTS[FIRST:])
    for batch in range(3):
        for _ in range(4):
            name, text = next(arriving)
            (corpus / name).write_text(text, encoding="utf-8")
        if batch == 1:
            shutil.copy(corpus / "a007.txt", corpus / "copy-a007.txt")
        if batch == 2:
            shutil.copy(corpus / ABSTRACTS[FIRST + 1][0], corpus / "0-copy.txt")
        opened(corpus, cache)
    return corpus, cache


def questions(corpus: Path) -> list[str]:
    """The claims, and the copied articles' titles (so that the ties are among the best)."""
    copies = ["copy-a007.txt", "0-copy.txt"]
    return CLAIMS + [(corpus / name).read_text(encoding="utf-8").split("\n")[0] for name in copies]


def found(index: Index, claim: str, allowed: np.ndarray | None = None) -> list[object]:
    """The best 20 hits and the best one alone (ties at the cut go to the corpus's first)."""
    best = [index.search(claim, k, allowed=allowed).hits for k in (20, 1)]
    return [[(h.article.id, h.passage.ordinal, h.score, h.matched) for h in hits] for hits in best]


def test_the_small_segments_are_laid_out_as_their_live_passages_in_corpus_order(
    tmp_path: Path,
) -> None:
    corpus, cache = streamed(tmp_path)
    (corpus / ABSTRACTS[FIRST][0]).unlink()  # a dead article in a small segment
    index = opened(corpus, cache).index
    assert isinstance(index, SegmentedIndex) and index.segments == 4
    view = index._view
    assert view is not None and view.segments == (1, 2, 3)
    pieces = index._segments
    live = sum(int(pieces[n].alive[pieces[n].index.table.article].sum()) for n in view.segments)
    assert len(view.doc_len) == live
    # Each passage here is the live article's passage it names, in the live articles' order.
    assert (np.diff(view.article) >= 0).all()
    for at in range(len(view.doc_len)):
        segment, local = index._where(int(view.number[at]))
        assert segment in view.segments
        piece = pieces[segment]
        assert piece.live[piece.index.table.article[local]] == view.article[at]
        assert piece.index.table.doc_len[local] == view.doc_len[at]


def test_searched_together_they_answer_as_one_by_one_and_as_a_rebuild(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, cache = streamed(tmp_path)
    index = same_as_a_rebuild(corpus, cache, tmp_path)
    assert isinstance(index, SegmentedIndex)
    searched = {True: 0, False: 0}
    search_together = SegmentedIndex._search_together

    def counted(self: SegmentedIndex, *args: object) -> bool:
        done = search_together(self, *args)  # type: ignore[arg-type]
        searched[done] += 1
        return done

    monkeypatch.setattr(SegmentedIndex, "_search_together", counted)
    asked = questions(corpus)
    together_found = [found(index, question) for question in asked]
    # The view answered (it did not hand every question back to the one-by-one search).
    assert searched[True] > 0.9 * len(asked)
    monkeypatch.setattr(together, "TOGETHER_MAX_PASSAGES", 0)
    monkeypatch.setattr(segmented, "TOGETHER_MAX_PASSAGES", 0)
    one_by_one = opened(corpus, cache).index
    assert isinstance(one_by_one, SegmentedIndex) and one_by_one._view is None
    assert [found(one_by_one, question) for question in asked] == together_found


def test_a_filter_by_article_is_kept_together_as_in_a_rebuild(tmp_path: Path) -> None:
    corpus, cache = streamed(tmp_path)
    index = opened(corpus, cache).index
    rebuilt = opened(corpus, tmp_path / "rebuilt").index
    assert isinstance(index, SegmentedIndex) and type(rebuilt) is Index
    chosen = random.Random(7)
    for claim in questions(corpus)[-42:]:
        allowed = np.array([chosen.random() < 0.5 for _ in range(len(index.articles))])
        assert found(index, claim, allowed) == found(rebuilt, claim, allowed)


def test_a_search_across_segments_gives_a_single_index_s_arrays(tmp_path: Path) -> None:
    # The compiled coverage check is compiled for the arrays a single index's search gives; an
    # array of another layout (a column-major `matched`) made numba compile it again, 1.4 s at
    # the first question whose best spanned segments.
    corpus, cache = streamed(tmp_path)
    index = opened(corpus, cache).index
    rebuilt = opened(corpus, tmp_path / "rebuilt").index
    assert isinstance(index, SegmentedIndex)
    spanned = 0
    for claim in questions(corpus):
        result, single = index.search(claim, 24), rebuilt.search(claim, 24)
        assert result.matches is not None and single.matches is not None
        parts = {index._where(hit._number)[0] for hit in result.hits}  # type: ignore[attr-defined]
        spanned += len(parts) > 1
        for mine, theirs in (
            (result.matches.matched, single.matches.matched),
            (result.matches.scores, single.matches.scores),
            (result.matches.articles, single.matches.articles),
        ):
            assert (mine.dtype, mine.flags.c_contiguous) == (theirs.dtype, True)
    assert spanned > 5


def sentence_table(folder: Path, passages: list[list[int]]) -> SentenceTable:
    """A sentence table of one sentence a passage, holding the given term numbers."""
    records: list[int] = []
    offsets = [0]
    for held in passages:
        records += [1, 0, 10, len(held), *held]
        offsets.append(len(records))
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / "records.npy", np.array(records, dtype=np.int32))
    return SentenceTable(np.array(offsets, dtype=np.int64), SentenceRecords(folder / "records.npy"))


def part(
    folder: Path,
    terms: dict[int, list[tuple[int, int]]],
    idf: list[float],
    to_whole: list[int],
    *,
    start: int,
) -> together.Part:
    """A two-article segment of four passages, the first numbered `start` in the whole index:
    its postings (term -> (passage, tf)) by hand, and a sentence a passage holding its terms;
    the whole index weighs each term twice its own idf."""
    offsets, doc_ids, tfs = [0], [], []
    held: list[list[int]] = [[], [], [], []]
    for term in range(len(idf)):
        for passage, tf in terms.get(term, []):
            doc_ids.append(passage)
            tfs.append(tf)
            held[passage] += [term] * tf
        offsets.append(len(doc_ids))
    postings = Postings(
        offsets=np.array(offsets, dtype=np.int64),
        doc_ids=np.array(doc_ids, dtype=np.int32),
        impacts=np.array(tfs, dtype=np.float32),
        tfs=np.array(tfs, dtype=np.uint16),
        idf=np.array(idf),
        max_impact=np.ones(len(idf)),
    )
    return together.Part(
        postings=postings,
        doc_len=np.array([3, 4, 5, 6], dtype=np.int32),
        passage_article=np.array([0, 0, 1, 1], dtype=np.int32),
        to_whole=np.array(to_whole, dtype=np.int64),
        scales=np.where(np.array(idf) > 0, 2.0, 0.0),
        bounded=np.array(idf) > 0,
        avgdl=4.5,
        start=start,
        sentences=sentence_table(folder, held),
    )


def test_a_term_weighed_zero_in_one_segment_is_left_to_the_segments_one_by_one(
    tmp_path: Path,
) -> None:
    first = part(
        tmp_path / "first", {0: [(0, 1), (2, 2)], 1: [(3, 1)]}, [1.0, 0.5], [10, 11], start=100
    )
    # Its term 1 weighs 0.
    second = part(tmp_path / "second", {0: [(1, 1)], 1: [(3, 3)]}, [1.0, 0.0], [11, 12], start=104)
    # Live articles in corpus order: the second's 1, the first's 0, the first's 1 (the second's
    # article 0 is dead).
    view = together.together(
        [1, 2],
        [first, second],
        where=np.array([0, 2, 1, 1]),
        article_at=np.array([0, 1, 0, 1]),
        idf=np.linspace(0.5, 2.0, 13),
        avgdl=5.0,
    )
    assert view.number.tolist() == [106, 107, 100, 101, 102, 103]
    assert view.article.tolist() == [1, 1, 2, 2, 3, 3]
    assert view.doc_len.tolist() == [5, 6, 3, 4, 5, 6]
    # Whole term 11: the first's term 1 (passage 3, here 5) and the second's term 0 (its dead
    # passage 1 left out); impacts scaled by the whole index's idf over the segment's own.
    eleven = view.terms[11]
    span = slice(view.postings.offsets[eleven], view.postings.offsets[eleven + 1])
    assert view.postings.doc_ids[span].tolist() == [5]
    assert view.postings.impacts[span].tolist() == [2.0]
    assert view.postings.idf.tolist() == np.linspace(0.5, 2.0, 13)[[10, 11, 12]].tolist()
    assert view.local_terms([(10, 1), (99, 2)]) == ([(view.terms[10], 1)], [0])
    assert 12 in view.unscalable and view.local_terms([(10, 1), (12, 1)]) is None
    # Each segment's sentences, at their own offsets, by the whole index's term numbers (the
    # dead passage's too: a record is read only for a live hit).
    sentence = [1, 0, 10]  # one sentence, characters 0 to 10, then its terms' count and numbers
    first_held, second_held = [[10], [], [10, 10], [11]], [[], [11], [], [12, 12, 12]]
    for place, held in ((1, first_held), (2, second_held)):
        assert view.records[place].tolist() == [
            value for terms in held for value in [*sentence, len(terms), *terms]
        ]


def test_damaged_sentence_records_are_not_renamed(tmp_path: Path) -> None:
    to_whole = np.array([5, 6])
    good = sentence_table(tmp_path / "good", [[0, 1], [1]])
    assert together.renamed_records(good, to_whole) is not None
    assert together.renamed_records(sentence_table(tmp_path / "far", [[0, 2]]), to_whole) is None
    short = sentence_table(tmp_path / "short", [[0]])
    cut = SentenceTable(short.offsets + np.array([0, 3]), short.records)  # past the records' end
    assert together.renamed_records(cut, to_whole) is None


def test_small_segments_whose_articles_are_all_gone_leave_an_empty_view(tmp_path: Path) -> None:
    corpus, cache = saved(tmp_path)
    added = ABSTRACTS[FIRST : FIRST + 2]
    for name, text in added:
        (corpus / name).write_text(text, encoding="utf-8")
    opened(corpus, cache)
    for name, _ in added:
        (corpus / name).unlink()
    (corpus / "a005.txt").unlink()  # so that the folder is not the one the base was built of
    index = same_as_a_rebuild(corpus, cache, tmp_path)
    assert isinstance(index, SegmentedIndex) and index.segments == 2
    assert index._view is not None and len(index._view.doc_len) == 0
    title = added[0][1].split("\n")[0]
    assert all(hit.article.id != Path(added[0][0]).stem for hit in index.search(title, 20).hits)
