import pytest

from corpusbot.bot.answer.compose import Answer, Quote, Reason
from corpusbot.bot.answer.render import TELEGRAM_LIMIT
from corpusbot.bot.answer.text_limits import utf16_length
from corpusbot.bot.app.service import Service
from corpusbot.bot.telegram.inline_results import (
    DESCRIPTION_CHARS,
    MAX_RESULTS,
    TITLE_CHARS,
    card_title,
    newest_cards,
    quote_cards,
    wants_newest,
)
from corpusbot.retrieval.index.bm25 import ArticleInfo
from tests.conftest import make_settings
from tests.story_corpus import write_story_corpus

# Mathematical bold A, B, C: one code point each, but two UTF-16 units as Telegram counts.
WIDE = "\U0001d400\U0001d401\U0001d402 "
ARTICLE = ArticleInfo(1, "a", "A headline " * 20, "a.txt", "Outlet & Co", "2 Jan 2026", None, 1)


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Service:
    corpus = write_story_corpus(tmp_path_factory.mktemp("story"))
    return Service.open(make_settings(tmp_path_factory.mktemp("cache"), corpus))


def answer_with(count: int, text: str = "Some quote.") -> Answer:
    quotes = tuple(Quote(text, (), (ARTICLE,), 1.0) for _ in range(count))
    return Answer("q", True, quotes)


def test_no_more_than_50_cards_with_unique_ids() -> None:
    cards = quote_cards(answer_with(70))
    assert len(cards) == MAX_RESULTS and len({c.result_id for c in cards}) == MAX_RESULTS


def test_titles_descriptions_and_messages_stay_within_their_sizes() -> None:
    [card] = quote_cards(answer_with(1, "Fish & chips < pies. " * 400))
    assert len(card.title) <= TITLE_CHARS and card.title.endswith("…")
    assert len(card.description) <= DESCRIPTION_CHARS
    assert len(card.message) <= TELEGRAM_LIMIT and "&amp;" in card.message
    assert card.message.count("<blockquote>") == 1 and card.message.endswith("2 Jan 2026")


def test_a_refusal_has_no_cards() -> None:
    assert quote_cards(Answer("q", False, reason=Reason.NOT_FOUND)) == []


def test_card_title_is_headline_outlet_date() -> None:
    short = ArticleInfo(1, "a", "Headline", "a.txt", "Outlet", None, None, 1)
    assert card_title(short) == "Headline — Outlet"


@pytest.mark.parametrize(("query", "newest"), [("", True), (" a ", True), ("abc", False)])
def test_short_queries_want_the_newest_articles(query: str, newest: bool) -> None:
    assert wants_newest(query) is newest


def test_newest_articles_first_undated_last(story: Service) -> None:
    titles = [c.title for c in newest_cards(story.index)]
    assert titles[0].endswith("3 Mar 2026") and titles[1].endswith("2 Mar 2026")
    assert titles[-1].startswith("Port Aldous")  # no date
    assert len(newest_cards(story.index, limit=2)) == 2


def test_a_quote_of_4_byte_characters_fits_as_telegram_counts_utf16() -> None:
    [card] = quote_cards(answer_with(1, WIDE * 1500))
    assert utf16_length(card.message) <= TELEGRAM_LIMIT


def test_the_newest_article_of_4_byte_characters_fits_too(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    corpus = tmp_path_factory.mktemp("wide")
    (corpus / "wide.txt").write_text("Wide letters\n\n" + WIDE * 2000, encoding="utf-8")
    service = Service.open(make_settings(tmp_path_factory.mktemp("cache"), corpus))
    [card] = newest_cards(service.index)
    assert utf16_length(card.message) <= TELEGRAM_LIMIT
