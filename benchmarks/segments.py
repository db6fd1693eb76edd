"""What searching an index in segments costs, apart from any stream of updates.

    python benchmarks/segments.py [--size 100000] [--deltas 4] [--articles 170] [--passes 3]
        [--scratch DIR]

live_index.py's folder (versus.py's passages, ten to an article) is indexed, then `--deltas`
batches of `--articles` new articles (three passages each) are added one reload each, as the
bot's watcher adds a stream's (1,000 articles a minute, a reload every 10 s: 170 articles). The
same folder is then indexed from scratch (merged) in its own cache. In one process, the 300
SciFact claims are asked of both, `--passes` times, pair by pair: the search alone and the whole
answer (as `ask --json` makes it), p50 of each and their ratio. Both give the same hits and
answers (tests/test_segmented.py); this prints how many claims differ, which must be 0.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from harness import scratch_folder
from live_index import new_articles, write_folder
from versus import DEFAULT_BEIR, answerer, questions


def opened(corpus: Path, cache: Path) -> object:
    os.environ["XDG_CACHE_HOME"] = str(cache)
    from corpusbot.bot.app.service import Service
    from corpusbot.config.settings import load_settings

    return Service.open(load_settings(env={}, corpus=corpus))


def segmented_and_merged(scratch: Path, size: int, deltas: int, articles: int) -> tuple:
    """A service whose index is a base and `deltas` segments, and one of the same folder
    merged."""
    corpus = scratch / "corpus"
    texts = write_folder(DEFAULT_BEIR, size, corpus)
    segmented = opened(corpus, scratch / "cache-segmented")
    for number in range(deltas):
        new_articles(texts, corpus, articles, f"delta{number}")
        names = sorted(p.name for p in (corpus / "new" / f"delta{number}").iterdir())
        segmented.reload(changed=[f"new/delta{number}/{name}" for name in names])  # type: ignore[attr-defined]
    merged = opened(corpus, scratch / "cache-merged")
    return segmented, merged


def timed(ask: Callable[[str], object], claim: str) -> float:
    tick = time.perf_counter()
    ask(claim)
    return time.perf_counter() - tick


def compare(segmented: object, merged: object, passes: int) -> dict:
    split, whole = segmented.index, merged.index  # type: ignore[attr-defined]
    claims = questions(DEFAULT_BEIR)
    answers = {"split": answerer(split), "whole": answerer(whole)}
    differ = sum(answers["split"](c) != answers["whole"](c) for c in claims)  # and warm
    times: dict[str, list[float]] = {"split": [], "whole": [], "split_s": [], "whole_s": []}
    for _ in range(passes):
        for claim in claims:
            times["split"].append(timed(answers["split"], claim))
            times["whole"].append(timed(answers["whole"], claim))
            times["split_s"].append(timed(lambda c: split.search(c, 20), claim))
            times["whole_s"].append(timed(lambda c: whole.search(c, 20), claim))
    p50 = {name: statistics.median(values) * 1000 for name, values in times.items()}
    return {
        "segments": split.segments,
        "passages": len(split),
        "differ": differ,
        "search_ms": (p50["split_s"], p50["whole_s"]),
        "answer_ms": (p50["split"], p50["whole"]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--deltas", type=int, default=4)
    parser.add_argument("--articles", type=int, default=170)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--scratch", type=scratch_folder, help="a folder for the corpus and caches")
    args = parser.parse_args()
    scratch = args.scratch or Path(tempfile.mkdtemp(prefix="corpusbot-segments-"))
    try:
        segmented, merged = segmented_and_merged(scratch, args.size, args.deltas, args.articles)
        r = compare(segmented, merged, args.passes)
    finally:
        if args.scratch is None:
            shutil.rmtree(scratch, ignore_errors=True)
    (split_s, whole_s), (split_a, whole_a) = r["search_ms"], r["answer_ms"]
    print(
        f"{r['passages']:,} passages in {r['segments']} segments against the same merged; "
        f"claims answered differently: {r['differ']}\n"
        f"search p50 {split_s:.3f} ms against {whole_s:.3f} ms: {split_s / whole_s:.2f}x\n"
        f"whole answer p50 {split_a:.3f} ms against {whole_a:.3f} ms: {split_a / whole_a:.2f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
