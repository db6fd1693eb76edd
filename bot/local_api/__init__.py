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

Run standalone with ``python -m corpusbot.bot.local_api --port 8081`` (``--webchat`` adds the
browser chat page at ``/``, from :mod:`.webchat`).

The modules, one job each:

- :mod:`.errors`: the exceptions and the Telegram error envelope;
- :mod:`.telegram_html`: Telegram's HTML parse mode and user-text entities;
- :mod:`.http`: requests, responses, the router and the threaded HTTP server;
- :mod:`.params`: reading and validating Bot API parameters;
- :mod:`.state`: chats, messages, the update queue, waiting for changes;
- :mod:`.faults`: injected faults;
- :mod:`.botapi`: the Bot API methods;
- :mod:`.control`: the control API (the user's side);
- :mod:`.guards`: who may use which routes (Host, Origin, browsers);
- :mod:`.safejson`: JSON refused at the door (too deep, not valid Unicode);
- :mod:`.server`: :class:`LocalBotApi`, which puts them together;
- :mod:`.webchat`: the browser chat page (static files) and the JSON it reads;
- :mod:`.standalone`: the ``python -m corpusbot.bot.local_api`` command.
"""

from __future__ import annotations

from .botapi import DEFAULT_BOT_ID, MAX_POLL_TIMEOUT, NOT_MODIFIED
from .control import MAX_CONTROL_WAIT
from .errors import BotApiError, ControlError, JsonDict, TelegramHtmlError
from .http import MAX_BODY_BYTES, HttpRequest, HttpResponse, RouteHandler, Router, redact_token
from .params import parse_bot_params
from .server import LocalBotApi
from .standalone import main
from .state import MAX_LOGGED_CALLS
from .telegram_html import (
    MAX_TEXT_LENGTH,
    detect_user_entities,
    parse_telegram_html,
    utf16_length,
)

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

# Also importable from here, as before the split (not part of ``*``).
_REEXPORTED = (
    DEFAULT_BOT_ID,
    MAX_BODY_BYTES,
    MAX_CONTROL_WAIT,
    MAX_LOGGED_CALLS,
    MAX_POLL_TIMEOUT,
    MAX_TEXT_LENGTH,
    NOT_MODIFIED,
    JsonDict,
    RouteHandler,
    main,
    parse_bot_params,
    redact_token,
)
