"""Fit and check the refusal model of bot/answer/coverage.py on squad-tune, leaving articles out.

    XDG_CACHE_HOME=... python benchmarks/fit_refusal.py [--data ../shared/data/squad-tune]

For each of the 13 articles, a corpus of the other 12 (copied under the cache folder, indexed
once and cached like any corpus): that article's questions are unanswerable there, the others'
answerable. Every question is put to every such corpus as `compose` would up to its refusal
decision (respelling and absent names, search, relevant hits), and the coverage signals of
`bot/answer/coverage.py` are measured where some hit is relevant.

A logistic model over those signals is fitted with numpy (L2-regularised Newton steps, the two
classes weighted equally), and its threshold set on the fitted rows so that at least
`--answered` of the answerable ones are answered (counting those refused before the model).
It is checked by group cross-validation by article: for each article, the model is fitted on the
other articles' questions and judged on that article's questions, answerable (in the 12 corpora
holding it) and unanswerable (in the corpus without it). Printed: the old rule and the model,
per held-out article and pooled; the same for Kenya and Apollo_program left out together (fitted
without their questions); then the weights fitted on everything, as bot/answer/coverage.py holds
them.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from corpusbot.bot.answer import coverage
from corpusbot.bot.answer import question as question_module
from corpusbot.bot.answer.compose import AnswerSettings, asked_about
from corpusbot.bot.answer.question import read_question
from corpusbot.config.settings import load_settings
from corpusbot.retrieval.index.bm25 import Index
from corpusbot.retrieval.index.cache import open_index

DEFAULT_DATA = Path("../shared/data/squad-tune")  # as the docs run it, from the main checkout
FEATURES = coverage.Coverage._fields
PAIR = ("Kenya", "Apollo_program")
RIDGE = 1.0  # L2 penalty on the standardised weights (not on the bias)
NEWTON_STEPS = 30
OLD_FLOOR = 0.4  # the rule before the model: the best relevant passage holds this share


@dataclass
class Rows:
    """One row per (corpus, question): the question's article, the article left out of that
    corpus, whether the old rule answered, whether a hit was relevant, and the signals."""

    doc: np.ndarray  # int, article number of the question
    left_out: np.ndarray  # int, article number left out (-1: none beyond PAIR's corpus)
    old: np.ndarray  # bool, the rule before this model answered
    signals: np.ndarray  # float, NaN where no hit was relevant

    @property
    def answerable(self) -> np.ndarray:
        return self.doc != self.left_out

    @property
    def measured(self) -> np.ndarray:
        """Rows with a hit relevant at min_coverage, so the model decides."""
        return ~np.isnan(self.signals[:, 0])

    def take(self, mask: np.ndarray) -> Rows:
        return Rows(self.doc[mask], self.left_out[mask], self.old[mask], self.signals[mask])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--answered", type=float, default=0.955, help="answered share to keep")
    args = parser.parse_args()
    data = args.data.resolve()
    questions = [json.loads(line) for line in (data / "qa.jsonl").open(encoding="utf-8")]
    articles = sorted(p.stem for p in (data / "corpus").glob("*.txt"))
    number = {name: n for n, name in enumerate(articles)}
    docs = np.array([number[q["doc"]] for q in questions])
    texts = [q["q"] for q in questions]
    work = _cache_home() / "corpusbot-refusal"

    rows = _gather(
        [((number[a],), data, work) for a in articles], texts, docs, work, label="each article"
    )
    pair_rows = _gather(
        [(tuple(number[a] for a in PAIR), data, work)], texts, docs, work, label="pair"
    )
    print(f"{len(questions):,} questions, {len(articles)} articles; signals: {', '.join(FEATURES)}")
    _report_cv(rows, articles, args.answered)
    _report_pair(rows, pair_rows, [number[a] for a in PAIR], args.answered)
    model = fit(rows, args.answered)
    print("\nFitted on every article (for bot/answer/coverage.py):")
    print(_constants(model))
    for name, part in (("every article", rows), (" + ".join(PAIR), pair_rows)):
        answered, refused = _rates(_module_answers(part), part)
        print(
            f"bot/answer/coverage.py as it stands, {name} left out (not held out): "
            f"answered {answered:.3f}, refused {refused:.3f}"
        )
    return 0


def _module_answers(rows: Rows) -> np.ndarray:
    """What bot/answer/coverage.py's constants decide for `rows`."""
    weights = np.array([coverage.WEIGHTS[name] for name in FEATURES])
    odds = np.nan_to_num(rows.signals, nan=0.0) @ weights + coverage.BIAS
    return rows.measured & (odds >= coverage.THRESHOLD)


# --- gathering the signals ----------------------------------------------------------------


def _cache_home() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


def _signature() -> str:
    """A digest of the code that measures the signals (not of the fitted constants)."""
    measuring = (
        coverage.relevant_hits,
        coverage.measure_for,
        question_module.read_question,
        question_module._added_spellings,
        coverage._passage_signals,
        coverage._subject,
        coverage._writes,
        coverage._with_sentences,
        coverage._Asked,
        coverage._held,
        coverage._held_each,
        _row,
    )
    source = "".join(inspect.getsource(f) for f in measuring)
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def _gather(
    corpora: list[tuple[tuple[int, ...], Path, Path]],
    texts: list[str],
    docs: np.ndarray,
    work: Path,
    *,
    label: str,
) -> Rows:
    """The rows of every corpus in `corpora` (the articles it leaves out), cached by code."""
    saved = work / f"rows-{label.replace(' ', '-')}-{_signature()}.npz"
    if saved.exists():
        stored = np.load(saved)
        return Rows(stored["doc"], stored["left_out"], stored["old"], stored["signals"])
    parts = []
    started = time.perf_counter()
    for left, data, home in corpora:
        index, settings = _open(left, data, home)
        signals = np.full((len(texts), len(FEATURES)), np.nan)
        old = np.zeros(len(texts), bool)
        for i, text in enumerate(texts):
            old[i], found = _row(index, text, settings)
            if found is not None:
                signals[i] = found.vector()
        # With two articles left out, either one's questions are the unanswerable ones.
        left_out = np.where(np.isin(docs, left), docs, left[0] if len(left) == 1 else -1)
        parts.append(Rows(docs.copy(), left_out, old, signals))
        print(
            f"  {label}: {len(parts)}/{len(corpora)} corpora,"
            f" {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
    rows = Rows(
        *(
            np.concatenate([getattr(p, f) for p in parts])
            for f in ("doc", "left_out", "old", "signals")
        )
    )
    np.savez(saved, doc=rows.doc, left_out=rows.left_out, old=rows.old, signals=rows.signals)
    return rows


def _open(left: tuple[int, ...], data: Path, home: Path) -> tuple[Index, AnswerSettings]:
    """The index of squad-tune without the articles numbered `left`, and the answer settings."""
    names = sorted(p.stem for p in (data / "corpus").glob("*.txt"))
    folder = home / ("without-" + "-".join(names[n] for n in left))
    if not folder.exists():
        folder.mkdir(parents=True)
        for n, name in enumerate(names):
            if n not in left:
                shutil.copy(data / "corpus" / f"{name}.txt", folder / f"{name}.txt")
    settings = load_settings(corpus=folder)
    opened = open_index(settings.corpus, settings.split, settings.index, settings.max_file_bytes)
    return opened.index, settings.answer


def _row(index: Index, raw: str, settings: AnswerSettings) -> tuple[bool, coverage.Coverage | None]:
    """Whether the old rule answers `raw`, and the signals of its relevant hits (None if none),
    following compose up to its refusal decision."""
    question = read_question(raw, index, limit=settings.max_question_chars)
    form, rewritten = question.form, question.rewritten
    if not question.text or (
        rewritten.absent and (not rewritten.present or asked_about(form, rewritten.absent))
    ):
        return False, None
    result = index.search(question.query, settings.max_hits * 2)
    weights = result.question_terms
    if not weights:
        return False, None
    relevant = coverage.relevant_hits(
        result.hits, weights, settings.min_coverage, names=rewritten.names
    )
    if not relevant:
        return False, None
    total = sum(weights.values())
    old = any(sum(weights[t] for t in h.matched) / total >= OLD_FLOOR for h in relevant)
    return old, coverage.measure_for(index, result, question, relevant)


# --- the model ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Model:
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray  # on standardised signals; last: the bias
    threshold: float

    def likelihood(self, signals: np.ndarray) -> np.ndarray:
        z = (signals - self.mean) / self.scale
        return 1 / (1 + np.exp(-(z @ self.weights[:-1] + self.weights[-1])))

    def answers(self, rows: Rows) -> np.ndarray:
        chance = np.zeros(len(rows.doc))
        has = rows.measured
        chance[has] = self.likelihood(rows.signals[has])
        return has & (chance >= self.threshold)


def fit(rows: Rows, answered: float) -> Model:
    """A logistic model of answerable against not, over the rows the old rule answers; its
    threshold keeps `answered` of all answerable rows answered."""
    usable = rows.take(rows.measured)
    x, y = usable.signals, usable.answerable.astype(float)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    # Each class weighs the same in total: the answerable rows are twelve times more.
    sample = np.where(y == 1, 0.5 / y.sum(), 0.5 / (1 - y).sum())
    w = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], RIDGE / len(x))
    penalty[-1] = 0.0
    for _ in range(NEWTON_STEPS):
        p = 1 / (1 + np.exp(-(z @ w)))
        gradient = z.T @ (sample * (p - y)) + penalty * w
        hessian = (z * (sample * p * (1 - p))[:, None]).T @ z + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    model = Model(mean, scale, w, 0.0)
    chance = model.likelihood(usable.signals[y == 1])
    # Keep `answered` of ALL answerable rows, the ones the old rule refused included.
    allowed = len(chance) - answered * rows.answerable.sum()
    threshold = float(np.sort(chance)[int(max(allowed, 0))]) if allowed >= 1 else 0.0
    return Model(mean, scale, w, threshold)


# --- reporting -------------------------------------------------------------------------------


def _rates(answers: np.ndarray, rows: Rows) -> tuple[float, float]:
    ok = rows.answerable
    return float(answers[ok].mean()), float((~answers[~ok]).mean())


def _report_cv(rows: Rows, articles: list[str], answered: float) -> None:
    print("\nHeld out by article (model fitted on the other 12 articles' questions):")
    print(
        f"{'article':28} {'questions':>9} {'old answered':>12} {'old refused':>11}"
        f" {'answered':>9} {'refused':>8}"
    )
    predicted = np.zeros(len(rows.doc), bool)
    for g, name in enumerate(articles):
        test = rows.doc == g
        model = fit(rows.take(~test), answered)
        predicted[test] = model.answers(rows.take(test))
        held = rows.take(test)
        old = _rates(held.old, held)
        new = _rates(predicted[test], held)
        count = int((~held.answerable).sum())
        print(f"{name:28} {count:>9} {old[0]:>12.3f} {old[1]:>11.3f} {new[0]:>9.3f} {new[1]:>8.3f}")
    old, new = _rates(rows.old, rows), _rates(predicted, rows)
    print(
        f"{'pooled':28} {int((~rows.answerable).sum()):>9} {old[0]:>12.3f} {old[1]:>11.3f}"
        f" {new[0]:>9.3f} {new[1]:>8.3f}"
    )


def _report_pair(rows: Rows, pair_rows: Rows, pair: list[int], answered: float) -> None:
    model = fit(rows.take(~np.isin(rows.doc, pair)), answered)
    old, new = _rates(pair_rows.old, pair_rows), _rates(model.answers(pair_rows), pair_rows)
    print(f"\n{' + '.join(PAIR)} left out together (model fitted without their questions):")
    print(f"  old rule: answered {old[0]:.3f}, refused {old[1]:.3f}")
    print(f"  model:    answered {new[0]:.3f}, refused {new[1]:.3f}")


def _constants(model: Model) -> str:
    # Undo the standardisation: weights on the raw signals, so the module needs no means.
    raw = model.weights[:-1] / model.scale
    bias = model.weights[-1] - float(raw @ model.mean)
    odds = (
        float(np.log(model.threshold / (1 - model.threshold))) if 0 < model.threshold < 1 else 0.0
    )
    lines = ["WEIGHTS = {"]
    lines += [f'    "{name}": {value:.4f},' for name, value in zip(FEATURES, raw, strict=True)]
    lines += ["}", f"BIAS = {bias:.4f}", f"THRESHOLD = {odds:.4f}  # on the log-odds"]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
