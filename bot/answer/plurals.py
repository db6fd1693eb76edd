"""Counted nouns for every message: "1 article", "2 articles", "1,200 passages". The rule lives
in retrieval/plurals.py, so the retrieval side's log lines and reports use it too."""

from __future__ import annotations

from corpusbot.retrieval.plurals import counted

__all__ = ["counted"]
