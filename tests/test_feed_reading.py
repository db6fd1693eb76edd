"""retrieval/ingest/feed_reading.py: RSS and Atom items read with feedparser from a poll's bytes."""

from __future__ import annotations

import datetime as dt

import pytest

from corpusbot.retrieval.ingest.feed_reading import FeedError, ParsedFeed, read_feed

FETCHED = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC).timestamp()
FEED_URL = "https://news.example/feeds/all.xml"


def rss(items: str, encoding: str = "utf-8") -> bytes:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        '<rss version="2.0"><channel><title>Harbor Wire</title>'
        f"<link>https://news.example/</link>{items}</channel></rss>"
    ).encode(encoding)


def read(raw: bytes, content_type: str = "application/rss+xml") -> ParsedFeed:
    return read_feed(raw, url=FEED_URL, content_type=content_type, fetched_at=FETCHED)


def test_items_keep_their_own_link_date_and_plain_summary() -> None:
    feed = read(
        rss(
            "<item><title>Tram line approved</title><link>/2026/03/tram</link>"
            "<guid>tram-1</guid><pubDate>Tue, 03 Mar 2026 10:00:00 GMT</pubDate>"
            "<description>&lt;p&gt;The council &lt;b&gt;approved&lt;/b&gt; it.&lt;/p&gt;"
            "&lt;p&gt;Work starts in May.&lt;/p&gt;</description></item>"
        )
    )
    assert feed.title == "Harbor Wire"
    [item] = feed.items
    assert item.link == "https://news.example/2026/03/tram"  # resolved against the feed
    assert (item.title, item.date) == ("Tram line approved", "2026-03-03")
    assert item.summary == "The council approved it.\n\nWork starts in May."


def test_no_date_stays_undated_and_a_date_after_the_fetch_is_dropped() -> None:
    feed = read(
        rss(
            "<item><title>Undated</title><link>https://news.example/a</link></item>"
            "<item><title>Tomorrow</title><link>https://news.example/b</link>"
            "<pubDate>Wed, 11 Mar 2026 08:00:00 GMT</pubDate></item>"
        )
    )
    assert [(item.title, item.date) for item in feed.items] == [
        ("Undated", None),
        ("Tomorrow", None),
    ]


def test_atom_content_is_preferred_to_a_shorter_summary() -> None:
    atom = (
        b'<?xml version="1.0" encoding="utf-8"?>'
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>Port Log</title>'
        b"<entry><title>Ferry</title><link href='https://port.example/ferry'/>"
        b"<id>urn:1</id><updated>2026-03-01T09:00:00Z</updated>"
        b"<summary>Short.</summary>"
        b"<content type='html'>&lt;p&gt;The ferry runs until June.&lt;/p&gt;</content>"
        b"</entry></feed>"
    )
    [item] = read(atom, "application/atom+xml").items
    assert (item.link, item.date, item.guid) == (
        "https://port.example/ferry",
        "2026-03-01",
        "urn:1",
    )
    assert item.summary == "The ferry runs until June."


def test_the_xml_encoding_is_read_from_the_bytes() -> None:
    raw = rss("<item><title>Café reopens</title><link>https://news.example/c</link></item>")
    latin = raw.decode("utf-8").replace("utf-8", "iso-8859-1").encode("iso-8859-1")
    [item] = read(latin, "text/xml").items
    assert item.title == "Café reopens"


def test_broken_xml_keeps_the_items_read_before_the_break() -> None:
    raw = rss(
        "<item><title>Whole</title><link>https://news.example/w</link></item>"
        "<item><title>Broken & cut"
    )
    feed = read(raw)
    assert [item.title for item in feed.items] == ["Whole"]


def test_a_feed_cut_off_before_its_first_item_is_broken_not_empty() -> None:
    # A truncated download parses as an RSS feed with no items: a poll must report it broken
    # (admins hear of it, and it is retried), not "ok, 0 new".
    whole = rss("<item><title>Ferry timetable</title></item>")
    cut = whole[: whole.index(b"<item>") + len(b"<item><tit")]
    with pytest.raises(FeedError, match="broken feed"):
        read(cut)


def test_a_well_formed_feed_with_no_items_is_empty_not_broken() -> None:
    assert read(rss("")).items == []


@pytest.mark.parametrize(
    "raw", [b"<html><body><p>Just a page</p></body></html>", b"not xml at all", b""]
)
def test_what_is_no_feed_is_refused_with_the_reason(raw: bytes) -> None:
    with pytest.raises(FeedError, match="not an RSS or Atom feed"):
        read(raw, "text/html")


def test_script_and_style_in_a_summary_are_no_text() -> None:
    [item] = read(
        rss(
            "<item><title>Tram</title><link>https://news.example/t</link><description>"
            "&lt;style&gt;p {color: red}&lt;/style&gt;&lt;p&gt;The tram runs.&lt;/p&gt;"
            "&lt;script&gt;alert('x')&lt;/script&gt;</description></item>"
        )
    ).items
    assert item.summary == "The tram runs."
