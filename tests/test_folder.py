import os
from pathlib import Path

import pytest

from corpusbot.retrieval.reading.folder import (
    UnusableFile,
    list_files,
    printable_name,
    read_file_bytes,
    stat_files,
    stat_some,
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


@pytest.mark.parametrize("follow", [False, True], ids=["links-kept-in", "links-followed"])
def test_the_quick_look_at_a_folder_sees_what_the_listing_sees(
    tmp_path: Path, follow: bool
) -> None:
    """stat_files (what tells a change) gives the stats list_files gives, in its order, for a
    folder of everything a listing meets: nested and hidden folders, a folder named like an
    article, names that sort around a folder's ("a" beside "a.txt" and "a-b.txt"), a name that
    is not UTF-8, links in and out of the folder (to files and to a folder), a broken link and a
    named pipe."""
    folder, outside = tmp_path / "corpus", tmp_path / "outside"
    (folder / "a" / "deep").mkdir(parents=True)
    outside.mkdir()
    (outside / "far.txt").write_text("far")
    for name in ("a.txt", "a-b.txt", "a/x.md", "a/deep/y.jsonl", "b.MD", "README.md", "d.pdf"):
        (folder / name).write_text(name)
    (folder / ".hidden").mkdir()
    (folder / ".hidden" / "z.txt").write_text("z")
    (folder / "dir.txt").mkdir()
    (folder / "dir.txt" / "g.txt").write_text("g")
    (folder / os.fsdecode(b"caf\xe9.txt")).write_text("odd name")
    (folder / "in-link.txt").symlink_to(folder / "a.txt")
    (folder / "out-link.txt").symlink_to(outside / "far.txt")
    (folder / "broken.txt").symlink_to(folder / "missing.txt")
    (folder / "linked-folder").symlink_to(outside)
    os.mkfifo(folder / "pipe.txt")
    listed = list_files(folder, follow_outside_links=follow)
    expected = {
        f.name: [f.stat.st_size, f.stat.st_mtime_ns, f.stat.st_ctime_ns, f.stat.st_ino]
        for f in listed
        if f.stat is not None
    }
    found = stat_files(folder, follow_outside_links=follow)
    assert list(found) == list(expected)
    assert found == expected
    assert "caf\\xe9.txt" in found and "broken.txt" not in found and "a/deep/y.jsonl" in found
    # A writer that knows its files looks at those alone, and sees them as the listing does.
    asked = [*found, "broken.txt", ".hidden/z.txt", "linked-folder/far.txt", "d.pdf", "gone.txt"]
    some = stat_some(
        folder, [name for name in asked if "\\" not in name], follow_outside_links=follow
    )
    assert {name: numbers for name, numbers in some.items() if numbers is not None} == {
        name: numbers for name, numbers in found.items() if "\\" not in name
    }
