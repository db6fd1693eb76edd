"""End to end: a running bot reads its feeds, answers from what they brought, tells its admins
when a feed breaks, and shows them /feeds."""

from __future__ import annotations

import shutil
from pathlib import Path

from corpusbot.bot.local_api import LocalBotApi
from tests.conftest import SEEDS
from tests.e2e.conftest import TOKEN, RunningBot, launch_bot
from tests.test_adding import article
from tests.test_feed_polling import FEED, item, rss
from tests.web_server import Reply, Site, serve

ADMIN, OTHER = 51, 52


def test_the_bot_reads_its_feeds_and_an_admin_hears_when_one_breaks(tmp_path: Path) -> None:
    corpus = tmp_path / "news"
    shutil.copytree(SEEDS, corpus)
    with serve() as site:
        site.pages["/rss"] = Reply(rss(item("Portville tram", site.url("/tram"))), headers=FEED)
        site.pages["/tram"] = Reply(article("Portville tram line approved"))
        site.pages["/broken"] = Reply(b"down for maintenance", 503)
        with LocalBotApi(token=TOKEN) as api:
            api.send_user_message(ADMIN, "hello")  # an admin who wrote to the bot before
            bot = launch_bot(
                api,
                tmp_path,
                "--corpus",
                str(corpus),
                CORPUSBOT_TELEGRAM_ADMINS=str(ADMIN),
                CORPUSBOT_FETCH_ALLOW_PRIVATE="true",
                CORPUSBOT_FEEDS_URLS=f"{site.url('/rss')} {site.url('/broken')}",
            )
            try:
                check_the_feeds(bot, site)
            finally:
                bot.stop()
    assert len(list((corpus / "web").rglob("*.md"))) == 1


def check_the_feeds(bot: RunningBot, site: Site) -> None:
    # The first round runs at start: one feed brings an article, one is broken.
    def told() -> list[str]:
        return [m["plain_text"] for m in bot.api.messages(ADMIN) if m["from_bot"]]

    bot.api.wait_for(lambda: any("stopped working" in text for text in told()), 30)
    [broke] = [text for text in told() if "stopped working" in text]
    assert broke.startswith(f"⚠️ The feed {site.url('/broken')} stopped working")
    assert "the server answered 503" in broke

    def answered() -> bool:
        [reply] = bot.ask(ADMIN, "What did the mayor say about the tram?")
        return "construction will start in 2025" in reply["plain_text"]

    bot.api.wait_for(answered, 30)
    [refused] = bot.ask(OTHER, "/feeds", user={"id": OTHER})
    assert refused["plain_text"] == "Only the bot's admins can see the feeds."
    [listing] = bot.ask(ADMIN, "/feeds")
    text = listing["plain_text"]
    assert text.startswith("2 feeds, read every 30 minutes:")
    assert "1. Harbor Wire" in text
    assert "named in the settings; last read " in text and ", 1 new article" in text
    assert "failing (1x): the server answered 503; next try" in text
