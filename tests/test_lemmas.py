"""Irregular forms fold to their lemma before stemming (retrieval/analysis/lemmas.py)."""

import pytest

from corpusbot.retrieval.analysis.analyzer import Analyzer, AnalyzerSettings
from corpusbot.retrieval.analysis.lemmas import lemma_source, lemmatizer


@pytest.mark.parametrize(
    ("form", "lemma"),
    [("said", "say"), ("told", "tell"), ("went", "go"), ("men", "man"), ("children", "child")],
)
def test_irregular_forms_share_their_lemmas_term(form: str, lemma: str) -> None:
    analyzer = Analyzer(AnalyzerSettings.create("english", "english"))
    assert analyzer.term(form) == analyzer.term(lemma)


def test_without_lemmas_said_and_say_stay_apart() -> None:
    analyzer = Analyzer(AnalyzerSettings.create("english", "english", lemmas=False))
    assert analyzer.term("said") != analyzer.term("say")


def test_a_name_the_dictionary_lacks_is_stemmed_as_it_is() -> None:
    lemma = lemmatizer("english")
    assert lemma is not None
    assert lemma("lavrov") == "lavrov"
    assert lemma("iran") == "iran"  # the dictionary's "Iran" is a name, not this lowercase word


def test_a_lemma_of_several_words_is_not_taken() -> None:
    lemma = lemmatizer("english")
    assert lemma is not None
    assert lemma("culs") == "culs"  # "culs-de-sac" would bring a hyphen into a term


def test_other_languages_fold_with_their_own_dictionary() -> None:
    analyzer = Analyzer(AnalyzerSettings.create("french", "none"))
    assert analyzer.term("fut") == analyzer.term("être")


def test_a_language_without_a_dictionary_stems_only() -> None:
    assert lemmatizer("tamil") is None
    assert lemma_source("tamil") == ""
    assert AnalyzerSettings.create("tamil", "none").lemmas == ""


def test_the_dictionary_is_part_of_the_index_settings() -> None:
    assert AnalyzerSettings.create("english", "english").lemmas.startswith("simplemma")
