"""The control API: the user's side of the chats, for tests and the browser chat page.

Python methods (:meth:`ControlApi.send_user_message`, :meth:`ControlApi.press_button`) and the
JSON routes over them::

    POST /api/chats/<chat_id>/messages   {"text", "user"?, "chat_type"?, "reply_to_message_id"?}
    POST /api/chats/<chat_id>/callbacks  {"message_id", "data", "user"?}
    GET  /api/chats/<chat_id>/messages?after=<id>&since_version=<v>&wait=<seconds>
    GET  /api/calls?method=<name>

Every ``/api/`` request (these and the chat page's) must name this server by a loopback name
in ``Host`` (against DNS rebinding) and, if it has an ``Origin``, come from this server's own
origin; POSTs must be ``Content-Type: application/json``, which no cross-origin page can send
without a CORS preflight the server never grants.  Otherwise: 403 or 415 (see :mod:`.guards`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import TypeVar

from corpusbot.bot.answer import utf16_length

from .errors import ControlError, JsonDict
from .guards import API_PREFIX, refuse_foreign_request
from .http import HttpRequest, HttpResponse, Router
from .params import MessageText, inline_keyboard_buttons
from .state import ServerState
from .telegram_html import MAX_TEXT_LENGTH, detect_user_entities

T = TypeVar("T")

MAX_CONTROL_WAIT = 30.0
"""Upper bound in seconds for a control API long poll."""

CHAT_PATH = r"/api/chats/(?P<chat_id>-?\d+)"
"""Path pattern of one chat in the control API, with the ``chat_id`` group."""


def default_user(chat_id: int) -> JsonDict:
    """The user who writes in chat ``chat_id`` unless told otherwise."""
    user_id = abs(chat_id) or 1
    return {
        "id": user_id,
        "is_bot": False,
        "first_name": "Local User",
        "username": f"user{user_id}",
    }


def user_from(spec: JsonDict | None, chat_id: int) -> JsonDict:
    """A Telegram User object from an optional partial description."""
    user = default_user(chat_id)
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


def control_response(action: Callable[[], JsonDict]) -> HttpResponse:
    """Run a control action; ControlError becomes a 400 ``{"error": ...}`` answer."""
    try:
        return HttpResponse.json(action())
    except ControlError as exc:
        return HttpResponse.json({"error": str(exc)}, 400)


def query_number(request: HttpRequest, name: str, kind: type[T]) -> T | None:
    """The query parameter ``name`` converted with ``kind``; None when absent or empty."""
    value = request.query.get(name)
    if value is None or value == "":
        return None
    try:
        return kind(value)  # type: ignore[call-arg]
    except ValueError as exc:
        raise ControlError(f"query parameter {name} must be a number") from exc


class ControlApi:
    """The user's side: messages and button presses become updates for the bot."""

    def __init__(self, state: ServerState) -> None:
        self._state = state

    def add_routes(self, router: Router) -> None:
        """Serve the control API's routes on ``router``, all ``/api/`` paths guarded."""
        router.add_guard(API_PREFIX, refuse_foreign_request)
        router.add(["POST"], CHAT_PATH + r"/messages", self._route_post_message)
        router.add(["GET"], CHAT_PATH + r"/messages", self._route_get_messages)
        router.add(["POST"], CHAT_PATH + r"/callbacks", self._route_post_callback)
        router.add(["GET"], r"/api/calls", self._route_get_calls)

    # ---------------------------------------------------------------- Python API

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
        if utf16_length(text) > MAX_TEXT_LENGTH:  # as Telegram counts: an emoji is two units
            raise ControlError(f"text longer than {MAX_TEXT_LENGTH} UTF-16 code units")
        sender = user_from(user, chat_id)
        state = self._state
        with state.lock:
            chat = state.locked_ensure_chat(chat_id, chat_type, sender)
            if reply_to_message_id is not None and reply_to_message_id not in chat.messages:
                raise ControlError(f"message {reply_to_message_id} not found in chat {chat_id}")
            entities = detect_user_entities(text)
            record = state.locked_store_message(
                chat,
                sender=sender,
                from_bot=False,
                text=MessageText(text, text, entities, None),
                reply_to_message_id=reply_to_message_id,
            )
            state.locked_enqueue({"message": state.telegram_message(chat, record)})
            return state.control_message(chat, record)

    def press_button(
        self,
        chat_id: int,
        message_id: int,
        data: str,
        *,
        user: JsonDict | None = None,
        forged: bool = False,
    ) -> JsonDict:
        """Queue a callback_query update for the inline button with ``data``; return the query.

        Raises :class:`ControlError` when the message does not exist or has no inline button
        with that callback data, unless ``forged``: Telegram passes on whatever data a client
        sends, so a modified client can press a button that was never there.
        """
        sender = user_from(user, chat_id)
        state = self._state
        with state.lock:
            chat = state.chats.get(chat_id)
            record = chat.messages.get(message_id) if chat else None
            if chat is None or record is None:
                raise ControlError(f"message {message_id} not found in chat {chat_id}")
            buttons = inline_keyboard_buttons(record.reply_markup)
            if not forged and not any(button.get("callback_data") == data for button in buttons):
                raise ControlError(
                    f"message {message_id} has no inline button with callback data {data!r}"
                )
            query_id = str(next(state.query_ids))
            query = {
                "id": query_id,
                "from": sender,
                "message": state.telegram_message(chat, record),
                "chat_instance": chat.chat_instance,
                "data": data,
            }
            state.open_queries[query_id] = chat_id
            state.locked_enqueue({"callback_query": query})
            return copy.deepcopy(query)

    # ---------------------------------------------------------------- routes

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

        return control_response(action)

    def _route_post_callback(self, request: HttpRequest, match: re.Match[str]) -> HttpResponse:
        def action() -> JsonDict:
            body = request.json_body()
            message_id, data = body.get("message_id"), body.get("data")
            if not isinstance(message_id, int) or not isinstance(data, str):
                raise ControlError("message_id (integer) and data (string) are required")
            return self.press_button(
                int(match.group("chat_id")), message_id, data, user=body.get("user")
            )

        return control_response(action)

    def _route_get_messages(self, request: HttpRequest, match: re.Match[str]) -> HttpResponse:
        state = self._state

        def action() -> JsonDict:
            chat_id = int(match.group("chat_id"))
            after = query_number(request, "after", int)
            since = query_number(request, "since_version", int)
            wait = query_number(request, "wait", float) or 0.0
            if since is not None and wait > 0:
                state.wait_for_chat_change(chat_id, since, min(wait, MAX_CONTROL_WAIT))
            with state.lock:
                return {
                    "chat_id": chat_id,
                    "version": state.chat_version(chat_id),
                    "messages": state.messages(chat_id, after=after, since_version=since),
                }

        return control_response(action)

    def _route_get_calls(self, request: HttpRequest, match: re.Match[str]) -> HttpResponse:
        method = request.query.get("method") or None
        return HttpResponse.json({"calls": self._state.call_log(method)})
