"""bot/answer/quotes.py: quotes from scored sentences, folded by story, highlighted when shown."""

from collections.abc import Collection, Sequence

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpusbot.bot.answer.quotes import GAP, Quote, QuoteLimits, _single_spaced, make_quotes
from corpusbot.retrieval.analysis.analyzer import Analyzer, AnalyzerSettings
from corpusbot.retrieval.index.bm25 import ArticleInfo, Hit
from corpusbot.retrieval.reading.passages import Passage
from corpusbot.retrieval.storage.sentence_block import from_sentences
from corpusbot.retrieval.storage.sentence_store import analyzed_sentences

ANALYZER = Analyzer(AnalyzerSettings())
LIMITS = QuoteLimits(sentences=3, chars=600, overlap=0.6, quotes=12)
WEIGHTS = {"bridg": 2.0, "close": 1.0}  # "bridge", "closed"


def _article(number: int, date: str | None = None) -> ArticleInfo:
    return ArticleInfo(
        number, f"a{number}", f"Article {number}", f"a{number}.txt", None, date, None, 1
    )


def _hit(article: ArticleInfo, text: str, score: float = 1.0) -> Hit:
    return Hit(Passage(article.id, 0, 0, len(text), text), article, score, frozenset(WEIGHTS))


def _quotes(hits: list[Hit], scores: list[float], limits: QuoteLimits = LIMITS) -> list[Quote]:
    block = from_sentences(analyzed_sentences(h.passage.text, ANALYZER) for h in hits)
    assert len(block) == len(scores)
    return make_quotes(hits, block, np.array(scores), WEIGHTS, limits, analyzer=ANALYZER)


def test_an_article_quotes_its_best_sentence_first_then_close_ones_in_score_order() -> None:
    text = "The bridge closed on Monday. Traffic moved to Elm Street. The bridge had cracks."
    [quote] = _quotes([_hit(_article(1), text)], [5.0, 0.0, 4.0])
    assert quote.text == f"The bridge closed on Monday.{GAP}The bridge had cracks."
    assert quote.lead == len("The bridge closed on Monday.")


def test_a_sentence_far_below_the_best_stays_out() -> None:
    text = "The bridge closed on Monday. The bridge had cracks."
    [quote] = _quotes([_hit(_article(1), text)], [9.0, 1.0])
    assert quote.text == "The bridge closed on Monday."


def test_neighbouring_sentences_join_with_a_space() -> None:
    text = "The bridge closed on Monday. It had cracks in the bridge."
    [quote] = _quotes([_hit(_article(1), text)], [5.0, 4.5])
    assert quote.text == text


def test_a_sentence_the_article_repeats_is_quoted_once() -> None:
    text = "The bridge closed on Monday. The bridge closed  on Monday."
    [quote] = _quotes([_hit(_article(1), text)], [5.0, 5.0])
    assert quote.text == "The bridge closed on Monday."


def test_the_same_story_in_two_articles_is_one_quote_with_both_sources_newest_quoted() -> None:
    older, newer = _article(1, "2021-03-01"), _article(2, "2021-03-05")
    told = "Inspectors closed the Old Mill bridge after finding cracks."
    hits = [_hit(older, told, score=3.0), _hit(newer, told, score=2.0)]
    [quote] = _quotes(hits, [6.0, 5.0])
    assert [s.number for s in quote.sources] == [2, 1]
    assert quote.score == 3.0


def test_another_story_sharing_only_the_question_words_is_not_folded() -> None:
    hits = [
        _hit(_article(1), "Inspectors closed the bridge after finding cracks."),
        _hit(_article(2), "The closed bridge will be rebuilt in concrete."),
    ]
    quotes = _quotes(hits, [6.0, 5.0])
    assert [q.sources[0].number for q in quotes] == [1, 2]


def test_quotes_stop_at_the_limit() -> None:
    hits = [_hit(_article(n), f"The bridge number {n} closed for {n}0 days.") for n in range(1, 6)]
    limits = QuoteLimits(sentences=3, chars=600, overlap=0.99, quotes=3)
    quotes = _quotes(hits, [5.0, 4.0, 3.0, 2.0, 1.0], limits)
    assert [q.sources[0].number for q in quotes] == [1, 2, 3]


def test_highlights_are_found_when_read_and_equal_a_plain_quotes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    [quote] = _quotes([_hit(_article(1), "The Bridge was closed.")], [1.0])
    asked: list[list[str]] = []
    find = ANALYZER.find

    def found(texts: Sequence[str], terms: Collection[str]) -> list[list[tuple[int, int]]]:
        asked.append(list(texts))
        return find(texts, terms)

    monkeypatch.setattr(ANALYZER, "find", found)
    assert quote.highlights == ((4, 10), (15, 21))
    assert asked == [["The Bridge was closed."]]
    plain = Quote(quote.text, ((4, 10), (15, 21)), quote.sources, quote.score, quote.lead)
    assert quote == plain and plain == quote and hash(quote) == hash(plain)
    assert quote.highlights and asked == [["The Bridge was closed."]]  # found once


def test_undated_reports_of_one_story_keep_their_order() -> None:
    told = "Inspectors closed the Old Mill bridge after finding cracks."
    hits = [_hit(_article(n), told) for n in (1, 2, 3)]
    [quote] = _quotes(hits, [6.0, 5.0, 4.0])
    assert [s.number for s in quote.sources] == [1, 2, 3]


def test_dated_reports_folded_into_an_undated_one_come_newest_first() -> None:
    told = "Inspectors closed the Old Mill bridge after finding cracks."
    undated, older, newer = _article(1), _article(2, "2021-03-01"), _article(3, "2021-03-05")
    hits = [_hit(undated, told), _hit(older, told), _hit(newer, told)]
    [quote] = _quotes(hits, [6.0, 5.0, 4.0])
    assert [s.number for s in quote.sources] == [1, 3, 2]


def test_an_undated_report_goes_after_the_dated_ones_of_its_story() -> None:
    told = "Inspectors closed the Old Mill bridge after finding cracks."
    older, newer, undated = _article(1, "2021-03-01"), _article(2, "2021-03-05"), _article(3)
    hits = [_hit(older, told), _hit(newer, told), _hit(undated, told)]
    [quote] = _quotes(hits, [6.0, 5.0, 4.0])
    assert [s.number for s in quote.sources] == [2, 1, 3]


def test_a_newer_report_is_quoted_and_the_one_it_replaces_leads_the_others() -> None:
    told = "Inspectors closed the Old Mill bridge after finding cracks."
    first, same_day, newer = (
        _article(1, "2021-03-01"),
        _article(2, "2021-03-01"),
        _article(3, "2021-03-05"),
    )
    hits = [_hit(first, told), _hit(same_day, told), _hit(newer, told)]
    [quote] = _quotes(hits, [6.0, 5.0, 4.0])
    assert [s.number for s in quote.sources] == [3, 1, 2]  # ties keep the order they were told


# Every character str.split() splits on, and printable neighbours.
_SPACES = " \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u1680\u2000\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


@given(st.text(alphabet=st.sampled_from(_SPACES + "ab.é"), max_size=30))
def test_a_quoted_sentence_is_spaced_as_splitting_it_would(text: str) -> None:
    assert _single_spaced(text) == " ".join(text.split())


def test_a_single_spaced_sentence_is_kept_as_it_is() -> None:
    sentence = "Iran's foreign minister met his Saudi counterpart."
    assert _single_spaced(sentence) is sentence


def test_a_long_opening_sentence_is_cut_so_the_question_s_words_show() -> None:
    preamble = " ".join(f"filler{n} words of the council minutes" for n in range(12))
    sentence = f"In the long session {preamble}, the town decided the bridge closed for good."
    assert len(sentence) > 400 and sentence.index("bridge") > 300
    [quote] = _quotes([_hit(_article(1), sentence)], [1.0])
    assert quote.text.startswith("…") and quote.text.endswith("the bridge closed for good.")
    assert quote.text.index("bridge") < 300 and quote.text[1:] in sentence  # the article's words
    assert quote.lead == len(quote.text)


def test_a_long_opening_sentence_with_the_words_in_view_is_kept_whole() -> None:
    tail = " ".join(f"and then item{n} of the agenda was read" for n in range(12))
    sentence = f"The bridge closed on Monday, {tail}."
    [quote] = _quotes([_hit(_article(1), sentence)], [1.0])
    assert quote.text == sentence
