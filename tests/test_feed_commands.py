"""`corpusbot feeds …` (bot/cli/feed_commands.py) and the feeds table (bot/history/feeds.py)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpusbot.bot.history import schema
from corpusbot.bot.history.feeds import COMMAND, SETTINGS, open_feeds
from corpusbot.retrieval.ingest.feed_polling import FeedState
from corpusbot.retrieval.ingest.fetching import Validators
from tests.e2e.test_history import without_write_permission
from tests.test_adding import article
from tests.test_cli import run
from tests.test_feed_polling import FEED, item, rss
from tests.web_server import Reply, Site, serve


@pytest.fixture
def site() -> Iterator[Site]:
    with serve() as running:
        yield running


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "CORPUSBOT_FETCH_ALLOW_PRIVATE": "true",
        "CORPUSBOT_HISTORY_PATH": str(tmp_path / "state" / "history.sqlite3"),
    }


def feeds(
    *args: str, env: dict[str, str], tmp: Path, corpus: Path | None = None
) -> subprocess.CompletedProcess[str]:
    where = ["--corpus", str(corpus)] if corpus else []
    return run("feeds", *args, *where, env=env, cache=tmp / "cache")


def test_add_poll_and_ask_an_article_a_feed_brought(
    site: Site, tmp_path: Path, env: dict[str, str]
) -> None:
    corpus = tmp_path / "news"
    corpus.mkdir()
    site.pages["/rss"] = Reply(rss(item("Tram line approved", site.url("/tram"))), headers=FEED)
    site.pages["/tram"] = Reply(article("Tram line approved"))
    added = feeds("add", site.url("/rss"), env=env, tmp=tmp_path)
    assert added.returncode == 0 and "feeds poll" in added.stdout
    assert feeds("add", site.url("/rss"), env=env, tmp=tmp_path).returncode == 3

    polled = feeds("poll", "--json", env=env, tmp=tmp_path, corpus=corpus)
    assert polled.returncode == 0, polled.stderr
    assert json.loads(polled.stdout) == {
        "feeds": [{"url": site.url("/rss"), "status": "ok", "new": 1, "error": None}]
    }
    again = feeds("poll", "--json", env=env, tmp=tmp_path, corpus=corpus)
    assert json.loads(again.stdout)["feeds"][0] == {
        "url": site.url("/rss"),
        "status": "not modified",
        "new": 0,
        "error": None,
    }
    asked = run(
        "ask",
        "--corpus",
        str(corpus),
        "When will the tram construction start?",
        env=env,
        cache=tmp_path / "cache",
    )
    assert asked.returncode == 0 and "construction will start in 2025" in asked.stdout

    listed = json.loads(feeds("list", "--json", env=env, tmp=tmp_path).stdout)["feeds"]
    assert [(f["url"], f["title"], f["new"], f["error"]) for f in listed] == [
        (site.url("/rss"), "Harbor Wire", 0, None)
    ]
    removed = feeds("remove", site.url("/rss"), env=env, tmp=tmp_path)
    assert removed.returncode == 0 and "stay in the corpus folder" in removed.stdout
    assert feeds("remove", site.url("/rss"), env=env, tmp=tmp_path).returncode == 3
    assert list((corpus / "web").rglob("*.md"))  # the article stays


def test_a_failing_feed_is_listed_with_its_error_and_the_poll_says_so(
    site: Site, tmp_path: Path, env: dict[str, str]
) -> None:
    corpus = tmp_path / "news"
    corpus.mkdir()
    site.pages["/rss"] = Reply(b"gone", 410)
    feeds("add", site.url("/rss"), env=env, tmp=tmp_path)
    polled = feeds("poll", env=env, tmp=tmp_path, corpus=corpus)
    assert polled.returncode == 3  # no feed could be read
    assert f"error {site.url('/rss')}: the server answered 410" in polled.stdout
    listed = feeds("list", env=env, tmp=tmp_path)
    assert "failing (1x): the server answered 410; next try" in listed.stdout


def test_feeds_in_the_settings_are_listed_and_not_removed_from_the_command_line(
    tmp_path: Path, env: dict[str, str]
) -> None:
    env = {**env, "CORPUSBOT_FEEDS_URLS": "https://one.example/rss https://two.example/atom"}
    listed = json.loads(feeds("list", "--json", env=env, tmp=tmp_path).stdout)["feeds"]
    assert [(f["url"], f["from_settings"]) for f in listed] == [
        ("https://one.example/rss", True),
        ("https://two.example/atom", True),
    ]
    refused = feeds("remove", "https://one.example/rss", env=env, tmp=tmp_path)
    assert refused.returncode == 2 and "remove it there" in refused.stderr
    fewer = {**env, "CORPUSBOT_FEEDS_URLS": "https://two.example/atom"}
    listed = json.loads(feeds("list", "--json", env=fewer, tmp=tmp_path).stdout)["feeds"]
    assert [f["url"] for f in listed] == ["https://two.example/atom"]


def test_poll_refuses_the_bundled_corpus_and_a_read_only_folder(
    site: Site, tmp_path: Path, env: dict[str, str]
) -> None:
    site.pages["/rss"] = Reply(rss(item("Tram", site.url("/tram"))), headers=FEED)
    feeds("add", site.url("/rss"), env=env, tmp=tmp_path)
    bundled = feeds("poll", env=env, tmp=tmp_path)
    assert bundled.returncode == 2 and "name the corpus folder" in bundled.stderr
    prefix = without_write_permission()
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        done = run(
            "feeds", "poll", "--corpus", str(folder), env=env, cache=tmp_path / "c", prefix=prefix
        )
    finally:
        folder.chmod(0o755)
    assert done.returncode == 3 and "is read-only" in done.stdout
    assert os.listdir(folder) == [] and site.hits == {}


def test_opml_import_and_export(tmp_path: Path, env: dict[str, str]) -> None:
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="1.0"><head><title>Mine</title></head><body>'
        '<outline text="News"><outline type="rss" text="A" xmlUrl="https://a.example/rss"/>'
        '<outline type="rss" text="B" xmlUrl="https://b.example/feed"/></outline>'
        '<outline text="no feed" htmlUrl="https://c.example/"/>'
        '<outline type="rss" text="A again" xmlUrl="https://a.example/rss"/>'
        "</body></opml>"
    )
    imported = feeds("import", str(opml), env=env, tmp=tmp_path)
    assert imported.returncode == 0 and "imported 2 feeds from subs.opml" in imported.stdout
    exported = feeds("export", env=env, tmp=tmp_path)
    back = tmp_path / "back.opml"
    back.write_text(exported.stdout)
    again = feeds("import", str(back), env=env, tmp=tmp_path)
    assert (
        again.returncode == 3 and "imported 0 feeds from back.opml (2 read already)" in again.stdout
    )


def test_an_opml_file_s_entities_are_never_expanded(tmp_path: Path, env: dict[str, str]) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("https://leak.example/rss")
    opml = tmp_path / "evil.opml"
    opml.write_text(
        f'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<opml version="2.0"><body><outline xmlUrl="&x;"/></body></opml>'
    )
    done = feeds("import", str(opml), env=env, tmp=tmp_path)
    assert done.returncode == 2 and "external entity" in done.stderr  # refused, unread
    assert "leak" not in feeds("list", env=env, tmp=tmp_path).stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("<html><body>no</body></html>", "is not an OPML file (its root is <html>)"),
        ("<opml", "is not an OPML file"),
    ],
)
def test_a_file_that_is_no_opml_is_refused(
    tmp_path: Path, env: dict[str, str], content: str, message: str
) -> None:
    bad = tmp_path / "bad.opml"
    bad.write_text(content)
    done = feeds("import", str(bad), env=env, tmp=tmp_path)
    assert done.returncode == 2 and message in done.stderr
    assert "Traceback" not in done.stderr


def test_the_feed_table_keeps_what_a_poll_found_across_connections(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    bot, shell = open_feeds(path), open_feeds(path)  # the bot and a command beside it
    try:
        assert shell.add("https://a.example/rss")
        state = FeedState(
            "https://a.example/rss",
            Validators('"e1"', "Tue, 03 Mar 2026 10:00:00 GMT"),
            failures=2,
            retry_at=123.0,
            polled_at=100.0,
            last_error="the server answered 500",
            last_new=0,
            title="A",
        )
        bot.save(state)
        [record] = shell.feeds()
        assert (record.state, record.added_by) == (state, COMMAND)
        bot.follow_settings(["https://b.example/rss"])
        assert [(r.state.url, r.added_by) for r in shell.feeds()] == [
            ("https://a.example/rss", COMMAND),
            ("https://b.example/rss", SETTINGS),
        ]
    finally:
        bot.close()
        shell.close()


def test_two_processes_opening_a_new_database_at_once_migrate_it_once(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    errors: list[BaseException] = []

    def open_and_close() -> None:
        try:
            open_feeds(path).close()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_and_close) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    with sqlite3.connect(path) as db:
        assert schema.version_of(db) == schema.VERSION


def test_a_feed_on_a_private_address_is_refused_when_added(
    tmp_path: Path, env: dict[str, str]
) -> None:
    # Said at once, not only at each poll (a poll refuses it too): the settings allow no
    # loopback or intranet address unless [fetch] allow_private says so.
    strict = {k: v for k, v in env.items() if k != "CORPUSBOT_FETCH_ALLOW_PRIVATE"}
    refused = feeds("add", "http://127.0.0.1:9/rss", env=strict, tmp=tmp_path)
    assert refused.returncode == 2, refused.stdout
    assert "private or local address" in refused.stderr and "allow_private" in refused.stderr
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="1.0"><body>'
        '<outline type="rss" text="Here" xmlUrl="http://localhost:9/rss"/>'
        '<outline type="rss" text="A" xmlUrl="https://a.example/rss"/>'
        "</body></opml>"
    )
    imported = feeds("import", str(opml), env=strict, tmp=tmp_path)
    assert "imported 1 feed from subs.opml" in imported.stdout
    assert "skipped http://localhost:9/rss" in imported.stdout
    listed = feeds("list", "--json", env=strict, tmp=tmp_path)
    assert [f["url"] for f in json.loads(listed.stdout)["feeds"]] == ["https://a.example/rss"]
