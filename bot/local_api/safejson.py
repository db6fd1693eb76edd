"""JSON from clients, refused at the door when the server could not keep or answer it.

A string with a lone surrogate (``"\\ud800"`` is valid JSON) cannot be encoded as UTF-8, so once
stored it would make every later answer that includes it fail; JSON nested deeper than any Bot
API object would exhaust the recursion of ``json`` and ``copy``. Both are refused here, before
anything is stored.
"""

from __future__ import annotations

import json
from typing import Any

MAX_JSON_DEPTH = 32
"""Deepest nesting of arrays and objects accepted (an inline keyboard needs 4)."""


class UnsafeJson(ValueError):
    """Valid JSON the server refuses to keep: too deep, or text that is not valid Unicode."""


def load_json(data: bytes | str) -> Any:
    """``json.loads(data)``, checked with :func:`check_json`.

    Raises :class:`UnsafeJson` for JSON the server refuses, and ``ValueError`` for text that
    is not JSON at all.
    """
    try:
        value = json.loads(data)
    except RecursionError:
        raise UnsafeJson(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    check_json(value)
    return value


def check_json(value: Any) -> None:
    """Raise :class:`UnsafeJson` if ``value`` nests too deep or holds a lone surrogate."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            check_text(item)
        elif isinstance(item, (dict, list)):
            if depth >= MAX_JSON_DEPTH:
                raise UnsafeJson(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)


def check_text(text: str) -> None:
    """Raise :class:`UnsafeJson` if ``text`` cannot be encoded as UTF-8 (a lone surrogate)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise UnsafeJson("text is not valid UTF-8: it holds a lone surrogate") from None
