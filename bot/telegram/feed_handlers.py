"""The feeds in Telegram: the poller a running bot starts (bot/app/feed_poller.py), what its admins
hear of it, and their /feeds.

The poller runs when the corpus is a folder of the user's (never the bundled seeds) and the
state database can be opened. After a round that brought articles, the index takes them in;
an admin hears once when a feed breaks and once when it works again, not at every retry.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sqlite3
from functools import partial

from telegram import Update
from telegram.ext import CommandHandler

from corpusbot.bot.app import FeedRound, Service, feed_status, poll_feeds_every
from corpusbot.bot.history import open_feeds
from corpusbot.bot.telegram import messages
from corpusbot.bot.telegram.bot_state import (
    BotApplication,
    BotContext,
    state_of,
    stop_task,
    tell_admins,
)

__all__ = ["add_handlers", "start_feed_poller", "stop_feed_poller"]

log = logging.getLogger("corpusbot.telegram")

App = BotApplication
RELOAD_TRIES = 3  # a reload already running (the watcher's, an admin's) is waited for
RELOAD_PAUSE = 2.0  # seconds between those tries


def add_handlers(application: App) -> None:
    application.add_handler(CommandHandler("feeds", feeds_command))


async def start_feed_poller(application: App) -> None:
    """Open the feeds and poll them every [feeds] poll_minutes, when the corpus takes them."""
    state = state_of(application)
    settings = state.service.settings
    if settings.bundled_corpus:
        if settings.feeds.urls:
            log.warning("feeds are not read into the bundled articles: run with --corpus FOLDER")
        return
    try:
        state.feeds = await asyncio.to_thread(open_feeds, settings.history.path)
    except (OSError, sqlite3.Error) as exc:
        log.warning("feeds are off: cannot use %s: %s", settings.history.path, exc)
        return
    take_in = functools.partial(take_in_round, application)
    state.feed_poller = asyncio.create_task(
        poll_feeds_every(settings, state.feeds, take_in), name="feed-poller"
    )


async def stop_feed_poller(application: App) -> None:
    state = state_of(application)
    poller, state.feed_poller = state.feed_poller, None
    await stop_task(poller)
    feeds, state.feeds = state.feeds, None
    if feeds is not None:
        feeds.close()


async def take_in_round(application: App, found: FeedRound) -> None:
    """After a round: the index takes the new articles in, and admins hear what broke."""
    state = state_of(application)
    service = state.service
    # A feed's first read fills the archive with its backlog: it alerts no follower.
    state.quiet_paths.update(a.path for p in found.polls if p.first for a in p.added)
    if found.new:
        written = [article.path for poll in found.polls for article in poll.added]
        await _reload_until_current(service, written)
    notes = [messages.feed_broke(p.url, p.error or "") for p in found.broke]
    notes += [messages.feed_recovered(p.url) for p in found.recovered]
    for note in notes:
        await tell_admins(application, note, about="a feed")


async def _reload_until_current(service: Service, written: list[str]) -> None:
    """Reload for the files a poll wrote (only those looked at), then, if the folder still
    differs from the index (another change meanwhile), as a whole."""
    result = await asyncio.to_thread(partial(service.reload, changed=written))
    if result.ok and not await asyncio.to_thread(service.corpus_changed):
        return
    for _ in range(RELOAD_TRIES):
        result = await asyncio.to_thread(service.reload)
        if result.ok or not await asyncio.to_thread(service.corpus_changed):
            return
        await asyncio.sleep(RELOAD_PAUSE)
    log.warning("feeds: the new articles wait for the next reload")


async def feeds_command(update: Update, context: BotContext) -> None:
    """/feeds (admins only): each feed, its last read, its news and its last error."""
    message = update.effective_message
    user = update.effective_user
    if message is None:
        return
    service = context.service
    if user is None or not service.settings.telegram.is_admin(user.id):
        await message.reply_html(messages.FEEDS_ADMINS_ONLY)
        return
    store = context.state.feeds
    if store is None:
        why = (
            "I answer from my bundled sample articles"
            if service.settings.bundled_corpus
            else "the state database could not be opened"
        )
        await message.reply_html(messages.FEEDS_OFF.format(why=why))
        return
    records = await asyncio.to_thread(store.feeds)
    lines = [(r.state.url, r.state.title, feed_status(r)) for r in records]
    await message.reply_html(messages.feeds_report(lines, service.settings.feeds.poll_minutes))
