"""Counted nouns for every message: "1 article", "2 articles", "1,200 passages"."""

from __future__ import annotations

# Nouns whose plural is not the singular plus "s".
IRREGULAR = {"reply": "replies", "entry": "entries", "query": "queries"}


def counted(count: int, noun: str) -> str:
    """`count` (with thousands separators) and `noun`, plural unless `count` is 1."""
    word = noun if count == 1 else IRREGULAR.get(noun, noun + "s")
    return f"{count:,} {word}"
