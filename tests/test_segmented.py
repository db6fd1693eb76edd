"""A saved index updated in segments answers as a rebuild of the same folder does
(retrieval/index/segmented.py, retrieval/index/updating.py)."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpusbot.bot.answer.compose import compose
from corpusbot.config.settings import Settings
from corpusbot.retrieval.index import (
    Index,
    OpenedIndex,
    SegmentedIndex,
    merge_saved,
    open_index,
    segmented,
    updating,
)
from corpusbot.retrieval.index import cache as cache_module
from corpusbot.retrieval.storage import IndexCorrupt

from .conftest import DATA, make_settings

CLAIMS = (DATA / "scifact_sample_claims.txt").read_text(encoding="utf-8").splitlines()
# Small passages, so that 260 abstracts make an index large enough for the compiled search.
SMALL = {"CORPUSBOT_PASSAGES_CHUNK_SIZE": "110"}


def abstracts() -> list[tuple[str, str]]:
    """(file name, text) of the SciFact sample's abstracts. "Findings:" opens every sentence
    after the first, so one term is in most passages (its idf is rank-bm25's floor); and every
    ninth abstract repeats an earlier one's text under its own name, so scores tie exactly."""
    made: list[tuple[str, str]] = []
    with (DATA / "scifact_sample.jsonl").open(encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            record = json.loads(line)
            body = record["text"].replace(". ", ". Findings: ")
            if number % 9 == 8:
                body = made[number // 2][1].split("\n", 1)[1]
            made.append((f"a{number:03d}.txt", f"{record['title']}\n{body}"))
    return made


ABSTRACTS = abstracts()
FIRST = 260  # the abstracts in the folder at first; the others arrive


def settings_for(corpus: Path, cache: Path) -> Settings:
    return make_settings(cache, corpus, **SMALL)


def opened(corpus: Path, cache: Path) -> OpenedIndex:
    s = settings_for(corpus, cache)
    return open_index(s.corpus, s.split, s.index, s.max_file_bytes)


def merged(corpus: Path, cache: Path) -> str:
    s = settings_for(corpus, cache)
    return merge_saved(s.corpus, s.split, s.index, s.max_file_bytes)


def answers(index: Index, s: Settings) -> list[object]:
    """What every claim gets: the search's hits and the composed answer, exactly."""
    found: list[object] = []
    for claim in CLAIMS:
        hits = index.search(claim, 20).hits
        found.append([(h.article.id, h.article.number, h.passage.ordinal, h.score) for h in hits])
        answer = compose(index, claim, s.answer)
        found.append((answer.answered, answer.reason))
        found.append([(q.text, q.score, [a.id for a in q.sources]) for q in answer.quotes])
    return found


def same_as_a_rebuild(corpus: Path, cache: Path, scratch: Path) -> SegmentedIndex | Index:
    index = opened(corpus, cache).index
    rebuilt = opened(corpus, scratch / "rebuilt").index
    assert type(rebuilt) is Index
    assert list(index.articles) == list(rebuilt.articles)
    assert len(index) == len(rebuilt) and index.avgdl == rebuilt.avgdl
    assert answers(index, settings_for(corpus, cache)) == answers(
        rebuilt, settings_for(corpus, cache)
    )
    return index


def saved(into: Path) -> tuple[Path, Path]:
    """A folder of the first abstracts and its saved index (large enough for the compiled
    search). Built for each test: a copied folder would count as changed (new inodes)."""
    corpus, cache = into / "corpus", into / "cache"
    corpus.mkdir(parents=True)
    for name, text in ABSTRACTS[:FIRST]:
        (corpus / name).write_text(text, encoding="utf-8")
    assert len(opened(corpus, cache).index) >= 5_000
    return corpus, cache


def test_an_added_article_is_indexed_alone_and_answers_at_once(
    tmp_path: Path,
) -> None:
    corpus, cache = saved(tmp_path)
    before = opened(corpus, cache)
    name, text = ABSTRACTS[FIRST]
    (corpus / name).write_text(text, encoding="utf-8")
    after = opened(corpus, cache)
    assert isinstance(after.index, SegmentedIndex) and after.update is not None
    assert (after.update.articles, after.update.dead) == (1, 0)
    assert after.update.passages == after.index.articles[-1].passages or after.update.passages > 0
    # The saved base was not rebuilt: the new generation uses its folder as it was.
    assert before.folder.name in after.index.generation.segments
    title = text.split("\n", 1)[0]
    assert after.index.search(title, 1).hits[0].article.id == Path(name).stem
    same_as_a_rebuild(corpus, cache, tmp_path)


def test_deleted_and_replaced_articles_leave_the_answers_at_once(
    tmp_path: Path,
) -> None:
    corpus, cache = saved(tmp_path)
    opened(corpus, cache)
    gone, edited = corpus / "a010.txt", corpus / "a020.txt"
    gone_title = gone.read_text(encoding="utf-8").split("\n", 1)[0]
    gone.unlink()
    edited.write_text("Saffron harvest\nSaffron pickers in Khorasan report a record harvest.")
    index = opened(corpus, cache).index
    assert isinstance(index, SegmentedIndex)
    ids = {hit.article.id for hit in index.search(gone_title, 50).hits}
    assert "a010" not in ids
    assert index.search("saffron Khorasan harvest", 1).hits[0].article.id == "a020"
    assert all(a.id != "a010" for a in index.articles)
    same_as_a_rebuild(corpus, cache, tmp_path)


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["add", "replace", "delete", "repeat"]),
            st.lists(st.integers(0, 10_000), min_size=1, max_size=6),
        ),
        min_size=1,
        max_size=7,
    )
)
def test_any_sequence_of_changes_answers_as_a_rebuild(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[str, list[int]]]
) -> None:
    scratch = tmp_path_factory.mktemp("sequence")
    corpus, cache = saved(scratch)
    arriving = list(ABSTRACTS[FIRST:])
    for operation, picks in steps:
        present = sorted(corpus.iterdir())
        for pick in picks:
            if operation == "add" and arriving:
                name, text = arriving.pop(pick % len(arriving))
                (corpus / name).write_text(text, encoding="utf-8")
            elif operation == "replace":
                path = present[pick % len(present)]
                if path.exists():
                    text = path.read_text(encoding="utf-8")
                    path.write_text(
                        text + f"\nFindings: revised estimate {pick}.", encoding="utf-8"
                    )
            elif operation == "delete" and len(present) > 200:
                present[pick % len(present)].unlink(missing_ok=True)
            elif operation == "repeat":  # an exact copy of another article: ties across segments
                source = present[pick % len(present)]
                if source.exists():
                    shutil.copy(source, corpus / f"copy-{pick}-{source.name}")
        opened(corpus, cache)
        merged(corpus, cache)
    same_as_a_rebuild(corpus, cache, scratch)


def test_segments_are_merged_and_a_large_change_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, cache = saved(tmp_path)
    for name, text in ABSTRACTS[FIRST : FIRST + updating.MAX_DELTAS + 1]:
        (corpus / name).write_text(text, encoding="utf-8")
        assert opened(corpus, cache).update is not None
    index = opened(corpus, cache).index
    assert isinstance(index, SegmentedIndex) and index.segments == updating.MAX_DELTAS + 2
    # The smaller segments are merged, so that few remain and the large ones are left alone.
    assert "merged into one" in merged(corpus, cache)
    index = same_as_a_rebuild(corpus, cache, tmp_path / "first")
    assert isinstance(index, SegmentedIndex) and index.segments == 1 + updating.MAX_DELTAS // 2
    monkeypatch.setattr(updating, "REBUILD_SHARE", 0.0)
    assert "rebuilt" in merged(corpus, cache)
    index = same_as_a_rebuild(corpus, cache, tmp_path / "second")
    assert type(index) is Index
    (home,) = cache.iterdir()
    assert not [p for p in home.iterdir() if p.name.startswith(updating.SEGMENT)]  # space freed
    for path in list(corpus.iterdir())[: len(list(corpus.iterdir())) // 2 + 1]:
        path.unlink()
    assert opened(corpus, cache).update is None  # most files changed: rebuilt, not updated


def test_a_damaged_segment_is_found_and_the_index_rebuilt(
    tmp_path: Path,
) -> None:
    corpus, cache = saved(tmp_path)
    name, text = ABSTRACTS[FIRST]
    (corpus / name).write_text(text, encoding="utf-8")
    segment = opened(corpus, cache).index
    assert isinstance(segment, SegmentedIndex)
    (home,) = cache.iterdir()
    newest = home / segment.generation.segments[-1]
    texts = newest / "texts.bin"
    texts.write_bytes(texts.read_bytes().replace(b"e", b"E", 1))
    cache_module._SEGMENTS.clear()  # as a new process finds it: this one trusts what it checked
    again = opened(corpus, cache)
    assert again.built and "unusable" in again.note
    assert again.index.search(text.split("\n", 1)[0], 1).hits[0].article.id == Path(name).stem


def test_a_small_index_is_rebuilt_not_updated(tmp_path: Path) -> None:
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    corpus.mkdir()
    for name, text in ABSTRACTS[:20]:
        (corpus / name).write_text(text, encoding="utf-8")
    opened(corpus, cache)
    (corpus / "new.txt").write_text("A new headline\nThe ayatollah visited Kabul on Monday.")
    again = opened(corpus, cache)
    assert again.built and again.update is None and type(again.index) is Index


def test_settings_changed_since_are_never_updated_into(
    tmp_path: Path,
) -> None:
    corpus, cache = saved(tmp_path)
    name, text = ABSTRACTS[FIRST]
    (corpus / name).write_text(text, encoding="utf-8")
    s = make_settings(cache, corpus, **SMALL, CORPUSBOT_INDEX_K1="1.2")
    again = open_index(s.corpus, s.split, s.index, s.max_file_bytes)
    assert again.update is None and type(again.index) is Index
    assert again.index.settings.k1 == 1.2


def test_the_live_articles_keep_the_folder_order(tmp_path: Path) -> None:
    corpus, cache = saved(tmp_path)
    # Listed by path part by part, as the folder is: "a000-first.txt" before "a000.txt".
    (corpus / "a000-first.txt").write_text("First of all\nAn article listed first.")
    (corpus / "zzz.txt").write_text("Last of all\nAn article listed last.")
    index = opened(corpus, cache).index
    assert isinstance(index, SegmentedIndex)
    ids = [a.id for a in index.articles]
    assert ids[:2] == ["a000-first", "a000"] and ids[-1] == "zzz"
    assert [a.number for a in index.articles] == list(range(1, len(ids) + 1))
    assert index.article_text(1) == "An article listed first."
    assert replace(index.articles[1], number=2) == index.articles[1]
    same_as_a_rebuild(corpus, cache, tmp_path)


CHILD = """
import json, sys
from pathlib import Path
from corpusbot.config.settings import load_settings
from corpusbot.retrieval.index import merge_saved, open_index
from corpusbot.retrieval.index import updating
updating.REBUILD_SHARE, updating.MAX_DELTAS = 0.004, 2  # merges of both kinds, often
corpus = Path(sys.argv[1])
s = load_settings(corpus=corpus)
for name, text in json.loads(Path(sys.argv[2]).read_text(encoding="utf-8")):
    (corpus / name).write_text(text, encoding="utf-8")
    open_index(s.corpus, s.split, s.index, s.max_file_bytes)
    print(name, flush=True)
    merge_saved(s.corpus, s.split, s.index, s.max_file_bytes)
"""


def test_a_process_killed_while_adding_or_merging_loses_no_reported_article(
    tmp_path: Path,
) -> None:
    corpus, cache = saved(tmp_path)
    env = {
        **os.environ,
        "CORPUSBOT_INDEX_CACHE_DIR": str(cache),
        "CORPUSBOT_HISTORY_PATH": str(tmp_path / "history.sqlite3"),
        **SMALL,
    }
    texts = [text for _, text in ABSTRACTS[FIRST:]] * 2
    arriving = [(f"new-{n:03d}.txt", text) for n, text in enumerate(texts)]
    reported: list[str] = []
    rng = random.Random(7)
    for round_ in range(4):
        batch = tmp_path / f"batch{round_}.json"
        batch.write_text(json.dumps(arriving[round_ * 20 : round_ * 20 + 20]), encoding="utf-8")
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(corpus), str(batch)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        time.sleep(rng.uniform(1.5, 4.5))  # into the adds and merges, wherever it lands
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate(timeout=60)
        reported += out.split()
        index = opened(corpus, cache).index  # it loads, and answers
        title = ABSTRACTS[0][1].split("\n", 1)[0]
        assert (
            compose(index, title, settings_for(corpus, cache).answer).quotes[0].sources[0].id
            == "a000"
        )
        ids = {a.id for a in index.articles}
        assert {Path(name).stem for name in reported} <= ids
    assert reported  # some adds were reported before the kills
    same_as_a_rebuild(corpus, cache, tmp_path)


def test_a_reload_updates_the_index_and_says_what_it_took(tmp_path: Path) -> None:
    from corpusbot.bot.app.service import Service

    corpus, cache = saved(tmp_path)
    service = Service.open(settings_for(corpus, cache))
    name, text = ABSTRACTS[FIRST]
    (corpus / name).write_text(text, encoding="utf-8")
    result = service.reload()
    assert result.ok and result.updated.startswith("1 article added, ")
    assert isinstance(service.index, SegmentedIndex)
    assert service.ask(text.split("\n", 1)[0]).quotes[0].sources[0].id == Path(name).stem


def test_a_writer_that_names_its_files_updates_without_looking_at_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corpusbot.bot.app.service import Service

    corpus, cache = saved(tmp_path)
    service = Service.open(settings_for(corpus, cache))
    name, text = ABSTRACTS[FIRST]
    (corpus / name).write_text(text, encoding="utf-8")
    (corpus / "a030.txt").write_text("Saffron harvest\nSaffron pickers report a record harvest.")
    looked: list[Path] = []
    monkeypatch.setattr(cache_module, "stat_files", lambda folder, **_: looked.append(folder))
    result = service.reload(changed=[name, "a030.txt"])
    assert result.ok and result.updated.startswith("2 articles added") and not looked
    monkeypatch.undo()
    assert not service.corpus_changed()  # what a look at the whole folder finds: the same
    (corpus / "a040.txt").unlink()  # a change the writer did not name...
    (corpus / ABSTRACTS[FIRST + 1][0]).write_text(ABSTRACTS[FIRST + 1][1], encoding="utf-8")
    service.reload(changed=[ABSTRACTS[FIRST + 1][0]])
    assert service.corpus_changed()  # ...is found by the next look at the folder
    service.reload()
    same_as_a_rebuild(corpus, cache, tmp_path)


def test_named_new_files_take_the_places_a_look_at_the_folder_gives_them(tmp_path: Path) -> None:
    from corpusbot.bot.app.service import Service

    corpus, cache = saved(tmp_path)
    service = Service.open(settings_for(corpus, cache))
    names = ["z/last.txt", "a015.txt", "0first.txt", "a/b/c.txt", "a015-b.txt", "a/a.txt"]
    for number, name in enumerate(names):
        (corpus / name).parent.mkdir(parents=True, exist_ok=True)
        (corpus / name).write_text(f"Saffron {number}\nSaffron pickers report harvest {number}.")
    result = service.reload(changed=names)
    assert result.ok and result.updated.startswith("6 articles added")
    assert not service.corpus_changed()  # the files table, in order, as a full look has it
    same_as_a_rebuild(corpus, cache, tmp_path)


def test_a_new_article_whose_id_another_has_is_rebuilt_not_updated(tmp_path: Path) -> None:
    """unique_ids decides which of two articles of one id gets its path added, as a rebuild
    does; an update leaves that to a rebuild."""
    corpus, cache = saved(tmp_path)
    line = {"id": "fresh-1", "text": "Saffron pickers in Khorasan report a record harvest."}
    (corpus / "feed.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    assert opened(corpus, cache).update is not None  # an id no article has
    clash = {"id": "a005", "text": "Another story that calls itself a005."}
    (corpus / "more.jsonl").write_text(json.dumps(clash) + "\n", encoding="utf-8")
    again = opened(corpus, cache)
    assert again.update is None and type(again.index) is Index
    (corpus / "a010.md").write_text("Same stem\nA text file named like a010.txt.")
    assert opened(corpus, cache).update is None


def test_a_segments_sentence_record_is_renamed_to_the_whole_index_s_terms() -> None:
    to_whole = np.array([7, 3, 9])
    # Two sentences: (0, 4) of terms 2 0, then (5, 9) of term 1.
    record = np.array([2, 0, 4, 2, 5, 9, 1, 2, 0, 1], dtype=np.int32)
    renamed = segmented._renamed(record, to_whole)
    assert renamed.tolist() == [2, 0, 4, 2, 5, 9, 1, 9, 7, 3]
    assert record.tolist() == [2, 0, 4, 2, 5, 9, 1, 2, 0, 1]  # the stored record is untouched
    # A head that claims more than the record holds is left for the reader to refuse; a term
    # number the segment does not have is refused here.
    broken_head = np.array([5, 0, 4], dtype=np.int32)
    assert segmented._renamed(broken_head, to_whole) is broken_head
    with pytest.raises(IndexCorrupt):
        segmented._renamed(np.array([1, 0, 4, 1, 3], dtype=np.int32), to_whole)
