"""Sentence boundaries: a full stop ends a sentence, but not after "c." or before a small letter."""

from corpusbot.retrieval.sentences import sentence_spans


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text)]


def test_circa_does_not_end_a_sentence():
    text = "The retable of St George, c. 1400, was painted in Valencia. It is huge."
    assert sentences(text) == [
        "The retable of St George, c. 1400, was painted in Valencia.",
        "It is huge.",
    ]


def test_a_small_letter_after_a_full_stop_continues_the_sentence():
    text = "Some crops, e.g. saffron and pistachio, need little water. Rice needs more."
    assert sentences(text) == [
        "Some crops, e.g. saffron and pistachio, need little water.",
        "Rice needs more.",
    ]


def test_ordinary_sentences_and_line_breaks_still_end_sentences():
    text = "Talks began in Moscow. Lavrov spoke first!\nZarif replied"
    assert sentences(text) == ["Talks began in Moscow.", "Lavrov spoke first!", "Zarif replied"]
