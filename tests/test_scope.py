"""The line that says which range an answer came from (bot/answer/scope.py)."""

import datetime as dt

import pytest

from corpusbot.bot.answer.query_filters import parse_question
from corpusbot.bot.answer.scope import scope_of

OUTLETS = ("AA", "Tasnim")


def line(question: str, *, listing: bool = False) -> str | None:
    parsed = parse_question(question, outlets=OUTLETS, newest=dt.date(2024, 6, 14))
    return scope_of(parsed.filter, OUTLETS, listing=listing).line()


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("talks in 2021", "From articles of 2021:"),
        ("talks in April 2021", "From articles of April 2021:"),
        ("talks since May 2022", "From articles since May 2022:"),
        ("talks before 2022", "From articles before 2022:"),
        ("talks before March 2022", "From articles before March 2022:"),
        ("talks since 2020 before 2023", "From articles from 1 Jan 2020 to 31 Dec 2022:"),
        (
            "talks last week",
            "From articles of the last week (8–14 Jun 2024, up to the newest article):",
        ),
        (
            "talks last month",
            "From articles of the last month (15 May 2024 – 14 Jun 2024, up to "
            "the newest article):",
        ),
        ("the latest talks", "Newest first:"),
        ("latest talks in 2021", "From articles of 2021, newest first:"),
        ("according to Tasnim, talks in 2021", "From Tasnim articles of 2021:"),
        ("talks", None),
    ],
)
def test_scope_lines(question: str, expected: str | None) -> None:
    assert line(question) == expected


def test_listing_empty_and_missing_outlet_texts() -> None:
    assert line("what did Tasnim report", listing=True) == "The newest Tasnim articles:"
    parsed = parse_question("talks in 2017", outlets=OUTLETS, newest=dt.date(2024, 6, 14))
    assert scope_of(parsed.filter, OUTLETS).empty() == "No articles of 2017."
    parsed = parse_question("according to Reuters, talks", outlets=OUTLETS, newest=None)
    assert (
        scope_of(parsed.filter, OUTLETS).missing()
        == "No article from Reuters. The outlets I have: AA, Tasnim."
    )
    assert scope_of(parsed.filter, ()).missing().startswith("No article from Reuters. My articles")
