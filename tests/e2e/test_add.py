"""End to end: an admin adds a news page by link in Telegram, and it answers at once."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from tests.conftest import SEEDS
from tests.e2e.conftest import RunningBot, start_bot
from tests.test_adding import article
from tests.web_server import Reply, serve

ADMIN, OTHER = 41, 42


def test_an_admin_adds_a_page_by_link_and_it_answers(tmp_path: Path) -> None:
    corpus = tmp_path / "news"
    shutil.copytree(SEEDS, corpus)
    with serve() as site:
        site.pages["/tram"] = Reply(article("Portville tram line approved"))
        for bot in start_bot(
            tmp_path,
            "--corpus",
            str(corpus),
            CORPUSBOT_TELEGRAM_ADMINS=str(ADMIN),
            CORPUSBOT_FETCH_ALLOW_PRIVATE="true",
        ):
            [refused] = bot.ask(OTHER, f"/add {site.url('/tram')}", user={"id": OTHER})
            assert refused["plain_text"] == "Only the bot's admins can add articles."
            [status] = bot.ask(ADMIN, f"/add {site.url('/tram')} {site.url('/gone')}")
            running, sent = bot, status
            bot.api.wait_for(lambda: "Added:" in _current(running, sent), 30)  # noqa: B023
            report = _current(bot, status)
            assert "Added: Portville tram line approved (Harbor Wire)" in report
            assert f"Skipped {site.url('/gone')}: the server answered 404" in report
            [answer] = bot.ask(ADMIN, "What did the mayor say about the tram?")
            assert "construction will start in 2025" in answer["plain_text"]
    assert len(list((corpus / "web").rglob("*.md"))) == 1


def _current(bot: RunningBot, status: dict[str, Any]) -> str:
    [now] = [m for m in bot.api.messages(ADMIN) if m["message_id"] == status["message_id"]]
    return str(now["plain_text"])
