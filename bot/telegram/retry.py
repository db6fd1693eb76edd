"""When to send a Bot API request again, and how polling failures are reported.

Sends are retried only when they cannot have arrived (a 5xx answer, no connection, an
unparsable answer), so a retry never duplicates a message; a failing poll is logged once when
it starts failing and once when it works again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from enum import StrEnum
from http import HTTPStatus
from typing import Any

import httpx
from telegram.error import BadRequest, Conflict, NetworkError, TelegramError, TimedOut
from telegram.ext import AIORateLimiter
from telegram.request import BaseRequest, HTTPXRequest

log = logging.getLogger("corpusbot.telegram")

FLOOD_RETRIES = 3  # RetryAfter (HTTP 429) retries, waiting as long as Telegram asks
NETWORK_RETRIES = 2  # retries of a failed send on connection errors and 5xx
NETWORK_BACKOFF = 0.5  # seconds, doubled each retry
INVALID_RESPONSE = "Invalid server response"  # python-telegram-bot's error for a non-JSON body
# Requests that do no harm if they arrive twice, so any network error may be retried.
HARMLESS_TWICE = frozenset(
    {
        "getUpdates",
        "getMe",
        "deleteWebhook",
        "setMyCommands",
        "sendChatAction",
        "answerCallbackQuery",
    }
)
# Polls and start-up calls: their failures are reported as a state (down, back up) or as the
# start-up failure, not as one line per retry.
QUIET_RETRIES = frozenset({"getUpdates", "getMe", "deleteWebhook"})


class RetryingRateLimiter(AIORateLimiter):
    """AIORateLimiter (Telegram's flood limits, RetryAfter) plus retries on network errors.

    A request that Telegram refused (BadRequest) or that may have arrived (TimedOut) is not
    sent again, so a retry never duplicates a message. An unparsable answer (a proxy's error
    page, say) is retried like a 5xx: the request did not get a Bot API answer at all.
    """

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        delay = NETWORK_BACKOFF
        for attempt in range(NETWORK_RETRIES + 1):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except (BadRequest, TimedOut):
                raise
            except TelegramError as exc:
                if attempt == NETWORK_RETRIES or not _retryable(exc, endpoint):
                    raise
                level = logging.DEBUG if endpoint in QUIET_RETRIES else logging.WARNING
                log.log(level, "%s failed (%s); retrying in %.1f s", endpoint, exc, delay)
                await asyncio.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")


class PollState(StrEnum):
    """Whether the bot's polls reach the Bot API."""

    UP = "up"
    DOWN = "down"  # no connection, or no Bot API answer
    CONFLICT = "conflict"  # 409: another instance polls with the same token


class PollingHealth:
    """Logs one line when polling starts failing, and one when it works again, instead of a
    line (or a traceback) per failed poll; an outage can last hours at one poll a few seconds."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.state = PollState.UP
        self.clock = clock
        self._since = clock()

    def succeeded(self) -> None:
        if self.state is not PollState.UP:
            log.warning(
                "polling again after %.0f s (%s)",
                self.clock() - self._since,
                "the other instance stopped"
                if self.state is PollState.CONFLICT
                else "the Bot API answers again",
            )
            self.state, self._since = PollState.UP, self.clock()

    def failed(self, error: TelegramError) -> None:
        if isinstance(error, TimedOut):  # a slow answer to a long poll: not an outage
            return
        state = PollState.CONFLICT if isinstance(error, Conflict) else PollState.DOWN
        if state is self.state:
            return
        if state is PollState.CONFLICT:
            log.warning(
                "another instance is polling with this bot's token (409 Conflict); "
                "this one keeps trying: stop the other"
            )
        else:
            log.warning("Bot API unreachable (%s); polling keeps trying", error)
        self.state, self._since = state, self.clock()


class WatchedPollRequest(BaseRequest):
    """The getUpdates connection, reporting each poll's outcome to a :class:`PollingHealth`.

    Polls are made one at a time, so a connection pool of one. When that one connection is
    found taken, it is held by a request nobody waits for any more: httpcore can leave a
    cancelled request's connection behind (encode/httpcore#1093), as python-telegram-bot's
    stop cancels the poll in progress. Then the pool is replaced, or every later poll, the
    confirmation at a stop included, would time out.
    """

    def __init__(self, health: PollingHealth) -> None:
        self.health = health
        self._http = HTTPXRequest(connection_pool_size=1)

    @property
    def read_timeout(self) -> float | None:
        return self._http.read_timeout

    async def initialize(self) -> None:
        await self._http.initialize()

    async def shutdown(self) -> None:
        await self._http.shutdown()

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        try:
            status, payload = await self._send(*args, **kwargs)
        except TelegramError as exc:  # no answer at all: connection refused or lost
            self.health.failed(exc)
            raise
        if status == HTTPStatus.OK:
            self.health.succeeded()
        elif status == HTTPStatus.CONFLICT:
            self.health.failed(Conflict(f"HTTP {status}"))
        elif status >= HTTPStatus.INTERNAL_SERVER_ERROR:
            self.health.failed(NetworkError(f"HTTP {status}"))
        return status, payload

    async def _send(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        try:
            return await self._http.do_request(*args, **kwargs)
        except TimedOut as exc:
            if not isinstance(exc.__cause__, httpx.PoolTimeout):
                raise
        log.debug("the poll connection was left taken; polling on a new one")
        stale, self._http = self._http, HTTPXRequest(connection_pool_size=1)
        await stale.shutdown()
        await self._http.initialize()
        return await self._http.do_request(*args, **kwargs)


def _retryable(exc: TelegramError, endpoint: str) -> bool:
    """Whether sending again cannot deliver the same message twice.

    A server's error answer (5xx, no httpx error behind it), a connection never made and an
    unparsable answer mean the request was not carried out; a connection lost after sending
    (httpx ReadError, RemoteProtocolError) may mean it was, so only requests that are harmless
    twice are sent again then.
    """
    if str(exc) == INVALID_RESPONSE:
        return True
    if not isinstance(exc, NetworkError):
        return False
    cause = exc.__cause__
    return endpoint in HARMLESS_TWICE or cause is None or isinstance(cause, httpx.ConnectError)
