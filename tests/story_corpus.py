# ruff: noqa: E501  (article paragraphs are one line each, as in a real corpus file)
"""A small corpus for the article views: two outlets on one story, an unrelated article, and an
article far longer than one Telegram message."""

from __future__ import annotations

from pathlib import Path

STORY_A = """Freedonia elects Rufus Firefly as chancellor
source: Daily Ledger
date: 2026-03-02

Voters in Freedonia went to the polls on Sunday in a closely watched election.

Rufus Firefly won the chancellorship of Freedonia with 52 percent of the vote, the electoral commission said.

Firefly promised to cut the grain tariff and to reopen the border with Sylvania within a month.

Turnout was the highest since the monarchy ended, officials in the capital Fredville said.

In Sylvania, traders welcomed the Firefly pledge on the grain tariff; Sylvania buys most of Freedonia's grain.
"""

STORY_B = """Firefly victory in Freedonia unsettles Sylvania
source: Morning Courier
date: 2026-03-03

Sylvania's ambassador Trentino reacted coolly to the Freedonia election result.

Rufus Firefly, the new chancellor of Freedonia, has vowed to reopen the Sylvania border and cut the grain tariff.

Trentino said Sylvania would wait for the chancellor's first decrees before answering.

Grain traders on both sides of the Freedonia border expect the tariff to fall before the harvest.
"""

UNRELATED = """Volcano erupts on the island of Kallisto
source: Island Post
date: 2026-02-11

The Kallisto volcano erupted at dawn, sending ash over the fishing harbour.

Fishermen kept their boats in port while geologists measured the lava flow.
"""

LONG_PARAGRAPH = (
    "The harbour commission of Port Aldous met again to discuss the lighthouse accounts, "
    "the dredging contracts and the pension fund of the pilots & their families. "
)


def long_article(paragraphs: int = 60) -> str:
    """A report of about 60 x 300 characters: several Telegram messages long."""
    body = "\n\n".join(f"Session {n}: {LONG_PARAGRAPH * 2}" for n in range(1, paragraphs + 1))
    return f"Port Aldous harbour commission, full minutes\nsource: Harbour Gazette\n\n{body}\n"


def write_story_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (
        ("a_ledger.txt", STORY_A),
        ("b_courier.txt", STORY_B),
        ("c_island.txt", UNRELATED),
        ("d_minutes.txt", long_article()),
    ):
        (folder / name).write_text(text, encoding="utf-8")
    return folder
