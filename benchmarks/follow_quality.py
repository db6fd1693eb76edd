"""Precision and recall of follow alerts on a hand-labelled set: 26 follows, 70 arriving articles.

    XDG_CACHE_HOME=... python benchmarks/follow_quality.py --pages /tmp/newspages

The articles arrive one at a time, in the order of their headlines, into an empty corpus folder:
tests/data/news (a town's local news, 33 articles), the seeds (5) and the 32 real news pages of
../shared/data/news-pages as benchmarks/extract_news_pages.py extracts them. After each arrival
the index takes the article in and the follows are matched against it as the bot matches them
(bot/app/follow_matching.py). tests/data/follows/follows.jsonl gives each follow and the headlines
of the articles it should alert of, labelled by hand from the articles before this script first ran
(two follows should alert of nothing). Printed: precision and recall of the alerts, and each wrong
or missed one.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from corpusbot.bot.app.follow_matching import matches, new_articles
from corpusbot.bot.app.service import Service
from corpusbot.bot.history.follows import Follow
from corpusbot.config.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "tests" / "data" / "follows" / "follows.jsonl"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, required=True, help="extracted news pages folder")
    parser.add_argument("--min-share", type=float, default=None, help="[follows] min_share")
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]
    follows = [Follow(n + 1, 1, row["follow"], 0.0, False) for n, row in enumerate(rows)]
    wanted = {(n + 1, title) for n, row in enumerate(rows) for title in row["alerts"]}
    with tempfile.TemporaryDirectory() as folder:
        sources = _arrivals(Path(folder) / "arriving", args.pages)
        corpus = Path(folder) / "corpus"
        corpus.mkdir()
        env = {"CORPUSBOT_INDEX_CACHE_DIR": str(Path(folder) / "cache")}
        if args.min_share is not None:
            env["CORPUSBOT_FOLLOWS_MIN_SHARE"] = str(args.min_share)
        settings = load_settings(env=env, corpus=corpus)
        got = _alerts(sources, corpus, settings, follows)
    _report(got, wanted, {f.id: f.query for f in follows})
    return 0


def _arrivals(folder: Path, pages: Path) -> list[tuple[str, Path]]:
    """Each arriving article as a file of its own, with its headline, in headline order."""
    folder.mkdir()
    found: list[tuple[str, Path]] = []
    sources = [
        *(ROOT / "tests" / "data" / "news").rglob("*.*"),
        *(ROOT / "seeds").glob("*.txt"),
        *pages.glob("*.md"),
    ]
    for number, source in enumerate(sorted(sources)):
        if source.suffix == ".jsonl":
            for line_number, line in enumerate(source.read_text(encoding="utf-8").splitlines()):
                target = folder / f"{number}-{line_number}.jsonl"
                target.write_text(line + "\n", encoding="utf-8")
                found.append((json.loads(line)["title"], target))
        else:
            target = folder / f"{number}{source.suffix}"
            shutil.copyfile(source, target)
            found.append(("", target))
    return found


def _alerts(
    sources: list[tuple[str, Path]], corpus: Path, settings: object, follows: list[Follow]
) -> set[tuple[int, str]]:
    got: set[tuple[int, str]] = set()
    service: Service | None = None
    order = []
    for _title, path in sources:
        shutil.copyfile(path, corpus / path.name)
        service = Service.open(settings) if service is None else service  # type: ignore[arg-type]
        service.reload()
        order.append(path.name)
        new = new_articles(service.index, [path.name])
        for match in matches(
            follows,
            new,
            index=service.index,
            ask=service.ask,
            first_page=service.settings.answer.max_quotes,
            min_coverage=service.settings.answer.min_coverage,
            min_share=service.settings.follows.min_share,
        ):
            got.add((match.follow.id, match.article.title))
    return got


def _same(title: str, label: str) -> bool:
    """The index clips long headlines with "…": a clipped one matches the label it begins."""
    return title == label or (title.endswith("…") and label.startswith(title[:-1]))


def _report(got: set[tuple[int, str]], wanted: set[tuple[int, str]], names: dict[int, str]) -> None:
    right = {(f, t) for f, t in got if any(f == g and _same(t, w) for g, w in wanted)}
    wrong = got - right
    missed = {(f, w) for f, w in wanted if not any(f == g and _same(t, w) for g, t in got)}
    precision = len(right) / len(got) if got else 1.0
    recall = (len(wanted) - len(missed)) / len(wanted) if wanted else 1.0
    print(f"{len(names)} follows, {len(wanted)} labelled alerts, {len(got)} alerts sent")
    print(f"precision {precision:.3f}  recall {recall:.3f}  (targets: 0.90 and 0.80)")
    for follow, title in sorted(wrong):
        print(f"  wrong:  {names[follow]!r} -> {title}")
    for follow, title in sorted(missed):
        print(f"  missed: {names[follow]!r} -> {title}")


if __name__ == "__main__":
    sys.exit(main())
