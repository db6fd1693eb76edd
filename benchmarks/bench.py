"""Speed and memory of the index at 10k, 100k and 1M passages, beside plain rank-bm25.

    python benchmarks/bench.py [--sizes 10000,100000,1000000] [--plot docs/benchmarks.png]

The corpora are synthetic: sentences of the SciFact abstracts (read from ../shared/data/scifact,
or --beir DIR) recombined with a fixed seed into passages of 2 to 5 sentences (news-passage
length), ten passages to an article. Questions are SciFact claims. Every measurement runs in a
fresh subprocess, so peak RSS is that step's own:

- build: Index.build with both cores (as `corpusbot index` does), then save; passages/s, peak RSS;
- load: Index.load in a new process (files already in the page cache: "cold" means a fresh
  process, not a dropped cache);
- query: single-threaded retrieve + compose (bot.compose.compose, default AnswerSettings) for
  each question, p50/p95/p99; peak RSS of the querying process.

rank-bm25 (BM25Okapi.get_scores over the same analyzer's terms, then the top 24) is measured on
fewer questions and, by default, only at 10k and 100k passages: at 1M its figures are
extrapolated linearly from 100k, and labelled so.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from harness import passage_counts, peak_rss_mb, run_step, sentences

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_BEIR = ROOT.parent / "shared" / "data" / "scifact"
SEED = 20240601
STEP_TIMEOUT_S = 900
PASSAGES_PER_ARTICLE = 10


# --- data -----------------------------------------------------------------------------------


def questions(beir: Path, count: int) -> list[str]:
    with (beir / "queries.jsonl").open(encoding="utf-8") as handle:
        claims = [json.loads(line)["text"] for line in handle if line.strip()]
    random.Random(SEED).shuffle(claims)
    return claims[:count]


def corpus(beir: Path, size: int):
    """`size` passages in articles of ten, every passage 2-5 SciFact sentences."""
    from corpusbot.retrieval.reading.corpus import Article
    from corpusbot.retrieval.reading.passages import Passage

    pool = sentences(beir)
    rng = random.Random(SEED)
    articles, passages = [], []
    for first in range(0, size, PASSAGES_PER_ARTICLE):
        article_id = f"a{first // PASSAGES_PER_ARTICLE:07d}"
        texts = [
            " ".join(rng.choices(pool, k=rng.randint(2, 5)))
            for _ in range(min(PASSAGES_PER_ARTICLE, size - first))
        ]
        start = 0
        for ordinal, text in enumerate(texts):
            passages.append(Passage(article_id, ordinal, start, start + len(text), text))
            start += len(text) + 2
        articles.append(Article(article_id, texts[0][:60], "\n\n".join(texts), f"{article_id}.txt"))
    return articles, passages


# --- steps, each in its own process -------------------------------------------------------


def step_build(beir: Path, size: int, folder: Path) -> dict:
    from corpusbot.config.settings import load_settings
    from corpusbot.retrieval.index.bm25 import Index

    articles, passages = corpus(beir, size)
    settings = load_settings(env={}).index  # workers 0 = one per core
    by_article: dict[str, list] = {}
    for passage in passages:
        by_article.setdefault(passage.article_id, []).append(passage)
    started = time.perf_counter()
    index = Index.build_into(folder, ((a, by_article[a.id]) for a in articles), settings)
    built = saved = time.perf_counter() - started
    sizes = {p.name: p.stat().st_size for p in folder.iterdir()}
    return {
        "build_s": built,
        "build_and_save_s": saved,
        "passages": len(index),
        "terms": index.meta.terms,
        "postings": index.meta.postings,
        "disk_mb": sum(sizes.values()) / 2**20,
        "disk_index_mb": sum(v for k, v in sizes.items() if k != "texts.bin") / 2**20,
        "build_peak_rss_mb": peak_rss_mb(),
    }


def step_query(beir: Path, folder: Path, count: int) -> dict:
    import numpy as np

    before = peak_rss_mb()
    started = time.perf_counter()
    from corpusbot.bot.answer.compose import compose
    from corpusbot.config.settings import load_settings
    from corpusbot.retrieval.index.bm25 import Index

    imported = time.perf_counter()
    index = Index.load(folder)
    loaded = time.perf_counter()
    settings = load_settings(env={}).answer
    asked = questions(beir, count)
    for question in asked[:5]:  # first touches of the mapped files are part of loading
        compose(index, question, settings)
    warm = time.perf_counter()
    latencies = []
    for question in asked:
        tick = time.perf_counter()
        compose(index, question, settings)
        latencies.append(time.perf_counter() - tick)
    ms = np.array(latencies) * 1000
    searched = []
    for question in asked:  # the retrieval part alone, as compose calls it
        tick = time.perf_counter()
        index.search(question, settings.max_hits * 2)
        searched.append(time.perf_counter() - tick)
    search_ms = np.array(searched) * 1000
    return {
        "search_p50_ms": float(np.percentile(search_ms, 50)),
        "search_p99_ms": float(np.percentile(search_ms, 99)),
        "import_s": imported - started,
        "load_s": loaded - imported,
        "first_answers_s": warm - loaded,
        "queries": len(ms),
        "p50_ms": float(np.percentile(ms, 50)),
        "p95_ms": float(np.percentile(ms, 95)),
        "p99_ms": float(np.percentile(ms, 99)),
        "mean_ms": float(ms.mean()),
        "query_peak_rss_mb": peak_rss_mb(),
        "start_rss_mb": before,
    }


def step_rank_bm25(beir: Path, size: int, count: int) -> dict:
    import numpy as np
    from rank_bm25 import BM25Okapi

    from corpusbot.config.settings import load_settings
    from corpusbot.retrieval.analysis.analyzer import Analyzer

    settings = load_settings(env={}).index
    analyzer = Analyzer(settings.analyzer)
    _, passages = corpus(beir, size)
    started = time.perf_counter()
    tokens = [analyzer.terms(p.text) for p in passages]
    tokenized = time.perf_counter()
    del passages
    before = peak_rss_mb()
    bm25 = BM25Okapi(tokens, k1=settings.k1, b=settings.b, epsilon=settings.epsilon)
    built = time.perf_counter()
    latencies = []
    for question in questions(beir, count):
        tick = time.perf_counter()
        scores = bm25.get_scores(analyzer.terms(question))
        top = np.argpartition(scores, -24)[-24:]
        top[np.argsort(-scores[top])]
        latencies.append(time.perf_counter() - tick)
    ms = np.array(latencies) * 1000
    return {
        "tokenize_s": tokenized - started,
        "build_s": built - tokenized,
        "queries": len(ms),
        "p50_ms": float(np.percentile(ms, 50)),
        "p95_ms": float(np.percentile(ms, 95)),
        "p99_ms": float(np.percentile(ms, 99)),
        "index_rss_mb": peak_rss_mb() - before,
        "peak_rss_mb": peak_rss_mb(),
    }


# --- the whole run --------------------------------------------------------------------------


def run(
    beir: Path, sizes: list[int], query_count: int, rank_sizes: list[int], rank_queries: int
) -> dict:
    results: dict = {"ours": {}, "rank_bm25": {}}
    with tempfile.TemporaryDirectory(prefix="corpusbot-bench-") as scratch:
        for size in sizes:
            folder = Path(scratch) / str(size)
            row = run_step(
                __file__, "build", str(beir), str(size), str(folder), timeout=STEP_TIMEOUT_S
            )
            row.update(
                run_step(
                    __file__,
                    "query",
                    str(beir),
                    str(folder),
                    str(query_count),
                    timeout=STEP_TIMEOUT_S,
                )
            )
            results["ours"][size] = row
            print(f"ours {size:,}: {json.dumps(row)}", file=sys.stderr, flush=True)
            for path in folder.iterdir():
                path.unlink()
        for size in rank_sizes:
            row = run_step(
                __file__, "rank", str(beir), str(size), str(rank_queries), timeout=STEP_TIMEOUT_S
            )
            results["rank_bm25"][size] = row
            print(f"rank-bm25 {size:,}: {json.dumps(row)}", file=sys.stderr, flush=True)
    return results


def extrapolated(results: dict, size: int) -> tuple[dict, bool]:
    """rank-bm25's row at `size`, measured or scaled linearly from the largest measured."""
    measured = results["rank_bm25"]
    if size in measured:
        return measured[size], False
    base = max(measured)
    factor = size / base
    row = {
        key: value * factor
        for key, value in measured[base].items()
        if key.endswith(("_s", "_ms", "_mb"))
    }
    return row, True


def table(results: dict) -> str:
    lines = [
        "| passages | build s | passages/s | disk: index + texts (MB) | load s | p50 ms | "
        "p95 ms | p99 ms | search only p50 / p99 ms | peak RSS query (MB) | rank-bm25 p50 ms | "
        "rank-bm25 index (MB) | p50 speed-up |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: |",
    ]
    for size, row in sorted(results["ours"].items()):
        rank, guessed = extrapolated(results, size) if results["rank_bm25"] else ({}, False)
        mark = " (extrapolated)" if guessed else ""
        rank_p50 = f"{rank['p50_ms']:,.0f}{mark}" if rank else "–"
        rank_mb = f"{rank['index_rss_mb']:,.0f}{mark}" if rank else "–"
        speedup = f"{rank['p50_ms'] / row['p50_ms']:,.0f}x" if rank else "–"
        lines.append(
            f"| {size:,} | {row['build_s']:.1f} | {size / row['build_s']:,.0f} | "
            f"{row['disk_index_mb']:,.0f} + {row['disk_mb'] - row['disk_index_mb']:,.0f} | "
            f"{row['load_s']:.3f} | {row['p50_ms']:.2f} | {row['p95_ms']:.2f} | "
            f"{row['p99_ms']:.2f} | {row['search_p50_ms']:.2f} / {row['search_p99_ms']:.2f} | "
            f"{row['query_peak_rss_mb']:,.0f} | {rank_p50} | {rank_mb} | "
            f"{speedup} |"
        )
    return "\n".join(lines)


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(results["ours"])
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for key, style in (("p50_ms", "o-"), ("p99_ms", "s--")):
        left.plot(
            sizes, [results["ours"][s][key] for s in sizes], style, label=f"corpusbot {key[:3]}"
        )
    if results["rank_bm25"]:
        measured = sorted(results["rank_bm25"])
        left.plot(
            measured,
            [results["rank_bm25"][s]["p50_ms"] for s in measured],
            "^-",
            label="rank-bm25 p50",
        )
    left.set(
        xscale="log",
        yscale="log",
        xlabel="passages",
        ylabel="ms per question",
        title="Query latency (retrieve + compose)",
    )
    left.legend()
    right.plot(sizes, [sizes[i] / results["ours"][s]["build_s"] for i, s in enumerate(sizes)], "o-")
    right.set(
        xscale="log",
        xlabel="passages",
        ylabel="passages per second",
        title="Build throughput (2 cores)",
    )
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--beir", type=Path, default=DEFAULT_BEIR)
    parser.add_argument("--sizes", type=passage_counts, default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--rank-sizes", type=passage_counts, default="10000,100000")
    parser.add_argument("--rank-queries", type=int, default=20)
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--plot", type=Path, help="also draw a PNG (needs the bench extra)")
    parser.add_argument("--step", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        kind, *rest = args.step
        if kind == "build":
            out = step_build(Path(rest[0]), int(rest[1]), Path(rest[2]))
        elif kind == "query":
            out = step_query(Path(rest[0]), Path(rest[1]), int(rest[2]))
        else:
            out = step_rank_bm25(Path(rest[0]), int(rest[1]), int(rest[2]))
        print(json.dumps(out))
        return 0
    if not (args.beir / "corpus.jsonl").is_file():
        raise SystemExit(f"no corpus.jsonl in {args.beir} (pass --beir DIR)")
    started = time.perf_counter()
    results = run(args.beir, args.sizes, args.queries, args.rank_sizes, args.rank_queries)
    print(table(results))
    print(f"\n(whole run {time.perf_counter() - started:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    if args.plot:
        plot(results, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
