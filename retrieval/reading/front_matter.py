"""YAML front matter in Markdown articles: the simple `key: value` subset, read without YAML.

A Markdown file may open with a block fenced by `---` lines (the closing fence may also be
`...`). Only flat `key: value` lines are read; values may be quoted. Lists, nested maps and
multi-line values are skipped, since no field an article needs takes that shape. A file whose
opening block never closes has no front matter: its lines stay text.
"""

from __future__ import annotations

import re

FENCE = "---"
CLOSING = ("---", "...")
MAX_LINES = 60  # a longer "block" is text that happens to start with a rule
KEY_VALUE = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$")


def split_front_matter(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """The front matter's fields (keys lower-cased) and the lines after it; ({}, lines) when
    the lines do not open with a closed `---` block."""
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None or lines[start].strip() != FENCE:
        return {}, lines
    for end in range(start + 1, min(len(lines), start + 1 + MAX_LINES)):
        if lines[end].strip() in CLOSING:
            return _fields(lines[start + 1 : end]), lines[end + 1 :]
    return {}, lines


def _fields(lines: list[str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in lines:
        if line[:1].isspace():  # part of a nested value
            continue
        match = KEY_VALUE.match(line.strip())
        if match:
            value = _unquoted(match.group(2).strip())
            if value and not value.startswith(("[", "{", "|", ">")):
                fields[match.group(1).lower().replace("-", "_")] = value
    return fields


def _unquoted(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1].strip()
    return re.sub(r"\s+#.*$", "", value)  # a trailing YAML comment
