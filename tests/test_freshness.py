"""Readable dates, ages and newest-first order (bot/answer/freshness.py)."""

import datetime as dt

import pytest

from corpusbot.bot.answer.freshness import (
    age_between,
    age_phrase,
    format_date,
    newest_first,
    quoted_first,
    sort_newest_first,
)
from corpusbot.retrieval.index.bm25 import ArticleInfo


def article(name: str, date: str | None) -> ArticleInfo:
    return ArticleInfo(1, name, name, f"{name}.txt", None, date, None, 1)


def test_format_date() -> None:
    assert format_date("2021-04-12") == "12 Apr 2021"
    assert format_date(None) is None and format_date("") is None
    assert format_date("spring 2021") == "spring 2021"  # an old index's raw value, shown as is


@pytest.mark.parametrize(
    ("start", "end", "phrase"),
    [
        ((2024, 6, 12), (2024, 6, 14), "2 days"),
        ((2024, 6, 13), (2024, 6, 14), "1 day"),
        ((2024, 5, 20), (2024, 6, 14), "3 weeks"),
        ((2024, 1, 12), (2024, 6, 14), "5 months"),
        ((2023, 3, 15), (2024, 6, 10), "1 year"),
        ((2021, 6, 18), (2024, 6, 8), "2 years"),
        ((2021, 6, 18), (2024, 6, 18), "3 years"),
    ],
)
def test_age_phrase_uses_the_largest_whole_unit(
    start: tuple[int, int, int], end: tuple[int, int, int], phrase: str
) -> None:
    assert age_phrase(dt.date(*start), dt.date(*end)) == phrase


def test_age_between_only_for_an_older_dated_article() -> None:
    old, new, undated = article("a", "2023-03-15"), article("b", "2024-06-10"), article("c", None)
    assert age_between(old, new) == "1 year"
    assert age_between(new, old) is None and age_between(undated, new) is None


def test_the_newest_report_of_a_story_is_quoted() -> None:
    old, new, undated = article("a", "2023-03-15"), article("b", "2024-06-10"), article("c", None)
    assert quoted_first(old, new, key=lambda a: a) == (new, old)
    assert quoted_first(new, old, key=lambda a: a) == (new, old)
    assert quoted_first(undated, new, key=lambda a: a) == (undated, new)  # unknown: keep
    assert newest_first([undated, old, new]) == (undated, new, old)  # the quoted one stays
    assert sort_newest_first([undated, old, new], key=lambda a: a) == [new, old, undated]
