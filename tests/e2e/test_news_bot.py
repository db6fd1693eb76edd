"""End to end over the news corpus (tests/data/news/): dates, outlets and freshness in the real
bot's replies, against the local Bot API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import DATA
from tests.e2e.conftest import RunningBot, eventually, start_bot


@pytest.fixture(scope="module")
def news_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    yield from start_bot(tmp_path_factory.mktemp("news-bot"), CORPUSBOT_CORPUS=str(DATA / "news"))


def buttons(message: dict[str, Any]) -> list[str]:
    markup = message["reply_markup"] or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


def test_latest_lists_the_newest_articles(news_bot: RunningBot) -> None:
    [reply] = news_bot.ask(301, "/latest")
    lines = reply["plain_text"].splitlines()
    assert lines[0] == "The 10 newest articles"
    assert lines[2] == "#31 Dock workers end strike at Portville port — Harbor Wire, 14 Jun 2024"
    assert lines[3].endswith("— Harbor Wire, 12 Jun 2024")
    assert "Lantern festival returns after two-year pause — AA, 14 Aug 2023" in lines[11]


def test_sources_shows_dates_span_and_outlets_paged(news_bot: RunningBot) -> None:
    [first] = news_bot.ask(302, "/sources")
    text = first["plain_text"]
    assert text.startswith(
        "Articles 1–10 of 33\nFrom 12 Mar 2019 to 14 Jun 2024 (30 of 33 dated)"
        "\nBy outlet: AA 9, Valley Courier 9, Harbor Wire 8, Tasnim 7\n"
    )
    assert (
        "#1 Old Mill Bridge closed after inspectors find cracks — Valley Courier, 9 Apr 2021"
        in text
    )
    assert "#2 Ferry timetable changes for winter — Valley Courier\n" in text  # impossible date
    assert buttons(first) == ["src:1"]
    news_bot.api.press_button(302, first["message_id"], "src:1")

    def turned() -> bool:
        [shown] = [m for m in news_bot.api.messages(302) if m["message_id"] == first["message_id"]]
        return (
            "#11 Traffic jams after Old Mill Bridge closure — AA, 27 Apr 2021"
            in shown["plain_text"]
        )

    eventually(turned)


def test_a_year_in_the_question_limits_and_labels_the_answer(news_bot: RunningBot) -> None:
    [reply] = news_bot.ask(303, "What about the nuclear talks in 2021?")
    assert reply["text"].startswith("<i>From articles of 2021:</i>\n\n<b>1.</b>")
    assert "Nuclear talks stall over enrichment limits — Tasnim, 18 Jun 2021" in reply["plain_text"]
    for year in ("2019", "2020", "2022", "2023", "2024"):
        assert year not in reply["plain_text"]


def test_latest_quotes_the_newest_first_with_its_link(news_bot: RunningBot) -> None:
    [reply] = news_bot.ask(304, "What is the latest on the nuclear talks?")
    assert reply["plain_text"].startswith(
        "Newest first:\n\n1. Arland and Belmora agree a draft nuclear accord — Tasnim, 8 Jun 2024"
    )
    assert '<a href="https://tasnim.example/en/news/2024/06/08/draft-accord">' in reply["text"]
    assert "— AA, 1 Jun 2024" in reply["plain_text"].split("3.")[0]


def test_outlets_in_the_question(news_bot: RunningBot) -> None:
    [aa] = news_bot.ask(305, "What did AA report about the bridge?")
    assert aa["plain_text"].startswith(
        "From AA articles:\n\n1. Traffic jams after Old Mill Bridge closure — AA, 27 Apr 2021"
    )
    assert "Valley Courier" not in aa["plain_text"] and "Tasnim" not in aa["plain_text"]
    [missing] = news_bot.ask(305, "According to Reuters, what happened to the bridge?")
    assert missing["plain_text"] == (
        "No article from Reuters. The outlets I have: AA, Valley Courier, Harbor Wire, Tasnim."
    )


def test_one_story_twice_quotes_the_newest_and_dates_the_older(news_bot: RunningBot) -> None:
    [reply] = news_bot.ask(306, "container terminal expansion approved")
    first = reply["plain_text"].split("\n2. ")[0]
    assert first.startswith(
        "1. Container terminal expansion gets final approval — AA, "
        "10 Jun 2024\nThe city council gave final approval"
    )
    assert first.rstrip().endswith(
        "Also reported in: Council approves container terminal "
        "expansion — Valley Courier, 15 Mar 2023, 1 year earlier"
    )


def test_what_happened_last_week(news_bot: RunningBot) -> None:
    [reply] = news_bot.ask(307, "What happened last week?")
    text = reply["plain_text"]
    assert text.startswith(
        "The newest articles of the last week (8–14 Jun 2024, up to the "
        "newest article):\n\n1. Dock workers end strike at Portville port — "
        "Harbor Wire, 14 Jun 2024"
    )
    [more_data] = [data for data in buttons(reply) if data.startswith("more:3:")]
    [more] = news_bot.press(307, reply, more_data)
    assert more["plain_text"].startswith(
        "The newest articles of the last week (8–14 Jun 2024, "
        "up to the newest article):\n\n4. Arland and Belmora "
        "agree a draft nuclear accord — Tasnim, 8 Jun 2024"
    )
