"""What the command line reads from standard input and writes to a terminal or a pipe.

Input is read as bytes and decoded as UTF-8 with replacement, so no byte sequence can stop a
batch; text printed for people has its control characters made visible, so an article cannot
move the cursor, recolour the terminal or set its title; JSON is always written as UTF-8,
whatever the locale.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from typing import BinaryIO

# C0 controls but tab and newline, DEL, and the C1 controls (U+0080-U+009F: CSI, OSC...).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """`text` safe to print on a terminal: each control character shown as `\\xNN`."""
    return CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", valid_text(text))


def valid_text(text: str) -> str:
    """`text` with lone surrogates (undecodable bytes from the command line) replaced by U+FFFD,
    so it can always be encoded as UTF-8."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        try:
            raw = text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            raw = text.encode("utf-8", "replace")
        return raw.decode("utf-8", "replace")


def input_lines(stream: BinaryIO | None = None) -> Iterator[str]:
    """The lines of standard input (or `stream`) as text, without their line ends."""
    for raw in stream if stream is not None else sys.stdin.buffer:
        yield raw.decode("utf-8", "replace").rstrip("\r\n")


def print_text(text: str, end: str = "\n") -> None:
    """Print text for people: control characters made visible, unencodable ones replaced."""
    line = visible(text) + end
    encoding = sys.stdout.encoding or "utf-8"
    sys.stdout.write(line.encode(encoding, "replace").decode(encoding))
    sys.stdout.flush()


def print_json(value: object, indent: int | None = None) -> None:
    """Print `value` as JSON in UTF-8 bytes, whatever the locale's encoding."""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    sys.stdout.flush()
    sys.stdout.buffer.write(valid_text(text).encode("utf-8") + b"\n")
    sys.stdout.buffer.flush()
