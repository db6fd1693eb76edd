"""Matching arriving articles against stored follows: the follows' reverse index beside the
naive loop, on SciFact's 5,183 abstracts (a stand-in for a news archive: it is what the shared
data holds at this size).

    XDG_CACHE_HOME=... python benchmarks/follow_matching.py [--follows 10000] [--arriving 1000]
        [--asked 100] [--naive 2]

The follows are SciFact's 1,109 claims and, up to --follows, word runs of 2 to 4 words from the
abstracts' titles (a fixed seed). The last --arriving abstracts stand for new articles. Printed:
building the follows' index (time, memory); for each arriving article, the time to find the
follows it may match (the reverse search and the coverage floor, bot/app/follow_matching.py), p50
and p99, and how many; the whole match (those follows asked, each answer's first page checked)
on --asked of them; the round a minute of 1,000 articles costs (each follow asked once); and the
naive loop, every follow asked for each article, on --naive articles, in the same run.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from corpusbot.bot.app.follow_matching import FollowIndex, article_terms
from corpusbot.bot.app.service import Service
from corpusbot.bot.history.follows import Follow
from corpusbot.config.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
SEED = 7


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scifact", type=Path, default=ROOT.parent / "shared/data/scifact")
    parser.add_argument("--follows", type=int, default=10_000)
    parser.add_argument("--arriving", type=int, default=1_000)
    parser.add_argument("--asked", type=int, default=100, help="articles matched in full")
    parser.add_argument("--naive", type=int, default=2, help="articles run by the naive loop")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "corpus"
        corpus.mkdir()
        _write_corpus(args.scifact, corpus / "scifact.jsonl")
        settings = load_settings(
            env={"CORPUSBOT_INDEX_CACHE_DIR": str(Path(folder) / "cache")}, corpus=corpus
        )
        service = Service.open(settings)
        follows = _follows(args.scifact, service, args.follows)
        _run(service, follows, args)
    return 0


def _write_corpus(scifact: Path, target: Path) -> None:
    with (scifact / "corpus.jsonl").open(encoding="utf-8") as source, target.open("w") as out:
        for line in source:
            doc = json.loads(line)
            out.write(json.dumps({"title": doc["title"], "text": doc["text"]}) + "\n")


def _follows(scifact: Path, service: Service, wanted: int) -> list[Follow]:
    claims = [
        json.loads(line)["text"]
        for line in (scifact / "queries.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    titles = [article.title.split() for article in service.index.articles]
    pick = random.Random(SEED)
    words = list(claims[:wanted])
    while len(words) < wanted:
        title = pick.choice(titles)
        size = pick.randint(2, 4)
        start = pick.randint(0, max(0, len(title) - size))
        words.append(" ".join(title[start : start + size]).strip(".,;:()"))
    return [Follow(n + 1, 1, text, 0.0, False) for n, text in enumerate(words)]


def _run(service: Service, follows: list[Follow], args: argparse.Namespace) -> None:
    index = service.index
    minimum = service.settings.answer.min_coverage
    first_page = service.settings.answer.max_quotes
    tracemalloc.start()
    started = time.perf_counter()
    by_term = FollowIndex(follows, index, min_coverage=minimum)
    built = time.perf_counter() - started
    memory = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(f"{len(follows):,} follows, {len(index.articles):,} articles, {len(index):,} passages")
    print(f"follows' index: built in {built:.2f} s, {memory:.1f} MB at its peak")
    arriving = list(index.articles)[-args.arriving :]
    times, counts, found = [], [], []
    for article in arriving:
        started = time.perf_counter()
        candidates = by_term.candidates(article_terms(index, article))
        times.append((time.perf_counter() - started) * 1000)
        counts.append(len(candidates))
        found.append(candidates)
    print(
        f"reverse search, per article ({len(arriving):,}): p50 {_p(times, 50):.2f} ms, "
        f"p99 {_p(times, 99):.2f} ms; follows kept: median {statistics.median(counts):.0f}, "
        f"p99 {_p(counts, 99):.0f} of {len(follows):,}"
    )
    whole, matched = [], 0
    for article, candidates in list(zip(arriving, found, strict=True))[: args.asked]:
        started = time.perf_counter()
        for follow in candidates:
            answer = service.ask(follow.query)
            matched += any(
                article.id in {s.id for s in q.sources} for q in answer.quotes[:first_page]
            )
        whole.append((time.perf_counter() - started) * 1000)
    print(
        f"whole match, per article ({len(whole)}): p50 {_p(whole, 50):.1f} ms, "
        f"p99 {_p(whole, 99):.1f} ms; {matched} alerts"
    )
    asked_once = {f.id for candidates in found for f in candidates}
    started = time.perf_counter()
    for follow in [f for f in follows if f.id in asked_once][:2_000]:
        service.ask(follow.query)
    per_ask = (time.perf_counter() - started) / max(1, min(len(asked_once), 2_000))
    print(
        f"a round of {len(arriving):,} articles: {len(asked_once):,} follows asked once each, "
        f"about {per_ask * len(asked_once):.1f} s ({per_ask * 1000:.2f} ms an answer)"
    )
    naive = []
    for article in arriving[: args.naive]:
        started = time.perf_counter()
        for follow in follows:
            answer = service.ask(follow.query)
            any(article.id in {s.id for s in q.sources} for q in answer.quotes[:first_page])
        naive.append((time.perf_counter() - started) * 1000)
    ratio = statistics.median(naive) / max(statistics.median(whole), 1e-9)
    print(
        f"naive loop, every follow asked, per article ({len(naive)}): "
        f"median {statistics.median(naive):,.0f} ms, {ratio:,.0f}x the reverse index's"
    )


def _p(values: list[float] | list[int], percent: int) -> float:
    ordered = sorted(values)
    return float(ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))])


if __name__ == "__main__":
    sys.exit(main())
