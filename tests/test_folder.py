import os
from pathlib import Path

import pytest

from corpusbot.retrieval.reading.folder import (
    UnusableFile,
    list_files,
    printable_name,
    read_file_bytes,
)


def test_names_that_are_not_utf8_are_printable() -> None:
    assert printable_name("caf\udce9.txt") == "caf\\xe9.txt"
    assert printable_name("café.txt") == "café.txt"


def test_the_listing_skips_hidden_files_readme_and_other_types(tmp_path: Path) -> None:
    for name in ("a.txt", "b.MD", "c.jsonl", "d.pdf", ".e.txt", "README.md"):
        (tmp_path / name).write_text("x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "f.txt").write_text("x")
    (tmp_path / "dir.txt").mkdir()  # a folder named like an article is entered, not read
    (tmp_path / "dir.txt" / "g.txt").write_text("x")
    assert [f.name for f in list_files(tmp_path)] == ["a.txt", "b.MD", "c.jsonl", "dir.txt/g.txt"]


def test_reading_is_bounded_and_refuses_special_files(tmp_path: Path) -> None:
    small = tmp_path / "small.txt"
    small.write_bytes(b"12345")
    assert read_file_bytes(small, 5) == b"12345"
    with pytest.raises(UnusableFile, match="too large"):
        read_file_bytes(small, 4)
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(UnusableFile, match="named pipe"):
        read_file_bytes(fifo, 100)
    with pytest.raises(UnusableFile, match="cannot be read"):
        read_file_bytes(tmp_path / "gone.txt", 100)
