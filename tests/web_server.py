"""A small web server on 127.0.0.1 for the fetching tests: each path answers what the test
put there (status, headers, body, a delay), and every request is counted. A page served with an
ETag or Last-Modified answers a conditional request that sends it back with 304."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html"})
    delay: float = 0.0  # seconds before the body, after the headers


@dataclass
class Site:
    port: int
    pages: dict[str, Reply] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    hosts: list[str] = field(default_factory=list)  # each request's Host header
    requests: list[dict[str, str]] = field(default_factory=list)  # each request's headers

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


_KEPT = ("ETag", "Last-Modified")  # what a 304 repeats


def _unchanged(reply: Reply, asked: Message) -> bool:
    """A conditional request whose validators match the reply's exactly: 304, as a server
    that supports them answers (a reply without validators is always sent whole)."""
    etag, modified = reply.headers.get("ETag"), reply.headers.get("Last-Modified")
    if reply.status != 200 or not (etag or modified):
        return False
    if asked.get("If-None-Match") is not None:
        return asked.get("If-None-Match") == etag
    return modified is not None and asked.get("If-Modified-Since") == modified


@contextmanager
def serve() -> Iterator[Site]:
    """A running site; stopped on leaving."""
    site = Site(0)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.hits[self.path] = site.hits.get(self.path, 0) + 1
            site.hosts.append(self.headers.get("Host", ""))
            site.requests.append(dict(self.headers.items()))
            reply = site.pages.get(self.path, Reply(b"not here", 404))
            if _unchanged(reply, self.headers):
                reply = Reply(b"", 304, {k: v for k, v in reply.headers.items() if k in _KEPT})
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if reply.delay:
                time.sleep(reply.delay)
            # The client may have given up, as it should on a slow page.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(reply.body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    site.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
