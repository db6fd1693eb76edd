"""A question rewritten in the corpus's own spelling, and the names no article mentions.

Each word of the question is looked up in the index's vocabulary (bot/answer/spelling.py):
- an absent word is replaced by the corpus's spelling of it (a transliteration variant, a small
  typo, a joined compound split, or two absent words joined);
- a rare name-like word (capitalised, not the question's first word) that is present also brings
  its rare transliteration variants ("Raisi" also searches "Raeisi");
- a name-like word that stays absent is reported: no article mentions it.
"""

from __future__ import annotations

import re
import threading
import weakref
from dataclasses import dataclass
from typing import NamedTuple

from corpusbot.bot.answer.spelling import Speller
from corpusbot.retrieval.analysis import Analyzer
from corpusbot.retrieval.index import Index
from corpusbot.retrieval.reading import MONTH, WEEKDAY

# A term is rare (a name, usually) when at most this share of the passages holds it.
RARE_SHARE = 0.01
RARE_AT_LEAST = 20  # passages: in small corpora every name is rare

# A capitalised run of ASCII letters with no other capital: the only ASCII word `_name_like` takes.
_ASCII_NAME = re.compile("(?<![A-Za-z])[A-Z][a-z]+(?![A-Za-z])")
# A month or a weekday after a word of time is a date, not a name: "closed in January", "on
# Tuesday". Its own ("What did May say?", "March") stays a name.
_DATED = re.compile(
    r"\b(?:in|on|since|before|after|during|until|till|by|from|of|last|next|this|early|late|mid)"
    rf"[\s-]+({MONTH}|{WEEKDAY})(?![\w'’-])",
    re.IGNORECASE,
)
_spellers: weakref.WeakKeyDictionary[Index, Speller] = weakref.WeakKeyDictionary()
_spellers_lock = threading.Lock()


@dataclass(frozen=True)
class Respelled:
    asked: str  # the word as the question wrote it
    terms: tuple[str, ...]  # the corpus terms searched for it
    added: bool  # True: searched beside the asked spelling; False: instead of it


@dataclass(frozen=True)
class Rewritten:
    question: str  # what to search
    respelled: tuple[Respelled, ...] = ()
    absent: tuple[str, ...] = ()  # name-like words that no article holds, as written
    suggestions: tuple[str, ...] = ()  # corpus terms close to the absent words
    present: tuple[str, ...] = ()  # rare name-like words the corpus does hold, as written
    names: frozenset[str] = frozenset()  # their terms, with their variants and compound forms


class _Word(NamedTuple):  # a tuple: a question makes one a word, and a frozen dataclass is slow
    start: int
    end: int
    term: str
    name_like: bool


def speller_for(index: Index) -> Speller:
    """The index's speller, made once per index and dropped with it."""
    with _spellers_lock:
        speller = _spellers.get(index)
        if speller is None:
            speller = _spellers[index] = Speller(
                index.vocab, index.document_frequency, index.analyzer.terms_of
            )
        return speller


def prepare_in_background(index: Index, *, earlier: Index | None = None) -> None:
    """For a long-running process (the bot): build the index's speller table on a daemon
    thread, so that the first question naming someone need not wait for it. With `earlier`,
    the index it replaces: when it is an update of that one and its table is built, the table
    is made from that one's at once instead."""
    if earlier is not None and _updated_speller(index, earlier):
        return
    threading.Thread(
        target=speller_for(index).prepare, name="corpusbot-speller", daemon=True
    ).start()


def _updated_speller(index: Index, earlier: Index) -> bool:
    """Whether `index`'s speller was made from `earlier`'s, changed by the terms it gained and
    lost: 0.19 s for 800,000 terms on this project's machine, where a table built anew takes
    2.8 s of the interpreter the answers share."""
    with _spellers_lock:
        previous = _spellers.get(earlier)
    change = index.vocabulary_since(earlier)
    if previous is None or not previous.prepared or change is None:
        return False
    gained, lost = change
    speller = previous.updated(index.vocab, index.document_frequency, gained=gained, lost=lost)
    with _spellers_lock:
        _spellers.setdefault(index, speller)
    return True


def rewrite(question: str, index: Index) -> Rewritten:
    """`question` with its names in the corpus's spelling, and the names that stay absent.

    Only name-like words (capitalised, not first) are respelled: a common word that the corpus
    lacks is more often a paraphrase than a typo, and BM25 simply finds nothing for it.
    """
    if not _may_hold_a_name(question):  # no word can be a name: nothing to respell
        return Rewritten(question)
    names = _Names(index)
    words = _words(question, index.analyzer)
    edits: list[tuple[int, int, str]] = []
    respelled: list[Respelled] = []
    absent: list[tuple[int, int]] = []  # spans of the question
    suggestions: list[str] = []
    added: list[str] = []
    present: list[str] = []
    names_found: set[str] = set()
    skip = False
    for word, following in zip(words, [*words[1:], None], strict=False):
        if skip or not word.name_like:
            skip = False
            continue
        asked = question[word.start : word.end]
        if names.speller.known(word.term):
            others, joined = names.other_forms(word, following)
            if names.rare(word.term):
                present.append(asked)
                names_found.update((word.term, *others))
            if others:
                added += others
                end = following.end if joined and following is not None else word.end
                respelled.append(Respelled(question[word.start : end], others, added=True))
            continue
        joined_term = names.join(word, following)
        if joined_term is not None and following is not None:
            edits.append((word.start, following.end, joined_term))
            respelled.append(Respelled(question[word.start : following.end], (joined_term,), False))
            skip = True
            continue
        corrected = names.correct(word, asked)
        if corrected:
            edits.append((word.start, word.end, " ".join(corrected)))
            respelled.append(Respelled(asked, corrected, added=False))
            present.append(asked)
            names_found.update(corrected)
            continue
        absent.append((word.start, word.end))
        hint = names.speller.suggest(word.term)
        if hint is not None and names.written_as_name(hint):
            suggestions.append(hint)
    text = _apply(question, edits) + "".join(f" {term}" for term in added)
    return Rewritten(
        text,
        tuple(respelled),
        _names_as_written(question, absent),
        tuple(suggestions),
        tuple(present),
        frozenset(names_found),
    )


class _Names:
    """The corpus's rare, capitalised terms: the only ones a name is respelled to."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.speller = speller_for(index)
        self.rare_limit = max(RARE_AT_LEAST, RARE_SHARE * len(index))

    def rare(self, term: str) -> bool:
        return self.index.document_frequency(term) <= self.rare_limit

    def written_as_name(self, term: str) -> bool:
        """Whether the corpus writes `term` capitalised (where it first finds it)."""
        for hit in self.index.search(term, 1).hits:
            text = hit.passage.text
            return any(
                text[s].isupper() for s, _, t in self.index.analyzer.spans(text) if t == term
            )
        return False

    def writes(self, term: str, word: str) -> bool:
        """Whether a passage holding `term` writes it as `word` (case aside)."""
        for hit in self.index.search(term, 3).hits:
            text = hit.passage.text
            spans = self.index.analyzer.spans(text)
            if any(t == term and text[s:e].casefold() == word for s, e, t in spans):
                return True
        return False

    def usable(self, term: str) -> bool:
        """A rare name of the corpus that, written in a question, is analysed back to itself."""
        return (
            self.rare(term)
            and self.index.analyzer.term(term) == term
            and self.written_as_name(term)
        )

    def other_forms(self, word: _Word, following: _Word | None) -> tuple[tuple[str, ...], bool]:
        """A present rare name's variants and compound forms; and whether it joined the next."""
        if not self.rare(word.term):
            return (), False
        forms = [v for v in self.speller.variants(word.term) if self.usable(v)]
        forms += self._parts(word.term)
        joined = False
        if following is not None and following.name_like:
            together = word.term + following.term
            if self.speller.known(together) and self.usable(together):
                forms.append(together)
                joined = True
        return tuple(dict.fromkeys(forms)), joined

    def join(self, word: _Word, following: _Word | None) -> str | None:
        """Two absent adjacent names that the corpus writes as one."""
        if following is None or not following.name_like or self.speller.known(following.term):
            return None
        joined = self.speller.join(word.term, following.term)
        return joined if joined is not None and self.usable(joined) else None

    def correct(self, word: _Word, asked: str) -> tuple[str, ...]:
        """The corpus's spelling of an absent name (with its parts, if a compound), or ()."""
        correction = self.speller.correct(
            word.term, asked.casefold(), by_word=True, written=self.writes
        )
        if correction is None or not all(self.usable(t) for t in correction.terms):
            return ()
        terms = correction.terms
        return terms + self._parts(terms[0]) if len(terms) == 1 else terms

    def _parts(self, term: str) -> tuple[str, ...]:
        parts = self.speller.parts(term)
        return parts if parts and all(self.usable(p) for p in parts) else ()


def _may_hold_a_name(question: str) -> bool:
    """Whether a word after the question's first character may be name-like: in ASCII, a
    capitalised run of letters with no other capital ("Dicer", not "ADAR" or "T"); in other
    scripts, any capital. Many questions hold none (four in five SciFact claims, one in three
    squad-tune questions), and skip reading their words one by one."""
    after = _first_character(question) + 1
    if question.isascii():
        # The look-behind sees the first character, so no match starts inside the first word.
        return _ASCII_NAME.search(question, after) is not None
    return any(c.isupper() for c in question[after:])


def _first_character(question: str) -> int:
    return next((i for i, c in enumerate(question) if c.isalnum()), 0)


def _words(question: str, analyzer: Analyzer) -> list[_Word]:
    # The question's first word is capitalised whatever it is, so it is never taken for a name.
    first = _first_character(question)
    # where each date's word ends (before the full stop of "Jan.")
    dates = {m.end(1) - m.group(1).endswith(".") for m in _DATED.finditer(question)}
    return [
        _Word(
            s,
            e,
            t,
            s > first and question[s].isupper() and _name_like(question[s:e]) and e not in dates,
        )
        for s, e, t in analyzer.spans(question)
    ]


def _name_like(word: str) -> bool:
    """Capitalised, and not an abbreviation or numeral ("NYC", "MVPs", "XXXIII")."""
    return word[0].isupper() and sum(c.isupper() for c in word) == 1


def _names_as_written(question: str, spans: list[tuple[int, int]]) -> tuple[str, ...]:
    """The absent words as the question writes them, neighbours as one name ("Saudi Arabia")."""
    names: list[tuple[int, int]] = []
    for start, end in spans:
        if names and not question[names[-1][1] : start].strip():
            names[-1] = (names[-1][0], end)
        else:
            names.append((start, end))
    return tuple(question[start:end] for start, end in names)


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text
