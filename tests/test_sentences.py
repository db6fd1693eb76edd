"""Sentence boundaries: a full stop ends a sentence, but not after "c." or before a small letter;
and the fast gap finder against the pattern it stands for."""

import random

from hypothesis import given
from hypothesis import strategies as st

from corpusbot.retrieval.analysis.sentences import SENTENCE_END, _gaps, sentence_spans

from .conftest import SEEDS


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text)]


def test_circa_does_not_end_a_sentence() -> None:
    text = "The retable of St George, c. 1400, was painted in Valencia. It is huge."
    assert sentences(text) == [
        "The retable of St George, c. 1400, was painted in Valencia.",
        "It is huge.",
    ]


def test_a_small_letter_after_a_full_stop_continues_the_sentence() -> None:
    text = "Some crops, e.g. saffron and pistachio, need little water. Rice needs more."
    assert sentences(text) == [
        "Some crops, e.g. saffron and pistachio, need little water.",
        "Rice needs more.",
    ]


def test_ordinary_sentences_and_line_breaks_still_end_sentences() -> None:
    text = "Talks began in Moscow. Lavrov spoke first!\nZarif replied"
    assert sentences(text) == ["Talks began in Moscow.", "Lavrov spoke first!", "Zarif replied"]


# The fast gap finder (`_gaps`) against the pattern it stands for (SENTENCE_END).

TRICKY = 'ab. !?…"”’)]\n\t\r\u00a0 Mr.Dr.A.B. x1\u2028'


def same_gaps(text: str) -> bool:
    ours = [(m.start(), m.end()) for m in _gaps(text)]
    return ours == [(m.start(), m.end()) for m in SENTENCE_END.finditer(text)]


@given(st.text(alphabet=TRICKY, max_size=80))
def test_the_gaps_are_sentence_ends_matches(text: str) -> None:
    assert same_gaps(text)


def test_the_gaps_are_the_same_on_many_random_and_real_texts() -> None:
    rng = random.Random(7)
    texts = ["".join(rng.choice(TRICKY) for _ in range(rng.randint(0, 60))) for _ in range(20_000)]
    texts += [p.read_text(encoding="utf-8") for p in sorted(SEEDS.rglob("*.txt"))]
    assert all(same_gaps(t) for t in texts)
