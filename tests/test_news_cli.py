"""The news corpus through the `corpusbot` command: ISO dates in --json, time and outlet
expressions in questions, the impossible date's warning."""

import json
from pathlib import Path

import pytest

from .conftest import DATA
from .test_cli import run

NEWS = str(DATA / "news")


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("news-cli-cache")


def test_index_warns_about_the_impossible_date_once(cache: Path) -> None:
    built = run("index", "--rebuild", "--corpus", NEWS, cache=cache)
    assert built.returncode == 0, built.stderr
    assert "33 articles" in built.stdout
    assert "courier/ferry-winter.txt: impossible date '2021-02-30' ignored" in built.stderr
    assert "Traceback" not in built.stderr


def test_sources_json_has_iso_dates_outlets_and_links(cache: Path) -> None:
    rows = {
        r["path"]: r
        for r in json.loads(run("sources", "--json", "--corpus", NEWS, cache=cache).stdout)
    }
    assert rows["courier/bridge-closed.txt"]["date"] == "2021-04-09"  # "April 9, 2021"
    assert rows["feeds/aa.jsonl:8"]["date"] == "2024-06-01"  # RFC 2822 in JSONL
    assert rows["wire/2021/talks-resume.txt"]["source"] == "Harbor Wire"
    assert rows["courier/ferry-winter.txt"]["date"] is None
    assert rows["tasnim/talks-open.md"]["url"].startswith("https://tasnim.example/")
    dated = [r["date"] for r in rows.values() if r["date"]]
    assert len(dated) == 30 and all(len(d) == 10 and d[4] == d[7] == "-" for d in dated)


def test_ask_with_a_year_and_an_outlet(cache: Path) -> None:
    result = run(
        "ask",
        "--json",
        "--corpus",
        NEWS,
        "According to Tasnim, what about the nuclear talks in 2021?",
        cache=cache,
    )
    answer = json.loads(result.stdout)
    assert answer["answered"] and answer["reply"].startswith("From Tasnim articles of 2021:")
    assert [(q["source"], q["date"]) for q in answer["quotes"]] == [("Tasnim", "2021-06-18")]
    assert answer["quotes"][0]["path"] == "tasnim/talks-stall.md"  # the file only in --json


def test_ask_reads_many_questions_each_with_its_own_range(cache: Path) -> None:
    questions = "bridge in April 2021\nreservoir since May 2022\nwhat did Reuters report?\n"
    lines = [
        json.loads(line)
        for line in run(
            "ask", "--json", "-", "--corpus", NEWS, stdin=questions, cache=cache
        ).stdout.splitlines()
    ]
    assert [line["reply"].split("\n")[0] for line in lines] == [
        "From articles of April 2021:",
        "From articles since May 2022:",
        "No article from Reuters. The outlets I have: AA, Valley Courier, Harbor Wire, Tasnim.",
    ]
    assert all("2021-04-01" <= q["date"] <= "2021-04-30" for q in lines[0]["quotes"])


def test_plain_reply_reads_like_a_news_search(cache: Path) -> None:
    text = run("ask", "--corpus", NEWS, "the latest on the dock strike", cache=cache).stdout
    assert text.startswith(
        "Newest first:\n\n1. “PORTVILLE, June 14, 2024 (Harbor Wire) – Dock "
        "workers at the Portville port ended their nine-day strike"
    )
    assert "— Dock workers end strike at Portville port — Harbor Wire, 14 Jun 2024" in text
