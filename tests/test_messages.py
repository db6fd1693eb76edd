"""Tests for bot.messages: welcome, the paginated article list, the article card."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from corpusbot.bot.answer.render import TELEGRAM_LIMIT, message_length
from corpusbot.bot.local_api import parse_telegram_html
from corpusbot.bot.telegram.messages import (
    PER_PAGE,
    corpus_summary,
    date_span,
    help_text,
    latest_list,
    opening_paragraph,
    sources_page,
    welcome,
)
from corpusbot.retrieval.index.bm25 import ArticleInfo


def article(
    number: int,
    title: str = "Title",
    source: str | None = "Outlet",
    date: str | None = None,
    url: str | None = None,
) -> ArticleInfo:
    return ArticleInfo(number, f"id{number}", title, f"{number}.txt", source, date, url, 1)


def test_date_span() -> None:
    assert date_span([article(1), article(2)]) is None
    assert date_span([article(1, date="2024-03-02"), article(2)]) == "dated 2 Mar 2024"
    dated = [
        article(1, date="2024-03-02"),
        article(2, date="2023-12-31T10:00"),
        article(3, date="2024-01-05"),
    ]
    assert date_span(dated) == "from 31 Dec 2023 to 2 Mar 2024"


def test_welcome_says_what_the_bot_knows() -> None:
    text = welcome([article(1, date="2024-01-01"), article(2, date="2024-02-01")], True)
    assert "<b>2 news articles</b>, from 1 Jan 2024 to 1 Feb 2024" in text
    assert "tap an example" in text
    assert "from" not in welcome([article(1)], False).split("by quoting")[0]
    assert "1 news article</b>" in welcome([article(1)], False)


def test_help_escapes_the_example_and_invents_none() -> None:
    assert "plain words, for example <i>Who &lt;b&gt;?</i>. I reply" in help_text("Who <b>?")
    assert "Send me a question in plain words. I reply" in help_text("")


def test_sources_pages() -> None:
    articles = [article(n, f"Headline {n}", date=f"2024-01-{n:02}") for n in range(1, 24)]
    first = sources_page(articles, 0)
    assert (first.page, first.pages) == (0, 3)
    assert first.text.startswith("<b>Articles 1–10 of 23</b>")
    assert "\n#10 Headline 10 — <i>Outlet, 10 Jan 2024</i>" in first.text
    assert (
        "<i>From 1 Jan 2024 to 23 Jan 2024 (23 of 23 dated)</i>\n<i>By outlet: Outlet 23</i>"
        in first.text
    )
    last = sources_page(articles, 99)  # clamped
    assert last.page == 2 and "#21 Headline 21" in last.text and "Headline 20" not in last.text
    single = sources_page(articles[:PER_PAGE], 0)
    assert single.pages == 1 and single.text.startswith("<b>The 10 articles I know</b>")
    assert sources_page([], 0).text == "I have no articles yet."


@settings(max_examples=30, deadline=None)
@given(st.text(min_size=1, max_size=2000), st.text(max_size=500))
def test_pages_and_cards_fit_and_parse(title: str, source: str) -> None:
    articles = [
        article(n, title, source or None, date=source[:30] or None, url="https://x.org/?a=1&b=<2>")
        for n in range(1, 11)
    ]
    page = sources_page(articles, 0)
    assert message_length(page.text) <= TELEGRAM_LIMIT
    parse_telegram_html(page.text)


def test_opening_paragraph_skips_the_headline() -> None:
    assert opening_paragraph("Head\n\n  Body  text\nMore", "Head") == "Body text"
    assert (
        opening_paragraph("Long title that was cut and more", "Long title that was…")
        == "Long title that was cut and more"
    )
    assert opening_paragraph("", "x") == ""


def test_corpus_summary_counts_outlets_most_first() -> None:
    articles = [
        article(1, source="B", date="2021-04-12"),
        article(2, source="A"),
        article(3, source="B", date="2019-01-02"),
        article(4, source=None),
        *[article(n, source=f"O{n}") for n in range(5, 15)],
    ]
    span, outlets = corpus_summary(articles)
    assert span == "<i>From 2 Jan 2019 to 12 Apr 2021 (2 of 14 dated)</i>"
    assert outlets.startswith("<i>By outlet: B 2, A 1, O10 1, O11 1,")
    assert outlets.endswith(" and 4 more</i>")  # 12 outlets, 8 shown
    assert corpus_summary([article(1, source=None)]) == []


def test_latest_lists_the_newest_dated_articles() -> None:
    articles = [article(n, f"H{n}", date=f"2024-01-{n:02}") for n in range(1, 15)]
    articles.append(article(15, "Undated"))
    text = latest_list(articles)
    assert text.startswith(
        "<b>The 10 newest articles</b>\n\n#14 H14 — <i>Outlet, 14 Jan 2024</i>\n#13 H13"
    )
    assert "H4 " not in text and "Undated" not in text
    assert latest_list([article(1)]).startswith("None of my articles has a date.")


def test_help_tells_how_to_ask_about_times_and_outlets() -> None:
    text = help_text("x")
    assert "<b>Times and outlets</b>" in text
    assert "<i>since May 2022</i>" in text and "<i>from:tasnim</i>" in text
    assert "/latest — The newest articles" in text


def test_error_report_fits_and_masks_the_token() -> None:
    from corpusbot.bot.telegram.messages import error_report
    from corpusbot.bot.telegram.redaction import TokenRedactor

    token = "123456:SECRET-token"

    def deep(n: int) -> None:
        if n == 0:
            raise RuntimeError(f"failed at https://api.telegram.org/bot{token}/sendMessage <&>")
        deep(n - 1)

    try:
        deep(200)
    except RuntimeError as exc:
        report = error_report(exc, 42, TokenRedactor(token).redact)
    visible, _ = parse_telegram_html(report)
    assert message_length(report) <= TELEGRAM_LIMIT
    assert visible.startswith("⚠️ Update 42 failed: RuntimeError: failed at")
    assert "SECRET" not in report and "<TOKEN>" in visible
    assert "in deep" in visible  # the innermost frames are kept
