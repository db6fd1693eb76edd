"""Tests for bot.retry: which failed requests are sent again."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from telegram.error import BadRequest, NetworkError, TelegramError

from corpusbot.bot.local_api import LocalBotApi
from corpusbot.bot.telegram import retry
from corpusbot.bot.telegram.retry import PollingHealth, RetryingRateLimiter, WatchedPollRequest

TOKEN = "123456:TEST-token"


def test_only_sends_that_cannot_have_arrived_are_retried() -> None:
    def caused(error: Exception) -> NetworkError:
        try:
            raise NetworkError(f"httpx.{type(error).__name__}") from error
        except NetworkError as exc:
            return exc

    lost_after_sending = caused(httpx.ReadError("connection reset"))
    assert not retry._retryable(lost_after_sending, "sendMessage")
    assert retry._retryable(lost_after_sending, "getUpdates")  # harmless twice
    assert retry._retryable(caused(httpx.ConnectError("refused")), "sendMessage")
    assert retry._retryable(NetworkError("Bad Gateway"), "sendMessage")  # the server said no
    assert retry._retryable(TelegramError("Invalid server response"), "sendMessage")
    assert not retry._retryable(TelegramError("something else"), "sendMessage")


async def test_rate_limiter_retries_network_errors_but_not_refusals() -> None:
    limiter = RetryingRateLimiter()
    await limiter.initialize()
    calls: list[str] = []

    async def flaky(*args: object, **kwargs: object) -> bool:
        calls.append("x")
        if len(calls) == 1:
            raise NetworkError("connection reset")
        return True

    async def refused(*args: object, **kwargs: object) -> bool:
        calls.append("y")
        raise BadRequest("message is too long")

    retry.NETWORK_BACKOFF, backoff = 0.01, retry.NETWORK_BACKOFF
    try:
        assert await limiter.process_request(flaky, (), {}, "sendMessage", {"chat_id": 1}, None)
        assert calls == ["x", "x"]
        with pytest.raises(BadRequest):
            await limiter.process_request(refused, (), {}, "sendMessage", {"chat_id": 1}, None)
        assert calls.count("y") == 1
    finally:
        retry.NETWORK_BACKOFF = backoff
        await limiter.shutdown()


async def test_a_poll_connection_left_occupied_does_not_block_the_next_poll() -> None:
    # httpcore can leave the one poll connection held by a request that was cancelled
    # (encode/httpcore#1093), and then every later getUpdates, the confirmation at a stop
    # included, times out waiting for it. A request that holds it and is not done stands in.
    with LocalBotApi() as server:
        request = WatchedPollRequest(PollingHealth())
        await request.initialize()
        url = f"{server.base_url}{TOKEN}/getUpdates"
        holder = asyncio.create_task(request.do_request(f"{url}?timeout=8", "POST"))
        try:
            await asyncio.sleep(0.3)  # the holder has the connection and waits for updates
            status, _ = await request.do_request(f"{url}?timeout=0", "POST")
            assert status == 200
        finally:
            holder.cancel()
            await request.shutdown()
