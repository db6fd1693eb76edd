"""The most frequent words of a language (retrieval/analysis/common_words.py)."""

from __future__ import annotations

from corpusbot.retrieval.analysis import common_words


def test_the_most_frequent_words_of_a_language() -> None:
    english = common_words("english")
    assert {"after", "its", "death", "president", "the"} <= english
    assert not {"condoled", "tram", "mayor"} & english
    assert common_words("porter") == english  # Snowball's other English stemmer
    assert "après" in common_words("french")


def test_a_language_without_a_list_has_no_common_words() -> None:
    assert common_words("none") == frozenset()
    assert common_words("klingon") == frozenset()
