"""End to end: a dated corpus of 23 articles (so /sources pages) and an allow-list."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import RunningBot, eventually, start_bot
from tests.e2e.test_bot import buttons

ALLOWED, STRANGER = 7, 8


def write_corpus(folder: Path, count: int = 23) -> Path:
    folder.mkdir()
    for n in range(1, count + 1):
        (folder / f"{n:03}.txt").write_text(
            f"Harbour report number {n}\nsource: Gazette {n}\ndate: 2024-01-{n:02}\n"
            f"url: https://example.org/{n}\n\n"
            f"The harbour of town {n} handled {n * 100} ships this week, the port authority "
            f"said on Monday.\nOfficials expect more traffic next month.\n",
            encoding="utf-8",
        )
    return folder


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    tmp = tmp_path_factory.mktemp("restricted")
    corpus = write_corpus(tmp / "corpus")
    # Every update counts against the rate limit: a burst that covers this module's requests.
    yield from start_bot(
        tmp,
        "--corpus",
        str(corpus),
        CORPUSBOT_TELEGRAM_ALLOWED_USERS=str(ALLOWED),
        CORPUSBOT_TELEGRAM_RATE_BURST="50",
    )


def test_welcome_gives_the_date_span(bot: RunningBot) -> None:
    [welcome] = bot.ask(ALLOWED, "/start")
    assert "23 news articles, from 1 Jan 2024 to 23 Jan 2024" in welcome["plain_text"]


def test_sources_pages_by_ten_with_buttons(bot: RunningBot) -> None:
    [page] = bot.ask(ALLOWED, "/sources")
    assert page["plain_text"].startswith("Articles 1–10 of 23")
    assert "#1 Harbour report number 1 — Gazette 1, 1 Jan 2024" in page["plain_text"]
    assert [b["callback_data"] for b in buttons(page)] == ["src:1"]
    for data, heading, expected in (
        ("src:1", "Articles 11–20", ["src:0", "src:2"]),
        ("src:2", "Articles 21–23", ["src:1"]),
    ):
        version = bot.api.chat_version(ALLOWED)
        bot.api.press_button(ALLOWED, page["message_id"], data)
        bot.api.wait_for(lambda: bot.api.chat_version(ALLOWED) > version, 10)  # noqa: B023
        [page] = [m for m in bot.api.messages(ALLOWED) if m["message_id"] == page["message_id"]]
        assert page["plain_text"].startswith(heading) and page["edited"]
        assert [b["callback_data"] for b in buttons(page)] == expected


def test_source_card_has_outlet_date_and_link(bot: RunningBot) -> None:
    [card] = bot.ask(ALLOWED, "/source 12")
    heading = "📄 #12 Harbour report number 12\nGazette 12 · 12 Jan 2024"
    assert card["plain_text"].startswith(heading)
    assert '<a href="https://example.org/12">' in card["text"]
    assert "handled 1200 ships" in card["plain_text"]


def test_strangers_are_refused_everywhere(bot: RunningBot) -> None:
    # A stranger is told once an hour (tests/hostile/test_bot_floods.py): one stranger a text.
    for stranger, text in enumerate(("/start", "How many ships?", "/sources", "/ask ships"), 80):
        [reply] = bot.ask(stranger, text, user={"id": stranger})
        assert reply["plain_text"].startswith("Sorry, this bot is private")
        assert str(stranger) in reply["plain_text"]
    # A stranger pressing a button in an allowed chat gets an alert, and the page stays.
    [page] = bot.ask(ALLOWED, "/sources")
    bot.api.press_button(ALLOWED, page["message_id"], "src:1", user={"id": STRANGER})
    eventually(
        lambda: any(c["params"].get("show_alert") for c in bot.api.calls("answerCallbackQuery"))
    )
    [last] = bot.api.messages(ALLOWED)[-1:]
    assert last["message_id"] == page["message_id"] and not last["edited"]


def test_strangers_in_groups_are_not_answered_unless_they_ask(bot: RunningBot) -> None:
    chat, stranger = -300, 90
    bot.api.send_user_message(chat, "ships", user={"id": stranger}, chat_type="group")
    [reply] = bot.ask(chat, "/ask ships", user={"id": stranger})
    assert reply["plain_text"].startswith("Sorry, this bot is private")
    time.sleep(0.3)
    assert len([m for m in bot.api.messages(chat) if m["from_bot"]]) == 1


def test_allowed_user_is_answered(bot: RunningBot) -> None:
    [reply] = bot.ask(ALLOWED, "Which harbour handled 500 ships?")
    assert "500 ships" in reply["plain_text"]


@pytest.fixture(scope="module")
def private_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    """The allow-list comes from a settings file named before the command."""
    tmp = tmp_path_factory.mktemp("private")
    corpus = write_corpus(tmp / "corpus", count=5)
    config = tmp / "private.toml"
    config.write_text(f"[telegram]\nallowed_users = [{ALLOWED}]\n", encoding="utf-8")
    yield from start_bot(tmp, before=("--config", str(config), "--corpus", str(corpus)))


def test_a_settings_file_named_before_the_command_keeps_its_allow_list(
    private_bot: RunningBot,
) -> None:
    [refusal] = private_bot.ask(STRANGER, "How many ships?", user={"id": STRANGER})
    assert refusal["plain_text"].startswith("Sorry, this bot is private")
    [reply] = private_bot.ask(ALLOWED, "Which harbour handled 200 ships?")
    assert "200 ships" in reply["plain_text"]


def test_a_user_off_the_allow_list_may_still_forget(bot: RunningBot) -> None:
    former = 91  # asked questions once, then left the allow-list
    [refusal] = bot.ask(former, "How many ships?", user={"id": former})
    assert refusal["plain_text"].startswith("Sorry, this bot is private")
    [forgotten] = bot.ask(former, "/forget", user={"id": former})
    assert forgotten["plain_text"].startswith("Done: I deleted everything I kept about you")


def test_every_refused_button_press_is_answered(bot: RunningBot) -> None:
    [page] = bot.ask(ALLOWED, "/sources")
    stranger = {"id": 92}
    for _ in range(3):  # the alert once an hour; every press answered all the same
        answered = len(bot.api.calls("answerCallbackQuery"))
        bot.api.press_button(ALLOWED, page["message_id"], "src:1", user=stranger)
        eventually(lambda: len(bot.api.calls("answerCallbackQuery")) > answered)  # noqa: B023
