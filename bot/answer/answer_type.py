"""What kind of answer a question asks for, and whether a sentence offers one.

From the question word alone: "who" wants a name, "when" a date, "how many" a number, "where" a
place. A sentence offers such an answer when it holds a token of that kind that is not one of the
question's own words, so a sentence that only repeats the question earns nothing.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from enum import StrEnum

from corpusbot.retrieval.analysis import Analyzer
from corpusbot.retrieval.reading import WEEKDAY


class AnswerType(StrEnum):
    NAME = "name"
    DATE = "date"
    NUMBER = "number"
    PLACE = "place"
    ANY = "any"


_DATE_QUESTION = re.compile(
    r"\bwhen\b|\b(?:what|which|in what) (?:year|date|decade|century|month|day|time)\b"
)
_NUMBER_QUESTION = re.compile(
    r"\bhow (?:many|much|long|old|far|large|big|tall|high|often)\b"
    r"|\bwhat (?:percentage|percent|number|amount)\b"
)
_PLACE_QUESTION = re.compile(
    r"\bwhere\b|\b(?:what|which) (?:city|country|state|place|location|region|town)\b"
)
_NAME_QUESTION = re.compile(r"\bwho(?:m|se)?\b")
# A word every question pattern here (the kinds' and the units') needs: most statements ("Vitamin
# D lowers the risk of ...") hold none, and are read once instead of by seven patterns.
_ASKING = re.compile(r"\b(?:wh(?:en|at|ich|ere|om?|ose)|how|percent(?:age)?|proportion)\b")

_YEAR = re.compile(r"\b(?:1[0-9]{3}|20[0-9]{2})s?\b")
# Months, and the weekdays news dates its events by ("met on Tuesday").
_MONTH = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
    rf"December|century|centuries|{WEEKDAY})\b"
)
_NUMBER = re.compile(
    r"\b\d[\d,.]*\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"twenty|thirty|forty|fifty|hundred|thousand|million|billion|dozen|half)\b",
    re.IGNORECASE,
)
# A capitalised word not at the start of a sentence: the start of most names.
_CAPITALISED = re.compile(r"(?<!^)(?<![.!?] )\b[A-Z][\w'’-]+")
# "to" is left out: "to the Vince Lombardi Trophy" names no place.
_PLACE = re.compile(
    r"\b(?:[Ii]n|[Aa]t|[Ff]rom|[Nn]ear)\s+(?:the\s+)?"
    r"(?:(?:north|south|east|west|central)(?:ern)?\s+)?([A-Z][\w'’-]+)"
)
PLACES_FULL = 3
# The tokens that answer each kind but a place (whose token follows a preposition).
_TOKENS = {
    AnswerType.DATE: (_YEAR, _MONTH),
    AnswerType.NUMBER: (_NUMBER,),
    AnswerType.NAME: (_CAPITALISED,),
}

# A quantity asked for with its unit: the question's wording, and what a sentence must hold to
# give it (a sum of money, a share, a length of time), a finer cue than "a number".
_MONEY_QUESTION = re.compile(
    r"\bhow much\b.*\b(?:money|cost|costs|pay|paid|earn|salary|revenue|price|spend|spent|worth|"
    r"raise|raised|sell|sold|fund|budget|charge|income|profit)"
    r"|\bwhat (?:was |is )?(?:the )?(?:price|cost|salary|revenue|budget|income|profit)\b"
    r"|\bhow much did\b"
)
_MONEY = re.compile(
    r"[$£€¥]\s?\d|\b\d[\d,.]*\s*(?:dollars|pounds|euros|million|billion)\b", re.IGNORECASE
)
_SHARE_QUESTION = re.compile(
    r"\bpercent(?:age)?\b|\bproportion\b|\bhow much of\b|\bwhat (?:share|fraction|portion)\b"
)
_SHARE = re.compile(
    r"%|\bper ?cent\b|\bhalf\b|\bthird\b|\bquarter\b|-fourths?\b|\bfifths?\b", re.IGNORECASE
)
_DURATION_QUESTION = re.compile(r"\bhow long\b")
_DURATION = re.compile(
    r"\b(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
    r"thirty|several|a few)[\s-]+(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?|"
    r"decades?|centuries|century)\b",
    re.IGNORECASE,
)
_UNITS = (
    (_MONEY_QUESTION, _MONEY),
    (_SHARE_QUESTION, _SHARE),
    (_DURATION_QUESTION, _DURATION),
)


def expected_type(question: str) -> AnswerType:
    """The kind of answer `question` asks for, from its question word."""
    text = question.casefold()
    if not _ASKING.search(text):
        return AnswerType.ANY
    for kind, pattern in (
        (AnswerType.DATE, _DATE_QUESTION),
        (AnswerType.NUMBER, _NUMBER_QUESTION),
        (AnswerType.PLACE, _PLACE_QUESTION),
        (AnswerType.NAME, _NAME_QUESTION),
    ):
        if pattern.search(text):
            return kind
    return AnswerType.ANY


def units_asked(question: str) -> tuple[re.Pattern[str], ...]:
    """The units of the quantity `question` asks for ("how much did it cost": a sum of money,
    "what percentage": a share, "how long": a length of time), as patterns a sentence that
    gives one matches; none for other questions."""
    text = question.casefold()
    if not _ASKING.search(text):
        return ()
    return tuple(unit for asked, unit in _UNITS if asked.search(text))


def offers_unit(units: Collection[re.Pattern[str]], sentence: str) -> float:
    """1.0 if `sentence` holds a quantity in one of `units` (`units_asked`), else 0.0."""
    return float(any(unit.search(sentence) for unit in units))


def offers(
    kind: AnswerType, sentence: str, question_terms: Collection[str], analyzer: Analyzer
) -> float:
    """How much `sentence` offers an answer of `kind`: 1.0 if it holds a token of that kind
    that is not one of the question's terms, else 0.0; for a place, the share of PLACES_FULL
    distinct such places ("played at Levi's Stadium in the Bay Area at Santa Clara": 1.0),
    since a passing "in the Bay Area" is a weaker answer to "where" than a sentence of places."""
    if kind is AnswerType.ANY:
        return 0.0

    def new(word: str) -> bool:
        term = analyzer.term(word.casefold())
        return bool(term) and term not in question_terms

    if kind is AnswerType.PLACE:
        places = {m.group(1) for m in _PLACE.finditer(sentence)}
        return min(sum(map(new, places)) / PLACES_FULL, 1.0)
    return float(any(new(m.group()) for p in _TOKENS[kind] for m in p.finditer(sentence)))
