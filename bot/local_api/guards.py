"""Who may talk to the server: checks run before routing, against other sites in a browser.

The server listens on the loopback, but a web page in the user's browser can still reach it:
by a form POST from any site (no CORS needed), or by DNS rebinding (the page's own name made to
point at 127.0.0.1, so the browser treats the server as the page's origin). Every request must
therefore name this server in ``Host``; the control API (``/api/``) accepts only its own
page's origin, and the bot routes (``/bot<token>/``) accept no browser at all.
"""

from __future__ import annotations

from .http import HttpRequest, HttpResponse

API_PREFIX = r"/api/"
"""Paths guarded by :func:`refuse_foreign_request`."""

BOT_PREFIX = r"/bot"
"""Paths guarded by :func:`refuse_browser_request`."""

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
"""Names accepted in the ``Host`` header, with this server's port."""

LOOPBACK_ORIGIN_HOSTS = ("127.0.0.1", "localhost")
"""Hosts of the origins (``http://<host>:<port>``) accepted for ``/api/`` requests."""

BROWSER_HEADERS = ("origin", "sec-fetch-site", "sec-fetch-mode", "sec-fetch-dest")
"""Headers browsers add and HTTP client libraries (a bot's) do not."""


def _with_port(names: tuple[str, ...], port: int, prefix: str = "") -> set[str]:
    """``prefix + name + ":port"`` for each name; also without the port when it is 80,
    as browsers leave out the default port."""
    accepted = {f"{prefix}{name}:{port}" for name in names}
    if port == 80:
        accepted |= {f"{prefix}{name}" for name in names}
    return accepted


def foreign_host(request: HttpRequest) -> HttpResponse | None:
    """403 unless ``Host`` is a loopback name with this server's port (against DNS rebinding)."""
    host = request.headers.get("host", "").strip().lower()
    if host not in _with_port(LOOPBACK_HOSTS, request.server_port):
        return HttpResponse.json({"error": "Host header does not name this local server"}, 403)
    return None


def refuse_foreign_request(request: HttpRequest) -> HttpResponse | None:
    """403 or 415 for an ``/api/`` request that may come from another site; else None.

    ``Host`` must be a loopback name with this server's port, ``Origin`` (when present)
    this server's own origin, and a POST's ``Content-Type`` ``application/json``.
    """
    refusal = foreign_host(request)
    if refusal is not None:
        return refusal
    port = request.server_port
    origin = request.headers.get("origin")
    if origin is not None and origin.strip().lower() not in _with_port(
        LOOPBACK_ORIGIN_HOSTS, port, "http://"
    ):
        return HttpResponse.json({"error": "cross-origin requests are not allowed"}, 403)
    if request.method == "POST":
        media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media_type != "application/json":
            return HttpResponse.json({"error": "Content-Type must be application/json"}, 415)
    return None


def refuse_browser_request(request: HttpRequest) -> HttpResponse | None:
    """403 for a bot-route request from a browser (or naming another host); else None.

    A bot's HTTP client sends none of :data:`BROWSER_HEADERS`; every browser sends
    ``Sec-Fetch-*`` (and ``Origin`` on a POST), whichever page made the request.
    """
    refusal = foreign_host(request)
    if refusal is not None:
        return refusal
    if any(name in request.headers for name in BROWSER_HEADERS):
        return HttpResponse.json(
            {
                "ok": False,
                "error_code": 403,
                "description": "Forbidden: browsers may not use the Bot API routes",
            },
            403,
        )
    return None
