"""The index folder's files: streamed .npy arrays, the article table, meta.json."""

from pathlib import Path

import numpy as np
import pytest

from corpusbot.retrieval import storage
from corpusbot.retrieval.corpus import Skipped
from corpusbot.retrieval.storage import (
    ArrayWriter,
    ArticleInfo,
    ArticleTable,
    ArticleWriter,
    IndexCorrupt,
    IndexMeta,
    Provenance,
)


@pytest.mark.parametrize("length", [0, 1, 7, 10**9])  # the header's room for any length
def test_npy_header_is_fixed_size_and_readable(length: int):
    header = storage.npy_header(np.dtype(np.int64), length)
    assert len(header) == storage.HEADER_BYTES
    assert header.endswith(b"\n")


def test_an_array_written_in_pieces_loads_as_one(tmp_path: Path):
    writer = ArrayWriter(tmp_path / "a.npy", np.int32)
    pieces = [np.arange(5), np.array([], dtype=np.int64), np.arange(100, 103)]
    for piece in pieces:
        writer.append(piece)
    writer.close()
    for mode in (None, "r"):
        loaded = np.load(tmp_path / "a.npy", mmap_mode=mode)
        assert loaded.dtype == np.int32
        np.testing.assert_array_equal(loaded, np.concatenate(pieces))


def _articles(folder: Path, count: int) -> list[ArticleInfo]:
    infos = [
        ArticleInfo(n + 1, f"id{n}", f"Title {n} «ü»", f"p{n}.txt", None, "2024-01-02", None, n % 3)
        for n in range(count)
    ]
    writer = ArticleWriter(folder)
    for info in infos:
        writer.append(info)
    writer.close()
    return infos


def test_the_article_table_reads_lines_on_demand(tmp_path: Path):
    infos = _articles(tmp_path, 10)
    table = ArticleTable(tmp_path)
    assert len(table) == 10
    assert table[3] == infos[3]
    assert table[-1] == infos[-1]
    assert table[2:5] == infos[2:5]
    assert list(table) == infos
    with pytest.raises(IndexError):
        table[10]


@pytest.mark.parametrize("block", [1, 3, 10, 4096])
def test_a_walk_over_the_article_table_reads_blocks_of_lines(
    tmp_path: Path, block: int, monkeypatch: pytest.MonkeyPatch
):
    infos = [
        ArticleInfo(n + 1, f"id{n}", f'Line\nbreak, "quote" {n}', "p.txt", "S", None, "u", 1)
        for n in range(10)
    ]
    writer = ArticleWriter(tmp_path)
    for info in infos:
        writer.append(info)
    writer.close()
    monkeypatch.setattr(storage, "ARTICLE_BLOCK", block)
    table = ArticleTable(tmp_path)
    assert list(table) == infos == [table[n] for n in range(10)]


@pytest.mark.parametrize(("whole", "reads"), [(10, 1), (4, 3)])
def test_a_small_article_table_is_decoded_whole_on_first_use(
    tmp_path: Path, whole: int, reads: int, monkeypatch: pytest.MonkeyPatch
):
    infos = _articles(tmp_path, 10)
    monkeypatch.setattr(storage, "ARTICLE_WHOLE", whole)
    table = ArticleTable(tmp_path)
    read = table._text.read
    calls: list[int] = []
    monkeypatch.setattr(table._text, "read", lambda a, b: calls.append(1) or read(a, b))
    assert [table[7], table[2], table[7], table[9]] == [infos[7], infos[2], infos[7], infos[9]]
    assert len(calls) == reads  # the whole table at once, or one line a new article


def test_a_truncated_article_table_is_refused(tmp_path: Path):
    _articles(tmp_path, 4)
    text = (tmp_path / storage.ARTICLES).read_bytes()
    (tmp_path / storage.ARTICLES).write_bytes(text[:-5])
    with pytest.raises(IndexCorrupt):
        ArticleTable(tmp_path)


def test_meta_round_trips_with_its_provenance():
    meta = IndexMeta(
        format=storage.FORMAT,
        passages=3,
        articles=1,
        terms=5,
        postings=9,
        avgdl=4.5,
        language="english",
        stopwords=("a", "the"),
        k1=1.5,
        b=0.75,
        epsilon=0.25,
        provenance=Provenance("abc", "/corpus", (Skipped("x.txt", "empty"),), {"y.txt": [10, 123]}),
    )
    assert IndexMeta.from_json(meta.to_json()) == meta


def test_meta_of_another_format_is_refused():
    with pytest.raises(IndexCorrupt, match="format"):
        IndexMeta.from_json('{"format": "corpusbot-index-1"}')
    with pytest.raises(IndexCorrupt, match="format"):
        IndexMeta.from_json("[]")
