from pathlib import Path

import pytest

from corpusbot.bot.answer.related import related_articles, telling_words
from corpusbot.bot.app.service import Service
from tests.conftest import make_settings
from tests.story_corpus import write_story_corpus


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Service:
    corpus = write_story_corpus(tmp_path_factory.mktemp("story"))
    return Service.open(make_settings(tmp_path_factory.mktemp("cache"), corpus))


def test_the_other_outlet_on_the_same_story_is_related(story: Service) -> None:
    [found] = related_articles(story.index, 1)
    assert found.article.source == "Morning Courier" and found.shared >= 3
    assert [r.article.number for r in related_articles(story.index, 2)] == [1]


def test_an_unrelated_article_has_no_related_coverage(story: Service) -> None:
    assert related_articles(story.index, 3) == []
    assert related_articles(story.index, 4) == []


def test_telling_words_are_the_article_s_own_weighty_words(story: Service) -> None:
    words = telling_words(story.index, story.index.article_text(1))
    assert {"firefly", "freedonia"} <= set(words) and "the" not in words


def test_limit_is_respected(story: Service, tmp_path: Path) -> None:
    assert related_articles(story.index, 1, limit=0) == []
