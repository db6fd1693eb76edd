"""Date/outlet filters: an allowed-articles mask inside Index.search, or the unfiltered top k
filtered afterwards. Prints, per filter width, the time per question and how many of the mask's
(exact) top 24 passages the after-the-fact filter finds.

    python benchmarks/filter_bench.py [--articles 5000] [--questions 100] [--beir DIR]
    python benchmarks/filter_bench.py --scale 100000 1000000 [--questions 20]

The corpus is synthetic: SciFact abstract sentences (../shared/data/scifact by default)
recombined with a fixed seed into passages of 3 sentences, 10 passages to an article; every
article gets a random date in 2015-2024 and one of 20 outlets. Questions are SciFact claims.

--scale measures the filter's own work at each size, on an index of one-sentence articles
(random dates, 1 in 20 undated, 20 outlets): making the article table (once per index), and per
question the filter ("in April 2021 from:outlet3") with and without a search, and the listing
of the newest articles in range ("what happened in April 2021"), through
bot/answer/scoped_answer.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from corpusbot.bot.answer import scoped_answer
from corpusbot.bot.answer.followup_search import article_filter
from corpusbot.bot.answer.query_filters import ArticleFacts, article_mask, parse_question
from corpusbot.config.settings import load_settings
from corpusbot.retrieval.analysis.analyzer import AnalyzerSettings
from corpusbot.retrieval.index.bm25 import Index, IndexSettings
from corpusbot.retrieval.reading.corpus import Article
from corpusbot.retrieval.reading.passages import Passage

# As in bench.py: the shared data folder beside the repository.
DEFAULT_BEIR = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "scifact"
SEED = 20240614
K = 24  # what compose asks for: max_hits * 2
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(])")
FILTERS = {  # question suffix -> what it keeps, roughly
    "in 2021": "1 year of 10 (~10%)",
    "in April 2021": "1 month (~0.8%)",
    "in April 2021 from:outlet3": "1 month, 1 outlet of 20 (~0.04%)",
}


def build(beir: Path, articles: int) -> Index:
    rng = random.Random(SEED)
    sentences = []
    with (beir / "corpus.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            text = json.loads(line)["text"]
            sentences.extend(s for s in SENTENCE.split(text) if len(s) > 20)
    records, passages = [], []
    first, span = dt.date(2015, 1, 1).toordinal(), 3652
    for number in range(articles):
        pieces = [" ".join(rng.sample(sentences, 3)) for _ in range(10)]
        text, offset, ident = "\n".join(pieces), 0, f"a{number}"
        for ordinal, piece in enumerate(pieces):
            passages.append(Passage(ident, ordinal, offset, offset + len(piece), piece))
            offset += len(piece) + 1
        date = dt.date.fromordinal(first + rng.randrange(span)).isoformat()
        records.append(
            Article(
                ident, f"Article {number}", text, f"{ident}.txt", f"outlet{rng.randrange(20)}", date
            )
        )
    settings = IndexSettings(analyzer=AnalyzerSettings.create("english", "english"))
    return Index.build(records, passages, settings)


def claims(beir: Path, count: int) -> list[str]:
    with (beir / "queries.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line)["text"] for _, line in zip(range(count), handle, strict=False)]


def measure(index: Index, questions: list[str], suffix: str) -> list[str]:
    table = ArticleFacts.of(index.articles)
    rows = []
    masked_time, exact = 0.0, []
    for question in questions:
        parsed = parse_question(f"{question} {suffix}", outlets=table.outlets, newest=table.newest)
        mask = article_mask(parsed.filter, table)
        assert mask is not None
        began = time.perf_counter()
        hits = index.search(parsed.text, K, allowed=mask).hits
        masked_time += time.perf_counter() - began
        exact.append((parsed.text, mask, {h.passage for h in hits}))
    kept = float(exact[0][1].mean())
    rows.append(
        f"{suffix:<28} {kept:>7.2%}  mask           "
        f"{masked_time / len(questions) * 1000:>7.2f} ms  recall 100.0% (exact)"
    )
    for factor in (1, 10, 100):
        spent, found, wanted = 0.0, 0, 0
        for text, mask, truth in exact:
            began = time.perf_counter()
            hits = index.search(text, K * factor).hits
            kept_hits = [h for h in hits if mask[h.article.number - 1]][:K]
            spent += time.perf_counter() - began
            found += len(truth & {h.passage for h in kept_hits})
            wanted += len(truth)
        recall = found / wanted if wanted else 1.0
        rows.append(
            f"{'':<28} {'':>7}  after, k={K * factor:<5}"
            f"{spent / len(questions) * 1000:>7.2f} ms  recall {recall:6.1%}"
        )
    return rows


SCALE_QUESTIONS = {  # asked through scoped_answer.ask, as the bot asks them
    "search": "harbour pilots in April 2021 from:outlet3",
    "listing": "what happened in April 2021",
    "listing, wide": "what happened since 2016",
}


def scale_articles(count: int) -> Iterator[tuple[Article, list[Passage]]]:
    rng = random.Random(SEED)
    first, span = dt.date(2015, 1, 1).toordinal(), 3652
    words = ("harbour", "pilots", "bridge", "council", "reservoir", "talks", "strike", "port")
    for number in range(count):
        text = f"Report {number}: the {rng.choice(words)} and the {rng.choice(words)} again."
        date = (
            None
            if rng.randrange(20) == 0
            else dt.date.fromordinal(first + rng.randrange(span)).isoformat()
        )
        ident, outlet = f"a{number}", f"outlet{rng.randrange(20)}"
        article = Article(ident, f"Article {number}", text, f"{ident}.txt", outlet, date)
        yield article, [Passage(ident, 0, 0, len(text), text)]


def measure_scale(count: int, questions: int) -> list[str]:
    settings = IndexSettings(analyzer=AnalyzerSettings.create("english", "english"))
    with tempfile.TemporaryDirectory(prefix="filter-bench-") as folder:
        began = time.perf_counter()
        index = Index.build_into(Path(folder), scale_articles(count), settings, articles=count)
        built = time.perf_counter() - began
        began = time.perf_counter()
        scoped_answer.article_table(index)
        table = time.perf_counter() - began
        rows = [
            f"{count:,} articles (index built in {built:.1f} s); "
            f"article table made once: {table * 1000:,.0f} ms"
        ]
        answer = load_settings(env={}).answer
        rows.append(
            f"  {'filter only':<14} {'in April 2021 from:outlet3':<46} "
            + _filter_time(index, questions)
        )
        rows += _follow_up_times(index, questions)
        for name, question in SCALE_QUESTIONS.items():
            times = []
            for _ in range(questions):
                began = time.perf_counter()
                reply = scoped_answer.ask(index, question, answer)
                times.append(time.perf_counter() - began)
            assert reply.quotes or name == "mask only", (question, reply.reason)
            rows.append(
                f"  {name:<14} {question!r:<46} median {statistics.median(times) * 1000:>9.2f} ms"
            )
        return rows


def _follow_up_times(index: Index, questions: int) -> list[str]:
    """A follow-up's article mask (three articles of an earlier answer): on the table's id
    hashes, and by the walk over every article that it replaced."""
    wanted = {"a5", f"a{len(index.articles) // 2}", f"a{len(index.articles) - 1}"}
    ways = {
        "follow-up mask": lambda: article_filter(index, wanted),
        "  (as a walk)": lambda: np.array([a.id in wanted for a in index.articles], dtype=bool),
    }
    rows = []
    for name, way in ways.items():
        times = []
        for _ in range(questions if name == "follow-up mask" else min(questions, 3)):
            began = time.perf_counter()
            mask = way()
            times.append(time.perf_counter() - began)
        assert int(mask.sum()) == len(wanted)
        rows.append(
            f"  {name:<14} {'3 articles':<46} median {statistics.median(times) * 1000:>9.2f} ms"
        )
    return rows


def _filter_time(index: Index, questions: int) -> str:
    """parse_question and article_mask alone: the filter's cost without search or listing."""
    table, times = scoped_answer.article_table(index), []
    for _ in range(questions):
        began = time.perf_counter()
        parsed = parse_question(
            "in April 2021 from:outlet3", outlets=table.outlets, newest=table.newest
        )
        mask = article_mask(parsed.filter, table)
        times.append(time.perf_counter() - began)
    assert mask is not None and mask.any()
    return f"median {statistics.median(times) * 1000:>9.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--beir", type=Path, default=DEFAULT_BEIR)
    parser.add_argument("--scale", type=int, nargs="+", metavar="ARTICLES")
    args = parser.parse_args()
    if args.scale:
        for count in args.scale:
            for row in measure_scale(count, args.questions):
                print(row, flush=True)
        return
    began = time.perf_counter()
    index = build(args.beir, args.articles)
    print(
        f"{len(index.articles):,} articles, {len(index):,} passages "
        f"(built in {time.perf_counter() - began:.1f} s); {args.questions} questions, top {K}"
    )
    print(f"{'filter':<28} {'kept':>7}  method          time/question  recall of the mask's hits")
    for suffix in FILTERS:
        for row in measure(index, claims(args.beir, args.questions), suffix):
            print(row)


if __name__ == "__main__":
    main()
