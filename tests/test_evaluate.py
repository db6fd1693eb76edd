"""The evaluation metrics on hand-made judgements, and `corpusbot eval --beir` on a tiny set."""

import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from corpusbot.retrieval.evaluation.beir import load_beir, mean_metrics, ndcg_at_k, recall_at_k

from .conftest import DATA, ROOT

TINY = DATA / "beir_tiny"


def test_ndcg_of_a_perfect_ranking_is_one() -> None:
    assert ndcg_at_k(["a", "b", "x"], {"a": 1, "b": 1}) == pytest.approx(1.0)


def test_ndcg_with_the_relevant_document_second() -> None:
    # One relevant document at rank 2: DCG = 1/log2(3), ideal = 1/log2(2) = 1.
    assert ndcg_at_k(["x", "a"], {"a": 1}) == pytest.approx(1 / math.log2(3))


def test_ndcg_with_grades_and_a_cut_off() -> None:
    judged = {"a": 2, "b": 1, "c": 0}
    ranked = ["b", "c", "a"]
    dcg = 1 / math.log2(2) + 0 + 2 / math.log2(4)
    ideal = 2 / math.log2(2) + 1 / math.log2(3)
    assert ndcg_at_k(ranked, judged) == pytest.approx(dcg / ideal)
    # With k=1 only "b" counts, against the ideal first document "a".
    assert ndcg_at_k(ranked, judged, k=1) == pytest.approx(1 / 2)
    # A relevant document beyond k earns nothing.
    assert ndcg_at_k(["x"] * 10 + ["a"], {"a": 1}) == 0.0


def test_recall_counts_relevant_documents_within_k() -> None:
    judged = {"a": 1, "b": 1, "c": 0, "d": 2}
    assert recall_at_k(["a", "c", "x"], judged) == pytest.approx(1 / 3)
    assert recall_at_k(["x", "b", "d", "a"], judged, k=2) == pytest.approx(1 / 3)
    assert recall_at_k([], judged) == 0.0
    assert recall_at_k(["a"], {"a": 0}) == 0.0


def test_means_over_judged_queries_count_missing_runs_as_zero() -> None:
    qrels = {"q1": {"a": 1}, "q2": {"b": 1}}
    ndcg, recall = mean_metrics({"q1": ["a"]}, qrels)
    assert ndcg == pytest.approx(0.5) and recall == pytest.approx(0.5)


def test_loading_a_beir_folder_keeps_only_judged_queries() -> None:
    data = load_beir(TINY)
    assert [d[0] for d in data.documents] == ["d1", "d2", "d3", "d4", "d5"]
    assert set(data.queries) == {"1", "2", "3"}
    assert data.qrels["2"] == {"d3": 1}


def test_a_folder_without_qrels_is_reported(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="qrels"):
        load_beir(tmp_path)


def test_the_eval_command_prints_both_systems() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "corpusbot.bot", "eval", "--beir", str(TINY)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "nDCG@10" in result.stdout and "Recall@100" in result.stdout
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[2:]}
    assert set(rows) == {"corpusbot", "rank-bm25"}
    ours = [float(x) for x in re.findall(r"\d\.\d{4}", rows["corpusbot"])]
    assert ours == [1.0, 1.0]  # each tiny query finds its one document first


def test_the_eval_command_names_a_missing_folder(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "corpusbot.bot", "eval", "--beir", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2 and "corpus.jsonl" in result.stderr
