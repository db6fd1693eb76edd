"""Issue 10, item 5: every reply fits Telegram's 4,096 UTF-16 units, whatever the corpus.

Many articles carrying one story ("Also reported in" lists), long headlines, outlets, paths and
links, and text full of characters that grow when escaped (& becomes &amp;).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpusbot.bot.answer.compose import Answer, Quote
from corpusbot.bot.answer.render import TITLE_CHARS, Context, render_html
from corpusbot.bot.answer.text_limits import TELEGRAM_LIMIT, clip_escaped, utf16_length
from corpusbot.bot.local_api import parse_telegram_html
from corpusbot.bot.telegram import messages
from corpusbot.retrieval.index.bm25 import ArticleInfo

# Characters that grow when escaped, emoji (two UTF-16 units) and ordinary words.
GROWING = st.sampled_from(["&", "<", ">", '"', "😀", " ", "w", "é"])
LONG = st.text(GROWING, min_size=1, max_size=10) | st.text(GROWING, min_size=100, max_size=1500)
CONTEXT = Context(articles=40, example="Who met whom?", max_question_chars=1000)


@st.composite
def articles(draw: st.DrawFn, number: int) -> ArticleInfo:
    path = st.text(GROWING, max_size=10) | st.text(GROWING, min_size=500, max_size=1200)
    url = draw(st.none() | path.map(lambda s: "https://x.org/" + s))
    return ArticleInfo(
        number,
        f"id{number}",
        draw(LONG),
        draw(LONG),
        draw(st.none() | LONG),
        draw(st.none() | LONG),
        url,
        1,
    )


@st.composite
def crowded_answers(draw: st.DrawFn) -> Answer:
    """Up to 6 quotes, each found in up to 40 articles (duplicates folded into one quote)."""
    quotes = []
    for _ in range(draw(st.integers(1, 6))):
        count = draw(st.integers(1, 3) | st.integers(20, 40))
        sources = tuple(draw(articles(n)) for n in range(1, count + 1))
        text = draw(st.text(GROWING, min_size=1, max_size=3000).filter(str.strip))
        quotes.append(Quote(text, (), sources, 1.0))
    return Answer("q", True, tuple(quotes), question_cut=draw(st.booleans()))


def assert_fits(text: str) -> None:
    assert utf16_length(text) <= TELEGRAM_LIMIT, utf16_length(text)
    parse_telegram_html(text)  # raises on anything Telegram would refuse


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(crowded_answers(), st.integers(0, 5), LONG)
def test_any_answer_fits_one_message(answer: Answer, start: int, question: str) -> None:
    # As the handler sends an example question's answer: the question above the quotes.
    head = f"❓ <i>{clip_escaped(question, TITLE_CHARS)}</i>\n\n"
    limit = TELEGRAM_LIMIT - utf16_length(head)
    rendered = render_html(answer, CONTEXT, min(start, len(answer.quotes) - 1), 3, limit=limit)
    assert rendered.shown >= 1
    assert_fits(head + rendered.text)


def test_twenty_four_outlets_of_one_story_fit() -> None:
    """The reported case: one story carried by 24 outlets made a 5,378-character reply."""
    sources = tuple(
        ArticleInfo(
            n,
            f"a{n}",
            f"Minister meets envoy to discuss the border crisis, part {n}",
            f"outlet{n}/2024/story-{n}.txt",
            f"Outlet number {n}",
            "2024-05-01",
            f"https://outlet{n}.example.org/news/2024/05/01/minister-meets-envoy",
            1,
        )
        for n in range(1, 25)
    )
    answer = Answer("q", True, (Quote("The minister met the envoy. " * 20, (), sources, 1.0),))
    text = render_html(answer, CONTEXT).text
    assert_fits(text)
    assert "Also reported in" in text and "more" in text  # the rest are counted, not dropped


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    st.integers(1, 12).flatmap(lambda k: st.tuples(*[articles(n) for n in range(1, k + 1)])),
    st.integers(0, 2),
)
def test_sources_page_fits(found: tuple[ArticleInfo, ...], page: int) -> None:
    assert_fits(messages.sources_page(list(found), page).text)


def worst_article(number: int) -> ArticleInfo:
    """Every field as long as the corpus allows, made of characters that grow when escaped."""
    return ArticleInfo(
        number,
        f"id{number}",
        "&" * 400,
        "<" * 400,
        "&" * 400,
        ">" * 400,
        "https://x.org/" + '"' * 900,
        1,
    )


def test_worst_case_sources_page_fits() -> None:
    assert_fits(messages.sources_page([worst_article(n) for n in range(1, 13)], 0).text)


def test_worst_case_answer_fits() -> None:
    sources = tuple(worst_article(n) for n in range(1, 41))
    answer = Answer("q", True, tuple(Quote("&" * 3000, (), sources, 1.0) for _ in range(3)))
    assert_fits(render_html(answer, CONTEXT).text)
