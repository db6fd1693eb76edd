"""What the benchmark scripts share: each step in a fresh process, peak memory, SciFact's
sentences. Imported by bench.py and versus.py, run as `python benchmarks/NAME.py`, which puts
this folder first on the import path."""

from __future__ import annotations

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
