from dataclasses import replace

import pytest

from corpusbot.bot.answer import article_views as views
from corpusbot.bot.answer.article_views import ArticleButton, View
from corpusbot.bot.answer.render import TELEGRAM_LIMIT, message_length
from corpusbot.bot.app.service import Service
from tests.conftest import make_settings
from tests.story_corpus import write_story_corpus


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Service:
    corpus = write_story_corpus(tmp_path_factory.mktemp("story"))
    return Service.open(make_settings(tmp_path_factory.mktemp("cache"), corpus))


def test_buttons_round_trip_through_callback_data(story: Service) -> None:
    article = story.index.articles[0]
    quote = "Firefly promised to cut the grain tariff"
    buttons = views.answer_buttons(story.index, article, quote)
    assert [b.view for b in buttons] == [View.CONTEXT, View.FULL, View.RELATED]
    for button in buttons:
        assert len(button.data().encode()) <= 64
        assert views.parse(button.data()) == button
        assert views.resolve(story.index, button) == article


@pytest.mark.parametrize(
    "data", [None, "", "art:ctx:1:2:3", "art:zz:1:0:0:abc", "art:full:x:0:0:abc", "more:3:1"]
)
def test_foreign_or_broken_data_is_not_a_button(data: str | None) -> None:
    assert views.parse(data) is None


def test_a_button_finds_its_article_by_id_wherever_it_moved(story: Service) -> None:
    first = story.index.articles[0]
    good = views.answer_buttons(story.index, first, "Voters")[1]
    assert len(good.check) == 2 * views.CHECK_BYTES
    assert views.resolve(story.index, ArticleButton(View.FULL, 99, good.check)) == first
    assert views.resolve(story.index, ArticleButton(View.FULL, 3, good.check)) == first
    assert views.resolve(story.index, ArticleButton(View.FULL, 1, "000000000000")) is None
    # A button made before checks grew (3 bytes) still opens its article where it was.
    old = views.article_check(first, 3)
    assert views.resolve(story.index, ArticleButton(View.FULL, 1, old)) == first
    assert views.resolve(story.index, ArticleButton(View.FULL, 2, old)) is None


def test_context_marks_the_quote_between_its_neighbours(story: Service) -> None:
    article = story.index.articles[0]
    quote = "Firefly promised to cut the grain tariff"
    [context, *_] = views.answer_buttons(story.index, article, quote)
    text = views.context_view(story.index, article, context.first, context.second)
    assert text is not None
    before, rest = text.split("<blockquote>")
    assert "52 percent" in before and "Daily Ledger · 2 Mar 2026" in before
    assert "<b>Firefly promised to cut the grain tariff</b>" in rest
    assert "Turnout was the highest" in rest.split("</blockquote>")[1]


def test_context_within_a_small_limit_drops_neighbours(story: Service) -> None:
    article = story.index.articles[0]
    [context, *_] = views.answer_buttons(story.index, article, "Firefly promised")
    text = views.context_view(story.index, article, context.first, context.second, limit=300)
    assert text is not None and message_length(text) <= 300 and "<blockquote>" in text


def test_full_article_pages_fit_one_message_and_keep_every_word(story: Service) -> None:
    article = story.index.articles[3]
    first = views.full_article_page(story.index, article, 0)
    assert first is not None and first.pages > 3
    pages = [views.full_article_page(story.index, article, n) for n in range(first.pages)]
    assert all(p is not None and message_length(p.text) <= TELEGRAM_LIMIT for p in pages)
    assert views.full_article_page(story.index, article, first.pages) is None
    shown = " ".join(p.text for p in pages if p)
    for n in (1, 30, 60):
        assert f"Session {n}:" in shown
    assert "pilots &amp; their" in shown


def test_a_first_page_with_the_longest_link_still_fits(story: Service) -> None:
    article = replace(story.index.articles[3], url="https://x.org/" + "&" * 1_000)
    page = views.full_article_page(story.index, article, 0, with_link=True)
    assert page is not None and message_length(page.text) <= TELEGRAM_LIMIT
    article = replace(article, url="https://x.org/a?b=1&c=2")
    page = views.full_article_page(story.index, article, 0, with_link=True)
    assert page is not None and '<a href="https://x.org/a?b=1&amp;c=2">' in page.text


def test_page_texts_cut_a_paragraph_longer_than_a_page() -> None:
    pages = views.page_texts("word " * 300, 200)
    assert len(pages) > 5 and all(len(p) <= 200 for p in pages)
    assert " ".join(pages).split() == ["word"] * 300


def test_related_lists_headline_outlet_date(story: Service) -> None:
    text, others = views.related_view(story.index, story.index.articles[0])
    assert [a.number for a in others] == [2]
    assert "Firefly victory in Freedonia" in text and "Morning Courier, 3 Mar 2026" in text
    text, others = views.related_view(story.index, story.index.articles[2])
    assert others == [] and "No other article" in text
