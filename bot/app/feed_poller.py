"""Reading the feeds: one round now (`corpusbot feeds poll`), or one every `[feeds]
poll_minutes` while the bot runs. No `telegram` import: the Telegram layer starts `poll_feeds_every`
and tells its admins what a round's `broke` and `recovered` hold.

A round polls the settings' feeds and those kept in the state database (bot/history/feeds.py),
stores what each poll found (validators, failures, retry time), and says which feeds broke or
recovered in it, so that admins hear of a broken feed once, not at every failed retry.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from corpusbot.bot.answer import counted
from corpusbot.bot.history import SETTINGS, FeedRecord, FeedStore
from corpusbot.config.settings import Settings
from corpusbot.retrieval.ingest import ERROR, FeedPoll, poll_feeds

__all__ = ["FeedRound", "feed_status", "poll_feeds_every", "poll_round", "utc_minute"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedRound:
    """What one round of polls did."""

    polls: list[FeedPoll] = field(default_factory=list)
    broke: list[FeedPoll] = field(default_factory=list)  # failed now, worked before
    recovered: list[FeedPoll] = field(default_factory=list)  # work now, failed before

    @property
    def new(self) -> int:
        """Articles added or replaced in the corpus folder."""
        return sum(len(poll.added) for poll in self.polls)


def poll_round(settings: Settings, store: FeedStore, *, due_only: bool = False) -> FeedRound:
    """Poll the feeds once (with `due_only`, not those waiting to retry) and store the
    outcome. Blocking: the bot runs it in a worker thread."""
    store.follow_settings(settings.feeds.urls)
    before = {record.state.url: record.state for record in store.feeds()}
    polls = poll_feeds(
        settings.corpus,
        list(before.values()),
        settings.fetch,
        retry_base=settings.feeds.poll_minutes * 60,
        due_only=due_only,
    )
    for poll in polls:
        if poll.state is not None:
            store.save(poll.state)
    failed_before = {url for url, state in before.items() if state.failures}
    return FeedRound(
        polls,
        broke=[p for p in polls if p.status == ERROR and p.url not in failed_before],
        recovered=[p for p in polls if p.status != ERROR and p.url in failed_before],
    )


async def poll_feeds_every(
    settings: Settings,
    store: FeedStore,
    take_in: Callable[[FeedRound], Awaitable[None]],
) -> None:
    """Poll the due feeds every `[feeds] poll_minutes`, the first round at once; after each
    round, `take_in` reloads the index and tells admins. Runs until cancelled."""
    while True:
        try:
            found = await asyncio.to_thread(poll_round, settings, store, due_only=True)
            if found.polls:
                log.info("feeds polled: %d feeds, %d new articles", len(found.polls), found.new)
            await take_in(found)
        except Exception:  # the poller must outlive any one failure
            log.exception("feed poll failed")
        await asyncio.sleep(settings.feeds.poll_minutes * 60)


def feed_status(record: FeedRecord) -> str:
    """One line on how a feed fares: where it was named, its last read and its news, and why
    it fails if it does (for `corpusbot feeds list` and /feeds)."""
    state = record.state
    parts = ["named in the settings"] if record.added_by == SETTINGS else []
    if state.polled_at is None:
        parts.append("not read yet")
    else:
        parts.append(
            f"last read {utc_minute(state.polled_at)}, {counted(state.last_new, 'new article')}"
        )
    if state.failures:
        parts.append(f"failing ({state.failures}x): {state.last_error}")
        parts.append(f"next try {utc_minute(state.retry_at)}")
    return "; ".join(parts)


def utc_minute(moment: float) -> str:
    return dt.datetime.fromtimestamp(moment, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
