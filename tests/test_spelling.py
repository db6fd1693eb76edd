"""Spelling help from a vocabulary of made-up names: variants, typos, compounds, hints."""

import pytest

from corpusbot.bot.answer.spelling import Speller, edits, skeleton

# Made-up names (no real person or place), as an index would hold them, with passage counts.
COUNTS = {
    "khorvani": 9,
    "raeniki": 4,
    "zandrovic": 7,
    "velmar": 5,
    "ostrander": 5,
    "velmarostrander": 1,
    "baqelin": 3,
    "tuvok": 2,
    "orra": 6,
}
SPELLER = Speller(COUNTS, lambda term: COUNTS.get(term, 0))


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("qorvani", "ghorvani"),
        ("khorvani", "korvani"),
        ("raeisani", "raisani"),
        ("baqelin", "baghelin"),
        ("zoulan", "zulan"),
        ("tuvvok", "tuvok"),
        ("velmar-ostrander", "velmarostrander"),
    ],
)
def test_transliterations_share_a_skeleton(one: str, other: str):
    assert skeleton(one) == skeleton(other)


def test_different_names_do_not():
    assert skeleton("zandrovic") != skeleton("zandrovan")


def test_an_absent_spelling_finds_the_corpus_one():
    assert SPELLER.correct("qorvani").terms == ("khorvani",)  # q / kh
    assert SPELLER.correct("ranniki").terms == ("raeniki",)  # ei / i, doubled letters
    assert SPELLER.correct("bagelin").terms == ("baqelin",)  # one letter off
    assert SPELLER.correct("zandrovik").terms == ("zandrovic",)  # a typo
    assert SPELLER.correct("zadnrovic").terms == ("zandrovic",)  # swapped letters


def test_compounds_split_and_join():
    split = SPELLER.correct("ostrandervelmar")
    assert split is not None and split.terms == ("ostrander", "velmar") and split.how == "split"
    assert SPELLER.parts("velmarostrander") == ("velmar", "ostrander")
    assert SPELLER.join("velmar", "ostrander") == "velmarostrander"
    assert SPELLER.join("vellmar", "ostrander") == "velmarostrander"  # by skeleton


def test_no_correction_for_present_or_far_words():
    assert SPELLER.correct("khorvani") is None
    assert SPELLER.correct("blinken") is None
    assert SPELLER.correct("orr") is None  # too short to guess


def test_a_hint_may_be_two_letters_off():
    assert SPELLER.correct("zanndrevic") is None
    assert SPELLER.suggest("zanndrevic") == "zandrovic"


def test_variants_come_most_frequent_first():
    speller = Speller(["raeisi", "raisi", "raissi"], {"raeisi": 5, "raisi": 2, "raissi": 1}.get)
    assert speller.variants("raisi") == ["raeisi", "raissi"]


def test_edits_are_one_step_away():
    found = edits("abc")
    assert {"ab", "bac", "abd", "xabc"} <= found and "abc" not in found and "cab" not in found


def test_the_table_is_built_once_ahead_of_the_first_lookup():
    walked: list[int] = []

    def vocabulary():
        walked.append(1)
        yield from COUNTS

    speller = Speller(vocabulary(), lambda term: COUNTS.get(term, 0))
    assert not speller.prepared
    speller.prepare()
    assert speller.prepared and walked == [1]
    assert speller.correct("khorvany") is not None and walked == [1]
