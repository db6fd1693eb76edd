"""Questions with times and outlets in them, answered over the news corpus
(bot/answer/scoped_answer.py through Service.ask, with the text a reader sees from
bot/answer/render.py)."""

import pytest

from corpusbot.bot.answer.render import render_text
from corpusbot.bot.app.service import Service

from .conftest import DATA, make_settings


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> Service:
    return Service.open(make_settings(tmp_path_factory.mktemp("news-cache"), DATA / "news"))


def dates(service: Service, question: str) -> list[str | None]:
    return [quote.sources[0].date for quote in service.ask(question).quotes]


def reply(service: Service, question: str) -> str:
    answer = service.ask(question)
    return render_text(answer, service.context, count=len(answer.quotes) or 1).text


@pytest.mark.parametrize(
    ("question", "first", "last"),
    [
        ("nuclear talks in 2021", "2021-01-01", "2021-12-31"),
        ("bridge in April 2021", "2021-04-01", "2021-04-30"),
        ("reservoir since May 2022", "2022-05-01", "9999"),
        ("reservoir before 2022", "0000", "2021-12-31"),
        ("port last week", "2024-06-08", "2024-06-14"),
        ("talks last month", "2024-05-15", "2024-06-14"),
        ("port in the past year", "2023-06-15", "2024-06-14"),
    ],
)
def test_each_time_expression_keeps_its_range(
    news: Service, question: str, first: str, last: str
) -> None:
    found = dates(news, question)
    assert found, question
    assert all(d is not None and first <= d <= last for d in found), found


def test_time_ranges_find_the_articles_in_them(news: Service) -> None:
    titles = {q.sources[0].title for q in news.ask("bridge in April 2021").quotes}
    assert titles == {
        "Old Mill Bridge closed after inspectors find cracks",
        "Bridge repairs to take two years, engineers say",
        "Traffic jams after Old Mill Bridge closure",
    }
    assert dates(news, "reservoir before 2022") == ["2021-11-03"]
    assert "2022-04-28" not in dates(news, "reservoir since May 2022")  # the day before


def test_the_reply_says_which_range_it_used(news: Service) -> None:
    assert reply(news, "nuclear talks in 2021").startswith("From articles of 2021:\n\n1. “")
    assert reply(news, "port last week").startswith(
        "From articles of the last week (8–14 Jun 2024, up to the newest article):"
    )
    assert reply(news, "nuclear talks").startswith("1. “")  # no range asked, none said


def test_latest_orders_the_good_answers_newest_first(news: Service) -> None:
    found = dates(news, "What is the latest on the nuclear talks?")
    assert found[:2] == ["2024-06-08", "2024-06-01"]
    dated = [d for d in found if d]
    strong = dated[:6]
    assert strong == sorted(strong, reverse=True)
    assert reply(news, "the latest on the nuclear talks").startswith("Newest first:")
    unordered = dates(news, "nuclear talks")
    assert unordered != found  # the same question without "latest" ranks by score


def test_time_words_are_not_searched(news: Service) -> None:
    answer = news.ask("What is the newest on the Old Mill Bridge?")
    assert "newest" not in answer.terms and "bridg" in answer.terms


def test_what_happened_last_week_lists_the_newest_articles(news: Service) -> None:
    answer = news.ask("What happened last week?")
    assert answer.answered and answer.scope is not None and answer.scope.listing
    assert [q.sources[0].date for q in answer.quotes] == [
        "2024-06-14",
        "2024-06-12",
        "2024-06-10",
        "2024-06-08",
    ]
    assert reply(news, "What happened last week?").startswith(
        "The newest articles of the last week (8–14 Jun 2024, up to the newest article):"
    )


@pytest.mark.parametrize(
    ("question", "outlet"),
    [
        ("According to Tasnim, what about the nuclear talks?", "Tasnim"),
        ("What did AA report about the bridge?", "AA"),
        ("from:harbor-wire dock strike", "Harbor Wire"),
        ("according to the valley courier, the mayor", "Valley Courier"),
    ],
)
def test_outlet_filters_quote_that_outlet_only(news: Service, question: str, outlet: str) -> None:
    answer = news.ask(question)
    assert answer.answered
    assert {s.source for q in answer.quotes for s in q.sources} == {outlet}
    assert reply(news, question).startswith(f"From {outlet} articles:")


def test_an_outlet_the_corpus_lacks_is_said_by_name(news: Service) -> None:
    answer = news.ask("According to Reuters, what happened to the bridge?")
    assert not answer.answered and answer.reason == "unknown_outlet"
    assert reply(news, "According to Reuters, what happened to the bridge?") == (
        "No article from Reuters. The outlets I have: AA, Valley Courier, Harbor Wire, Tasnim."
    )


def test_a_range_with_no_article_is_said(news: Service) -> None:
    answer = news.ask("nuclear talks in 2017")
    assert (answer.answered, answer.reason) == (False, "empty_scope")
    assert reply(news, "nuclear talks in 2017").startswith("No articles of 2017.")


def test_outlet_and_time_together(news: Service) -> None:
    answer = news.ask("according to Tasnim, nuclear talks before 2022")
    assert {(q.sources[0].source, (q.sources[0].date or "")[:4]) for q in answer.quotes} <= {
        ("Tasnim", "2019"),
        ("Tasnim", "2020"),
        ("Tasnim", "2021"),
    }
    assert reply(news, "according to Tasnim, nuclear talks before 2022").startswith(
        "From Tasnim articles before 2022:"
    )


def test_one_story_in_several_articles_quotes_the_newest(news: Service) -> None:
    answer = news.ask("container terminal expansion approved")
    first = answer.quotes[0]
    assert [s.date for s in first.sources] == ["2024-06-10", "2023-03-15"]
    assert first.text.startswith("The city council gave final approval")  # the newer's words
    text = reply(news, "container terminal expansion approved")
    assert (
        "— Container terminal expansion gets final approval — AA, 10 Jun 2024 "
        "<https://aa.example/en/terminal-final-approval>"
    ) in text
    assert (
        "Also reported in: Council approves container terminal expansion — Valley Courier, "
        "15 Mar 2023, 1 year earlier"
    ) in text


def test_articles_sharing_only_the_questions_words_are_two_stories(news: Service) -> None:
    # The repairs article's "The cracked piers of the bridge will be rebuilt" shares the
    # question's words and one more with the closure's sentence: not the same report.
    first = news.ask("Old Mill Bridge cracks inspectors").quotes[0]
    assert "inspectors found deep cracks" in first.text
    assert [s.source for s in first.sources] == ["Valley Courier"]


def test_citations_have_outlet_date_and_link_but_no_file_name(news: Service) -> None:
    text = reply(news, "Old Mill Bridge cracks inspectors")
    assert (
        "— Old Mill Bridge closed after inspectors find cracks — Valley Courier, 9 Apr 2021 "
        "<https://courier.example/2021/bridge-closed>"
    ) in text
    assert ".txt" not in text and ".jsonl" not in text


def test_seeds_answers_are_unchanged_but_for_citations(seeds_service: Service) -> None:
    answer = seeds_service.ask("Who is Iraq's foreign minister?")
    assert answer.answered and answer.scope is None
    text = render_text(answer, seeds_service.context).text
    assert (
        "— Iran Seeks Enhanced Cooperation with Iraq to Address Regional Instability — Tasnim"
        in text
    )
    assert "_" not in text.split("\n")[1]  # no hashed file name
    # No seed is dated: time words are searched as words and never empty the answer.
    assert seeds_service.ask("latest on Iraq").scope is None
    assert seeds_service.ask("Who is Iraq's foreign minister in 2021?").answered


def test_latest_is_the_newest_of_the_articles_on_the_topic(news: Service) -> None:
    # Dozens of articles mention Portville; BM25's best passages are not the newest ones.
    on_topic = [
        a.date
        for a in news.index.articles
        if a.date and "portville" in news.index.article_text(a.number).casefold()
    ]
    assert dates(news, "the latest from Portville")[0] == max(on_topic)
