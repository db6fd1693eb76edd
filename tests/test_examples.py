"""Example questions: made from the corpus, offered only when the corpus answers them."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from corpusbot.bot.answer.compose import Answer, Quote
from corpusbot.bot.answer.examples import example_questions
from corpusbot.bot.answer.render import render_html
from corpusbot.bot.app.service import Service

from .conftest import make_settings

SHAPES = re.compile(r"Who is [^?]+\?|What did [^?]+ say about [^?]+\?")

ROLE_ARTICLE = (
    "Talks in Fredonia\nsource: Gazette\n\nFredonia's Foreign Minister Rufus Firefly "
    "met the envoy of Sylvania on Monday to discuss the border treaty. The talks "
    "lasted four hours.\n"
)
FILLER = "Harvest report {n}\n\nFarmers in valley {n} brought in {n}00 tonnes of wheat this week.\n"


def write(folder: Path, articles: dict[str, str]) -> Path:
    folder.mkdir()
    for name, text in articles.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_the_seeds_examples_are_questions_the_seeds_answer(seeds_service: Service) -> None:
    examples = seeds_service.examples(3)
    assert len(examples) == 3
    titles = {" ".join(a.title.split()) for a in seeds_service.index.articles}
    for question in examples:
        assert SHAPES.fullmatch(question), question
        assert question not in titles and len(question) <= 80
        answer = seeds_service.ask(question)
        assert answer.answered and answer.quotes, question


def test_a_role_sentence_becomes_a_who_question_answered_by_its_article(tmp_path: Path) -> None:
    corpus = write(
        tmp_path / "corpus",
        {"a.txt": ROLE_ARTICLE, **{f"f{n}.txt": FILLER.format(n=n) for n in range(5)}},
    )
    service = Service.open(make_settings(tmp_path / "cache", corpus))
    assert service.examples(3) == ["Who is Fredonia's foreign minister?"]
    answer = service.ask("Who is Fredonia's foreign minister?")
    assert answer.quotes[0].sources[0].path == "a.txt" and "Rufus Firefly" in answer.quotes[0].text


def test_a_corpus_of_headlines_and_plain_facts_offers_no_example(tmp_path: Path) -> None:
    corpus = write(tmp_path / "corpus", {f"f{n}.txt": FILLER.format(n=n) for n in range(5)})
    service = Service.open(make_settings(tmp_path / "cache", corpus))
    assert service.examples(3) == []
    empty = render_html(service.ask(""), service.context).text
    assert "example" not in empty.lower() and "Harvest report" not in empty


def test_a_question_answered_from_another_article_is_not_offered(seeds_service: Service) -> None:
    def ask_elsewhere(question: str) -> Answer:
        real = seeds_service.ask(question)
        if not real.quotes:
            return real
        first = real.quotes[0]
        nowhere = dataclasses.replace(first.sources[0], number=0)  # no article of the corpus
        moved = Quote(first.text, first.highlights, (nowhere,), first.score)
        return Answer(real.question, True, (moved, *real.quotes[1:]))

    assert example_questions(seeds_service.index, ask_elsewhere, 3) == []


@pytest.mark.parametrize("count", [1, 2, 3])
def test_examples_are_made_once_per_index(seeds_service: Service, count: int) -> None:
    first = seeds_service.examples(count)
    assert seeds_service.examples(count) == first == seeds_service.examples(3)[:count]


def test_titles_and_passive_verbs_make_no_speaker(tmp_path: Path) -> None:
    corpus = write(
        tmp_path / "corpus",
        {
            "a.txt": "Launch site\n\nA site was chosen in Houston, and Administrator Webb "
            "announced the choice on Monday. The Music Society of Basin Street announced by "
            "Milton Cross played in Chicago.\n",
            **{f"f{n}.txt": FILLER.format(n=n) for n in range(5)},
        },
    )
    service = Service.open(make_settings(tmp_path / "cache", corpus))
    assert service.examples(3) == ["What did Webb say about Houston?"]


def test_an_honorific_is_no_topic(tmp_path: Path) -> None:
    corpus = write(
        tmp_path / "corpus",
        {
            "a.txt": "Bridge study\n\nThe cracks will grow, Dr. Okafor said of the Tarn Bridge "
            "on Monday.\n",
            **{f"f{n}.txt": FILLER.format(n=n) for n in range(5)},
        },
    )
    service = Service.open(make_settings(tmp_path / "cache", corpus))
    assert service.examples(3) == ["What did Okafor say about the Tarn Bridge?"]
