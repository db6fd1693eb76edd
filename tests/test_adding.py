"""retrieval/ingest/adding.py and `corpusbot add`: pages by link into the corpus folder."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpusbot.config import BUNDLED_CORPUS
from corpusbot.retrieval.ingest.adding import WEB_FOLDER, add_links, canonical
from corpusbot.retrieval.ingest.fetching import FetchSettings
from corpusbot.retrieval.reading.corpus import load_corpus
from tests.e2e.test_history import without_write_permission
from tests.test_cli import run
from tests.web_server import Reply, Site, serve

LOCAL = FetchSettings(allow_private=True)
BODY = " ".join(f"Paragraph {n} of the report on the Portville tram line." for n in range(12))


def article(headline: str, body: str = BODY, date: str | None = "2024-05-02") -> bytes:
    published = f'<meta property="article:published_time" content="{date}T09:00:00Z">'
    return (
        "<html><head>"
        f"<title>{headline}</title>"
        f"{published if date else ''}"
        '<meta property="og:site_name" content="Harbor Wire">'
        f"</head><body><nav>Home | Sport | Weather</nav><article><h1>{headline}</h1>"
        f"<p>{body}</p><p>The mayor said construction will start in 2025.</p></article>"
        "<footer>Subscribe to our newsletter</footer></body></html>"
    ).encode()


@pytest.fixture
def site() -> Iterator[Site]:
    with serve() as running:
        yield running


def test_a_page_becomes_a_markdown_article_with_its_metadata(site: Site, tmp_path: Path) -> None:
    site.pages["/2024/tram"] = Reply(article("Tram line approved"))
    report = add_links(tmp_path, [site.url("/2024/tram")], LOCAL)
    [added] = report.added
    assert (added.title, added.date, added.source) == (
        "Tram line approved",
        "2024-05-02",
        "Harbor Wire",
    )
    assert added.path.startswith(f"{WEB_FOLDER}/") and added.path.endswith(".md")
    [read] = load_corpus(tmp_path).articles
    assert (read.id, read.title, read.source, read.date) == (
        added.article_id,
        "Tram line approved",
        "Harbor Wire",
        "2024-05-02",
    )
    assert "Paragraph 11 of the report" in read.text
    assert "Subscribe" not in read.text and "Weather" not in read.text  # furniture dropped
    assert not list(tmp_path.rglob("*.tmp"))  # written whole, nothing left half-written


def test_a_long_link_names_its_file_by_whole_words(site: Site, tmp_path: Path) -> None:
    # The file name kept the path's last 60 characters, cut inside a word: "e-spreads-via-...".
    path = "/news/2020/02/18/android-ransomware-spreads-via-sex-simulation-game-links-on-reddit"
    site.pages[path] = Reply(article("Android ransomware spreads"))
    [added] = add_links(tmp_path, [site.url(path)], LOCAL).added
    name = Path(added.path).name
    assert name.startswith("ransomware-spreads-via-sex-simulation-game-links-on-reddit-"), name
    assert len(name.rsplit("-", 1)[0]) <= 60


def test_the_date_is_never_read_from_the_text(site: Site, tmp_path: Path) -> None:
    site.pages["/undated"] = Reply(article("Tram line approved", date=None))
    [added] = add_links(tmp_path, [site.url("/undated")], LOCAL).added
    assert added.date is None  # not 2025-01-01 from "start in 2025"


def test_the_same_link_or_its_canonical_form_adds_nothing(site: Site, tmp_path: Path) -> None:
    site.pages["/a"] = Reply(article("Tram line approved"))
    site.pages["/a?utm_source=feed&utm_medium=rss"] = Reply(article("Tram line approved"))
    first = add_links(tmp_path, [site.url("/a")], LOCAL)
    again = add_links(
        tmp_path, [site.url("/a"), site.url("/a?utm_source=feed&utm_medium=rss")], LOCAL
    )
    assert len(first.added) == 1 and not again.added and not again.replaced
    assert all("already in the corpus" in s.reason for s in again.skipped)
    assert len(list((tmp_path / WEB_FOLDER).rglob("*.md"))) == 1


def test_a_changed_text_replaces_its_file_under_the_same_id(site: Site, tmp_path: Path) -> None:
    site.pages["/a"] = Reply(article("Tram line approved"))
    [first] = add_links(tmp_path, [site.url("/a")], LOCAL).added
    site.pages["/a"] = Reply(article("Tram line approved", body=BODY + " Update: a second vote."))
    [second] = add_links(tmp_path, [site.url("/a")], LOCAL).replaced
    assert (second.path, second.article_id) == (first.path, first.article_id)
    assert "a second vote" in (tmp_path / second.path).read_text(encoding="utf-8")


def test_a_page_without_an_article_is_skipped_with_the_reason(site: Site, tmp_path: Path) -> None:
    site.pages["/menu"] = Reply(b"<html><body><nav>Home | Sport</nav></body></html>")
    [skipped] = add_links(tmp_path, [site.url("/menu")], LOCAL).skipped
    assert skipped.reason == "no article text found on the page"


def test_a_feed_link_is_skipped_with_the_command_that_reads_feeds(
    site: Site, tmp_path: Path
) -> None:
    feed = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title></channel></rss>'
    site.pages["/feed.xml"] = Reply(feed, headers={"Content-Type": "application/rss+xml"})
    report = add_links(tmp_path, [site.url("/feed.xml")], LOCAL)
    [skipped] = report.skipped
    assert skipped.reason.startswith("a feed, not an article")
    assert "`corpusbot feeds add URL` reads it" in skipped.reason
    assert report.added == [] and not (tmp_path / WEB_FOLDER).exists()


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("http://Example.org/a/", "https://example.org/a"),
        ("https://example.org/a?utm_source=x&id=3#top", "https://example.org/a?id=3"),
        ("https://example.org:443/a?fbclid=1", "https://example.org/a"),
    ],
)
def test_canonical_forms_meet(one: str, other: str) -> None:
    assert canonical(one) == canonical(other)


def test_the_add_command_prints_json_and_takes_the_article_in(site: Site, tmp_path: Path) -> None:
    site.pages["/tram"] = Reply(article("Tram line approved"))
    corpus = tmp_path / "news"
    corpus.mkdir()
    env = {"CORPUSBOT_FETCH_ALLOW_PRIVATE": "true"}
    done = run(
        "add",
        "--corpus",
        str(corpus),
        "--json",
        site.url("/tram"),
        site.url("/none"),
        env=env,
        cache=tmp_path / "cache",
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    [added] = report["added"]
    assert set(added) == {"url", "path", "article_id", "title", "date", "source"}
    assert report["skipped"] == [{"url": site.url("/none"), "reason": "the server answered 404"}]
    asked = run(
        "ask",
        "--corpus",
        str(corpus),
        "--json",
        "What did the mayor say about the tram?",
        cache=tmp_path / "cache",
    )
    assert json.loads(asked.stdout)["quotes"][0]["article_id"] == added["article_id"]


def test_a_loopback_link_is_refused_by_default(site: Site, tmp_path: Path) -> None:
    site.pages["/tram"] = Reply(article("Tram line approved"))
    done = run("add", "--corpus", str(tmp_path), site.url("/tram"), cache=tmp_path / "cache")
    assert done.returncode == 3 and "private or local address" in done.stdout
    assert site.hits == {}


def test_links_are_never_added_to_the_bundled_corpus(site: Site, tmp_path: Path) -> None:
    site.pages["/tram"] = Reply(article("Tram line approved"))
    env = {"CORPUSBOT_FETCH_ALLOW_PRIVATE": "true"}
    done = run("add", site.url("/tram"), env=env, cache=tmp_path / "cache")
    assert done.returncode == 2 and "name the corpus folder" in done.stderr
    assert site.hits == {}
    assert not (BUNDLED_CORPUS / WEB_FOLDER).exists()


def test_a_read_only_corpus_folder_is_refused_clearly(site: Site, tmp_path: Path) -> None:
    prefix = without_write_permission()
    site.pages["/tram"] = Reply(article("Tram line approved"))
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        done = run(
            "add",
            "--corpus",
            str(folder),
            site.url("/tram"),
            env={"CORPUSBOT_FETCH_ALLOW_PRIVATE": "true"},
            cache=tmp_path / "cache",
            prefix=prefix,
        )
    finally:
        folder.chmod(0o755)
    assert done.returncode == 3 and "is read-only" in done.stdout
    assert os.listdir(folder) == []
