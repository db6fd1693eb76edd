"""bot/telegram/alert_schedule.py: when each alert goes out (at once, in the digest, past the daily
cap) and the digest's messages (bot/telegram/messages.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpusbot.bot.answer.text_limits import TELEGRAM_LIMIT, utf16_length
from corpusbot.bot.history.follows import DIGEST, Alert, ChatTime, FollowStore, open_follows
from corpusbot.bot.telegram.alert_schedule import schedule
from corpusbot.bot.telegram.messages import digest_parts
from corpusbot.config.settings import FollowSettings

NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC).timestamp()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[FollowStore]:
    opened = open_follows(tmp_path / "state.sqlite3")
    opened._clock = lambda: NOW
    yield opened
    opened.close()


def alert(follow_id: int, article: str, chat: int = 5) -> Alert:
    return Alert(follow_id, chat, article, f"<b>{article}</b>", ())


def test_a_digest_follow_waits_for_the_chat_s_digest_hour(store: FollowStore) -> None:
    follow = store.add(5, "tram")
    assert follow is not None
    store.set_chat_time(5, ChatTime(120, 18))  # 18:00 at UTC+2 is 16:00 UTC
    [queued] = schedule(
        store, [alert(follow.id, "a1")], {follow.id: DIGEST}, now=NOW, settings=FollowSettings()
    )
    assert queued.digest and queued.due_at == NOW + 4 * 3600


def test_past_the_daily_cap_the_rest_wait_for_the_digest_and_the_chat_is_told_once(
    store: FollowStore,
) -> None:
    follow = store.add(5, "tram")
    assert follow is not None
    settings = FollowSettings(max_alerts_per_day=2, digest_hour=8)
    first = schedule(
        store, [alert(follow.id, f"a{n}") for n in range(4)], {}, now=NOW, settings=settings
    )
    assert [(a.article_id, a.digest) for a in first] == [
        ("a0", False),
        ("a1", False),
        ("notice:2026-12-06", False),
        ("a2", True),
        ("a3", True),
    ]
    assert "2 alerts today" in first[2].text
    assert first[3].due_at == dt.datetime(2026, 12, 7, 8, tzinfo=dt.UTC).timestamp()
    store.queue(first)
    later = schedule(store, [alert(follow.id, "a4")], {}, now=NOW + 60, settings=settings)
    # Still over the cap: to the digest, and the chat is not told again that day.
    assert [(a.article_id, a.digest) for a in later] == [("a4", True)]
    assert store.queue(later) == 1


def test_a_digest_is_cut_into_messages_that_each_fit() -> None:
    texts = [f"🔔 <b>alert {n}</b> " + "x" * 900 for n in range(12)]
    parts = digest_parts(texts)
    assert len(parts) > 1
    assert [i for part in parts for i in part.items] == list(range(12))
    assert all(utf16_length(part.text) <= TELEGRAM_LIMIT for part in parts)
    assert parts[0].text.startswith("📰 <b>Your daily digest</b>: 12 new articles")


def test_under_heavy_traffic_instant_alerts_wait_for_the_digest_and_the_chat_is_told(
    store: FollowStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corpusbot.bot.telegram import alert_schedule

    follow = store.add(5, "tram")
    assert follow is not None
    monkeypatch.setattr(alert_schedule, "HEAVY_TRAFFIC", 2)
    store.queue([alert(follow.id, "a0"), alert(follow.id, "a1")])  # the sender is behind
    later = schedule(store, [alert(follow.id, "a2")], {}, now=NOW, settings=FollowSettings())
    assert [(a.article_id, a.digest) for a in later] == [
        ("notice:2026-12-06", False),
        ("a2", True),
    ]
    assert "cannot send them all at once" in later[0].text
