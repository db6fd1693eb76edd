import json
import logging
from pathlib import Path

import pytest

from corpusbot.retrieval.reading import Article
from corpusbot.retrieval.reading.corpus import load_corpus, make_title, parse_article

from .conftest import SEEDS


def test_seeds_have_headlines_outlets_and_no_furniture() -> None:
    corpus = load_corpus(SEEDS)
    assert not corpus.skipped
    by_id = {a.id: a for a in corpus.articles}
    assert len(by_id) == 5
    aa = by_id["000_442724f15755f4d5"]
    assert aa.title == "Iran urges regional cooperation for peace, security"
    assert aa.source == "AA"
    assert aa.text.startswith("TEHRAN, Iran (AA)")
    tasnim = by_id["002_9635e7a99c58f50c"]
    assert tasnim.source == "Tasnim"
    assert tasnim.title not in tasnim.text  # the repeated headline line is gone
    assert "Top Stories" not in tasnim.text and "Most Visited" not in tasnim.text
    coop = by_id["001_0ac235f91fa9c23c"]
    assert "Need for Regional Coop." not in coop.text
    assert "Add new comment" not in coop.text and "comment policy" not in coop.text
    assert "Post a Comment" not in by_id["004_55c22112cef1f973"].text


def test_a_first_line_of_body_text_stays_text_and_gives_a_short_title() -> None:
    article = by_id_text(
        "Tehran, Iran – Iran and Russia have held high-level talks on bilateral "
        "ties, the region, and Iran’s nuclear deal with world powers on Tuesday.\n"
        "Second paragraph."
    )
    assert article.text.startswith("Tehran, Iran – Iran and Russia")
    assert article.title.startswith("Iran and Russia have held high-level talks")
    assert article.title.endswith("…") and len(article.title) <= 91
    assert make_title("Short sentence. Another one.") == "Short sentence"


def by_id_text(raw: str) -> Article:
    return parse_article(raw, article_id="x", path="x.txt")


def test_header_lines_give_source_date_and_url() -> None:
    article = by_id_text(
        "A headline\nsource: Reuters\ndate: 2024-05-01\nurl: https://e.x/a\n\nBody."
    )
    assert (article.title, article.source, article.date, article.url) == (
        "A headline",
        "Reuters",
        "2024-05-01",
        "https://e.x/a",
    )
    assert article.text == "Body."


def test_jsonl_holds_one_article_a_line_and_survives_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a1", "title": "First", "text": "Body one.", "source": "AP"}),
        "{not json",
        json.dumps({"title": "No text"}),
        json.dumps({"text": "Body two without a title, long enough to be a sentence."}),
    ]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines), encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert [a.id for a in corpus.articles] == ["a1", "feed-4"]
    assert corpus.articles[0].source == "AP" and corpus.articles[0].title == "First"


def test_a_jsonl_field_holding_a_list_or_object_is_refused_with_its_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    record = {"text": "Saffron exports rose.", "source": ["x"], "title": {"en": "Saffron"}}
    (tmp_path / "feed.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        corpus = load_corpus(tmp_path)
    (article,) = corpus.articles
    assert article.source is None or "[" not in article.source
    assert "{" not in article.title and "Saffron exports" in article.text
    warned = [r.getMessage() for r in caplog.records]
    assert any("feed.jsonl:1: field 'source' holds a list" in m for m in warned)
    assert any("feed.jsonl:1: field 'title' holds an object" in m for m in warned)


def test_unusable_files_are_skipped_with_reasons(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("Headline\nBody text here.", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("   \n")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\x00\x00\x01")
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 headline\nBody".encode("latin-1"))
    (tmp_path / "big.txt").write_bytes(b"x" * 2048)
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    corpus = load_corpus(tmp_path, max_file_bytes=1024)
    assert [a.id for a in corpus.articles] == ["good"]
    reasons = {s.path: s.reason for s in corpus.skipped}
    assert reasons["empty.txt"] == "empty"
    assert reasons["binary.txt"] == "binary file"
    assert reasons["latin1.txt"].startswith("not UTF-8")
    assert reasons["big.txt"].startswith("too large")
    assert "notes.pdf" not in reasons


def test_a_file_that_vanishes_while_reading_is_skipped(tmp_path: Path) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text(f"Headline {name}\nBody of {name}.")

    def remove_c(path: Path) -> None:
        if path.name == "a.txt":
            (tmp_path / "c.txt").unlink()

    corpus = load_corpus(tmp_path, on_file=remove_c)
    assert [a.id for a in corpus.articles] == ["a", "b"]
    assert corpus.skipped[0].path == "c.txt" and "cannot be read" in corpus.skipped[0].reason


def test_articles_with_the_same_id_stay_apart(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x.txt").write_text("First x\nSaffron from Herat.")
    (tmp_path / "b" / "x.txt").write_text("Second x\nPistachios from Kerman.")
    (tmp_path / "x.md").write_text("# Third x\nCarpets from Tabriz.")
    (tmp_path / "f1.jsonl").write_text('{"id": "1", "text": "Dates from Bam."}')
    (tmp_path / "f2.jsonl").write_text('{"id": "1", "text": "Caviar from the Caspian."}')
    ids = [a.id for a in load_corpus(tmp_path).articles]
    assert len(set(ids)) == len(ids) == 5
    assert ids[:2] == ["x", "x (b/x.txt)"] and "1 (f2.jsonl:1)" in ids


def test_a_field_refused_on_many_lines_is_reported_once_for_the_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A BEIR corpus.jsonl has a `metadata` object on every line: one warning says so for the
    file (5,183 of them for SciFact flooded the terminal)."""
    lines = [
        {"_id": str(n), "text": f"Claim {n} about saffron.", "metadata": {}} for n in range(30)
    ]
    (tmp_path / "corpus.jsonl").write_text("\n".join(map(json.dumps, lines)), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        corpus = load_corpus(tmp_path)
    assert len(corpus.articles) == 30
    warned = [r.getMessage() for r in caplog.records if "'metadata'" in r.getMessage()]
    assert warned == [
        "corpus.jsonl: field 'metadata' holds an object on 30 lines (1, 2, 3 and 27 more), "
        "not text; left out"
    ]
