"""Bot API request parameters: reading them from a request and validating them as Telegram does.

Parameters may come in the query string, a JSON body, a form-encoded body or a multipart body;
python-telegram-bot sends some of them (``reply_markup``, ``entities`` ...) JSON-encoded inside
form fields.  The validators raise :class:`BotApiError` with Telegram's wording.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from corpusbot.bot.answer import utf16_length

from .errors import BotApiError, JsonDict, TelegramHtmlError
from .http import HttpRequest
from .safejson import UnsafeJson, load_json
from .telegram_html import MAX_TEXT_LENGTH, parse_telegram_html

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
        "results",  # answerInlineQuery
        "button",
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
_COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")


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
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):  # decode=True gives bytes for a non-multipart part
            payload = b""
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
            value = load_json(request.body)
        except UnsafeJson as exc:
            raise BotApiError(400, f"Bad Request: {exc}") from exc
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
            try:
                params[name] = load_json(value)
            except UnsafeJson as exc:
                raise BotApiError(400, f"Bad Request: {name}: {exc}") from exc
            except ValueError:
                pass
    return params


def bad_request(detail: str) -> BotApiError:
    return BotApiError(400, f"Bad Request: {detail}")


def is_missing(value: Any) -> bool:
    return value is None or value == ""


def as_int(value: Any, name: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    raise bad_request(f"invalid {name} specified")


def optional_int(params: JsonDict, name: str) -> int | None:
    value = params.get(name)
    return None if is_missing(value) else as_int(value, name)


def optional_float(params: JsonDict, name: str) -> float | None:
    value = params.get(name)
    if is_missing(value):
        return None
    try:
        if not isinstance(value, int | float | str):
            raise TypeError(name)
        return float(value)
    except (TypeError, ValueError) as exc:
        raise bad_request(f"invalid {name} specified") from exc


def as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes"}
    return bool(value)


def as_object(value: Any, what: str) -> JsonDict:
    if not isinstance(value, dict):
        raise bad_request(f"can't parse {what} JSON object")
    return value


def inline_keyboard_buttons(markup: JsonDict | None) -> list[JsonDict]:
    """All buttons of an inline keyboard markup (empty for other markups)."""
    if not markup:
        return []
    rows = markup.get("inline_keyboard") or []
    return [button for row in rows for button in row]


def _validate_inline_keyboard(markup: JsonDict) -> None:
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'can\'t parse inline keyboard button: field "inline_keyboard" '
            "must be an Array of Arrays"
        )
    for button in (button for row in rows for button in row):
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise bad_request("can't parse inline keyboard button: Text must be a String")
        if not button["text"]:
            raise bad_request("text buttons are unallowed in the inline keyboard")
        if not _INLINE_BUTTON_ACTIONS & button.keys():
            raise bad_request("text buttons are unallowed in the inline keyboard")
        data = button.get("callback_data")
        if data is not None and not (isinstance(data, str) and 1 <= len(data.encode()) <= 64):
            raise bad_request("BUTTON_DATA_INVALID")


def parse_reply_markup(params: JsonDict, *, inline_only: bool) -> JsonDict | None:
    """The validated ``reply_markup`` parameter, or None when absent."""
    value = params.get("reply_markup")
    if is_missing(value):
        return None
    markup = as_object(value, "reply keyboard markup")
    if "inline_keyboard" in markup:
        _validate_inline_keyboard(markup)
        return markup
    if inline_only:
        raise bad_request("inline keyboard expected")
    if not {"keyboard", "remove_keyboard", "force_reply"} & markup.keys():
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup


@dataclass(frozen=True)
class MessageText:
    """A message text as sent, with its visible form and entities."""

    source: str
    visible: str
    entities: list[JsonDict]
    parse_mode: str | None


def parse_message_text(params: JsonDict) -> MessageText:
    """Validate the ``text``/``parse_mode``/``entities`` parameters the way Telegram does."""
    source = params.get("text")
    if is_missing(source):
        raise bad_request("message text is empty")
    source = str(source)
    parse_mode = params.get("parse_mode") or None
    mode = parse_mode.lower() if isinstance(parse_mode, str) else None
    if mode == "html":
        try:
            visible, entities = parse_telegram_html(source)
        except TelegramHtmlError as exc:
            raise bad_request(f"can't parse entities: {exc}") from exc
    elif mode in {"markdown", "markdownv2"}:
        visible, entities = source, []
    elif mode is not None:
        raise bad_request("unsupported parse_mode")
    else:
        given = params.get("entities")
        visible, entities = source, given if isinstance(given, list) else []
    if not visible.strip():
        raise bad_request("message text is empty")
    if utf16_length(visible) > MAX_TEXT_LENGTH:  # as Telegram counts: an emoji is two units
        raise bad_request("message is too long")
    return MessageText(source, visible, entities, parse_mode)


def commands_key(params: JsonDict) -> str:
    """Storage key for bot commands: scope (default scope when absent) plus language."""
    scope = params.get("scope")
    if is_missing(scope):
        scope = {"type": "default"}
    if not isinstance(scope, dict):
        raise bad_request("can't parse BotCommandScope JSON object")
    language = params.get("language_code") or ""
    return json.dumps([scope, language], sort_keys=True)


def validate_bot_command(command: Any) -> None:
    if not isinstance(command, dict):
        raise bad_request("can't parse BotCommand JSON object")
    name, description = command.get("command"), command.get("description")
    if not isinstance(name, str) or not _COMMAND_NAME_RE.fullmatch(name):
        raise bad_request("BOT_COMMAND_INVALID")
    if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
        raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
