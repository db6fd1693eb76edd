"""Cutting text into sentences, with their character offsets."""

from __future__ import annotations

import re
from collections.abc import Iterator

# A sentence ends at . ! ? … (and closing quotes) followed by space, or at a line break:
# the gaps SENTENCE_END finds. `_gaps` finds the same ones about twice as fast (tests/
# test_sentences.py compares them): a scan for the few marks and line breaks, then a match there,
# instead of the lookbehind tried at every character.
SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+|\n+")
_MARK_OR_BREAK = re.compile(r"[.!?…\n]")
_AFTER_MARK = re.compile(r"[\"”’)\]]*\s+")
_LINE_BREAKS = re.compile(r"\n+")
ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Gen|Lt|Col|Sgt|Prof|Sen|Rep|Gov|Jr|Sr|"
    r"Inc|Ltd|Co|Coop|vs|No|Vol|Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec|c|ca|approx|cf)"
    r"|\b[A-Z](?:\.[A-Z])*)\.[\"”’)\]]*\s+$"
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in `text`, abbreviations such as "Mr." not ending one."""
    spans, start = [], 0
    for match in _gaps(text):
        gap = match.group()
        if (
            gap.strip() == ""
            and "\n" not in gap
            and (
                ABBREVIATION.search(text[max(0, match.start() - 12) : match.end()])
                or text[match.end() : match.end() + 1].islower()  # "e.g. the", "St. b..."
            )
        ):
            continue
        if text[start : match.start()].strip():
            spans.append((start, match.start() + len(gap.rstrip())))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans or [(0, len(text))]


def _gaps(text: str) -> Iterator[re.Match[str]]:
    """The matches of SENTENCE_END in `text`, in order."""
    end = 0
    for found in _MARK_OR_BREAK.finditer(text):
        at = found.start()
        if at < end:  # inside the gap just found
            continue
        # A line break, or SENTENCE_END's first branch, whose lookbehind is this mark.
        breaks = text[at] == "\n"
        gap = _LINE_BREAKS.match(text, at) if breaks else _AFTER_MARK.match(text, at + 1)
        if gap is not None:
            yield gap
            end = gap.end()
