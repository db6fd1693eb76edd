"""Fetching a web page for the corpus, without trusting the link or the server.

Only http and https. The host is resolved first and every address checked: loopback, private,
link-local (cloud metadata lives there), multicast and reserved addresses are refused unless
`allow_private` is set (an intranet, the tests). The connection then goes to the address that
was checked, with the host name sent as `Host` and as TLS's server name, so a name that resolves
elsewhere a moment later (DNS rebinding) changes nothing; and each redirect is checked again.
Connect, read and total timeouts; at most `max_redirects` redirects; the body read decompressed
up to `max_bytes` (a gzip bomb stops there); HTML, XHTML, RSS, Atom and plain text only. The page
is decoded from the charset its headers or its `<meta charset>` name, else a detected one; its
bytes are kept too, for a feed parser that reads the XML's own encoding.

A poll may be conditional: given the `Validators` (ETag, Last-Modified) of the last answer, the
request sends them back exactly, and a 304 comes back as a `Fetched` that is `not_modified`,
carrying the validators to keep (the 304's own when it sends new ones).
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

import httpx
from charset_normalizer import from_bytes

__all__ = [
    "Address",
    "FetchError",
    "FetchSettings",
    "Fetched",
    "Resolver",
    "Validators",
    "checked_url",
    "fetch",
    "refuse_private",
    "system_resolver",
]

ACCEPTED_TYPES = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "text",
    "application/rss+xml": "feed",
    "application/atom+xml": "feed",
    "application/xml": "feed",
    "text/xml": "feed",
}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


@dataclass(frozen=True)
class FetchSettings:
    """[fetch] in the settings (config/default.toml documents each)."""

    allow_private: bool = False
    connect_seconds: float = 5.0
    read_seconds: float = 10.0
    total_seconds: float = 30.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    user_agent: str = "corpusbot/0.1 (a news archive bot; fetches pages it is given)"


@dataclass(frozen=True)
class Address:
    ip: str
    public: bool  # not loopback, private, link-local, multicast or reserved


Resolver = Callable[[str, int], list[Address]]


@dataclass(frozen=True)
class Validators:
    """What a server said identifies its answer, sent back on the next poll."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Fetched:
    url: str  # where the page was found, after redirects
    kind: str  # "html", "text" or "feed"; "" when not_modified
    text: str  # decoded
    fetched_at: float  # Unix time
    raw: bytes = b""  # the body as it came (decompressed)
    content_type: str = ""
    validators: Validators = field(default_factory=Validators)
    not_modified: bool = False  # a 304 to a conditional request: nothing new


class FetchError(Exception):
    """Why a link gave no page; the message is for the person who gave it."""


def system_resolver(host: str, port: int) -> list[Address]:
    """The host's addresses from the system's resolver, each judged public or not."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError(f"{host} could not be resolved ({exc.strerror})") from None
    ips = dict.fromkeys(str(info[4][0]) for info in found)
    return [Address(ip, is_public(ip)) for ip in ips]


def is_public(ip: str) -> bool:
    address = ipaddress.ip_address(ip.split("%")[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def fetch(
    url: str,
    settings: FetchSettings,
    *,
    resolver: Resolver = system_resolver,
    transport: httpx.BaseTransport | None = None,
    validators: Validators | None = None,
) -> Fetched:
    """The page at `url`, decoded; FetchError with the reason when there is none to have.
    With `validators`, the request is conditional and may come back `not_modified`."""
    deadline = time.monotonic() + settings.total_seconds
    timeout = httpx.Timeout(
        settings.read_seconds, connect=settings.connect_seconds, pool=settings.connect_seconds
    )
    with httpx.Client(timeout=timeout, transport=transport, follow_redirects=False) as client:
        for _hop in range(settings.max_redirects + 1):
            response_or_next = _get(client, url, settings, resolver, deadline, validators)
            if isinstance(response_or_next, str):
                url = response_or_next
                continue
            return response_or_next
    raise FetchError(f"more than {settings.max_redirects} redirects")


def _get(
    client: httpx.Client,
    url: str,
    settings: FetchSettings,
    resolver: Resolver,
    deadline: float,
    validators: Validators | None,
) -> Fetched | str:
    """One request: the page, or the URL a redirect points to."""
    parts = checked_url(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = _allowed_address(host, resolver(host, port), settings.allow_private)
    target = _with_address(parts, address)
    headers = {"Host": parts.netloc.rsplit("@", 1)[-1], "User-Agent": settings.user_agent}
    headers.update(_conditional_headers(validators))
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    try:
        with client.stream("GET", target, headers=headers, extensions=extensions) as response:
            if response.is_redirect and "location" in response.headers:
                return urljoin(url, response.headers["location"])
            kept = _validators(response, validators)
            if response.status_code == 304 and validators is not None:
                return Fetched(url, "", "", time.time(), validators=kept, not_modified=True)
            if not response.is_success:
                raise FetchError(f"the server answered {response.status_code}")
            content_type = response.headers.get("content-type", "")
            kind = _kind(content_type)
            body = _read(response, settings.max_bytes, deadline)
            text = _decoded(body, content_type)
            return Fetched(url, kind, text, time.time(), body, content_type, kept)
    except httpx.TimeoutException:
        raise FetchError("the server took too long to answer") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"the page could not be fetched ({type(exc).__name__})") from None


def _conditional_headers(validators: Validators | None) -> dict[str, str]:
    """The validators sent back exactly as the server gave them."""
    headers = {}
    if validators is not None and validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators is not None and validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    return headers


def _validators(response: httpx.Response, earlier: Validators | None) -> Validators:
    """The response's validators; on a 304 that repeats none, the earlier ones stay."""
    etag = response.headers.get("etag")
    modified = response.headers.get("last-modified")
    if response.status_code == 304 and earlier is not None:
        return Validators(etag or earlier.etag, modified or earlier.last_modified)
    return Validators(etag, modified)


def checked_url(url: str) -> SplitResult:
    """`url` split, when it is an http(s) link with a host; FetchError otherwise."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FetchError("only http and https links can be added")
    return parts


def refuse_private(
    url: str, settings: FetchSettings, *, resolver: Resolver = system_resolver
) -> None:
    """FetchError when `url` is no http(s) link, or its host resolves only to private or local
    addresses while `settings.allow_private` is off: for links kept to fetch later (feeds), so
    that they are refused when given, not at every poll. A host that does not resolve now is
    let through: the fetch checks again, and says so then."""
    parts = checked_url(url)
    if settings.allow_private or parts.hostname is None:
        return
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    try:
        addresses = resolver(parts.hostname, port)
    except FetchError:
        return
    if addresses:
        _allowed_address(parts.hostname, addresses, allow_private=False)


def _allowed_address(host: str, addresses: list[Address], allow_private: bool) -> Address:
    if not addresses:
        raise FetchError(f"{host} has no address")
    for address in addresses:
        if address.public or allow_private:
            return address
    raise FetchError(
        f"{host} is a private or local address ({addresses[0].ip}); "
        "set [fetch] allow_private = true to fetch from an intranet"
    )


def _with_address(parts: SplitResult, address: Address) -> str:
    ip = f"[{address.ip}]" if ":" in address.ip else address.ip
    netloc = f"{ip}:{parts.port}" if parts.port else ip
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


def _kind(content_type: str) -> str:
    media = content_type.split(";")[0].strip().lower()
    if media not in ACCEPTED_TYPES:
        shown = media or "no content type"
        raise FetchError(f"not a web page or feed ({shown}); only HTML, RSS, Atom and text")
    return ACCEPTED_TYPES[media]


def _read(response: httpx.Response, limit: int, deadline: float) -> bytes:
    """The body, decompressed, up to `limit` bytes and until `deadline`."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise FetchError(f"the page is larger than {limit // 1_000_000} MB")
        if time.monotonic() > deadline:
            raise FetchError("the page took too long to arrive")
        chunks.append(chunk)
    return b"".join(chunks)


def _decoded(body: bytes, content_type: str) -> str:
    """`body` as text: the charset of the headers, else of `<meta charset>`, else detected."""
    named = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", content_type, re.I)
    meta = _META_CHARSET.search(body[:4096])
    for charset in (named.group(1) if named else None, meta.group(1).decode() if meta else None):
        if charset:
            try:
                return body.decode(charset)
            except (LookupError, UnicodeDecodeError):
                continue
    best = from_bytes(body).best()
    return str(best) if best is not None else body.decode("utf-8", "replace")
