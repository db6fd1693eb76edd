"""End to end: following a story. /follow, then an article dropped into the watched folder
brings one alert with working buttons; an unrelated one brings none; a restart keeps the follow;
a blocked chat pauses it; /unfollow and the Stop button end it."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from corpusbot.bot.local_api import LocalBotApi
from tests.conftest import SEEDS
from tests.e2e.conftest import TOKEN, RunningBot, eventually, history_path, launch_bot
from tests.e2e.test_bot import buttons

USER = 71
WATCHER = 79  # asks /sources to see the watcher take a file in
FOLLOWED = "Portville tram line"
TRAM = """Portville tram line approved
source: Harbor Wire
date: 2026-12-01

PORTVILLE – The city council approved the Portville tram line on Monday after a long debate.

The mayor said construction of the tram line will start in 2025 and take three years.
"""
FERRY = """Ferry timetable changes in Lakeside
source: Lake Courier
date: 2026-12-02

LAKESIDE – The ferry to the islands will run every hour from next week, the operator said.
"""
TRAM_AGAIN = """Portville tram line costs rise
source: Harbor Wire
date: 2026-12-03

PORTVILLE – The Portville tram line will cost more than planned, the council said on Friday.
"""


@pytest.fixture
def setting(tmp_path: Path) -> Iterator[tuple[LocalBotApi, Path]]:
    corpus = tmp_path / "news"
    shutil.copytree(SEEDS, corpus)
    with LocalBotApi(token=TOKEN) as api:
        yield api, corpus


def start(api: LocalBotApi, tmp: Path, corpus: Path, log: str = "bot.log") -> RunningBot:
    return launch_bot(
        api, tmp, "--corpus", str(corpus), log_name=log, CORPUSBOT_CORPUS_WATCH_SECONDS="0.3"
    )


def articles(bot: RunningBot) -> int:
    [listing] = bot.ask(WATCHER, "/sources")  # a chat of its own, which no alert reaches
    return int(listing["plain_text"].split(" articles")[0].split()[-1])


def drop(bot: RunningBot, corpus: Path, name: str, text: str) -> None:
    """Write an article into the folder and wait until the watcher took it in."""
    before = articles(bot)
    (corpus / name).write_text(text, encoding="utf-8")
    eventually(lambda: articles(bot) == before + 1, 30)


def press(
    api: LocalBotApi,
    chat: int,
    message_id: int,
    data: str,
    *,
    user: dict[str, Any] | None = None,
    forged: bool = False,
) -> str:
    """Press a button and wait for the bot's answer to it (answerCallbackQuery); its text."""
    before = len(api.calls("answerCallbackQuery"))
    api.press_button(chat, message_id, data, user=user, forged=forged)
    eventually(lambda: len(api.calls("answerCallbackQuery")) > before, 10)
    return str(api.calls("answerCallbackQuery")[-1]["params"].get("text", ""))


def outbox(tmp_path: Path, columns: str) -> list[tuple[Any, ...]]:
    """`columns` of every alert in the bot's state database."""
    with sqlite3.connect(history_path(tmp_path / "cache")) as db:
        return db.execute(f"SELECT {columns} FROM alerts").fetchall()


def follow(
    bot: RunningBot,
    chat: int,
    words: str,
    *,
    mode: str = "Instant",
    user: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """/follow WORDS, then its [Instant] or [Daily digest], which saves it; the confirmation as
    it reads once saved."""
    options: dict[str, Any] = {"user": user} if user else {}
    [shown] = bot.ask(chat, f"/follow {words}", **options)
    choice = next(b for b in buttons(shown) if b["text"] == mode)
    press(bot.api, chat, shown["message_id"], choice["callback_data"], user=user)

    def saved() -> dict[str, Any] | None:
        [now] = [m for m in bot.api.messages(chat) if m["message_id"] == shown["message_id"]]
        return now if any(b["text"] == "Stop following" for b in buttons(now)) else None

    eventually(lambda: saved() is not None, 10)
    found = saved()
    assert found is not None
    return found


def alerts(bot: RunningBot) -> list[dict[str, Any]]:
    return [
        m
        for m in bot.api.messages(USER)
        if m["from_bot"] and "Matches your follow" in m["plain_text"]
    ]


def test_a_followed_story_alerts_once_and_the_follow_survives_a_restart(
    setting: tuple[LocalBotApi, Path], tmp_path: Path
) -> None:
    api, corpus = setting
    bot = start(api, tmp_path, corpus)
    try:
        [shown] = bot.ask(USER, f"/follow {FOLLOWED}")
        assert shown["plain_text"].startswith(f"🔔 Follow {FOLLOWED}? Instant sends")
        assert "No article answers it yet." in shown["plain_text"]
        assert [b["text"] for b in buttons(shown)] == ["Instant", "Daily digest"]
        [listing] = bot.ask(USER, "/following")  # shown, not saved yet
        assert listing["plain_text"].startswith("You follow nothing yet.")
        confirmed = follow(bot, USER, FOLLOWED)
        labels = [b["text"] for b in buttons(confirmed)]
        assert labels == ["✓ Instant", "Daily digest", "Stop following"]
        assert bot.api.calls("answerCallbackQuery")[-1]["params"]["text"] == (
            "Saved: each new article at once, as it comes in."
        )

        drop(bot, corpus, "ferry.txt", FERRY)  # unrelated: nothing
        drop(bot, corpus, "tram.txt", TRAM)
        eventually(lambda: len(alerts(bot)) == 1, 30)
        [alert] = alerts(bot)
        text = alert["plain_text"]
        assert f"Matches your follow: {FOLLOWED}" in text
        assert "Portville tram line approved — Harbor Wire, 1 Dec 2026" in text
        assert "construction" in text or "approved the Portville tram line" in text
        assert [b["text"] for b in buttons(alert)] == ["Context", "Full article", "Stop following"]
        full = next(b for b in buttons(alert) if b["text"] == "Full article")
        [page] = bot.press(USER, alert, full["callback_data"])
        assert page["plain_text"].startswith("📄 #") and "three years" in page["plain_text"]
    finally:
        assert bot.stop() == 0

    again = start(api, tmp_path, corpus, log="bot2.log")
    try:
        [listing] = again.ask(USER, "/following")
        assert f"1. {FOLLOWED} — 1 alert" in listing["plain_text"]
        [ended] = again.ask(USER, "/unfollow 1")
        assert ended["plain_text"] == f"Stopped following {FOLLOWED}."
        drop(again, corpus, "tram2.txt", TRAM_AGAIN)
        [none] = again.ask(USER, "/following")  # the reload has happened: no alert came
        assert none["plain_text"].startswith("You follow nothing yet.")
        assert len(alerts(again)) == 1
    finally:
        again.stop()


def test_a_blocked_chat_pauses_its_follows_until_it_writes_again(
    setting: tuple[LocalBotApi, Path], tmp_path: Path
) -> None:
    api, corpus = setting
    bot = start(api, tmp_path, corpus)
    try:
        follow(bot, USER, FOLLOWED)
        api.inject_fault("sendMessage", "403")  # the next message, the alert, meets a block
        (corpus / "tram.txt").write_text(TRAM, encoding="utf-8")
        eventually(lambda: "chat 71 paused" in bot.log(), 30)
        assert alerts(bot) == []
        api.send_user_message(USER, "/following")  # writing again resumes the follow
        eventually(lambda: len(alerts(bot)) == 1, 30)  # and the kept alert goes out

        def listed() -> bool:
            said = [m["plain_text"] for m in api.messages(USER) if m["from_bot"]]
            return any("1. Portville tram line" in text for text in said)

        eventually(listed, 30)
    finally:
        bot.stop()


def test_the_stop_button_ends_the_follow_and_only_in_its_own_chat(
    setting: tuple[LocalBotApi, Path], tmp_path: Path
) -> None:
    api, corpus = setting
    bot = start(api, tmp_path, corpus)
    try:
        confirmed = follow(bot, USER, FOLLOWED)
        [stop] = [b for b in buttons(confirmed) if b["text"] == "Stop following"]
        # The same data pressed in another chat opens nothing there.
        other = USER + 1
        mine = follow(bot, other, FOLLOWED)
        press(api, other, mine["message_id"], stop["callback_data"], forged=True)
        [listing] = bot.ask(USER, "/following")
        assert "1. Portville tram line" in listing["plain_text"]
        said = press(api, USER, confirmed["message_id"], stop["callback_data"])
        assert said == f"Stopped following “{FOLLOWED}”."
        [listing] = bot.ask(USER, "/following")
        assert listing["plain_text"].startswith("You follow nothing yet.")
    finally:
        bot.stop()


def test_the_follow_button_under_an_answer_follows_its_question(
    setting: tuple[LocalBotApi, Path], tmp_path: Path
) -> None:
    api, corpus = setting
    bot = start(api, tmp_path, corpus)
    try:
        [answer] = bot.ask(USER, "What did Lavrov say about the JCPOA?")
        bell = next(b for b in buttons(answer) if b["text"] == "🔔 Follow")
        assert buttons(answer)[-1]["text"] == "👎"  # the votes stay last
        [shown] = bot.press(USER, answer, bell["callback_data"])
        assert shown["plain_text"].startswith("🔔 Follow What did Lavrov say about the JCPOA??")
        assert "The best quote today:" in shown["plain_text"]  # nothing dated this week
        instant = next(b for b in buttons(shown) if b["text"] == "Instant")
        api.press_button(USER, shown["message_id"], instant["callback_data"])

        def listed() -> bool:
            [listing] = bot.ask(USER, "/following")
            return "1. What did Lavrov say about the JCPOA? — 0 alerts" in listing["plain_text"]

        eventually(listed, 10)
        # The button's data is sealed for its chat: pressed elsewhere it follows nothing.
        other = USER + 2
        [elsewhere] = bot.ask(other, "What did Lavrov say about the JCPOA?")
        press(api, other, elsewhere["message_id"], bell["callback_data"], forged=True)
        [none] = bot.ask(other, "/following")
        assert none["plain_text"].startswith("You follow nothing yet.")
    finally:
        bot.stop()


def test_a_digest_follow_keeps_its_alerts_for_the_chat_s_digest(
    setting: tuple[LocalBotApi, Path], tmp_path: Path
) -> None:
    api, corpus = setting
    bot = start(api, tmp_path, corpus)
    try:
        follow(bot, USER, FOLLOWED, mode="Daily digest")
        said = api.calls("answerCallbackQuery")[-1]["params"]["text"]
        assert said == (
            "Saved: in your daily digest, at 08:00 your time (/digest HOUR, /timezone +2)."
        )
        [zone] = bot.ask(USER, "/timezone +2")
        assert zone["plain_text"].startswith(
            "🕗 Your time: UTC+2. Your daily digest comes at 08:00"
        )
        [hour] = bot.ask(USER, "/digest 18")
        assert "comes at 18:00" in hour["plain_text"]
        [wrong] = bot.ask(USER, "/timezone Europe/Paris")
        assert wrong["plain_text"].startswith("Send /timezone +2")
        [listing] = bot.ask(USER, "/following")
        assert "1. Portville tram line — 0 alerts, in the daily digest" in listing["plain_text"]
        drop(bot, corpus, "tram.txt", TRAM)
        eventually(lambda: outbox(tmp_path, "digest, sent_at") == [(1, None)], 30)
        assert alerts(bot) == []  # nothing at once: it waits for 18:00 at UTC+2
    finally:
        bot.stop()


def test_an_alert_matched_before_a_crash_is_sent_once_after_the_restart(
    setting: tuple[LocalBotApi, Path], tmp_path: Path
) -> None:
    api, corpus = setting
    bot = start(api, tmp_path, corpus)

    def rows() -> list[tuple[Any, ...]]:
        return outbox(tmp_path, "sent_at IS NOT NULL, attempts")

    try:
        follow(bot, USER, FOLLOWED)
        api.inject_fault("sendMessage", "500", times=1000)  # Telegram takes nothing now
        (corpus / "tram.txt").write_text(TRAM, encoding="utf-8")
        eventually(lambda: [row[0] for row in rows()] == [0] and rows()[0][1] >= 1, 30)
    finally:
        bot.process.kill()  # a crash: no clean stop
        bot.process.wait(10)
    api.clear_faults()
    again = start(api, tmp_path, corpus, log="bot2.log")
    try:
        eventually(lambda: len(alerts(again)) == 1, 30)
        eventually(lambda: [row[0] for row in rows()] == [1], 10)
        again.ask(WATCHER, "/sources")  # time passes: still one alert
        assert len(alerts(again)) == 1
    finally:
        again.stop()


def test_a_group_s_follows_are_the_group_s_and_a_setting_keeps_them_to_its_admins(
    setting: tuple[LocalBotApi, Path], tmp_path: Path
) -> None:
    api, corpus = setting
    group, admin, member = -7100, {"id": 7101}, {"id": 7102}
    api.set_group_admins(group, {7101})
    bot = launch_bot(
        api,
        tmp_path,
        "--corpus",
        str(corpus),
        CORPUSBOT_FOLLOWS_GROUP_ADMINS_ONLY="true",
    )
    try:
        [refused] = bot.ask(group, f"/follow {FOLLOWED}", user=member)
        assert refused["plain_text"] == "In this group, only its admins make, list and end follows."
        confirmed = follow(bot, group, FOLLOWED, user=admin)
        stop = next(b for b in buttons(confirmed) if b["text"] == "Stop following")
        said = press(api, group, confirmed["message_id"], stop["callback_data"], user=member)
        assert said == "In this group, only its admins make, list and end follows."
        [listing] = bot.ask(group, "/following", user=admin)
        assert "1. Portville tram line" in listing["plain_text"]  # the member ended nothing
    finally:
        bot.stop()
    open_group = launch_bot(api, tmp_path, "--corpus", str(corpus), log_name="bot2.log")
    try:  # by default any member manages the group's follows
        [listing] = open_group.ask(group, "/following", user=member)
        assert "1. Portville tram line" in listing["plain_text"]
        [ended] = open_group.ask(group, "/unfollow 1", user=member)
        assert ended["plain_text"] == f"Stopped following {FOLLOWED}."
    finally:
        open_group.stop()


def test_with_history_off_follow_says_it_needs_the_history(
    setting: tuple[LocalBotApi, Path], tmp_path: Path
) -> None:
    api, corpus = setting
    bot = launch_bot(api, tmp_path, "--corpus", str(corpus), CORPUSBOT_HISTORY_ENABLED="false")
    try:
        for command in (f"/follow {FOLLOWED}", "/following", "/unfollow 1", "/timezone +2"):
            said = [m for m in bot.ask(USER, command) if "history" in m["plain_text"]]
            assert said and said[0]["plain_text"].startswith("Following a story needs the history")
    finally:
        bot.stop()
