"""One tokenizer for passages and questions alike.

Unicode word tokens, case folding, stop words, irregular forms folded to their lemma
(retrieval/analysis/lemmas.py: "said" -> "say", "men" -> "man"), Snowball stemming. Scripts written
without spaces (Chinese, Japanese kana) are cut into single characters so that they still match
something.

A token is a run of letters or a run of digits, so "COVID-19", "covid19" and "Covid 19" all give
"covid" + "19", and "IL-6" matches "IL6". Single digits are terms ("type 2 diabetes"); single
ASCII letters are not (the "s" of "Iran's", the "b" of "<b>"). Measured on SciFact: see
docs/benchmarks.md.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import Stemmer

from corpusbot.config import STOPWORDS_DIR
from corpusbot.retrieval.analysis.lemmas import lemma_source, lemmatizer

_NO_SPACE_SCRIPTS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
TOKEN = re.compile(rf"[{_NO_SPACE_SCRIPTS}]|[^\W\d_{_NO_SPACE_SCRIPTS}]+|\d+")
# The same tokens for ASCII text (where letters are a-z once lowered, digits 0-9), about twice as
# fast: most passages of English news are pure ASCII.
ASCII_TOKEN = re.compile(r"[a-z]+|[0-9]+")
# Stems are cached per analyzer; news vocabularies are far smaller than this.
MAX_CACHE = 2_000_000


@dataclass(frozen=True)
class AnalyzerSettings:
    language: str = "english"
    stopwords: frozenset[str] = frozenset()
    # What folds irregular forms before stemming (lemmas.lemma_source), "" for nothing. An index
    # keeps the one it was built with, and its questions are analyzed the same way.
    lemmas: str = ""

    @classmethod
    def create(cls, language: str, stopwords: str, *, lemmas: bool = True) -> AnalyzerSettings:
        """Check the language and resolve the stop-word list (a name, a path or "none");
        `lemmas`: fold irregular forms where the language has a dictionary."""
        language = language.strip().lower()
        if language != "none" and language not in Stemmer.algorithms():
            known = ", ".join(sorted(Stemmer.algorithms()))
            raise ValueError(f"language {language!r} has no stemmer; choose one of: none, {known}")
        source = lemma_source(language) if lemmas else ""
        return cls(language=language, stopwords=load_stopwords(stopwords), lemmas=source)


def load_stopwords(name: str) -> frozenset[str]:
    if name.strip().lower() in {"", "none"}:
        return frozenset()
    path = Path(name).expanduser()
    if not path.is_file():
        path = STOPWORDS_DIR / f"{name.strip().lower()}.txt"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in STOPWORDS_DIR.glob("*.txt")))
        raise ValueError(f"stop-word list {name!r} not found; use none, {known} or a file path")
    words = path.read_text(encoding="utf-8").split("\n")
    return frozenset(w.strip().casefold() for w in words if w.strip() and not w.startswith("#"))


def _occurrences(word: str, lowered: str) -> list[tuple[int, int]]:
    """(start, end) of each whole ASCII_TOKEN `word` in `lowered`: not inside a longer run."""
    found = []
    digits = word[0].isdigit()
    at = lowered.find(word)
    while at >= 0:
        end = at + len(word)
        if not (at and _same_run(lowered[at - 1], word[0])) and not (
            end < len(lowered) and _continues(lowered[end], digits)
        ):
            found.append((at, end))
        at = lowered.find(word, end)
    return found


def _same_run(before: str, first: str) -> bool:
    return (before.isdigit() and first.isdigit()) or ("a" <= before <= "z" and first.isalpha())


def _continues(after: str, digits: bool) -> bool:
    return "0" <= after <= "9" if digits else "a" <= after <= "z"


class Analyzer:
    """Text to index terms. Cheap to call repeatedly: stems are cached."""

    def __init__(self, settings: AnalyzerSettings) -> None:
        self.settings = settings
        # PyStemmer's own cache off (size 0): `_terms` already keeps each word's term, and
        # filling that second cache made stemming a new word three times as slow.
        self._stemmer = (
            None if settings.language == "none" else Stemmer.Stemmer(settings.language, 0)
        )
        self._lemma = lemmatizer(settings.language) if settings.lemmas else None
        # Raw (case-folded) word -> term, or "" for a stop word.
        self._terms: dict[str, str] = {}

    def words(self, text: str) -> list[str]:
        """Case-folded word tokens, before stop words and stemming."""
        if text.isascii():
            return ASCII_TOKEN.findall(text.lower())
        return TOKEN.findall(text.casefold())

    def terms(self, text: str) -> list[str]:
        """The index terms of `text`, in order, repeats kept."""
        return [term for term in self.terms_of(self.words(text)) if term]

    def terms_of(self, words: Sequence[str]) -> list[str]:
        """The term of each case-folded word ("" for a stop word); new words learned together."""
        # A stop word is cached as "", so look up with None as the miss: with `or`, every "the"
        # missed the cache and was learned again.
        cached = list(map(self._terms.get, words))
        if None not in cached:  # no new word: most often, once the cache is warm
            return cast(list[str], cached)
        learned = self._learn_all([w for w, t in zip(words, cached, strict=True) if t is None])
        return [learned[w] if t is None else t for w, t in zip(words, cached, strict=True)]

    def spans(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, term) of each word of `text` that has a term, offsets into `text`."""
        if not text.isascii():
            for match in TOKEN.finditer(text):
                term = self.term(match.group().casefold())
                if term:
                    yield match.start(), match.end(), term
            return
        # Lowering keeps every offset of ASCII text (and is its case folding), and its pattern is
        # the faster one; the cache is read inline, as this runs for every word of a question.
        known = self._terms.get
        for match in ASCII_TOKEN.finditer(text.lower()):
            word = match.group()
            cached = known(word)
            term = self._learn(word) if cached is None else cached
            if term:
                yield match.start(), match.end(), term

    def find(self, texts: Sequence[str], terms: Collection[str]) -> list[list[tuple[int, int]]]:
        """For each of `texts`, (start, end) of each of its words whose term is in `terms`: the
        (start, end) of `spans` whose term is in `terms`. The ASCII texts are read as one, in
        which each wanted word is found with `str.find` (a question's words are few), not with a
        term lookup per word, and with no regex compiled per call (that cost more than the
        search on a question asked once)."""
        found: list[list[tuple[int, int]]] = [[] for _ in texts]
        plain = [number for number, text in enumerate(texts) if text.isascii()]
        for number, spans in zip(
            plain, self._find_ascii([texts[n] for n in plain], terms), strict=True
        ):
            found[number] = spans
        for number, text in enumerate(texts):
            if not text.isascii():  # other scripts: word by word
                found[number] = [(start, end) for start, end, t in self.spans(text) if t in terms]
        return found

    def _find_ascii(
        self, texts: Sequence[str], terms: Collection[str]
    ) -> list[list[tuple[int, int]]]:
        """`find` for ASCII texts: joined by a line break (no word runs across it), lowered
        (which keeps every offset), searched once, and the spans handed back to their texts."""
        joined = "\n".join(texts).lower()
        starts = list(itertools.accumulate((len(t) + 1 for t in texts[:-1]), initial=0))
        words = list(set(ASCII_TOKEN.findall(joined)))
        known = self.terms_of(words)  # one lookup call for them all, not one each
        wanted = [w for w, t in zip(words, known, strict=True) if t in terms]
        found: list[list[tuple[int, int]]] = [[] for _ in texts]
        for start, end in sorted(s for w in wanted for s in _occurrences(w, joined)):
            number = bisect.bisect_right(starts, start) - 1
            found[number].append((start - starts[number], end - starts[number]))
        return found

    def term(self, word: str) -> str:
        """The index term for one case-folded word ("" for a stop word)."""
        term = self._terms.get(word)
        return term if term is not None else self._learn(word)

    def _learn(self, word: str) -> str:
        return self._learn_all([word])[word]

    def _learn_all(self, words: Sequence[str]) -> dict[str, str]:
        """The term of each of `words` (new ones), learned together: stemmed in one call (a
        question brings a few new words, a quote a few dozen, and a call each cost more than
        the stemming)."""
        kept = [w for w in words if not self._dropped(w)]
        learned = dict.fromkeys(words, "")
        lemmas = list(map(self._lemma, kept)) if self._lemma else kept
        stems = self._stemmer.stemWords(lemmas) if self._stemmer else lemmas
        learned.update(zip(kept, stems, strict=True))
        for word, term in learned.items():
            if len(self._terms) >= MAX_CACHE:
                break
            self._terms[word] = term
        return learned

    def _dropped(self, word: str) -> bool:
        """A stop word, or a single character that is not a digit: no term."""
        return word in self.settings.stopwords or (
            len(word) == 1 and word.isascii() and not word.isdigit()
        )
