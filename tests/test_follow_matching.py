"""bot/app/follow_matching.py: a new article matches a follow when the follow, asked now, quotes it
on its first page; alerts, one per article and chat."""

from __future__ import annotations

import shutil

import pytest

from corpusbot.bot.app import follow_matching
from corpusbot.bot.app.follow_matching import FollowIndex, alerts_for, matches, new_articles
from corpusbot.bot.app.service import Service
from corpusbot.bot.history.follows import Follow
from tests.conftest import ROOT, make_settings

NEWS = ROOT / "tests" / "data" / "news"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Service:
    corpus = tmp_path_factory.mktemp("news")
    shutil.copytree(NEWS, corpus, dirs_exist_ok=True)
    return Service.open(make_settings(tmp_path_factory.mktemp("cache"), corpus))


def follow(number: int, query: str, chat: int = 5, *, paused: bool = False) -> Follow:
    return Follow(number, chat, query, 0.0, paused)


def test_only_the_follows_whose_first_page_quotes_a_new_article_match(service: Service) -> None:
    index = service.index
    new = new_articles(index, ["courier/bridge-closed.txt"])
    assert len(new) == 1
    ids = {article.id for article in new}
    follows = [
        follow(1, "Old Mill Bridge closed"),
        follow(2, "lantern festival"),  # about another article: nothing
        follow(3, "Old Mill Bridge", paused=True),  # paused: not asked
        follow(4, "bridge", chat=6),
    ]
    found = matches(follows, new, index=index, ask=service.ask, first_page=3, min_coverage=0.2)
    assert {m.follow.id for m in found} == {1, 4}
    assert all(m.quote.sources[0].id in ids for m in found)
    nothing_new = matches(follows, [], index=index, ask=service.ask, first_page=3, min_coverage=0.2)
    assert nothing_new == []


@pytest.mark.parametrize("query", ["news about the Old Mill Bridge", "tell me about the bridge"])
def test_a_follow_typed_as_a_request_matches_by_its_topic(service: Service, query: str) -> None:
    # The request's words ("news", "tell", "me") are no article's: they held most of the
    # follow's weight, so no article held enough of it to be asked.
    index = service.index
    new = new_articles(index, ["courier/bridge-closed.txt"])
    found = matches(
        [follow(1, query)], new, index=index, ask=service.ask, first_page=3, min_coverage=0.2
    )
    assert [m.follow.id for m in found] == [1]


def test_an_article_alerts_each_chat_once_with_its_buttons(service: Service) -> None:
    index = service.index
    new = new_articles(index, ["courier/bridge-closed.txt"])
    follows = [
        follow(1, "Old Mill Bridge closed"),
        follow(2, "Old Mill Bridge"),
        follow(4, "bridge", 6),
    ]
    found = matches(follows, new, index=index, ask=service.ask, first_page=3, min_coverage=0.2)
    made = alerts_for(found, index, stop_data=lambda f: f"fol:{f.id}")
    assert sorted((a.chat_id, a.follow_id) for a in made) == [(5, 1), (6, 4)]
    first = next(a for a in made if a.chat_id == 5)
    assert [label for label, _ in first.buttons] == ["Context", "Full article", "Stop following"]
    assert first.buttons[-1][1] == "fol:1"
    assert first.text.startswith("🔔 <b>Matches your follow:</b> <i>Old Mill Bridge closed</i>")
    assert "<b>" in first.text.split("<blockquote>")[1]  # the follow's words in bold


def test_the_follow_index_finds_the_follows_an_article_holds_enough_of(service: Service) -> None:
    index = service.index
    follows = [
        follow(1, "Old Mill Bridge closed"),
        follow(2, "lantern festival fireworks"),
        follow(3, "bridge"),
        follow(4, "Old Mill Bridge", paused=True),
    ]
    by_term = FollowIndex(follows, index, min_coverage=0.2)
    assert len(by_term) == 3  # a paused follow is left out
    found = by_term.candidates({"old", "mill", "bridg", "close"})
    assert [f.id for f in found] == [1, 3]
    # "festival" alone is too little of "lantern festival fireworks" at a higher floor.
    strict = FollowIndex(follows, index, min_coverage=0.6)
    assert [f.id for f in strict.candidates({"festiv"})] == []
    assert [f.id for f in FollowIndex(follows, index, min_coverage=0.2).candidates({"festiv"})] == [
        2
    ]


def test_the_articles_of_a_jsonl_file_are_new_with_it(service: Service) -> None:
    """A .jsonl file holds an article a line, each with the file's path and its line number."""
    new = new_articles(service.index, ["feeds/aa.jsonl"])
    assert len(new) == 8 and "aa-traffic" in {article.id for article in new}


def test_an_article_that_names_the_follow_only_in_passing_sends_nothing(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path_factory.mktemp("passing")
    filler = " ".join(
        f"The council discussed item {n} of the budget, the school roof and the parks."
        for n in range(8)
    )
    articles = {
        "about.txt": "Tram line approved\n\nPortville's council approved the tram line.\n",
        "lead.txt": "Council news\n\nThe Portville tram line will cost twice its budget.\n",
        "aside.txt": "Harbour news\n\nA Portville tram depot gets a new roof.\n",
        "passing.txt": f"Council budget meeting\n\n{filler}\n\nThe Portville tram line came up.\n",
    }
    for name, text in articles.items():
        (corpus / name).write_text(text)
    service = Service.open(make_settings(tmp_path_factory.mktemp("cache"), corpus))
    new = new_articles(service.index, list(articles))

    def tram_matches() -> list[str]:
        found = matches(
            [follow(1, "Portville tram line")],
            new,
            index=service.index,
            ask=service.ask,
            first_page=4,
            min_coverage=0.2,
            min_share=0.5,
        )
        return sorted(m.article.title for m in found)

    # About it: its headline holds some of the follow, or its lead all of it; not an article
    # that names it late, in passing, nor one whose lead holds part of it under a headline
    # about something else.
    assert tram_matches() == ["Council news", "Tram line approved"]
    monkeypatch.setattr(follow_matching, "HEADLINE_SHARE", 0.0)  # the lead alone decides
    assert "Harbour news" in tram_matches()


def test_what_a_new_follow_would_have_sent_is_its_recent_first_page(service: Service) -> None:
    import datetime as dt

    from corpusbot.bot.app.follow_matching import would_have_sent

    words = "Mayor Quint third term"
    answer = service.ask(words)

    def sent(today: dt.date) -> list[str]:
        quotes = would_have_sent(
            words,
            answer,
            service.index,
            first_page=3,
            min_coverage=0.2,
            min_share=0.5,
            today=today,
        )
        return [q.sources[0].title for q in quotes]

    assert sent(dt.date(2024, 5, 21)) == ["Mayor Quint announces bid for a third term"]
    assert sent(dt.date(2024, 6, 30)) == []  # more than a week later
