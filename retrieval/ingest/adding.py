"""Links into the corpus folder: `corpusbot add URL` and the admins' `/add URL`.

Each page is fetched (retrieval/ingest/fetching.py), its article extracted
(retrieval/ingest/extraction.py) and written into the corpus folder, under `web/<site>/`, as a `.md`
file with front matter (title, date, source, author, url, fetched, sha256): the folder stays the one
source of truth, readable and editable by a person. A file is written whole or not at all (a
temporary file renamed into place). The same link, or its canonical form (https, no tracking
parameters, no fragment), adds nothing when its text is unchanged, and replaces its file when the
text changed. The file's name, and so the article's id, never changes once written. The same text
under another link (a story two feeds share, a link that moved) is stored once: the archive knows
each file's text by its digest too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from corpusbot.retrieval.ingest.extraction import Extracted, ExtractionError, extract_article
from corpusbot.retrieval.ingest.fetching import (
    FetchError,
    FetchSettings,
    Resolver,
    fetch,
    system_resolver,
)
from corpusbot.retrieval.reading import MAX_LINES, split_front_matter

__all__ = [
    "WEB_FOLDER",
    "AddReport",
    "AddedArticle",
    "SkippedLink",
    "WebArchive",
    "add_links",
    "canonical",
]

WEB_FOLDER = "web"  # inside the corpus folder: the pages added by link
_TRACKING = re.compile(r"^(?:utm_[a-z]+|fbclid|gclid|dclid|mc_cid|mc_eid|igshid|ref_src)$")
_SLUG = re.compile(r"[^a-z0-9]+")
SLUG_CHARS = 60  # of a link's path in its file's name


@dataclass(frozen=True)
class AddedArticle:
    url: str
    path: str  # relative to the corpus folder
    article_id: str
    title: str
    date: str | None
    source: str | None


@dataclass(frozen=True)
class SkippedLink:
    url: str
    reason: str


@dataclass
class AddReport:
    added: list[AddedArticle] = field(default_factory=list)
    replaced: list[AddedArticle] = field(default_factory=list)
    skipped: list[SkippedLink] = field(default_factory=list)


@dataclass(frozen=True)
class _Known:
    path: Path
    digest: str


class WebArchive:
    """The articles under the folder's `web/`, known by canonical link and by text digest,
    and the filing of new ones there."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._by_link: dict[str, _Known] = {}
        self._by_digest: dict[str, _Known] = {}
        for path in (folder / WEB_FOLDER).rglob("*.md") if (folder / WEB_FOLDER).is_dir() else ():
            fields = _front_fields(path)
            if "sha256" in fields:
                links = {fields["url"]} if "url" in fields else set()
                self._remember(links, path, fields["sha256"])

    def knows(self, url: str) -> bool:
        """Whether a page of this link (in canonical form) is in the archive."""
        return canonical(url) in self._by_link

    def file(
        self,
        links: Iterable[str],
        article: Extracted,
        *,
        fetched_at: float,
        report: AddReport,
        summary: bool = False,
    ) -> None:
        """Write `article` (found at `links`) unless its text is in already; say which it was
        in `report`. `summary`: the text is a feed's summary, marked so in the front matter."""
        keys = {canonical(link) for link in links}
        digest = hashlib.sha256(article.text.encode()).hexdigest()
        shown = article.url or next(iter(sorted(links)), "")
        earlier = next((self._by_link[key] for key in sorted(keys) if key in self._by_link), None)
        same_text = self._by_digest.get(digest)
        if same_text is not None:
            where = same_text.path.relative_to(self.folder).as_posix()
            report.skipped.append(SkippedLink(shown, f"already in the corpus ({where})"))
            self._remember(keys, same_text.path, digest)
            return
        path = earlier.path if earlier is not None else self._new_path(article, digest)
        _write_atomically(path, _markdown(article, fetched_at, digest, summary=summary))
        self._remember(keys, path, digest)
        added = AddedArticle(
            url=shown,
            path=path.relative_to(self.folder).as_posix(),
            article_id=path.stem,
            title=article.title,
            date=article.date,
            source=article.source,
        )
        (report.replaced if earlier is not None else report.added).append(added)

    def _remember(self, links: Iterable[str], path: Path, digest: str) -> None:
        known = _Known(path, digest)
        for link in links:
            self._by_link[canonical(link)] = known
        self._by_digest[digest] = known

    def _new_path(self, article: Extracted, digest: str) -> Path:
        key = canonical(article.url) if article.url else ""
        return _new_path(self.folder, key or f"https://{article.source or 'feed'}/{article.title}")


def canonical(url: str) -> str:
    """The form two links to one page share: https, the host in lower case without a default
    port, no fragment, no tracking parameters, no trailing slash."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if not _TRACKING.match(k)])
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("https", host + port, path, query, ""))


def add_links(
    folder: Path,
    urls: Iterable[str],
    settings: FetchSettings,
    *,
    resolver: Resolver = system_resolver,
) -> AddReport:
    """Fetch each of `urls` into `folder`; what was added, replaced and skipped, and why."""
    report = AddReport()
    links = list(urls)
    if not os.access(folder, os.W_OK):
        reason = f"the corpus folder {folder} is read-only; make it writable to add articles"
        report.skipped = [SkippedLink(url, reason) for url in links]
        return report
    archive = WebArchive(folder)
    for url in links:
        try:
            page = fetch(url, settings, resolver=resolver)
            article = extract_article(page)
        except (FetchError, ExtractionError) as exc:
            report.skipped.append(SkippedLink(url, str(exc)))
            continue
        links_of_page = (url, page.url, article.url)
        archive.file(links_of_page, article, fetched_at=page.fetched_at, report=report)
    return report


def _new_path(folder: Path, key: str) -> Path:
    """web/<site>/<headline-ish slug>-<8 hex of the link>.md: unique, and stable for the link."""
    parts = urlsplit(key)
    site = _SLUG.sub("-", (parts.hostname or "site").lower()).strip("-") or "site"
    slug = _slug_end(_SLUG.sub("-", parts.path.lower()).strip("-"), SLUG_CHARS) or "page"
    tag = hashlib.sha256(key.encode()).hexdigest()[:8]
    return folder / WEB_FOLDER / site / f"{slug}-{tag}.md"


def _slug_end(slug: str, limit: int) -> str:
    """The last whole words of `slug` that fit in `limit` characters (a link's path ends with
    its headline): "…-ransomware-spreads-via-sex" not "e-spreads-via-sex". One word longer than
    `limit` is cut to its end."""
    words = slug.split("-")
    kept: list[str] = []
    size = -1
    for word in reversed(words):
        if size + 1 + len(word) > limit:
            break
        kept.append(word)
        size += 1 + len(word)
    return "-".join(reversed(kept)) if kept else slug[-limit:]


def _markdown(article: Extracted, fetched_at: float, digest: str, *, summary: bool) -> str:
    fields = {
        "title": _one_line(article.title),
        "date": article.date,
        "source": article.source and _one_line(article.source),
        "author": article.author and _one_line(article.author),
        "url": article.url,
        "fetched": _iso(fetched_at),
        "text": "feed summary" if summary else None,  # the page itself could not be read
        "sha256": digest,
    }
    front = "".join(f"{key}: {value}\n" for key, value in fields.items() if value)
    return f"---\n{front}---\n\n# {_one_line(article.title)}\n\n{article.text}\n"


def _write_atomically(path: Path, text: str) -> None:
    """`text` at `path`, whole or not at all: written beside it, then renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".adding-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _front_fields(path: Path) -> dict[str, str]:
    """The front matter of the file at `path`, read as the corpus reads it."""
    try:
        with path.open(encoding="utf-8", errors="replace") as text:
            head = list(itertools.islice(text, MAX_LINES + 2))
    except OSError:
        return {}
    return split_front_matter(head)[0]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _iso(moment: float) -> str:
    return dt.datetime.fromtimestamp(moment, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
