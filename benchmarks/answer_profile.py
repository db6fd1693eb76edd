"""Where the whole answer's time goes: the 300 SciFact claims answered as `corpusbot ask --json`
answers them, over an index of SciFact sentences (versus.py's passages), profiled.

    python benchmarks/answer_profile.py [--size 100000] [--rounds 3] [--scratch DIR]

Prints the time per question spent in each of corpusbot's modules (the code in that module
itself, not what it calls), so each step of the answer (reading the question, the search, the
coverage check, the sentences, the quotes, rendering) shows with its share; then the functions
that take most. The profiler adds its own cost to every call, so the shares are what to read, and
the whole answer's plain time (measured first, without the profiler) is printed beside them.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from harness import passage_counts, scratch_folder
from versus import DEFAULT_BEIR, answerer, articles, questions


def module_of(filename: str) -> str:
    """`bot/answer/compose.py` for a corpusbot file; the library's top folder otherwise."""
    parts = Path(filename).parts
    for root in ("bot", "retrieval", "config"):
        if root in parts:
            return "/".join(parts[parts.index(root) :])
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1]
    return "(python)" if filename.startswith("<") or "/lib/python" in filename else filename


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--beir", type=Path, default=DEFAULT_BEIR)
    parser.add_argument("--size", type=passage_counts, default="100000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scratch", type=scratch_folder, help="where the index is built")
    args = parser.parse_args()
    from corpusbot.config.settings import load_settings
    from corpusbot.retrieval.index.bm25 import Index

    size = args.size[0]
    with tempfile.TemporaryDirectory(prefix="corpusbot-profile-", dir=args.scratch) as tmp:
        settings = load_settings(env={}).index
        index = Index.build_into(Path(tmp) / "index", articles(args.beir, size), settings)
        whole_answer = answerer(index)
        asked = questions(args.beir)
        for question in asked:  # warm: compiled code, caches, the mapped files
            whole_answer(question)
        started = time.perf_counter()
        for question in asked:
            whole_answer(question)
        plain_ms = (time.perf_counter() - started) / len(asked) * 1000
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.rounds):
            for question in asked:
                whole_answer(question)
        profile.disable()
    report(pstats.Stats(profile), len(asked) * args.rounds, size, plain_ms)
    return 0


def report(stats: pstats.Stats, answers: int, size: int, plain_ms: float) -> None:
    by_module: dict[str, float] = defaultdict(float)
    rows = stats.stats  # type: ignore[attr-defined]
    for (filename, _, _), (_, _, own, _, _) in rows.items():
        by_module[module_of(filename)] += own
    total = sum(by_module.values())
    print(f"{size:,} passages, {answers:,} answers; the whole answer {plain_ms:.3f} ms each")
    print("\n| module (its own code) | µs per answer, profiled | share |")
    print("| --- | ---: | ---: |")
    for module, seconds in sorted(by_module.items(), key=lambda kv: -kv[1])[:18]:
        print(f"| {module} | {seconds / answers * 1e6:,.1f} | {seconds / total:.1%} |")
    print("\n| function | calls per answer | own µs per answer |")
    print("| --- | ---: | ---: |")
    top = sorted(rows.items(), key=lambda kv: -kv[1][2])[:20]
    for (filename, line, name), (_, calls, own, _, _) in top:
        where = f"{module_of(filename)}:{line} {name}"
        print(f"| {where} | {calls / answers:.1f} | {own / answers * 1e6:,.1f} |")


if __name__ == "__main__":
    sys.exit(main())
