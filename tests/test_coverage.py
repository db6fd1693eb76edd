"""Whether the retrieved passages cover a question well enough to answer
(bot/answer/coverage.py)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from corpusbot.bot.answer.coverage import (
    MIN_PASSAGES,
    THRESHOLD,
    Coverage,
    _writes,
    covered,
    measure_for,
    relevant_hits,
    strongest,
)
from corpusbot.bot.answer.question import Question, read_question
from corpusbot.bot.answer.respell import rewrite
from corpusbot.bot.app.service import Service
from corpusbot.config.settings import load_settings
from corpusbot.retrieval.index.bm25 import Hit, Index, SearchResult
from corpusbot.retrieval.reading.corpus import Article
from corpusbot.retrieval.reading.passages import Passage
from corpusbot.retrieval.storage.sentence_block import SentenceShares

from .conftest import DATA, analysed_texts


def _index(texts: dict[str, str]) -> Index:
    """One passage per text, indexed with the default settings (stop words, stemming)."""
    articles = [Article(key, key, text, f"{key}.txt") for key, text in texts.items()]
    passages = [Passage(a.id, 0, 0, len(a.text), a.text) for a in articles]
    return Index.build(articles, passages, load_settings(env={}).index)


def scifact_abstracts() -> Index:
    """300 SciFact abstracts (tests/data/SOURCE.md): a real corpus above MIN_PASSAGES."""
    rows = [json.loads(line) for line in (DATA / "scifact_sample.jsonl").open(encoding="utf-8")]
    return _index({row["_id"]: f"{row['title']}\n\n{row['text']}" for row in rows})


@pytest.fixture(scope="module")
def abstracts() -> Index:
    return scifact_abstracts()


def _decide(index: Index, question: str) -> tuple[bool, float | None]:
    """`covered` for `question` as compose asks it, and the model's log-odds (None: no hit)."""
    read = read_question(question, index, limit=1_000)
    result = index.search(read.query, 24)
    relevant = relevant_hits(result.hits, result.question_terms, 0.2, names=read.rewritten.names)
    odds = measure_for(index, result, read, relevant).log_odds() if relevant else None
    return covered(index, result, read, relevant), odds


def test_the_sample_is_big_enough_for_the_model(abstracts: Index) -> None:
    assert len(abstracts) >= MIN_PASSAGES


def test_a_question_an_abstract_answers_is_covered(abstracts: Index) -> None:
    ok, odds = _decide(
        abstracts, "Where are estrogen receptor binding sites found in cancer cells?"
    )
    assert ok and odds is not None and odds > THRESHOLD + 3


def test_a_question_sharing_only_loose_words_is_not_covered(abstracts: Index) -> None:
    # The best passage holds "memory" (of T cells) and "loss" (of CD21) -> None: over 40 % of the
    # question's weight, so the floor alone quoted it.
    question = "What causes memory loss in older adults?"
    read = read_question(question, abstracts, limit=1_000)
    result = abstracts.search(read.query, 24)
    assert relevant_hits(result.hits, result.question_terms, 0.4, names=read.rewritten.names)
    ok, odds = _decide(abstracts, question)
    assert not ok and odds is not None and odds < THRESHOLD


def _claims() -> list[str]:
    return [line.strip() for line in (DATA / "scifact_sample_claims.txt").open(encoding="utf-8")]


def _searched(index: Index, question: str) -> tuple[Question, SearchResult, list[Hit]]:
    """The question respelled, its search and relevant hits (floor 0.2), as compose asks."""
    read = read_question(question, index, limit=1_000)
    result = index.search(read.query, 24)
    relevant = relevant_hits(result.hits, result.question_terms, 0.2, names=read.rewritten.names)
    return read, result, relevant


def _counted(
    index: Index, result: SearchResult, read: Question, relevant: list[Hit], asked: list[bool]
) -> Callable[[], SentenceShares]:
    """Measures the relevant hits' sentences as compose does, noting each time in `asked`."""

    def shares() -> SentenceShares:
        asked.append(True)
        order = read.terms
        return index.sentence_shares(relevant, result.question_terms, order)

    return shares


def test_the_passages_alone_decide_only_as_the_whole_model_does(abstracts: Index) -> None:
    # `covered` reads no sentences when, whatever a sentence holds (0 up to its passage's
    # share), the log-odds would stay under THRESHOLD, or reach it: the decision must be the
    # whole model's, always.
    early = {True: 0, False: 0}
    for claim in _claims():
        read, result, relevant = _searched(abstracts, claim)
        if not relevant:
            continue
        whole = measure_for(abstracts, result, read, relevant).log_odds() >= THRESHOLD
        asked: list[bool] = []
        shares = _counted(abstracts, result, read, relevant, asked)
        assert covered(abstracts, result, read, relevant, shares=shares) is whole, claim
        early[whole] += not asked
        assert len(asked) <= 1  # measured at most once
    assert early[False] >= 5 and early[True] >= 3  # both shortcuts are taken on this sample


def test_a_sentence_never_holds_more_than_its_passage(abstracts: Index) -> None:
    # What the early decisions rest on: the sentence signals, and the share of the words the
    # passage writes as asked, are at most the passage share.
    measured = 0
    for claim in _claims():
        read, result, relevant = _searched(abstracts, claim)
        if relevant:
            found = measure_for(abstracts, result, read, relevant)
            assert found.phrase <= found.sentence <= found.passage + 1e-9, claim
            assert found.verbatim <= found.passage + 1e-9, claim
            assert found.verbatim <= found.passage + 1e-9, claim  # it counts the passage's terms
            measured += 1
    assert measured >= 20


def _measured(index: Index, question: str) -> tuple[SearchResult, list[Hit], Coverage]:
    """The search, its relevant hits (floor 0.2) and their coverage signals, as compose asks."""
    read = read_question(question, index, limit=1_000)
    result = index.search(read.query, 10)
    relevant = relevant_hits(result.hits, result.question_terms, 0.2, names=read.rewritten.names)
    return result, relevant, measure_for(index, result, read, relevant)


def test_signals_of_one_passage_that_holds_the_whole_question() -> None:
    index = _index(
        {
            "bridge": "The Velm bridge crosses the Orra river. It opened in 1932.",
            "saffron": "Saffron prices in Mashhad fell after a record harvest.",
            "carpet": "Tabriz carpet exports doubled this year.",
        }
    )
    result, relevant, found = _measured(index, "Which river does the Velm bridge cross?")
    assert [h.article.id for h in relevant] == ["bridge"]
    assert found.passage == pytest.approx(1.0) and found.sentence == pytest.approx(1.0)
    assert found.absent == 0.0 and found.unheld == 0.0 and found.heaviest_missed == 0.0
    assert found.rarest_held == 1.0 and found.focus == 1.0 and found.runner_up == 0.0
    # "Velm bridge cross(es)" runs in the question's order in the sentence; "river" does not.
    weights = result.question_terms
    in_order = weights["velm"] + weights["bridg"] + weights["cross"]
    assert found.phrase == pytest.approx(in_order / sum(weights.values()))
    # The passage writes "crosses", not "cross" as asked; the article's title is "bridge".
    written = in_order - weights["cross"] + weights["river"]
    assert found.verbatim == pytest.approx(written / sum(weights.values()))
    assert found.subject == pytest.approx(weights["bridg"] / sum(weights.values()))


def test_a_word_matched_only_through_its_stem_is_not_verbatim() -> None:
    # "publicity" finds "public" through the stem they share: the passage holds the term but
    # not the question's word, the way another article's passage matches a question about an
    # article the corpus lacks ("What has been the result of this publicity?").
    index = _index(
        {
            "square": "The public square of Velm hosts a market.",
            "harvest": "Saffron prices in Mashhad fell after a record harvest.",
        }
    )
    result, relevant, found = _measured(index, "How did publicity change the Velm square?")
    weights = result.question_terms
    assert {"public", "velm", "squar"} <= relevant[0].matched
    total = sum(weights.values())
    assert found.verbatim == pytest.approx((weights["velm"] + weights["squar"]) / total)
    assert found.subject == pytest.approx(weights["squar"] / total)  # titled "square"


@pytest.mark.parametrize(
    ("text", "word", "expected"),
    [
        ("it grew in the 14th century", "14", True),  # "14th" is "14" and "th"
        ("it grew in 1914", "14", False),
        ("publicity grew", "public", False),
        ("the public, at last", "public", True),
        ("a publican and the public", "public", True),
    ],
)
def test_a_word_is_written_only_as_a_whole_token(text: str, word: str, expected: bool) -> None:
    assert _writes(text, word) is expected


def test_a_word_no_passage_holds_counts_as_absent() -> None:
    index = _index(
        {
            "bridge": "The Velm bridge crosses the Orra river. It opened in 1932.",
            "saffron": "Saffron prices in Mashhad fell after a record harvest.",
        }
    )
    result, _, found = _measured(index, "When did the Velm bridge collapse?")
    weights = result.question_terms
    assert found.absent == pytest.approx(weights["collaps"] / sum(weights.values()))
    assert found.heaviest_missed == found.absent  # unknown words weigh the most


def test_a_spelling_searched_beside_the_asked_name_is_not_more_of_the_question() -> None:
    index = _index(
        {
            "visit": "President Raisi visited Moscow in January.",
            "vaccines": "President Raeisi spoke about vaccines.",
            "harvest": "Saffron prices in Mashhad fell after a record harvest.",
        }
    )
    question = "What about Raisi and vaccines?"
    assert "raeisi" in rewrite(question, index).question.casefold()  # searched beside "Raisi"
    _, _, found = _measured(index, question)
    assert found.passage == pytest.approx(1.0)  # "Raeisi" stands for "Raisi"
    assert found.verbatim == pytest.approx(1.0)  # as written beside it in the search


def test_a_passage_matching_only_a_common_word_is_not_relevant() -> None:
    index = _index(
        {
            "talks": "Iran and Oman discussed the gas pipeline in Muscat.",
            "other": "Iran exported more pistachios this year.",
            "third": "Iran hosted a carpet fair.",
        }
    )
    result = index.search("Iran pipeline Muscat", 10)
    relevant = relevant_hits(result.hits, result.question_terms, 0.2)
    assert [h.article.id for h in relevant] == ["talks"]


@pytest.mark.parametrize(
    ("question", "expected"), [("bridge river", True), ("bridge tolls", False)]
)
def test_a_tiny_corpus_keeps_the_floor_rule(question: str, expected: bool) -> None:
    # Under MIN_PASSAGES passages the model's statistics mean little: a passage holding
    # TINY_FLOOR of the question's weight is enough ("tolls" is in no passage, and weighs most).
    index = _index(
        {
            "bridge": "The Velm bridge crosses the Orra river.",
            "harvest": "Saffron prices in Mashhad fell after a record harvest.",
        }
    )
    assert len(index) < MIN_PASSAGES
    read = read_question(question, index, limit=1_000)
    result = index.search(read.query, 10)
    relevant = relevant_hits(result.hits, result.question_terms, 0.2)
    assert covered(index, result, read, relevant) is expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # The article reports Iraqi officials "offering condolences over the recent loss" of
        # Iran's president: "death" is in no article, but it is a common word, not the point.
        ("Who condoled with Iran after the death of its president?", True),
        # "earthquake" is in no article either, and it is what the question is about.
        ("Who condoled with Iran after the earthquake?", False),
    ],
)
def test_in_a_tiny_corpus_common_words_weigh_less(
    seeds_service: Service, question: str, expected: bool
) -> None:
    index = seeds_service.index
    assert len(index) < MIN_PASSAGES
    read = read_question(question, index, limit=1_000)
    common = read.common_terms(index.analyzer.settings.language)
    assert "after" in common and "condol" not in common
    result = index.search(read.query, 10)
    relevant = relevant_hits(result.hits, result.question_terms, 0.2)
    assert covered(index, result, read, relevant) is expected


def test_the_quotes_come_from_the_strong_passages_when_there_are_any() -> None:
    index = _index(
        {
            "bridge": "The Velm bridge crosses the Orra river.",
            "river": "Boats on the Orra river carry grain.",
            "harvest": "Saffron prices in Mashhad fell after a record harvest.",
        }
    )
    result = index.search("Velm bridge Orra river", 10)
    weights = result.question_terms
    assert {h.article.id for h in result.hits} == {"bridge", "river"}
    assert [h.article.id for h in strongest(result.hits, weights)] == ["bridge"]
    weak = [h for h in result.hits if h.article.id == "river"]
    assert strongest(weak, weights) == weak  # none strong: all of them


def test_the_coverage_signals_never_analyse_the_question_again(
    abstracts: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The model reads the question's words and terms (for `verbatim` and the sentence shares)
    # from the `Question`, read once; only passages are analysed here.
    read = [_searched(abstracts, claim) for claim in _claims()]
    analysed = analysed_texts(abstracts.analyzer, monkeypatch)
    measured = [measure_for(abstracts, r, q, hits) for q, r, hits in read if hits]
    assert len(measured) >= 20
    asked = {q.searched for q, _, _ in read} | {q.text for q, _, _ in read}
    assert not asked & set(analysed)
