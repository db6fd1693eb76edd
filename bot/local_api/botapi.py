"""The Bot API methods, answered the way Telegram answers them.

``GET|POST /bot<TOKEN>/<method>``: ``getMe``, ``deleteWebhook``, ``getWebhookInfo``,
``getUpdates`` (long polling), ``sendMessage``, ``editMessageText``,
``editMessageReplyMarkup``, ``answerCallbackQuery``, ``setMyCommands``, ``getMyCommands``,
``deleteMyCommands``, ``sendChatAction`` and ``getChatMember`` (``answerInlineQuery``:
:mod:`.inline`).
Every call is logged, then may be replaced by an injected fault.
"""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Callable
from typing import Any

from .errors import BotApiError, DropConnection, JsonDict
from .faults import FaultQueue
from .http import HttpRequest, HttpResponse
from .params import (
    as_bool,
    as_int,
    as_object,
    bad_request,
    commands_key,
    is_missing,
    optional_float,
    optional_int,
    parse_bot_params,
    parse_message_text,
    parse_reply_markup,
    validate_bot_command,
)
from .state import Chat, ServerState, StoredMessage

MAX_POLL_TIMEOUT = 50.0
"""Upper bound in seconds for a ``getUpdates`` long poll."""
MAX_CALLBACK_ANSWER = 200
"""Telegram's limit on the text of an answer to a button press, in characters."""
DEFAULT_BOT_ID = 1_000_000_001
"""Bot user id used when no token with a numeric prefix was configured."""

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
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


def bot_id_from_token(token: str | None) -> int:
    """The bot's user id: the numeric prefix of the token, else :data:`DEFAULT_BOT_ID`."""
    if token and re.fullmatch(r"\d+:.+", token):
        return int(token.split(":", 1)[0])
    return DEFAULT_BOT_ID


def error_response(error: BotApiError) -> HttpResponse:
    """The HTTP answer carrying a Bot API error."""
    return HttpResponse.json(error.to_json(), error.error_code)


class BotApi:
    """Answers Bot API requests against the shared :class:`ServerState`."""

    def __init__(
        self, state: ServerState, faults: FaultQueue, token: str | None, bot_user: JsonDict
    ) -> None:
        self._state = state
        self._faults = faults
        self._token = token
        self._bot_user = bot_user
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
            "getchatmember": self._get_chat_member,
        }

    def add_method(self, name: str, handler: Callable[[JsonDict], Any]) -> None:
        """Answer Bot API method `name` with `handler` (see :mod:`.inline`)."""
        self._methods[name.lower()] = handler

    # ---------------------------------------------------------------- dispatch

    def route(self, request: HttpRequest, match: re.Match[str]) -> HttpResponse:
        """Route handler for ``/bot<token>/<method>``."""
        state = self._state
        if state.paused:
            raise DropConnection
        if self._token is not None and match.group("token") != self._token:
            return error_response(BotApiError(401, "Unauthorized"))
        method = match.group("method") or ""
        try:
            params = parse_bot_params(request)
        except BotApiError as exc:
            return error_response(exc)
        key = method.lower()
        with state.lock:
            fault = self._faults.take(key)
            state.calls.append(
                {
                    "method": method,
                    "params": copy.deepcopy(params),
                    "http_method": request.method,
                    "time": time.time(),
                    "fault": fault.kind if fault else None,
                }
            )
        if fault is not None:
            return fault.response()
        handler = self._methods.get(key)
        if handler is None:
            return error_response(BotApiError(404, "Not Found"))
        try:
            result = handler(params)
        except BotApiError as exc:
            return error_response(exc)
        return HttpResponse.json({"ok": True, "result": result})

    # ---------------------------------------------------------------- methods

    def _get_me(self, params: JsonDict) -> JsonDict:
        return {
            **self._bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _delete_webhook(self, params: JsonDict) -> bool:
        if as_bool(params.get("drop_pending_updates", False)):
            with self._state.lock:
                self._state.updates.clear()
        return True

    def _get_webhook_info(self, params: JsonDict) -> JsonDict:
        with self._state.lock:
            pending = len(self._state.updates)
        return {"url": "", "has_custom_certificate": False, "pending_update_count": pending}

    def _get_updates(self, params: JsonDict) -> list[JsonDict]:
        offset = optional_int(params, "offset")
        limit = min(max(optional_int(params, "limit") or 100, 1), 100)
        timeout = min(max(optional_float(params, "timeout") or 0.0, 0.0), MAX_POLL_TIMEOUT)
        state = self._state
        with state.changed:
            state.locked_confirm_updates(offset)
            if timeout > 0:
                state.changed.wait_for(
                    lambda: state.stopping or state.paused or bool(state.updates), timeout
                )
            if state.paused:
                raise DropConnection
            return copy.deepcopy(state.updates[:limit])

    def _send_message(self, params: JsonDict) -> JsonDict:
        state = self._state
        with state.lock:
            chat = self._chat_from_params(params)
            text = parse_message_text(params)
            markup = parse_reply_markup(params, inline_only=False)
            reply_to = self._reply_target(chat, params)
            preview = params.get("link_preview_options")
            record = state.locked_store_message(
                chat,
                sender=self._bot_user,
                from_bot=True,
                text=text,
                reply_markup=markup,
                reply_to_message_id=reply_to,
                link_preview_options=preview if isinstance(preview, dict) else None,
            )
            state.locked_set_action(chat, None)  # a message ends the "typing…", as in Telegram
            return state.telegram_message(chat, record)

    def _edit_message_text(self, params: JsonDict) -> JsonDict:
        with self._state.lock:
            chat, record = self._editable_message(params)
            text = parse_message_text(params)
            markup = parse_reply_markup(params, inline_only=True)
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
        with self._state.lock:
            chat, record = self._editable_message(params)
            markup = parse_reply_markup(params, inline_only=True)
            if markup == record.reply_markup:
                raise BotApiError(400, NOT_MODIFIED)
            record.reply_markup = markup
            return self._mark_edited(chat, record)

    def _answer_callback_query(self, params: JsonDict) -> bool:
        query_id = params.get("callback_query_id")
        if is_missing(query_id):
            raise bad_request("callback_query_id is empty")
        text = params.get("text")
        text = "" if is_missing(text) else str(text)
        if len(text) > MAX_CALLBACK_ANSWER:
            raise bad_request("MESSAGE_TOO_LONG")
        with self._state.lock:
            chat_id = self._state.open_queries.pop(str(query_id), None)
            if chat_id is None:
                raise bad_request(
                    "query is too old and response timeout expired or query ID is invalid"
                )
            if text:  # what a client shows as a toast, or as an alert to dismiss
                show_alert = as_bool(params.get("show_alert", False))
                self._state.locked_add_notice(chat_id, text, show_alert=show_alert)
        return True

    def _get_chat_member(self, params: JsonDict) -> JsonDict:
        """A member's status: "creator" for a group's administrators (their simplest status
        to describe), "member" for anyone else; a private chat's user is its "member"."""
        chat_id, user_id = params.get("chat_id"), params.get("user_id")
        if is_missing(chat_id) or is_missing(user_id):
            raise bad_request("chat_id and user_id are required")
        with self._state.lock:
            chat = self._state.chats.get(as_int(chat_id, "chat_id"))
            if chat is None:
                raise bad_request("chat not found")
            user = {"id": as_int(user_id, "user_id"), "is_bot": False, "first_name": "Member"}
            if user["id"] in chat.admins:
                return {"status": "creator", "user": user, "is_anonymous": False}
            return {"status": "member", "user": user}

    def _set_my_commands(self, params: JsonDict) -> bool:
        commands = params.get("commands")
        if is_missing(commands):
            raise bad_request("commands is empty")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            validate_bot_command(command)
        cleaned = [{"command": c["command"], "description": c["description"]} for c in commands]
        with self._state.lock:
            self._state.commands[commands_key(params)] = cleaned
        return True

    def _get_my_commands(self, params: JsonDict) -> list[JsonDict]:
        with self._state.lock:
            return copy.deepcopy(self._state.commands.get(commands_key(params), []))

    def _delete_my_commands(self, params: JsonDict) -> bool:
        with self._state.lock:
            self._state.commands.pop(commands_key(params), None)
        return True

    def _send_chat_action(self, params: JsonDict) -> bool:
        with self._state.lock:
            chat = self._chat_from_params(params)
            action = params.get("action")
            if is_missing(action):
                raise bad_request("action is empty")
            if action not in _CHAT_ACTIONS:
                raise bad_request("wrong parameter action in request")
            self._state.locked_set_action(chat, str(action))
        return True

    # ---------------------------------------------------------------- helpers

    def _chat_from_params(self, params: JsonDict) -> Chat:
        value = params.get("chat_id")
        if is_missing(value):
            raise bad_request("chat_id is empty")
        if isinstance(value, str) and value.startswith("@"):
            raise bad_request("chat not found")
        chat = self._state.chats.get(as_int(value, "chat_id"))
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _reply_target(self, chat: Chat, params: JsonDict) -> int | None:
        """The message id a sent message replies to, from either reply parameter."""
        reply = params.get("reply_parameters")
        if not is_missing(reply):
            reply = as_object(reply, "reply parameters")
            target = reply.get("message_id")
            allow = as_bool(reply.get("allow_sending_without_reply", False))
        else:
            target = params.get("reply_to_message_id")
            allow = as_bool(params.get("allow_sending_without_reply", False))
        if is_missing(target):
            return None
        message_id = as_int(target, "reply message identifier")
        if message_id in chat.messages:
            return message_id
        if allow:
            return None
        raise bad_request("message to be replied not found")

    def _editable_message(self, params: JsonDict) -> tuple[Chat, StoredMessage]:
        if not is_missing(params.get("inline_message_id")):
            raise bad_request("inline messages are not supported by the local Bot API")
        chat = self._chat_from_params(params)
        if is_missing(params.get("message_id")):
            raise bad_request("message identifier is not specified")
        record = chat.messages.get(as_int(params["message_id"], "message identifier"))
        if record is None:
            raise bad_request("message to edit not found")
        if not record.from_bot:
            raise bad_request("message can't be edited")
        return chat, record

    def _mark_edited(self, chat: Chat, record: StoredMessage) -> JsonDict:
        record.edit_count += 1
        record.edit_date = int(time.time())
        self._state.locked_touch(chat, record)
        return self._state.telegram_message(chat, record)
