"""retrieval/storage/checked_text.py: texts.bin read with each block's CRC-32 checked on first
read."""

from pathlib import Path

import pytest

from corpusbot.retrieval.storage import manifest
from corpusbot.retrieval.storage.checked_text import CheckedTextFile
from corpusbot.retrieval.storage.files import IndexCorrupt
from corpusbot.retrieval.storage.manifest import BlockSums, read_block_sums, write_manifest

BLOCK = 16


def texts_with_sums(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, BlockSums]:
    monkeypatch.setattr(manifest, "BLOCK_BYTES", BLOCK)
    path = tmp_path / "texts.bin"
    path.write_bytes(bytes(range(50)))  # blocks 0-15, 16-31, 32-47, 48-49
    write_manifest(tmp_path, block_sums_for=("texts.bin",))
    sums = read_block_sums(tmp_path, "texts.bin")
    assert sums is not None and len(sums.crcs) == 4 and sums.block_bytes == BLOCK
    return path, sums


def test_intact_reads_return_the_bytes_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, sums = texts_with_sums(tmp_path, monkeypatch)
    texts = CheckedTextFile(path, sums)
    for start, stop in [(0, 5), (14, 18), (3, 50), (48, 50), (0, 50), (20, 20), (17, 18)]:
        assert texts.read(start, stop) == bytes(range(start, stop))


def test_a_read_touching_a_damaged_block_fails_and_others_do_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, sums = texts_with_sums(tmp_path, monkeypatch)
    data = bytearray(path.read_bytes())
    data[20] ^= 0xFF  # block 1
    path.write_bytes(bytes(data))
    texts = CheckedTextFile(path, sums)
    assert texts.read(0, 16) == bytes(range(16))
    assert texts.read(40, 50) == bytes(range(40, 50))
    for start, stop in [(16, 17), (30, 34), (0, 50)]:  # not even the intact bytes of block 1
        with pytest.raises(IndexCorrupt, match=r"texts.bin bytes 16-32 changed"):
            texts.read(start, stop)
    texts.trust_all()  # once the whole file's hash has passed, reads are not checked
    assert texts.read(16, 17) == bytes([16])


def test_sums_that_do_not_cover_the_file_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, sums = texts_with_sums(tmp_path, monkeypatch)
    path.write_bytes(bytes(range(70)))
    with pytest.raises(IndexCorrupt, match="do not cover"):
        CheckedTextFile(path, sums)


def test_a_manifest_without_block_sums_gives_none(tmp_path: Path) -> None:
    (tmp_path / "texts.bin").write_bytes(b"abc")
    write_manifest(tmp_path)
    assert read_block_sums(tmp_path, "texts.bin") is None
    assert read_block_sums(tmp_path / "missing", "texts.bin") is None
