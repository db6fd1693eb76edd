"""Answer quality on our own question set over the seeds (tests/data/seed_questions.json)."""

import json

from corpusbot.bot.service import Service

from .conftest import DATA

QUESTIONS = json.loads((DATA / "seed_questions.json").read_text(encoding="utf-8"))


def test_the_question_set_is_big_enough():
    assert len(QUESTIONS["answerable"]) >= 25 and len(QUESTIONS["unanswerable"]) >= 5


def test_answer_rates_on_the_seeds(seeds_service: Service):
    first = anywhere = 0
    for case in QUESTIONS["answerable"]:
        answer = seeds_service.ask(case["question"])
        shown = answer.quotes[: seeds_service.settings.answer.max_quotes]
        top = shown[0] if shown else None
        first += bool(top and case["answer"] in top.text
                      and case["article"] in {s.id for s in top.sources})
        anywhere += any(case["answer"] in quote.text for quote in shown)
    refused = sum(not seeds_service.ask(q).answered for q in QUESTIONS["unanswerable"])
    total = len(QUESTIONS["answerable"])
    # Measured: 30/30 first, 30/30 anywhere, 7/7 refused. Allow one slip on the first rank.
    assert first >= total - 1, f"right quote first for {first}/{total}"
    assert anywhere == total, f"answer shown for {anywhere}/{total}"
    assert refused == len(QUESTIONS["unanswerable"])
