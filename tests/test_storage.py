"""The index folder's files: streamed .npy arrays, the article table, meta.json."""

from pathlib import Path

import numpy as np
import pytest

from corpusbot.retrieval.reading.corpus import Skipped
from corpusbot.retrieval.storage import files as storage
from corpusbot.retrieval.storage.files import (
    ArrayWriter,
    ArticleInfo,
    ArticleTable,
    ArticleWriter,
    IndexCorrupt,
    IndexMeta,
    Provenance,
    TextFile,
)


@pytest.mark.parametrize("length", [0, 1, 7, 10**9])  # the header's room for any length
def test_npy_header_is_fixed_size_and_readable(length: int) -> None:
    header = storage.npy_header(np.dtype(np.int64), length)
    assert len(header) == storage.HEADER_BYTES
    assert header.endswith(b"\n")


def test_an_array_written_in_pieces_loads_as_one(tmp_path: Path) -> None:
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


def test_the_article_table_reads_lines_on_demand(tmp_path: Path) -> None:
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
) -> None:
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
) -> None:
    infos = _articles(tmp_path, 10)
    monkeypatch.setattr(storage, "ARTICLE_WHOLE", whole)
    table = ArticleTable(tmp_path)
    read = table._text.read
    calls: list[int] = []

    def counted(start: int, end: int) -> bytes:
        calls.append(1)
        return read(start, end)

    monkeypatch.setattr(table._text, "read", counted)
    assert [table[7], table[2], table[7], table[9]] == [infos[7], infos[2], infos[7], infos[9]]
    assert len(calls) == reads  # the whole table at once, or one line a new article


def test_articles_read_are_the_frozen_values_written(tmp_path: Path) -> None:
    # Read records skip ArticleInfo's __init__ (retrieval/storage/files.py): they must still be
    # equal, hash alike and refuse changes as the instances written.
    infos = _articles(tmp_path, 3)
    table = ArticleTable(tmp_path)
    read = [table[n] for n in range(3)]
    assert read == infos and list(table) == infos
    assert [hash(a) for a in read] == [hash(a) for a in infos]
    assert [repr(a) for a in read] == [repr(a) for a in infos]
    with pytest.raises(AttributeError):
        read[0].title = "changed"  # type: ignore[misc]


def test_an_article_record_of_other_fields_is_refused_by_article_info(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage, "ARTICLE_WHOLE", 0)  # one line at a time
    _articles(tmp_path, 2)
    lines = (tmp_path / storage.ARTICLES).read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace('"passages"', '"pages"')
    text = "".join(f"{line}\n" for line in lines)
    (tmp_path / storage.ARTICLES).write_text(text, encoding="utf-8")
    ends = np.cumsum([0] + [len(f"{line}\n".encode()) for line in lines])
    np.save(tmp_path / storage.ARTICLE_LINES, ends)
    table = ArticleTable(tmp_path)
    with pytest.raises(TypeError, match="pages"):
        table[0]
    assert table[1].passages == 1
    with pytest.raises(TypeError, match="pages"):
        list(table)


def test_a_truncated_article_table_is_refused(tmp_path: Path) -> None:
    _articles(tmp_path, 4)
    text = (tmp_path / storage.ARTICLES).read_bytes()
    (tmp_path / storage.ARTICLES).write_bytes(text[:-5])
    with pytest.raises(IndexCorrupt):
        ArticleTable(tmp_path)


def test_meta_round_trips_with_its_provenance() -> None:
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


def test_meta_of_another_format_is_refused() -> None:
    with pytest.raises(IndexCorrupt, match="format"):
        IndexMeta.from_json('{"format": "corpusbot-index-1"}')
    with pytest.raises(IndexCorrupt, match="format"):
        IndexMeta.from_json("[]")


@pytest.mark.parametrize("mapped_up_to", [0, 1 << 20], ids=["pread", "mapped"])
def test_a_text_file_reads_the_bytes_asked_for_and_refuses_past_its_end(
    tmp_path: Path, mapped_up_to: int
) -> None:
    path = tmp_path / "texts.bin"
    text = "Ministers met in Muscat. Они встретились.\n".encode() * 50
    path.write_bytes(text)
    texts = TextFile(path, mapped_up_to=mapped_up_to)
    assert (texts._map is not None) is bool(mapped_up_to)
    for start, stop in [(0, 10), (25, 70), (0, len(text)), (len(text), len(text)), (7, 7)]:
        assert texts.read(start, stop) == text[start:stop]
    # offsets as the tables hold them, NumPy integers
    assert texts.read(np.int64(3), np.int64(9)) == text[3:9]  # type: ignore[arg-type]
    with pytest.raises(IndexCorrupt, match="shorter than its table says"):
        texts.read(len(text) - 5, len(text) + 5)


def test_only_a_text_file_up_to_the_limit_is_mapped(tmp_path: Path) -> None:
    path = tmp_path / "texts.bin"
    path.write_bytes(b"x" * 100)
    assert TextFile(path, mapped_up_to=100)._map is not None
    assert TextFile(path, mapped_up_to=99)._map is None
    (tmp_path / "empty.bin").write_bytes(b"")  # nothing to map (mmap refuses 0 bytes)
    assert TextFile(tmp_path / "empty.bin", mapped_up_to=100).read(0, 0) == b""
