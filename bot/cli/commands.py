"""The `corpusbot` command: ask, sources, index, run, eval, add, feeds, follows, stats,
feedback."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from corpusbot.bot.answer import Answer, Quote, counted, render_text
from corpusbot.bot.app import Service, answer_functions
from corpusbot.bot.cli import feed_commands, follow_commands
from corpusbot.bot.cli.history_commands import STATS_DAYS, export_command, stats_command
from corpusbot.bot.cli.progress import ProgressBar
from corpusbot.bot.cli.terminal import input_lines, print_json, print_text, valid_text, visible
from corpusbot.config.settings import Settings, SettingsError, load_settings
from corpusbot.retrieval.index import ArticleInfo
from corpusbot.retrieval.ingest import AddReport, add_links

# The chat page's default port for `run --local` (kept here: the CLI loads no server code).
LOCAL_PORT = 8080
MAX_PORT = 65535

log = logging.getLogger("corpusbot")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `corpusbot` command with `argv` (sys.argv[1:] by default); the exit status."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    command = next(c for c in COMMANDS if c.name == args.command)
    if args.corpus is not None and not command.uses_corpus:
        return _fail(f"--corpus does not apply to {command.name}", 2)
    try:
        settings = load_settings(args.config, corpus=args.corpus)
        return int(args.handler(args, settings))
    except SettingsError as exc:
        return _fail(str(exc), 2)
    except FileNotFoundError as exc:
        return _fail(str(exc), 2)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # The last resort: one line, the traceback only with --debug.
        if args.debug:
            raise
        return _fail(f"unexpected error: {type(exc).__name__}: {exc} (run with --debug)", 1)


def _fail(message: str, status: int) -> int:
    print(f"corpusbot: {message}", file=sys.stderr)
    return status


# --- the parser: shared options, then one `_<command>_arguments` function per command ---------


Handler = Callable[[argparse.Namespace, Settings], int]


@dataclass(frozen=True)
class Command:
    """One subcommand: its name, its help, how it adds its arguments and what runs it."""

    name: str
    summary: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    handler: Handler
    uses_corpus: bool = True  # whether --corpus means anything to it


def build_parser() -> argparse.ArgumentParser:
    """The `corpusbot` parser: shared options (before or after the command), then COMMANDS."""
    parser = argparse.ArgumentParser(
        prog="corpusbot",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Answer questions over a folder of news articles by quoting them.",
        epilog="--corpus, --config and --debug go before or after the command.\n"
        "`corpusbot COMMAND --help` describes a command, with examples.",
    )
    parser.add_argument("--version", action="version", version=f"corpusbot {_version()}")
    _add_shared_options(parser, defaults=True)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        sub = commands.add_parser(
            command.name, help=command.summary, formatter_class=argparse.RawDescriptionHelpFormatter
        )
        _add_shared_options(sub, defaults=False, corpus=command.uses_corpus)
        command.add_arguments(sub)
        sub.set_defaults(handler=command.handler)
    return parser


def _describe(parser: argparse.ArgumentParser, description: str, *examples: str) -> None:
    """What a command does and how it is typed, for its --help."""
    parser.description = description
    parser.epilog = "examples:\n" + "\n".join(f"  {example}" for example in examples)


def _version() -> str:
    try:
        return metadata.version("corpusbot")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "(not installed)"


def _add_shared_options(
    parser: argparse.ArgumentParser, *, defaults: bool, corpus: bool = True
) -> None:
    """--corpus, --config and --debug, accepted before the command and after it.

    Each parser gets its own option objects: the command's copies default to SUPPRESS, so an
    option given before the command is never overwritten by the command's default (it was:
    `corpusbot --config private.toml run` dropped the settings file and its allow-list).
    """
    none: Any = None if defaults else argparse.SUPPRESS
    if corpus:
        parser.add_argument(
            "--corpus",
            metavar="DIR",
            default=none,
            help="folder of articles (default: the bundled seeds; env CORPUSBOT_CORPUS)",
        )
    parser.add_argument(
        "--config",
        metavar="FILE",
        default=none,
        help="a settings file overriding config/default.toml",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        default=False if defaults else argparse.SUPPRESS,
        help="log details and show tracebacks",
    )


def open_service(
    settings: Settings, rebuild: bool = False, *, changed: list[str] | None = None
) -> Service:
    service = Service.open(settings, ProgressBar(), rebuild=rebuild, changed=changed)
    if service.opened.note:
        print(f"corpusbot: {visible(service.opened.note)}", file=sys.stderr)
    return service


def _ask_arguments(ask: argparse.ArgumentParser) -> None:
    _describe(
        ask,
        "Answer a question by quoting the passages that answer it, each with its "
        "article.\nThe first run over a folder builds its index; later runs load it.",
        'corpusbot ask "Who is Iraq\'s foreign minister?"',
        'corpusbot ask --corpus ~/articles --json "What did the minister say?"',
        "corpusbot ask --json - < questions.txt",
    )
    ask.epilog = (ask.epilog or "") + (
        "\nexit status: 0 when a question was answered, 3 when none was (with -: when every"
        " question was refused), 2 for a settings error"
    )
    ask.add_argument("question", help='the question, or "-" to read one question a line from stdin')
    ask.add_argument("--json", action="store_true", help="print JSON (one object a line)")


# `ask`'s exit status when no question was answered (2 is a settings error).
NOTHING_ANSWERED = 3


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    service = open_service(settings)
    batch = args.question == "-"
    # Bytes in, UTF-8 out: no input and no locale can make the output invalid or stop a batch.
    questions = input_lines() if batch else [valid_text(args.question)]
    answered = False
    for question in questions:
        if batch and not question.strip():
            continue
        answer = service.ask(question)
        answered = answered or answer.answered
        reply = render_text(answer, service.context, count=settings.answer.max_quotes).text
        if args.json:
            print_json(answer_json(answer, reply))
        elif batch:  # the question above its answer, so that each answer can be told apart
            print_text(f"> {answer.question}\n{reply}", end="\n\n")
        else:
            print_text(reply)
    return 0 if answered else NOTHING_ANSWERED


def answer_json(answer: Answer, reply: str) -> dict[str, Any]:
    """The `ask --json` contract: question, answered, reply, quotes, related (the quotes on the
    rest of a question whose speaker no article mentions; `answered` is then false)."""
    return {
        "question": answer.question,
        "answered": answer.answered,
        "reply": reply,
        "quotes": [quote_json(quote) for quote in answer.quotes],
        "related": [quote_json(quote) for quote in answer.related],
    }


def quote_json(quote: Quote) -> dict[str, Any]:
    return {
        **article_json(quote.sources[0]),
        "score": round(quote.score, 4),
        "text": quote.text,
        "also_in": [article_json(s) for s in quote.sources[1:]],
    }


def article_json(article: ArticleInfo) -> dict[str, Any]:
    """An article as `ask --json` and `sources --json` give it: `source` is the outlet (null
    when the article names none) and `path` the file, relative to the corpus folder."""
    return {
        "article_id": article.id,
        "title": article.title,
        "source": article.source or None,
        "date": article.date,
        "url": article.url,
        "path": article.path,
    }


def _sources_arguments(sources: argparse.ArgumentParser) -> None:
    _describe(
        sources,
        "List the articles of the corpus folder: headline, outlet, date, "
        "passages and file;\nfiles that could not be read are named on stderr.",
        "corpusbot sources",
        "corpusbot sources --corpus ~/articles --json",
    )
    sources.add_argument("--json", action="store_true", help="print JSON")


def cmd_sources(args: argparse.Namespace, settings: Settings) -> int:
    service = open_service(settings)
    articles = service.index.articles
    if args.json:
        rows = [{"number": a.number, **article_json(a), "passages": a.passages} for a in articles]
        print_json(rows, indent=2)
        return 0
    print_text(f"{counted(len(articles), 'article')} in {settings.corpus}")
    for a in articles:
        details = ", ".join(part for part in (a.source, a.date) if part)
        details = f" ({details})" if details else ""
        print_text(
            f"{a.number:>4}. {a.title}{details} — {counted(a.passages, 'passage')} [{a.path}]"
        )
    _report_skipped(service)
    return 0


def _index_arguments(index: argparse.ArgumentParser) -> None:
    _describe(
        index,
        "Build the index of the corpus folder and save it in the cache (an "
        "unchanged folder is\nloaded, a changed one rebuilt), so the bot starts "
        "fast.",
        "corpusbot index --corpus ~/articles",
        "corpusbot index --rebuild",
    )
    index.add_argument("--rebuild", action="store_true", help="rebuild even if unchanged")


def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    service = open_service(settings, rebuild=args.rebuild)
    index, opened = service.index, service.opened
    verb = "built" if opened.built else "unchanged, loaded"
    if opened.update is not None:  # the files changed since were indexed alone
        files = opened.changes.summary() if opened.changes else "files changed"
        verb = f"updated ({files}: {opened.update.summary()})"
    elif opened.changes is not None:
        verb = f"rebuilt ({opened.changes.summary()})"
    print(
        f"Index {verb}: {counted(len(index.articles), 'article')}, "
        f"{counted(len(index), 'passage')}, {counted(index.meta.terms, 'term')}"
    )
    print(f"Saved in {_short(opened.folder)}")
    _report_skipped(service)
    merged = service.merge()  # after the update was reported: segments kept few
    if merged:
        print(f"Then {merged}.")
    return 0


def _report_skipped(service: Service) -> None:
    for skipped in service.opened.skipped:
        print(visible(f"skipped {skipped.path}: {skipped.reason}"), file=sys.stderr)


def _short(path: Path) -> str:
    home = Path.home()
    return f"~/{path.relative_to(home)}" if path.is_relative_to(home) else str(path)


# --- run: the Telegram bot ------------------------------------------------------------------


def _run_arguments(run: argparse.ArgumentParser) -> None:
    _describe(
        run,
        "Run the Telegram bot. It needs a token from @BotFather in TELEGRAM_BOT_TOKEN;"
        "\nwith --local it needs none and you chat with it in your browser instead.",
        "corpusbot run --local",
        "TELEGRAM_BOT_TOKEN=123456789:AA... corpusbot run --corpus ~/articles",
        "corpusbot --config private.toml run",
    )
    where = run.add_mutually_exclusive_group()
    where.add_argument(
        "--base-url",
        metavar="URL",
        default=None,
        help="another Bot API server, e.g. http://127.0.0.1:8081/bot "
        "(env CORPUSBOT_TELEGRAM_BASE_URL)",
    )
    where.add_argument(
        "--local", action="store_true", help="no token needed: chat with the bot in your browser"
    )
    run.add_argument(
        "--port",
        type=_port,
        default=LOCAL_PORT,
        help="with --local: the page's port on 127.0.0.1 (default 8080, 0: any)",
    )


def _port(text: str) -> int:
    """A TCP port number for argparse: 0 (any free port) to 65535."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= MAX_PORT:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a port: give 0 to {MAX_PORT} (0 picks a free one)"
        )
    return port


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    if args.local:
        from corpusbot.bot.cli.local_mode import run_local  # it loads the telegram side too

        return run_local(settings, open_service, port=args.port, debug=args.debug)
    # Imported here: the other commands need no python-telegram-bot (a quarter of a second).
    from corpusbot.bot.telegram import run_command

    return run_command(settings, open_service, base_url=args.base_url, debug=args.debug)


# --- eval: retrieval quality on a BEIR-layout data set (retrieval/evaluation/beir.py) -------------


def _eval_arguments(evaluate: argparse.ArgumentParser) -> None:
    _describe(
        evaluate,
        "Measure the bot's quality. --beir: retrieval (nDCG@10, Recall@100) on a "
        "data set in BEIR's\nlayout (corpus.jsonl, queries.jsonl, qrels/). --qa: "
        "whole answers over --corpus, from JSON\nlines of questions and accepted "
        "answers (`corpusbot feedback export` writes them).",
        "corpusbot eval --beir ~/beir/scifact",
        "corpusbot eval --qa questions.jsonl --corpus ~/articles --unanswerable no.txt",
        "corpusbot eval --qa questions.jsonl --misses missed.jsonl",
    )
    what = evaluate.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--beir", metavar="DIR", help="folder with corpus.jsonl, queries.jsonl and qrels/"
    )
    what.add_argument(
        "--qa",
        metavar="FILE",
        help="JSON lines with q, a (accepted answers) and optional doc, form and after (the "
        "question asked just before), asked over --corpus",
    )
    evaluate.add_argument(
        "--unanswerable",
        metavar="FILE",
        help="with --qa: questions (one a line) the corpus cannot answer",
    )
    evaluate.add_argument(
        "--misses",
        metavar="FILE",
        help="with --qa: write each question whose first quote misses, with that quote "
        "(JSON lines)",
    )
    evaluate.add_argument("--split", default="test", help="qrels file to use (default: test)")
    evaluate.add_argument(
        "--no-baseline", action="store_true", help="skip the rank-bm25 whitespace baseline"
    )


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from corpusbot.retrieval.evaluation import evaluate, format_table, load_beir

    if args.qa:
        return cmd_eval_qa(args, settings)
    if args.corpus is not None:
        return _fail("--corpus does not apply to eval --beir, which reads its own data set", 2)

    data = load_beir(Path(args.beir).expanduser(), args.split)
    print(format_table(evaluate(data, settings.index, not args.no_baseline), data))
    return 0


def cmd_eval_qa(args: argparse.Namespace, settings: Settings) -> int:
    """Answer quality of the bot beside a paragraph-level rank-bm25 baseline."""
    from corpusbot.retrieval.evaluation import qa
    from corpusbot.retrieval.reading import load_corpus

    try:
        cases = qa.load_cases(Path(args.qa).expanduser())
        unanswerable = (
            qa.load_questions(Path(args.unanswerable).expanduser()) if args.unanswerable else []
        )
    except qa.QaDataError as exc:
        return _fail(str(exc), 2)
    if not cases:
        return _fail(f"no questions in {args.qa}", 2)
    service = open_service(settings)

    ours, ours_after = answer_functions(service)
    results = [qa.evaluate_qa("corpusbot", ours, cases, unanswerable, follow=ours_after)]
    if not args.no_baseline:
        articles = load_corpus(settings.corpus, settings.max_file_bytes).articles
        baseline = qa.paragraph_baseline(articles, settings.index.analyzer)
        results.append(qa.evaluate_qa("rank-bm25, top paragraph", baseline, cases, unanswerable))
    print(qa.format_table(results, len(unanswerable)))
    if forms := qa.format_forms(results):
        print(f"\n{forms}")
    if args.misses:
        misses = "".join(f"{line}\n" for line in qa.misses_json(results[0]))
        Path(args.misses).expanduser().write_text(misses, encoding="utf-8")
    return 0


# --- add: pages by link into the corpus folder (retrieval/ingest/adding.py)
# -------------------------


def _add_arguments(add: argparse.ArgumentParser) -> None:
    _describe(
        add,
        "Fetch web pages into the corpus folder: each page's article text and metadata\n"
        "(headline, date, outlet, author, link) are written as a .md file under web/, and\n"
        "the index takes them in. The same link twice adds nothing; a changed text replaces.",
        "corpusbot add --corpus ~/news https://example.org/2024/05/harbour-reopens",
        "corpusbot add --corpus ~/news --json URL1 URL2",
    )
    add.add_argument("urls", nargs="+", metavar="URL", help="http(s) links of news pages")
    add.add_argument("--json", action="store_true", help="print JSON")


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    """`corpusbot add URL...`: 0 when something was added or replaced, 3 when nothing was."""
    if settings.bundled_corpus:
        return _fail("name the corpus folder to add to with --corpus (or CORPUSBOT_CORPUS)", 2)
    report = add_links(settings.corpus, [valid_text(url) for url in args.urls], settings.fetch)
    written = [article.path for article in (*report.added, *report.replaced)]
    service = open_service(settings, changed=written) if written else None
    if args.json:  # the index takes the new files in (updated, on a large one) before this
        print_json(add_report_json(report))
    else:
        for verb, found in (("added", report.added), ("replaced", report.replaced)):
            for article in found:
                print_text(f"{verb} {article.path}: {article.title}")
        for skipped in report.skipped:
            print_text(f"skipped {skipped.url}: {skipped.reason}")
    if service is not None:
        sys.stdout.flush()
        service.merge()  # after the adds were reported
    return 0 if report.added or report.replaced else NOTHING_ANSWERED


def add_report_json(report: AddReport) -> dict[str, Any]:
    """The `add --json` contract: added, replaced (url, path, article_id, title, date, source)
    and skipped (url, reason)."""
    return {
        "added": [asdict(article) for article in report.added],
        "replaced": [asdict(article) for article in report.replaced],
        "skipped": [asdict(skipped) for skipped in report.skipped],
    }


# --- feeds: RSS and Atom feeds read into the corpus folder (bot/cli/feed_commands.py) ------------


def _feeds_arguments(feeds: argparse.ArgumentParser) -> None:
    _describe(
        feeds,
        "The RSS and Atom feeds a running bot reads every [feeds] poll_minutes: their new\n"
        "articles are fetched into the corpus folder (under web/) as `corpusbot add` does.\n"
        "Kept in the bot's state database; safe to use while the bot runs.",
        "corpusbot feeds add https://example.org/news/rss.xml",
        "corpusbot feeds poll --corpus ~/news --json",
        "corpusbot feeds import subscriptions.opml",
        "corpusbot feeds export > feeds.opml",
    )
    actions = feeds.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, summary in (("add", "read a feed from now on"), ("remove", "stop reading a feed")):
        action = actions.add_parser(name, help=summary)
        _add_shared_options(action, defaults=False)
        action.add_argument("url", metavar="URL", help="the feed's http(s) link")
    for name, summary in (
        ("list", "the feeds, each with its last poll and error"),
        ("poll", "read every feed now; new articles go into the corpus folder"),
    ):
        action = actions.add_parser(name, help=summary)
        _add_shared_options(action, defaults=False)
        action.add_argument("--json", action="store_true", help="print JSON")
    opml = actions.add_parser("import", help="add the feeds of an OPML file")
    _add_shared_options(opml, defaults=False)
    opml.add_argument("file", metavar="FILE.opml", type=Path, help="an OPML file")
    _add_shared_options(
        actions.add_parser("export", help="print the feeds as OPML"), defaults=False
    )


def cmd_feeds(args: argparse.Namespace, settings: Settings) -> int:
    """`corpusbot feeds ACTION`: 0 done, 2 a refusal, 3 nothing changed (or, for `poll`, no
    feed could be read)."""
    try:
        if args.action == "add":
            return feed_commands.add_feed(settings, valid_text(args.url))
        if args.action == "remove":
            return feed_commands.remove_feed(settings, valid_text(args.url))
        if args.action == "list":
            return feed_commands.list_feeds(settings, as_json=args.json)
        if args.action == "import":
            return feed_commands.import_feeds(settings, args.file)
        if args.action == "export":
            return feed_commands.export_feeds(settings)
        return _poll_feeds(args, settings)
    except feed_commands.FeedCommandError as exc:
        return _fail(str(exc), 2)


def _poll_feeds(args: argparse.Namespace, settings: Settings) -> int:
    if settings.bundled_corpus:
        return _fail("name the corpus folder feeds go into with --corpus (or CORPUSBOT_CORPUS)", 2)
    found = feed_commands.run_poll(settings)
    written = [article.path for poll in found.polls for article in poll.added]
    service = open_service(settings, changed=written) if written else None  # takes them in
    if args.json:
        print_json(feed_commands.poll_json(found))
    else:
        feed_commands.print_poll(found)
    if service is not None:
        sys.stdout.flush()
        service.merge()  # after the poll was reported
    failed = all(poll.error for poll in found.polls)
    return NOTHING_ANSWERED if found.polls and failed else 0


# --- follows: the stories people follow (bot/cli/follow_commands.py) ------------------------------


def _follows_arguments(follows: argparse.ArgumentParser) -> None:
    _describe(
        follows,
        "The stories people follow with /follow, each with its chat and its alerts; or, with\n"
        "`test WORDS`, the articles of the last 7 days such a follow would have sent.",
        "corpusbot follows --json",
        'corpusbot follows test "Portville tram line" --corpus ~/news',
    )
    follows.add_argument("--json", action="store_true", help="print JSON")
    actions = follows.add_subparsers(dest="action", metavar="ACTION")
    test = actions.add_parser("test", help="what a follow would have sent over the last 7 days")
    _add_shared_options(test, defaults=False)
    test.add_argument("words", metavar="WORDS", help="the follow's words, as /follow takes them")
    test.add_argument("--json", action="store_true", help="print JSON")


def cmd_follows(args: argparse.Namespace, settings: Settings) -> int:
    """`corpusbot follows [--json]`, `corpusbot follows test WORDS [--json]`."""
    if args.action == "test":
        words = valid_text(args.words)
        return follow_commands.test_follow(open_service(settings), words, as_json=args.json)
    try:
        return follow_commands.list_follows(settings, as_json=args.json)
    except follow_commands.FollowCommandError as exc:
        return _fail(str(exc), 2)


# --- stats and feedback export: the history database (bot/history/) ------------------------


def _stats_arguments(stats: argparse.ArgumentParser) -> None:
    _describe(
        stats,
        "What the bot's history holds: questions per day, refusals, and the 👍/👎 "
        "people gave\n(the same as /stats for the bot's admins).",
        "corpusbot stats",
        "corpusbot stats --days 7 --plot stats.png",
    )
    stats.add_argument(
        "--days", type=int, default=STATS_DAYS, help=f"how many days back (default {STATS_DAYS})"
    )
    stats.add_argument(
        "--plot",
        metavar="FILE",
        type=Path,
        default=None,
        help="also draw questions and refusals per day as a PNG "
        "(needs matplotlib: pip install 'corpusbot[stats]')",
    )


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    """`corpusbot stats [--days N] [--plot FILE]`: what /stats shows, in the terminal."""
    return stats_command(settings.history, days=args.days, plot=args.plot)


def _feedback_arguments(feedback: argparse.ArgumentParser) -> None:
    _describe(
        feedback,
        "The 👍/👎 feedback people gave on answers, exported as JSON lines "
        "that `corpusbot eval --qa`\nreads.",
        "corpusbot feedback export > rated.jsonl",
        "corpusbot feedback export --since 2024-06-01",
    )
    actions = feedback.add_subparsers(dest="action", required=True, metavar="ACTION")
    export = actions.add_parser("export", help="rated questions as JSON lines for `eval --qa`")
    _add_shared_options(export, defaults=False)
    export.add_argument(
        "--since",
        metavar="DATE",
        default=None,
        help="only questions asked on or after DATE (YYYY-MM-DD, UTC)",
    )


def cmd_feedback(args: argparse.Namespace, settings: Settings) -> int:
    """`corpusbot feedback export [--since DATE]`: rated answers as `eval --qa` JSON lines."""
    return export_command(settings.history, since=args.since)


# The commands in the order `corpusbot --help` lists them. A new command adds one line here.
COMMANDS = (
    Command("ask", "answer a question", _ask_arguments, cmd_ask),
    Command("sources", "list the articles", _sources_arguments, cmd_sources),
    Command("index", "build and save the index", _index_arguments, cmd_index),
    Command("run", "run the Telegram bot (polling)", _run_arguments, cmd_run),
    Command(
        "eval",
        "retrieval quality on a BEIR-layout set (--beir) or answer quality over --corpus (--qa)",
        _eval_arguments,
        cmd_eval,
    ),
    Command("add", "fetch web pages into the corpus folder", _add_arguments, cmd_add),
    Command("feeds", "RSS and Atom feeds read into the corpus folder", _feeds_arguments, cmd_feeds),
    Command(
        "follows", "the stories people follow; `follows test`", _follows_arguments, cmd_follows
    ),
    Command(
        "stats",
        "questions per day, refusals, 👍/👎 from the bot's history",
        _stats_arguments,
        cmd_stats,
    ),
    Command(
        "feedback",
        "the 👍/👎 feedback people gave: `feedback export`",
        _feedback_arguments,
        cmd_feedback,
    ),
)


if __name__ == "__main__":
    sys.exit(main())
