"""The browser chat page: talk to the bot through the local Bot API, no Telegram account needed.

Static files (``index.html``, ``chat.css``, ``chat.js``, shipped in this package) plus two
JSON routes the page needs beyond the control API::

    GET /                                   the chat page
    GET /static/<file>                      its CSS and JavaScript
    GET /api/bot                            {"bot": getMe's User, "commands": [...]}
    GET /api/chats/<chat_id>/updates?since_version=<v>&since_action=<a>&since_notice=<n>
                                     &wait=<seconds>
        long poll: {"version", "messages" (created or edited since v), "action_seq",
                    "action" ("typing"... or null), "action_seconds" (time it has left),
                    "notice_seq", "notices" (the bot's answers to button presses since n,
                    each {"seq", "text", "show_alert"}, shown as toasts or alerts)}

The page posts messages and button presses with the control API's ``POST`` routes.
"""

from __future__ import annotations

import re
from importlib import resources

from ..control import CHAT_PATH, MAX_CONTROL_WAIT, control_response, query_number
from ..errors import JsonDict
from ..http import HttpRequest, HttpResponse, Router
from ..params import commands_key
from ..state import ServerState

STATIC_FILES: dict[str, str] = {
    "index.html": "text/html; charset=utf-8",
    "chat.css": "text/css; charset=utf-8",
    "chat.js": "text/javascript; charset=utf-8",
    "inline.js": "text/javascript; charset=utf-8",  # inline mode: "@botname query"
    "inline.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}
"""The files served, with their content types; nothing else in the package is reachable."""

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""Only the page's own files run: no inline script, nothing from elsewhere."""

_SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
)

# Where a Telegram client looks for a private chat's command menu, most specific first.
_MENU_SCOPES = ({"type": "all_private_chats"}, {"type": "default"})


def static_file(name: str) -> HttpResponse:
    """The packaged file ``name`` (one of :data:`STATIC_FILES`), or 404."""
    content_type = STATIC_FILES.get(name)
    if content_type is None:
        return HttpResponse.json({"error": "not found"}, 404)
    body = resources.files(__package__).joinpath(name).read_bytes()
    return HttpResponse(200, body, content_type, _SECURITY_HEADERS)


class WebChat:
    """Serves the chat page and the JSON it reads, over the server's shared state."""

    def __init__(self, state: ServerState, bot_user: JsonDict) -> None:
        self._state = state
        self._bot_user = bot_user

    def add_routes(self, router: Router) -> None:
        """Serve the page at ``/`` and its routes on ``router``."""
        router.add(["GET"], r"/", lambda request, match: static_file("index.html"))
        router.add(["GET"], r"/favicon\.ico", lambda request, match: static_file("favicon.svg"))
        router.add(
            ["GET"], r"/static/(?P<name>[A-Za-z0-9_.-]+)", lambda r, m: static_file(m["name"])
        )
        router.add(["GET"], r"/api/bot", self._route_bot)
        router.add(["GET"], CHAT_PATH + r"/updates", self._route_updates)

    def menu_commands(self) -> list[JsonDict]:
        """The commands a private chat's menu shows (private-chat scope, else default)."""
        with self._state.lock:
            for scope in _MENU_SCOPES:
                commands = self._state.commands.get(commands_key({"scope": scope}))
                if commands:
                    return [dict(command) for command in commands]
        return []

    def _route_bot(self, request: HttpRequest, match: re.Match[str]) -> HttpResponse:
        return HttpResponse.json({"bot": dict(self._bot_user), "commands": self.menu_commands()})

    def _route_updates(self, request: HttpRequest, match: re.Match[str]) -> HttpResponse:
        state = self._state

        def action() -> JsonDict:
            chat_id = int(match.group("chat_id"))
            since = query_number(request, "since_version", int) or 0
            since_action = query_number(request, "since_action", int) or 0
            since_notice = query_number(request, "since_notice", int) or 0
            wait = query_number(request, "wait", float) or 0.0
            if wait > 0:
                state.wait_for_chat_activity(
                    chat_id,
                    since,
                    since_action,
                    min(wait, MAX_CONTROL_WAIT),
                    since_notice=since_notice,
                )
            with state.lock:
                action, seconds, action_seq = state.chat_action(chat_id)
                notices, notice_seq = state.notices_since(chat_id, since_notice)
                return {
                    "chat_id": chat_id,
                    "version": state.chat_version(chat_id),
                    "messages": state.messages(chat_id, since_version=since),
                    "action_seq": action_seq,
                    "action": action,
                    "action_seconds": round(seconds, 3),
                    "notice_seq": notice_seq,
                    "notices": notices,
                }

        return control_response(action)
