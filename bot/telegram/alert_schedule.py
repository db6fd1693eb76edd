"""When each alert goes out: at once, or in its chat's daily digest. No `telegram` import.

A digest follow's alerts wait for the chat's digest (bot/app/digest_times.py). An instant follow's
go out at once, up to `[follows] max_alerts_per_day` a chat a day, and while the outbox is not
behind (HEAVY_TRAFFIC); past either, they wait for the digest too, and the chat is told once that
day why (a notice, whose id is the day's, so the outbox keeps one).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from corpusbot.bot.app import day_start, next_digest
from corpusbot.bot.history import DIGEST, Alert, ChatTime, FollowStore
from corpusbot.bot.telegram import messages
from corpusbot.config.settings import FollowSettings

__all__ = ["HEAVY_TRAFFIC", "schedule"]

# Alerts waiting to go out at once, past which new ones wait for their chats' digests: at
# Telegram's 30 messages a second, a minute's worth.
HEAVY_TRAFFIC = 1_800


def schedule(
    store: FollowStore,
    alerts: list[Alert],
    modes: dict[int, str],
    *,
    now: float,
    settings: FollowSettings,
) -> list[Alert]:
    """Each alert at once or for its chat's next digest: a digest follow's, and an instant one's
    past the chat's daily cap, which is told once a day that the rest wait for its digest."""
    out: list[Alert] = []
    sent_today: dict[int, int] = {}
    heavy = store.waiting() + len(alerts) > HEAVY_TRAFFIC
    for alert in alerts:
        time_of = store.chat_time(alert.chat_id, default_hour=settings.digest_hour)
        digest_at = next_digest(now, time_of)
        if modes.get(alert.follow_id) == DIGEST:
            out.append(dataclasses.replace(alert, digest=True, due_at=digest_at))
            continue
        if alert.chat_id not in sent_today:
            since = day_start(now, time_of)
            sent_today[alert.chat_id] = store.instant_since(alert.chat_id, since)
        if not heavy and sent_today[alert.chat_id] < settings.max_alerts_per_day:
            sent_today[alert.chat_id] += 1
            out.append(alert)
            continue
        if sent_today[alert.chat_id] <= settings.max_alerts_per_day:
            sent_today[alert.chat_id] = settings.max_alerts_per_day + 1  # told once a day
            text = (
                messages.alerts_delayed(time_of.digest_hour)
                if heavy
                else messages.alerts_capped(settings.max_alerts_per_day, time_of.digest_hour)
            )
            out.append(_notice(alert, time_of, text, now))
        out.append(dataclasses.replace(alert, digest=True, due_at=digest_at))
    return out


def _notice(alert: Alert, time_of: ChatTime, text: str, now: float) -> Alert:
    """A chat's one notice of the day that alerts wait for its digest (its id is the day's,
    so the outbox keeps one)."""
    day = dt.datetime.fromtimestamp(day_start(now, time_of) + 3600, dt.UTC).date()
    return Alert(alert.follow_id, alert.chat_id, f"notice:{day.isoformat()}", text, ())
