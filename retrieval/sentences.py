"""Cutting text into sentences, with their character offsets."""

from __future__ import annotations

import re

# A sentence ends at . ! ? … (and closing quotes) followed by space, or at a line break.
SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+|\n+")
ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Gen|Lt|Col|Sgt|Prof|Sen|Rep|Gov|Jr|Sr|"
    r"Inc|Ltd|Co|Coop|vs|No|Vol|Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec|c|ca|approx|cf)"
    r"|\b[A-Z](?:\.[A-Z])*)\.[\"”’)\]]*\s+$"
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in `text`, abbreviations such as "Mr." not ending one."""
    spans, start = [], 0
    for match in SENTENCE_END.finditer(text):
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
