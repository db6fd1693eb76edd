"""The corpus's own spelling of a word: transliteration variants, compounds and small typos.

Everything comes from the index's vocabulary (its terms, as the analyzer makes them), by rules
and edit distance; there is no list of names and no outside dictionary.

- A *skeleton* folds the usual transliteration differences: gh, kh and q read as k, ou and oo
  as u, ei, ey and ee as i, y as i, and doubled letters as one; so "Raisi" and "Raeisi", "Baqeri"
  and "Bagheri", "Qassem" and "Ghasem" share one. Terms sharing a skeleton are variants.
- A term absent from the corpus is corrected to a present term with the same skeleton, or one
  edit away (a deleted, inserted, replaced or swapped letter), the most frequent one winning.
- A joined compound splits into two present terms ("Amirabdollahian" -> "amir" "abdollahian"),
  and two absent words join into one present term.

The skeleton table is built once per index (a pass over the vocabulary): on first use, or ahead
of it (`Speller.prepare`; the bot prepares it on a thread when it starts, and before it swaps in
a reloaded index).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from string import ascii_lowercase

# Folding rules, applied in order, then doubled letters are collapsed.
_FOLDS = (
    ("gh", "k"),
    ("kh", "k"),
    ("q", "k"),
    ("ck", "k"),
    ("ou", "u"),
    ("oo", "u"),
    ("ei", "i"),
    ("ey", "i"),
    ("ee", "i"),
    ("y", "i"),
)
_DOUBLED = re.compile(r"(.)\1+")
# Shorter terms are too easily one edit from an unrelated word.
MIN_CORRECT = 5
MIN_SKELETON = 4
MIN_PART = 4  # each half of a split compound


def skeleton(term: str) -> str:
    """`term` with transliteration differences folded away."""
    folded = term.replace("-", "").replace(" ", "")
    for old, new in _FOLDS:
        folded = folded.replace(old, new)
    return _DOUBLED.sub(r"\1", folded)


def edits(term: str) -> set[str]:
    """Every string one deletion, transposition, replacement or insertion from `term`."""
    letters = set(ascii_lowercase) | set(term)
    splits = [(term[:i], term[i:]) for i in range(len(term) + 1)]
    found = {a + b[1:] for a, b in splits if b}
    found |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    found |= {a + c + b[1:] for a, b in splits if b for c in letters}
    found |= {a + c + b for a, b in splits for c in letters}
    found.discard(term)
    return found


@dataclass(frozen=True)
class Correction:
    """How an absent term was found in the corpus."""

    terms: tuple[str, ...]  # the corpus terms to search instead (two for a split compound)
    how: str  # "variant", "typo" or "split"


class Speller:
    """Spelling help from one index's vocabulary. Thread-safe; the table is built lazily."""

    def __init__(
        self,
        vocabulary: Iterable[str],
        frequency: Callable[[str], int],
        terms: Callable[[list[str]], list[str]] = list,
    ) -> None:
        """`frequency` counts a term's passages; `terms` makes words terms (stemming), a list
        at a time."""
        self._vocabulary = vocabulary
        self._frequency = frequency
        self._terms = terms
        self._known: frozenset[str] | None = None
        self._by_skeleton: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    def _table(self) -> tuple[frozenset[str], dict[str, list[str]]]:
        known = self._known  # set last, once the table is whole: then no lock is needed
        if known is not None:
            return known, self._by_skeleton
        with self._lock:
            if self._known is None:
                known = frozenset(self._vocabulary)
                for term in known:
                    if len(term) >= MIN_SKELETON and term.isalpha():
                        self._by_skeleton.setdefault(skeleton(term), []).append(term)
                self._known = known
        return self._known, self._by_skeleton

    def updated(
        self,
        vocabulary: Iterable[str],
        frequency: Callable[[str], int],
        *,
        gained: set[str],
        lost: set[str],
    ) -> Speller:
        """The speller of a vocabulary that is this one's with `gained` and without `lost`,
        its table this one's changed where they fall (a table built anew takes seconds for
        millions of terms, and a bot updates its index every few seconds)."""
        speller = Speller(vocabulary, frequency, self._terms)
        known, by_skeleton = self._table()
        table = dict(by_skeleton)  # a changed list is replaced, never changed in place
        for term in lost:
            key = skeleton(term)
            kept = [t for t in table.get(key, []) if t != term]
            if kept:
                table[key] = kept
            else:
                table.pop(key, None)
        for term in gained:
            if len(term) >= MIN_SKELETON and term.isalpha():
                key = skeleton(term)
                table[key] = [*table.get(key, []), term]
        speller._by_skeleton = table
        speller._known = (known - lost) | gained
        return speller

    def prepare(self) -> None:
        """Build the table now, not on the first question with a name (it takes seconds for a
        vocabulary of millions of terms)."""
        self._table()

    @property
    def prepared(self) -> bool:
        return self._known is not None

    def known(self, term: str) -> bool:
        return term in self._table()[0]

    def variants(self, term: str) -> list[str]:
        """Other corpus terms spelled like `term` but for transliteration, most frequent first."""
        if len(term) < MIN_SKELETON or not term.isalpha():
            return []
        same = self._table()[1].get(skeleton(term), [])
        return self._by_frequency(t for t in same if t != term)

    def correct(
        self,
        term: str,
        word: str = "",
        by_word: bool = False,
        written: Callable[[str, str], bool] | None = None,
    ) -> Correction | None:
        """The corpus's spelling of an absent `term` (of `word`, as written and case-folded),
        or None when nothing is close enough. With `by_word`, `word`'s own edits count too:
        "minster" is one edit from "minister", whose term is "minist". Such a term is taken only
        if `written(term, edited word)` says the corpus writes that word: "arabia" is one edit
        from "arabi", whose term is "arab", but the corpus writes "Arab", a different name."""
        known, _ = self._table()
        if term in known or not term.isalpha():
            return None
        variants = self.variants(term)
        if variants:
            return Correction((variants[0],), "variant")
        if len(term) >= MIN_CORRECT:
            near = {t for t in edits(term) if t in known}
            through: dict[str, set[str]] = {}  # term -> the edited words that give it
            if by_word and word:
                edited = list(edits(word))  # hundreds: their terms are made in one call
                for found, one in zip(self._terms(edited), edited, strict=True):
                    if found in known and found not in near:
                        through.setdefault(found, set()).add(one)
            for candidate in self._by_frequency(near | through.keys()):
                if (
                    candidate in near
                    or written is None
                    or any(written(candidate, edited) for edited in sorted(through[candidate]))
                ):
                    return Correction((candidate,), "typo")
        return self._split(term)

    def join(self, first: str, second: str) -> str | None:
        """The corpus term that two absent adjacent words make together, if any."""
        known, by_skeleton = self._table()
        joined = first + second
        if joined in known:
            return joined
        same = self._by_frequency(by_skeleton.get(skeleton(joined), []))
        return same[0] if same else None

    def suggest(self, term: str) -> str | None:
        """A corpus term whose skeleton is one edit from `term`'s: a hint, not a correction."""
        if len(term) < MIN_SKELETON or not term.isalpha():
            return None
        _, by_skeleton = self._table()
        near = [t for s in edits(skeleton(term)) for t in by_skeleton.get(s, [])]
        ranked = self._by_frequency(near)
        return ranked[0] if ranked else None

    def parts(self, term: str) -> tuple[str, ...]:
        """The two present terms a present compound is made of ("amirabdollahian"), or ()."""
        split = self._split(term)
        return split.terms if split is not None else ()

    def _split(self, term: str) -> Correction | None:
        known, _ = self._table()
        splits = [
            (term[:i], term[i:])
            for i in range(MIN_PART, len(term) - MIN_PART + 1)
            if term[:i] in known and term[i:] in known
        ]
        if not splits:
            return None
        best = max(splits, key=lambda ab: min(self._frequency(ab[0]), self._frequency(ab[1])))
        return Correction(best, "split")

    def _by_frequency(self, terms: Iterable[str]) -> list[str]:
        return sorted(set(terms), key=lambda t: (-self._frequency(t), t))
