"""Measuring quality: nDCG@10 and Recall@100 on BEIR data, and answer-level scores on question
sets."""

from . import qa
from .beir import evaluate, format_table, load_beir
from .qa import AnswerFunction, FollowUpFunction, QuoteOut, Reply

__all__ = [
    "AnswerFunction",
    "FollowUpFunction",
    "QuoteOut",
    "Reply",
    "evaluate",
    "format_table",
    "load_beir",
    "qa",
]
