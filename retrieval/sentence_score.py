"""Which sentences of the retrieved passages answer the question: a score for each.

A sentence is described by a few lexical features (`FEATURES`): the share of the question's
weight (idf) it carries, alone and together with the sentence before it, the one after it and its
whole passage (an answer often says "He" where the question names someone); its passage's BM25
score beside the best passage's, and whether that passage passed the relevance check; runs of the
question's terms in the question's order (phrase matches); holding an answer of the kind asked for
(a name for "who", a date for "when"...); and being made only of question words (it repeats the
question, it cannot answer it). Its score is the weighted sum. The weights (`WEIGHTS`) were fitted
by benchmarks/fit_sentence_weights.py on squad-tune's even-numbered paragraphs and checked on the
odd-numbered ones (docs/precision.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from corpusbot.retrieval.analyzer import Analyzer
from corpusbot.retrieval.answer_type import AnswerType, expected_type, offers
from corpusbot.retrieval.index import Hit
from corpusbot.retrieval.sentence_store import Sentence, analyzed_sentences

FEATURES = (
    "carried",  # share of the question's weight the sentence holds
    "with_previous",  # ... the sentence and the one before it hold
    "with_next",  # ... the sentence and the one after it hold
    "with_first",  # ... the sentence and its passage's first sentence hold
    "in_passage",  # ... its whole passage holds
    "passage",  # its passage's BM25 score over the best passage's
    "relevant",  # its passage passed the relevance check (bot/compose.py)
    "phrase",  # weight of the question's adjacent term pairs found adjacent in it
    "date",  # a "when" question, and the sentence holds a date that is not a question word
    "number",  # "how many": a number
    "place",  # "where": a capitalised word after in / at / from ...
    "name",  # "who": a capitalised word not starting the sentence
    "echo",  # every term of the sentence is a question term
)
# Fitted by benchmarks/fit_sentence_weights.py (softmax over each question's sentences, trained
# on squad-tune's even-numbered paragraphs); the scale is arbitrary, only differences matter.
WEIGHTS = {
    "carried": 2.05,
    "with_previous": 3.94,
    "with_next": 2.09,
    "with_first": 1.75,
    "in_passage": 1.42,
    "passage": 2.40,
    "relevant": 0.72,
    "phrase": 0.38,
    "date": 2.32,
    "number": 2.63,
    "place": 5.38,
    "name": 1.32,
    "echo": -4.91,
}
# The answer kinds of the features "date", "number", "place", "name", in that order.
_TYPES = (AnswerType.DATE, AnswerType.NUMBER, AnswerType.PLACE, AnswerType.NAME)


@dataclass(frozen=True)
class ScoredSentence:
    hit: int  # position of its passage in the hits
    number: int  # its place among the passage's sentences
    start: int  # character offsets into the passage text
    end: int
    score: float
    terms: frozenset[str]  # all its index terms


@dataclass(frozen=True)
class _Question:
    weights: Mapping[str, float]
    asked: frozenset[str]  # the question's terms
    total: float
    pairs: frozenset[tuple[str, str]]
    kind: AnswerType
    top: float  # the best passage's BM25 score

    def carried(self, found: frozenset[str]) -> float:
        """The share of the question's weight in `found` (question terms only)."""
        return sum(self.weights[t] for t in found) / self.total


# (hit, number, start, end, features, terms) of a sentence
FeatureRow = tuple[int, int, int, int, tuple[float, ...], frozenset[str]]
_WEIGHT_VECTOR = tuple(WEIGHTS[name] for name in FEATURES)
_EMPTY: frozenset[str] = frozenset()


def score_sentences(
    question: str,
    hits: Sequence[Hit],
    weights: Mapping[str, float],
    analyzer: Analyzer,
    *,
    relevant: Sequence[bool] | None = None,
    split: Callable[[Hit], Sequence[Sentence]] | None = None,
) -> list[ScoredSentence]:
    """Every sentence of every hit's passage, scored for `question`; in hit order.

    `relevant` says, per hit, whether it passed the relevance check (all did when omitted).
    `split`: a hit's sentences with their terms (default: analyzed here; compose passes the
    index's, stored by the build: `Index.sentences`)."""
    return [
        ScoredSentence(hit, number, start, end, _weighted(vector), terms)
        for hit, number, start, end, vector, terms in sentence_features(
            question, hits, weights, analyzer, relevant=relevant, split=split
        )
    ]


def sentence_features(
    question: str,
    hits: Sequence[Hit],
    weights: Mapping[str, float],
    analyzer: Analyzer,
    *,
    relevant: Sequence[bool] | None = None,
    split: Callable[[Hit], Sequence[Sentence]] | None = None,
) -> list[FeatureRow]:
    """(hit, number, start, end, features, terms) for every sentence, the features in
    `FEATURES` order: what `score_sentences` weighs, and what the weights were fitted on."""
    total = sum(weights.values())
    if not hits or total <= 0:
        return []
    asked = analyzer.terms(question)
    about = _Question(
        weights,
        frozenset(weights),
        total,
        frozenset(pairwise(asked)),
        expected_type(question),
        max(hits[0].score, 1e-9),
    )
    rows: list[FeatureRow] = []
    for position, hit in enumerate(hits):
        passed = True if relevant is None else relevant[position]
        rows.extend(
            (position, *sentence, vector, terms)
            for sentence, vector, terms in _passage_features(about, hit, passed, analyzer, split)
        )
    return rows


def _passage_features(
    about: _Question,
    hit: Hit,
    passed: bool,
    analyzer: Analyzer,
    split: Callable[[Hit], Sequence[Sentence]] | None,
) -> list[tuple[tuple[int, int, int], tuple[float, ...], frozenset[str]]]:
    text = hit.passage.text
    # The passage's sentences and their terms: as the index stored them, else analyzed here.
    sentences = split(hit) if split else analyzed_sentences(text, analyzer)
    spans = [(start, end) for start, end, _ in sentences]
    analysed = [terms for _, _, terms in sentences]
    found = [about.asked.intersection(terms) for terms in analysed]  # question terms held
    in_passage = about.carried(_EMPTY.union(*found))
    passage = hit.score / about.top
    kinds = tuple(kind is about.kind for kind in _TYPES)
    rows = []
    for number, (start, end) in enumerate(spans):
        present, here = frozenset(analysed[number]), found[number]
        before = found[number - 1] if number > 0 else _EMPTY
        after = found[number + 1] if number + 1 < len(found) else _EMPTY
        sentence = text[start:end]
        offered = offers(about.kind, sentence, about.weights, analyzer) if any(kinds) else 0.0
        vector = (
            about.carried(here),
            about.carried(here | before),
            about.carried(here | after),
            about.carried(here | found[0]),
            in_passage,
            passage,
            float(passed),
            _phrase(about, analysed[number]) if len(here) > 1 else 0.0,
            *(offered if wanted else 0.0 for wanted in kinds),
            float(len(here) == len(present)),  # echo: nothing but question terms
        )
        rows.append(((number, start, end), vector, present))
    return rows


def _phrase(about: _Question, terms: Sequence[str]) -> float:
    weights = about.weights
    found = sum(weights[a] + weights[b] for a, b in pairwise(terms) if (a, b) in about.pairs)
    return found / about.total


def _weighted(vector: tuple[float, ...]) -> float:
    return sum(weight * value for weight, value in zip(_WEIGHT_VECTOR, vector, strict=True))
