"""An RSS or Atom feed's items, read with feedparser from the bytes a poll fetched.

feedparser is handed the bytes, never a URL (its own HTTP has no timeout), with the response's
content type and address so that it reads the right encoding and resolves relative links. A
feed it can only partly read (broken XML) keeps the items it recovered. An item keeps its own
link and date; an item with no date stays undated, and a date after the fetch is dropped: "now"
is never taken for a publication date.
"""

from __future__ import annotations

import calendar
import datetime as dt
import time
from dataclasses import dataclass
from typing import Any
from xml.sax import SAXParseException

import feedparser
import lxml.html
from lxml.etree import ParserError

__all__ = ["FeedError", "FeedItem", "ParsedFeed", "read_feed"]


@dataclass(frozen=True)
class FeedItem:
    link: str | None  # absolute; None when the item has none
    title: str
    date: str | None  # ISO YYYY-MM-DD, the item's own; None when it gives none
    summary: str  # plain text of its summary or content, "" when it has none
    guid: str | None


@dataclass(frozen=True)
class ParsedFeed:
    title: str  # the feed's own name, "" when it gives none
    items: list[FeedItem]


class FeedError(Exception):
    """The bytes hold no feed; the message says why."""


def read_feed(raw: bytes, *, url: str, content_type: str, fetched_at: float) -> ParsedFeed:
    """The feed in `raw`, fetched from `url`; FeedError when it is no RSS or Atom feed."""
    parsed = feedparser.parse(
        raw, response_headers={"content-type": content_type, "content-location": url}
    )
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        detail = f" ({problem})" if problem else ""
        raise FeedError(f"not an RSS or Atom feed{detail}")
    items = [_item(entry, fetched_at) for entry in parsed.entries]
    kept = [item for item in items if item.link or item.title or item.summary]
    problem = parsed.get("bozo_exception")
    if not kept and isinstance(problem, SAXParseException):
        # Cut off before its first whole item (a truncated download): broken, not empty, so
        # that the poll reports it and tries again.
        raise FeedError(f"broken feed: the XML ends or breaks before any item ({problem})")
    title = _plain(str(parsed.feed.get("title") or ""))
    return ParsedFeed(title, kept)


def _item(entry: Any, fetched_at: float) -> FeedItem:
    link = entry.get("link")
    return FeedItem(
        link=str(link).strip() if link else None,
        title=_plain(str(entry.get("title") or "")),
        date=_date(entry.get("published_parsed") or entry.get("updated_parsed"), fetched_at),
        summary=_plain(_body(entry)),
        guid=str(entry["id"]) if entry.get("id") else None,
    )


def _body(entry: Any) -> str:
    """The item's fullest text: its content when it has one, else its summary."""
    contents = entry.get("content") or []
    texts = [str(part.get("value") or "") for part in contents]
    text = max(texts, key=len, default="")
    summary = str(entry.get("summary") or "")
    return text if len(text) > len(summary) else summary


def _plain(markup: str) -> str:
    """The visible text of a bit of HTML, its blocks kept apart by blank lines."""
    if "<" not in markup:
        return " ".join(markup.split())
    try:
        root = lxml.html.fromstring(f"<div>{markup}</div>")
    except (ParserError, ValueError):
        return " ".join(markup.split())
    for block in root.iter("p", "div", "br", "li", "h1", "h2", "h3", "h4", "blockquote"):
        block.tail = "\n\n" + (block.tail or "")
    paragraphs = (" ".join(part.split()) for part in root.text_content().split("\n\n"))
    return "\n\n".join(part for part in paragraphs if part)


def _date(parsed: time.struct_time | None, fetched_at: float) -> str | None:
    """The item's date (feedparser gives it in UTC) unless it is after the day of the fetch."""
    if parsed is None:
        return None
    try:
        day = dt.datetime.fromtimestamp(calendar.timegm(parsed), dt.UTC).date()
    except (OverflowError, ValueError):
        return None
    fetched = dt.datetime.fromtimestamp(fetched_at, dt.UTC).date()
    return day.isoformat() if day <= fetched else None
