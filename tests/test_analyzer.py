from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpusbot.retrieval.analysis import analyzer as analyzer_module
from corpusbot.retrieval.analysis.analyzer import TOKEN, Analyzer, AnalyzerSettings


@pytest.fixture(scope="module")
def english() -> Analyzer:
    return Analyzer(AnalyzerSettings.create("english", "english"))


def test_words_are_folded_stemmed_and_stop_words_dropped(english: Analyzer) -> None:
    assert english.terms("Who is IRAQ's Foreign Minister?") == ["iraq", "foreign", "minist"]
    assert english.terms("negotiations negotiating") == ["negoti", "negoti"]


def test_punctuation_markup_and_emoji_are_not_words(english: Analyzer) -> None:
    assert english.terms("<b>Lavrov</b> **Zarif** 🙂🙂 ... ???") == ["lavrov", "zarif"]
    assert english.terms("what is the") == []


def test_other_scripts_give_terms(english: Analyzer) -> None:
    assert english.terms("Иран и Россия") == ["иран", "и", "россия"]
    assert english.terms("ایران و روسیه") == ["ایران", "و", "روسیه"]
    assert english.terms("伊朗") == ["伊", "朗"]
    russian = Analyzer(AnalyzerSettings.create("russian", "none"))
    assert russian.terms("переговорах переговоры") == ["переговор", "переговор"]


def test_unknown_language_or_list_is_an_error() -> None:
    with pytest.raises(ValueError, match="no stemmer"):
        AnalyzerSettings.create("elvish", "none")
    with pytest.raises(ValueError, match="not found"):
        AnalyzerSettings.create("english", "no-such-list")


def test_letters_and_digits_are_separate_tokens(english: Analyzer) -> None:
    assert english.terms("COVID-19 covid19 Covid 19") == ["covid", "19"] * 3
    assert english.terms("IL-6 il6") == ["il", "6", "il", "6"]
    assert english.terms("type 2 diabetes, vitamin D") == ["type", "2", "diabet", "vitamin"]


def test_spans_give_offsets_into_the_original_text_with_terms(english: Analyzer) -> None:
    text = "The COVID-19 Vaccines"
    assert list(english.spans(text)) == [(4, 9, "covid"), (10, 12, "19"), (13, 21, "vaccin")]


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_text_gives_the_same_words_as_the_unicode_pattern(text: str) -> None:
    assert text.isascii()
    assert Analyzer(AnalyzerSettings()).words(text) == TOKEN.findall(text.casefold())


def test_a_stop_word_is_learned_once(monkeypatch: pytest.MonkeyPatch) -> None:
    analyzer = Analyzer(AnalyzerSettings.create("english", "english"))
    assert analyzer.terms("The cat and the hat") == ["cat", "hat"]
    learned: list[str] = []
    one, many = analyzer._learn, analyzer._learn_all

    def learn(word: str) -> str:
        learned.append(word)
        return one(word)

    def learn_all(words: Sequence[str]) -> dict[str, str]:
        learned.extend(words)
        return many(words)

    monkeypatch.setattr(analyzer, "_learn", learn)
    monkeypatch.setattr(analyzer, "_learn_all", learn_all)
    for _ in range(3):  # every word is cached now, stop words ("the", "and") included
        assert analyzer.terms("The cat and the hat") == ["cat", "hat"]
        assert analyzer.term("the") == ""
    assert learned == []


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_spans_are_the_unicode_pattern_spans(text: str) -> None:
    english = Analyzer(AnalyzerSettings.create("english", "english"))
    expected = []
    for match in TOKEN.finditer(text):
        term = english.term(match.group().casefold())
        if term:
            expected.append((match.start(), match.end(), term))
    assert list(english.spans(text)) == expected


WORDY = st.text(alphabet="abcels19 0.-AB\u00e9", max_size=60)


@given(WORDY, st.lists(st.sampled_from(["cell", "cells", "ab", "1", "19", "9", "e", "caf"])))
def test_find_gives_the_spans_whose_term_is_wanted(text: str, wanted: list[str]) -> None:
    english = Analyzer(AnalyzerSettings.create("english", "english"))
    terms = {english.term(w) for w in wanted} - {""}
    expected = [(start, end) for start, end, term in english.spans(text) if term in terms]
    assert english.find([text, text.upper()], terms) == [expected, expected]


def test_find_skips_words_inside_longer_runs(english: Analyzer) -> None:
    text = "Cells, excell, cell19 and 2019: cell 19."
    expected = [(0, 5), (15, 19), (19, 21), (32, 36), (37, 39)]
    assert english.find([text], {"cell", "19"}) == [expected]


@given(st.lists(st.sampled_from(["The", "ministers", "minister", "a", "7", "of", "Iran's", "é"])))
def test_new_words_learned_together_get_the_terms_one_at_a_time_gives(words: list[str]) -> None:
    text = " ".join(words)
    together = Analyzer(AnalyzerSettings.create("english", "english"))
    alone = Analyzer(AnalyzerSettings.create("english", "english"))
    expected = [t for t in (alone.term(w) for w in together.words(text)) if t]
    assert together.terms(text) == expected
    assert together.find([text], set(expected)) == alone.find([text], set(expected))
    words = [w.casefold() for w in words]
    fresh = Analyzer(AnalyzerSettings.create("english", "english"))
    assert fresh.terms_of(words) == [alone.term(w) for w in words]  # stop words: ""


def test_learning_stops_caching_at_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analyzer_module, "MAX_CACHE", 3)
    english = Analyzer(AnalyzerSettings.create("english", "english"))
    assert english.terms("the talks of ministers in Vienna resumed") == [
        "talk",
        "minist",
        "vienna",
        "resum",
    ]
    assert len(english._terms) == 3
