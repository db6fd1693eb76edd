"""Answer-level quality: does the first quote hold an accepted answer, and how early?

Questions come as JSON lines: `q` (the question), `a` (accepted answer strings) and optionally
`doc` (the id of the article that answers it), `form` (the kind of question: `say`, `who`,
`what-happened`, `when`, `where`, `why`, `how-many`, `short`, `follow-up`; scores are broken
down by it) and `after` (the question asked just before, which a follow-up is read with). An
answer counts when one accepted string occurs in the quote, case-insensitively. Unanswerable
questions (one a line, or JSON lines with `q`) should be refused: no quote at all.

The system under test is any function from a question to a `Reply`, so this module knows nothing
of the bot; `corpusbot eval --qa` passes the bot's own. The baseline, run on the same data, is
rank-bm25's BM25Okapi over whole paragraphs (blank-line separated blocks of each article) with
the project's analyzer, its top paragraph taken as the "quote".
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from corpusbot.retrieval.analysis import Analyzer, AnalyzerSettings
from corpusbot.retrieval.plurals import counted
from corpusbot.retrieval.reading import Article

# What a phone shows of a quote before its expandable blockquote collapses.
VISIBLE_CHARS = 250


class QaDataError(ValueError):
    """A questions file that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class QaCase:
    question: str
    answers: tuple[str, ...]
    doc: str | None = None
    form: str | None = None
    after: str | None = None  # asked just before: `question` follows it up


@dataclass(frozen=True)
class QuoteOut:
    """One quote of a reply: its text and the ids of the articles it is attributed to."""

    text: str
    articles: tuple[str, ...]
    lead: int = 0  # characters always shown, however long (the bot's opening sentence)


@dataclass(frozen=True)
class Reply:
    answered: bool
    quotes: tuple[QuoteOut, ...] = ()


AnswerFunction = Callable[[str], Reply]
# A follow-up asked after an earlier question: (earlier, question) -> the reply to `question`.
FollowUpFunction = Callable[[str, str], Reply]


@dataclass(frozen=True)
class FormScore:
    form: str
    questions: int
    first: float
    answered: float


@dataclass(frozen=True)
class Miss:
    """A question whose first quote holds no accepted answer, for `--misses`."""

    case: QaCase
    answered: bool
    first_quote: str | None


@dataclass(frozen=True)
class QaScores:
    name: str
    questions: int
    first: float  # share whose first quote holds an accepted answer
    first_visible: float  # ... within its first VISIBLE_CHARS characters
    first_seen: float  # ... within what is shown unexpanded: VISIBLE_CHARS, or the whole lead
    anywhere: float  # ... in any quote
    right_article: float  # share whose first quote comes from `doc` (of those with a doc)
    answered: float
    refused: float | None  # share of the unanswerable questions refused; None if none asked
    median_chars: float  # median length of the first quote, over answered questions
    per_second: float
    by_form: tuple[FormScore, ...] = ()  # per `form`, for the questions that name one
    misses: tuple[Miss, ...] = ()


# --- reading questions ----------------------------------------------------------------------


def load_cases(path: Path) -> list[QaCase]:
    """Questions with accepted answers from a JSON-lines file."""
    cases = []
    for number, line in _lines(path):
        try:
            record = json.loads(line)
            answers = record["a"]
            if isinstance(answers, str):
                answers = [answers]
            cases.append(
                QaCase(
                    str(record["q"]),
                    tuple(str(a) for a in answers if str(a)),
                    record.get("doc"),
                    _optional_text(record, "form"),
                    _optional_text(record, "after"),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise QaDataError(
                f'{path}:{number}: expected a JSON object with "q" and "a" '
                f"({type(exc).__name__}: {exc})"
            ) from None
    return cases


def _optional_text(record: dict[str, object], key: str) -> str | None:
    value = record.get(key)
    if value is not None and not isinstance(value, str):
        raise TypeError(f'"{key}" must be text')
    return value or None


def load_questions(path: Path) -> list[str]:
    """Questions without answers: plain lines, or JSON lines with `q`."""
    questions = []
    for number, line in _lines(path):
        if line.startswith("{"):
            try:
                questions.append(str(json.loads(line)["q"]))
            except (ValueError, KeyError, TypeError):
                raise QaDataError(f'{path}:{number}: a JSON line without "q"') from None
        else:
            questions.append(line)
    return questions


def _lines(path: Path) -> Iterable[tuple[int, str]]:
    if not path.is_file():
        raise FileNotFoundError(f"questions file not found: {path}")
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield number, line.strip()


# --- scoring --------------------------------------------------------------------------------


def position(answers: Sequence[str], text: str) -> int:
    """Where the earliest accepted answer starts in `text` (case-insensitive), or -1."""
    folded = text.casefold()
    found = [folded.find(a.casefold()) for a in answers]
    hits = [f for f in found if f >= 0]
    return min(hits) if hits else -1


def evaluate_qa(
    name: str,
    answer: AnswerFunction,
    cases: Sequence[QaCase],
    unanswerable: Sequence[str] = (),
    *,
    follow: FollowUpFunction | None = None,
) -> QaScores:
    """Ask every question once and score the replies. A case with `after` is asked through
    `follow` (earlier, question); without it, as the two questions run together."""
    first = visible = seen = anywhere = right = with_doc = answered = 0
    lengths: list[int] = []
    misses: list[Miss] = []
    forms: dict[str, list[tuple[bool, bool]]] = {}
    started = time.perf_counter()
    for case in cases:
        reply = _ask(case, answer, follow)
        answered += reply.answered
        top = reply.quotes[0] if reply.quotes else None
        at = position(case.answers, top.text) if top is not None else -1
        if top is not None:
            lengths.append(len(top.text))
            end = at + _shortest(case.answers, top.text, at) if at >= 0 else -1
            visible += 0 <= end <= VISIBLE_CHARS
            seen += 0 <= end <= max(VISIBLE_CHARS, top.lead)
        first += at >= 0
        if at < 0:
            misses.append(Miss(case, reply.answered, top.text if top is not None else None))
        if case.form:
            forms.setdefault(case.form, []).append((at >= 0, reply.answered))
        anywhere += any(position(case.answers, q.text) >= 0 for q in reply.quotes)
        if case.doc is not None:
            with_doc += 1
            right += top is not None and case.doc in top.articles
    refused = sum(not answer(q).answered for q in unanswerable)
    seconds = time.perf_counter() - started
    asked = len(cases) + len(unanswerable)
    n = max(len(cases), 1)
    return QaScores(
        name=name,
        questions=len(cases),
        first=first / n,
        first_visible=visible / n,
        first_seen=seen / n,
        anywhere=anywhere / n,
        right_article=right / max(with_doc, 1),
        answered=answered / n,
        refused=refused / len(unanswerable) if unanswerable else None,
        median_chars=statistics.median(lengths) if lengths else 0.0,
        per_second=asked / seconds if seconds > 0 else float("inf"),
        by_form=tuple(_form_score(form, rows) for form, rows in sorted(forms.items())),
        misses=tuple(misses),
    )


def _ask(case: QaCase, answer: AnswerFunction, follow: FollowUpFunction | None) -> Reply:
    if case.after is None:
        return answer(case.question)
    if follow is not None:
        return follow(case.after, case.question)
    return answer(f"{case.after} {case.question}")


def _form_score(form: str, rows: Sequence[tuple[bool, bool]]) -> FormScore:
    n = len(rows)
    return FormScore(form, n, sum(f for f, _ in rows) / n, sum(a for _, a in rows) / n)


def misses_json(scores: QaScores) -> Iterable[str]:
    """One JSON line per missed question: the question, its answers, its form and first quote."""
    for miss in scores.misses:
        case = miss.case
        row: dict[str, object] = {"q": case.question, "a": list(case.answers)}
        row |= {"form": case.form, "after": case.after}
        row |= {"answered": miss.answered, "first_quote": miss.first_quote}
        yield json.dumps(row, ensure_ascii=False)


def format_forms(results: Sequence[QaScores]) -> str:
    """Per question form: how many, and each system's first-quote and answered shares."""
    if not results or not results[0].by_form:
        return ""
    head = f"{'form':<14} {'questions':>9}" + "".join(
        f" {r.name[:16] + ' first':>22} {'answered':>8}" for r in results
    )
    lines = [head]
    for number, ours in enumerate(results[0].by_form):
        cells = "".join(
            f" {r.by_form[number].first:>22.3f} {r.by_form[number].answered:>8.3f}" for r in results
        )
        lines.append(f"{ours.form:<14} {ours.questions:>9}{cells}")
    return "\n".join(lines)


def _shortest(answers: Sequence[str], text: str, at: int) -> int:
    """Length of the shortest accepted answer found at `at`: it must be seen whole."""
    folded = text.casefold()
    return min(len(a) for a in answers if folded.startswith(a.casefold(), at))


# --- the baseline ---------------------------------------------------------------------------


def paragraph_baseline(articles: Sequence[Article], language: AnalyzerSettings) -> AnswerFunction:
    """rank-bm25 over the articles' paragraphs; the top paragraph is the one quote."""
    from rank_bm25 import BM25Okapi

    analyzer = Analyzer(language)
    paragraphs = [
        (article.id, block.strip())
        for article in articles
        for block in article.text.split("\n\n")
        if block.strip()
    ]
    if not paragraphs:
        return lambda _question: Reply(False)
    bm25 = BM25Okapi([analyzer.terms(text) or ["\0"] for _, text in paragraphs])

    def answer(question: str) -> Reply:
        terms = analyzer.terms(question)
        if not terms:
            return Reply(False)
        scores = bm25.get_scores(terms)
        best = int(np.argmax(scores))
        if scores[best] <= 0:
            return Reply(False)
        article_id, text = paragraphs[best]
        return Reply(True, (QuoteOut(text, (article_id,)),))

    return answer


def format_table(results: Sequence[QaScores], unanswerable: int) -> str:
    """One row a system; the refused column only when unanswerable questions were asked."""
    refused = f" {'refused':>8}" if unanswerable else ""
    lines = [
        f"{counted(results[0].questions, 'question')} with answers"
        + (f", {unanswerable:,} without" if unanswerable else ""),
        f"{'system':<34} {'first':>6} {'≤250':>6} {'seen':>6} {'any':>6} {'article':>7} "
        f"{'answered':>8}{refused} {'median':>6} {'q/s':>7}",
    ]
    for r in results:
        refusal = f" {r.refused:>8.3f}" if unanswerable and r.refused is not None else ""
        lines.append(
            f"{r.name:<34} {r.first:>6.3f} {r.first_visible:>6.3f} {r.first_seen:>6.3f} "
            f"{r.anywhere:>6.3f} "
            f"{r.right_article:>7.3f} {r.answered:>8.3f}{refusal} "
            f"{r.median_chars:>6.0f} {r.per_second:>7.1f}"
        )
    lines.append(
        "first: the first quote holds an accepted answer; ≤250: whole within its first "
        f"{VISIBLE_CHARS} characters; seen: whole within what shows unexpanded (the first "
        f"{VISIBLE_CHARS} characters or the whole opening sentence); any: in any quote; "
        "article: the first quote is "
        "from the question's article; median: first-quote characters"
    )
    return "\n".join(lines)
