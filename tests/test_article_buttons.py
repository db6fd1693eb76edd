import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from corpusbot.bot.app.service import Service
from corpusbot.bot.history.privacy import ButtonSeal
from corpusbot.bot.history.records import VoteState
from corpusbot.bot.telegram.article_buttons import is_article_row, with_article_row
from corpusbot.bot.telegram.history_handlers import feedback_rows, without_more
from tests.conftest import make_settings
from tests.story_corpus import write_story_corpus


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Service:
    corpus = write_story_corpus(tmp_path_factory.mktemp("story"))
    return Service.open(make_settings(tmp_path_factory.mktemp("cache"), corpus))


def test_the_article_row_follows_more_and_names_the_first_quote_shown(story: Service) -> None:
    reply = story.ask("What did Firefly promise about the grain tariff?")
    more = InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data="more:3:1")]])
    markup = with_article_row(story.index, more, reply, 0)
    assert markup is not None
    [_, row] = markup.inline_keyboard
    assert [b.text for b in row] == ["Context · 1", "Full article · 1", "Related · 1"]
    number = reply.quotes[0].sources[0].number
    assert all(str(b.callback_data).split(":")[2] == str(number) for b in row)


def test_a_refusal_gets_no_article_row(story: Service) -> None:
    reply = story.ask("Is there anything about whales?")
    assert not reply.answered and with_article_row(story.index, None, reply, 0) is None


def test_pressing_more_keeps_the_article_row(story: Service) -> None:
    reply = story.ask("What did Firefly promise about the grain tariff?")
    more = InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data="more:3:1")]])
    markup = with_article_row(story.index, more, reply, 0)
    assert markup is not None
    markup = InlineKeyboardMarkup(
        [*markup.inline_keyboard, *feedback_rows(ButtonSeal(b"k" * 32).seal(5, 1), VoteState(None))]
    )
    kept = without_more(markup)
    assert kept is not None
    assert [is_article_row(row) for row in kept.inline_keyboard] == [True, False]
