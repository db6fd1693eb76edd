"""A fetched page's article: its text and metadata, with trafilatura.

trafilatura finds the article's text among the page's furniture, and its headline, publication
date, site name, author and canonical link in the page's metadata. The date is taken from
metadata and markup only (trafilatura's extensive search would read "construction will start in
2025" in the text as 2025-01-01), and never later than the fetch. A plain-text page is its own
article, its first line the headline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import trafilatura
from trafilatura.settings import Document

from corpusbot.retrieval.ingest.fetching import Fetched

__all__ = ["Extracted", "ExtractionError", "extract_article"]

# Shorter than this is a menu or a notice, not an article.
MIN_TEXT_CHARS = 200


@dataclass(frozen=True)
class Extracted:
    title: str
    text: str
    url: str  # the canonical link when the page names one, else where it was fetched
    date: str | None  # ISO YYYY-MM-DD, from metadata only
    source: str | None  # the outlet or site name
    author: str | None


class ExtractionError(Exception):
    """The page holds no article; the message says why."""


def extract_article(page: Fetched) -> Extracted:
    """The article of `page`, or ExtractionError."""
    if page.kind == "text":
        return _plain(page)
    if page.kind != "html":
        raise ExtractionError(
            "a feed, not an article: `corpusbot feeds add URL` reads it (or add each "
            "article's own link)"
        )
    found = trafilatura.bare_extraction(
        page.text,
        url=page.url,
        with_metadata=True,
        as_dict=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text = (found.text or "").strip() if isinstance(found, Document) else ""
    if not isinstance(found, Document) or len(text) < MIN_TEXT_CHARS:
        raise ExtractionError("no article text found on the page")
    return Extracted(
        title=" ".join((found.title or "").split()) or _first_line(text),
        text=text,
        url=found.url or page.url,
        date=_not_after(found.date, page.fetched_at),
        source=found.sitename or found.hostname or None,
        author=found.author or None,
    )


def _plain(page: Fetched) -> Extracted:
    text = page.text.strip()
    if len(text) < MIN_TEXT_CHARS:
        raise ExtractionError("no article text found on the page")
    return Extracted(_first_line(text), text, page.url, None, None, None)


def _first_line(text: str) -> str:
    return " ".join(text.splitlines()[0].split())[:200]


def _not_after(date: str | None, fetched_at: float) -> str | None:
    """`date` (ISO) unless it is unreadable or after the day of the fetch."""
    try:
        day = dt.date.fromisoformat((date or "")[:10])
    except ValueError:
        return None
    return day.isoformat() if day <= dt.datetime.fromtimestamp(fetched_at, dt.UTC).date() else None
