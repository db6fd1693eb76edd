"""Telegram's HTML parse mode: validation, visible text and message entities.

:func:`parse_telegram_html` accepts exactly what Telegram accepts for ``parse_mode=HTML`` and
reports errors in Telegram's words; :func:`detect_user_entities` finds the entities Telegram
attaches to a user's plain text.  Entity offsets are in UTF-16 code units, as in Telegram.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpusbot.bot.answer import TELEGRAM_LIMIT, utf16_length

from .errors import JsonDict, TelegramHtmlError

MAX_TEXT_LENGTH = TELEGRAM_LIMIT
"""Longest message text Telegram accepts, counted on the visible text."""

__all__ = ["MAX_TEXT_LENGTH", "detect_user_entities", "parse_telegram_html", "utf16_length"]


_HTML_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_HTML_ENTITY_RE = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|(lt|gt|amp|quot));")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_PLAIN_RUN_RE = re.compile(r"[^<&]+")
_UNQUOTED_VALUE_RE = re.compile(r"[A-Za-z0-9.\-_]+")


def _decode_html_entity(match: re.Match[str]) -> str | None:
    """The character an ``&...;`` match stands for, or None when it is not a valid one."""
    decimal, hexadecimal, named = match.groups()
    if named:
        return _NAMED_ENTITIES[named]
    code_point = int(decimal, 10) if decimal else int(hexadecimal, 16)
    if code_point == 0 or code_point > 0x10FFFF or 0xD800 <= code_point <= 0xDFFF:
        return None
    return chr(code_point)


def _decode_html_entities(text: str) -> str:
    """Decode the HTML entities Telegram understands, leaving anything else as it is."""

    def replace(match: re.Match[str]) -> str:
        decoded = _decode_html_entity(match)
        return match.group(0) if decoded is None else decoded

    return _HTML_ENTITY_RE.sub(replace, text)


@dataclass
class _OpenTag:
    name: str
    position: int
    start: int
    attributes: dict[str, str]


class _TelegramHtmlParser:
    """Parser for Telegram's HTML subset, producing visible text and message entities.

    Follows Telegram's rules: only the supported tags, properly nested, attribute values
    quoted or simple, the four named entities plus numeric ones; a stray ``&`` stays literal.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._pos = 0
        self._parts: list[str] = []
        self._offset = 0
        self._stack: list[_OpenTag] = []
        self._entities: list[JsonDict] = []

    def parse(self) -> tuple[str, list[JsonDict]]:
        """Parse the whole text; raise :class:`TelegramHtmlError` when it is malformed."""
        text = self._text
        while self._pos < len(text):
            char = text[self._pos]
            if char == "<":
                self._parse_tag()
            elif char == "&":
                self._parse_entity()
            else:
                run = _PLAIN_RUN_RE.match(text, self._pos)
                assert run is not None
                self._emit(run.group(0))
                self._pos = run.end()
        if self._stack:
            name = self._stack[-1].name
            raise TelegramHtmlError(f'Can\'t find end tag corresponding to start tag "{name}"')
        self._entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
        return "".join(self._parts), self._entities

    def _byte_offset(self, position: int) -> int:
        return len(self._text[:position].encode("utf-8"))

    def _error(self, message: str, position: int, detail: str = "") -> TelegramHtmlError:
        offset = self._byte_offset(position)
        return TelegramHtmlError(f"{message} at byte offset {offset}{detail}")

    def _emit(self, chunk: str) -> None:
        self._parts.append(chunk)
        self._offset += utf16_length(chunk)

    def _parse_entity(self) -> None:
        match = _HTML_ENTITY_RE.match(self._text, self._pos)
        decoded = _decode_html_entity(match) if match else None
        if match is None or decoded is None:
            self._emit("&")
            self._pos += 1
            return
        self._emit(decoded)
        self._pos = match.end()

    def _parse_tag(self) -> None:
        if self._pos + 1 >= len(self._text):
            raise self._error("Unclosed start tag", self._pos)
        if self._text[self._pos + 1] == "/":
            self._parse_end_tag()
        else:
            self._parse_start_tag()

    def _parse_start_tag(self) -> None:
        text, start = self._text, self._pos
        end = start + 1
        while end < len(text) and not text[end].isspace() and text[end] != ">":
            end += 1
        if end >= len(text):
            raise self._error("Unclosed start tag", start)
        name = text[start + 1 : end].lower()
        if name not in _HTML_TAGS:
            raise self._error(f'Unsupported start tag "{name}"', start)
        attributes, end = self._parse_attributes(name, end, start)
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise self._error('Tag "span" must have class "tg-spoiler"', start)
        self._stack.append(_OpenTag(name, start, self._offset, attributes))
        self._pos = end + 1

    def _parse_attributes(self, tag: str, pos: int, start: int) -> tuple[dict[str, str], int]:
        """Parse attributes from ``pos`` up to the closing ``>``; return them and its index."""
        text = self._text
        attributes: dict[str, str] = {}
        while True:
            pos = self._skip_spaces(pos, tag, start)
            if text[pos] == ">":
                return attributes, pos
            name_end = pos
            while (
                name_end < len(text) and not text[name_end].isspace() and text[name_end] not in "=>"
            ):
                name_end += 1
            name = text[pos:name_end].lower()
            if not name:
                raise self._error(f'Empty attribute name in the tag "{tag}"', start)
            pos = self._skip_spaces(name_end, tag, start)
            if text[pos] != "=":
                if tag == "blockquote" and name == "expandable":
                    attributes[name] = ""
                    continue
                raise self._error(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}"',
                    start,
                )
            pos = self._skip_spaces(pos + 1, tag, start)
            value, pos = self._parse_attribute_value(tag, pos, start)
            attributes[name] = _decode_html_entities(value)

    def _parse_attribute_value(self, tag: str, pos: int, start: int) -> tuple[str, int]:
        text = self._text
        if text[pos] in "\"'":
            closing = text.find(text[pos], pos + 1)
            if closing < 0:
                raise self._error(f'Unclosed start tag "{tag}"', start)
            return text[pos + 1 : closing], closing + 1
        match = _UNQUOTED_VALUE_RE.match(text, pos)
        if match is None:
            raise self._error(f'Expected quote in the attribute value of the tag "{tag}"', start)
        return match.group(0), match.end()

    def _skip_spaces(self, pos: int, tag: str, start: int) -> int:
        text = self._text
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            raise self._error(f'Unclosed start tag "{tag}"', start)
        return pos

    def _parse_end_tag(self) -> None:
        start = self._pos
        closing = self._text.find(">", start + 2)
        if closing < 0:
            raise self._error("Unclosed end tag", start)
        name = self._text[start + 2 : closing].strip().lower()
        if not self._stack:
            raise self._error("Unexpected end tag", start)
        open_tag = self._stack.pop()
        if name != open_tag.name:
            detail = f', expected "</{open_tag.name}>", found "</{name}>"'
            raise self._error("Unmatched end tag", start, detail)
        self._close(open_tag)
        self._pos = closing + 1

    def _close(self, tag: _OpenTag) -> None:
        """Turn a closed tag into a message entity (Telegram drops empty ones)."""
        entity_type = _HTML_TAGS[tag.name]
        extra: JsonDict = {}
        if tag.name == "a":
            if not tag.attributes.get("href"):
                return
            extra["url"] = tag.attributes["href"]
        elif tag.name == "code":
            language = tag.attributes.get("class", "")
            if self._stack and self._stack[-1].name == "pre" and language.startswith("language-"):
                self._stack[-1].attributes["language"] = language.removeprefix("language-")
                return
        elif tag.name == "pre" and tag.attributes.get("language"):
            extra["language"] = tag.attributes["language"]
        elif tag.name == "blockquote" and "expandable" in tag.attributes:
            entity_type = "expandable_blockquote"
        length = self._offset - tag.start
        if length > 0:
            self._entities.append(
                {"type": entity_type, "offset": tag.start, "length": length, **extra}
            )


def parse_telegram_html(text: str) -> tuple[str, list[JsonDict]]:
    """Parse ``text`` as Telegram's HTML parse mode does.

    Returns the visible text and its message entities (UTF-16 offsets).  Raises
    :class:`TelegramHtmlError` with Telegram's wording when the text is malformed.
    """
    return _TelegramHtmlParser(text).parse()


_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?!\w)")
_MENTION_RE = re.compile(r"(?<![\w@/])@[A-Za-z0-9_]{5,32}(?!\w)")


def detect_user_entities(text: str) -> list[JsonDict]:
    """The ``bot_command`` and ``mention`` entities Telegram attaches to a user's text."""
    found: list[JsonDict] = []
    for entity_type, pattern in (("bot_command", _COMMAND_RE), ("mention", _MENTION_RE)):
        for match in pattern.finditer(text):
            found.append(
                {
                    "type": entity_type,
                    "offset": utf16_length(text[: match.start()]),
                    "length": utf16_length(match.group(0)),
                }
            )
    found.sort(key=lambda entity: entity["offset"])
    return found
