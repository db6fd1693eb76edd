"""Fit the sentence-score weights of bot/answer/sentence_score.py on questions with answers.

    python benchmarks/fit_sentence_weights.py ../shared/data/squad-tune/qa.jsonl \\
        --corpus ../shared/data/squad-tune/corpus

For every question, the sentences `compose` would score (bot/answer/compose.py
`sentence_candidates`) are described by `sentence_features`; a sentence is "right" when it holds an
accepted answer. The weights maximise, per question, the softmax probability of its right sentences
(a listwise ranking loss with a small L2 penalty), fitted by gradient descent (Adam) with NumPy on
the questions of even-numbered paragraphs (`para` in the file; all questions when there is none) and
checked on the odd-numbered ones, so a paragraph's questions never sit on both sides. Prints the
weights, ready to paste into `WEIGHTS`, and how often the best sentence, or one of the best three,
holds the answer with the current and the fitted weights.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from corpusbot.bot.answer.compose import sentence_candidates
from corpusbot.bot.answer.sentence_score import FEATURES, WEIGHTS, sentence_features
from corpusbot.bot.app.service import Service
from corpusbot.config.settings import load_settings

STEPS = 600  # Adam steps; the loss is flat well before
PENALTY = 1e-3  # L2, per question


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("qa", type=Path, help="JSON lines with q, a and optionally para")
    parser.add_argument("--corpus", type=Path, required=True)
    args = parser.parse_args()
    features, right, groups, tuned = collect(args.qa, args.corpus)
    current = np.array([WEIGHTS[name] for name in FEATURES])
    fitted = fit(features[tuned[groups]], right[tuned[groups]], renumber(groups[tuned[groups]]))
    print("weights = {")
    for name, weight in zip(FEATURES, fitted, strict=True):
        print(f'    "{name}": {weight:.2f},')
    print("}")
    print(f"{'weights':<10} {'tune top1':>10} {'top3':>6} {'held-out top1':>14} {'top3':>6}")
    for label, weights in (("current", current), ("fitted", fitted)):
        scores = features @ weights
        figures = [
            top_k(scores, right, groups, part, k) for part in (tuned, ~tuned) for k in (1, 3)
        ]
        print(
            f"{label:<10} {figures[0]:>10.3f} {figures[1]:>6.3f} {figures[2]:>14.3f} "
            f"{figures[3]:>6.3f}"
        )


def collect(qa: Path, corpus: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Feature rows, whether each sentence holds an answer, its question's number, and per
    question whether it is on the tuning side."""
    settings = load_settings(None, corpus=corpus)
    index = Service.open(settings).index
    rows: list[list[float]] = []
    right: list[bool] = []
    groups: list[int] = []
    tuned: list[bool] = []
    for line in qa.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        answers = [str(a).casefold() for a in record["a"]]
        tuned.append(int(record.get("para", 0)) % 2 == 0)
        found = sentence_candidates(index, record["q"], settings.answer)
        if found is None:
            continue
        question, hits, relevant = found
        features = sentence_features(
            question,
            hits,
            index.analyzer,
            relevant=relevant,
            shares=index.sentence_shares(hits, question.weights, question.terms),
        )
        block = features.block
        for row, vector in enumerate(features.values.tolist()):
            start, end = int(block.start[row]), int(block.end[row])
            text = hits[int(block.hit[row])].passage.text[start:end].casefold()
            rows.append(vector)
            right.append(any(answer in text for answer in answers))
            groups.append(len(tuned) - 1)
    return np.array(rows), np.array(right), np.array(groups), np.array(tuned)


def renumber(groups: np.ndarray) -> np.ndarray:
    return np.unique(groups, return_inverse=True)[1]


def fit(features: np.ndarray, right: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Weights maximising each question's softmax probability of its right sentences."""
    scale = features.std(axis=0) + 1e-9
    scaled = features / scale
    weights = np.zeros(features.shape[1])
    moment, second = np.zeros_like(weights), np.zeros_like(weights)
    answerable = np.bincount(groups, weights=right) > 0
    for step in range(1, STEPS + 1):
        gradient = _gradient(scaled, right, groups, weights, answerable)
        gradient += 2 * PENALTY * answerable.sum() * weights
        moment = 0.9 * moment + 0.1 * gradient
        second = 0.999 * second + 0.001 * gradient**2
        corrected = moment / (1 - 0.9**step), second / (1 - 0.999**step)
        weights -= 0.05 * corrected[0] / (np.sqrt(corrected[1]) + 1e-8)
    return weights / scale


def _gradient(
    scaled: np.ndarray,
    right: np.ndarray,
    groups: np.ndarray,
    weights: np.ndarray,
    answerable: np.ndarray,
) -> np.ndarray:
    scores = scaled @ weights
    highest = np.full(groups.max() + 1, -np.inf)
    np.maximum.at(highest, groups, scores)
    exp = np.exp(scores - highest[groups])
    all_mass = np.bincount(groups, weights=exp)
    right_mass = np.bincount(groups, weights=exp * right)
    probability = exp / all_mass[groups]
    within_right = np.where(right, exp / np.maximum(right_mass[groups], 1e-300), 0.0)
    # Questions with no right sentence among the candidates teach nothing.
    counted = answerable[groups]
    return ((probability - within_right) * counted) @ scaled


def top_k(
    scores: np.ndarray, right: np.ndarray, groups: np.ndarray, part: np.ndarray, k: int
) -> float:
    """Share of the questions in `part` (all of them, refused ones too) whose best `k`
    sentences hold an answer."""
    order = np.lexsort((-scores, groups))
    ranked_groups = groups[order]
    starts = np.flatnonzero(np.r_[True, ranked_groups[1:] != ranked_groups[:-1]])
    found = sum(
        bool(right[order[start : start + k]][ranked_groups[start : start + k] == group].any())
        for start, group in zip(starts, ranked_groups[starts], strict=True)
        if part[group]
    )
    return found / max(int(part.sum()), 1)


if __name__ == "__main__":
    main()
