"""A local stand-in for the Telegram Bot API, served over HTTP on the loopback interface.

:class:`LocalBotApi` answers the Bot API methods a python-telegram-bot polling bot uses
(``getMe``, ``getUpdates``, ``sendMessage``, ``editMessageText`` ...) the way Telegram does,
so a bot built with ``Application.builder().base_url(server.base_url)`` runs against it
unchanged.  A small JSON control API (and the matching Python methods) lets a test, or a
person through a browser chat page, post a user's message or button press and read what the
bot sent.  Faults (429, 500, malformed bodies, a vanished server) can be injected to exercise
the bot's error handling.

Bot API side: ``GET|POST /bot<TOKEN>/<method>``.  Control API::

    POST /api/chats/<chat_id>/messages   {"text", "user"?, "chat_type"?, "reply_to_message_id"?}
    POST /api/chats/<chat_id>/callbacks  {"message_id", "data", "user"?}
    GET  /api/chats/<chat_id>/messages?after=<id>&since_version=<v>&wait=<seconds>
    GET  /api/calls?method=<name>

Run standalone with ``python -m bot.local_api --port 8081``.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import email.parser
import email.policy
import itertools
import json
import logging
import re
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self, TypeVar
from urllib.parse import parse_qsl, urlsplit

__all__ = [
    "BotApiError",
    "ControlError",
    "HttpRequest",
    "HttpResponse",
    "LocalBotApi",
    "Router",
    "TelegramHtmlError",
    "detect_user_entities",
    "parse_telegram_html",
    "utf16_length",
]

logger = logging.getLogger(__name__)

JsonDict = dict[str, Any]
T = TypeVar("T")

MAX_TEXT_LENGTH = 4096
"""Longest message text Telegram accepts, counted on the visible text."""
MAX_POLL_TIMEOUT = 50.0
"""Upper bound in seconds for a ``getUpdates`` long poll."""
MAX_CONTROL_WAIT = 30.0
"""Upper bound in seconds for a control API long poll."""
MAX_BODY_BYTES = 20 * 1024 * 1024
"""Largest request body read; larger requests get 413."""
MAX_LOGGED_CALLS = 10_000
"""How many Bot API calls the call log keeps (oldest dropped first)."""
DEFAULT_BOT_ID = 1_000_000_001
"""Bot user id used when no token with a numeric prefix was configured."""

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)

# Parameters that python-telegram-bot sends JSON-encoded inside form bodies.
_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "commands",
        "scope",
        "allowed_updates",
        "media",
    }
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_INLINE_BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
_CHAT_TYPES = frozenset({"private", "group", "supergroup"})
_COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")
_TOKEN_IN_PATH_RE = re.compile(r"/bot[^/\s]+")


# --------------------------------------------------------------------------------------------
# Errors


class BotApiError(Exception):
    """An error answered to a Bot API request as Telegram would answer it."""

    def __init__(
        self, error_code: int, description: str, parameters: JsonDict | None = None
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> JsonDict:
        """The Telegram error envelope for this error."""
        body: JsonDict = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


class ControlError(ValueError):
    """A control API request that cannot be carried out (unknown message, bad input ...)."""


class TelegramHtmlError(ValueError):
    """Text that Telegram's HTML parse mode would reject."""


class _DropConnection(Exception):
    """Raised by a route handler to close the connection without any response."""


# --------------------------------------------------------------------------------------------
# Text helpers


def utf16_length(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit Telegram entity offsets use."""
    return len(text.encode("utf-16-le")) // 2


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


# --------------------------------------------------------------------------------------------
# HTTP plumbing


@dataclass(frozen=True)
class HttpRequest:
    """An HTTP request as seen by a route handler."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json_body(self) -> JsonDict:
        """The body parsed as a JSON object (empty body gives ``{}``)."""
        if not self.body.strip():
            return {}
        try:
            value = json.loads(self.body)
        except ValueError as exc:
            raise ControlError(f"request body is not valid JSON: {exc}") from exc
        if not isinstance(value, dict):
            raise ControlError("request body must be a JSON object")
        return value


@dataclass(frozen=True)
class HttpResponse:
    """A complete HTTP response."""

    status: int
    body: bytes
    content_type: str = "application/json"

    @classmethod
    def json(cls, payload: Any, status: int = 200) -> HttpResponse:
        """A JSON response."""
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return cls(status, body, "application/json")

    @classmethod
    def text(cls, text: str, status: int = 200) -> HttpResponse:
        """A plain text response."""
        return cls(status, text.encode("utf-8"), "text/plain; charset=utf-8")


RouteHandler = Callable[[HttpRequest, re.Match[str]], HttpResponse]


@dataclass(frozen=True)
class _Route:
    methods: frozenset[str]
    pattern: re.Pattern[str]
    handler: RouteHandler


class Router:
    """Maps method and path (a full-match regular expression) to handlers.

    Routes added later take precedence over earlier ones, so a more specific or replacement
    route (e.g. static files at ``/``) can be added on top of the defaults.
    """

    def __init__(self) -> None:
        self._routes: list[_Route] = []

    def add(self, methods: Iterable[str], pattern: str, handler: RouteHandler) -> None:
        """Route requests whose method is in ``methods`` and path fully matches ``pattern``."""
        route = _Route(frozenset(m.upper() for m in methods), re.compile(pattern), handler)
        self._routes.insert(0, route)

    def resolve(self, request: HttpRequest) -> HttpResponse:
        """Run the handler for ``request``; 404 or 405 when none fits."""
        path_matched = False
        for route in self._routes:
            match = route.pattern.fullmatch(request.path)
            if match is None:
                continue
            if request.method in route.methods:
                return route.handler(request, match)
            path_matched = True
        if path_matched:
            return HttpResponse.json({"error": "method not allowed"}, 405)
        return HttpResponse.json({"error": "not found"}, 404)


def redact_token(text: str) -> str:
    """``text`` with any ``/bot<token>`` path segment's token replaced."""
    return _TOKEN_IN_PATH_RE.sub("/bot<token>", text)


class _LocalHttpServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], router: Router) -> None:
        self.router = router
        super().__init__(address, _RequestHandler)


class _RequestHandler(BaseHTTPRequestHandler):
    """Reads a request, hands it to the router and writes the response."""

    server: _LocalHttpServer
    protocol_version = "HTTP/1.0"
    server_version = "corpusbot-local-bot-api"

    def do_GET(self) -> None:
        """Handle GET."""
        self._dispatch()

    def do_POST(self) -> None:
        """Handle POST."""
        self._dispatch()

    def log_message(self, format: str, *args: Any) -> None:
        """Log through :mod:`logging` at debug level, never including the token."""
        logger.debug("%s %s", self.address_string(), redact_token(format % args))

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self._write(HttpResponse.json({"error": "request body too large"}, 413))
            return
        body = self.rfile.read(length) if length > 0 else b""
        url = urlsplit(self.path)
        request = HttpRequest(
            method=self.command.upper(),
            path=url.path,
            query=dict(parse_qsl(url.query, keep_blank_values=True)),
            headers={key.lower(): value for key, value in self.headers.items()},
            body=body,
        )
        try:
            response = self.server.router.resolve(request)
        except _DropConnection:
            self.close_connection = True
            return
        except Exception:
            logger.exception("error handling %s %s", request.method, redact_token(request.path))
            response = HttpResponse.json(
                {"ok": False, "error_code": 500, "description": "Internal Server Error"}, 500
            )
        self._write(response)

    def _write(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)


# --------------------------------------------------------------------------------------------
# Bot API request parameters


def _parse_multipart(body: bytes, content_type: str) -> JsonDict:
    """Form fields of a multipart body; uploaded files become ``{"filename", "size"}``."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    params: JsonDict = {}
    if not message.is_multipart():
        raise BotApiError(400, "Bad Request: can't parse multipart body")
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            params[name] = {"filename": filename, "size": len(payload)}
        else:
            params[name] = payload.decode("utf-8", "replace")
    return params


def _parse_body(request: HttpRequest) -> JsonDict:
    """Parameters in the request body: JSON, form-encoded or multipart."""
    if not request.body:
        return {}
    content_type = request.headers.get("content-type", "")
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type == "application/json":
        try:
            value = json.loads(request.body)
        except ValueError as exc:
            raise BotApiError(400, "Bad Request: can't parse JSON body") from exc
        if not isinstance(value, dict):
            raise BotApiError(400, "Bad Request: JSON body must be an object")
        return value
    if media_type == "multipart/form-data":
        return _parse_multipart(request.body, content_type)
    text = request.body.decode("utf-8", "replace")
    return dict(parse_qsl(text, keep_blank_values=True))


def parse_bot_params(request: HttpRequest) -> JsonDict:
    """All parameters of a Bot API request (query string, then body), JSON fields decoded."""
    params: JsonDict = dict(request.query)
    params.update(_parse_body(request))
    for name in _JSON_PARAMS & params.keys():
        value = params[name]
        if isinstance(value, str) and value.strip():
            # Left as a string when it is not JSON; the method reports it if it needs the object.
            with contextlib.suppress(ValueError):
                params[name] = json.loads(value)
    return params


def _bad_request(detail: str) -> BotApiError:
    return BotApiError(400, f"Bad Request: {detail}")


def _is_missing(value: Any) -> bool:
    return value is None or value == ""


def _as_int(value: Any, name: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    raise _bad_request(f"invalid {name} specified")


def _optional_int(params: JsonDict, name: str) -> int | None:
    value = params.get(name)
    return None if _is_missing(value) else _as_int(value, name)


def _optional_float(params: JsonDict, name: str) -> float | None:
    value = params.get(name)
    if _is_missing(value):
        return None
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise _bad_request(f"invalid {name} specified") from exc


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes"}
    return bool(value)


def _as_object(value: Any, what: str) -> JsonDict:
    if not isinstance(value, dict):
        raise _bad_request(f"can't parse {what} JSON object")
    return value


def _inline_keyboard_buttons(markup: JsonDict | None) -> list[JsonDict]:
    """All buttons of an inline keyboard markup (empty for other markups)."""
    if not markup:
        return []
    rows = markup.get("inline_keyboard") or []
    return [button for row in rows for button in row]


def _validate_inline_keyboard(markup: JsonDict) -> None:
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad_request(
            'can\'t parse inline keyboard button: field "inline_keyboard" '
            "must be an Array of Arrays"
        )
    for button in (button for row in rows for button in row):
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise _bad_request("can't parse inline keyboard button: Text must be a String")
        if not button["text"]:
            raise _bad_request("text buttons are unallowed in the inline keyboard")
        if not _INLINE_BUTTON_ACTIONS & button.keys():
            raise _bad_request("text buttons are unallowed in the inline keyboard")
        data = button.get("callback_data")
        if data is not None and not (isinstance(data, str) and 1 <= len(data.encode()) <= 64):
            raise _bad_request("BUTTON_DATA_INVALID")


def _reply_markup(params: JsonDict, *, inline_only: bool) -> JsonDict | None:
    """The validated ``reply_markup`` parameter, or None when absent."""
    value = params.get("reply_markup")
    if _is_missing(value):
        return None
    markup = _as_object(value, "reply keyboard markup")
    if "inline_keyboard" in markup:
        _validate_inline_keyboard(markup)
        return markup
    if inline_only:
        raise _bad_request("inline keyboard expected")
    if not {"keyboard", "remove_keyboard", "force_reply"} & markup.keys():
        raise _bad_request("can't parse reply keyboard markup JSON object")
    return markup


@dataclass(frozen=True)
class _Text:
    """A message text as sent, with its visible form and entities."""

    source: str
    visible: str
    entities: list[JsonDict]
    parse_mode: str | None


def _message_text(params: JsonDict) -> _Text:
    """Validate the ``text``/``parse_mode``/``entities`` parameters the way Telegram does."""
    source = params.get("text")
    if _is_missing(source):
        raise _bad_request("message text is empty")
    source = str(source)
    parse_mode = params.get("parse_mode") or None
    mode = parse_mode.lower() if isinstance(parse_mode, str) else None
    if mode == "html":
        try:
            visible, entities = parse_telegram_html(source)
        except TelegramHtmlError as exc:
            raise _bad_request(f"can't parse entities: {exc}") from exc
    elif mode in {"markdown", "markdownv2"}:
        visible, entities = source, []
    elif mode is not None:
        raise _bad_request("unsupported parse_mode")
    else:
        given = params.get("entities")
        visible, entities = source, given if isinstance(given, list) else []
    if not visible.strip():
        raise _bad_request("message text is empty")
    if len(visible) > MAX_TEXT_LENGTH:
        raise _bad_request("message is too long")
    return _Text(source, visible, entities, parse_mode)


# --------------------------------------------------------------------------------------------
# Stored state


@dataclass
class _StoredMessage:
    message_id: int
    sender: JsonDict
    from_bot: bool
    date: int
    text: _Text
    reply_markup: JsonDict | None = None
    reply_to_message_id: int | None = None
    link_preview_options: JsonDict | None = None
    edit_count: int = 0
    edit_date: int | None = None
    version: int = 0


@dataclass
class _Chat:
    chat_id: int
    info: JsonDict
    chat_instance: str
    messages: dict[int, _StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1
    version: int = 0


@dataclass
class _Fault:
    method: str | None
    kind: str
    remaining: int
    retry_after: int


_FAULT_KINDS = frozenset({"429", "500", "malformed"})


def _fault_response(fault: _Fault) -> HttpResponse:
    if fault.kind == "429":
        error = BotApiError(
            429,
            f"Too Many Requests: retry after {fault.retry_after}",
            {"retry_after": fault.retry_after},
        )
        return HttpResponse.json(error.to_json(), 429)
    if fault.kind == "500":
        return HttpResponse.json(BotApiError(500, "Internal Server Error").to_json(), 500)
    return HttpResponse(200, b"<html>502 Bad Gateway</html> {not json", "text/html")


def _default_user(chat_id: int) -> JsonDict:
    user_id = abs(chat_id) or 1
    return {
        "id": user_id,
        "is_bot": False,
        "first_name": "Local User",
        "username": f"user{user_id}",
    }


def _user_from(spec: JsonDict | None, chat_id: int) -> JsonDict:
    """A Telegram User object from an optional partial description."""
    user = _default_user(chat_id)
    if spec is None:
        return user
    if not isinstance(spec, dict):
        raise ControlError("user must be an object")
    if "id" in spec:
        if not isinstance(spec["id"], int) or isinstance(spec["id"], bool):
            raise ControlError("user.id must be an integer")
        user["id"] = spec["id"]
        user["username"] = f"user{abs(spec['id'])}"
    for key in ("first_name", "last_name", "username", "language_code"):
        if key in spec:
            if spec[key] is None:
                user.pop(key, None)
            elif isinstance(spec[key], str):
                user[key] = spec[key]
            else:
                raise ControlError(f"user.{key} must be a string")
    return user


# --------------------------------------------------------------------------------------------
# The server


class LocalBotApi:
    """A Telegram Bot API stand-in plus a control API, served on a local port.

    Use as a context manager or call :meth:`start` and :meth:`stop`.  All state is guarded
    by one re-entrant lock with a condition that is notified on every change.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = None,
        bot_username: str = "corpusbot_local_bot",
        *,
        bot_first_name: str = "Corpusbot (local)",
    ) -> None:
        self._host = host
        self._requested_port = port
        self._token = token
        self._bot_user: JsonDict = {
            "id": _bot_id_from_token(token),
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._chats: dict[int, _Chat] = {}
        self._updates: list[JsonDict] = []
        self._update_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._open_queries: set[str] = set()
        self._commands: dict[str, list[JsonDict]] = {}
        self._calls: deque[JsonDict] = deque(maxlen=MAX_LOGGED_CALLS)
        self._faults: list[_Fault] = []
        self._paused = False
        self._stopping = False
        self._httpd: _LocalHttpServer | None = None
        self._thread: threading.Thread | None = None
        self.router = Router()
        self._add_default_routes()
        self._methods: dict[str, Callable[[JsonDict], Any]] = {
            "getme": self._get_me,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "getupdates": self._get_updates,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "answercallbackquery": self._answer_callback_query,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "sendchataction": self._send_chat_action,
        }

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> Self:
        """Bind the port and serve in a background thread; return self."""
        if self._httpd is not None:
            raise RuntimeError("LocalBotApi is already started")
        self._stopping = False
        self._httpd = _LocalHttpServer((self._host, self._requested_port), self.router)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"local-bot-api:{self.port}",
            daemon=True,
        )
        self._thread.start()
        logger.info("local Bot API listening on %s", self.url)
        return self

    def stop(self) -> None:
        """Stop serving; waiting long polls are released at once.  Safe to call twice."""
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound port (the actual one when started with port 0)."""
        if self._httpd is None:
            return self._requested_port
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """Root URL, e.g. ``http://127.0.0.1:8081``."""
        return f"http://{self._host}:{self.port}"

    @property
    def base_url(self) -> str:
        """Bot API base URL in python-telegram-bot's form (the token is appended to it)."""
        return f"{self.url}/bot"

    @property
    def bot_user(self) -> JsonDict:
        """The bot's User object as ``getMe`` reports it."""
        return dict(self._bot_user)

    # ---------------------------------------------------------------- routing

    def _add_default_routes(self) -> None:
        chat = r"/api/chats/(?P<chat_id>-?\d+)"
        self.router.add(["GET"], r"/", self._route_root)
        self.router.add(
            ["GET", "POST"], r"/bot(?P<token>[^/]+)(?:/(?P<method>[^/]*))?", self._route_bot_api
        )
        self.router.add(["POST"], chat + r"/messages", self._route_post_message)
        self.router.add(["GET"], chat + r"/messages", self._route_get_messages)
        self.router.add(["POST"], chat + r"/callbacks", self._route_post_callback)
        self.router.add(["GET"], r"/api/calls", self._route_get_calls)

    def add_route(self, methods: Iterable[str], pattern: str, handler: RouteHandler) -> None:
        """Serve an extra route; it takes precedence over the built-in ones."""
        self.router.add(methods, pattern, handler)

    @staticmethod
    def _route_root(request: HttpRequest, match: re.Match[str]) -> HttpResponse:
        return HttpResponse.text("corpusbot local Bot API\n")

    # ---------------------------------------------------------------- Bot API dispatch

    def _route_bot_api(self, request: HttpRequest, match: re.Match[str]) -> HttpResponse:
        if self._paused:
            raise _DropConnection
        if self._token is not None and match.group("token") != self._token:
            return _error_response(BotApiError(401, "Unauthorized"))
        method = match.group("method") or ""
        try:
            params = parse_bot_params(request)
        except BotApiError as exc:
            return _error_response(exc)
        key = method.lower()
        with self._lock:
            fault = self._take_fault(key)
            self._calls.append(
                {
                    "method": method,
                    "params": copy.deepcopy(params),
                    "http_method": request.method,
                    "time": time.time(),
                    "fault": fault.kind if fault else None,
                }
            )
        if fault is not None:
            return _fault_response(fault)
        handler = self._methods.get(key)
        if handler is None:
            return _error_response(BotApiError(404, "Not Found"))
        try:
            result = handler(params)
        except BotApiError as exc:
            return _error_response(exc)
        return HttpResponse.json({"ok": True, "result": result})

    # ---------------------------------------------------------------- Bot API methods

    def _get_me(self, params: JsonDict) -> JsonDict:
        return {
            **self._bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _delete_webhook(self, params: JsonDict) -> bool:
        if _as_bool(params.get("drop_pending_updates", False)):
            with self._lock:
                self._updates.clear()
        return True

    def _get_webhook_info(self, params: JsonDict) -> JsonDict:
        with self._lock:
            pending = len(self._updates)
        return {"url": "", "has_custom_certificate": False, "pending_update_count": pending}

    def _get_updates(self, params: JsonDict) -> list[JsonDict]:
        offset = _optional_int(params, "offset")
        limit = min(max(_optional_int(params, "limit") or 100, 1), 100)
        timeout = min(max(_optional_float(params, "timeout") or 0.0, 0.0), MAX_POLL_TIMEOUT)
        with self._changed:
            self._confirm_updates(offset)
            if timeout > 0:
                self._changed.wait_for(
                    lambda: self._stopping or self._paused or bool(self._updates), timeout
                )
            if self._paused:
                raise _DropConnection
            return copy.deepcopy(self._updates[:limit])

    def _confirm_updates(self, offset: int | None) -> None:
        """Forget updates as Telegram does for a ``getUpdates`` offset."""
        if offset is None:
            return
        if offset < 0:
            self._updates = self._updates[offset:]
        else:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]

    def _send_message(self, params: JsonDict) -> JsonDict:
        with self._lock:
            chat = self._chat_from_params(params)
            text = _message_text(params)
            markup = _reply_markup(params, inline_only=False)
            reply_to = self._reply_target(chat, params)
            preview = params.get("link_preview_options")
            record = self._store_message(
                chat,
                sender=self._bot_user,
                from_bot=True,
                text=text,
                reply_markup=markup,
                reply_to_message_id=reply_to,
                link_preview_options=preview if isinstance(preview, dict) else None,
            )
            return self._telegram_message(chat, record)

    def _edit_message_text(self, params: JsonDict) -> JsonDict:
        with self._lock:
            chat, record = self._editable_message(params)
            text = _message_text(params)
            markup = _reply_markup(params, inline_only=True)
            unchanged = (
                text.visible == record.text.visible
                and text.entities == record.text.entities
                and markup == record.reply_markup
            )
            if unchanged:
                raise BotApiError(400, NOT_MODIFIED)
            record.text = text
            record.reply_markup = markup
            return self._mark_edited(chat, record)

    def _edit_message_reply_markup(self, params: JsonDict) -> JsonDict:
        with self._lock:
            chat, record = self._editable_message(params)
            markup = _reply_markup(params, inline_only=True)
            if markup == record.reply_markup:
                raise BotApiError(400, NOT_MODIFIED)
            record.reply_markup = markup
            return self._mark_edited(chat, record)

    def _answer_callback_query(self, params: JsonDict) -> bool:
        query_id = params.get("callback_query_id")
        if _is_missing(query_id):
            raise _bad_request("callback_query_id is empty")
        with self._lock:
            if str(query_id) not in self._open_queries:
                raise _bad_request(
                    "query is too old and response timeout expired or query ID is invalid"
                )
            self._open_queries.discard(str(query_id))
        return True

    def _set_my_commands(self, params: JsonDict) -> bool:
        commands = params.get("commands")
        if _is_missing(commands):
            raise _bad_request("commands is empty")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        for command in commands:
            _validate_bot_command(command)
        cleaned = [{"command": c["command"], "description": c["description"]} for c in commands]
        with self._lock:
            self._commands[_commands_key(params)] = cleaned
        return True

    def _get_my_commands(self, params: JsonDict) -> list[JsonDict]:
        with self._lock:
            return copy.deepcopy(self._commands.get(_commands_key(params), []))

    def _delete_my_commands(self, params: JsonDict) -> bool:
        with self._lock:
            self._commands.pop(_commands_key(params), None)
        return True

    def _send_chat_action(self, params: JsonDict) -> bool:
        with self._lock:
            self._chat_from_params(params)
        action = params.get("action")
        if _is_missing(action):
            raise _bad_request("action is empty")
        if action not in _CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        return True

    # ---------------------------------------------------------------- Bot API helpers

    def _chat_from_params(self, params: JsonDict) -> _Chat:
        value = params.get("chat_id")
        if _is_missing(value):
            raise _bad_request("chat_id is empty")
        if isinstance(value, str) and value.startswith("@"):
            raise _bad_request("chat not found")
        chat = self._chats.get(_as_int(value, "chat_id"))
        if chat is None:
            raise _bad_request("chat not found")
        return chat

    def _reply_target(self, chat: _Chat, params: JsonDict) -> int | None:
        """The message id a sent message replies to, from either reply parameter."""
        reply = params.get("reply_parameters")
        if not _is_missing(reply):
            reply = _as_object(reply, "reply parameters")
            target = reply.get("message_id")
            allow = _as_bool(reply.get("allow_sending_without_reply", False))
        else:
            target = params.get("reply_to_message_id")
            allow = _as_bool(params.get("allow_sending_without_reply", False))
        if _is_missing(target):
            return None
        message_id = _as_int(target, "reply message identifier")
        if message_id in chat.messages:
            return message_id
        if allow:
            return None
        raise _bad_request("message to be replied not found")

    def _editable_message(self, params: JsonDict) -> tuple[_Chat, _StoredMessage]:
        if not _is_missing(params.get("inline_message_id")):
            raise _bad_request("inline messages are not supported by the local Bot API")
        chat = self._chat_from_params(params)
        if _is_missing(params.get("message_id")):
            raise _bad_request("message identifier is not specified")
        record = chat.messages.get(_as_int(params["message_id"], "message identifier"))
        if record is None:
            raise _bad_request("message to edit not found")
        if not record.from_bot:
            raise _bad_request("message can't be edited")
        return chat, record

    def _mark_edited(self, chat: _Chat, record: _StoredMessage) -> JsonDict:
        record.edit_count += 1
        record.edit_date = int(time.time())
        self._touch(chat, record)
        return self._telegram_message(chat, record)

    # ---------------------------------------------------------------- state

    def _take_fault(self, method: str) -> _Fault | None:
        """Use up one pending fault matching ``method`` (lower case), if any."""
        for fault in self._faults:
            if fault.method is None or fault.method == method:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _touch(self, chat: _Chat, record: _StoredMessage) -> None:
        chat.version += 1
        record.version = chat.version
        self._changed.notify_all()

    def _store_message(
        self,
        chat: _Chat,
        *,
        sender: JsonDict,
        from_bot: bool,
        text: _Text,
        reply_markup: JsonDict | None = None,
        reply_to_message_id: int | None = None,
        link_preview_options: JsonDict | None = None,
    ) -> _StoredMessage:
        record = _StoredMessage(
            message_id=chat.next_message_id,
            sender=dict(sender),
            from_bot=from_bot,
            date=int(time.time()),
            text=text,
            reply_markup=reply_markup,
            reply_to_message_id=reply_to_message_id,
            link_preview_options=link_preview_options,
        )
        chat.next_message_id += 1
        chat.messages[record.message_id] = record
        self._touch(chat, record)
        return record

    def _enqueue(self, payload: JsonDict) -> JsonDict:
        update = {"update_id": next(self._update_ids), **payload}
        self._updates.append(update)
        self._changed.notify_all()
        return update

    def _ensure_chat(self, chat_id: int, chat_type: str | None, user: JsonDict) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is not None:
            return chat
        kind = chat_type or "private"
        if kind not in _CHAT_TYPES:
            raise ControlError(f"chat_type must be one of {sorted(_CHAT_TYPES)}")
        info: JsonDict = {"id": chat_id, "type": kind}
        if kind == "private":
            info["first_name"] = user.get("first_name", "Local User")
            if user.get("username"):
                info["username"] = user["username"]
        else:
            info["title"] = f"Local {kind} {chat_id}"
        chat = _Chat(chat_id, info, chat_instance=str(7_000_000_000 + abs(chat_id)))
        self._chats[chat_id] = chat
        return chat

    def _telegram_message(
        self, chat: _Chat, record: _StoredMessage, *, nested: bool = False
    ) -> JsonDict:
        """The Message object Telegram would send for ``record``."""
        message: JsonDict = {
            "message_id": record.message_id,
            "from": dict(record.sender),
            "chat": dict(chat.info),
            "date": record.date,
            "text": record.text.visible,
        }
        if record.text.entities:
            message["entities"] = copy.deepcopy(record.text.entities)
        if record.link_preview_options:
            message["link_preview_options"] = copy.deepcopy(record.link_preview_options)
        if record.edit_date is not None:
            message["edit_date"] = record.edit_date
        if record.reply_markup and "inline_keyboard" in record.reply_markup:
            message["reply_markup"] = copy.deepcopy(record.reply_markup)
        target = chat.messages.get(record.reply_to_message_id or 0)
        if target is not None and not nested:
            message["reply_to_message"] = self._telegram_message(chat, target, nested=True)
        return message

    @staticmethod
    def _control_message(chat: _Chat, record: _StoredMessage) -> JsonDict:
        """The control API view of a stored message."""
        return {
            "chat_id": chat.chat_id,
            "message_id": record.message_id,
            "from_bot": record.from_bot,
            "from": dict(record.sender),
            "date": record.date,
            "text": record.text.source,
            "plain_text": record.text.visible,
            "parse_mode": record.text.parse_mode,
            "entities": copy.deepcopy(record.text.entities),
            "reply_markup": copy.deepcopy(record.reply_markup),
            "reply_to_message_id": record.reply_to_message_id,
            "edited": record.edit_count,
            "edit_date": record.edit_date,
            "version": record.version,
        }

    # ---------------------------------------------------------------- Python control API

    def send_user_message(
        self,
        chat_id: int,
        text: str,
        *,
        user: JsonDict | None = None,
        chat_type: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> JsonDict:
        """Queue a message update from a user; return the stored message (control view).

        ``chat_type`` ("private", "group" or "supergroup") applies when the chat is new;
        it defaults to "private".  ``user`` may give ``id``, ``first_name``, ``username``...;
        missing fields are derived from ``chat_id``.
        """
        if not isinstance(text, str) or not text.strip():
            raise ControlError("text must be a non-empty string")
        if len(text) > MAX_TEXT_LENGTH:
            raise ControlError(f"text longer than {MAX_TEXT_LENGTH} characters")
        sender = _user_from(user, chat_id)
        with self._lock:
            chat = self._ensure_chat(chat_id, chat_type, sender)
            if reply_to_message_id is not None and reply_to_message_id not in chat.messages:
                raise ControlError(f"message {reply_to_message_id} not found in chat {chat_id}")
            entities = detect_user_entities(text)
            record = self._store_message(
                chat,
                sender=sender,
                from_bot=False,
                text=_Text(text, text, entities, None),
                reply_to_message_id=reply_to_message_id,
            )
            self._enqueue({"message": self._telegram_message(chat, record)})
            return self._control_message(chat, record)

    def press_button(
        self, chat_id: int, message_id: int, data: str, *, user: JsonDict | None = None
    ) -> JsonDict:
        """Queue a callback_query update for the inline button with ``data``; return the query.

        Raises :class:`ControlError` when the message does not exist or has no inline button
        with that callback data.
        """
        sender = _user_from(user, chat_id)
        with self._lock:
            chat = self._chats.get(chat_id)
            record = chat.messages.get(message_id) if chat else None
            if chat is None or record is None:
                raise ControlError(f"message {message_id} not found in chat {chat_id}")
            buttons = _inline_keyboard_buttons(record.reply_markup)
            if not any(button.get("callback_data") == data for button in buttons):
                raise ControlError(
                    f"message {message_id} has no inline button with callback data {data!r}"
                )
            query_id = str(next(self._query_ids))
            query = {
                "id": query_id,
                "from": sender,
                "message": self._telegram_message(chat, record),
                "chat_instance": chat.chat_instance,
                "data": data,
            }
            self._open_queries.add(query_id)
            self._enqueue({"callback_query": query})
            return copy.deepcopy(query)

    def messages(
        self, chat_id: int, *, after: int | None = None, since_version: int | None = None
    ) -> list[JsonDict]:
        """The chat's messages in order (user's and bot's), in the control view.

        ``after`` keeps messages with a larger id; ``since_version`` keeps messages created
        or edited after that chat version.
        """
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None:
                return []
            return [
                self._control_message(chat, record)
                for record in chat.messages.values()
                if (after is None or record.message_id > after)
                and (since_version is None or record.version > since_version)
            ]

    def chat_version(self, chat_id: int) -> int:
        """A number that grows whenever a message of the chat is added or edited."""
        with self._lock:
            chat = self._chats.get(chat_id)
            return chat.version if chat else 0

    def wait_for(self, predicate: Callable[[], T], timeout: float) -> T:
        """Wait until ``predicate()`` is truthy and return its value.

        The predicate is evaluated under the server lock after every change, so it may call
        this object's methods but must be quick.  Raises :class:`TimeoutError` after
        ``timeout`` seconds.
        """
        with self._changed:
            result = self._changed.wait_for(predicate, timeout)
        if not result:
            raise TimeoutError(f"condition not met within {timeout} s")
        return result

    def wait_for_bot_messages(
        self, chat_id: int, count: int, timeout: float, *, after: int | None = None
    ) -> list[JsonDict]:
        """Wait for at least ``count`` bot messages in the chat and return them all.

        Only messages with an id above ``after`` count; by default, above the chat's last
        message at the time of the call.  Pass the id of the user message the bot answers to
        avoid missing a reply that came before this call.
        """
        with self._lock:
            if after is None:
                chat = self._chats.get(chat_id)
                after = max(chat.messages, default=0) if chat else 0

        def bot_messages() -> list[JsonDict]:
            return [m for m in self.messages(chat_id, after=after) if m["from_bot"]]

        try:
            self.wait_for(lambda: len(bot_messages()) >= count, timeout)
        except TimeoutError:
            got = [m["text"] for m in bot_messages()]
            raise TimeoutError(
                f"expected {count} bot message(s) in chat {chat_id} after message {after} "
                f"within {timeout} s, got {len(got)}: {got!r}"
            ) from None
        return bot_messages()

    def calls(self, method: str | None = None) -> list[JsonDict]:
        """The Bot API calls received (oldest first), optionally only those of ``method``."""
        with self._lock:
            return [
                copy.deepcopy(call)
                for call in self._calls
                if method is None or call["method"].lower() == method.lower()
            ]

    def bot_commands(
        self, scope: JsonDict | None = None, language_code: str = ""
    ) -> list[JsonDict]:
        """The commands last set with ``setMyCommands`` for that scope and language."""
        params = {"scope": scope, "language_code": language_code}
        with self._lock:
            return copy.deepcopy(self._commands.get(_commands_key(params), []))

    def pending_updates(self) -> list[JsonDict]:
        """Updates queued and not yet confirmed by the bot."""
        with self._lock:
            return copy.deepcopy(self._updates)

    # ---------------------------------------------------------------- fault injection

    def inject_fault(
        self, method: str | None, kind: str, times: int = 1, retry_after: int = 1
    ) -> None:
        """Make the next ``times`` calls of ``method`` (None: any method) fail.

        ``kind`` is "429" (Too Many Requests with ``retry_after``), "500" (Internal Server
        Error) or "malformed" (status 200, body that is not JSON).
        """
        if kind not in _FAULT_KINDS:
            raise ValueError(f"kind must be one of {sorted(_FAULT_KINDS)}, not {kind!r}")
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._faults.append(
                _Fault(method.lower() if method else None, kind, times, retry_after)
            )

    def clear_faults(self) -> None:
        """Drop all pending injected faults."""
        with self._lock:
            self._faults.clear()

    def pause(self) -> None:
        """Close Bot API connections without answering, until :meth:`resume`.

        Long polls in progress are cut off too.  The control API keeps working.
        """
        with self._changed:
            self._paused = True
            self._changed.notify_all()

    def resume(self) -> None:
        """Answer Bot API requests again after :meth:`pause`."""
        with self._lock:
            self._paused = False

    @property
    def paused(self) -> bool:
        """Whether Bot API requests are currently dropped."""
        return self._paused

    # ---------------------------------------------------------------- control API routes

    def _route_post_message(self, request: HttpRequest, match: re.Match[str]) -> HttpResponse:
        def action() -> JsonDict:
            body = request.json_body()
            reply_to = body.get("reply_to_message_id")
            if reply_to is not None and not isinstance(reply_to, int):
                raise ControlError("reply_to_message_id must be an integer")
            return self.send_user_message(
                int(match.group("chat_id")),
                body.get("text"),  # type: ignore[arg-type]  # validated by the callee
                user=body.get("user"),
                chat_type=body.get("chat_type"),
                reply_to_message_id=reply_to,
            )

        return _control_response(action)

    def _route_post_callback(self, request: HttpRequest, match: re.Match[str]) -> HttpResponse:
        def action() -> JsonDict:
            body = request.json_body()
            message_id, data = body.get("message_id"), body.get("data")
            if not isinstance(message_id, int) or not isinstance(data, str):
                raise ControlError("message_id (integer) and data (string) are required")
            return self.press_button(
                int(match.group("chat_id")), message_id, data, user=body.get("user")
            )

        return _control_response(action)

    def _route_get_messages(self, request: HttpRequest, match: re.Match[str]) -> HttpResponse:
        def action() -> JsonDict:
            chat_id = int(match.group("chat_id"))
            after = _query_number(request, "after", int)
            since = _query_number(request, "since_version", int)
            wait = _query_number(request, "wait", float) or 0.0
            if since is not None and wait > 0:
                self._wait_for_chat_change(chat_id, since, min(wait, MAX_CONTROL_WAIT))
            with self._lock:
                return {
                    "chat_id": chat_id,
                    "version": self.chat_version(chat_id),
                    "messages": self.messages(chat_id, after=after, since_version=since),
                }

        return _control_response(action)

    def _route_get_calls(self, request: HttpRequest, match: re.Match[str]) -> HttpResponse:
        return HttpResponse.json({"calls": self.calls(request.query.get("method") or None)})

    def _wait_for_chat_change(self, chat_id: int, since_version: int, timeout: float) -> None:
        """Block up to ``timeout`` seconds until the chat's version exceeds ``since_version``."""
        with self._changed:
            self._changed.wait_for(
                lambda: self._stopping or self.chat_version(chat_id) > since_version, timeout
            )


def _error_response(error: BotApiError) -> HttpResponse:
    return HttpResponse.json(error.to_json(), error.error_code)


def _control_response(action: Callable[[], JsonDict]) -> HttpResponse:
    """Run a control action; ControlError becomes a 400 ``{"error": ...}`` answer."""
    try:
        return HttpResponse.json(action())
    except ControlError as exc:
        return HttpResponse.json({"error": str(exc)}, 400)


def _query_number(request: HttpRequest, name: str, kind: type[T]) -> T | None:
    value = request.query.get(name)
    if value is None or value == "":
        return None
    try:
        return kind(value)  # type: ignore[call-arg]
    except ValueError as exc:
        raise ControlError(f"query parameter {name} must be a number") from exc


def _bot_id_from_token(token: str | None) -> int:
    if token and re.fullmatch(r"\d+:.+", token):
        return int(token.split(":", 1)[0])
    return DEFAULT_BOT_ID


def _commands_key(params: JsonDict) -> str:
    """Storage key for bot commands: scope (default scope when absent) plus language."""
    scope = params.get("scope")
    if _is_missing(scope):
        scope = {"type": "default"}
    if not isinstance(scope, dict):
        raise _bad_request("can't parse BotCommandScope JSON object")
    language = params.get("language_code") or ""
    return json.dumps([scope, language], sort_keys=True)


def _validate_bot_command(command: Any) -> None:
    if not isinstance(command, dict):
        raise _bad_request("can't parse BotCommand JSON object")
    name, description = command.get("command"), command.get("description")
    if not isinstance(name, str) or not _COMMAND_NAME_RE.fullmatch(name):
        raise _bad_request("BOT_COMMAND_INVALID")
    if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
        raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")


# --------------------------------------------------------------------------------------------
# Standalone use


def main(argv: list[str] | None = None) -> int:
    """Run the server until Ctrl-C or SIGTERM."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.local_api", description="Local Telegram Bot API for corpusbot."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (loopback)")
    parser.add_argument("--port", type=int, default=8081, help="port to bind (0: any free)")
    parser.add_argument("--token", default=None, help="accept only this bot token")
    parser.add_argument("--bot-username", default="corpusbot_local_bot")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with LocalBotApi(args.host, args.port, args.token, args.bot_username) as server:
        print(f"corpusbot local Bot API on {server.url} (base_url {server.base_url})", flush=True)
        while not stop.wait(0.5):
            pass
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
