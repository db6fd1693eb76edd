"""Retrieval quality on a BEIR-layout data set: nDCG@10 and Recall@100, ours beside a baseline.

A BEIR folder holds `corpus.jsonl` (`_id`, `title`, `text`), `queries.jsonl` (`_id`, `text`) and
`qrels/<split>.tsv` (query-id, corpus-id, score, with a header line). As BEIR does, each document
is indexed as one passage whose text is title + " " + text, and only the queries that have
judgements in the split are asked. The metrics follow pytrec_eval (which BEIR reports): nDCG with
linear gains and log2 discounts, the ideal ranking made from all judged documents of the query;
recall over the documents judged relevant (score > 0). Both are averaged over the judged queries.

The baseline is what a first attempt looks like: rank-bm25's BM25Okapi over lowercase
whitespace tokens, with the same k1, b and epsilon as ours.
"""

from __future__ import annotations

import csv
import json
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from corpusbot.retrieval.index import Index, IndexSettings
from corpusbot.retrieval.plurals import counted
from corpusbot.retrieval.reading import Article, Passage

Qrels = dict[str, dict[str, int]]  # query id -> document id -> relevance grade


@dataclass(frozen=True)
class BeirData:
    documents: list[tuple[str, str, str]]  # (id, title, text), in file order
    queries: dict[str, str]  # only the queries judged in the split
    qrels: Qrels


@dataclass(frozen=True)
class Scores:
    name: str
    ndcg_at_10: float
    recall_at_100: float
    seconds: float


def load_beir(folder: Path, split: str = "test") -> BeirData:
    """Read a BEIR-layout folder; raises FileNotFoundError naming a missing file."""
    folder = Path(folder)
    for part in ("corpus.jsonl", "queries.jsonl", f"qrels/{split}.tsv"):
        if not (folder / part).is_file():
            raise FileNotFoundError(f"{folder / part} not found (expected a BEIR-layout folder)")
    qrels: Qrels = {}
    with (folder / "qrels" / f"{split}.tsv").open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle, delimiter="\t")
        for row in rows:
            if len(row) < 3 or not row[2].strip().lstrip("-").isdigit():
                continue  # the header line, or a blank one
            qrels.setdefault(row[0], {})[row[1]] = int(row[2])
    queries = {}
    for record in _jsonl(folder / "queries.jsonl"):
        if str(record["_id"]) in qrels:
            queries[str(record["_id"])] = record["text"]
    documents = [
        (str(r["_id"]), r.get("title") or "", r.get("text") or "")
        for r in _jsonl(folder / "corpus.jsonl")
    ]
    return BeirData(documents, queries, {q: qrels[q] for q in queries})


def _jsonl(path: Path) -> Iterable[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


# --- metrics ------------------------------------------------------------------------------


def ndcg_at_k(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k of one ranking: gains are the relevance grades, discounts 1 / log2(rank + 1)."""
    dcg = sum(judged.get(doc, 0) / math.log2(rank + 2) for rank, doc in enumerate(ranked[:k]))
    ideal_gains = sorted((g for g in judged.values() if g > 0), reverse=True)[:k]
    ideal = sum(g / math.log2(rank + 2) for rank, g in enumerate(ideal_gains))
    return dcg / ideal if ideal > 0 else 0.0


def recall_at_k(ranked: Sequence[str], judged: Mapping[str, int], k: int = 100) -> float:
    """Share of the relevant documents (grade > 0) found in the first k."""
    relevant = {doc for doc, grade in judged.items() if grade > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def mean_metrics(runs: Mapping[str, Sequence[str]], qrels: Qrels) -> tuple[float, float]:
    """(mean nDCG@10, mean Recall@100) over the judged queries; a query not run scores 0."""
    if not qrels:
        return 0.0, 0.0
    ndcg = [ndcg_at_k(runs.get(q, []), judged, 10) for q, judged in qrels.items()]
    recall = [recall_at_k(runs.get(q, []), judged, 100) for q, judged in qrels.items()]
    return float(np.mean(ndcg)), float(np.mean(recall))


# --- the two systems ----------------------------------------------------------------------


def run_ours(data: BeirData, settings: IndexSettings, depth: int = 100) -> dict[str, list[str]]:
    """The project's analyzer and index, one passage per document."""
    articles = [
        Article(doc_id, title, f"{title} {text}", "") for doc_id, title, text in data.documents
    ]
    passages = [Passage(a.id, 0, 0, len(a.text), a.text) for a in articles]
    index = Index.build(articles, passages, settings)
    return {
        q: [hit.article.id for hit in index.search(text, depth).hits]
        for q, text in data.queries.items()
    }


def run_baseline(data: BeirData, settings: IndexSettings, depth: int = 100) -> dict[str, list[str]]:
    """rank-bm25's BM25Okapi over lowercase whitespace tokens."""
    from rank_bm25 import BM25Okapi

    ids = [doc_id for doc_id, _, _ in data.documents]
    bm25 = BM25Okapi(
        [f"{title} {text}".lower().split() for _, title, text in data.documents],
        k1=settings.k1,
        b=settings.b,
        epsilon=settings.epsilon,
    )
    runs = {}
    for q, text in data.queries.items():
        scores = bm25.get_scores(text.lower().split())
        top = np.argsort(-scores, kind="stable")[:depth]
        runs[q] = [ids[i] for i in top if scores[i] > 0]
    return runs


def evaluate(data: BeirData, settings: IndexSettings, baseline: bool = True) -> list[Scores]:
    systems: list[tuple[str, Callable[[BeirData, IndexSettings], dict[str, list[str]]]]] = [
        ("corpusbot", run_ours)
    ]
    if baseline:
        systems.append(("rank-bm25 (lowercase, split on spaces)", run_baseline))
    results = []
    for name, run in systems:
        started = time.perf_counter()
        runs = run(data, settings)
        seconds = time.perf_counter() - started
        ndcg, recall = mean_metrics(runs, data.qrels)
        results.append(Scores(name, ndcg, recall, seconds))
    return results


def format_table(results: Sequence[Scores], data: BeirData) -> str:
    documents, queries = (
        counted(len(data.documents), "document"),
        counted(len(data.queries), "judged query"),
    )
    lines = [
        f"{documents}, {queries}",
        f"{'system':<42} {'nDCG@10':>8} {'Recall@100':>11} {'seconds':>8}",
    ]
    lines += [
        f"{r.name:<42} {r.ndcg_at_10:>8.4f} {r.recall_at_100:>11.4f} {r.seconds:>8.1f}"
        for r in results
    ]
    return "\n".join(lines)
