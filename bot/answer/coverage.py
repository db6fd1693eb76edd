"""Whether the retrieved passages answer the question well enough to quote them.

A question the corpus cannot answer still shares words with some passage ("What project put the
first Americans into space?" over articles that mention Americans), so a floor on the share of
the question's weight (idf) that one passage holds refuses too few of them, or too many
answerable ones. Here a few lexical signals of how well the relevant passages, and their best
sentence, hold the question's words are combined by a logistic model fitted on squad-tune with
articles left out of the corpus (benchmarks/fit_refusal.py, docs/precision.md).
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import NamedTuple

import numpy as np

from corpusbot.bot.answer.question import Question
from corpusbot.retrieval.analysis import Analyzer
from corpusbot.retrieval.compiled import coverage_kernel, kernel
from corpusbot.retrieval.index import ArticleInfo, Hit, Index, Matches, SearchResult
from corpusbot.retrieval.storage import SHARES, SentenceShares

# A question's specific terms weigh at least this share of its rarest term found in the corpus.
SPECIFIC_SHARE = 0.5
# The model's idf statistics mean little in a corpus this small: there, a passage holding at least
# TINY_FLOOR of the question's weight is enough (the rule before the model).
MIN_PASSAGES = 100
TINY_FLOOR = 0.4
# Nor can it tell a common word from a rare one ("after", "death" in one passage or none weigh as
# much as "condoled"): there, a common word a passage misses counts this share of its idf.
COMMON_WEIGHT = 0.5
# The model may answer from passages holding less of the question's weight than this (down to
# min_coverage), but when some passage holds this much, the quotes come from those alone, as they
# did before the model.
STRONG_SHARE = 0.4

# Logistic model over the signals of `Coverage`, on the log-odds. Fitted by
# benchmarks/fit_refusal.py on squad-tune: 13 corpora each leaving one article out, that article's
# questions unanswerable and the other 12's answerable (59,241 rows), the two classes weighted
# equally, L2 penalty 1 on standardised signals; THRESHOLD keeps 0.955 of the answerable rows
# answered (those refused before the model included). Held out by article (group
# cross-validation: fitted without the article's questions), it answered 0.952 and refused 0.932.
# Refitted when the analyzer began folding irregular forms (retrieval/analysis/lemmas.py) and
# questions their frame words (bot/answer/question_form.py).
WEIGHTS = {
    "passage": 3.5997,
    "sentence": 2.6769,
    "absent": -4.6613,
    "rarest_held": 0.5083,
    "heaviest_missed": 5.8803,
    "named": -0.6158,
    "phrase": 1.3909,
    "unheld": -4.2910,
    "runner_up": -1.1756,
    "score": 3.0095,
    "focus": 3.7511,
    "terms": 2.7056,
    "verbatim": 2.0398,
    "subject": 16.8732,
}
BIAS = -13.2140
THRESHOLD = -0.9371
# The signals read from the sentences, and the share of `SentenceShares` each is the most of.
SENTENCE_SIGNALS = ("sentence", "phrase")
SENTENCE_SHARES = ("carried", "joined")
_SENTENCE_COLUMNS = [SHARES.index(name) for name in SENTENCE_SHARES]


class Coverage(NamedTuple):
    """How well the relevant passages hold the question's terms; shares are of its idf weight.
    A named tuple: a question builds one and replaces a few of its signals as they are read,
    which took a dataclass a tenth of the coverage check's time."""

    passage: float  # the best passage's share
    sentence: float  # the best sentence's share (of all the passages' sentences)
    absent: float  # the share of terms the corpus does not hold at all
    rarest_held: float  # 1 if the best passage holds a rarest question term the corpus holds
    heaviest_missed: float  # the share of the heaviest term the best passage lacks
    named: float  # 1 if the question names something rare that the corpus holds
    phrase: float  # the share of question terms one sentence holds next to each other as asked
    unheld: float  # the share of terms the corpus holds but no relevant passage does
    runner_up: float  # the second article's best passage share over the best article's
    score: float  # the best passage's BM25 score over the question's total weight
    focus: float  # the top article's share of the passages' summed BM25 scores
    terms: float  # log of the number of question terms
    # Read from the best passage's words and its article's title (`_Asked`):
    verbatim: float = 0.0  # the share of terms the best passage holds in the question's words
    subject: float = 0.0  # the share of terms the title of the best passage's article holds

    def log_odds(self) -> float:
        """The model's log-odds that the question is answerable from these passages."""
        odds: float = BIAS + sum(map(operator.mul, _WEIGHTED, self))
        return odds

    def vector(self) -> tuple[float, ...]:
        """The signals in field order, as benchmarks/fit_refusal.py stores them."""
        return tuple(map(float, self))


_WEIGHTED = tuple(WEIGHTS[name] for name in Coverage._fields)
# The signals `covered` reads late, still unread at the two points where it may decide early.
_BEFORE_SENTENCES = (*SENTENCE_SIGNALS, "verbatim")
_BEFORE_VERBATIM = ("verbatim",)
# What those unread signals can add to the log-odds, per unit of the best passage's share:
# (the most, the least).
_UNREAD_BOUNDS: dict[tuple[str, ...], tuple[float, float]] = {
    unread: (
        sum([max(WEIGHTS[name], 0.0) for name in unread]),
        sum([min(WEIGHTS[name], 0.0) for name in unread]),
    )
    for unread in (_BEFORE_SENTENCES, _BEFORE_VERBATIM)
}


def relevant_hits(
    hits: list[Hit], weights: dict[str, float], floor: float, *, names: frozenset[str] = frozenset()
) -> list[Hit]:
    """The hits that carry at least `floor` of the question's weight and one of its specific
    terms: a passage matching only common words ("say", "Iran") is not worth a quote. When the
    question's rarest word is a name (`names`: the names' terms and spellings), a quote must hold
    one of them."""
    total = sum(weights.values())
    found = set().union(*(h.matched for h in hits)) & weights.keys() if hits else set()
    rarest = max((weights[t] for t in found), default=0.0)
    if any(weights[t] >= rarest for t in found & names):  # the name is the question's focus
        hits = [h for h in hits if not names.isdisjoint(h.matched)]
    specific = {t for t in found if weights[t] >= SPECIFIC_SHARE * rarest}
    kept: dict[frozenset[str], bool] = {}  # hits share a few sets of matched terms
    for matched in {h.matched for h in hits}:  # summed in question order, as compiled
        carried = _held(matched, weights) / total >= floor
        kept[matched] = carried and not specific.isdisjoint(matched)
    return [h for h in hits if kept[h.matched]]


def strongest(relevant: list[Hit], weights: Mapping[str, float]) -> list[Hit]:
    """The relevant hits to quote: those holding STRONG_SHARE of the weight, or all if none does."""
    held = _held_each([h.matched for h in relevant], weights)
    return _strong(relevant, held, sum(weights.values()) or 1.0)


def _strong(relevant: list[Hit], held: Sequence[float], total: float) -> list[Hit]:
    strong = [h for h, share in zip(relevant, held, strict=True) if share / total >= STRONG_SHARE]
    return strong or relevant


def covered(
    index: Index,
    result: SearchResult,
    question: Question,
    relevant: list[Hit],
    *,
    shares: Callable[[], SentenceShares] | None = None,
) -> bool:
    """Whether the `relevant` hits (from `relevant_hits`) of `result`, searched for the
    `question`, answer it well enough to quote: the model's log-odds reach THRESHOLD.
    In a corpus under MIN_PASSAGES passages: whether one holds TINY_FLOOR of the weight, the
    question's common words (`Question.common_terms`) it misses weighed at COMMON_WEIGHT.
    `shares`: measures the question's shares in the relevant hits' sentences (once, by the
    caller, who quotes from them), asked only when the passages alone cannot decide."""
    if not relevant:
        return False
    if len(index) < MIN_PASSAGES:
        common = question.common_terms(index.analyzer.settings.language)
        weights = result.question_terms
        return max(_tiny_share(h.matched, weights, common) for h in relevant) >= TINY_FLOOR
    asked = _Asked.of(index, result, question, relevant)
    partial, best = asked.passage_signals(relevant)
    return _decide(partial, best, lambda: asked, index, relevant, shares)


def _decide(
    partial: Coverage,
    best: int,
    asked: Callable[[], _Asked],
    index: Index,
    relevant: list[Hit],
    shares: Callable[[], SentenceShares] | None,
) -> bool:
    """`covered`'s decision from the passage signals (`partial`; `best`: the best passage's
    place among `relevant`), reading the sentences and then the best passage's words only if
    the model still needs them (`asked`: the question as weighed, made when first needed)."""
    # Each signal read later lies between 0 and the best passage's share: most refusals are
    # decided before the sentences are read, and most answers (which quote from the sentences
    # anyway) before the best passage's words are.
    decided = _decided(partial, _BEFORE_SENTENCES)
    if decided is not None:
        return decided
    question = asked()
    partial = _with_sentences(partial, question.shares(index, relevant, given=shares))
    decided = _decided(partial, _BEFORE_VERBATIM)
    if decided is not None:
        return decided
    partial = partial._replace(verbatim=question.verbatim(relevant[best], best))
    return partial.log_odds() >= THRESHOLD


@dataclass(frozen=True)
class Verdict:
    """The coverage check of one search: its relevant hits (`relevant_hits`), whether they
    answer the question well enough to quote (`covered`), and if so those to quote from
    (`strongest`)."""

    relevant: list[Hit]
    answerable: bool
    quoted: list[Hit]


def judge(
    index: Index,
    result: SearchResult,
    question: Question,
    floor: float,
    *,
    shares: Callable[[list[Hit]], SentenceShares],
) -> Verdict:
    """`relevant_hits` (with `floor`), `covered` and `strongest` of `result`, searched for the
    `question`; `shares` measures the question's shares in the relevant hits'
    sentences (`covered`'s `shares`). On a large index the per-hit arithmetic is compiled
    (retrieval/compiled/coverage_kernel.py), with the same values."""
    weights = result.question_terms
    total = sum(weights.values())
    large = kernel.compiled_for(len(index)) and len(index) >= MIN_PASSAGES
    compiled = coverage_kernel.load() if large else None
    if compiled is not None and result.matches is not None and total > 0:
        return _judged(compiled, index, result, result.matches, question, floor, total, shares)
    relevant = relevant_hits(result.hits, weights, floor, names=question.rewritten.names)
    measure = functools.partial(shares, relevant)
    if not covered(index, result, question, relevant, shares=measure):
        return Verdict(relevant, False, [])
    return Verdict(relevant, True, strongest(relevant, weights))


def _judged(
    compiled: ModuleType,
    index: Index,
    result: SearchResult,
    matches: Matches,
    question: Question,
    floor: float,
    total: float,
    shares: Callable[[list[Hit]], SentenceShares],
) -> Verdict:
    """`judge` with the compiled arithmetic, on the search's `matches`; `total`: the question's
    weight, above 0."""
    weights = result.question_terms
    weight = np.array([weights[t] for t in matches.terms])
    named = np.array([t in question.rewritten.names for t in matches.terms], dtype=np.bool_)
    held, kept, values, best = compiled.judge(
        matches.matched,
        weight,
        named,
        matches.scores,
        matches.articles,
        total,
        floor,
        SPECIFIC_SHARE,
    )
    places = kept.nonzero()[0]  # kept is 1-d: np.flatnonzero's ravel is a fifth of the cost
    relevant = [result.hits[place] for place in places.tolist()]
    if not relevant:
        return Verdict(relevant, False, [])
    held = held[places]  # the relevant hits'
    measure = functools.partial(shares, relevant)
    if question.aliases:  # their weights are not the search's
        decided = covered(index, result, question, relevant, shares=measure)
    else:
        signals = _compiled_signals(
            dict(zip(compiled.SIGNALS, values.tolist(), strict=True)),
            index,
            result,
            matches,
            question,
            best=relevant[best],
            total=total,
        )
        asked = functools.partial(_Asked.of, index, result, question, relevant)
        decided = _decide(signals, best, asked, index, relevant, measure)
    if not decided:
        return Verdict(relevant, False, [])
    return Verdict(relevant, True, _strong(relevant, held.tolist(), total))


def _compiled_signals(
    signal: dict[str, float],
    index: Index,
    result: SearchResult,
    matches: Matches,
    question: Question,
    *,
    best: Hit,
    total: float,
) -> Coverage:
    """`_Asked.passage_signals`'s signals, from those the compiled check gave (`signal`: over the
    relevant hits and the terms the index holds; `best`: the best passage, `total`: the
    question's weight, above 0); for a question with no spelling searched beside an asked word,
    whose weights are then the search's own."""
    weights = result.question_terms
    known = set(matches.terms)
    unknown = [w for t, w in weights.items() if t not in known]
    # The compiled heaviest term missed is of the known terms: the unknown are missed too.
    signal["heaviest_missed"] = max([signal["heaviest_missed"], *unknown]) / total
    return Coverage(
        **signal,
        sentence=0.0,
        absent=sum(unknown) / total,
        named=float(bool(question.rewritten.present)),
        phrase=0.0,
        terms=math.log(len(weights)),
        subject=_subject(index.title_terms(best.article), weights, {}),
    )


def measure_for(
    index: Index,
    result: SearchResult,
    question: Question,
    relevant: Sequence[Hit],
    *,
    shares: SentenceShares | None = None,
) -> Coverage:
    """The coverage signals of a search for `question`, over its `relevant` hits.
    A spelling searched beside the asked one ("Raeisi" for "Raisi") is not more of the question:
    a passage holding it holds the asked word, so with such spellings the sentences are
    measured again without them (`shares`, measured for the whole question, are not used)."""
    asked = _Asked.of(index, result, question, relevant)
    given = None if shares is None else (lambda: shares)
    partial, best = asked.passage_signals(relevant)
    partial = partial._replace(verbatim=asked.verbatim(relevant[best], best))
    return _with_sentences(partial, asked.shares(index, relevant, given=given))


@dataclass(frozen=True)
class _Asked:
    """The question as the coverage signals weigh it: its terms' weights (a spelling searched
    beside an asked word left out), the question terms each relevant hit holds (such a
    spelling counted as the asked word), and the terms the corpus holds."""

    weights: dict[str, float]
    relevant: Sequence[Hit]
    aliases: dict[str, tuple[str, ...]]
    question: Question
    known: frozenset[str]
    named: bool
    analyzer: Analyzer
    titles: Callable[[ArticleInfo], frozenset[str]]  # an article's title terms

    @classmethod
    def of(
        cls, index: Index, result: SearchResult, question: Question, relevant: Sequence[Hit]
    ) -> _Asked:
        aliases = question.aliases
        weights = {t: w for t, w in result.question_terms.items() if t not in aliases}
        known = frozenset(t for t in weights if t in index.vocab)
        named = bool(question.rewritten.present)
        return cls(
            weights,
            relevant,
            aliases,
            question,
            known,
            named,
            index.analyzer,
            index.title_terms,
        )

    @functools.cached_property
    def matched(self) -> list[frozenset[str]]:
        """The question terms each relevant hit holds (a spelling counted as the asked word)."""
        return [self.terms_of(place) for place in range(len(self.relevant))]

    def terms_of(self, place: int) -> frozenset[str]:
        """The question terms the relevant hit at `place` holds (only that one's is read: the
        compiled check asks for the best passage's alone)."""
        held = self.relevant[place].matched
        if not self.aliases:
            return held
        return frozenset(a for t in held for a in self.aliases.get(t, (t,)))

    def shares(
        self,
        index: Index,
        relevant: Sequence[Hit],
        *,
        given: Callable[[], SentenceShares] | None,
    ) -> SentenceShares:
        """The question's shares in the hits' sentences: `given`'s, unless spellings were added."""
        if given is not None and not self.aliases:
            return given()
        order = [t for t in self.question.terms if t not in self.aliases]
        return index.sentence_shares(relevant, self.weights, order)

    def passage_signals(self, relevant: Sequence[Hit]) -> tuple[Coverage, int]:
        """The signals the passages tell without their words or sentences being read (the
        `subject` from the best one's article title, `verbatim` 0), and the best one's place
        among `relevant` (the first of those holding the most of the question's weight)."""
        held = _held_each(self.matched, self.weights)
        best = max(range(len(relevant)), key=held.__getitem__)
        signals = _passage_signals(
            relevant,
            self.matched,
            self.weights,
            held,
            best,
            known=self.known,
            named=self.named,
            subject=_subject(self.titles(relevant[best].article), self.weights, self.aliases),
        )
        return signals, best

    def verbatim(self, best: Hit, place: int) -> float:
        """The share of the question's weight whose words the `best` passage (at `place` among
        the relevant hits) writes as the question does, case aside: "publicity" reaches "public"
        through its stem, "cities" "city", and a question about an article the corpus lacks
        often matches another article's passage that way. At most the passage's share."""
        held = self.terms_of(place)
        pairs = [(word, term) for word, term in self.asked_words() if term in held]
        text = best.text
        if text.isascii():
            lowered = text.lower()
            written = {term for word, term in pairs if _writes(lowered, word)}
        else:  # other scripts: word by word (`_writes` knows runs of ASCII letters or digits)
            words = set(self.analyzer.words(text))
            written = {term for word, term in pairs if word in words}
        total = sum(self.weights.values()) or 1.0
        return sum([w for t, w in self.weights.items() if t in written]) / total

    def asked_words(self) -> list[tuple[str, str]]:
        """(word as the question writes it, case-folded; its weighed term) for each of its
        words; a spelling searched beside an asked word stands for that word."""
        pairs = zip(self.question.words, self.question.word_terms, strict=True)
        if not self.aliases:
            return [(word, term) for word, term in pairs if term in self.weights]
        return [
            (word, asked)
            for word, term in pairs
            for asked in self.aliases.get(term, (term,))
            if asked in self.weights
        ]


def _decided(partial: Coverage, unread: tuple[str, ...]) -> bool | None:
    """The model's decision if the signals still `unread` (0 in `partial`) cannot change it,
    each lying between 0 and the best passage's share (a sentence, or the words the passage
    writes as asked, hold no more of the question than the passage does); else None. (The
    margins cover sums of the same shares rounded in another order.)"""
    odds, most = partial.log_odds(), partial.passage + 1e-9
    raising, lowering = _UNREAD_BOUNDS[unread]
    if odds + raising * most < THRESHOLD:
        return False
    if odds + lowering * most - 1e-9 >= THRESHOLD:
        return True
    return None


def _subject(
    title: frozenset[str], weights: Mapping[str, float], aliases: Mapping[str, tuple[str, ...]]
) -> float:
    """The share of the question's weight that the best passage's article `title` (its terms)
    holds: a title names what an article is about, and a question asked about that article
    usually names it too ("Tesla", "Super Bowl"). `aliases`: see `_Asked`."""
    titled = {a for t in title for a in aliases.get(t, (t,))} if aliases else title
    total = sum(weights.values()) or 1.0
    return sum([w for t, w in weights.items() if t in titled]) / total


def _writes(lowered: str, word: str) -> bool:
    """Whether the lower-case ASCII text `lowered` holds the ASCII word `word` as a whole token:
    not inside a longer run of letters (or of digits, for a number)."""
    in_run = str.isdigit if word[0].isdigit() else str.isalpha
    at = lowered.find(word)
    while at >= 0:
        end = at + len(word)
        if not (at and in_run(lowered[at - 1])) and not (
            end < len(lowered) and in_run(lowered[end])
        ):
            return True
        at = lowered.find(word, at + 1)
    return False


def _with_sentences(partial: Coverage, sentences: SentenceShares) -> Coverage:
    """`partial` with its sentence signals: the most one sentence holds of the question's
    weight, and of its terms next to each other as in the question."""
    # Both columns' maxima in one reduction (two cost twice NumPy's per-call overhead).
    columns = sentences.values[:, _SENTENCE_COLUMNS]
    sentence, phrase = columns.max(axis=0, initial=0.0).tolist()
    return partial._replace(sentence=sentence, phrase=phrase)


def _passage_signals(
    hits: Sequence[Hit],
    matched: Sequence[frozenset[str]],
    weights: Mapping[str, float],
    held: Sequence[float],
    best: int,
    *,
    known: frozenset[str],
    named: bool,
    subject: float,
) -> Coverage:
    """`measure_for`'s signals that the hits' scores and matched terms tell (`held`: each hit's
    weight, `best`: the place of the first holding the most), with `subject`; the others 0."""
    total = sum(weights.values()) or 1.0
    best_share: dict[int, float] = {}
    scores: dict[int, float] = {}
    for hit, share in zip(hits, held, strict=True):  # per article: summed score, best share
        article = hit.article_number
        if article in scores:
            scores[article] += hit.score
            if share > best_share[article]:
                best_share[article] = share
        else:
            scores[article] = 0.0 + hit.score
            best_share[article] = share if share > 0.0 else 0.0
    shares = [*sorted(best_share.values(), reverse=True), 0.0]
    top = max([weights[t] for t in known], default=0.0)
    rarest = {t for t in known if weights[t] >= top}  # ties: several terms of one frequency
    held_anywhere = set().union(*matched)
    in_best = matched[best]
    return Coverage(
        passage=held[best] / total,
        sentence=0.0,
        absent=sum([w for t, w in weights.items() if t not in known]) / total,
        rarest_held=float(bool(rarest & in_best)),
        heaviest_missed=max([w for t, w in weights.items() if t not in in_best], default=0.0)
        / total,
        named=float(named),
        phrase=0.0,
        unheld=sum([w for t, w in weights.items() if t in known and t not in held_anywhere])
        / total,
        runner_up=shares[1] / shares[0] if shares[0] > 0 else 0.0,
        score=hits[0].score / total,
        focus=max(scores.values()) / (sum(scores.values()) or 1.0),
        terms=math.log(len(weights)),
        subject=subject,
    )


def _held(terms: Collection[str], weights: Mapping[str, float]) -> float:
    return sum([w for t, w in weights.items() if t in terms])  # a list sums faster than a generator


def _tiny_share(
    held: frozenset[str], weights: Mapping[str, float], common: frozenset[str]
) -> float:
    """The share of the question's weight a passage holding `held` holds, in a tiny corpus: a
    common word it misses counts COMMON_WEIGHT of its weight (an article has its own common
    words: "the recent loss" for "the death"), any word it holds counts whole."""
    kept = _held(held, weights)
    missed = sum(
        [w * COMMON_WEIGHT if t in common else w for t, w in weights.items() if t not in held]
    )
    return kept / ((kept + missed) or 1.0)


def _held_each(matched: Sequence[frozenset[str]], weights: Mapping[str, float]) -> list[float]:
    """`_held` of each set, computed once per distinct set (hits share a few)."""
    held = {terms: _held(terms, weights) for terms in set(matched)}
    return [held[terms] for terms in matched]
