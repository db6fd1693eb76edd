"""What the benchmark scripts share: each step in a fresh process, peak memory, SciFact's
sentences. Imported by bench.py and versus.py, run as `python benchmarks/NAME.py`, which puts
this folder first on the import path."""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
from pathlib import Path

SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(])")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sentences(beir: Path, longest: int | None = None) -> list[str]:
    """The sentences of the corpus's texts longer than 20 characters (and at most `longest`)."""
    found = []
    with (beir / "corpus.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            text = json.loads(line)["text"]
            found.extend(
                s.strip()
                for s in SENTENCE.split(text)
                if len(s) > 20 and (longest is None or len(s) <= longest)
            )
    return found


def passage_counts(text: str) -> list[int]:
    """`--sizes`: positive passage counts, comma-separated ("10000,100_000")."""
    try:
        counts = [int(part) for part in text.split(",")]
    except ValueError:
        counts = []
    if not counts or min(counts) <= 0:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give positive passage counts separated by commas, e.g. 10000,100000"
        )
    return counts


def scratch_folder(text: str) -> Path:
    """`--scratch`: a folder for the indexes, made if missing."""
    folder = Path(text).expanduser()
    if folder.exists() and not folder.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"{text}: cannot make it ({exc.strerror})") from exc
    return folder


def run_step(script: str, *args: str, timeout: float) -> dict:
    """`script --step ARGS` in a fresh process (its peak memory its own); its last line, JSON."""
    result = subprocess.run(
        [sys.executable, script, "--step", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    if result.returncode:
        raise SystemExit(f"step {args} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])
