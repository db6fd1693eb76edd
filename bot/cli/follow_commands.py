"""`corpusbot follows [--json]` and `corpusbot follows test "WORDS"`: the bot's follows from the
shell, and what a follow would have sent over the last days, to tune one before saving it."""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from corpusbot.bot.answer import counted
from corpusbot.bot.app import RECENT_DAYS, Service, lately, utc_minute
from corpusbot.bot.cli.terminal import print_json, print_text
from corpusbot.bot.history import open_follows
from corpusbot.config.settings import Settings

__all__ = ["FollowCommandError", "list_follows", "test_follow"]


class FollowCommandError(Exception):
    """A follows command could not run; the message says why (exit status 2)."""


def list_follows(settings: Settings, *, as_json: bool) -> int:
    """Every follow of every chat, with how many alerts it sent."""
    try:
        store = open_follows(settings.history.path)
    except (OSError, sqlite3.Error) as exc:
        path = settings.history.path
        raise FollowCommandError(f"cannot use the state database {path}: {exc}") from None
    try:
        follows = store.every()
    finally:
        store.close()
    if as_json:
        print_json(
            {
                "follows": [
                    {
                        "id": f.id,
                        "chat_id": f.chat_id,
                        "query": f.query,
                        "created": utc_minute(f.created_at),
                        "paused": f.paused,
                        "alerts": f.alerts,
                    }
                    for f in follows
                ]
            }
        )
        return 0
    if not follows:
        print_text("no follows yet: people add them with /follow WORDS")
    for f in follows:
        paused = ", paused (the chat blocked the bot)" if f.paused else ""
        print_text(f"{f.id} chat {f.chat_id}: {f.query} ({counted(f.alerts, 'alert')}{paused})")
    return 0


def test_follow(
    service: Service, words: str, *, as_json: bool, today: dt.date | None = None
) -> int:
    """The articles of the last RECENT_DAYS days the follow `words` would have alerted of (as
    bot/app/follow_matching.py matches them). 3 when there is none."""
    _, recent = lately(service, words, today=today or dt.datetime.now(dt.UTC).date())
    found: list[dict[str, Any]] = [
        {
            "article_id": q.sources[0].id,
            "title": q.sources[0].title,
            "source": q.sources[0].source,
            "date": q.sources[0].date,
            "text": q.text,
        }
        for q in recent
    ]
    if as_json:
        print_json({"query": words, "days": RECENT_DAYS, "matched": found})
    else:
        print_text(
            f"{counted(len(found), 'article')} of the last {RECENT_DAYS} days would have matched"
            + (":" if found else ".")
        )
        for item in found:
            print_text(f"- {item['title']} ({item['source'] or 'no outlet'}, {item['date']})")
            print_text(f"  {item['text'][:300]}")
    return 0 if found else 3
