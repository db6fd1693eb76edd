"""Dates in metadata values and datelines (retrieval/reading/dates.py)."""

import datetime as dt

import pytest

from corpusbot.retrieval.reading.dates import (
    ImpossibleDate,
    date_from_path,
    parse_date,
    parse_dateline,
    year_from_path,
)

APRIL_12 = dt.date(2021, 4, 12)


@pytest.mark.parametrize(
    "raw",
    [
        "2021-04-12",
        "2021-04-12T09:30:00Z",
        "2021/04/12",
        "12 Apr 2021",
        "12 April 2021",
        "12th April 2021",
        "April 12, 2021",
        "Apr. 12 2021",
        "Mon, 12 Apr 2021 09:30:00 +0000",
    ],
)
def test_metadata_dates_in_common_shapes(raw: str) -> None:
    assert parse_date(raw) == APRIL_12


@pytest.mark.parametrize("raw", ["yesterday", "04/12/2021", "", "Spring 2021"])
def test_ambiguous_or_missing_dates_give_none(raw: str) -> None:
    assert parse_date(raw) is None


@pytest.mark.parametrize("raw", ["2021-02-30", "2021-13-01", "31 Apr 2021", "0999-01-01"])
def test_impossible_dates_raise_so_the_reader_can_warn(raw: str) -> None:
    with pytest.raises(ImpossibleDate):
        parse_date(raw)


def test_dateline_with_date_and_outlet() -> None:
    line = parse_dateline("PORTVILLE, June 7, 2022 (Harbor Wire) – Water use in Portville rose.")
    assert (line.date, line.outlet) == (dt.date(2022, 6, 7), "Harbor Wire")
    line = parse_dateline("BERLIN, Germany, March 2, 2021 (Valley Courier) — text")
    assert (line.date, line.outlet) == (dt.date(2021, 3, 2), "Valley Courier")
    assert parse_dateline("LONDON, Sept. 3, 2020 - text").date == dt.date(2020, 9, 3)


def test_dateline_without_a_year_takes_the_hint_or_gives_no_date() -> None:
    text = "TEHRAN, April 13 (Reuters) – The talks resumed."
    unknown = parse_dateline(text)
    assert (unknown.date, unknown.outlet, unknown.undated_day) == (None, "Reuters", True)
    assert parse_dateline(text, year_hint=2021).date == dt.date(2021, 4, 13)


def test_the_seeds_datelines_name_their_outlets() -> None:
    assert parse_dateline("TEHRAN, Iran (AA) – Iranian Foreign Minister").outlet == "AA"
    assert parse_dateline("TEHRAN (Tasnim) – Iran’s Caretaker Foreign Minister").outlet == "Tasnim"
    plain = parse_dateline("Tehran, Iran – Iran and Russia have held high-level talks")
    assert (plain.date, plain.outlet) == (None, None)
    assert parse_dateline(
        "Iranian Foreign Minister Hossein Amir-Abdollahian has arrived."
    ) == parse_dateline("")


def test_impossible_dateline_raises() -> None:
    with pytest.raises(ImpossibleDate):
        parse_dateline("PORTVILLE, Feb. 30, 2022 (Harbor Wire) – text")


def test_years_and_dates_from_paths() -> None:
    assert year_from_path("wire/2021/talks.txt") == 2021
    assert year_from_path("2019-01-02-port.md") == 2019
    assert year_from_path("wire/talks-2021.txt") is None
    assert date_from_path("wire/2024-06-12-strike.txt") == dt.date(2024, 6, 12)
    assert date_from_path("wire/2024-02-31-strike.txt") is None
    assert date_from_path("wire/strike.txt") is None
