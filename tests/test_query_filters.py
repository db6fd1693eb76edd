"""Time and outlet expressions read out of a question (bot/answer/query_filters.py)."""

import datetime as dt
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from corpusbot.bot.answer.freshness import sort_newest_first
from corpusbot.bot.answer.query_filters import (
    ArticleFacts,
    Filter,
    ParsedQuestion,
    Period,
    article_mask,
    newest_positions,
    parse_iso,
    parse_question,
)
from corpusbot.retrieval.index.bm25 import ArticleInfo

OUTLETS = ("AA", "Harbor Wire", "Tasnim", "Valley Courier")
NEWEST = dt.date(2024, 6, 14)
D = dt.date


def parse(question: str) -> ParsedQuestion:
    return parse_question(
        question, outlets=OUTLETS, newest=NEWEST, is_topic=lambda name: name == "Mayor Quint"
    )


@pytest.mark.parametrize(
    ("question", "text", "start", "end", "period"),
    [
        ("nuclear talks in 2021", "nuclear talks", D(2021, 1, 1), D(2021, 12, 31), Period.YEAR),
        ("bridge in April 2021", "bridge", D(2021, 4, 1), D(2021, 4, 30), Period.MONTH),
        ("bridge during Feb 2024?", "bridge ?", D(2024, 2, 1), D(2024, 2, 29), Period.MONTH),
        ("reservoir since May 2022", "reservoir", D(2022, 5, 1), None, Period.SINCE),
        ("reservoir after May 2022", "reservoir", D(2022, 6, 1), None, Period.SINCE),
        ("reservoir before 2022", "reservoir", None, D(2021, 12, 31), Period.BEFORE),
        ("strike in the last week", "strike", D(2024, 6, 8), D(2024, 6, 14), Period.LAST),
        ("talks last month", "talks", D(2024, 5, 15), D(2024, 6, 14), Period.LAST),
        ("port over the past year", "port", D(2023, 6, 15), D(2024, 6, 14), Period.LAST),
        ("mayor since 2020 before 2023", "mayor", D(2020, 1, 1), D(2022, 12, 31), Period.SINCE),
    ],
)
def test_time_expressions_become_date_ranges_and_leave_the_question(
    question: str, text: str, start: D, end: D, period: Period
) -> None:
    parsed = parse(question)
    assert parsed.text == text
    dates = parsed.filter.dates
    assert dates is not None and (dates.start, dates.end, dates.period) == (start, end, period)


@pytest.mark.parametrize(
    "question", ["What is the latest on the talks?", "newest talks", "the most recent talks"]
)
def test_freshness_words_order_without_filtering(question: str) -> None:
    parsed = parse(question)
    assert parsed.filter.newest_first and parsed.filter.dates is None
    assert "latest" not in parsed.text and "recent" not in parsed.text
    assert "talks" in parsed.text


def test_an_undated_corpus_searches_time_words_as_words() -> None:
    parsed = parse_question("latest strike last week in 1969", outlets=OUTLETS, newest=None)
    assert parsed.text == "latest strike last week in 1969"
    assert not parsed.filter.active


@pytest.mark.parametrize(
    ("question", "outlet", "text"),
    [
        (
            "According to Tasnim, what about the nuclear talks?",
            "Tasnim",
            "what about the nuclear talks?",
        ),
        ("What did AA report about the bridge?", "AA", "about the bridge?"),
        ("what did the AA report", "AA", ""),
        ("from:harbor-wire strike", "Harbor Wire", "strike"),
        ("strike FROM:Harbor_Wire", "Harbor Wire", "strike"),
        ("according to harbor wire the strike ended", "Harbor Wire", "the strike ended"),
        ("reported by valley courier: mayor", "Valley Courier", "mayor"),
    ],
)
def test_outlets_are_matched_with_case_and_punctuation_folded(
    question: str, outlet: str, text: str
) -> None:
    parsed = parse(question)
    assert parsed.filter.outlets == frozenset({outlet})
    assert parsed.text == text and parsed.filter.missing_outlet is None


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("according to Reuters, the strike", "Reuters"),
        ("What did The Guardian report?", "Guardian"),
        ("from:bbc strike", "bbc"),
    ],
)
def test_an_outlet_the_corpus_lacks_is_named(question: str, missing: str) -> None:
    parsed = parse(question)
    assert parsed.filter.missing_outlet == missing and not parsed.filter.outlets


@pytest.mark.parametrize(
    "question",
    [
        "according to officials, the strike",
        "According to Mayor Quint, what happened",
        "who is the mayor",
        "what did she report",
    ],
)
def test_phrases_that_name_no_outlet_stay_questions(question: str) -> None:
    parsed = parse(question)
    assert parsed.filter == Filter() and parsed.text == question


def test_generic_news_words_are_not_searched_with_a_filter() -> None:
    assert parse("what happened last week").text == "what"
    assert parse("latest news on the port").text == "on the port"
    assert parse("news about the port").text == "news about the port"  # no filter: untouched


def article(number: int, source: str | None, date: str | None) -> ArticleInfo:
    return ArticleInfo(number, f"a{number}", "T", "p", source, date, None, 1)


def test_masks_keep_the_articles_in_range_and_of_the_outlet() -> None:
    table = ArticleFacts.of(
        [
            article(1, "AA", "2021-04-02"),
            article(2, "Tasnim", "2021-12-31"),
            article(3, "A.A.", "2022-01-01"),
            article(4, "AA", None),
            article(5, None, "2020-05-05"),
        ]
    )
    assert table.newest == D(2022, 1, 1) and table.outlets[0] == "AA"
    in_2021 = article_mask(
        parse_question("x in 2021", outlets=table.outlets, newest=table.newest).filter, table
    )
    assert in_2021 is not None and in_2021.tolist() == [True, True, False, False, False]
    from_aa = article_mask(
        parse_question("from:aa x", outlets=table.outlets, newest=table.newest).filter, table
    )
    assert from_aa is not None and np.array_equal(
        from_aa, [True, False, True, True, False]
    )  # "A.A." folds to "aa"
    assert (
        article_mask(
            parse_question("latest x", outlets=table.outlets, newest=table.newest).filter, table
        )
        is None
    )


ARTICLES = st.lists(
    st.tuples(
        st.sampled_from([None, "", "AA", "aa", "Tasnim", "Harbor Wire"]),
        st.sampled_from([None, "", "2021-02-30", "2021-04-02", "2021-04-03", "2020-01-01"]),
    ),
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(ARTICLES)
def test_the_table_holds_each_article_s_day_and_outlet(rows: list[Any]) -> None:
    """Made in one pass: the same as reading each article's date and outlet on its own."""
    articles = [article(n, source, date) for n, (source, date) in enumerate(rows, 1)]
    table = ArticleFacts.of(articles)
    counts = {name: sum(a.source == name for a in articles) for name in table.outlets}
    assert sorted(counts.values(), reverse=True) == list(counts.values())  # most articles first
    assert set(table.outlets) == {a.source for a in articles if a.source}
    for position, a in enumerate(articles):
        day = parse_iso(a.date)
        assert table.days[position] == (day.toordinal() if day else -1)
        code = table.outlet_codes[position]
        assert (table.outlets[code] if code >= 0 else None) == (a.source or None)


@settings(max_examples=200, deadline=None)
@given(ARTICLES, st.lists(st.booleans(), min_size=30, max_size=30) | st.none(), st.integers(0, 12))
def test_the_newest_allowed_articles_are_those_sort_newest_first_gives(
    rows: list[Any], keep: list[bool] | None, limit: int
) -> None:
    articles = [article(n, source, date) for n, (source, date) in enumerate(rows, 1)]
    allowed = None if keep is None else np.array(keep[: len(articles)], dtype=bool)
    table = ArticleFacts.of(articles)
    kept = [a for a in articles if allowed is None or allowed[a.number - 1]]
    expected = [a.number - 1 for a in sort_newest_first(kept, key=lambda a: a)[:limit]]
    assert newest_positions(table, allowed, limit).tolist() == expected


WORDS = [
    "in",
    "since",
    "before",
    "after",
    "last",
    "week",
    "the",
    "latest",
    "April",
    "Sept.",
    "2021",
    "1799",
    "2200",
    "according",
    "to",
    "Tasnim",
    "Reuters",
    "what",
    "did",
    "AA",
    "report",
    "from:",
    "from:aa",
    "from:!!",
    "news",
    ",",
    "?",
    "talks",
]


def test_a_name_s_full_stop_goes_with_it() -> None:
    """Hypothesis found "according to Sept." left "." to search for."""
    for question in (
        "according to Sept.",
        "according to Sept. in",
        "according to Reuters.",
        "bridge according to AA.",
    ):
        assert "." not in parse(question).text.split(), question


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=12), st.text(max_size=30))
@example(["according", "to"], "A\U00018cd6")  # a name glued to a character \w does not match
def test_any_question_parses_and_only_loses_words(words: list[str], noise: str) -> None:
    question = " ".join(words) + " " + noise
    parsed = parse_question(question, outlets=OUTLETS, newest=NEWEST)

    def bare(text: str) -> set[str]:
        return {word.strip(",;:-–—?") for word in text.split()}

    assert bare(parsed.text) <= bare(question)
    dates = parsed.filter.dates
    if dates is not None and dates.period is Period.LAST:  # alone, it ends on the newest day
        assert dates.start is not None and dates.end is not None
        assert dates.start <= dates.end == NEWEST
