"""What the cache's checksum manifest costs: writing it, and checking a saved index before use.

    python -m benchmarks.cache_check [--sizes 10000,100000] [--beir DIR]

Builds the synthetic corpora of benchmarks/bench.py, saves each index, then times in this
process (files in the page cache): Index.load alone, the manifest written after saving, the
cheap size check and the full hash check. Figures are wall-clock seconds on a shared machine:
compare the columns of one run, not runs on different days.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from benchmarks.bench import DEFAULT_BEIR, corpus
from corpusbot.config.settings import load_settings
from corpusbot.retrieval.index.bm25 import Index
from corpusbot.retrieval.index.cache import INLINE_CHECK_BYTES
from corpusbot.retrieval.storage.manifest import (
    check_contents,
    check_sizes,
    read_manifest,
    total_bytes,
    write_manifest,
)


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def measure(beir: Path, size: int) -> dict[str, float]:
    articles, passages = corpus(beir, size)
    index = Index.build(articles, passages, load_settings(env={}).index)
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "ix"
        save = timed(lambda: index.save(folder))
        write = timed(lambda: write_manifest(folder))
        entries = read_manifest(folder)
        best = {
            "load": min(timed(lambda: Index.load(folder)) for _ in range(3)),
            "sizes": min(timed(lambda: check_sizes(folder, entries)) for _ in range(3)),
            "hash": min(timed(lambda: check_contents(folder, entries)) for _ in range(3)),
        }
        return {
            "passages": size,
            "mb": total_bytes(entries) / 2**20,
            "save_s": save,
            "manifest_s": write,
            **{f"{k}_s": v for k, v in best.items()},
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--beir", type=Path, default=DEFAULT_BEIR)
    parser.add_argument("--sizes", default="10000,100000")
    args = parser.parse_args()
    print(f"inline check up to {INLINE_CHECK_BYTES / 2**20:.0f} MB, larger in the background")
    print("| passages | index MB | save s | manifest s | load s | size check s | hash check s |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for size in (int(s) for s in args.sizes.split(",")):
        m = measure(args.beir, size)
        print(
            f"| {m['passages']:,} | {m['mb']:.0f} | {m['save_s']:.3f} | {m['manifest_s']:.3f} "
            f"| {m['load_s']:.3f} | {m['sizes_s']:.4f} | {m['hash_s']:.3f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
