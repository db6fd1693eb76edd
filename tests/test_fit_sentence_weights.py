"""benchmarks/fit_sentence_weights.py: the fit finds the feature that marks the right sentence,
and the script runs end to end on the seeds' questions."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy as np

from corpusbot.bot.answer.sentence_score import FEATURES

from .conftest import SEEDS

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "fit_sentence_weights.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fit_sentence_weights", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_fit_weighs_the_feature_that_marks_the_right_sentence() -> None:
    fit = load_script()
    rng = np.random.default_rng(7)
    questions, per_question = 200, 6
    groups = np.repeat(np.arange(questions), per_question)
    features = rng.normal(size=(questions * per_question, 2))
    right = np.zeros(len(groups), dtype=bool)
    right[np.arange(questions) * per_question + rng.integers(0, per_question, questions)] = True
    features[right, 0] += 3.0  # feature 0 marks the right sentence, feature 1 is noise
    weights = fit.fit(features, right, groups)
    assert weights[0] > 5 * abs(weights[1])
    everyone = np.ones(questions, dtype=bool)
    assert fit.top_k(features @ weights, right, groups, everyone, 1) > 0.9
    assert fit.top_k(-(features @ weights), right, groups, everyone, 1) < 0.1


def test_the_script_fits_on_the_seeds_questions(tmp_path: Path) -> None:
    seeds = json.loads((ROOT / "tests" / "data" / "seed_questions.json").read_text())
    qa = tmp_path / "qa.jsonl"
    qa.write_text(
        "".join(
            json.dumps({"q": q["question"], "a": [q["answer"]], "para": n})
            for n, q in enumerate(seeds["answerable"])
        ).replace("}{", "}\n{")
    )
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(qa), "--corpus", str(SEEDS)],
        capture_output=True,
        text=True,
        timeout=300,
        env={"XDG_CACHE_HOME": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    printed = {line.split('"')[1] for line in done.stdout.splitlines() if line.startswith('    "')}
    assert printed == set(FEATURES)
    fitted = next(line for line in done.stdout.splitlines() if line.startswith("fitted"))
    assert all(0.0 <= float(x) <= 1.0 for x in fitted.split()[1:])
