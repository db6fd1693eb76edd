"""Text into index terms (words, stop words, lemmas, stems) and into sentences, for passages and
questions alike; on every core for large builds."""

from .analyzer import TOKEN, Analyzer, AnalyzerSettings
from .common_words import common_words
from .lemmas import lemmatizer
from .lifeline import die_with_parent, pool_worker
from .sentences import sentence_spans
from .tokenizing import CHUNK_PASSAGES, TokenizedChunk, tokenize_chunk

__all__ = [
    "CHUNK_PASSAGES",
    "TOKEN",
    "Analyzer",
    "AnalyzerSettings",
    "TokenizedChunk",
    "common_words",
    "die_with_parent",
    "lemmatizer",
    "pool_worker",
    "sentence_spans",
    "tokenize_chunk",
]
