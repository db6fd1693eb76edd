"""Inline mode: a user's ``@bot query`` becomes an ``inline_query`` update, the bot's
``answerInlineQuery`` is validated the way Telegram validates it and kept, and choosing one of
its results sends that result's message into the chat (``via_bot`` set) and queues a
``chosen_inline_result`` update.

Bot API side: ``answerInlineQuery``.  Control API::

    POST /api/chats/<chat_id>/inline           {"query", "user"?, "chat_type"?, "offset"?}
    GET  /api/inline/<query_id>?wait=<seconds>  the bot's answer, once it came
    POST /api/inline/<query_id>/choose         {"result_id"}

Limits Telegram documents and this server enforces: a query of at most 256 characters; at
most 50 results per answer; result ids of 1-64 bytes, unique within an answer; a message text
of 1-4096 UTF-16 code units after entity parsing; a ``next_offset`` of at most 64 bytes.  Telegram
documents no size for result titles and descriptions; a title must not be empty. Only results
of type ``article`` with an ``InputTextMessageContent`` are supported.
"""

from __future__ import annotations

import copy
import re
import time
from dataclasses import dataclass

from .control import CHAT_PATH, control_response, query_number, user_from
from .errors import ControlError, JsonDict
from .http import HttpRequest, HttpResponse, Router
from .params import (
    MessageText,
    as_bool,
    as_object,
    bad_request,
    is_missing,
    optional_int,
    parse_message_text,
    parse_reply_markup,
)
from .state import ServerState

MAX_QUERY_CHARS = 256
MAX_RESULTS = 50
MAX_RESULT_ID_BYTES = 64
MAX_OFFSET_BYTES = 64
MAX_WAIT = 30.0  # seconds a control request waits for the bot's answer
QUERY_PATH = r"/api/inline/(?P<query_id>\d+)"
TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


@dataclass
class InlineQuery:
    """One inline query: who asked what, in which chat, and the bot's answer once given."""

    query_id: str
    user: JsonDict
    chat_id: int
    query: str
    answer: JsonDict | None = None
    chosen: bool = False


class InlineMode:
    """Inline queries (the user's side) and ``answerInlineQuery`` (the bot's)."""

    def __init__(self, state: ServerState, bot_user: JsonDict) -> None:
        self._state = state
        self._bot_user = bot_user
        self._queries: dict[str, InlineQuery] = {}

    # ---------------------------------------------------------------- Bot API

    def answer_inline_query(self, params: JsonDict) -> bool:
        """``answerInlineQuery``: validate the results and keep them for the user to see."""
        query_id = params.get("inline_query_id")
        if is_missing(query_id):
            raise bad_request("inline_query_id is empty")
        results = params.get("results")
        if is_missing(results) or not isinstance(results, list):
            raise bad_request("can't parse inline query results JSON object")
        if len(results) > MAX_RESULTS:
            raise bad_request("RESULTS_TOO_MUCH")
        offset = str(params.get("next_offset") or "")
        if len(offset.encode("utf-8")) > MAX_OFFSET_BYTES:
            raise bad_request("NEXT_OFFSET_INVALID")
        cleaned = _checked_results(results)
        with self._state.lock:
            query = self._queries.get(str(query_id))
            if query is None or query.answer is not None:
                raise bad_request(TOO_OLD)
            query.answer = {
                "results": cleaned,
                "next_offset": offset,
                "cache_time": optional_int(params, "cache_time"),
                "is_personal": as_bool(params.get("is_personal", False)),
                "button": params.get("button"),
            }
            self._state.locked_notify()
        return True

    # ---------------------------------------------------------------- Python control API

    def send_inline_query(
        self,
        chat_id: int,
        query: str,
        *,
        user: JsonDict | None = None,
        chat_type: str | None = None,
        offset: str = "",
    ) -> JsonDict:
        """Queue an ``inline_query`` update typed in chat ``chat_id``; return the query."""
        if not isinstance(query, str) or len(query) > MAX_QUERY_CHARS:
            raise ControlError(f"query must be a string of at most {MAX_QUERY_CHARS} characters")
        sender = user_from(user, chat_id)
        state = self._state
        with state.lock:
            chat = state.locked_ensure_chat(chat_id, chat_type, sender)
            query_id = str(next(state.query_ids))
            self._queries[query_id] = InlineQuery(query_id, sender, chat_id, query)
            kind = chat.info["type"]
            update = {
                "id": query_id,
                "from": sender,
                "query": query,
                "offset": offset,
                "chat_type": "sender" if chat_id == sender["id"] else kind,
            }
            state.locked_enqueue({"inline_query": update})
            return copy.deepcopy(update)

    def inline_answer(self, query_id: str, timeout: float = 0.0) -> JsonDict | None:
        """The bot's answer to inline query ``query_id`` (waiting up to ``timeout`` s)."""
        state = self._state
        with state.changed:
            if query_id not in self._queries:
                raise ControlError(f"inline query {query_id} not found")
            deadline = time.monotonic() + min(timeout, MAX_WAIT)
            while self._queries[query_id].answer is None and not state.stopping:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                state.changed.wait(left)
            return copy.deepcopy(self._queries[query_id].answer)

    def choose_inline_result(self, query_id: str, result_id: str) -> JsonDict:
        """Send result ``result_id`` of the answered query into its chat, as the user via the
        bot; queue a ``chosen_inline_result`` update; return the message (control view)."""
        state = self._state
        with state.lock:
            query = self._queries.get(query_id)
            if query is None or query.answer is None:
                raise ControlError(f"inline query {query_id} has no answer to choose from")
            found = [r for r in query.answer["results"] if r["id"] == result_id]
            if not found:
                raise ControlError(f"inline query {query_id} has no result {result_id!r}")
            result = found[0]
            chat = state.chats[query.chat_id]
            content = result["input_message_content"]
            record = state.locked_store_message(
                chat,
                sender=query.user,
                from_bot=False,
                text=_message_text(content),
                reply_markup=result.get("reply_markup"),
            )
            record.via_bot = dict(self._bot_user)
            query.chosen = True
            state.locked_enqueue({"message": state.telegram_message(chat, record)})
            state.locked_enqueue(
                {
                    "chosen_inline_result": {
                        "result_id": result_id,
                        "from": query.user,
                        "query": query.query,
                    }
                }
            )
            return state.control_message(chat, record)

    # ---------------------------------------------------------------- routes

    def add_routes(self, router: Router) -> None:
        router.add(["POST"], CHAT_PATH + r"/inline", self._route_post_query)
        router.add(["GET"], QUERY_PATH, self._route_get_answer)
        router.add(["POST"], QUERY_PATH + r"/choose", self._route_post_choice)

    def _route_post_query(self, request: HttpRequest, match: re.Match[str]) -> HttpResponse:
        def action() -> JsonDict:
            body = request.json_body()
            return self.send_inline_query(
                int(match.group("chat_id")),
                body.get("query"),  # type: ignore[arg-type]  # validated by the callee
                user=body.get("user"),
                chat_type=body.get("chat_type"),
                offset=str(body.get("offset") or ""),
            )

        return control_response(action)

    def _route_get_answer(self, request: HttpRequest, match: re.Match[str]) -> HttpResponse:
        def action() -> JsonDict:
            wait = query_number(request, "wait", float) or 0.0
            answer = self.inline_answer(match.group("query_id"), wait)
            return {"answered": answer is not None, **(answer or {})}

        return control_response(action)

    def _route_post_choice(self, request: HttpRequest, match: re.Match[str]) -> HttpResponse:
        def action() -> JsonDict:
            result_id = request.json_body().get("result_id")
            if not isinstance(result_id, str):
                raise ControlError("result_id (string) is required")
            return self.choose_inline_result(match.group("query_id"), result_id)

        return control_response(action)


def _checked_results(results: list[object]) -> list[JsonDict]:
    """The results as Telegram would accept them, or the error it would give."""
    seen: set[str] = set()
    cleaned = []
    for raw in results:
        result = as_object(raw, "inline query result")
        if result.get("type") != "article":
            raise bad_request("inline query results other than article are not supported")
        result_id = str(result.get("id") or "")
        if not 1 <= len(result_id.encode("utf-8")) <= MAX_RESULT_ID_BYTES:
            raise bad_request("RESULT_ID_INVALID")
        if result_id in seen:
            raise bad_request("RESULT_ID_DUPLICATE")
        seen.add(result_id)
        if is_missing(result.get("title")):
            raise bad_request("RESULT_TITLE_EMPTY")
        content = as_object(result.get("input_message_content"), "input message content")
        _message_text(content)  # "message text is empty", "message is too long"...
        markup = parse_reply_markup(result, inline_only=True)
        cleaned.append(
            {
                "type": "article",
                "id": result_id,
                "title": str(result["title"]),
                "description": str(result.get("description") or ""),
                "input_message_content": {
                    key: content[key]
                    for key in ("message_text", "parse_mode", "entities", "link_preview_options")
                    if key in content
                },
                **({"reply_markup": markup} if markup else {}),
            }
        )
    return cleaned


def _message_text(content: JsonDict) -> MessageText:
    """An InputTextMessageContent's text, checked as sendMessage checks its ``text``."""
    return parse_message_text({**content, "text": content.get("message_text")})
