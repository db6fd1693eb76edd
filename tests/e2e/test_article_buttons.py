"""End to end: the Context / Full article / Related buttons under an answer, through the real
bot and the local Bot API, including paging a long article within Telegram's 4096 characters
and pressing a button after a restart."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from corpusbot.bot.answer.render import TELEGRAM_LIMIT, message_length
from corpusbot.bot.local_api import LocalBotApi
from tests.e2e.conftest import TOKEN, RunningBot, eventually, launch_bot
from tests.e2e.test_bot import buttons
from tests.story_corpus import write_story_corpus

TARIFF = "What did Firefly promise to do within a month?"  # the Daily Ledger only
MINUTES = "What did the Port Aldous harbour commission discuss in session 7?"


class StoryBot:
    def __init__(self, api: LocalBotApi, tmp: Path, corpus: Path) -> None:
        self.api, self.tmp, self.corpus, self.restarts = api, tmp, corpus, 0
        self.bot = self._launch()

    def _launch(self) -> RunningBot:
        # Every button press counts against the rate limit: a burst that covers paging through.
        return launch_bot(
            self.api,
            self.tmp,
            "--corpus",
            str(self.corpus),
            log_name=f"bot{self.restarts}.log",
            CORPUSBOT_TELEGRAM_RATE_BURST="50",
        )

    def restart(self) -> None:
        assert self.bot.stop() == 0
        self.restarts += 1
        self.bot = self._launch()


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoryBot]:
    tmp = tmp_path_factory.mktemp("story-bot")
    corpus = write_story_corpus(tmp / "corpus")
    with LocalBotApi(token=TOKEN) as api:
        running = StoryBot(api, tmp, corpus)
        try:
            yield running
        finally:
            running.bot.stop()


def data_of(message: dict[str, Any], label: str) -> str:
    [data] = [b["callback_data"] for b in buttons(message) if b["text"] == label]
    return str(data)


def current(api: LocalBotApi, chat: int, message_id: int) -> dict[str, Any]:
    [now] = [m for m in api.messages(chat) if m["message_id"] == message_id]
    return now


def test_an_answer_has_context_full_article_and_related_buttons(story: StoryBot) -> None:
    [reply] = story.bot.ask(501, TARIFF)
    labels = [b["text"] for b in buttons(reply)]
    assert labels[:3] == ["Context · 1", "Full article · 1", "Related · 1"]
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons(reply))


def test_context_marks_the_quote_between_its_paragraphs(story: StoryBot) -> None:
    [reply] = story.bot.ask(502, TARIFF)
    [context] = story.bot.press(502, reply, data_of(reply, "Context · 1"))
    text = context["text"]
    assert text.startswith("📖 Context · <b>#1 Freedonia elects Rufus Firefly")
    assert "<b>Firefly promised to cut the grain tariff" in text
    assert text.index("52 percent") < text.index("<blockquote>") < text.index("Turnout")
    assert context["reply_to_message_id"] == reply["message_id"]


def test_related_lists_the_other_outlet_with_a_button_to_read_it(story: StoryBot) -> None:
    [reply] = story.bot.ask(503, TARIFF)
    [related] = story.bot.press(503, reply, data_of(reply, "Related · 1"))
    plain = related["plain_text"]
    assert "Related to #1 Freedonia elects Rufus Firefly as chancellor" in plain
    assert (
        "#2 Firefly victory in Freedonia unsettles Sylvania — Morning Courier, 3 Mar 2026" in plain
    )
    assert "Volcano" not in plain and "Port Aldous" not in plain
    [opened] = story.bot.press(503, related, buttons(related)[0]["callback_data"])
    assert opened["plain_text"].startswith("📄 #2 Firefly victory in Freedonia")


def test_full_article_pages_within_4096_characters(story: StoryBot) -> None:
    chat, api = 504, story.api
    [reply] = story.bot.ask(chat, MINUTES)
    [page] = story.bot.press(chat, reply, data_of(reply, "Full article · 1"))
    assert page["plain_text"].startswith("📄 #4 Port Aldous harbour commission, full minutes")
    assert [b["text"] for b in buttons(page)] == ["Next »"]
    seen = [page["plain_text"]]
    pages = int(page["plain_text"].rsplit(" of ", 1)[1])
    assert pages > 3
    for number in range(2, pages + 1):
        old = current(api, chat, page["message_id"])
        api.press_button(chat, page["message_id"], data_of(old, "Next »"))

        def turned(n: int = number) -> bool:
            return f"Page {n} of" in current(api, chat, page["message_id"])["plain_text"]

        eventually(turned)
        seen.append(current(api, chat, page["message_id"])["plain_text"])
    assert all(message_length(text) <= TELEGRAM_LIMIT for text in seen)
    assert [b["text"] for b in buttons(current(api, chat, page["message_id"]))] == ["« Previous"]
    whole = "\n".join(seen)
    assert all(f"Session {n}:" in whole for n in range(1, 61))
    last = current(api, chat, page["message_id"])
    api.press_button(chat, page["message_id"], data_of(last, "« Previous"))
    eventually(
        lambda: f"Page {pages - 1} of" in current(api, chat, page["message_id"])["plain_text"]
    )


def test_buttons_work_after_a_restart(story: StoryBot) -> None:
    [reply] = story.bot.ask(505, TARIFF)
    story.restart()
    [context] = story.bot.press(505, reply, data_of(reply, "Context · 1"))
    assert "<b>Firefly promised" in context["text"]


def test_a_button_for_an_article_no_longer_there_says_it_expired(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    tmp = tmp_path_factory.mktemp("changed")
    corpus = write_story_corpus(tmp / "corpus")
    with LocalBotApi(token=TOKEN) as api:
        changed = StoryBot(api, tmp, corpus)
        try:
            [reply] = changed.bot.ask(506, TARIFF)
            (corpus / "a_ledger.txt").unlink()  # article 1 is now the Courier's
            changed.restart()
            changed.bot.api.press_button(
                506, reply["message_id"], data_of(reply, "Full article · 1")
            )
            eventually(
                lambda: any(
                    "no longer in the corpus" in c["params"].get("text", "")
                    for c in api.calls("answerCallbackQuery")
                )
            )
            assert len(api.messages(506)) == 2  # the question and its answer, nothing opened
        finally:
            changed.bot.stop()


def test_a_button_still_opens_its_article_after_news_arrives_ahead_of_it(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Buttons name their article by its id: articles that arrive later (a feed, /add) and
    sort before it move its number, not what the button opens."""
    tmp = tmp_path_factory.mktemp("arrived")
    corpus = write_story_corpus(tmp / "corpus")
    with LocalBotApi(token=TOKEN) as api:
        arrived = StoryBot(api, tmp, corpus)
        try:
            [reply] = arrived.bot.ask(507, TARIFF)
            crane = "Harbour crane delivered\nsource: Port Gazette\n\nA new crane arrived.\n"
            (corpus / "0_early.txt").write_text(crane)
            arrived.restart()  # article 1 is now the crane's; the Ledger's is article 2
            [page] = arrived.bot.press(507, reply, data_of(reply, "Full article · 1"))
            assert page["plain_text"].startswith("📄 #2 Freedonia elects Rufus Firefly")
        finally:
            arrived.bot.stop()


def test_source_n_opens_a_long_article_in_pages_like_full_article(story: StoryBot) -> None:
    chat, api = 506, story.api
    [page] = story.bot.ask(chat, "/source 4")
    assert page["plain_text"].startswith("📄 #4 Port Aldous harbour commission, full minutes")
    assert "Page 1 of" in page["plain_text"] and "Session 1:" in page["plain_text"]
    assert [b["text"] for b in buttons(page)] == ["Next »"]
    api.press_button(chat, page["message_id"], data_of(page, "Next »"))
    eventually(lambda: "Page 2 of" in current(api, chat, page["message_id"])["plain_text"])
