"""An article's outlet, date, link and title from wherever it gives them.

Fields (header lines, front matter, JSONL keys; several spellings each) win over what the text
says; then the dateline ("PORTVILLE, June 7, 2022 (Harbor Wire) –"); then a date the file name
starts with. Dates come out as ISO `YYYY-MM-DD`. A date that cannot be read, or that no calendar
has, is dropped with a warning: an article with no reliable date shows none.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from corpusbot.retrieval.reading.dates import (
    Dateline,
    ImpossibleDate,
    date_from_path,
    parse_date,
    parse_dateline,
    year_from_path,
)

log = logging.getLogger("corpusbot.corpus")

# Each field and the names articles give it, first found wins.
ALIASES: dict[str, tuple[str, ...]] = {
    "source": ("source", "outlet", "publisher", "site_name", "site"),
    "date": ("date", "published", "published_at", "pubdate", "datetime"),
    "url": ("url", "link", "canonical_url"),
    "title": ("title", "headline"),
    "year": ("year",),
}
FIELD_NAMES = frozenset(name for names in ALIASES.values() for name in names)
LINK_SCHEMES = ("http://", "https://")


@dataclass(frozen=True)
class NewsMeta:
    title: str | None
    source: str | None
    date: str | None  # ISO YYYY-MM-DD
    url: str | None


def first_field(fields: Mapping[str, str], name: str) -> str | None:
    """The first non-empty value among `name`'s spellings."""
    for key in ALIASES[name]:
        value = fields.get(key)
        if value is not None and str(value).strip():
            return " ".join(str(value).split())
    return None


def resolve(fields: Mapping[str, str], text: str, path: str) -> NewsMeta:
    """The article's metadata: `fields` first, then its dateline, then its file name."""
    dateline: Dateline | None = None
    date = _field_date(fields, path)
    source = first_field(fields, "source")
    if date is None or source is None:
        dateline = _dateline(text, _year_hint(fields, path), path)
    if date is None:
        date = (dateline.date if dateline else None) or date_from_path(path)
    if source is None and dateline is not None:
        source = dateline.outlet
    url = first_field(fields, "url")
    if url is not None and not url.lower().startswith(LINK_SCHEMES):
        url = None  # Telegram refuses a message whose link is not http(s)
    return NewsMeta(first_field(fields, "title"), source, date.isoformat() if date else None, url)


def _field_date(fields: Mapping[str, str], path: str) -> dt.date | None:
    raw = first_field(fields, "date")
    if raw is None:
        return None
    try:
        value = parse_date(raw)
    except ImpossibleDate as exc:
        log.warning("%s: %s ignored; the article gets no date from it", path, exc)
        return None
    if value is None:
        log.warning("%s: unreadable date %r ignored", path, raw[:40])
    return value


def _dateline(text: str, year: int | None, path: str) -> Dateline | None:
    try:
        return parse_dateline(text, year)
    except ImpossibleDate as exc:
        log.warning("%s: dateline has an %s; the article gets no date from it", path, exc)
        return None


def _year_hint(fields: Mapping[str, str], path: str) -> int | None:
    raw = first_field(fields, "year")
    if raw is not None and raw.isascii() and raw.isdigit() and len(raw) == 4:
        return int(raw)
    return year_from_path(path)
