"""Which sentences of the retrieved passages answer the question: a score for each.

A sentence is described by a few lexical features (`FEATURES`): the share of the question's
weight (idf) it carries, alone and together with the sentence before it, the one after it and its
whole passage (an answer often says "He" where the question names someone); its passage's BM25
score beside the best passage's, and whether that passage passed the relevance check; runs of the
question's terms in the question's order (phrase matches); holding an answer of the kind asked for
(a name for "who", a date for "when"...); reported speech, for a question that asks what
someone said; and being made only of question words (it repeats the question, it cannot
answer it). Its score is the weighted sum. The weights (`WEIGHTS`) were fitted
by benchmarks/fit_sentence_weights.py on squad-tune's even-numbered paragraphs and checked on the
odd-numbered ones (docs/precision.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from corpusbot.bot.answer.answer_type import AnswerType, offers, offers_unit
from corpusbot.bot.answer.question import Question
from corpusbot.bot.answer.question_form import SpeechCue
from corpusbot.retrieval.analysis import Analyzer
from corpusbot.retrieval.compiled import sentence_kernel
from corpusbot.retrieval.index import Hit
from corpusbot.retrieval.storage import (
    SHARES,
    SentenceBlock,
    SentenceShares,
    analyzed_sentences,
    from_sentences,
    measure_question,
)

FEATURES = (
    "carried",  # share of the question's weight the sentence holds
    "with_previous",  # ... the sentence and the one before it hold
    "with_next",  # ... the sentence and the one after it hold
    "with_first",  # ... the sentence and its passage's first sentence hold
    "in_passage",  # ... its whole passage holds
    "passage",  # its passage's BM25 score over the best passage's
    "relevant",  # its passage passed the relevance check (bot/answer/compose.py)
    "phrase",  # weight of the question's adjacent term pairs found adjacent in it
    "date",  # a "when" question, and the sentence holds a date that is not a question word
    "number",  # "how many": a number
    "place",  # "where": a capitalised word after in / at / from ...
    "name",  # "who": a capitalised word not starting the sentence
    "echo",  # every term of the sentence is a question term
    "unit",  # the question asks for a sum, a share or a length of time, and the sentence has one
    "tight",  # carried, times its distinct question terms over its shortest run holding them all
    "speech",  # "what did X say": the sentence reports speech (a reporting verb, a quotation)
    "role",  # "who is X": the sentence says what X is (a title before X, an apposition after)
    "reason",  # "why": the sentence gives a reason (because, due to, after, in order to ...)
)
# Fitted by benchmarks/fit_sentence_weights.py (softmax over each question's sentences, trained
# on squad-tune's even-numbered paragraphs); the scale is arbitrary, only differences matter.
WEIGHTS = {
    "carried": 1.74,
    "with_previous": 3.99,
    "with_next": 2.16,
    "with_first": 1.74,
    "in_passage": 1.38,
    "passage": 2.36,
    "relevant": 0.72,
    "phrase": 0.12,
    "date": 2.33,
    "number": 2.52,
    "place": 5.42,
    "name": 1.38,
    "echo": -4.88,
    "unit": 2.27,
    "tight": 1.03,
    # Set by hand, not fitted: squad-tune's questions never ask what someone said, so the fit
    # has nothing to learn it from. Of the size of the other answer-kind cues (date, number).
    "speech": 2.5,
    "role": 2.5,  # set by hand likewise (squad-tune asks "Who was X?" of few people)
    "reason": 2.5,  # set by hand likewise
}
# The answer kinds of the features "date", "number", "place", "name", in that order.
_TYPES = (AnswerType.DATE, AnswerType.NUMBER, AnswerType.PLACE, AnswerType.NAME)
_WEIGHT_VECTOR = np.array([WEIGHTS[name] for name in FEATURES])
# Where each feature sits in a row (FEATURES order), and the shares that are features as they are.
_SHARED = [FEATURES.index(name) for name in (*SHARES[:5], "phrase")]
_SHARED_FROM = [SHARES.index(name) for name in (*SHARES[:5], "phrase")]
_PASSAGE, _RELEVANT = FEATURES.index("passage"), FEATURES.index("relevant")
_KIND_COLUMNS = [FEATURES.index(kind.value) for kind in _TYPES]
_ECHO, _UNIT, _TIGHT = FEATURES.index("echo"), FEATURES.index("unit"), FEATURES.index("tight")
_SPEECH, _ROLE, _REASON = (FEATURES.index(n) for n in ("speech", "role", "reason"))
# Words that give a reason; a "why" question is answered by a sentence holding one.
_BECAUSE = re.compile(
    r"\b(?:because|due to|owing to|thanks to|as a result|in order to|so that|since|after|"
    r"amid|following|led to|leading to|caused|to protest|to avoid|to stop|to help|to make|"
    # the reason named, a purpose ("would allow the user to hold"), a beginning's occasion
    r"the reason|reasons? (?:for|why)|driven by|so as to|"
    r"(?:allow|enabl)(?:e|es|s|ed|ing)?\s+(?:\w+\s+){0,3}to|"
    r"(?:start|began|begun|begin)\w*\s+when)\b",
    re.IGNORECASE,
)
# Before a name: a title ("Foreign Minister Fuad Hussein") or a possessive's role ("Iran's chief
# negotiator Ali Bagheri"); after it: an apposition ("Di Li, the chief scientist") or a copula.
_TITLE_BEFORE = re.compile(r"(?:[’']s\s+(?:[a-z][\w-]*\s+){1,3}|(?:[A-Z][\w’'.-]*\s+){1,4})$")
_ROLE_AFTER = re.compile(
    r"^[’']?s?\s*(?:,\s*(?:a|an|the|who|whose|[a-z][\w-]*)\b|\s+(?:is|was)\s+(?:a|an|the)\b)"
)
# Quotation marks: a quotation is speech attributed to someone, with or without its verb.
_QUOTATION = re.compile('[“”"«»]')
# How far (in terms) a speaker may stand from the reporting verb to be its subject: "Russian
# Foreign Minister Sergey Lavrov said" (the name among the 3 terms before), "said Lavrov" (after).
_SPEAKER_BEFORE, _SPEAKER_AFTER = 3, 2


@dataclass(frozen=True)
class SentenceFeatures:
    """The `FEATURES` of every sentence of `block`: one row a sentence."""

    block: SentenceBlock
    values: np.ndarray  # float64, (sentences x FEATURES)


def sentence_scores(
    question: Question,
    hits: Sequence[Hit],
    analyzer: Analyzer,
    *,
    relevant: Sequence[bool] | None = None,
    shares: SentenceShares | None = None,
) -> tuple[SentenceBlock, np.ndarray]:
    """Every sentence of every hit's passage, scored for `question`: the sentences (in hit
    order) and a float64 score each.

    `relevant` says, per hit, whether it passed the relevance check (all did when omitted).
    `shares`: the hits' sentences and the question's shares in each (default: analyzed here;
    compose passes the index's, read from what the build stored: `Index.sentence_shares`).
    What a sentence must offer comes from the question as asked (`Question.cues`)."""
    found = sentence_features(question, hits, analyzer, relevant=relevant, shares=shares)
    return found.block, found.values @ _WEIGHT_VECTOR


def sentence_features(
    question: Question,
    hits: Sequence[Hit],
    analyzer: Analyzer,
    *,
    relevant: Sequence[bool] | None = None,
    shares: SentenceShares | None = None,
) -> SentenceFeatures:
    """The features of every sentence, in `FEATURES` order: what `sentence_scores` weighs, and
    what the weights were fitted on."""
    weights = question.weights
    if shares is None:
        shares = _analyzed(question, hits, analyzer)
    block = shares.block
    if not hits or sum(weights.values()) <= 0 or not len(block):
        return SentenceFeatures(block, np.zeros((len(block), len(FEATURES))))
    scores = np.array([h.score for h in hits]) / max(hits[0].score, 1e-9)
    passed = np.ones(len(hits)) if relevant is None else np.array(relevant, dtype=np.float64)
    cues = question.cues
    kind, units, speech = cues.kind, cues.units, cues.speech
    asked = kind in _TYPES or units or speech or cues.described or cues.reason
    texts = _texts(block, hits) if asked else []  # read only when asked
    # One (sentences x FEATURES) matrix filled column by column: the features not asked for
    # stay 0, and no array is made per column and then copied into rows.
    values = np.zeros((len(block), len(FEATURES)))
    values[:, _SHARED] = shares.values[:, _SHARED_FROM]  # carried ... in_passage, phrase
    values[:, _PASSAGE] = scores[block.hit]
    values[:, _RELEVANT] = passed[block.hit]
    if kind in _TYPES:
        column = _KIND_COLUMNS[_TYPES.index(kind)]
        values[:, column] = [offers(kind, text, weights, analyzer) for text in texts]
    values[:, _ECHO] = shares.unasked == 0  # nothing but question terms
    if units:
        values[:, _UNIT] = [offers_unit(units, text) for text in texts]
    if speech:
        values[:, _SPEECH] = [_reports_speech(text, speech, analyzer) for text in texts]
    if cues.described:
        values[:, _ROLE] = [_describes(text, cues.described, analyzer) for text in texts]
    if cues.reason:
        values[:, _REASON] = [float(bool(_BECAUSE.search(text))) for text in texts]
    tight = shares.tight if shares.tight is not None else tightness(block, weights)
    values[:, _TIGHT] = shares.share("carried") * tight
    return SentenceFeatures(block, values)


def _analyzed(question: Question, hits: Sequence[Hit], analyzer: Analyzer) -> SentenceShares:
    """The shares of hits that no index stored: their passages analyzed here."""
    block = from_sentences(analyzed_sentences(h.passage.text, analyzer) for h in hits)
    return measure_question(block, question.weights, question.terms)


def _reports_speech(sentence: str, speech: SpeechCue, analyzer: Analyzer) -> float:
    """1.0 if `sentence` reports the speaker's words: a reporting verb with a speaker's term
    among the few terms just before it or right after it ("Mayor Mara Quint said", "said
    Lavrov"); 0.5 for speech not attributed there (a quotation, "he said"); else 0. With no
    speaker asked ("Who warned ...?"), any speech is 1.0."""
    terms = [term for _, _, term in analyzer.spans(sentence)]
    verbs = [at for at, term in enumerate(terms) if term in speech.verbs]
    if not speech.speaker:
        return float(bool(verbs) or bool(_QUOTATION.search(sentence)))
    for at in verbs:
        near = terms[max(at - _SPEAKER_BEFORE, 0) : at] + terms[at + 1 : at + 1 + _SPEAKER_AFTER]
        if speech.speaker & set(near):
            return 1.0
    return 0.5 if verbs or _QUOTATION.search(sentence) else 0.0


def _describes(sentence: str, subject: frozenset[str], analyzer: Analyzer) -> float:
    """1.0 if `sentence` says what the subject is: a title before the subject's name or an
    apposition after it; else 0."""
    spans = [(start, end) for start, end, term in analyzer.spans(sentence) if term in subject]
    if not spans:
        return 0.0
    start, end = spans[0][0], spans[-1][1]
    before, after = sentence[:start], sentence[end:]
    titled = bool(_TITLE_BEFORE.search(before)) and before.strip() != ""
    return float(titled or bool(_ROLE_AFTER.match(after)))


def _texts(block: SentenceBlock, hits: Sequence[Hit]) -> list[str]:
    """Each sentence's text."""
    rows = zip(block.hit.tolist(), block.start.tolist(), block.end.tolist(), strict=True)
    return [hits[hit].text[start:end] for hit, start, end in rows]


def tightness(block: SentenceBlock, weights: Mapping[str, float]) -> np.ndarray:
    """Per sentence, the number of distinct question terms it holds over the length (in terms)
    of its shortest run of terms holding them all; 0.0 for a sentence holding none. An answer
    sits among the question's words, and those words stand close together around it."""
    tight = np.zeros(len(block))
    asked = np.array(sorted({code for code in map(block.code_of, weights) if code >= 0}))
    if not len(asked) or not len(block.codes):
        return tight
    compiled = sentence_kernel.tightness(block, asked)
    if compiled is not None:  # on large indexes, once numba has loaded
        return compiled
    column = np.minimum(np.searchsorted(asked, block.codes), len(asked) - 1)
    found = np.flatnonzero(asked[column] == block.codes)  # places in block.codes, in order
    if not len(found):
        return tight
    rows = (np.searchsorted(block.bounds, found, side="right") - 1).tolist()
    places, terms = found.tolist(), column[found].tolist()
    # Few places hold a question term (about 50 a question on squad-tune): a plain loop over
    # them costs less than array steps over every term of every sentence.
    start, count = 0, len(places)
    while start < count:
        end = start + 1
        while end < count and rows[end] == rows[start]:
            end += 1
        if end - start == 1:
            tight[rows[start]] = 1.0
        else:
            tight[rows[start]] = _shortest_cover(places[start:end], terms[start:end])
        start = end
    return tight


def _shortest_cover(places: list[int], terms: list[int]) -> float:
    """Distinct `terms` over the length of the shortest run of `places` holding them all."""
    distinct = len(set(terms))
    if distinct == len(terms):  # no term twice: the whole run
        return distinct / (places[-1] - places[0] + 1)
    seen: dict[int, int] = {}
    shortest, left = places[-1] - places[0] + 1, 0
    for right, term in enumerate(terms):
        seen[term] = seen.get(term, 0) + 1
        while len(seen) == distinct:  # drop from the left while the run still holds them all
            shortest = min(shortest, places[right] - places[left] + 1)
            seen[terms[left]] -= 1
            if not seen[terms[left]]:
                del seen[terms[left]]
            left += 1
    return distinct / shortest
