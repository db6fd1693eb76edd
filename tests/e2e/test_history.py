"""End to end: the history (bot/history/, bot/telegram/history_handlers.py) through the real bot and
the local Bot API: votes, More after a restart, /stats, /forget, expiry, and a database that is
unwritable, damaged, or already in use."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from corpusbot.bot.history.privacy import Hasher, load_secret
from corpusbot.bot.history.store import open_store, secret_path
from corpusbot.bot.local_api import LocalBotApi
from corpusbot.config.settings import HistorySettings
from tests.conftest import ROOT
from tests.e2e.conftest import (
    TOKEN,
    RunningBot,
    bot_env,
    eventually,
    history_path,
    launch_bot,
    start_bot,
)
from tests.e2e.test_bot import MANY, buttons, without_article_row  # MANY: five quotes, More
from tests.history_helpers import asked

ADMIN, VISITOR = 4242, 4343
DAY = 86_400.0


@dataclass
class HistoryBot:
    """A bot whose process can be restarted on the same server and database."""

    api: LocalBotApi
    tmp: Path
    bot: RunningBot
    restarts: int = 0

    @property
    def database(self) -> Path:
        return history_path(self.tmp / "cache")

    def restart(self) -> None:
        assert self.bot.stop() == 0
        self.restarts += 1
        self.bot = launch_bot(
            self.api,
            self.tmp,
            log_name=f"bot{self.restarts}.log",
            CORPUSBOT_TELEGRAM_ADMINS=str(ADMIN),
            **ROOMY_RATE,
        )

    def rows(self, sql: str, *args: object) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.database) as db:
            return db.execute(sql, args).fetchall()


# Every update (votes, commands, buttons) counts against a user's rate limit: a burst that
# covers what one test user does here.
ROOMY_RATE: dict[str, Any] = {"CORPUSBOT_TELEGRAM_RATE_BURST": "50"}


@pytest.fixture(scope="module")
def history_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HistoryBot]:
    tmp = tmp_path_factory.mktemp("history")
    with LocalBotApi(token=TOKEN) as api:
        running = HistoryBot(
            api, tmp, launch_bot(api, tmp, CORPUSBOT_TELEGRAM_ADMINS=str(ADMIN), **ROOMY_RATE)
        )
        try:
            yield running
        finally:
            running.bot.stop()


def labels(message: dict[str, Any]) -> list[str]:
    """The labels of the More and feedback buttons (the article row is tested elsewhere)."""
    return [button["text"] for button in without_article_row(buttons(message))]


def current(api: LocalBotApi, chat: int, message: dict[str, Any]) -> dict[str, Any]:
    [now] = [m for m in api.messages(chat) if m["message_id"] == message["message_id"]]
    return now


def press_in_place(
    api: LocalBotApi, chat: int, message: dict[str, Any], data: str, expected: list[str]
) -> dict[str, Any]:
    """Press a button of `message`; wait until its keyboard reads `expected`; the message."""
    api.press_button(chat, message["message_id"], data)
    eventually(lambda: labels(current(api, chat, message)) == expected)
    return current(api, chat, message)


def toast(api: LocalBotApi) -> str:
    calls = api.calls("answerCallbackQuery")
    return calls[-1]["params"].get("text", "") if calls else ""


def data_of(message: dict[str, Any], label: str) -> str:
    [data] = [b["callback_data"] for b in buttons(message) if b["text"] == label]
    return str(data)


def test_vote_change_it_and_give_a_reason(history_bot: HistoryBot) -> None:
    chat, api = 201, history_bot.api
    [reply] = history_bot.bot.ask(chat, MANY)
    assert labels(reply) == ["More", "👍", "👎"]
    answer = int(data_of(reply, "More").rsplit(":", 1)[1])
    token = data_of(reply, "👍").rsplit(":", 1)[1]  # the answer's number, sealed for the chat
    assert data_of(reply, "👍") == f"fb:up:{token}" and len(token) == 19
    voted = press_in_place(api, chat, reply, f"fb:up:{token}", ["More", "✓ 👍", "👎"])
    assert voted["text"] == reply["text"] and voted["edited"]  # the keyboard changed in place
    eventually(lambda: toast(api) == "Thanks for the feedback!")
    changed = press_in_place(
        api,
        chat,
        reply,
        f"fb:down:{token}",
        ["More", "👍", "✓ 👎", "Wrong passage", "Outdated", "Not in the articles"],
    )
    eventually(lambda: toast(api) == "Thanks. What was wrong with it?")
    press_in_place(
        api,
        chat,
        changed,
        f"fb:why:{token}:outdated",
        ["More", "👍", "✓ 👎", "Wrong passage", "✓ Outdated", "Not in the articles"],
    )
    assert len(api.messages(chat)) == 2  # votes send no messages
    assert history_bot.rows("SELECT vote, reason FROM votes WHERE question_id = ?", answer) == [
        ("down", "outdated")
    ]  # one vote per user: the later one replaced the earlier
    other = {"id": 777, "first_name": "Bea"}
    api.press_button(chat, reply["message_id"], f"fb:up:{token}", user=other)
    eventually(lambda: len(history_bot.rows("SELECT 1 FROM votes")) == 2)
    [(question, chat_type, answered, count)] = history_bot.rows(
        "SELECT question, chat_type, answered, quote_count FROM questions WHERE id = ?", answer
    )
    assert (question, chat_type, answered, count) == (MANY, "private", 1, 5)
    assert (
        history_bot.rows(
            "SELECT article_id, score > 0 FROM quotes WHERE question_id = ? AND rank = 0", answer
        )[0][1]
        == 1
    )


def test_a_vote_forged_from_another_chat_counts_nowhere(history_bot: HistoryBot) -> None:
    api = history_bot.api
    [theirs] = history_bot.bot.ask(211, MANY)
    [mine] = history_bot.bot.ask(212, MANY)
    their_answer = int(data_of(theirs, "More").rsplit(":", 1)[1])
    their_vote = data_of(theirs, "👍")
    votes_before = history_bot.rows("SELECT count(*) FROM votes")[0][0]
    for forged in (their_vote, f"fb:up:{their_answer}"):  # copied, or a number made up
        calls = len(api.calls("answerCallbackQuery"))
        api.press_button(212, mine["message_id"], forged, forged=True)

        def answered(before: int = calls) -> bool:
            return len(api.calls("answerCallbackQuery")) > before

        eventually(answered)
    assert history_bot.rows("SELECT count(*) FROM votes")[0][0] == votes_before
    assert labels(current(api, 212, mine)) == ["More", "👍", "👎"]  # nothing ticked


def test_an_old_more_button_works_after_a_restart(history_bot: HistoryBot) -> None:
    chat, api = 202, history_bot.api
    [first] = history_bot.bot.ask(chat, MANY)
    more = data_of(first, "More")
    history_bot.restart()
    [second] = history_bot.bot.press(chat, first, more)
    assert second["text"].startswith("<b>4.</b>") and "<b>5.</b>" in second["text"]
    assert labels(second) == ["👍", "👎"]  # the next page can be rated too
    assert labels(current(api, chat, first)) == ["👍", "👎"]  # the old one lost only "More"


def test_stats_for_admins_only(history_bot: HistoryBot) -> None:
    history_bot.bot.ask(203, "Is there anything about whales?", user={"id": VISITOR})
    [refused] = history_bot.bot.ask(203, "/stats", user={"id": VISITOR})
    assert refused["plain_text"] == "Only the bot's admins can see the statistics."
    [report] = history_bot.bot.ask(ADMIN, "/stats", user={"id": ADMIN})
    text = report["plain_text"]
    total = history_bot.rows("SELECT count(*) FROM questions")[0][0]
    assert report["text"].startswith("<pre>")
    assert text.startswith(f"Last 14 days (UTC): {total} questions, refused 1 ")
    assert "Rated answers: 2, 👍 1 (50%)" in text
    assert "    1  Is there anything about whales?" in text
    assert "(outdated 1)" in text


def test_stats_in_a_group_shows_counts_but_no_ones_questions(history_bot: HistoryBot) -> None:
    private_words = "Is there anything about narwhals in private?"
    history_bot.bot.ask(209, private_words, user={"id": VISITOR})
    [report] = history_bot.bot.ask(-2090, "/stats", user={"id": ADMIN}, chat_type="group")
    text = report["plain_text"]
    assert text.startswith("Last 14 days (UTC): ")
    assert "narwhals" not in text and "Most frequent unanswered" not in text
    assert "only in a private chat" in text
    [mine] = history_bot.bot.ask(ADMIN, "/stats", user={"id": ADMIN})
    assert private_words in mine["plain_text"]  # the admin's own private chat shows them


def test_forget_deletes_everything_about_the_user(history_bot: HistoryBot) -> None:
    chat, user = 204, {"id": 204}
    [reply] = history_bot.bot.ask(chat, MANY, user=user)
    history_bot.bot.ask(chat, "Anything about whales?", user=user)
    token = data_of(reply, "👍").rsplit(":", 1)[1]
    press_in_place(
        history_bot.api,
        chat,
        reply,
        f"fb:down:{token}",
        ["More", "👍", "✓ 👎", "Wrong passage", "Outdated", "Not in the articles"],
    )
    secret = load_secret(secret_path(history_bot.database))
    mine = Hasher(secret).user(204)
    assert history_bot.rows("SELECT count(*) FROM questions WHERE user_hash = ?", mine) == [(2,)]
    [done] = history_bot.bot.ask(chat, "/forget", user=user)
    assert done["plain_text"] == (
        "Done: I deleted everything I kept about you: 2 questions and 1 vote."
    )
    assert history_bot.rows("SELECT count(*) FROM questions WHERE user_hash = ?", mine) == [(0,)]
    assert history_bot.rows("SELECT count(*) FROM votes WHERE user_hash = ?", mine) == [(0,)]
    assert history_bot.rows("SELECT count(*) FROM questions") != [(0,)]  # others' stay
    [again] = history_bot.bot.ask(chat, "/forget", user=user)
    assert "0 questions and 0 votes" in again["plain_text"]
    history_bot.api.press_button(chat, reply["message_id"], data_of(reply, "More"))
    eventually(lambda: toast(history_bot.api) == "That button has expired. Please ask again.")


def test_a_second_bot_on_the_same_database_refuses_to_start(history_bot: HistoryBot) -> None:
    """Refused before it reads the corpus or builds its index (which takes minutes for a big
    corpus): given an empty index cache of its own, it leaves it empty."""
    own_cache = history_bot.tmp / "second-cache"
    second = subprocess.run(
        [sys.executable, "-m", "corpusbot.bot", "run", "--base-url", history_bot.api.base_url],
        cwd=ROOT,
        env=bot_env(history_bot.tmp / "cache", CORPUSBOT_INDEX_CACHE_DIR=str(own_cache)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert not own_cache.exists() or not any(own_cache.iterdir()), "it built an index first"
    assert second.returncode == 2
    assert (
        f"another corpusbot (pid {history_bot.bot.process.pid}) is already using the "
        f"history database {history_bot.database}" in second.stderr
    )
    assert "Traceback" not in second.stderr
    [reply] = history_bot.bot.ask(205, MANY)  # the first one carries on
    assert "Fuad Hussein" in reply["text"]


# --- each with a bot of its own -------------------------------------------------------------


def plant_bot_message(api: LocalBotApi, chat: int, callback_data: str) -> int:
    """A message with a "More" button as the bot sent it long ago (straight to the Bot API)."""
    response = httpx.post(
        f"{api.base_url}{TOKEN}/sendMessage",
        json={
            "chat_id": chat,
            "text": "An old answer",
            "reply_markup": {
                "inline_keyboard": [[{"text": "More", "callback_data": callback_data}]]
            },
        },
    )
    return int(response.json()["result"]["message_id"])


def test_question_texts_expire_after_history_days(tmp_path: Path) -> None:
    database = history_path(tmp_path / "cache")
    settings = HistorySettings(enabled=True, path=database, history_days=1)
    two_days_ago = time.time() - 2 * DAY
    store = open_store(settings, clock=lambda: two_days_ago)  # written with a clock set back
    old = store.record(asked(MANY, user=301, chat=301))
    store.close()
    with LocalBotApi(token=TOKEN) as api:
        bot = launch_bot(api, tmp_path, CORPUSBOT_HISTORY_HISTORY_DAYS="1")
        try:
            [fresh] = bot.ask(301, MANY)  # also makes the chat the old message goes to
            old_message = {"message_id": plant_bot_message(api, 301, f"more:3:{old}")}
            api.press_button(301, old_message["message_id"], f"more:3:{old}")
            eventually(lambda: toast(api) == "That button has expired. Please ask again.")
            [page] = bot.press(301, fresh, data_of(fresh, "More"))  # the recent one works
            assert page["text"].startswith("<b>4.</b>")
        finally:
            assert bot.stop() == 0
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT id, question FROM questions ORDER BY id").fetchall() == [
            (old, None),
            (old + 1, MANY),
        ]
        assert db.execute(
            "SELECT count(text) FROM quotes WHERE question_id = ?", (old,)
        ).fetchone() == (0,)
    assert "deleted the text of 1 questions older than 1 days" in bot.log()


def test_a_vote_on_the_more_page_leaves_page_one_s_vote_alone(history_bot: HistoryBot) -> None:
    chat, api = 213, history_bot.api
    [first] = history_bot.bot.ask(chat, MANY)
    answer = int(data_of(first, "More").rsplit(":", 1)[1])
    reasons = ["👍", "✓ 👎", "Wrong passage", "Outdated", "Not in the articles"]
    down = press_in_place(api, chat, first, data_of(first, "👎"), ["More", *reasons])
    wrong = data_of(down, "Wrong passage")
    press_in_place(api, chat, down, wrong, ["More", "👍", "✓ 👎", "✓ Wrong passage", *reasons[3:]])
    [second] = history_bot.bot.press(chat, current(api, chat, first), data_of(down, "More"))
    press_in_place(api, chat, second, data_of(second, "👍"), ["✓ 👍", "👎"])
    assert history_bot.rows(
        "SELECT first_rank, shown, vote, reason FROM votes WHERE question_id = ?"
        " ORDER BY first_rank",
        answer,
    ) == [(0, 3, "down", "wrong_passage"), (3, 2, "up", None)]
    assert labels(current(api, chat, first))[:2] == ["👍", "✓ 👎"]  # page 1 as it was voted


def test_in_a_group_the_keyboard_counts_and_each_voter_is_told_alone(
    history_bot: HistoryBot,
) -> None:
    chat, api = -214, history_bot.api
    ann, ben = {"id": 2141, "first_name": "Ann"}, {"id": 2142, "first_name": "Ben"}
    api.send_user_message(chat, "hello all", user=ann, chat_type="group")
    [reply] = history_bot.bot.ask(chat, f"/ask {MANY}", user=ann)
    api.press_button(chat, reply["message_id"], data_of(reply, "👍"), user=ann)
    eventually(lambda: "👍 1" in labels(current(api, chat, reply)))
    assert toast(api) == "Your vote: 👍. Thanks for the feedback!"
    api.press_button(chat, reply["message_id"], data_of(reply, "👎"), user=ben)
    eventually(lambda: "👎 1" in labels(current(api, chat, reply)))
    assert toast(api) == "Your vote: 👎. What was wrong with it?"
    shown = labels(current(api, chat, reply))
    assert shown[:3] == ["More", "👍 1", "👎 1"] and not any("✓" in label for label in shown)


def without_write_permission() -> list[str]:
    """A command prefix under which a read-only folder is read-only even for root."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: a read-only folder cannot be made")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]


def test_a_read_only_folder_turns_history_off_and_the_bot_still_answers(tmp_path: Path) -> None:
    prefix = without_write_permission()
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        for bot in start_bot(
            tmp_path, prefix=prefix, CORPUSBOT_HISTORY_PATH=str(folder / "history.sqlite3")
        ):
            first, notice = bot.ask(401, MANY, count=2)
            assert "Fuad Hussein" in first["text"] and labels(first) == ["More"]
            assert notice["plain_text"].startswith("Note: I cannot keep a history right now")
            [second] = bot.ask(402, MANY)  # said once: no second notice
            time.sleep(0.3)
            assert len(bot.api.messages(402)) == 2 and labels(second) == ["More"]
            [page] = bot.press(402, second, data_of(second, "More"))  # More works from memory
            assert page["text"].startswith("<b>4.</b>")
            [stats] = bot.ask(403, "/stats", user={"id": ADMIN})
            assert "Only the bot's admins" in stats["plain_text"]
            assert "history is off: cannot write in" in bot.log()
    finally:
        folder.chmod(0o755)
    assert list(folder.iterdir()) == []


def test_a_damaged_database_is_moved_aside_and_a_new_one_made(tmp_path: Path) -> None:
    database = history_path(tmp_path / "cache")
    store = open_store(HistorySettings(enabled=True, path=database, history_days=30))
    store.record(asked("an earlier question"))
    store.close()
    key = secret_path(database).read_bytes()
    garbage = b"\x00\x01 not SQLite at all " * 512
    database.write_bytes(garbage)
    for bot in start_bot(tmp_path):
        [reply] = bot.ask(501, MANY)
        assert "Fuad Hussein" in reply["text"] and labels(reply) == ["More", "👍", "👎"]
        assert "is damaged" in bot.log()
    [aside] = database.parent.glob("history.sqlite3.damaged-*")
    assert aside.read_bytes() == garbage  # kept as it was, for whoever wants to look
    assert secret_path(database).read_bytes() == key
    assert (tmp_path / "cache").is_dir()  # the index cache untouched
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT question FROM questions").fetchall() == [(MANY,)]


def test_history_off_in_the_settings_stores_nothing(tmp_path: Path) -> None:
    for bot in start_bot(tmp_path, CORPUSBOT_HISTORY_ENABLED="false"):
        [reply] = bot.ask(601, MANY)
        assert labels(reply) == ["More"]
        [forget] = bot.ask(601, "/forget")
        assert forget["plain_text"] == "I keep no history, so there is nothing about you to forget."
        time.sleep(0.3)
        assert len(bot.api.messages(601)) == 4  # no "history is off" notice: it was asked for
    assert not history_path(tmp_path / "cache").parent.exists()


def test_more_after_a_failed_history_write_pages_its_own_question(tmp_path: Path) -> None:
    """A question whose history write fails is kept in the chat's memory; its More must never
    be taken for the database's question of the same number (the first one asked)."""
    other = "regional cooperation security stability"  # five quotes too
    for bot in start_bot(tmp_path):
        [first] = bot.ask(701, MANY)  # question 1 of the database
        database = history_path(tmp_path / "cache")
        locker = sqlite3.connect(database, timeout=0, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")  # the next write fails after the bot's busy wait
        try:
            [second] = bot.ask(701, other)
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        more = data_of(second, "More")
        assert more.startswith("morec:")  # numbered in the chat's memory
        [page] = bot.press(701, second, more)
        assert page["text"].startswith("<b>4.</b>")
        assert "history: could not record a question" in bot.log()
        [again] = bot.press(701, first, data_of(first, "More"))  # the database's own still works
        assert again["text"].startswith("<b>4.</b>") and again["text"] != page["text"]


def test_a_locked_history_says_so_for_votes_and_forget(tmp_path: Path) -> None:
    for bot in start_bot(tmp_path):
        [reply] = bot.ask(702, MANY)
        up = data_of(reply, "👍")
        locker = sqlite3.connect(history_path(tmp_path / "cache"), timeout=0, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        try:
            api, calls = bot.api, len(bot.api.calls("answerCallbackQuery"))
            api.press_button(702, reply["message_id"], up)
            eventually(lambda: len(api.calls("answerCallbackQuery")) > calls)  # noqa: B023
            assert "could not save that vote" in toast(api)
            [refused] = bot.ask(702, "/forget")
            assert "Nothing was deleted yet" in refused["plain_text"]
            [answered] = bot.ask(702, MANY)  # a question is still answered, without history
            assert "Fuad Hussein" in answered["text"]
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        [done] = bot.ask(702, "/forget")  # once the lock is gone, it works
        assert done["plain_text"].startswith("Done: I deleted everything")
