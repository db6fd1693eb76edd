"""Counted nouns for every message, log line and report: "1 article", "2 articles",
"1,200 passages", "1 more unusable line". It lives on the retrieval side so that both sides can
use it (retrieval never imports corpusbot.bot); bot/answer/plurals.py re-exports it."""

from __future__ import annotations

# Nouns whose plural is not the singular plus "s" (or "y" after a consonant made "ies").
IRREGULAR = {"child": "children", "person": "people"}
VOWELS = frozenset("aeiou")


def plural(noun: str) -> str:
    """The plural of `noun`; of its last word when it has several ("judged query")."""
    head, _, last = noun.rpartition(" ")
    if last in IRREGULAR:
        word = IRREGULAR[last]
    elif len(last) > 1 and last.endswith("y") and last[-2] not in VOWELS:
        word = last[:-1] + "ies"
    else:
        word = last + "s"
    return f"{head} {word}" if head else word


def counted(count: int, noun: str) -> str:
    """`count` (with thousands separators) and `noun`, plural unless `count` is 1."""
    return f"{count:,} {noun if count == 1 else plural(noun)}"
