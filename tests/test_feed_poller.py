"""bot/app/feed_poller.py: rounds of polls stored, and which feeds broke or recovered in each; the
/feeds report (bot/telegram/messages.py) within one message."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from corpusbot.bot.answer.text_limits import TELEGRAM_LIMIT, utf16_length
from corpusbot.bot.app.feed_poller import poll_round
from corpusbot.bot.history.feeds import open_feeds
from corpusbot.bot.telegram.messages import feeds_report
from corpusbot.config.settings import load_settings
from tests.test_adding import article
from tests.test_feed_polling import FEED, item, rss
from tests.web_server import Reply, Site, serve


@pytest.fixture
def site() -> Iterator[Site]:
    with serve() as running:
        yield running


def test_a_feed_is_reported_broken_once_and_recovered_once(site: Site, tmp_path: Path) -> None:
    corpus = tmp_path / "news"
    corpus.mkdir()
    settings = load_settings(
        env={"CORPUSBOT_FETCH_ALLOW_PRIVATE": "true", "CORPUSBOT_FEEDS_URLS": site.url("/rss")},
        corpus=corpus,
    )
    store = open_feeds(tmp_path / "state.sqlite3")
    try:
        site.pages["/rss"] = Reply(b"down", 503)
        first = poll_round(settings, store)
        assert [p.url for p in first.broke] == [site.url("/rss")] and first.recovered == []
        second = poll_round(settings, store)  # still broken: nobody is told again
        assert (second.broke, second.recovered) == ([], [])
        assert poll_round(settings, store, due_only=True).polls == []  # waiting to retry
        site.pages["/rss"] = Reply(rss(item("Tram", site.url("/tram"))), headers=FEED)
        site.pages["/tram"] = Reply(article("Tram line approved"))
        third = poll_round(settings, store)
        assert [p.url for p in third.recovered] == [site.url("/rss")] and third.new == 1
        [record] = store.feeds()
        assert (record.state.failures, record.state.last_new) == (0, 1)
    finally:
        store.close()


def test_the_feeds_report_fits_one_message_however_many_feeds() -> None:
    lines = [
        (f"https://site{n}.example/{'x' * 300}", "\U0001d400" * 400, "failing (3x): " + "e" * 900)
        for n in range(200)
    ]
    text = feeds_report(lines, 30)
    assert utf16_length(text) <= TELEGRAM_LIMIT
    assert text.startswith("<b>200 feeds</b>, read every 30 minutes:")
    assert "more: <code>corpusbot feeds list</code>" in text
    assert "none was added yet" in feeds_report([], 30)
