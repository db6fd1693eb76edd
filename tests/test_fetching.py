"""retrieval/ingest/fetching.py against a real server on 127.0.0.1: hostile links and pages."""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import pytest

from corpusbot.retrieval.ingest.fetching import (
    Address,
    FetchError,
    FetchSettings,
    Validators,
    fetch,
    is_public,
)
from tests.web_server import Reply, Site, serve

LOCAL = FetchSettings(allow_private=True, read_seconds=1.0, total_seconds=3.0)
PAGE = b"<html><head><title>Harbour</title></head><body><p>The harbour reopened.</p></body></html>"


@pytest.fixture
def site() -> Iterator[Site]:
    with serve() as running:
        yield running


def public_test_host(host: str, port: int) -> list[Address]:
    """A resolver in which news.test is a public host (it is this machine, 127.0.0.1)."""
    if host == "news.test":
        return [Address("127.0.0.1", True)]
    return [Address("127.0.0.1", False)]


def test_a_page_is_fetched_and_decoded(site: Site) -> None:
    site.pages["/a"] = Reply(PAGE)
    found = fetch(site.url("/a"), LOCAL)
    assert (found.kind, found.text) == ("html", PAGE.decode())


@pytest.mark.parametrize(
    "ip", ["127.0.0.1", "10.1.2.3", "192.168.0.9", "169.254.169.254", "::1", "fd00::1"]
)
def test_private_loopback_and_metadata_addresses_are_not_public(ip: str) -> None:
    assert not is_public(ip)


def test_loopback_is_refused_unless_allowed(site: Site) -> None:
    site.pages["/a"] = Reply(PAGE)
    with pytest.raises(FetchError, match="private or local address"):
        fetch(site.url("/a"), FetchSettings())
    assert site.hits == {}  # refused before connecting


def test_the_checked_address_is_the_one_connected_with_the_host_name_sent(site: Site) -> None:
    site.pages["/a"] = Reply(PAGE)
    found = fetch(site.url("/a", host="news.test"), FetchSettings(), resolver=public_test_host)
    assert found.text == PAGE.decode()
    assert site.hosts == [f"news.test:{site.port}"]


def test_a_redirect_to_a_private_address_is_refused(site: Site) -> None:
    site.pages["/go"] = Reply(status=302, headers={"Location": site.url("/secret")})
    site.pages["/secret"] = Reply(b"cloud credentials")
    with pytest.raises(FetchError, match="private or local address"):
        fetch(site.url("/go", host="news.test"), FetchSettings(), resolver=public_test_host)
    assert "/secret" not in site.hits


def test_redirects_are_followed_up_to_the_limit(site: Site) -> None:
    site.pages["/a"] = Reply(status=301, headers={"Location": "/b"})
    site.pages["/b"] = Reply(PAGE)
    assert fetch(site.url("/a"), LOCAL).url == site.url("/b")
    for n in range(10):
        site.pages[f"/loop{n}"] = Reply(status=302, headers={"Location": f"/loop{n + 1}"})
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetch(site.url("/loop0"), LOCAL)


def test_only_http_and_https(site: Site) -> None:
    for link in ("ftp://example.org/a", "file:///etc/passwd", "javascript:alert(1)", "/a"):
        with pytest.raises(FetchError, match="only http and https"):
            fetch(link, LOCAL)


def test_a_slow_page_times_out(site: Site) -> None:
    site.pages["/slow"] = Reply(PAGE, delay=3.0)
    with pytest.raises(FetchError, match="too long"):
        fetch(site.url("/slow"), LOCAL)


def test_a_huge_page_and_a_gzip_bomb_are_stopped_at_the_cap(site: Site) -> None:
    settings = FetchSettings(allow_private=True, max_bytes=100_000)
    site.pages["/huge"] = Reply(b"<p>" + b"x" * 300_000)
    bomb = gzip.compress(b"\0" * 50_000_000)  # 50 MB in about 50 KB
    site.pages["/bomb"] = Reply(
        bomb, headers={"Content-Type": "text/html", "Content-Encoding": "gzip"}
    )
    for path in ("/huge", "/bomb"):
        with pytest.raises(FetchError, match="larger than"):
            fetch(site.url(path), settings)


def test_other_content_types_are_refused_with_the_reason(site: Site) -> None:
    site.pages["/doc.pdf"] = Reply(b"%PDF-1.7", headers={"Content-Type": "application/pdf"})
    with pytest.raises(FetchError, match="application/pdf"):
        fetch(site.url("/doc.pdf"), LOCAL)


def test_the_charset_comes_from_the_headers_or_the_meta_tag(site: Site) -> None:
    text = "<html><body><p>Café in Zürich</p></body></html>"
    site.pages["/header"] = Reply(
        text.encode("latin-1"), headers={"Content-Type": "text/html; charset=ISO-8859-1"}
    )
    meta = f'<html><head><meta charset="windows-1252"></head>{text}</html>'
    site.pages["/meta"] = Reply(meta.encode("cp1252"))
    assert "Café in Zürich" in fetch(site.url("/header"), LOCAL).text
    assert "Café in Zürich" in fetch(site.url("/meta"), LOCAL).text


def test_a_server_error_is_a_reason(site: Site) -> None:
    site.pages["/down"] = Reply(b"oops", status=503)
    with pytest.raises(FetchError, match="answered 503"):
        fetch(site.url("/down"), LOCAL)


def test_a_conditional_request_sends_the_validators_back_exactly(site: Site) -> None:
    modified = "Tue, 03 Mar 2026 10:00:00 GMT"
    headers = {"Content-Type": "application/rss+xml", "ETag": 'W/"abc"', "Last-Modified": modified}
    site.pages["/rss"] = Reply(b"<rss/>", headers=headers)
    first = fetch(site.url("/rss"), LOCAL, validators=Validators())
    assert (first.not_modified, first.raw, first.validators) == (
        False,
        b"<rss/>",
        Validators('W/"abc"', modified),
    )
    second = fetch(site.url("/rss"), LOCAL, validators=first.validators)
    assert second.not_modified and second.validators == first.validators
    assert site.requests[-1]["If-None-Match"] == 'W/"abc"'
    assert site.requests[-1]["If-Modified-Since"] == modified
    # A server that changed the page sends it whole, with its new validators.
    site.pages["/rss"] = Reply(b"<rss></rss>", headers={**headers, "ETag": '"def"'})
    third = fetch(site.url("/rss"), LOCAL, validators=second.validators)
    assert not third.not_modified and third.validators.etag == '"def"'
    # Without validators a request is plain, and a 304 would be an error.
    fetch(site.url("/rss"), LOCAL)
    assert "If-None-Match" not in site.requests[-1]
