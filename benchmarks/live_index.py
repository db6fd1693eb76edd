"""Live news: how soon new articles answer, and what a steady stream of them costs.

    python benchmarks/live_index.py [--sizes 100000,1000000] [--counts 1,100,10000]
        [--sustained 120] [--scratch DIR]

The folder is versus.py's passages (SciFact sentences joined up to 480 characters), ten to an
article, written as .txt files; new articles are three passages each, from further passages of
the same stream. For each size, in its own process:
- the folder is indexed from scratch (the rebuild every change cost before: its time is the
  baseline of the whole run);
- the service runs updates and merges in a worker process, as the bot does;
- for each count, that many new files are written, then a running service reloads naming them
  (as `add` and the feed poller do) and is asked the first new article's headline: the time
  from the files being in the folder to an answer quoting it; then one more file, found by a
  look at the whole folder (as a watcher that the system cannot serve finds it); then one more,
  written while the bot's watcher runs (bot/app/watch.py: the system names the file): the time
  from its being written to an answer quoting it; then the segments are merged if due (timed);
- `corpusbot index` and `corpusbot ask` in new processes after one more file (what the command
  line costs, Python's start-up included);
- merges, each in a process of its own (its time and peak memory): five segments of 100
  articles merged, then the index rebuilt from the folder as a merge;
- the folder rebuilt from scratch again, now larger, in a cache of its own (kept: the merged
  index the stream is paired with);
- for `--sustained` seconds, a writer adds 1,000 articles a minute while the bot's watcher
  runs with `watch_seconds` = `--reload-every` (merging in the background when due), and the
  300 SciFact claims are answered in a loop, each asked right after of that merged index (the
  same load, pair by pair): the whole answer's p50 and p99 against both, and against the same
  claims asked in a loop (for up to MERGED_LOOP_S) of the index merged at the end, in the same
  process, once the stream has stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from harness import passage_counts, peak_rss_mb, run_step, scratch_folder
from versus import DEFAULT_BEIR, answerer, passage_texts, questions

PER_ARTICLE = 10  # passages of a first article
NEW_PASSAGES = 3  # passages of a new one
RATE_PER_MINUTE = 1_000
RELOAD_EVERY_S = 10.0  # the watcher's interval in the steady stream ([corpus] watch_seconds)
STEP_TIMEOUT_S = 7200
MERGED_LOOP_S = 30.0  # the claims asked of the index merged at the end, in a loop
WATCH_SETUP_S = 1.0  # for the watcher to set up its watches before a file is written


def write_folder(beir: Path, size: int, corpus: Path) -> Iterator[str]:
    """The first `size` passages as articles of ten in `corpus`; the stream's further passages
    (for new articles) are what the returned iterator yields."""
    corpus.mkdir(parents=True, exist_ok=True)
    texts = passage_texts(beir, size + 2_000_000)
    for number in range(size // PER_ARTICLE):
        batch = [next(texts) for _ in range(PER_ARTICLE)]
        (corpus / f"a{number:07d}.txt").write_text(_article(batch), encoding="utf-8")
    return texts


def _article(passages: list[str]) -> str:
    return f"{passages[0][:80]}\n\n" + "\n\n".join(passages)


def new_articles(
    texts: Iterator[str], corpus: Path, count: int, tag: str, *, first: int = 0
) -> list[str]:
    """`count` new article files in `corpus`/new/`tag`, numbered from `first`; headlines."""
    titles = []
    folder = corpus / "new" / tag
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(first, first + count):
        batch = [next(texts) for _ in range(NEW_PASSAGES)]
        batch[0] = f"Bulletin {tag} {number}: {batch[0]}"
        (folder / f"{tag}-{number:06d}.txt").write_text(_article(batch), encoding="utf-8")
        titles.append(batch[0][:80])
    return titles


def percentiles(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    pick = lambda share: ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000  # noqa: E731
    return {"p50_ms": statistics.median(ordered) * 1000, "p99_ms": pick(0.99)}


def step(
    beir: Path,
    size: int,
    counts: list[int],
    sustained: float,
    scratch: Path,
    *,
    reload_every: float = RELOAD_EVERY_S,
) -> dict:
    os.environ["XDG_CACHE_HOME"] = str(scratch / "cache")
    from corpusbot.bot.app.service import Service
    from corpusbot.config.settings import load_settings

    corpus = scratch / "corpus"
    texts = write_folder(beir, size, corpus)
    settings = load_settings(env={}, corpus=corpus)
    started = time.perf_counter()
    service = Service.open(settings, rebuild=True)
    figures: dict = {"size": size, "passages": len(service.index)}
    figures["rebuild_s"] = time.perf_counter() - started
    for claim in questions(beir)[:20]:  # the compiled parts load (compile, in a new cache)
        service.ask(claim)
    # As the bot runs it (bot/telegram/runner.py): updates and merges in a worker process,
    # started (and its modules loaded) here, before anything is timed.
    service.update_in_worker()
    service.reload()
    background = service.merge_in_background
    service.merge_in_background = lambda: None  # type: ignore[method-assign] # merges timed here
    figures["adds"] = [timed_add(service, texts, corpus, count) for count in counts]
    figures["cli"] = command_line(texts, corpus, scratch)
    figures["merges"] = merges(service, texts, corpus, scratch)
    service.merge_in_background = background  # type: ignore[method-assign]
    started = time.perf_counter()
    # In a cache of its own: the merged index the stream's answers are paired with.
    aside = replace(settings, index=replace(settings.index, cache_dir=scratch / "cache-beside"))
    beside = Service.open(aside, rebuild=True)
    figures["rebuild_after_s"] = time.perf_counter() - started
    figures["passages_after"] = len(beside.index)
    if sustained > 0:
        figures["sustained"] = stream(
            service, texts, corpus, sustained, every=reload_every, beside=beside
        )
    beside.close()
    service.close()
    figures["peak_rss_mb"] = peak_rss_mb()
    return figures


def timed_add(service: object, texts: Iterator[str], corpus: Path, count: int) -> dict:
    """`count` new files, then a reload naming them (as `add` and the feed poller reload) and a
    question about the first: the time they take. Then one more file found by a look at the
    whole folder (as the watcher finds a file someone copied in)."""
    tag = f"batch{count}"
    titles = new_articles(texts, corpus, count, tag)
    written = [f"new/{tag}/{tag}-{number:06d}.txt" for number in range(count)]
    started = time.perf_counter()
    result = service.reload(changed=written)  # type: ignore[attr-defined]
    reloaded = time.perf_counter() - started
    answer = service.ask(titles[0])  # type: ignore[attr-defined]
    answered = time.perf_counter() - started
    quoted = bool(answer.quotes) and answer.quotes[0].sources[0].path.endswith("-000000.txt")
    (title,) = new_articles(texts, corpus, 1, f"watched{count}")
    started = time.perf_counter()
    service.reload()  # type: ignore[attr-defined]
    watched = service.ask(title)  # type: ignore[attr-defined]
    watched_s = time.perf_counter() - started
    quoted = quoted and watched.quotes[0].sources[0].path.endswith("-000000.txt")
    heard_s, heard_quoted = heard_by_the_watcher(service, texts, corpus, f"heard{count}")
    merge_started = time.perf_counter()
    merged = service.merge()  # type: ignore[attr-defined]
    return {
        "articles": count,
        "update_s": reloaded,
        "to_answer_s": answered,
        "watched_to_answer_s": watched_s,
        "heard_to_answer_s": heard_s,
        "quoted": quoted and heard_quoted,
        "updated": result.updated,
        "merge": merged,
        "merge_s": time.perf_counter() - merge_started if merged else 0.0,
    }


class Watcher:
    """The bot's folder watcher (bot/app/watch.py) on a thread and event loop of its own, as
    the bot runs it beside its answers: each reload it makes, with when it was reported."""

    def __init__(self, service: object, every: float) -> None:
        from corpusbot.bot.app.watch import watch_corpus

        self.reloads: queue.Queue[tuple[float, object]] = queue.Queue()
        self.loop = asyncio.new_event_loop()
        self.task = self.loop.create_task(watch_corpus(service, every, self._heard))  # type: ignore[arg-type]
        self.thread = threading.Thread(target=self._run, name="watcher", daemon=True)
        self.thread.start()
        time.sleep(WATCH_SETUP_S)  # the system's watches are in place

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        with contextlib.suppress(asyncio.CancelledError):
            self.loop.run_until_complete(self.task)

    async def _heard(self, result: object) -> None:
        self.reloads.put((time.perf_counter(), result))

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.task.cancel)
        self.thread.join(60)
        self.loop.close()


def heard_by_the_watcher(
    service: object, texts: Iterator[str], corpus: Path, tag: str
) -> tuple[float, bool]:
    """One more file, written while the bot's watcher runs: the time from its being written to
    an answer quoting it (the watcher hears of it, reloads naming it, the question is asked)."""
    (corpus / "new" / tag).mkdir(parents=True)  # a folder made is a look at the whole folder
    watcher = Watcher(service, RELOAD_EVERY_S)
    try:
        started = time.perf_counter()
        (title,) = new_articles(texts, corpus, 1, tag)
        watcher.reloads.get(timeout=STEP_TIMEOUT_S)
        answer = service.ask(title)  # type: ignore[attr-defined]
        seconds = time.perf_counter() - started
    finally:
        watcher.stop()
    return seconds, bool(answer.quotes) and answer.quotes[0].sources[0].path.endswith(
        f"{tag}-000000.txt"
    )


MERGE = """
import json, resource, sys, time
from pathlib import Path
from corpusbot.config.settings import load_settings
from corpusbot.retrieval.index import merge_saved, updating
if sys.argv[2] == "rebuild":
    updating.REBUILD_SHARE = 0.0
s = load_settings(corpus=Path(sys.argv[1]))
started = time.perf_counter()
done = merge_saved(s.corpus, s.split, s.index, s.max_file_bytes)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"done": done, "seconds": seconds, "peak_rss_mb": peak}))
"""


def merges(service: object, texts: Iterator[str], corpus: Path, scratch: Path) -> dict:
    """Each kind of merge in a process of its own (its peak memory its own): five small
    segments beside the others merged, then the whole index rebuilt from the folder."""
    for number in range(5):
        new_articles(texts, corpus, 100, f"merge{number}")
        service.reload()  # type: ignore[attr-defined]
    env = {**os.environ, "XDG_CACHE_HOME": str(scratch / "cache")}
    found = {}
    for kind in ("segments", "rebuild"):
        child = subprocess.run(
            [sys.executable, "-c", MERGE, str(corpus), kind],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        found[kind] = json.loads(child.stdout.strip().splitlines()[-1])
    service.reload()  # type: ignore[attr-defined]
    return found


def command_line(texts: Iterator[str], corpus: Path, scratch: Path) -> dict:
    """One more file, then `corpusbot index` and `corpusbot ask` as new processes."""
    (title,) = new_articles(texts, corpus, 1, "cli")
    env = {**os.environ, "XDG_CACHE_HOME": str(scratch / "cache")}
    command = [sys.executable, "-m", "corpusbot.bot", "--corpus", str(corpus)]
    started = time.perf_counter()
    subprocess.run([*command, "index"], env=env, check=True, capture_output=True)
    indexed = time.perf_counter() - started
    found = subprocess.run(
        [*command, "ask", "--json", title], env=env, check=False, capture_output=True, text=True
    )
    asked = time.perf_counter() - started - indexed
    quoted = json.loads(found.stdout)["quotes"][0]["path"].endswith("cli-000000.txt")
    return {"index_s": indexed, "ask_s": asked, "quoted": quoted}


def stream(
    service: object,
    texts: Iterator[str],
    corpus: Path,
    seconds: float,
    *,
    every: float,
    beside: object,
) -> dict:
    """Articles arriving at RATE_PER_MINUTE while the service reloads every `every` seconds and
    answers the claims in a loop, each claim asked of `beside` too (the folder as the stream
    began, merged), under the same load; then the claims on the index merged at the end."""
    claims = questions(DEFAULT_BEIR)
    stop = threading.Event()
    written = [0]

    def writer() -> None:
        every = 60 / RATE_PER_MINUTE
        next_at = time.perf_counter()
        while not stop.is_set():
            new_articles(texts, corpus, 1, "stream", first=written[0])
            written[0] += 1
            next_at += every
            time.sleep(max(0.0, next_at - time.perf_counter()))

    reloads = []
    reload = service.reload  # type: ignore[attr-defined]

    def timed_reload(*args: object, **named: object) -> object:
        tick = time.perf_counter()
        result = reload(*args, **named)
        reloads.append(time.perf_counter() - tick)
        return result

    service.reload = timed_reload  # type: ignore[attr-defined]
    watcher = Watcher(service, every)
    thread = threading.Thread(target=writer)
    thread.start()
    during, paired = ask_loop(service, claims, seconds, beside=beside)
    stop.set()
    thread.join()
    watcher.stop()
    service.reload = reload  # type: ignore[attr-defined]
    service.reload()  # type: ignore[attr-defined]
    segments = getattr(service.index, "segments", 1)  # type: ignore[attr-defined]
    merged_at_end = rebuilt(service)
    # Asked in a loop as during the stream (warm, as a bot is), not once each: one pass's first
    # reads of each claim's passages varied the baseline by a quarter from run to run.
    after, _ = ask_loop(merged_at_end, claims, min(seconds, MERGED_LOOP_S))
    return {
        "seconds": seconds,
        "articles_written": written[0],
        "reloads": len(reloads),
        "reload_every_s": every,
        "reload_p50_s": statistics.median(reloads) if reloads else 0.0,
        "segments_at_end": segments,
        "during": percentiles(during),
        "merged": percentiles(after),
        "p50_ratio": statistics.median(during) / statistics.median(after),
        "p99_ratio": percentiles(during)["p99_ms"] / percentiles(after)["p99_ms"],
        "beside": percentiles(paired),
        "beside_p50_ratio": statistics.median(during) / statistics.median(paired),
        "beside_p99_ratio": percentiles(during)["p99_ms"] / percentiles(paired)["p99_ms"],
    }


def rebuilt(service: object) -> object:
    """A service over the same folder with its index built from scratch (merged)."""
    from corpusbot.bot.app.service import Service

    return Service.open(service.settings, rebuild=True)  # type: ignore[attr-defined]


def ask_loop(
    service: object, claims: list[str], seconds: float, *, beside: object | None = None
) -> tuple[list[float], list[float]]:
    """The whole answer (as `ask --json` makes it) to the claims in turn: for `seconds`, or
    each claim once (0). With `beside`, each claim is then asked of it too: the second list."""
    latencies: list[float] = []
    paired: list[float] = []
    also = None if beside is None else answerer(beside.index)  # type: ignore[attr-defined]
    deadline = time.perf_counter() + seconds
    index, whole = None, None
    for number in range(10**9):
        if seconds <= 0 and number >= len(claims):
            break
        if seconds > 0 and time.perf_counter() > deadline:
            break
        if service.index is not index:  # type: ignore[attr-defined]
            index = service.index  # type: ignore[attr-defined]
            whole = answerer(index)
        tick = time.perf_counter()
        whole(claims[number % len(claims)])  # type: ignore[misc]
        latencies.append(time.perf_counter() - tick)
        if also is not None:
            tick = time.perf_counter()
            also(claims[number % len(claims)])
            paired.append(time.perf_counter() - tick)
    return latencies, paired


def table(results: list[dict]) -> str:
    lines = [
        "| passages | new articles | update s | files in → answer s | one more, heard by the"
        " watcher → answer s | one more, found by a look at the folder → answer s |"
        " rebuild s (before / after) | answer ÷ rebuild |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        for add in r["adds"]:
            lines.append(
                f"| {r['passages']:,} | {add['articles']:,} | {add['update_s']:.2f} | "
                f"{add['to_answer_s']:.2f}{'' if add['quoted'] else ' (not quoted!)'} | "
                f"{add['heard_to_answer_s']:.2f} | {add['watched_to_answer_s']:.2f} | "
                f"{r['rebuild_s']:.1f} / {r['rebuild_after_s']:.1f} | "
                f"{add['to_answer_s'] / r['rebuild_s']:.3f} |"
            )
    lines.append("")
    for r in results:
        cli = r["cli"]
        lines.append(
            f"{r['passages']:,} passages, one file more, new processes: corpusbot index "
            f"{cli['index_s']:.2f} s, then corpusbot ask {cli['ask_s']:.2f} s"
            f"{'' if cli['quoted'] else ' (not quoted!)'}; peak RSS {r['peak_rss_mb']:,.0f} MB"
        )
        for kind, merge in r.get("merges", {}).items():
            lines.append(
                f"  merge ({kind}): {merge['done'] or 'not due'}, {merge['seconds']:.1f} s, "
                f"peak RSS {merge['peak_rss_mb']:,.0f} MB"
            )
        if "sustained" in r:
            s = r["sustained"]
            lines.append(
                f"  sustained {s['seconds']:.0f} s: {s['articles_written']:,} articles written, "
                f"{s['reloads']} reloads every {s['reload_every_s']:.0f} s "
                f"(p50 {s['reload_p50_s']:.2f} s), {s['segments_at_end']} "
                f"segments at the end; whole answer p50 {s['during']['p50_ms']:.2f} ms, p99 "
                f"{s['during']['p99_ms']:.2f} ms against {s['merged']['p50_ms']:.2f} / "
                f"{s['merged']['p99_ms']:.2f} ms merged: {s['p50_ratio']:.2f}x / "
                f"{s['p99_ratio']:.2f}x; against {s['beside']['p50_ms']:.2f} / "
                f"{s['beside']['p99_ms']:.2f} ms merged beside, same load: "
                f"{s['beside_p50_ratio']:.2f}x / {s['beside_p99_ratio']:.2f}x"
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--beir", type=Path, default=DEFAULT_BEIR)
    parser.add_argument("--sizes", type=passage_counts, default="100000,1000000")
    parser.add_argument("--counts", type=passage_counts, default="1,100,10000")
    parser.add_argument("--sustained", type=float, default=180.0)
    parser.add_argument("--reload-every", type=float, default=RELOAD_EVERY_S)
    parser.add_argument("--scratch", type=scratch_folder)
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--step", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        size, counts, sustained, scratch, every = args.step
        found = step(
            args.beir,
            int(size),
            [int(c) for c in counts.split(",")],
            float(sustained),
            Path(scratch),
            reload_every=float(every),
        )
        print(json.dumps(found))
        return 0
    results = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="corpusbot-live-", dir=args.scratch) as tmp:
            counts = ",".join(map(str, args.counts))
            results.append(
                run_step(
                    __file__,
                    str(size),
                    counts,
                    str(args.sustained),
                    tmp,
                    str(args.reload_every),
                    timeout=STEP_TIMEOUT_S,
                )
            )
            print(table(results[-1:]), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    print()
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
