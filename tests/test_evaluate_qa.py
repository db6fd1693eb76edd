"""Answer-level scores on hand-made replies, the paragraph baseline, and `eval --qa` itself."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from corpusbot.retrieval.analysis.analyzer import AnalyzerSettings
from corpusbot.retrieval.evaluation.qa import (
    QaCase,
    QaDataError,
    QuoteOut,
    Reply,
    evaluate_qa,
    format_forms,
    load_cases,
    load_questions,
    misses_json,
    paragraph_baseline,
    position,
)
from corpusbot.retrieval.reading.corpus import Article

from .conftest import ROOT

CASES = [
    QaCase("Who won?", ("Denver Broncos",), "nfl"),
    QaCase("Where?", ("Levi's Stadium", "Santa Clara"), "nfl"),
    QaCase("When?", ("1999",), "nfl"),
]
REPLIES = {
    # first quote, early: counts for first, visible and any
    "Who won?": Reply(True, (QuoteOut("The denver broncos won.", ("nfl",)),)),
    # answer only past the visible part of the first quote, then again in the second quote
    "Where?": Reply(
        True,
        (
            QuoteOut("x" * 260 + " Santa Clara", ("other",)),
            QuoteOut("At Levi's Stadium.", ("nfl",)),
        ),
    ),
    # refused
    "When?": Reply(False),
    "Unknown one?": Reply(False),
    "Unknown two?": Reply(True, (QuoteOut("Something", ("nfl",)),)),
}


def test_scores_count_first_visible_any_article_and_refusals() -> None:
    scores = evaluate_qa("fake", REPLIES.__getitem__, CASES, ["Unknown one?", "Unknown two?"])
    assert scores.questions == 3
    assert scores.first == pytest.approx(2 / 3)
    assert scores.first_visible == pytest.approx(1 / 3)
    assert scores.anywhere == pytest.approx(2 / 3)
    assert scores.right_article == pytest.approx(1 / 3)
    assert scores.answered == pytest.approx(2 / 3)
    assert scores.refused == pytest.approx(1 / 2)
    assert scores.median_chars == (len("The denver broncos won.") + 272) / 2


def test_an_answer_cut_by_the_visible_edge_is_not_visible() -> None:
    text = "y" * 245 + " Santa Clara"  # starts before 250, ends after it
    reply = Reply(True, (QuoteOut(text, ("nfl",)),))
    scores = evaluate_qa("fake", lambda _q: reply, [QaCase("q", ("Santa Clara",))])
    assert scores.first == 1.0 and scores.first_visible == 0.0


def test_an_answer_in_a_long_opening_sentence_is_seen_but_not_within_250() -> None:
    text = "y" * 300 + " Santa Clara. More."
    reply = Reply(True, (QuoteOut(text, ("nfl",), lead=len(text) - 6),))
    scores = evaluate_qa("fake", lambda _q: reply, [QaCase("q", ("Santa Clara",))])
    assert scores.first_visible == 0.0 and scores.first_seen == 1.0


def test_position_is_case_insensitive_and_takes_the_earliest() -> None:
    assert position(["clara", "SANTA"], "At Santa Clara") == 3
    assert position(["Boston"], "At Santa Clara") == -1


def test_the_baseline_quotes_the_best_whole_paragraph() -> None:
    articles = [
        Article(
            "a",
            "A",
            "Intro about cars.\n\nThe Broncos won the final game.\n\nWeather was fine.",
            "a.txt",
        ),
        Article("b", "B", "Cooking pasta needs water.", "b.txt"),
    ]
    baseline = paragraph_baseline(articles, AnalyzerSettings(stopwords=frozenset({"the"})))
    reply = baseline("Who won the final?")
    assert reply.quotes == (QuoteOut("The Broncos won the final game.", ("a",)),)
    assert not baseline("zebra").answered


def test_reading_questions_names_a_bad_line(tmp_path: Path) -> None:
    good = tmp_path / "qa.jsonl"
    good.write_text('{"q": "Who?", "a": ["Ann"], "doc": "d"}\n\n{"q": "When?", "a": "1999"}\n')
    assert load_cases(good) == [QaCase("Who?", ("Ann",), "d"), QaCase("When?", ("1999",))]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"q": "Who?", "a": ["Ann"]}\n{"question": "x"}\n')
    with pytest.raises(QaDataError, match=r"bad.jsonl:2"):
        load_cases(bad)
    plain = tmp_path / "plain.txt"
    plain.write_text('What now?\n{"q": "And then?"}\n')
    assert load_questions(plain) == ["What now?", "And then?"]


def _eval(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CORPUSBOT_INDEX_CACHE_DIR": str(cache)}
    return subprocess.run(
        [sys.executable, "-m", "corpusbot.bot", "eval", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )


def bowl_corpus(tmp_path: Path) -> Path:
    """The Super Bowl article among five others, so that idf means something."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "bowl.txt").write_text(
        "Super Bowl\n\nThe Super Bowl was played at Levi's Stadium in "
        "Santa Clara. The Denver Broncos won it.\n"
    )
    for dish in ("Tomato soup", "Bread", "Pasta", "Rice", "Salad"):
        (corpus / f"{dish}.txt").write_text(f"{dish}\n\n{dish} is cooked at home.\n")
    return corpus


def test_the_eval_qa_command_prints_ours_and_the_baseline(tmp_path: Path) -> None:
    corpus = bowl_corpus(tmp_path)
    questions = tmp_path / "qa.jsonl"
    questions.write_text(
        json.dumps({"q": "Who won the Super Bowl?", "a": ["Denver Broncos"], "doc": "bowl"}) + "\n"
    )
    unanswerable = tmp_path / "none.txt"
    unanswerable.write_text("What is the capital of Australia?\n")
    result = _eval(
        "--qa",
        str(questions),
        "--corpus",
        str(corpus),
        "--unanswerable",
        str(unanswerable),
        cache=tmp_path / "cache",
    )
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()[2:4]}
    assert set(rows) == {"corpusbot", "rank-bm25,"}
    assert rows["corpusbot"][:7] == ["1.000"] * 7


def test_the_eval_qa_command_names_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "qa.jsonl"
    bad.write_text("not json\n")
    result = _eval("--qa", str(bad), cache=tmp_path / "cache")
    assert result.returncode == 2 and "qa.jsonl:1" in result.stderr
    assert "Traceback" not in result.stderr


def test_scores_are_broken_down_by_form_and_misses_kept() -> None:
    cases = [
        QaCase("Who won?", ("Broncos",), form="who"),
        QaCase("What did the coach say?", ("trophy",), form="say"),
        QaCase("And where?", ("Santa Clara",), form="follow-up", after="Who won?"),
    ]

    def system(question: str) -> Reply:
        return Reply(True, (QuoteOut("The Broncos won at Santa Clara.", ("a",)),))

    asked: list[tuple[str, str]] = []

    def after(earlier: str, question: str) -> Reply:
        asked.append((earlier, question))
        return system(question)

    scores = evaluate_qa("s", system, cases, follow=after)
    assert asked == [("Who won?", "And where?")]  # a follow-up is asked with its earlier one
    assert [(f.form, f.questions, f.first) for f in scores.by_form] == [
        ("follow-up", 1, 1.0),
        ("say", 1, 0.0),
        ("who", 1, 1.0),
    ]
    [miss] = scores.misses
    assert miss.case.question == "What did the coach say?"
    assert miss.first_quote == "The Broncos won at Santa Clara."
    [line] = list(misses_json(scores))
    assert json.loads(line)["form"] == "say"
    assert "say" in format_forms([scores])


def test_without_a_follow_up_function_the_two_questions_are_asked_together() -> None:
    heard: list[str] = []

    def system(question: str) -> Reply:
        heard.append(question)
        return Reply(False)

    evaluate_qa("s", system, [QaCase("And when?", ("1990",), after="Who built it?")])
    assert heard == ["Who built it? And when?"]


def test_the_eval_qa_command_writes_misses_and_forms(tmp_path: Path) -> None:
    corpus = bowl_corpus(tmp_path)
    questions = tmp_path / "qa.jsonl"
    rows = [
        {"q": "Who won the Super Bowl?", "a": ["Denver Broncos"], "form": "who"},
        {"q": "Who sang the anthem at the Super Bowl?", "a": ["Lady Gaga"], "form": "who"},
    ]
    questions.write_text("".join(json.dumps(r) + "\n" for r in rows))
    missed = tmp_path / "missed.jsonl"
    result = _eval(
        "--qa",
        str(questions),
        "--corpus",
        str(corpus),
        "--misses",
        str(missed),
        cache=tmp_path / "cache",
    )
    assert result.returncode == 0, result.stderr
    assert "\nform " in result.stdout and "\nwho " in result.stdout
    [line] = missed.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["q"] == "Who sang the anthem at the Super Bowl?"
