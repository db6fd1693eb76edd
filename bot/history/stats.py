"""The numbers behind /stats and `corpusbot stats`, read from the history database, and their
text (the same in the terminal and, preformatted, in Telegram)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter
from collections.abc import Iterable

from corpusbot.bot.answer import counted
from corpusbot.bot.history.records import REASON_LABELS, Counted, DayCount, DownReason, Stats

TOP = 5  # unanswered questions and 👎'd answers listed
SHOWN_CHARS = 70  # of a question in the listing
TITLE_CHARS = 50  # of the quoted article's title
DAY = 86_400


def read_stats(db: sqlite3.Connection, *, now: float, days: int, keep_days: int) -> Stats:
    """Stats over the `days` UTC days up to `now`; question texts only while they are kept."""
    today = dt.datetime.fromtimestamp(now, dt.UTC).date()
    first = today - dt.timedelta(days=days - 1)
    since = dt.datetime.combine(first, dt.time(), dt.UTC).timestamp()
    texts_since = max(since, now - keep_days * DAY)
    per_day = _per_day(db, since, first, days)
    rated, thumbs_up = db.execute(
        "SELECT count(*), coalesce(sum(v.vote = 'up'), 0) FROM votes v"
        " JOIN questions q ON q.id = v.question_id WHERE q.asked_at >= ?",
        (since,),
    ).fetchone()
    return Stats(
        days=days,
        per_day=per_day,
        questions=sum(d.questions for d in per_day),
        refused=sum(d.refused for d in per_day),
        rated=rated,
        thumbs_up=thumbs_up,
        unanswered=_unanswered(db, texts_since),
        disliked=_disliked(db, texts_since),
    )


def _per_day(
    db: sqlite3.Connection, since: float, first: dt.date, days: int
) -> tuple[DayCount, ...]:
    rows = db.execute(
        "SELECT date(asked_at, 'unixepoch') AS day, count(*), sum(answered = 0)"
        " FROM questions WHERE asked_at >= ? GROUP BY day",
        (since,),
    ).fetchall()
    found = {day: (count, refused) for day, count, refused in rows}
    dates = ((first + dt.timedelta(days=n)).isoformat() for n in range(days))
    return tuple(DayCount(day, *found.get(day, (0, 0))) for day in dates)


def normalized(question: str) -> str:
    """Questions that differ only in case, spacing or final punctuation count as one."""
    return " ".join(question.casefold().split()).rstrip("?!. ")


def _unanswered(db: sqlite3.Connection, since: float) -> tuple[Counted, ...]:
    rows = db.execute(
        "SELECT question FROM questions WHERE answered = 0 AND asked_at >= ?"
        " AND question IS NOT NULL AND question != ''",
        (since,),
    )
    return _most_common(((text,), text, None) for (text,) in rows)


def _disliked(db: sqlite3.Connection, since: float) -> tuple[Counted, ...]:
    rows = db.execute(
        "SELECT q.question, coalesce(t.title, ''), v.reason FROM votes v"
        " JOIN questions q ON q.id = v.question_id"
        " LEFT JOIN quotes t ON t.question_id = q.id AND t.rank = 0"
        " WHERE v.vote = 'down' AND q.asked_at >= ? AND q.question IS NOT NULL",
        (since,),
    )
    return _most_common(
        ((text, title), f"“{_clip(text)}” → {_clip(title, TITLE_CHARS)}", reason)
        for text, title, reason in rows
    )


def _most_common(rows: Iterable[tuple[tuple[str, ...], str, str | None]]) -> tuple[Counted, ...]:
    """Group rows by their normalized key; the TOP groups with counts and reasons."""
    counts: Counter[tuple[str, ...]] = Counter()
    shown: dict[tuple[str, ...], str] = {}
    reasons: dict[tuple[str, ...], Counter[str]] = {}
    for key, text, reason in rows:
        group = tuple(normalized(part) for part in key)
        counts[group] += 1
        shown.setdefault(group, text)
        if reason:
            reasons.setdefault(group, Counter())[reason] += 1
    return tuple(
        Counted(
            shown[group] if len(group) > 1 else _clip(shown[group]),
            count,
            _reasons_text(reasons.get(group)),
        )
        for group, count in counts.most_common(TOP)
    )


def _reasons_text(reasons: Counter[str] | None) -> str:
    """Like "wrong passage 2, outdated 1": the most given first, ties in alphabetical order."""
    if not reasons:
        return ""
    ordered = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{_reason_label(reason)} {count}" for reason, count in ordered)


def _reason_label(reason: str) -> str:
    try:
        return REASON_LABELS[DownReason(reason)].lower()
    except ValueError:
        return reason


def _clip(text: str, limit: int = SHOWN_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- text ------------------------------------------------------------------------------------


def _share(part: int, share: float | None) -> str:
    return f"{part}" if share is None else f"{part} ({share:.0%})"


# In a group the report is read by every member: counts only, never what someone asked.
TEXTS_PRIVATE_ONLY = "Question texts are shown only in a private chat with me."


def stats_text(stats: Stats, *, with_texts: bool = True) -> str:
    """The report, plain text, within Telegram's message limit; without `with_texts`, the
    counts alone (no question's words)."""
    counts = [
        f"Last {counted(stats.days, 'day')} (UTC): {counted(stats.questions, 'question')}, "
        "refused "
        f"{_share(stats.refused, stats.refused_share)}",
        f"Rated answers: {stats.rated}, 👍 {_share(stats.thumbs_up, stats.thumbs_up_share)}",
        "",
        "Day          questions  refused",
        *(f"{d.day}  {d.questions:>9}  {d.refused:>7}" for d in stats.per_day),
        "",
    ]
    if not with_texts:
        return "\n".join([*counts, TEXTS_PRIVATE_ONLY])
    lines = [
        *counts,
        "Most frequent unanswered questions:",
        *_listed(stats.unanswered),
        "",
        "Most 👎'd answers:",
        *_listed(stats.disliked),
    ]
    return "\n".join(lines)


def _listed(items: tuple[Counted, ...]) -> list[str]:
    if not items:
        return ["  (none)"]
    return [
        f"  {item.count:>3}  {item.text}" + (f" ({item.detail})" if item.detail else "")
        for item in items
    ]
