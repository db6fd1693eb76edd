"""Outlet, date and link from wherever an article gives them (retrieval/reading/news_meta.py), over
the news corpus in tests/data/news/: header lines, front matter, JSONL fields, datelines, paths."""

import logging
from pathlib import Path

import pytest

from corpusbot.retrieval.reading import Article
from corpusbot.retrieval.reading.corpus import load_corpus, parse_article
from corpusbot.retrieval.reading.news_meta import resolve

from .conftest import DATA, SEEDS

NEWS = DATA / "news"

# path -> (outlet, ISO date): one article of each way of giving them.
EXPECTED = {
    "courier/bridge-closed.txt": ("Valley Courier", "2021-04-09"),  # header "April 9, 2021"
    "courier/lantern-festival-2020.txt": ("Valley Courier", "2020-08-22"),  # "22 Aug 2020"
    "courier/ferry-winter.txt": ("Valley Courier", None),  # date: 2021-02-30, impossible
    "tasnim/talks-stall.md": ("Tasnim", "2021-06-18"),  # front matter published: ISO time
    "tasnim/talks-return.md": ("Tasnim", "2022-09-05"),  # quoted "5 September 2022"
    "tasnim/minister-port-visit.md": ("Tasnim", "2023-01-25"),  # Jan 25, 2023
    "tasnim/dredging-finished.md": ("Harbor Wire", "2023-11-30"),  # publisher:, published:
    "feeds/aa.jsonl:3": ("AA", "2021-04-27"),  # JSONL outlet / published
    "feeds/aa.jsonl:4": ("AA", "2022-05-03"),  # JSONL "3 May 2022"
    "feeds/aa.jsonl:8": ("AA", "2024-06-01"),  # JSONL published_at, RFC 2822
    "wire/heatwave-water.txt": ("Harbor Wire", "2022-06-07"),  # dateline only
    "wire/second-term.txt": ("Valley Courier", "2023-09-09"),  # dateline "Sept. 9, 2023"
    "wire/2021/talks-resume.txt": ("Harbor Wire", "2021-04-13"),  # "April 13", year: folder
    "wire/observers-expect.txt": ("Harbor Wire", None),  # "March 2", no year anywhere
    "wire/night-ferry.txt": ("AA", None),  # "PORTVILLE (AA) –": outlet, no date
    "wire/2024-06-12-strike-talks.txt": ("Harbor Wire", "2024-06-12"),  # file name
}


@pytest.fixture(scope="module")
def news_articles() -> dict[str, Article]:
    corpus = load_corpus(NEWS)
    assert not corpus.skipped
    return {a.path: a for a in corpus.articles}


def test_the_news_corpus_has_articles_of_several_outlets_years_and_formats(
    news_articles: dict[str, Article],
) -> None:
    articles = list(news_articles.values())
    assert len(articles) >= 30
    assert {a.source for a in articles} == {"AA", "Tasnim", "Harbor Wire", "Valley Courier"}
    assert len({a.date[:4] for a in articles if a.date}) >= 5
    assert {Path(a.path.split(":")[0]).suffix for a in articles} == {".txt", ".md", ".jsonl"}


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_each_way_of_dating_an_article(news_articles: dict[str, Article], path: str) -> None:
    article = news_articles[path]
    assert (article.source, article.date) == EXPECTED[path]


def test_front_matter_gives_the_title_and_link_and_leaves_the_body(
    news_articles: dict[str, Article],
) -> None:
    accord = news_articles["tasnim/draft-accord.md"]
    assert accord.title == "Arland and Belmora agree a draft nuclear accord"
    assert accord.url == "https://tasnim.example/en/news/2024/06/08/draft-accord"
    assert accord.text.startswith("Arland and Belmora agreed a draft nuclear accord in Geneva")
    assert "---" not in accord.text and "outlet:" not in accord.text
    fishing = news_articles["tasnim/fishing-agreement.md"]  # a heading repeating the title
    assert fishing.title == "Trade delegation from Belmora signs fishing agreement"
    assert fishing.text.startswith("A trade delegation from Belmora signed")


def test_an_impossible_date_is_ignored_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="corpusbot.corpus"):
        article = parse_article("Ferry\ndate: 2021-02-30\n\nThe ferry runs.", "f", "f.txt")
    assert article.date is None
    assert "f.txt: impossible date '2021-02-30' ignored" in caplog.text


def test_an_unreadable_date_is_ignored_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="corpusbot.corpus"):
        meta = resolve({"date": "last Tuesday"}, "Body.", "x.txt")
    assert meta.date is None and "unreadable date 'last Tuesday'" in caplog.text


def test_fields_win_over_the_dateline_and_links_must_be_web_links() -> None:
    text = "PORTVILLE, June 7, 2022 (Harbor Wire) – Water use rose."
    meta = resolve(
        {"outlet": "Courier", "published": "2022-06-08", "link": "javascript:x"}, text, "a.txt"
    )
    assert (meta.source, meta.date, meta.url) == ("Courier", "2022-06-08", None)
    assert resolve({"year": "2022"}, "GENEVA, April 13 (AA) – Talks.", "a.txt").date == "2022-04-13"


def test_the_seeds_keep_no_dates_and_their_dateline_outlets() -> None:
    articles = {a.id: a for a in load_corpus(SEEDS).articles}
    assert all(a.date is None for a in articles.values())
    assert articles["000_442724f15755f4d5"].source == "AA"
    assert articles["002_9635e7a99c58f50c"].source == "Tasnim"
