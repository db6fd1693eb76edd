"""Side by side: corpusbot's whole answer against bm25s's retrieval, on the same passages.

    python benchmarks/versus.py [--sizes 10000,100000,1000000] [--json out.json]

Needs the `bench` extra (bm25s, PyStemmer). The passages are SciFact sentences (corpus.jsonl of
--beir, default ../shared/data/scifact) shuffled with a fixed seed and joined up to 480
characters, ten passages to an article; beyond one pass over the sentences they are reshuffled
and joined again, so larger corpora repeat sentences in new combinations. Questions are the
300 SciFact test claims.

For each size, in fresh processes (peak RSS is each step's own):
- corpusbot: `Index.build` streamed from the passage generator (both cores) and saved; then a
  new process loads it and times, per question, the whole answer as `corpusbot ask --json`
  makes it: compose (search included), render_text, answer_json, json.dumps;
- bm25s, once with each retrieval backend (NumPy and numba, warmed up): tokenize (stop words,
  PyStemmer English) + index, then per question `bm25s.tokenize` + `retrieve(k=10)`; then, in
  that process, corpusbot's whole answer, its search alone and bm25s's retrieve in rotation,
  question by question, with the median of each question's ratio.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from harness import passage_counts, peak_rss_mb, run_step, scratch_folder, sentences

if TYPE_CHECKING:
    from corpusbot.retrieval.index.bm25 import Index

DEFAULT_BEIR = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "scifact"  # main
SEED = 20241130
PASSAGE_CHARS = 480
PASSAGES_PER_ARTICLE = 10
STEP_TIMEOUT_S = 3600
GENERATION_SAMPLE = 100_000
PROGRESS_EVERY = 1_000_000
BACKENDS = ("numpy", "numba")  # bm25s's retrieval backends, both measured


def children_peak_rss_mb() -> float:
    """The largest peak of any finished child process (the tokenizing workers)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def resident_parts_mb() -> dict[str, float]:
    """Resident memory now, split: the process's own (anonymous) pages and the pages of mapped
    files (the postings), which the kernel can drop at any time and reread."""
    parts = {}
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("RssAnon", "RssFile"):
                parts[f"query_{key.lower()}_mb"] = int(value.split()[0]) / 1024
    return parts


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the tokenizing workers)."""
    own, children = (
        resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def percentiles(seconds: list[float]) -> dict[str, float]:
    import numpy as np

    ms = np.array(seconds) * 1000
    return {f"p{q}_ms": float(np.percentile(ms, q)) for q in (50, 95, 99)}


# --- the data ---------------------------------------------------------------------------------


def passage_texts(beir: Path, size: int) -> Iterator[str]:
    """`size` passages: shuffled sentences joined while they fit in PASSAGE_CHARS."""
    pool = sentences(beir, PASSAGE_CHARS)
    rng = random.Random(SEED)
    made = 0
    while made < size:
        rng.shuffle(pool)
        current: list[str] = []
        length = 0
        for sentence in pool:
            if current and length + 1 + len(sentence) > PASSAGE_CHARS:
                yield " ".join(current)
                made += 1
                if made == size:
                    return
                current, length = [], 0
            current.append(sentence)
            length += len(sentence) + (1 if length else 0)


def articles(beir: Path, size: int) -> Iterator[tuple]:
    """(Article, its passages) in order, ten passages an article, never all in memory."""
    from corpusbot.retrieval.reading.corpus import Article
    from corpusbot.retrieval.reading.passages import Passage

    texts = passage_texts(beir, size)
    number = 0
    while True:
        batch = [t for _, t in zip(range(PASSAGES_PER_ARTICLE), texts, strict=False)]
        if not batch:
            return
        article_id = f"a{number:07d}"
        passages, start = [], 0
        for ordinal, text in enumerate(batch):
            passages.append(Passage(article_id, ordinal, start, start + len(text), text))
            start += len(text) + 2
        article = Article(article_id, batch[0][:60], "\n\n".join(batch), f"{article_id}.txt")
        yield article, passages
        number += 1


def questions(beir: Path) -> list[str]:
    """The SciFact test claims (those with judgements in qrels/test.tsv), in file order."""
    with (beir / "qrels" / "test.tsv").open(encoding="utf-8") as handle:
        judged = {line.split("\t")[0] for line in list(handle)[1:]}
    with (beir / "queries.jsonl").open(encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    return [r["text"] for r in records if r["_id"] in judged]


# --- steps, each in its own process -----------------------------------------------------------


class ProgressLog:
    """Build progress on stderr, a line every PROGRESS_EVERY passages or postings and at each
    new stage, so a long run (10M) can be followed from its log."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.stage, self.next = "", 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage or done >= self.next:
            print(
                f"{time.perf_counter() - self.started:8.1f} s  {stage}: {done:,} of {total:,}"
                f"  (peak RSS {peak_rss_mb():,.0f} MB)",
                file=sys.stderr,
                flush=True,
            )
            self.stage, self.next = stage, done + PROGRESS_EVERY


def step_build(beir: Path, size: int, folder: Path) -> dict:
    from corpusbot.config.settings import load_settings
    from corpusbot.retrieval.index.bm25 import Index

    settings = load_settings(env={}).index  # workers 0: one per core, as `corpusbot index`
    # Making the synthetic articles costs CPU too: a sample is timed alone first, and the cost
    # scaled to `size` (it is linear) is taken off the build's time.
    sample = min(size, GENERATION_SAMPLE)
    started, cpu_started = time.perf_counter(), time.process_time()
    for _ in articles(beir, sample):
        pass
    generating = (time.perf_counter() - started) * size / sample
    generating_cpu = (time.process_time() - cpu_started) * size / sample
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    index = Index.build_into(folder, articles(beir, size), settings, progress=ProgressLog())
    elapsed = time.perf_counter() - started - generating
    cpu = cpu_seconds() - cpu_before - generating_cpu
    sizes = {p.name: p.stat().st_size for p in folder.iterdir()}
    return {
        "build_s": elapsed,
        "build_cpu_s": cpu,
        "generating_s": generating,
        "passages": len(index),
        "build_peak_rss_mb": peak_rss_mb(),
        "workers_peak_rss_mb": children_peak_rss_mb(),
        "disk_mb": sum(sizes.values()) / 2**20,
        "texts_mb": sizes.get("texts.bin", 0) / 2**20,
    }


def answerer(index: Index) -> Callable[[str], str]:
    """The whole answer to a question, as `corpusbot ask --json` prints it."""
    from corpusbot.bot.answer.compose import compose
    from corpusbot.bot.answer.render import Context, render_text
    from corpusbot.bot.cli.commands import answer_json
    from corpusbot.config.settings import load_settings

    settings = load_settings(env={}).answer
    context = Context(len(index.articles), index.articles[0].title, settings.max_question_chars)

    def whole_answer(question: str) -> str:
        answer = compose(index, question, settings)
        reply = render_text(answer, context, count=settings.max_quotes).text
        return json.dumps(answer_json(answer, reply), ensure_ascii=False)

    return whole_answer


def step_query(beir: Path, folder: Path) -> dict:
    from corpusbot.config.settings import load_settings
    from corpusbot.retrieval.index.bm25 import Index

    settings = load_settings(env={}).answer
    started = time.perf_counter()
    index = Index.load(folder)
    loaded = time.perf_counter() - started
    whole_answer = answerer(index)
    asked = questions(beir)
    for question in asked[:5]:  # the first touches of the mapped files belong to loading
        whole_answer(question)
    answers, searches = [], []
    for question in asked:
        tick = time.perf_counter()
        whole_answer(question)
        answers.append(time.perf_counter() - tick)
    for question in asked:
        tick = time.perf_counter()
        index.search(question, settings.max_hits * 2)
        searches.append(time.perf_counter() - tick)
    search = {f"search_{k}": v for k, v in percentiles(searches).items()}
    memory = resident_parts_mb()
    return {
        "load_s": loaded,
        "queries": len(answers),
        **percentiles(answers),
        **search,
        "query_peak_rss_mb": peak_rss_mb(),
        **memory,
    }


def step_bm25s(beir: Path, size: int, folder: Path, backend: str = "numpy") -> dict:
    """bm25s (with its `backend`: numpy or numba) built and timed alone; then, in the same
    process, corpusbot's whole answer, corpusbot's search alone and bm25s's retrieve timed
    question by question in rotation, so a busy machine slows all alike (the `paired_`
    figures)."""
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    corpus = list(passage_texts(beir, size))  # bm25s takes a list: it is in memory anyway
    started = time.perf_counter()
    tokens = bm25s.tokenize(corpus, stopwords="en", stemmer=stemmer, show_progress=False)
    retriever = bm25s.BM25(backend=backend)
    retriever.index(tokens, show_progress=False)
    built = time.perf_counter() - started
    build_peak = peak_rss_mb()
    del corpus, tokens
    asked = questions(beir)

    def retrieve(question: str) -> None:
        query = bm25s.tokenize(
            [question], stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False
        )
        retriever.retrieve(query, k=10, show_progress=False, n_threads=1)

    for question in asked[:5]:  # numba's backend compiles on its first retrieve
        retrieve(question)
    latencies = []
    for question in asked:
        tick = time.perf_counter()
        retrieve(question)
        latencies.append(time.perf_counter() - tick)
    alone = {
        "build_s": built,
        "build_peak_rss_mb": build_peak,
        "queries": len(latencies),
        **percentiles(latencies),
        "query_peak_rss_mb": peak_rss_mb(),
    }
    return {**alone, **paired(asked, retrieve, folder)}


def paired(asked: list[str], retrieve: Callable[[str], None], folder: Path) -> dict:
    """corpusbot's whole answer, its search alone and bm25s's retrieve, question by question,
    the three in rotation (each goes first as often), each question's three ratios kept."""
    from corpusbot.config.settings import load_settings
    from corpusbot.retrieval.index.bm25 import Index

    index = Index.load(folder)
    whole_answer = answerer(index)
    hits = load_settings(env={}).answer.max_hits * 2

    def search(question: str) -> None:
        index.search(question, hits)

    for question in asked[:5]:
        whole_answer(question)
    runs = {"corpusbot": whole_answer, "search": search, "bm25s": retrieve}
    times: dict[str, list[float]] = {name: [] for name in runs}
    names = list(runs)
    for number, question in enumerate(asked):
        for name in names[number % 3 :] + names[: number % 3]:
            tick = time.perf_counter()
            runs[name](question)
            times[name].append(time.perf_counter() - tick)
    figures = {
        f"paired_{name}_{k}": v for name in runs for k, v in percentiles(times[name]).items()
    }
    for name in ("corpusbot", "search"):  # per question, against bm25s on the same question
        ratios = [a / b for a, b in zip(times[name], times["bm25s"], strict=True)]
        figures[f"paired_{name}_ratio_median"] = float(statistics.median(ratios))
    return figures


# --- the run ----------------------------------------------------------------------------------


def run(beir: Path, sizes: list[int], scratch: Path | None, skip_bm25s: bool) -> dict:
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="corpusbot-versus-", dir=scratch) as tmp:
        for size in sizes:
            folder = Path(tmp) / str(size)
            ours = run_step(
                __file__, "build", str(beir), str(size), str(folder), timeout=STEP_TIMEOUT_S
            )
            ours.update(run_step(__file__, "query", str(beir), str(folder), timeout=STEP_TIMEOUT_S))
            theirs = {
                backend: {}
                if skip_bm25s
                else run_step(
                    __file__,
                    "bm25s",
                    str(beir),
                    str(size),
                    str(folder),
                    backend,
                    timeout=STEP_TIMEOUT_S,
                )
                for backend in BACKENDS
            }
            results[size] = {"corpusbot": ours, **{f"bm25s_{b}": theirs[b] for b in BACKENDS}}
            print(f"{size:,}: {json.dumps(results[size])}", file=sys.stderr, flush=True)
            for path in folder.iterdir():
                path.unlink()
    return results


def table(results: dict) -> str:
    """Per size: corpusbot alone (whole answer; build, load, memory), then per bm25s backend its
    retrieve alone and the three paired question by question (the ratios are the median of each
    question's own)."""
    lines = [
        "| passages | corpusbot whole answer p50 / p95 / p99 ms | corpusbot search p50 / p99 ms "
        "| corpusbot build s (passages/s), peak MB | corpusbot load s, query RSS MB, disk MB |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for size, row in sorted(results.items(), key=lambda kv: int(kv[0])):
        ours, size = row["corpusbot"], int(size)
        lines.append(
            f"| {size:,} | {_three(ours)} | {ours['search_p50_ms']:.2f} / "
            f"{ours['search_p99_ms']:.2f} | {ours['build_s']:.1f} "
            f"({size / ours['build_s']:,.0f}), {ours['build_peak_rss_mb']:,.0f} | "
            f"{ours['load_s']:.3f}, {ours['query_peak_rss_mb']:,.0f}, {ours['disk_mb']:,.0f} |"
        )
    lines += [
        "",
        "| passages | bm25s backend | bm25s retrieve p50 / p95 / p99 ms | bm25s build s, peak MB "
        "| paired p50 ms: whole answer / search / bm25s | whole answer ÷ bm25s | search ÷ bm25s |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size, row in sorted(results.items(), key=lambda kv: int(kv[0])):
        for backend in BACKENDS:
            theirs = row.get(f"bm25s_{backend}") or {}
            if theirs:
                lines.append(
                    f"| {int(size):,} | {backend} | {_three(theirs)} | "
                    f"{theirs['build_s']:.1f}, {theirs['build_peak_rss_mb']:,.0f} | "
                    f"{theirs['paired_corpusbot_p50_ms']:.2f} / "
                    f"{theirs['paired_search_p50_ms']:.2f} / {theirs['paired_bm25s_p50_ms']:.2f} | "
                    f"{theirs['paired_corpusbot_ratio_median']:.2f} | "
                    f"{theirs['paired_search_ratio_median']:.2f} |"
                )
    return "\n".join(lines)


def _three(figures: dict) -> str:
    return f"{figures['p50_ms']:.2f} / {figures['p95_ms']:.2f} / {figures['p99_ms']:.2f}"


def selection_probe(size: int = 100_000, rounds: int = 20) -> str:
    """The versions that decide bm25s's speed, and what its top-k step costs here.

    bm25s's retrieve ends with `np.argpartition` over every passage's score. A claim touches a
    few percent of the passages, so nearly all scores are 0; numpy 2.x partitions such an array
    far more slowly than numpy 1.26 (about 15 ms against 0.3 ms at 100k on the machine of
    docs/benchmarks.md), which then dominates bm25s's time. Printed beside the table so a
    comparison is read with the numpy it ran on."""
    import numpy as np

    rng = np.random.default_rng(0)
    mostly_zero = np.zeros(size, dtype=np.float32)
    touched = rng.choice(size, size // 30, replace=False)
    mostly_zero[touched] = rng.random(touched.size, dtype=np.float32)
    spread = rng.random(size, dtype=np.float32)

    def per_call_ms(scores: np.ndarray) -> float:
        tick = time.perf_counter()
        for _ in range(rounds):
            np.argpartition(scores, -10)
        return (time.perf_counter() - tick) / rounds * 1000

    try:
        from importlib.metadata import version

        bm25s_version = version("bm25s")
    except Exception:  # the bench extra is optional; the probe still reports numpy
        bm25s_version = "not installed"
    return (
        f"numpy {np.__version__}, bm25s {bm25s_version}: argpartition(k=10) over {size:,} "
        f"scores, 97% zeros {per_call_ms(mostly_zero):.2f} ms, all distinct "
        f"{per_call_ms(spread):.2f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--beir", type=Path, default=DEFAULT_BEIR)
    parser.add_argument("--sizes", type=passage_counts, default="10000,100000,1000000")
    parser.add_argument(
        "--scratch", type=scratch_folder, help="where the indexes are built (a temp dir)"
    )
    parser.add_argument("--no-bm25s", action="store_true", help="corpusbot only (e.g. at 10M)")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--step", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        kind, beir, *rest = args.step
        if kind == "build":
            out = step_build(Path(beir), int(rest[0]), Path(rest[1]))
        elif kind == "query":
            out = step_query(Path(beir), Path(rest[0]))
        else:
            out = step_bm25s(Path(beir), int(rest[0]), Path(rest[1]), rest[2])
        print(json.dumps(out))
        return 0
    if not (args.beir / "corpus.jsonl").is_file():
        raise SystemExit(f"no corpus.jsonl in {args.beir} (pass --beir DIR)")
    results = run(args.beir, args.sizes, args.scratch, args.no_bm25s)
    print(table(results))
    print(selection_probe())
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
