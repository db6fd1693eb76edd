"""`corpusbot feeds add|remove|list|poll|import|export`: the feeds a bot reads, from the shell.

They use the state database the bot uses (bot/history/feeds.py) and may run beside it. `poll`
reads every feed now (even one waiting to retry), writes new articles into the corpus folder and
updates the saved index, as `corpusbot add` does. OPML is what other feed readers import and
export: `import` takes its outlines' `xmlUrl`s, `export` writes one outline per feed.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lxml import etree

from corpusbot.bot.answer import counted
from corpusbot.bot.app import FeedRound, feed_status, poll_round, utc_minute
from corpusbot.bot.cli.terminal import print_json, print_text
from corpusbot.bot.history import SETTINGS, FeedRecord, FeedStore, open_feeds
from corpusbot.config.settings import Settings
from corpusbot.retrieval.ingest import FetchError, checked_url, refuse_private

__all__ = [
    "FeedCommandError",
    "add_feed",
    "export_feeds",
    "import_feeds",
    "list_feeds",
    "poll_json",
    "remove_feed",
    "run_poll",
]

NOTHING_DONE = 3  # the exit status when a command changed nothing (as `add` and `ask`)
MAX_OPML_BYTES = 5_000_000
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class FeedCommandError(Exception):
    """A feeds command could not run; the message says why (exit status 2)."""


@contextlib.contextmanager
def store_for(settings: Settings) -> Iterator[FeedStore]:
    """The feeds of the bot's state database, closed when the block ends; FeedCommandError
    when it cannot be used."""
    try:
        store = open_feeds(settings.history.path)
    except (OSError, sqlite3.Error) as exc:
        path = settings.history.path
        raise FeedCommandError(f"cannot use the state database {path}: {exc}") from None
    try:
        yield store
    finally:
        store.close()


def checked_feed_url(url: str) -> str:
    """`url` when it is an http(s) link with a host (as a fetch checks it); FeedCommandError
    otherwise."""
    try:
        checked_url(url)
    except FetchError:
        raise FeedCommandError(f"not an http(s) link: {url!r}") from None
    return url.strip()


def allowed_feed_url(settings: Settings, url: str) -> str:
    """`checked_feed_url`, and refused (FeedCommandError) when its host is a private or local
    address that the settings do not allow: said when the feed is added, not at every poll."""
    link = checked_feed_url(url)
    try:
        refuse_private(link, settings.fetch)
    except FetchError as exc:
        raise FeedCommandError(f"{link}: {exc}") from None
    return link


def add_feed(settings: Settings, url: str) -> int:
    link = allowed_feed_url(settings, url)
    with store_for(settings) as store:
        added = store.add(link)
    if not added:
        print_text(f"{link} is read already")
        return NOTHING_DONE
    minutes = f"{settings.feeds.poll_minutes:g}"
    print_text(
        f"added {link}: a running bot reads it every {minutes} minutes; "
        "`corpusbot feeds poll` reads it now"
    )
    return 0


def remove_feed(settings: Settings, url: str) -> int:
    link = url.strip()
    if link in settings.feeds.urls:
        raise FeedCommandError(f"{link} is in the settings ([feeds] urls): remove it there")
    with store_for(settings) as store:
        removed = store.remove(link)
    if not removed:
        print_text(f"no feed {link}; `corpusbot feeds list` shows them")
        return NOTHING_DONE
    print_text(f"removed {link}; the articles it brought stay in the corpus folder")
    return 0


def list_feeds(settings: Settings, *, as_json: bool) -> int:
    records = _every_feed(settings)
    if as_json:
        print_json({"feeds": [_record_json(record) for record in records]})
        return 0
    if not records:
        print_text("no feeds yet: `corpusbot feeds add URL` adds one")
    for record in records:
        print_text(_record_line(record))
    return 0


def _every_feed(settings: Settings) -> list[FeedRecord]:
    """The feeds, those of the settings included."""
    with store_for(settings) as store:
        store.follow_settings(settings.feeds.urls)
        return store.feeds()


def run_poll(settings: Settings) -> FeedRound:
    """Poll every feed now and store what came of it."""
    with store_for(settings) as store:
        return poll_round(settings, store)


def poll_json(found: FeedRound) -> dict[str, Any]:
    """The `feeds poll --json` contract: url, status, new, error for each feed."""
    return {
        "feeds": [
            {"url": p.url, "status": p.status, "new": len(p.added), "error": p.error}
            for p in found.polls
        ]
    }


def print_poll(found: FeedRound) -> None:
    if not found.polls:
        print_text("no feeds yet: `corpusbot feeds add URL` adds one")
    for poll in found.polls:
        if poll.error:
            print_text(f"error {poll.url}: {poll.error}")
        else:
            print_text(f"{poll.status} {poll.url}: {counted(len(poll.added), 'new article')}")
        for article in poll.added:
            print_text(f"  {article.path}: {article.title}")


def import_feeds(settings: Settings, path: Path) -> int:
    """Add the feeds of an OPML file (every outline with an http(s) `xmlUrl`)."""
    links = []
    for link in opml_links(path):
        try:
            links.append(allowed_feed_url(settings, link))
        except FeedCommandError as exc:
            print_text(f"skipped {exc}")
    with store_for(settings) as store:
        added = sum(store.add(link) for link in links)
    already = len(links) - added
    note = f" ({already} read already)" if already else ""
    print_text(f"imported {counted(added, 'feed')} from {path.name}{note}")
    return 0 if added else NOTHING_DONE


def opml_links(path: Path) -> list[str]:
    """The feed links an OPML file lists, in order, each once; FeedCommandError if unreadable."""
    try:
        if path.stat().st_size > MAX_OPML_BYTES:
            raise FeedCommandError(f"{path} is larger than {MAX_OPML_BYTES // 1_000_000} MB")
        root = etree.fromstring(path.read_bytes(), _SAFE_XML)
    except OSError as exc:
        raise FeedCommandError(f"cannot read {path}: {exc.strerror or exc}") from None
    except etree.XMLSyntaxError as exc:
        raise FeedCommandError(f"{path} is not an OPML file: {exc}") from None
    if root.tag != "opml":
        raise FeedCommandError(f"{path} is not an OPML file (its root is <{root.tag}>)")
    links: list[str] = []
    for outline in root.iter("outline"):
        link = (outline.get("xmlUrl") or "").strip()
        if link.lower().startswith(("http://", "https://")):
            links.append(link)
    return list(dict.fromkeys(links))


def export_feeds(settings: Settings) -> int:
    """Print the feeds as OPML 2.0."""
    records = _every_feed(settings)
    opml = etree.Element("opml", version="2.0")
    head = etree.SubElement(opml, "head")
    etree.SubElement(head, "title").text = "corpusbot feeds"
    body = etree.SubElement(opml, "body")
    for record in records:
        title = record.state.title or record.state.url
        etree.SubElement(
            body, "outline", type="rss", text=title, title=title, xmlUrl=record.state.url
        )
    text = etree.tostring(opml, pretty_print=True, xml_declaration=True, encoding="UTF-8")
    print_text(text.decode("utf-8").rstrip("\n"))
    return 0


def _record_json(record: FeedRecord) -> dict[str, Any]:
    state = record.state
    return {
        "url": state.url,
        "title": state.title,
        "from_settings": record.added_by == SETTINGS,
        "last_poll": _iso(state.polled_at),
        "new": state.last_new,
        "error": state.last_error if state.failures else None,
        "failures": state.failures,
        "next_try": _iso(state.retry_at) if state.failures else None,
    }


def _record_line(record: FeedRecord) -> str:
    title = f" {record.state.title}:" if record.state.title else ""
    return f"{record.state.url}{title} {feed_status(record)}"


def _iso(moment: float | None) -> str | None:
    return utc_minute(moment) if moment is not None else None
