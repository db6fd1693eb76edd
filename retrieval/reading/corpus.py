"""Reading a folder of articles into `Article` records.

A text file (.txt, .md) holds one article: its first line is the headline (or, when that line is
already body text, a short title is made from it), optional `source:`, `date:` and `url:` header
lines may follow. A .jsonl file holds one article per line as a JSON object with `text` and
optionally `id`, `title`, `source`, `date`, `url`. Unreadable files are reported, never fatal.
"""

from __future__ import annotations

import codecs
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from corpusbot.config import FURNITURE_FILE
from corpusbot.retrieval.plurals import counted
from corpusbot.retrieval.reading.folder import (
    EXTENSIONS,
    CorpusFile,
    UnusableFile,
    list_files,
    read_file_bytes,
)
from corpusbot.retrieval.reading.front_matter import split_front_matter
from corpusbot.retrieval.reading.news_meta import FIELD_NAMES, first_field, resolve

log = logging.getLogger("corpusbot.corpus")

HEADER_LINE = re.compile(
    r"^(source|outlet|date|published|url|link|year)\s*:\s*(.+)$", re.IGNORECASE
)
# "TEHRAN, Iran (AA) –" or "TEHRAN (Tasnim) -": a dateline naming the outlet in brackets.
DATELINE_OUTLET = re.compile(r"^[A-Z][\w .,'’-]{1,40}\(([^()]{2,40})\)\s*[–—-]")
DATELINE = re.compile(r"^[A-Z][\w .,'’]{1,40}\s[–—]\s")
MAX_HEADLINE_CHARS = 160
MAX_TITLE_CHARS = 90
# Bad lines of a .jsonl file reported one by one; the rest are counted in one more line.
MAX_REPORTED_LINES = 20
LINK_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    text: str
    path: str
    source: str | None = None
    date: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass
class Corpus:
    folder: Path
    articles: list[Article] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def load_corpus(
    folder: Path,
    max_file_bytes: int = 64 * 1024 * 1024,
    on_file: Callable[[Path], None] | None = None,
    *,
    follow_outside_links: bool = False,
) -> Corpus:
    """Read every article under `folder`; files (and .jsonl lines) that cannot be used land in
    `skipped` with the reason."""
    files = list_files(folder, follow_outside_links=follow_outside_links)
    return read_files(folder, files, max_file_bytes, on_file)


def read_files(
    folder: Path,
    files: Iterable[CorpusFile],
    max_file_bytes: int = 64 * 1024 * 1024,
    on_file: Callable[[Path], None] | None = None,
) -> Corpus:
    """The articles of `files` (of `folder`, in the order given), as `load_corpus` reads them."""
    corpus = Corpus(folder=folder)
    furniture = load_furniture()
    for file in files:
        if on_file is not None:
            on_file(file.path)
        try:
            if file.problem:
                raise UnusableFile(file.problem)
            articles, bad_lines = _read_file(file.path, file.name, max_file_bytes, furniture)
        except UnusableFile as exc:
            corpus.skipped.append(Skipped(file.name, str(exc)))
            continue
        corpus.articles += articles
        corpus.skipped += bad_lines
    corpus.articles = unique_ids(corpus.articles)
    return corpus


def nothing_readable(folder: Path) -> str:
    """What to tell someone whose folder gave no article: where, and what would be read."""
    kinds = ", ".join(EXTENSIONS)
    return (
        f"no readable article in {folder}: corpusbot reads {kinds} files "
        "(.txt and .md: one article a file; .jsonl: one JSON object with 'text' a line)"
    )


def unique_ids(articles: list[Article]) -> list[Article]:
    """Articles whose id repeats an earlier one's (a/x.txt and b/x.txt, x.txt and x.md, two
    feeds numbering from 1) get their path added to it, so an id names one article only."""
    seen: set[str] = set()
    unique = []
    for article in articles:
        if article.id in seen:
            article = replace(article, id=f"{article.id} ({article.path})")
        seen.add(article.id)
        unique.append(article)
    return unique


def _read_file(
    path: Path, name: str, max_bytes: int, furniture: re.Pattern[str]
) -> tuple[list[Article], list[Skipped]]:
    """The file's articles, and the .jsonl lines that could not be used."""
    data = read_file_bytes(path, max_bytes)
    if path.suffix.lower() == ".jsonl":
        return _read_jsonl(data, name, furniture)
    if b"\x00" in data[:8192]:
        raise UnusableFile("binary file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnusableFile(f"not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise UnusableFile("empty")
    return [parse_article(text, article_id=Path(name).stem, path=name, furniture=furniture)], []


# --- .jsonl: one article a line; a bad line costs that line only -----------------------------


def _read_jsonl(
    data: bytes, name: str, furniture: re.Pattern[str]
) -> tuple[list[Article], list[Skipped]]:
    articles: list[Article] = []
    bad: list[tuple[int, str]] = []
    refused: dict[tuple[str, str], list[int]] = {}  # (field, what it held) -> its lines
    for number, record in jsonl_records(data):
        if isinstance(record, str):
            bad.append((number, record))
        else:
            article, fields = _jsonl_article(record, number, name, furniture)
            articles.append(article)
            for field_kind in fields:
                refused.setdefault(field_kind, []).append(number)
    _warn_refused(name, refused)
    if not articles:
        raise UnusableFile("no JSON line with a non-empty 'text' field" if bad else "empty")
    return articles, _bad_lines(name, bad)


def jsonl_records(data: bytes) -> Iterator[tuple[int, dict[str, object] | str]]:
    """(line number, record) for each non-blank line, or (line number, why it is unusable).

    Lines are cut at "\n" only (a JSON string may hold U+2028 and other characters that
    str.splitlines() treats as line ends), and each line is decoded on its own.
    """
    for number, raw in enumerate(data.split(b"\n"), start=1):
        line = raw.removeprefix(codecs.BOM_UTF8) if number == 1 else raw
        if line.strip():
            yield number, _jsonl_record(line.strip())


def _jsonl_record(line: bytes) -> dict[str, object] | str:
    try:
        record = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return f"not UTF-8 text (byte {exc.start})"
    except json.JSONDecodeError as exc:
        return f"not JSON ({exc.msg} at column {exc.colno})"
    except RecursionError:
        return "not JSON (nested too deeply)"
    if not isinstance(record, dict):
        return "not a JSON object"
    body = record.get("text")
    if not isinstance(body, str) or not body.strip():
        return "no non-empty 'text' field"
    return record


def _jsonl_article(
    record: dict[str, object], number: int, name: str, furniture: re.Pattern[str]
) -> tuple[Article, list[tuple[str, str]]]:
    """The line's article, and the fields it was read without (`_plain_fields`)."""
    record, refused = _plain_fields(record)
    body = str(record["text"])
    title = str(record.get("title") or "").strip()
    article = parse_article(
        f"{title}\n{body}" if title else body,
        article_id=str(record.get("id") or record.get("_id") or f"{Path(name).stem}-{number}"),
        path=f"{name}:{number}",
        furniture=furniture,
    )
    return _with_fields(article, record), refused


def _plain_fields(record: dict[str, object]) -> tuple[dict[str, object], list[tuple[str, str]]]:
    """`record` without the metadata fields whose value is a list or an object: such a value
    has no one text to show (its Python text made an outlet named "['x']"), so it is refused
    (each as (field, what it held), for the warning) and the article is read without it."""
    kept: dict[str, object] = {}
    refused: list[tuple[str, str]] = []
    for key, value in record.items():
        if isinstance(value, list | dict) and key != "text":
            refused.append((key, "a list" if isinstance(value, list) else "an object"))
            continue
        kept[key] = value
    return kept, refused


def _warn_refused(name: str, refused: dict[tuple[str, str], list[int]]) -> None:
    """One warning per field refused, naming its line, or for a field refused on many lines
    (a BEIR corpus.jsonl's `metadata`, on every line) how many and the first few."""
    for (key, kind), lines in refused.items():
        if len(lines) == 1:
            log.warning("%s:%d: field %r holds %s, not text; left out", name, lines[0], key, kind)
            continue
        shown = ", ".join(map(str, lines[:3]))
        more = f" and {len(lines) - 3:,} more" if len(lines) > 3 else ""
        log.warning(
            "%s: field %r holds %s on %s (%s%s), not text; left out",
            name,
            key,
            kind,
            counted(len(lines), "line"),
            shown,
            more,
        )


def _bad_lines(name: str, bad: list[tuple[int, str]]) -> list[Skipped]:
    shown = [Skipped(f"{name}:{number}", reason) for number, reason in bad[:MAX_REPORTED_LINES]]
    if len(bad) > MAX_REPORTED_LINES:
        rest = len(bad) - MAX_REPORTED_LINES
        after = bad[-rest - 1][0]
        shown.append(Skipped(name, f"{counted(rest, 'more unusable line')} after line {after}"))
    return shown


def safe_url(value: str | None) -> str | None:
    """`value` if it is an http(s) address that can be shown as a link, else None.

    Anything else (javascript:, data:, file:, addresses with spaces or control characters) is
    dropped here, when the article is read, so no renderer can ever turn it into a link.
    """
    url = (value or "").strip()
    if not url or any(c.isspace() or not c.isprintable() for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in LINK_SCHEMES and parts.netloc else None


def _with_fields(article: Article, record: dict[str, object]) -> Article:
    """A JSONL record's own outlet, date and link (retrieval/reading/news_meta.py) over the
    text's."""
    fields = {k.lower(): str(v) for k, v in record.items() if k.lower() in FIELD_NAMES and v}
    meta = resolve(fields, article.text, article.path)
    return replace(
        article,
        source=meta.source or article.source,
        date=meta.date or article.date,
        url=safe_url(meta.url),
    )


def parse_article(
    raw: str, article_id: str, path: str, furniture: re.Pattern[str] | None = None
) -> Article:
    """Turn one article's raw text into an `Article`: headline, header lines, clean body."""
    lines = [line.rstrip() for line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    front, lines = split_front_matter(lines) if path.endswith(".md") else ({}, lines)
    while lines and not lines[0].strip():
        lines.pop(0)
    first = lines[0].strip() if lines else ""
    heading = path.endswith(".md") and first.startswith("#")
    if path.endswith(".md"):  # a Markdown heading's marks are not part of the headline
        first = first.lstrip("#").strip()
    front_title = first_field(front, "title")  # with a title in front matter, only a heading is one
    is_headline = (heading or first == front_title) if front_title else _looks_like_headline(first)
    meta, body_lines = _take_headers(lines[1:] if is_headline else lines)
    body_lines = _drop_furniture(
        body_lines, first if is_headline else None, furniture or load_furniture()
    )
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(body_lines)).strip()
    news = resolve({**front, **meta}, text, path)  # outlet, ISO date, link: news_meta.py
    title = front_title or (first if is_headline else make_title(text))
    return Article(
        id=article_id,
        title=title,
        text=text,
        path=path,
        source=news.source,
        date=news.date,
        url=safe_url(news.url),
    )


def _looks_like_headline(line: str) -> bool:
    """Headlines are short and do not end like a sentence; body text does."""
    return 0 < len(line) <= MAX_HEADLINE_CHARS and not line.endswith((".", ",", ";", ":"))


def _take_headers(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    meta: dict[str, str] = {}
    index = 0
    while index < len(lines):
        match = HEADER_LINE.match(lines[index].strip())
        if match:
            meta[match.group(1).lower()] = match.group(2).strip()
        elif lines[index].strip():
            break
        index += 1
    return meta, lines[index:]


def _drop_furniture(
    lines: list[str], headline: str | None, furniture: re.Pattern[str]
) -> list[str]:
    """Drop repeated headline lines and page furniture (comment prompts, "Top Stories"...)."""
    kept: list[str] = []
    for line in lines:
        stripped = line.strip()
        if stripped and (stripped == headline or furniture.fullmatch(stripped)):
            continue
        kept.append(line)
    return kept


def make_title(text: str) -> str:
    """A short title from body text: the first sentence, without its dateline, cut on a word."""
    first = text.split("\n", 1)[0]
    first = DATELINE_OUTLET.sub("", first, count=1)
    first = DATELINE.sub("", first, count=1).strip()
    sentence = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0].rstrip(".")
    if len(sentence) <= MAX_TITLE_CHARS:
        return sentence or "Untitled"
    cut = sentence[:MAX_TITLE_CHARS].rsplit(" ", 1)[0].rstrip(",;:")
    return f"{cut}…"


@lru_cache(maxsize=4)
def load_furniture(path: Path = FURNITURE_FILE) -> re.Pattern[str]:
    """One case-insensitive pattern for all furniture lines listed in `path`."""
    patterns = [
        line.strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    return re.compile("|".join(f"(?:{p})" for p in patterns) or r"(?!)", re.IGNORECASE)
