"""Where the whole answer's time goes: the 300 SciFact claims answered as `corpusbot ask --json`
answers them, over an index of SciFact sentences (versus.py's passages), step by step and profiled.

    python benchmarks/answer_profile.py [--size 100000] [--rounds 3] [--scratch DIR]

First the steps, timed with the clock and no profiler: reading the question, the search, the
coverage check, reading and scoring the sentences, the quotes, rendering the reply, and the rest
(the `ask --json` object and its encoding, and what lies between the steps); each step's own
time, a step called inside another (the sentences read by the coverage check) counted once, per
answer, for the answered questions and the refused ones apart. Between two answers an 8 MB array
is read, as versus.py's paired runs answer each question right after bm25s's search: the CPU's
caches then hold little of the answer's data, as in a bot between two users' questions.

Then, under cProfile, the time per question spent in each of corpusbot's modules (the code in
that module itself, not what it calls) and the functions that take most. The profiler adds its
own cost to every call, so the shares are what to read there.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from harness import passage_counts, scratch_folder
from versus import DEFAULT_BEIR, answerer, articles, questions


def module_of(filename: str) -> str:
    """`bot/answer/compose.py` for a corpusbot file; the library's top folder otherwise."""
    if filename == "~":  # cProfile's name for built-in functions and methods
        return "(built-in functions and methods)"
    parts = Path(filename).parts
    for root in ("bot", "retrieval", "config"):
        if root in parts:
            return "/".join(parts[parts.index(root) :])
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1]
    return "(python)" if filename.startswith("<") or "/lib/python" in filename else filename


# The steps timed: (what the table calls it, the module or class that holds it, its name there).
# compose looks each up in its own module when it calls it, so wrapping it there times it.
STEPS = (
    ("read the question", "corpusbot.bot.answer.compose", "read_question"),
    ("search", "corpusbot.retrieval.index.bm25:Index", "search"),
    ("coverage check", "corpusbot.bot.answer.compose", "judge"),
    ("read the sentences", "corpusbot.retrieval.index.bm25:Index", "sentence_shares"),
    ("score the sentences", "corpusbot.bot.answer.compose", "sentence_scores"),
    ("make the quotes", "corpusbot.bot.answer.compose", "make_quotes"),
    ("render the reply", "corpusbot.bot.answer.render", "render_text"),
    ("the --json object", "corpusbot.bot.cli.commands", "answer_json"),
)
REST = "the rest (JSON encoding, between the steps)"
COLD_BYTES = 8 << 20  # read between answers (see the docstring)


class StepClock:
    """Each step's own time in the current answer: a step called inside another is taken out
    of the outer one's."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)
        self._inner = [0.0]  # per open step: the time its timed callees took

    def timed(self, label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def step(*args: Any, **kwargs: Any) -> Any:
            self._inner.append(0.0)
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                self.spent[label] += elapsed - self._inner.pop()
                self._inner[-1] += elapsed

        return step


def wrap_steps(clock: StepClock) -> Callable[[], None]:
    """Put the clock around each of STEPS where compose and versus.py's answer look them up;
    returns what takes it off again."""
    import importlib

    originals: list[tuple[Any, str, Any]] = []
    for label, where, name in STEPS:
        module_name, _, class_name = where.partition(":")
        holder: Any = importlib.import_module(module_name)
        if class_name:
            holder = getattr(holder, class_name)
        originals.append((holder, name, getattr(holder, name)))
        setattr(holder, name, clock.timed(label, getattr(holder, name)))

    def unwrap() -> None:
        for holder, name, original in originals:
            setattr(holder, name, original)

    return unwrap


def time_steps(index: Any, asked: list[str], rounds: int) -> dict[str, dict[str, float]]:
    """Per step, µs per answer: over all answers, the answered ones and the refused ones."""
    clock = StepClock()
    unwrap = wrap_steps(clock)
    try:  # the answer made after wrapping: it imports render_text when made
        return _timed_steps(clock, answerer(index), asked, rounds)
    finally:
        unwrap()


def _timed_steps(
    clock: StepClock, whole_answer: Callable[[str], str], asked: list[str], rounds: int
) -> dict[str, dict[str, float]]:
    cold = np.ones(COLD_BYTES // 8)
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    counts: dict[str, int] = defaultdict(int)
    for _ in range(rounds):
        for question in asked:
            cold.sum()
            clock.spent.clear()
            started = time.perf_counter()
            reply = whole_answer(question)
            whole = time.perf_counter() - started
            kind = "answered" if '"answered": true' in reply else "refused"
            steps = {**clock.spent, REST: whole - sum(clock.spent.values()), "whole": whole}
            for group in ("all", kind):
                counts[group] += 1
                for label, seconds in steps.items():
                    totals[group][label] += seconds
    return {
        group: {label: s / counts[group] * 1e6 for label, s in spent.items()}
        | {"answers": float(counts[group])}
        for group, spent in totals.items()
    }


def steps_table(figures: dict[str, dict[str, float]]) -> str:
    groups = [g for g in ("all", "answered", "refused") if g in figures]
    head = " | ".join(f"{g} ({figures[g]['answers']:,.0f}) µs" for g in groups)
    lines = [f"| step | {head} | share of all |", "| --- |" + " ---: |" * (len(groups) + 1)]
    for label in [*(label for label, _, _ in STEPS), REST, "whole"]:
        cells = " | ".join(f"{figures[g].get(label, 0.0):,.1f}" for g in groups)
        share = figures["all"].get(label, 0.0) / figures["all"]["whole"]
        lines.append(f"| {label} | {cells} | {share:.1%} |")
    return "\n".join(lines)


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
        print(steps_table(time_steps(index, asked, args.rounds)) + "\n")
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
