"""`corpusbot follows [--json]` and `corpusbot follows test WORDS` (bot/cli/follow_commands.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from corpusbot.bot.history.follows import open_follows
from tests.test_cli import run


def test_follows_lists_every_follow_with_its_alerts(tmp_path: Path) -> None:
    state = tmp_path / "state" / "history.sqlite3"
    env = {"CORPUSBOT_HISTORY_PATH": str(state)}
    empty = run("follows", env=env, cache=tmp_path / "cache")
    assert empty.returncode == 0 and "no follows yet" in empty.stdout
    store = open_follows(state)
    try:
        store.add(5, "Portville tram line")
        store.add(-100, "harbour fees")
    finally:
        store.close()
    listed = json.loads(run("follows", "--json", env=env, cache=tmp_path / "cache").stdout)
    assert [(f["chat_id"], f["query"], f["alerts"], f["paused"]) for f in listed["follows"]] == [
        (5, "Portville tram line", 0, False),
        (-100, "harbour fees", 0, False),
    ]


def test_follows_test_shows_what_the_last_week_would_have_sent(tmp_path: Path) -> None:
    corpus = tmp_path / "news"
    corpus.mkdir()
    today = dt.datetime.now(dt.UTC).date()
    for name, days, title in (("new.txt", 2, "Tram line approved"), ("old.txt", 30, "Tram plan")):
        (corpus / name).write_text(
            f"{title}\nsource: Harbor Wire\ndate: {today - dt.timedelta(days=days)}\n\n"
            "The Portville tram line was approved by the council, the mayor said.\n"
        )
    found = run(
        "follows",
        "test",
        "Portville tram line",
        "--json",
        "--corpus",
        str(corpus),
        cache=tmp_path / "cache",
    )
    assert found.returncode == 0, found.stderr
    matched = json.loads(found.stdout)["matched"]
    assert [m["title"] for m in matched] == ["Tram line approved"]  # not the month-old one
    nothing = run(
        "follows", "test", "volcano eruption", "--corpus", str(corpus), cache=tmp_path / "cache"
    )
    assert nothing.returncode == 3 and "0 articles of the last 7 days" in nothing.stdout
