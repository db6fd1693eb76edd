"""The bot's own Telegram HTML messages besides answers: welcome, help, the article list.

Everything from the corpus is escaped, and every message stays within Telegram's limit.
"""

from __future__ import annotations

import datetime as dt
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from corpusbot.bot.answer import (
    DETAIL_CHARS,
    TELEGRAM_LIMIT,
    TITLE_CHARS,
    Answer,
    Quote,
    clip_escaped,
    counted,
    format_date,
    sort_newest_first,
    utf16_length,
)
from corpusbot.bot.answer import escape as esc
from corpusbot.bot.app import Reload
from corpusbot.bot.history import Follow
from corpusbot.retrieval.index import ArticleInfo
from corpusbot.retrieval.ingest import AddReport

PER_PAGE = 10
OUTLETS_SHOWN = 8  # outlets counted at the head of /sources; the rest are summed up
SHOWN_INPUT_CHARS = 20  # of a bad /source argument echoed back

COMMANDS = (
    ("ask", "Ask a question (in groups: /ask QUESTION)"),
    ("latest", "The newest articles"),
    ("sources", "List the articles I know"),
    ("source", "Show one article: /source N"),
    ("follow", "Follow a story: /follow WORDS"),
    ("following", "The stories you follow"),
    ("unfollow", "Stop following one: /unfollow N"),
    ("forget", "Delete what I keep about you"),
    ("help", "How to ask, and the commands"),
    ("start", "What I know, with example questions"),
)

HELP = """<b>How to ask</b>
Send me a question in plain words{example}. I reply with the passages of \
the articles that answer it, numbered, each with its source, and the words of your question in \
bold. Tap <b>More</b> for further quotes. I only quote the articles; I never make anything up.

<b>Times and outlets</b>
Add a time or an outlet to a question: <i>the latest on…</i>, <i>last week</i>, <i>in 2021</i>, \
<i>in April 2021</i>, <i>since May 2022</i>, <i>before 2022</i>, <i>according to Tasnim</i>, \
<i>from:tasnim</i>. I say which articles I quoted from.

<b>Commands</b>
{commands}

<b>In groups</b>
Use /ask QUESTION, mention me, or reply to one of my messages; I stay quiet otherwise."""

PRIVATE_BOT = "Sorry, this bot is private."
REFUSAL = (
    "Sorry, this bot is private. If you should have access, ask its owner to add your "
    "user id <code>{user}</code> to the allow-list."
)
FAILURE = "Sorry, something went wrong while answering. Please try again in a moment."
NOT_TEXT = "I can only read text. Send me your question as a message."
UNKNOWN_COMMAND = "I don't know that command. /help lists what I can do."
STALE_BUTTON = "That button has expired. Please ask again."
SLOW_DOWN_BUTTONS = "You are pressing faster than I can keep up. Please wait {wait}."
DROPPED = (
    "You are asking faster than I can read: I could not take {count} of yours. "
    "Please wait {wait} and ask again."
)
LATE = "⏱ <i>Answered late: you asked faster than I can read.</i>\n\n"
ADMINS_ONLY = "Only the bot's admins can reload the articles."
RELOADING = "Reloading the articles…"
SKIPPED_SHOWN = 10  # skipped files listed in a reload report; the rest are counted
REASON_CHARS = 150  # of a skipped file's reason in a reload report
ERROR_CHARS = 1000  # of a failed reload's error
EXAMPLE_CHARS = 300  # of an example question quoted in /help


@dataclass(frozen=True)
class ListPage:
    text: str
    page: int  # 0-based, clamped to the pages that exist
    pages: int


def date_span(articles: Sequence[ArticleInfo]) -> str | None:
    """ "from A to B" over the articles that have dates (ISO dates sort as dates), else None."""
    dates = sorted({_date_key(a.date) for a in articles if a.date and a.date.strip()})
    if not dates:
        return None
    first, last = format_date(dates[0][0]), format_date(dates[-1][0])
    return f"dated {first}" if first == last else f"from {first} to {last}"


def _date_key(raw: str) -> tuple[str, str]:
    text = raw.strip()
    try:
        return dt.date.fromisoformat(text[:10]).isoformat(), text
    except ValueError:
        return text, text


def welcome(articles: Sequence[ArticleInfo], has_examples: bool) -> str:
    count = len(articles)
    noun = "article" if count == 1 else "articles"
    span = date_span(articles)
    knows = f"<b>{count} news {noun}</b>" + (
        f", {clip_escaped(span, DETAIL_CHARS * 3)}" if span else ""
    )
    lines = [
        f"Hello! I answer questions about {knows}, by quoting the passages that answer "
        "them, with their sources.",
        "",
        "Send me a question in plain words. /sources lists the articles, /help explains more.",
    ]
    if has_examples:
        lines += ["", "Or tap an example:"]
    return "\n".join(lines)


def help_text(example: str) -> str:
    """/help; `example` is a question the corpus answers, or "" when it offers none."""
    commands = "\n".join(f"/{name} — {esc(description)}" for name, description in COMMANDS)
    shown = f", for example <i>{clip_escaped(example, EXAMPLE_CHARS)}</i>" if example else ""
    return HELP.format(example=shown, commands=commands)


def sources_page(articles: Sequence[ArticleInfo], page: int) -> ListPage:
    """Page `page` (0-based) of the numbered article list, PER_PAGE articles a page."""
    pages = max(1, -(-len(articles) // PER_PAGE))
    page = min(max(page, 0), pages - 1)
    if not articles:
        return ListPage("I have no articles yet.", 0, 1)
    chunk = articles[page * PER_PAGE : (page + 1) * PER_PAGE]
    first, last = chunk[0].number, chunk[-1].number
    head = (
        f"<b>Articles {first}–{last} of {len(articles)}</b>"
        if pages > 1
        else f"<b>The {counted(len(articles), 'article')} I know</b>"
    )
    rows = [_source_row(a) for a in chunk]
    text = "\n".join(
        [
            head,
            *corpus_summary(articles),
            "",
            *rows,
            "",
            "<i>/source N opens article #N; /latest lists the newest.</i>",
        ]
    )
    return ListPage(text, page, pages)


def article_label(number: int) -> str:
    """How an article's number is written everywhere ("#5"), never like a quote's "1."."""
    return f"#{number}"


def _source_row(article: ArticleInfo) -> str:
    parts = (article.source, format_date(article.date))
    details = ", ".join(clip_escaped(part, DETAIL_CHARS) for part in parts if part)
    row = f"{article_label(article.number)} {clip_escaped(article.title, TITLE_CHARS)}"
    return row + (f" — <i>{details}</i>" if details else "")


# --- news: the archive's dates and outlets, and the newest articles ------------------------


def corpus_summary(articles: Sequence[ArticleInfo]) -> list[str]:
    """Lines for the head of /sources: the date span and the articles per outlet."""
    lines = []
    span = date_span(articles)
    if span:
        dated = sum(1 for a in articles if format_date(a.date))
        lines.append(
            f"<i>{clip_escaped(span[0].upper() + span[1:], DETAIL_CHARS * 3)} "
            f"({dated} of {len(articles)} "
            "dated)</i>"
        )
    counts = Counter(a.source for a in articles if a.source)
    if counts:
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold()))
        shown = ", ".join(
            f"{clip_escaped(name, DETAIL_CHARS)} {count}" for name, count in ranked[:OUTLETS_SHOWN]
        )
        more = f" and {len(ranked) - OUTLETS_SHOWN} more" if len(ranked) > OUTLETS_SHOWN else ""
        lines.append(f"<i>By outlet: {shown}{more}</i>")
    return lines


def latest_list(articles: Sequence[ArticleInfo], count: int = PER_PAGE) -> str:
    """The `count` newest dated articles, newest first."""
    dated = [a for a in articles if format_date(a.date)]
    if not dated:
        return "None of my articles has a date. /sources lists them all."
    newest = sort_newest_first(dated, key=lambda article: article)[:count]
    rows = [_source_row(a) for a in newest]
    return "\n".join(
        [
            f"<b>The {counted(len(newest), 'newest article')}</b>",
            "",
            *rows,
            "",
            "<i>/source N opens article #N.</i>",
        ]
    )


def opening_paragraph(text: str, title: str) -> str:
    """The first line of the article that is not its headline."""
    headline = " ".join(title.rstrip("…").split())
    for line in text.splitlines():
        line = " ".join(line.split())
        if line and line != headline:
            return line
    return ""


def source_usage(count: int) -> str:
    return f"Send /source N with an article number from 1 to {count}; /sources lists them."


def no_such_source(raw: str, count: int) -> str:
    shown = clip_escaped(raw, SHOWN_INPUT_CHARS)
    return f"There is no article {shown}. Choose a number from 1 to {count}; /sources lists them."


ADD_ADMINS_ONLY = "Only the bot's admins can add articles."
ADD_TO_BUNDLED = (
    "I answer from my bundled sample articles, which are not for adding to: start me with "
    "<code>--corpus FOLDER</code> to add news by link."
)
ADD_USAGE = "Send <code>/add URL</code> (one or more links) to add news pages to the articles."
ADDING = "Fetching {links}…"


def add_report(report: AddReport) -> str:
    """What an /add did: each page added, replaced or skipped, with the reason."""
    lines = []
    for verb, found in (("Added", report.added), ("Replaced", report.replaced)):
        lines += [
            f"{verb}: <b>{clip_escaped(a.title, TITLE_CHARS)}</b>"
            + (f" ({clip_escaped(a.source, DETAIL_CHARS)})" if a.source else "")
            for a in found
        ]
    lines += [
        f"Skipped {clip_escaped(s.url, DETAIL_CHARS)}: {clip_escaped(s.reason, REASON_CHARS)}"
        for s in report.skipped[:SKIPPED_SHOWN]
    ]
    return "\n".join(lines) or "Nothing to add."


FEEDS_ADMINS_ONLY = "Only the bot's admins can see the feeds."
FEEDS_OFF = (
    "I read no feeds: {why}. <code>corpusbot feeds add URL</code> adds one, and "
    "<code>[feeds] urls</code> in the settings names them."
)
FEED_BROKE = (
    "⚠️ The feed {url} stopped working: {reason}\nI will try it again, less and less often "
    "(at least once a day); /feeds shows how it fares."
)
FEED_RECOVERED = "✅ The feed {url} works again."


def feeds_report(lines: list[tuple[str, str, str]], every_minutes: float) -> str:
    """/feeds: each feed (url, its own title, how it fares), as many as one message holds."""
    if not lines:
        return FEEDS_OFF.format(why="none was added yet")
    head = f"<b>{counted(len(lines), 'feed')}</b>, read every {every_minutes:g} minutes:"
    room = TELEGRAM_LIMIT - utf16_length(head) - 80  # the "and N more" line
    shown: list[str] = []
    for number, (url, title, status) in enumerate(lines, 1):
        block = (
            f"{number}. <b>{clip_escaped(title or url, TITLE_CHARS)}</b>"
            + (f"\n{clip_escaped(url, DETAIL_CHARS * 2)}" if title else "")
            + f"\n{clip_escaped(status, REASON_CHARS * 2)}"
        )
        room -= utf16_length(block) + 2
        if room < 0:
            break
        shown.append(block)
    more = len(lines) - len(shown)
    tail = f"\n\nand {more} more: <code>corpusbot feeds list</code>" if more else ""
    return "\n\n".join([head, *shown]) + tail


def feed_broke(url: str, reason: str) -> str:
    return FEED_BROKE.format(
        url=clip_escaped(url, DETAIL_CHARS * 2), reason=clip_escaped(reason, ERROR_CHARS)
    )


def feed_recovered(url: str) -> str:
    return FEED_RECOVERED.format(url=clip_escaped(url, DETAIL_CHARS * 2))


def reload_report(result: Reload, before: int) -> str:
    """What a /reload (or a watched change) did, for an admin."""
    skipped = [
        f"• <code>{clip_escaped(s.path, DETAIL_CHARS)}</code>: "
        f"{clip_escaped(s.reason, REASON_CHARS)}"
        for s in result.skipped[:SKIPPED_SHOWN]
    ]
    if len(result.skipped) > SKIPPED_SHOWN:
        skipped.append(f"• and {len(result.skipped) - SKIPPED_SHOWN} more")
    skipped_text = "\n<b>Skipped:</b>\n" + "\n".join(skipped) if skipped else ""
    if not result.ok:
        return (
            f"<b>Reload failed:</b> {clip_escaped(result.error or '', ERROR_CHARS)}\n"
            f"The {counted(before, 'article')} indexed "
            f"before stay in service.{skipped_text}"
        )
    how = "rebuilt the index" if result.built else "the index was already up to date"
    if result.updated:
        how = f"updated the index: {result.updated}"
    return (
        f"<b>Reloaded:</b> {counted(result.articles, 'article')}, "
        f"{counted(result.passages, 'passage')} "
        f"({esc(result.changes.summary())}; {how}).{skipped_text}"
    )


def error_report(error: BaseException, update_id: int | None, redact: Callable[[str], str]) -> str:
    """For the admins: what failed, and the end of the traceback, within one message.

    `redact` masks the bot token, which error messages and tracebacks may carry.
    """
    head = (
        f"⚠️ <b>Update {update_id if update_id is not None else '(none)'} failed:</b> "
        f"{clip_escaped(redact(f'{type(error).__name__}: {error}'), DETAIL_CHARS * 5)}\n"
    )
    trace = redact("".join(traceback.format_exception(error)))
    room = TELEGRAM_LIMIT - utf16_length(head) - utf16_length("<pre></pre>")
    body = esc(trace)
    while utf16_length(body) > room:  # keep the end: the innermost frames say where
        trace = trace[len(trace) // 10 + 1 :]
        body = esc(trace)
    return f"{head}<pre>{body}</pre>"


# --- follows (bot/telegram/follow_handlers.py)
# ---------------------------------------------------------

FOLLOWS_OFF = (
    "Following a story needs the history, which is off on this bot "
    "(<code>[history] enabled</code>): there is nowhere to keep what you follow."
)
FOLLOW_USAGE = (
    "Send <code>/follow WORDS</code>, as you would ask: <i>/follow Iran Russia vaccine deal</i>. "
    "I will send you each new article that answers it."
)
FOLLOW_TOO_MANY = "You follow as many stories as I keep for one chat. /following lists them."
FOLLOW_GONE = "That follow has ended already."
FOLLOWS_ADMINS_ONLY = "In this group, only its admins make, list and end follows."


def follow_preview(
    words: str, answer: Answer, recent: Sequence[Quote], days: int, *, saved: bool
) -> str:
    """/follow's reply, before the buttons save the follow: what it would follow, the best quote
    today, and what the last `days` would have sent (too broad or too narrow shows here)."""
    shown = clip_escaped(words, TITLE_CHARS)
    head = (
        f"🔔 You follow <i>{shown}</i>. The buttons change how it alerts, or end it."
        if saved
        else f"🔔 Follow <i>{shown}</i>? <b>Instant</b> sends each new article that answers it "
        "as it comes in, <b>Daily digest</b> once a day: either button saves it."
    )
    if not answer.answered:
        return f"{head}\n\nNo article answers it yet."
    week = f"Of the last {days} days, {counted(len(recent), 'article')} would have matched"
    best = recent[0] if recent else answer.quotes[0]
    lead = f"{week}; the best:" if recent else f"{week}. The best quote today:"
    return f"{head}\n\n{lead}\n{_cited(best)}"


def _cited(quote: Quote) -> str:
    sentence = quote.text[: quote.lead] if 0 < quote.lead < len(quote.text) else quote.text
    source = quote.sources[0]
    parts = (source.source, format_date(source.date))
    details = ", ".join(clip_escaped(part, DETAIL_CHARS) for part in parts if part)
    return (
        f"<i>{clip_escaped(source.title, TITLE_CHARS)}</i>"
        + (f" — {details}" if details else "")
        + f"\n<blockquote>{clip_escaped(sentence, TITLE_CHARS * 3)}</blockquote>"
    )


def following(follows: Sequence[Follow]) -> str:
    """/following: the chat's follows, numbered."""
    if not follows:
        return "You follow nothing yet. " + FOLLOW_USAGE
    lines = [
        f"{number}. <i>{clip_escaped(f.query, TITLE_CHARS)}</i> — {counted(f.alerts, 'alert')}"
        + (", in the daily digest" if f.mode == "digest" else "")
        + (" (paused: I could not write to this chat)" if f.paused else "")
        for number, f in enumerate(follows, 1)
    ]
    return "<b>What you follow</b>\n" + "\n".join(lines) + "\n\n/unfollow N ends one."


def unfollow_usage(count: int) -> str:
    if not count:
        return "You follow nothing. " + FOLLOW_USAGE
    return f"Send <code>/unfollow N</code> with N from 1 to {count}, as /following numbers them."


def unfollowed(query: str) -> str:
    return f"Stopped following <i>{clip_escaped(query, TITLE_CHARS)}</i>."


def unfollowed_plain(query: str) -> str:
    """For a button's answer, which shows no formatting (at most 200 characters)."""
    return f"Stopped following “{query[:150]}”."


@dataclass(frozen=True)
class DigestPart:
    text: str  # one message of a digest
    items: tuple[int, ...]  # which alerts it holds (their positions in the digest)


def digest_parts(alerts: Sequence[str]) -> list[DigestPart]:
    """A daily digest: the alerts' texts under a heading, in as few messages as fit."""
    head = f"📰 <b>Your daily digest</b>: {counted(len(alerts), 'new article')} for what you follow"
    parts: list[DigestPart] = []
    text = head
    items: list[int] = []
    for number, alert in enumerate(alerts):
        candidate = f"{text}\n\n{alert}"
        if items and utf16_length(candidate) > TELEGRAM_LIMIT:
            parts.append(DigestPart(text, tuple(items)))
            text, items = f"📰 <i>Your daily digest, continued</i>\n\n{alert}", [number]
            continue
        text, items = candidate, [*items, number]
    if items:
        parts.append(DigestPart(text, tuple(items)))
    return parts


def alerts_capped(cap: int, hour: int) -> str:
    return (
        f"🔕 That makes {cap} alerts today, the most I send in a day. The rest of today's come "
        f"in your daily digest at {hour:02d}:00 (/digest HOUR picks another hour)."
    )


def alerts_delayed(hour: int) -> str:
    return (
        "🔕 So many new articles match what people follow right now that I cannot send them all "
        f"at once: yours come in your daily digest at {hour:02d}:00 (/digest HOUR picks another "
        "hour)."
    )


def time_settings(offset: str, hour: int) -> str:
    return (
        f"🕗 Your time: <b>{offset}</b>. Your daily digest comes at <b>{hour:02d}:00</b>, "
        "your time. <code>/timezone +2</code> and <code>/digest 18</code> change them."
    )


TIMEZONE_USAGE = (
    "Send <code>/timezone +2</code> (or -5:30, or 0 for UTC): your offset from UTC, which "
    "your daily digest's hour and day follow."
)
DIGEST_USAGE = (
    "Send <code>/digest HOUR</code>, an hour from 0 to 23 of your time: <i>/digest 18</i>."
)


def mode_chosen(digest: bool, hour: int) -> str:
    """A mode button's answer (plain text: a button's answer shows no formatting)."""
    if digest:
        return (
            f"Saved: in your daily digest, at {hour:02d}:00 your time (/digest HOUR, /timezone +2)."
        )
    return "Saved: each new article at once, as it comes in."
