import json
from pathlib import Path

from corpusbot.bot.answer.plurals import counted as bot_counted
from corpusbot.retrieval.evaluation.beir import BeirData, Scores, format_table
from corpusbot.retrieval.plurals import counted
from corpusbot.retrieval.reading.corpus import load_corpus
from corpusbot.retrieval.storage.manifest import check_sizes, read_manifest, write_manifest


def test_one_is_singular_and_every_other_count_plural() -> None:
    assert counted(1, "article") == "1 article"
    assert counted(0, "article") == "0 articles"
    assert counted(2, "passage") == "2 passages"
    assert counted(1_200, "passage") == "1,200 passages"
    assert counted(3, "reply") == "3 replies"


def test_the_last_word_of_a_phrase_is_the_one_made_plural() -> None:
    assert counted(2, "judged query") == "2 judged queries"
    assert counted(2, "newest article") == "2 newest articles"
    assert counted(2, "day") == "2 days"  # a vowel before the y: no "ies"
    assert counted(1, "judged query") == "1 judged query"


def test_the_bot_side_uses_the_same_rule() -> None:
    assert bot_counted is counted


def test_a_single_extra_bad_line_is_one_line(tmp_path: Path) -> None:
    lines = [json.dumps({"text": "The only good line."})] + ["{broken"] * 21
    (tmp_path / "feed.jsonl").write_text("\n".join(lines))
    skipped = load_corpus(tmp_path).skipped
    assert skipped[-1].reason == "1 more unusable line after line 21"


def test_a_one_byte_file_is_one_byte_in_the_cache_check(tmp_path: Path) -> None:
    (tmp_path / "a.bin").write_bytes(b"abc")
    write_manifest(tmp_path)
    (tmp_path / "a.bin").write_bytes(b"a")
    assert check_sizes(tmp_path, read_manifest(tmp_path)) == "a.bin has 1 byte, 3 were written"
    (tmp_path / "a.bin").write_bytes(b"")
    write_manifest(tmp_path)
    (tmp_path / "a.bin").write_bytes(b"ab")
    assert check_sizes(tmp_path, read_manifest(tmp_path)) == "a.bin has 2 bytes, 0 were written"


def test_the_eval_table_counts_one_document_and_one_query() -> None:
    data = BeirData([("d1", "", "text")], {"q1": "question"}, {"q1": {"d1": 1}})
    header = format_table([Scores("bm25", 1.0, 1.0, 0.1)], data).splitlines()[0]
    assert header == "1 document, 1 judged query"
