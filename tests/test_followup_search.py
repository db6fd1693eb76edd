from dataclasses import replace

import numpy as np
import pytest

from corpusbot.bot.answer import followup_search
from corpusbot.bot.answer.followup_search import article_filter, ask_follow_up, follow_up_note
from corpusbot.bot.answer.scoped_answer import article_table
from corpusbot.bot.app.service import Service
from tests.conftest import make_settings
from tests.story_corpus import write_story_corpus


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Service:
    corpus = write_story_corpus(tmp_path_factory.mktemp("story"))
    return Service.open(make_settings(tmp_path_factory.mktemp("cache"), corpus))


def test_the_filter_keeps_only_the_earlier_answer_s_articles(story: Service) -> None:
    allowed = article_filter(story.index, {"a_ledger", "not-an-article"})
    assert allowed.tolist() == [True, False, False, False]
    hits = story.index.search("border Sylvania", 5, allowed=allowed).hits
    assert hits and {hit.article.id for hit in hits} == {"a_ledger"}
    assert story.index.search("border Sylvania", 1).hits[0].article.id == "b_courier"


def test_articles_whose_id_hash_collides_are_not_kept(
    story: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The id lookup goes by hash, then confirms each candidate's id."""
    real = article_table(story.index)
    colliding = replace(real, id_hashes=np.full(len(real.days), hash("a_ledger"), np.int64))
    monkeypatch.setattr(followup_search, "article_table", lambda index: colliding)
    assert article_filter(story.index, {"a_ledger"}).tolist() == [True, False, False, False]


def test_the_earlier_answer_s_article_answers_first(story: Service) -> None:
    follow = ask_follow_up(
        story.index, "What about the border?", {"a_ledger"}, story.settings.answer
    )
    assert not follow.widened and follow.answer.quotes[0].sources[0].id == "a_ledger"
    assert "From the article of the answer you replied to" in follow_up_note(follow)
    assert story.ask("What about the border?").quotes[0].sources[0].id == "b_courier"


def test_nothing_in_the_earlier_articles_widens_the_search(story: Service) -> None:
    follow = ask_follow_up(
        story.index, "What erupted at dawn?", {"a_ledger", "b_courier"}, story.settings.answer
    )
    assert follow.widened and follow.answer.quotes[0].sources[0].id == "c_island"
    assert "Nothing on that in the 2 articles" in follow_up_note(follow)


def test_an_empty_question_is_not_widened(story: Service) -> None:
    follow = ask_follow_up(story.index, "   ", {"a_ledger"}, story.settings.answer)
    assert not follow.widened and not follow.answer.answered


def test_a_name_none_of_the_earlier_articles_mention_widens_the_search(
    seeds_service: Service,
) -> None:
    iraq = seeds_service.ask("Who is Iraq's foreign minister?")
    earlier = {source.id for quote in iraq.quotes for source in quote.sources}
    index, settings = seeds_service.index, seeds_service.settings.answer
    found = ask_follow_up(index, "What did Lavrov say about the JCPOA?", earlier, settings)
    assert found.widened
    assert found.answer.quotes[0].text.startswith("Lavrov said")
    named = ask_follow_up(index, "What did Fuad Hussein say?", earlier, settings)
    assert not named.widened and "Fuad Hussein" in named.answer.quotes[0].text
