"""End to end: follow-up questions (a reply to one of the bot's answers searches that answer's
articles first) in private and group chats, with history on and off."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import RunningBot, start_bot
from tests.e2e.test_news_bot import buttons
from tests.story_corpus import write_story_corpus

PERCENT = "How many percent of the vote did Firefly win?"  # quoted from the Daily Ledger only
BORDER = "What about the border?"  # the Morning Courier ranks first over the whole corpus
ERUPTED = "What erupted at dawn?"  # only the Island Post has it
FROM_EARLIER = "↪️ From the article of the answer you replied to."
WIDENED = "↪️ Nothing on that in the article of the answer you replied to, so I searched all"


# Two towns' bridges: a question about the flood quotes the two North Herald articles; "bridge
# reopen" asked on its own ranks the two South Courier articles first.
BRIDGES = {
    "north_flood.txt": """River Ouse flood closes the Mill Street bridge
source: North Herald
date: 2026-01-10

The River Ouse flood closed the Mill Street bridge in Yorwick on Monday.

Engineers said the Mill Street bridge will reopen in March once the pillars are repaired.
""",
    "north_council.txt": """Yorwick council votes flood money
source: North Herald
date: 2026-01-20

After the River Ouse flood, Yorwick council voted money for repairs.

The council said the Abbey Road bridge will reopen in April, after the Mill Street one.
""",
    "south_bridge.txt": """Harbour bridge to reopen
source: South Courier
date: 2026-02-01

The Harbour bridge in Southport will reopen in June, the port authority said.

The bridge reopening was delayed by a strike of the welders.
""",
    "south_ferry.txt": """Ferry runs while the bridge is shut
source: South Courier
date: 2026-02-03

Southport's ferry will run until the Harbour bridge can reopen.

Ferry crews said the bridge will reopen later than planned.
""",
}
FLOOD = "What did the River Ouse flood do?"
REOPEN = "bridge reopen"
SOUTHPORT = "Southport harbour bridge"  # in neither North Herald article: a follow-up widens


def story_bot(tmp: Path, **env: Any) -> Iterator[RunningBot]:
    corpus = write_story_corpus(tmp / "corpus")
    yield from start_bot(tmp, "--corpus", str(corpus), **env)


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    yield from story_bot(tmp_path_factory.mktemp("followups"))


@pytest.fixture(scope="module")
def bot_without_history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    yield from story_bot(
        tmp_path_factory.mktemp("followups-nohistory"), CORPUSBOT_HISTORY_ENABLED="false"
    )


def test_a_plain_question_searches_everything(bot: RunningBot) -> None:
    [reply] = bot.ask(601, BORDER)
    assert "Morning Courier" in reply["plain_text"].split("\n")[0]
    assert "↪️" not in reply["plain_text"]


@pytest.mark.parametrize("which", ["bot", "bot_without_history"])
def test_a_reply_searches_the_answer_s_article_first(
    which: str, request: pytest.FixtureRequest
) -> None:
    running: RunningBot = request.getfixturevalue(which)
    [first] = running.ask(602, PERCENT)
    assert "52 percent" in first["plain_text"]
    [follow] = running.ask(602, BORDER, reply_to_message_id=first["message_id"])
    lines = follow["plain_text"].split("\n")
    assert lines[0] == FROM_EARLIER
    assert "Daily Ledger" in follow["plain_text"] and "Morning Courier" not in follow["plain_text"]
    assert "reopen the border with Sylvania" in follow["plain_text"]


def test_a_reply_about_something_else_says_it_widened_the_search(bot: RunningBot) -> None:
    [first] = bot.ask(603, PERCENT)
    [follow] = bot.ask(603, ERUPTED, reply_to_message_id=first["message_id"])
    assert follow["plain_text"].startswith(WIDENED)
    assert "Kallisto volcano erupted at dawn" in follow["plain_text"]


def test_a_reply_to_a_message_that_is_no_answer_is_a_plain_question(bot: RunningBot) -> None:
    [welcome] = bot.ask(604, "/start")
    [reply] = bot.ask(604, BORDER, reply_to_message_id=welcome["message_id"])
    assert "↪️" not in reply["plain_text"] and "Morning Courier" in reply["plain_text"]


def test_in_a_group_a_reply_to_the_bot_s_answer_is_a_follow_up(bot: RunningBot) -> None:
    group: dict[str, Any] = {"chat_type": "group"}
    chat = -605
    bot.api.send_user_message(chat, "hello all", **group)
    [first] = bot.ask(chat, f"/ask {PERCENT}")
    [follow] = bot.ask(chat, BORDER, reply_to_message_id=first["message_id"])
    assert follow["plain_text"].startswith(FROM_EARLIER)
    assert follow["reply_to_message_id"] != first["message_id"]  # it quotes the user's reply
    assert "Morning Courier" not in follow["plain_text"]


def bridges_bot(tmp: Path, **env: Any) -> Iterator[RunningBot]:
    corpus = tmp / "bridges"
    corpus.mkdir()
    for name, text in BRIDGES.items():
        (corpus / name).write_text(text, encoding="utf-8")
    yield from start_bot(tmp, "--corpus", str(corpus), CORPUSBOT_ANSWER_MAX_QUOTES="1", **env)


@pytest.fixture(scope="module")
def one_quote_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    yield from bridges_bot(tmp_path_factory.mktemp("followups-more"))


@pytest.fixture(scope="module")
def one_quote_bot_without_history(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RunningBot]:
    yield from bridges_bot(
        tmp_path_factory.mktemp("followups-more-nohistory"), CORPUSBOT_HISTORY_ENABLED="false"
    )


def test_more_under_a_follow_up_stays_within_its_articles(one_quote_bot: RunningBot) -> None:
    chat = 606
    [first] = one_quote_bot.ask(chat, FLOOD)
    [plain] = one_quote_bot.ask(chat, REOPEN)  # asked on its own: the South Courier first
    assert "South Courier" in plain["plain_text"] and "North Herald" not in plain["plain_text"]
    [follow] = one_quote_bot.ask(chat, REOPEN, reply_to_message_id=first["message_id"])
    assert follow["plain_text"].startswith("↪️ From the 2 articles of the answer you replied to.")
    assert "Mill Street bridge will reopen in March" in follow["plain_text"]
    [more] = [data for data in buttons(follow) if data.startswith(("more:", "morec:"))]
    [page] = one_quote_bot.press(chat, follow, more)
    assert page["plain_text"].startswith("↪️ From the 2 articles")  # the same scope, said again
    assert "Abbey Road bridge will reopen in April" in page["plain_text"]
    assert "South Courier" not in page["plain_text"]
    assert not [
        data for data in buttons(page) if data.startswith(("more:", "morec:"))
    ]  # both are shown


@pytest.mark.parametrize("which", ["one_quote_bot", "one_quote_bot_without_history"])
def test_more_under_a_widened_follow_up_searches_everything_again(
    which: str, request: pytest.FixtureRequest
) -> None:
    """History off, a follow-up's articles are only the first quote's (from its article row):
    the More of a widened follow-up says again that it searched all articles."""
    running: RunningBot = request.getfixturevalue(which)
    chat = 608 if which == "one_quote_bot" else 609
    [first] = running.ask(chat, FLOOD)
    [follow] = running.ask(chat, SOUTHPORT, reply_to_message_id=first["message_id"])
    assert follow["plain_text"].startswith("↪️ Nothing on that in the")
    assert "Harbour bridge in Southport will reopen in June" in follow["plain_text"]
    [more] = [data for data in buttons(follow) if data.startswith(("more:", "morec:"))]
    [page] = running.press(chat, follow, more)
    assert page["plain_text"].startswith("↪️ Nothing on that in the")
    assert "Southport's ferry will run until the Harbour bridge can reopen" in page["plain_text"]


def test_a_message_with_no_subject_of_its_own_follows_the_last_question(bot: RunningBot) -> None:
    chat = 610
    bot.ask(chat, PERCENT)
    [who] = bot.ask(chat, "who is he?")
    assert who["plain_text"].startswith("💬 About Firefly:")
    assert "chancellor" in who["plain_text"]
    [again] = bot.ask(chat, "what about the grain tariff?")
    assert again["plain_text"].startswith("💬 About Firefly:")
    assert "tariff" in again["plain_text"]


def test_a_reply_with_no_subject_of_its_own_follows_the_answer_it_replies_to(
    bot: RunningBot,
) -> None:
    """A "who is he?" sent as a reply reads the replied-to answer's question, not the last one."""
    chat = 613
    [first] = bot.ask(chat, PERCENT)
    bot.ask(chat, ERUPTED)  # the last question is another one now
    [who] = bot.ask(chat, "who is he?", reply_to_message_id=first["message_id"])
    assert "About Firefly" in who["plain_text"]
    assert "chancellor" in who["plain_text"]
    assert "volcano" not in who["plain_text"]


def test_a_follow_up_belongs_to_its_own_asker(bot: RunningBot) -> None:
    group: dict[str, Any] = {"chat_type": "group"}
    chat = -611
    ann, ben = {"id": 6111, "first_name": "Ann"}, {"id": 6112, "first_name": "Ben"}
    bot.api.send_user_message(chat, "hello all", user=ann, **group)
    bot.ask(chat, f"/ask {PERCENT}", user=ann)
    [bens] = bot.ask(chat, "/ask who is he?", user=ben)  # Ben asked nothing before
    assert "About Firefly" not in bens["plain_text"]
    [anns] = bot.ask(chat, "/ask who is he?", user=ann)
    assert anns["plain_text"].startswith("💬 About Firefly:")


def test_a_greeting_after_a_question_is_small_talk_not_a_follow_up(bot: RunningBot) -> None:
    chat = 612
    bot.ask(chat, PERCENT)
    [hello] = bot.ask(chat, "thanks!")
    assert hello["plain_text"].startswith("Hello!") and "About" not in hello["plain_text"]
