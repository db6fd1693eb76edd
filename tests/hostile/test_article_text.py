"""Hostile article contents: bad .jsonl lines, links that are not web pages, headlines (issue 10,
item 13; issue 11's silent .jsonl drops and unnamed file types)."""

from __future__ import annotations

import json
from pathlib import Path

from corpusbot.retrieval.reading.corpus import load_corpus, parse_article

from .helpers import corpusbot, open_corpus, seed_corpus


def test_one_bad_jsonl_line_costs_that_line_and_is_reported_with_its_number(tmp_path: Path) -> None:
    good = [
        json.dumps({"id": f"g{n}", "text": f"Saffron shipment number {n} left Mashhad."})
        for n in range(3)
    ]
    lines = [
        good[0].encode(),
        b'{"text": "Caf\xe9 owners in Shiraz protested."}',  # Latin-1, not UTF-8
        b"[" * 5000,  # nested too deeply for the JSON parser
        json.dumps({"text": "A line\u2028separator inside a string."}, ensure_ascii=False).encode(),
        good[1].encode(),
        b'{"title": "no text"}',
        b'"just a string"',
        good[2].encode(),
    ]
    (tmp_path / "feed.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    corpus = load_corpus(tmp_path)
    assert [a.id for a in corpus.articles] == ["g0", "feed-4", "g1", "g2"]
    assert corpus.articles[1].text == "A line\u2028separator inside a string."
    reasons = {s.path: s.reason for s in corpus.skipped}
    assert reasons == {
        "feed.jsonl:2": "not UTF-8 text (byte 13)",
        "feed.jsonl:3": "not JSON (nested too deeply)",
        "feed.jsonl:6": "no non-empty 'text' field",
        "feed.jsonl:7": "not a JSON object",
    }


def test_many_bad_lines_are_reported_up_to_a_limit_then_counted(tmp_path: Path) -> None:
    lines = [json.dumps({"text": "The only good line."})] + ["{broken"] * 50
    (tmp_path / "feed.jsonl").write_text("\n".join(lines))
    skipped = load_corpus(tmp_path).skipped
    assert [s.path for s in skipped[:2]] == ["feed.jsonl:2", "feed.jsonl:3"]
    assert len(skipped) == 21 and skipped[-1].reason == "30 more unusable lines after line 21"


def test_a_folder_with_no_readable_file_names_the_supported_types(tmp_path: Path) -> None:
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    corpus.mkdir()
    (corpus / "notes.pdf").write_bytes(b"%PDF-1.4")
    result = corpusbot("index", "--corpus", str(corpus), cache=cache)
    assert result.returncode == 0
    assert b".txt, .md, .jsonl" in result.stderr


def test_urls_that_are_not_web_pages_are_dropped_when_read(tmp_path: Path) -> None:
    for url in (
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<b>x</b>",
        "file:///etc/passwd",
        "http://",
        "https://exa mple.org/",
        "//evil.example/x",
    ):
        article = parse_article(f"A headline\nurl: {url}\n\nBody.", "a", "a.txt")
        assert article.url is None, url
    kept = parse_article("A headline\nurl: https://example.org/a?b=1\n\nBody.", "a", "a.txt")
    assert kept.url == "https://example.org/a?b=1"
    (tmp_path / "feed.jsonl").write_text(
        json.dumps({"text": "Body one.", "url": "javascript:alert(document.cookie)"})
        + "\n"
        + json.dumps({"text": "Body two.", "url": "http://example.org/two"})
        + "\n"
    )
    assert [a.url for a in load_corpus(tmp_path).articles] == [None, "http://example.org/two"]


def test_a_word_only_in_the_headline_finds_the_article_and_quotes_its_own_text(
    tmp_path: Path,
) -> None:
    corpus, cache = seed_corpus(tmp_path / "corpus"), tmp_path / "cache"
    (corpus / "quake.txt").write_text(
        "Earthquake shakes Bam\n\nBuildings collapsed across the old city on Friday night, "
        "and rescuers searched the rubble until morning."
    )
    index = open_corpus(corpus, cache).index
    hits = index.search("earthquake", 3).hits
    assert hits and hits[0].article.id == "quake"
    assert hits[0].passage.text.startswith("Buildings collapsed")  # the quote is the body's
    answer = corpusbot("ask", "earthquake", "--json", "--corpus", str(corpus), cache=cache)
    reply = json.loads(answer.stdout)
    assert reply["answered"] and reply["quotes"][0]["article_id"] == "quake"
    assert "Earthquake" not in reply["quotes"][0]["text"]
