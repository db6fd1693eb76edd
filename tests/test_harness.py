"""benchmarks/harness.py: the benchmarks' command-line values are checked before a long run."""

import argparse
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from harness import passage_counts, scratch_folder  # type: ignore[import-not-found]


def test_passage_counts_are_read_with_thousands_separators_allowed() -> None:
    assert passage_counts("10000,100_000, 1000000") == [10_000, 100_000, 1_000_000]


@pytest.mark.parametrize("given", ["", "ten", "10000,-5", "0", "1e6"])
def test_a_bad_passage_count_is_refused_with_a_message(given: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="passage counts"):
        passage_counts(given)


def test_a_missing_scratch_folder_is_made(tmp_path: Path) -> None:
    # versus.py --scratch DIR died with FileNotFoundError from tempfile when DIR did not exist.
    wanted = tmp_path / "not" / "yet"
    assert scratch_folder(str(wanted)) == wanted
    assert wanted.is_dir()


def test_a_file_as_scratch_folder_is_refused_with_a_message(tmp_path: Path) -> None:
    taken = tmp_path / "a-file"
    taken.write_text("x")
    with pytest.raises(argparse.ArgumentTypeError, match="not a folder"):
        scratch_folder(str(taken))
