"""retrieval/ingest/feed_polling.py: a poll of each feed, its new items fetched into the corpus
folder, against a web server on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpusbot.retrieval.ingest.feed_polling import (
    MAX_RETRY_SECONDS,
    FeedPoll,
    FeedState,
    poll_feeds,
    retry_delay,
)
from corpusbot.retrieval.ingest.fetching import FetchSettings
from corpusbot.retrieval.reading.corpus import load_corpus
from tests.test_adding import article
from tests.web_server import Reply, Site, serve

LOCAL = FetchSettings(allow_private=True)
RETRY = 60.0


def rss(*items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Harbor Wire</title>{''.join(items)}</channel></rss>"
    ).encode()


def item(title: str, link: str | None, date: str | None = "Tue, 03 Mar 2026 10:00:00 GMT") -> str:
    parts = [f"<title>{title}</title>"]
    if link:
        parts.append(f"<link>{link}</link>")
    if date:
        parts.append(f"<pubDate>{date}</pubDate>")
    parts.append(f"<description>Summary of {title}: the harbour story in brief.</description>")
    return f"<item>{''.join(parts)}</item>"


FEED = {"Content-Type": "application/rss+xml", "ETag": '"v1"'}


@pytest.fixture
def site() -> Iterator[Site]:
    with serve() as running:
        yield running


def poll(folder: Path, *states: FeedState, due_only: bool = False) -> list[FeedPoll]:
    return poll_feeds(folder, list(states), LOCAL, retry_base=RETRY, due_only=due_only)


def test_new_items_become_articles_with_the_item_s_date_and_link(
    site: Site, tmp_path: Path
) -> None:
    site.pages["/rss"] = Reply(rss(item("Tram line approved", site.url("/tram"))), headers=FEED)
    site.pages["/tram"] = Reply(article("Tram line approved", date="2024-05-02"))
    [found] = poll(tmp_path, FeedState(site.url("/rss")))
    assert (found.status, found.error, found.first) == ("ok", None, True)
    [added] = found.added
    assert added.date == "2026-03-03"  # the item's own, not the page's 2024-05-02
    [read] = load_corpus(tmp_path).articles
    assert read.url == site.url("/tram") and read.date == "2026-03-03"
    assert "Paragraph 11 of the report" in read.text  # the page's article, not the summary
    assert found.state is not None and found.state.validators.etag == '"v1"'
    assert found.state.title == "Harbor Wire"


def test_the_second_poll_is_conditional_and_adds_nothing(site: Site, tmp_path: Path) -> None:
    site.pages["/rss"] = Reply(rss(item("Tram line approved", site.url("/tram"))), headers=FEED)
    site.pages["/tram"] = Reply(article("Tram line approved"))
    [first] = poll(tmp_path, FeedState(site.url("/rss")))
    assert first.state is not None
    [second] = poll(tmp_path, first.state)
    assert (second.status, second.added) == ("not modified", [])
    assert site.requests[-1]["If-None-Match"] == '"v1"'
    assert second.state is not None and second.state.validators.etag == '"v1"'
    assert site.hits == {"/rss": 2, "/tram": 1}


def test_a_known_link_is_not_fetched_again_when_the_feed_changes(
    site: Site, tmp_path: Path
) -> None:
    site.pages["/tram"] = Reply(article("Tram line approved"))
    site.pages["/ferry"] = Reply(article("Ferry to run until June"))
    site.pages["/rss"] = Reply(rss(item("Tram", site.url("/tram"))), headers=FEED)
    [first] = poll(tmp_path, FeedState(site.url("/rss")))
    site.pages["/rss"] = Reply(
        rss(item("Ferry", site.url("/ferry")), item("Tram", site.url("/tram?utm_source=rss"))),
        headers={"Content-Type": "application/rss+xml", "ETag": '"v2"'},
    )
    assert first.state is not None
    [second] = poll(tmp_path, first.state)
    assert [a.title for a in second.added] == ["Ferry"]
    assert second.first is False
    assert site.hits["/tram"] == 1


def test_a_story_two_feeds_share_is_stored_once(site: Site, tmp_path: Path) -> None:
    """The same link with tracking parameters, and the same text under a moved link."""
    site.pages["/tram"] = Reply(article("Tram line approved"))
    site.pages["/moved/tram"] = Reply(article("Tram line approved"))
    site.pages["/a"] = Reply(rss(item("Tram", site.url("/tram"))), headers=FEED)
    site.pages["/b"] = Reply(
        rss(item("Tram", site.url("/tram?utm_medium=feed")), item("Tram", site.url("/moved/tram"))),
        headers=FEED,
    )
    found = poll(tmp_path, FeedState(site.url("/a")), FeedState(site.url("/b")))
    assert [len(p.added) for p in found] == [1, 0]
    assert len(load_corpus(tmp_path).articles) == 1


def test_an_item_whose_page_fails_keeps_the_feed_s_summary_marked_as_one(
    site: Site, tmp_path: Path
) -> None:
    site.pages["/rss"] = Reply(
        rss(item("Gone page", site.url("/missing")), item("No link at all", None, date=None)),
        headers=FEED,
    )
    [found] = poll(tmp_path, FeedState(site.url("/rss")))
    assert [(a.title, a.date) for a in found.added] == [
        ("Gone page", "2026-03-03"),
        ("No link at all", None),  # undated: "now" is never its date
    ]
    texts = {a.title: (tmp_path / a.path).read_text() for a in found.added}
    assert "text: feed summary" in texts["Gone page"]
    assert "Summary of Gone page: the harbour story in brief." in texts["Gone page"]
    assert "url: " not in texts["No link at all"]


def test_a_broken_feed_is_reported_retried_later_and_never_stops_the_others(
    site: Site, tmp_path: Path
) -> None:
    site.pages["/broken"] = Reply(b"oops", 500)
    site.pages["/bad-xml"] = Reply(b"<html>no feed</html>", headers={"Content-Type": "text/xml"})
    site.pages["/rss"] = Reply(rss(item("Tram", site.url("/tram"))), headers=FEED)
    site.pages["/tram"] = Reply(article("Tram line approved"))
    broken, bad, good = poll(
        tmp_path,
        FeedState(site.url("/broken")),
        FeedState(site.url("/bad-xml")),
        FeedState(site.url("/rss")),
    )
    assert (broken.status, broken.error) == ("error", "the server answered 500")
    assert bad.status == "error" and "not an RSS or Atom feed" in (bad.error or "")
    assert good.status == "ok" and len(good.added) == 1
    assert broken.state is not None and broken.state.failures == 1
    assert broken.state.retry_at > time.time() + RETRY * 0.9
    # Waiting: not polled by a round of due feeds; polled again when asked for all.
    assert poll(tmp_path, broken.state, due_only=True) == []
    again = poll(tmp_path, broken.state)
    assert again[0].state is not None and again[0].state.failures == 2
    site.pages["/broken"] = Reply(rss(), headers=FEED)
    [healed] = poll(tmp_path, again[0].state)
    assert healed.status == "ok" and healed.state is not None and healed.state.failures == 0


def test_a_private_address_is_refused_unless_allowed(site: Site, tmp_path: Path) -> None:
    site.pages["/rss"] = Reply(rss(), headers=FEED)
    strict = dataclasses.replace(LOCAL, allow_private=False)
    [refused] = poll_feeds(tmp_path, [FeedState(site.url("/rss"))], strict, retry_base=RETRY)
    assert refused.status == "error" and "private or local address" in (refused.error or "")
    assert site.hits == {}


def test_the_retry_delay_doubles_and_stops_at_a_day() -> None:
    assert [retry_delay(n, 60) for n in (1, 2, 3)] == [60, 120, 240]
    assert retry_delay(40, 60) == retry_delay(10_000, 60) == MAX_RETRY_SECONDS


def test_the_link_a_page_names_as_its_own_is_known_too(site: Site, tmp_path: Path) -> None:
    canonical = '<link rel="canonical" href="https://harbor.example/2026/tram">'
    page = article("Tram line approved").replace(b"<head>", f"<head>{canonical}".encode())
    site.pages["/tram"] = Reply(page)
    site.pages["/a"] = Reply(rss(item("Tram", site.url("/tram"))), headers=FEED)
    site.pages["/b"] = Reply(rss(item("Tram", "https://harbor.example/2026/tram")), headers=FEED)
    found = poll(tmp_path, FeedState(site.url("/a")), FeedState(site.url("/b")))
    assert [len(p.added) for p in found] == [1, 0]  # /b's item is known: not fetched at all
    assert site.hits["/tram"] == 1
