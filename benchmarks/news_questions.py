"""Answer quality on the news questions of tests/data/news_questions, tuned and held-out apart.

    XDG_CACHE_HOME=... python benchmarks/news_questions.py --pages /tmp/newspages [--held-out]
        [--misses FILE]

Each question file is asked over its corpus (the seeds, tests/data/news, the extracted news pages
of benchmarks/extract_news_pages.py, squad-tune) with the bot's own answer (follow-ups read as a
chat reads them), and scored as `corpusbot eval --qa` scores: first quote, answered, refused.
By default the tuning two thirds are asked; `--held-out` asks the held-out third instead. The
last table pools every corpus by question form, and gives the issue's targets.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from corpusbot.bot.app.qa_answers import answer_functions
from corpusbot.bot.app.service import Service
from corpusbot.config.settings import load_settings
from corpusbot.retrieval.evaluation.qa import QaCase, evaluate_qa, misses_json

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "tests" / "data" / "news_questions"


@dataclass
class Tally:
    questions: int = 0
    first: int = 0
    answered: int = 0

    def add(self, questions: int, first: float, answered: float) -> None:
        self.questions += questions
        self.first += round(first * questions)
        self.answered += round(answered * questions)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, required=True, help="extracted news pages folder")
    parser.add_argument("--squad", type=Path, default=ROOT.parent / "shared/data/squad-tune")
    parser.add_argument("--held-out", action="store_true", help="ask the held-out third")
    parser.add_argument("--misses", type=Path, help="write the missed questions here")
    args = parser.parse_args(argv)
    corpora = {
        "seeds": ROOT / "seeds",
        "local_news": ROOT / "tests" / "data" / "news",
        "news_pages": args.pages,
        "squad_tune": args.squad / "corpus",
    }
    forms: dict[str, Tally] = {}
    refused = asked_unanswerable = 0
    misses: list[str] = []
    for name, folder in corpora.items():
        cases = _cases(QUESTIONS / f"{name}.jsonl", args.held_out)
        unanswerable = _questions(QUESTIONS / f"{name}_unanswerable.jsonl", args.held_out)
        service = Service.open(load_settings(corpus=folder))
        ask, ask_after = answer_functions(service)
        scores = evaluate_qa(name, ask, cases, unanswerable, follow=ask_after)
        print(
            f"{name:<12} {scores.questions:>4} questions  first {scores.first:.3f}  "
            f"answered {scores.answered:.3f}"
            + (
                f"  refused {scores.refused:.3f} of {len(unanswerable)}"
                if scores.refused is not None
                else ""
            )
        )
        for form in scores.by_form:
            forms.setdefault(form.form, Tally()).add(form.questions, form.first, form.answered)
        if scores.refused is not None:
            refused += round(scores.refused * len(unanswerable))
            asked_unanswerable += len(unanswerable)
        misses += [f"{name}\t{line}" for line in misses_json(scores)]
    _report(forms, refused, asked_unanswerable)
    if args.misses:
        args.misses.write_text("".join(f"{m}\n" for m in misses), encoding="utf-8")
    return 0


def _report(forms: dict[str, Tally], refused: int, unanswerable: int) -> None:
    total = Tally()
    print(f"\n{'form':<14} {'questions':>9} {'first':>6} {'answered':>8}")
    for form, tally in sorted(forms.items()):
        total.add(tally.questions, tally.first / tally.questions, tally.answered / tally.questions)
        print(
            f"{form:<14} {tally.questions:>9} {tally.first / tally.questions:>6.3f} "
            f"{tally.answered / tally.questions:>8.3f}"
        )
    print(
        f"{'all':<14} {total.questions:>9} {total.first / total.questions:>6.3f} "
        f"{total.answered / total.questions:>8.3f}"
    )
    if unanswerable:
        print(f"unanswerable refused: {refused}/{unanswerable} = {refused / unanswerable:.3f}")
    print(
        "targets (held out): say first >= 0.90, all first >= 0.85, answered >= 0.97, "
        "refused >= 0.95"
    )


def _rows(path: Path, held_out: bool) -> list[dict[str, object]]:
    if not path.is_file():
        return []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [row for row in rows if bool(row.get("held_out")) == held_out]


def _cases(path: Path, held_out: bool) -> list[QaCase]:
    return [
        QaCase(
            str(row["q"]),
            tuple(str(a) for a in row["a"]),  # type: ignore[attr-defined]
            row.get("doc"),  # type: ignore[arg-type]
            row.get("form"),  # type: ignore[arg-type]
            row.get("after"),  # type: ignore[arg-type]
        )
        for row in _rows(path, held_out)
    ]


def _questions(path: Path, held_out: bool) -> list[str]:
    return [str(row["q"]) for row in _rows(path, held_out)]


if __name__ == "__main__":
    sys.exit(main())
