""":class:`LocalBotApi`: the Bot API stand-in and its control API, served on a local port."""

from __future__ import annotations

import copy
import logging
import re
import threading
from collections.abc import Callable, Iterable
from typing import Self, TypeVar

from .botapi import BotApi, bot_id_from_token
from .control import ControlApi
from .errors import JsonDict
from .faults import FaultQueue
from .guards import BOT_PREFIX, refuse_browser_request
from .http import HttpRequest, HttpResponse, LocalHttpServer, RouteHandler, Router
from .inline import InlineMode
from .params import commands_key
from .state import ServerState
from .webchat import WebChat

logger = logging.getLogger(__name__)

T = TypeVar("T")


class LocalBotApi:
    """A Telegram Bot API stand-in plus a control API, served on a local port.

    Use as a context manager or call :meth:`start` and :meth:`stop`.  All state is guarded
    by one re-entrant lock with a condition that is notified on every change.  With
    ``webchat=True`` it also serves the browser chat page at ``/`` (see :mod:`.webchat`).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = None,
        bot_username: str = "corpusbot_local_bot",
        *,
        bot_first_name: str = "Corpusbot (local)",
        webchat: bool = False,
    ) -> None:
        self._host = host
        self._requested_port = port
        self._bot_user: JsonDict = {
            "id": bot_id_from_token(token),
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self._state = ServerState()
        self._faults = FaultQueue()
        self._bot_api = BotApi(self._state, self._faults, token, self._bot_user)
        self._control = ControlApi(self._state)
        self._inline = InlineMode(self._state, self._bot_user)
        self._bot_api.add_method("answerInlineQuery", self._inline.answer_inline_query)
        self._httpd: LocalHttpServer | None = None
        self._thread: threading.Thread | None = None
        self.router = Router()
        self._add_default_routes()
        if webchat:
            WebChat(self._state, self._bot_user).add_routes(self.router)

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> Self:
        """Bind the port and serve in a background thread; return self."""
        if self._httpd is not None:
            raise RuntimeError("LocalBotApi is already started")
        self._state.stopping = False
        self._httpd = LocalHttpServer((self._host, self._requested_port), self.router)
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
        with self._state.changed:
            self._state.stopping = True
            self._state.locked_notify()
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
        self.router.add(["GET"], r"/", self._route_root)
        self.router.add_guard(BOT_PREFIX, refuse_browser_request)
        self.router.add(
            ["GET", "POST"], r"/bot(?P<token>[^/]+)(?:/(?P<method>[^/]*))?", self._bot_api.route
        )
        self._control.add_routes(self.router)
        self._inline.add_routes(self.router)

    def add_route(self, methods: Iterable[str], pattern: str, handler: RouteHandler) -> None:
        """Serve an extra route; it takes precedence over the built-in ones."""
        self.router.add(methods, pattern, handler)

    @staticmethod
    def _route_root(request: HttpRequest, match: re.Match[str]) -> HttpResponse:
        return HttpResponse.text("corpusbot local Bot API\n")

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
        return self._control.send_user_message(
            chat_id,
            text,
            user=user,
            chat_type=chat_type,
            reply_to_message_id=reply_to_message_id,
        )

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
        with that callback data, unless ``forged``: a modified client can send any data.
        """
        return self._control.press_button(chat_id, message_id, data, user=user, forged=forged)

    def send_inline_query(
        self,
        chat_id: int,
        query: str,
        *,
        user: JsonDict | None = None,
        chat_type: str | None = None,
    ) -> JsonDict:
        """Queue an ``inline_query`` update (``@bot query`` typed in chat ``chat_id``)."""
        return self._inline.send_inline_query(chat_id, query, user=user, chat_type=chat_type)

    def inline_answer(self, query_id: str, timeout: float = 0.0) -> JsonDict | None:
        """The bot's ``answerInlineQuery`` for ``query_id``, waiting up to ``timeout`` s."""
        return self._inline.inline_answer(query_id, timeout)

    def choose_inline_result(self, query_id: str, result_id: str) -> JsonDict:
        """Send a result of an answered inline query into its chat; the message."""
        return self._inline.choose_inline_result(query_id, result_id)

    def messages(
        self, chat_id: int, *, after: int | None = None, since_version: int | None = None
    ) -> list[JsonDict]:
        """The chat's messages in order (user's and bot's), in the control view.

        ``after`` keeps messages with a larger id; ``since_version`` keeps messages created
        or edited after that chat version.
        """
        return self._state.messages(chat_id, after=after, since_version=since_version)

    def chat_version(self, chat_id: int) -> int:
        """A number that grows whenever a message of the chat is added or edited."""
        return self._state.chat_version(chat_id)

    def wait_for(self, predicate: Callable[[], T], timeout: float) -> T:
        """Wait until ``predicate()`` is truthy and return its value.

        The predicate is evaluated under the server lock after every change, so it may call
        this object's methods but must be quick.  Raises :class:`TimeoutError` after
        ``timeout`` seconds.
        """
        return self._state.wait_for(predicate, timeout)

    def wait_for_bot_messages(
        self, chat_id: int, count: int, timeout: float, *, after: int | None = None
    ) -> list[JsonDict]:
        """Wait for at least ``count`` bot messages in the chat and return them all.

        Only messages with an id above ``after`` count; by default, above the chat's last
        message at the time of the call.  Pass the id of the user message the bot answers to
        avoid missing a reply that came before this call.
        """
        return self._state.wait_for_bot_messages(chat_id, count, timeout, after=after)

    def calls(self, method: str | None = None) -> list[JsonDict]:
        """The Bot API calls received (oldest first), optionally only those of ``method``."""
        return self._state.call_log(method)

    def bot_commands(
        self, scope: JsonDict | None = None, language_code: str = ""
    ) -> list[JsonDict]:
        """The commands last set with ``setMyCommands`` for that scope and language."""
        params = {"scope": scope, "language_code": language_code}
        with self._state.lock:
            return copy.deepcopy(self._state.commands.get(commands_key(params), []))

    def chat_action(self, chat_id: int) -> str | None:
        """The bot's current chat action in the chat ("typing" ...), None when there is none.

        ``sendChatAction`` sets it for 5 seconds; a message from the bot ends it sooner.
        """
        return self._state.chat_action(chat_id)[0]

    def pending_updates(self) -> list[JsonDict]:
        """Updates queued and not yet confirmed by the bot."""
        return self._state.pending_updates()

    def set_group_admins(self, chat_id: int, user_ids: set[int]) -> None:
        """Make `user_ids` the administrators of group `chat_id` (created if new), as
        ``getChatMember`` reports them."""
        with self._state.lock:
            chat = self._state.locked_ensure_chat(chat_id, "group", {})
            chat.admins = set(user_ids)

    # ---------------------------------------------------------------- fault injection

    def inject_fault(
        self, method: str | None, kind: str, times: int = 1, retry_after: int = 1
    ) -> None:
        """Make the next ``times`` calls of ``method`` (None: any method) fail.

        ``kind`` is "429" (Too Many Requests with ``retry_after``), "409" (Conflict: another
        instance polls), "500" (Internal Server Error), "403" (the user blocked the bot) or
        "malformed" (status 200, body that is not JSON).
        """
        with self._state.lock:
            self._faults.add(method, kind, times, retry_after)

    def clear_faults(self) -> None:
        """Drop all pending injected faults."""
        with self._state.lock:
            self._faults.clear()

    def pause(self) -> None:
        """Close Bot API connections without answering, until :meth:`resume`.

        Long polls in progress are cut off too.  The control API keeps working.
        """
        with self._state.changed:
            self._state.paused = True
            self._state.locked_notify()

    def resume(self) -> None:
        """Answer Bot API requests again after :meth:`pause`."""
        with self._state.lock:
            self._state.paused = False

    @property
    def paused(self) -> bool:
        """Whether Bot API requests are currently dropped."""
        return self._state.paused
