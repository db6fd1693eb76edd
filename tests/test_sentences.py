"""Cutting text into sentences: the fast gap finder against the pattern it stands for."""

import random

from hypothesis import given
from hypothesis import strategies as st

from corpusbot.retrieval.sentences import SENTENCE_END, _gaps, sentence_spans

from .conftest import SEEDS

TRICKY = 'ab. !?…"”’)]\n\t\r\u00a0 Mr.Dr.A.B. x1\u2028'


def same_gaps(text: str) -> bool:
    ours = [(m.start(), m.end()) for m in _gaps(text)]
    return ours == [(m.start(), m.end()) for m in SENTENCE_END.finditer(text)]


@given(st.text(alphabet=TRICKY, max_size=80))
def test_the_gaps_are_sentence_ends_matches(text: str):
    assert same_gaps(text)


def test_the_gaps_are_the_same_on_many_random_and_real_texts():
    rng = random.Random(7)
    texts = ["".join(rng.choice(TRICKY) for _ in range(rng.randint(0, 60))) for _ in range(20_000)]
    texts += [p.read_text(encoding="utf-8") for p in sorted(SEEDS.rglob("*.txt"))]
    assert all(same_gaps(t) for t in texts)


def test_sentences_end_at_marks_and_line_breaks_but_not_abbreviations():
    text = 'Mr. Smith said "No." Then he left!\n\nA new line… and more'
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        'Mr. Smith said "No."',
        "Then he left!",
        "A new line…",
        "and more",
    ]
