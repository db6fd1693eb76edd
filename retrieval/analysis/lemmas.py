"""Irregular word forms folded to their dictionary form before stemming.

A Snowball stemmer folds "says" and "saying" into "say", but not "said"; nor "told" into
"tell", "went" into "go", "men" into "man" or "children" into "child". Those forms are looked up
in simplemma's bundled dictionary of the analyzer's language (one table for each of its 50-odd
languages, maintained upstream), and the lemma is what gets stemmed. A word the dictionary does
not hold, such as a name, is stemmed as it is. Languages simplemma has no table for keep
stemming only.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from functools import cache
from importlib.metadata import PackageNotFoundError, version

from simplemma.strategies.dictionaries import DefaultDictionaryFactory

__all__ = ["LEMMA_LANGUAGES", "lemma_source", "lemmatizer"]

# Snowball stemmer names (analyzer.language) and simplemma's language codes.
LEMMA_LANGUAGES = {
    "arabic": "ar",
    "armenian": "hy",
    "catalan": "ca",
    "czech": "cs",
    "danish": "da",
    "dutch": "nl",
    "dutch_porter": "nl",
    "english": "en",
    "porter": "en",
    "esperanto": "eo",
    "estonian": "et",
    "finnish": "fi",
    "french": "fr",
    "german": "de",
    "greek": "el",
    "hindi": "hi",
    "hungarian": "hu",
    "indonesian": "id",
    "irish": "ga",
    "italian": "it",
    "lithuanian": "lt",
    "norwegian": "nb",
    "persian": "fa",
    "polish": "pl",
    "portuguese": "pt",
    "romanian": "ro",
    "russian": "ru",
    "serbian": "hbs",
    "spanish": "es",
    "swedish": "sv",
    "turkish": "tr",
}
# A lemma replaces a word only if it is one word too: the analyzer's terms are runs of letters,
# and "culs-de-sac" -> "cul-de-sac" would bring a hyphen into a term.
_ONE_WORD = re.compile(r"[^\W\d_]+")
_lock = threading.Lock()


def lemma_source(language: str) -> str:
    """What folds `language`'s irregular forms, for the index's fingerprint ("" for nothing):
    an index built with one dictionary must not be searched with another's terms."""
    if language not in LEMMA_LANGUAGES:
        return ""
    try:
        return f"simplemma {version('simplemma')} {LEMMA_LANGUAGES[language]}"
    except PackageNotFoundError:  # run from a source tree without the package's metadata
        return f"simplemma {LEMMA_LANGUAGES[language]}"


@cache  # one function a language, shared by every analyzer and the question reader
def lemmatizer(language: str) -> Callable[[str], str] | None:
    """A function from a case-folded word to its case-folded lemma (the word itself when the
    dictionary lacks it), or None for a language without a dictionary. The dictionary is read
    once per process, on first use (about 0.1 s for English)."""
    if language not in LEMMA_LANGUAGES:
        return None
    table: list[Mapping[str, str]] = []

    def lemma(word: str) -> str:
        if not table:
            table.append(_dictionary(LEMMA_LANGUAGES[language]))
        found = table[0].get(word)
        if found is None:
            return word
        found = found.casefold()
        return found if _ONE_WORD.fullmatch(found) else word

    return lemma


def _dictionary(code: str) -> Mapping[str, str]:
    with _lock:  # one load even when two threads learn their first words at once
        return _load(code)


@cache
def _load(code: str) -> Mapping[str, str]:
    return DefaultDictionaryFactory().get_dictionary(code)
