"""Which sentences of the retrieved passages answer the question: a score for each.

A sentence scores for the question's weight it carries (idf of the question terms it holds), for
its passage's BM25 score beside the best passage's, for runs of the question's terms in the
question's order (phrase matches), and for holding an answer of the kind asked for (a name for
"who", a date for "when"...). A sentence made only of question words holds no answer, so it loses
a little. The weights were chosen on squad-tune (docs/precision.md) and checked on held-out data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from corpusbot.retrieval.analyzer import Analyzer
from corpusbot.retrieval.answer_type import expected_type, offers
from corpusbot.retrieval.index import Hit
from corpusbot.retrieval.sentence_store import Sentence, analyzed_sentences

PASSAGE_WEIGHT = 0.3
PHRASE_WEIGHT = 0.3
ANSWER_TYPE_WEIGHT = 0.15
ECHO_PENALTY = 0.3  # for a sentence with no word beyond the question's


@dataclass(frozen=True)
class ScoredSentence:
    hit: int  # position of its passage in the hits
    number: int  # its place among the passage's sentences
    start: int  # character offsets into the passage text
    end: int
    score: float
    terms: frozenset[str]  # all its index terms


def score_sentences(
    question: str,
    hits: Sequence[Hit],
    weights: Mapping[str, float],
    analyzer: Analyzer,
    *,
    split: Callable[[str], Sequence[Sentence]] | None = None,
) -> list[ScoredSentence]:
    """Every sentence of every hit's passage, scored for `question`; in hit order. `split`: a
    passage's sentences with their terms (default: analyzed here; the index keeps a cache)."""
    split = split or (lambda text: analyzed_sentences(text, analyzer))
    total = sum(weights.values())
    if not hits or total <= 0:
        return []
    asked = analyzer.terms(question)
    pairs = set(pairwise(asked))
    kind = expected_type(question)
    top = max(hits[0].score, 1e-9)
    scored = []
    for position, hit in enumerate(hits):
        text = hit.passage.text
        for number, (start, end, terms) in enumerate(split(text)):
            sentence = text[start:end]
            present = frozenset(terms)
            carried = sum(w for t, w in weights.items() if t in present) / total
            phrase = sum(weights[a] + weights[b] for a, b in pairwise(terms) if (a, b) in pairs)
            score = (
                carried
                + PASSAGE_WEIGHT * hit.score / top
                + PHRASE_WEIGHT * phrase / total
                + ANSWER_TYPE_WEIGHT * offers(kind, sentence, weights, analyzer)
            )
            if present <= weights.keys():
                score -= ECHO_PENALTY
            scored.append(ScoredSentence(position, number, start, end, score, present))
    return scored
