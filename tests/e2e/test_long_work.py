"""End to end: one very long article must not hold up the other users (work off the loop)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import SEEDS
from tests.e2e.conftest import start_bot
from tests.e2e.test_article_buttons import data_of

IRAQ = "Who is Iraq's foreign minister?"


def test_a_huge_article_s_pages_do_not_hold_up_another_user(tmp_path: Path) -> None:
    corpus = tmp_path / "news"
    shutil.copytree(SEEDS, corpus)
    # 1.5 MB of one word, in one paragraph: cutting it into pages takes a good part of a second
    # (and the corpus stays under the compiled search's 5,000 passages).
    (corpus / "huge.txt").write_text("One word\n\n" + " ".join(["blah"] * 300_000))
    for bot in start_bot(tmp_path, "--corpus", str(corpus)):
        [answer] = bot.ask(301, "blah")
        bot.api.press_button(301, answer["message_id"], data_of(answer, "Full article · 1"))
        [other] = bot.ask(302, IRAQ)  # asked while the pages are being cut
        assert "Fuad Hussein" in other["plain_text"]
        [page] = bot.api.wait_for_bot_messages(301, 1, 60, after=answer["message_id"])
        assert page["plain_text"].startswith("📄 #6 One word")
        sent = [str(call["params"]["chat_id"]) for call in bot.api.calls("sendMessage")]
        # The other user was answered before the long article's page went out, not after it.
        assert sent.index("302") < len(sent) - 1 - sent[::-1].index("301")
