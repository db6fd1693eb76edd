"""HTTP plumbing: requests, responses, a router, and a threaded server on the loopback.

Nothing here knows about Telegram; the server hands every request to a :class:`Router`,
whose handlers return complete :class:`HttpResponse` objects.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .errors import ControlError, DropConnection, JsonDict
from .safejson import UnsafeJson, load_json

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 20 * 1024 * 1024
"""Largest request body read; larger requests get 413."""

_TOKEN_IN_PATH_RE = re.compile(r"/bot[^/\s]+")
_DIGITS_RE = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class HttpRequest:
    """An HTTP request as seen by a route handler."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    """Header names in lower case."""
    body: bytes
    server_port: int
    """The port the server listens on (the request came in on it)."""

    def json_body(self) -> JsonDict:
        """The body parsed as a JSON object (empty body gives ``{}``)."""
        if not self.body.strip():
            return {}
        try:
            value = load_json(self.body)
        except UnsafeJson as exc:
            raise ControlError(f"request body refused: {exc}") from exc
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
    headers: tuple[tuple[str, str], ...] = ()
    """Extra headers, e.g. ``(("Content-Security-Policy", "..."),)``."""

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
RequestGuard = Callable[[HttpRequest], HttpResponse | None]
"""Checks a request before routing: a response refuses it, None lets it through."""


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
        self._guards: list[tuple[re.Pattern[str], RequestGuard]] = []

    def add(self, methods: Iterable[str], pattern: str, handler: RouteHandler) -> None:
        """Route requests whose method is in ``methods`` and path fully matches ``pattern``."""
        route = _Route(frozenset(m.upper() for m in methods), re.compile(pattern), handler)
        self._routes.insert(0, route)

    def add_guard(self, prefix: str, guard: RequestGuard) -> None:
        """Check every request whose path starts with ``prefix`` (a regular expression).

        The guard runs before the routes, also for paths no route serves; a response it
        returns is the answer.
        """
        self._guards.append((re.compile(prefix), guard))

    def resolve(self, request: HttpRequest) -> HttpResponse:
        """Run the guards, then the handler for ``request``; 404 or 405 when none fits."""
        for prefix, guard in self._guards:
            if prefix.match(request.path):
                refusal = guard(request)
                if refusal is not None:
                    return refusal
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


class LocalHttpServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], router: Router) -> None:
        self.router = router
        super().__init__(address, _RequestHandler)


IDLE_TIMEOUT = 300.0  # seconds an idle kept-alive connection is held open


class _RequestHandler(BaseHTTPRequestHandler):
    """Reads a request, hands it to the router and writes the response."""

    server: LocalHttpServer
    # Keep-alive, as Telegram's servers: a client reuses its connections instead of opening a
    # new one (and a new server thread) per request. Every response carries Content-Length.
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT
    # Headers and body go out in two writes; on a kept-alive connection Nagle's algorithm would
    # hold the body back until the client's delayed ACK (tens of milliseconds per answer).
    disable_nagle_algorithm = True
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
        length = self._content_length()
        if length is None:
            self._refuse(400, "Content-Length is not a number")
            return
        if length > MAX_BODY_BYTES:
            # The body stays unread, so the connection cannot carry another request.
            self._refuse(413, "request body too large")
            return
        body = self.rfile.read(length) if length > 0 else b""
        url = urlsplit(self.path)
        request = HttpRequest(
            method=self.command.upper(),
            path=url.path,
            query=dict(parse_qsl(url.query, keep_blank_values=True)),
            headers={key.lower(): value for key, value in self.headers.items()},
            body=body,
            server_port=int(self.server.server_address[1]),
        )
        try:
            response = self.server.router.resolve(request)
        except DropConnection:
            self.close_connection = True
            return
        except Exception:
            logger.exception("error handling %s %s", request.method, redact_token(request.path))
            response = HttpResponse.json(
                {"ok": False, "error_code": 500, "description": "Internal Server Error"}, 500
            )
        self._write(response)

    def _content_length(self) -> int | None:
        """The request's Content-Length (0 when absent); None when it is not a valid number."""
        values = {value.strip() for value in self.headers.get_all("Content-Length") or []}
        if not values:
            return 0
        if len(values) > 1:
            return None
        (value,) = values
        return int(value) if _DIGITS_RE.fullmatch(value) else None

    def _refuse(self, status: int, error: str) -> None:
        """Answer ``status`` with ``{"error": error}`` and close the connection.

        Used when the body cannot be read, so what follows on the connection is unknown.
        """
        self.close_connection = True
        self._write(
            HttpResponse(
                status,
                json.dumps({"error": error}).encode("utf-8"),
                headers=(("Connection", "close"),),
            )
        )

    def _write(self, response: HttpResponse) -> None:
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            self.send_header("Cache-Control", "no-store")
            for name, value in response.headers:
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            # The client went away, e.g. a browser tab closed during a long poll.
            logger.debug("client %s left before the answer", self.address_string())
            self.close_connection = True
