from pathlib import Path

import pytest

from corpusbot.retrieval.storage.manifest import (
    MANIFEST,
    check_contents,
    check_sizes,
    read_manifest,
    total_bytes,
    write_manifest,
)


def folder_with_files(tmp_path: Path) -> Path:
    folder = tmp_path / "ix"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.bin").write_bytes(b"abc" * 100)
    (folder / "sub" / "b.json").write_text('{"x": 1}')
    write_manifest(folder)
    return folder


def test_a_fresh_folder_passes_every_check(tmp_path: Path) -> None:
    folder = folder_with_files(tmp_path)
    entries = read_manifest(folder)
    assert sorted(entries) == ["a.bin", "sub/b.json"]  # every file but the manifest itself
    assert total_bytes(entries) == 308
    assert check_sizes(folder, entries) == "" and check_contents(folder, entries) == ""


def test_each_kind_of_change_is_named(tmp_path: Path) -> None:
    folder = folder_with_files(tmp_path)
    entries = read_manifest(folder)
    (folder / "a.bin").write_bytes(b"abd" * 100)  # same size, other bytes
    assert check_sizes(folder, entries) == ""
    assert check_contents(folder, entries) == "a.bin changed since it was written"
    (folder / "a.bin").write_bytes(b"abc")
    assert check_sizes(folder, entries) == "a.bin has 3 bytes, 300 were written"
    (folder / "extra.npy").write_bytes(b"")
    assert check_sizes(folder, entries) == "extra.npy was not written with the index"
    (folder / "sub" / "b.json").unlink()
    assert check_sizes(folder, entries) == "sub/b.json is missing"


@pytest.mark.parametrize("content", [None, "not json", '{"version": 99}', '{"version": 1}'])
def test_a_missing_or_unreadable_manifest_is_refused(tmp_path: Path, content: str | None) -> None:
    folder = folder_with_files(tmp_path)
    if content is None:
        (folder / MANIFEST).unlink()
    else:
        (folder / MANIFEST).write_text(content)
    with pytest.raises(ValueError):
        read_manifest(folder)
