"""Spelling help from a vocabulary of made-up names: variants, typos, compounds, hints."""

from collections.abc import Iterator

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
def test_transliterations_share_a_skeleton(one: str, other: str) -> None:
    assert skeleton(one) == skeleton(other)


def corrected(word: str) -> tuple[str, ...] | None:
    """The terms SPELLER corrects `word` to (None: no correction)."""
    found = SPELLER.correct(word)
    return None if found is None else found.terms


def test_different_names_do_not() -> None:
    assert skeleton("zandrovic") != skeleton("zandrovan")


def test_an_absent_spelling_finds_the_corpus_one() -> None:
    assert corrected("qorvani") == ("khorvani",)  # q / kh
    assert corrected("ranniki") == ("raeniki",)  # ei / i, doubled letters
    assert corrected("bagelin") == ("baqelin",)  # one letter off
    assert corrected("zandrovik") == ("zandrovic",)  # a typo
    assert corrected("zadnrovic") == ("zandrovic",)  # swapped letters


def test_compounds_split_and_join() -> None:
    split = SPELLER.correct("ostrandervelmar")
    assert split is not None and split.terms == ("ostrander", "velmar") and split.how == "split"
    assert SPELLER.parts("velmarostrander") == ("velmar", "ostrander")
    assert SPELLER.join("velmar", "ostrander") == "velmarostrander"
    assert SPELLER.join("vellmar", "ostrander") == "velmarostrander"  # by skeleton


def test_no_correction_for_present_or_far_words() -> None:
    assert SPELLER.correct("khorvani") is None
    assert SPELLER.correct("blinken") is None
    assert SPELLER.correct("orr") is None  # too short to guess


def test_a_hint_may_be_two_letters_off() -> None:
    assert SPELLER.correct("zanndrevic") is None
    assert SPELLER.suggest("zanndrevic") == "zandrovic"


def test_variants_come_most_frequent_first() -> None:
    speller = Speller(
        ["raeisi", "raisi", "raissi"],
        lambda term: {"raeisi": 5, "raisi": 2, "raissi": 1}.get(term, 0),
    )
    assert speller.variants("raisi") == ["raeisi", "raissi"]


def test_edits_are_one_step_away() -> None:
    found = edits("abc")
    assert {"ab", "bac", "abd", "xabc"} <= found and "abc" not in found and "cab" not in found


def test_the_table_is_built_once_ahead_of_the_first_lookup() -> None:
    walked: list[int] = []

    def vocabulary() -> Iterator[str]:
        walked.append(1)
        yield from COUNTS

    speller = Speller(vocabulary(), lambda term: COUNTS.get(term, 0))
    assert not speller.prepared
    speller.prepare()
    assert speller.prepared and walked == [1]
    assert speller.correct("khorvany") is not None and walked == [1]
