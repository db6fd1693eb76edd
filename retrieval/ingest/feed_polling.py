"""One poll of a feed: its new items fetched into the corpus folder as articles.

The request is conditional (the last answer's ETag and Last-Modified sent back), so an
unchanged feed costs one 304. Each new item's page is fetched and its article extracted as
`corpusbot add` does (retrieval/ingest/adding.py); an item whose page cannot be read keeps the
feed's summary, marked as one. An item keeps its own link and date. The archive knows each article
by canonical link and by text, so an item that two feeds share, or whose link moved, is stored once.
Requests go one at a time, so no host gets two at once.

A broken feed is reported and never stops the others. It is tried again after a delay that
doubles with each failure, capped at a day, and is never dropped. Nothing here keeps state:
the caller stores each `FeedState` returned (bot/feed_store.py).
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from corpusbot.retrieval.ingest.adding import AddedArticle, AddReport, WebArchive
from corpusbot.retrieval.ingest.extraction import Extracted, ExtractionError, extract_article
from corpusbot.retrieval.ingest.feed_reading import FeedError, FeedItem, ParsedFeed, read_feed
from corpusbot.retrieval.ingest.fetching import (
    FetchError,
    FetchSettings,
    Resolver,
    Validators,
    fetch,
    system_resolver,
)

__all__ = [
    "MAX_RETRY_SECONDS",
    "FeedPoll",
    "FeedState",
    "poll_feed",
    "poll_feeds",
    "retry_delay",
]

MAX_RETRY_SECONDS = 86_400.0  # a broken feed is tried at least once a day
OK, NOT_MODIFIED, ERROR = "ok", "not modified", "error"


@dataclass(frozen=True)
class FeedState:
    """What is remembered of a feed between polls."""

    url: str
    validators: Validators = field(default_factory=Validators)
    failures: int = 0  # failed polls in a row
    retry_at: float = 0.0  # Unix time before which a failed feed is not polled again
    polled_at: float | None = None  # the last poll, whatever came of it
    last_error: str | None = None
    last_new: int = 0  # articles the last successful poll added
    title: str = ""  # the feed's own name


@dataclass(frozen=True)
class FeedPoll:
    """What one poll of a feed found."""

    url: str
    status: str  # "ok", "not modified" or "error"
    added: list[AddedArticle] = field(default_factory=list)
    error: str | None = None
    first: bool = False  # the feed's first successful poll: it filled the archive
    state: FeedState | None = None  # to store for the next poll


def retry_delay(failures: int, base_seconds: float) -> float:
    """Seconds to wait after `failures` failed polls in a row: doubling, at most a day."""
    return float(min(base_seconds * 2 ** min(failures - 1, 32), MAX_RETRY_SECONDS))


def poll_feeds(
    folder: Path,
    states: Sequence[FeedState],
    settings: FetchSettings,
    *,
    retry_base: float,
    due_only: bool = False,
    resolver: Resolver = system_resolver,
) -> list[FeedPoll]:
    """Poll each feed in turn (with `due_only`, only those not waiting to retry after a
    failure); one archive for all, so that a story two feeds carry is stored once."""
    now = time.time()
    due = [state for state in states if not due_only or state.retry_at <= now]
    if not os.access(folder, os.W_OK):
        reason = f"the corpus folder {folder} is read-only; make it writable to read feeds"
        return [FeedPoll(state.url, ERROR, error=reason, state=state) for state in due]
    archive = WebArchive(folder)
    return [
        poll_feed(state, settings, archive=archive, retry_base=retry_base, resolver=resolver)
        for state in due
    ]


def poll_feed(
    state: FeedState,
    settings: FetchSettings,
    *,
    archive: WebArchive,
    retry_base: float,
    resolver: Resolver = system_resolver,
) -> FeedPoll:
    """Poll the feed of `state` once; its new items go into the corpus folder of `archive`."""
    try:
        page = fetch(state.url, settings, resolver=resolver, validators=state.validators)
        if page.not_modified:
            kept = dataclasses.replace(
                state, validators=page.validators, polled_at=page.fetched_at, failures=0
            )
            return FeedPoll(state.url, NOT_MODIFIED, state=dataclasses.replace(kept, last_new=0))
        feed = read_feed(
            page.raw, url=page.url, content_type=page.content_type, fetched_at=page.fetched_at
        )
    except (FetchError, FeedError) as exc:
        return _failed(state, str(exc), retry_base)
    report = _file_items(feed, settings, archive=archive, resolver=resolver)
    added = report.added + report.replaced
    done = FeedState(
        state.url,
        page.validators,
        polled_at=page.fetched_at,
        last_new=len(added),
        title=feed.title or state.title,
    )
    return FeedPoll(state.url, OK, added, first=state.polled_at is None, state=done)


def _failed(state: FeedState, reason: str, retry_base: float) -> FeedPoll:
    now = time.time()
    failures = state.failures + 1
    kept = dataclasses.replace(
        state,
        failures=failures,
        retry_at=now + retry_delay(failures, retry_base),
        polled_at=now,
        last_error=reason,
    )
    return FeedPoll(state.url, ERROR, error=reason, state=kept)


def _file_items(
    feed: ParsedFeed, settings: FetchSettings, *, archive: WebArchive, resolver: Resolver
) -> AddReport:
    report = AddReport()
    for item in feed.items:
        if item.link and archive.knows(item.link):
            continue  # in the archive already: not fetched again
        found = _article_of(item, feed, settings, resolver=resolver)
        if found is not None:
            archive.file(
                found.links,
                found.article,
                fetched_at=found.fetched_at,
                report=report,
                summary=found.summary,
            )
    return report


@dataclass(frozen=True)
class _ItemArticle:
    article: Extracted
    links: list[str]  # the item's, and where its page says it lives: each known from now on
    fetched_at: float
    summary: bool  # the feed's summary stands in for a page that could not be read


def _article_of(
    item: FeedItem, feed: ParsedFeed, settings: FetchSettings, *, resolver: Resolver
) -> _ItemArticle | None:
    """The item's article from its page; else its summary, marked as one (None if empty)."""
    if item.link:
        try:
            page = fetch(item.link, settings, resolver=resolver)
            found = extract_article(page)
        except (FetchError, ExtractionError):
            pass
        else:
            own = dataclasses.replace(
                found,
                title=item.title or found.title,
                date=item.date,  # the item's own date; none is never "now"
                url=item.link,
                source=found.source or feed.title or None,
            )
            links = [item.link, page.url, found.url]
            return _ItemArticle(own, links, page.fetched_at, summary=False)
    if not item.summary:
        return None
    summary = Extracted(
        title=item.title or item.summary.splitlines()[0][:200],
        text=item.summary,
        url=item.link or "",
        date=item.date,
        source=feed.title or None,
        author=None,
    )
    return _ItemArticle(summary, [item.link] if item.link else [], time.time(), summary=True)
