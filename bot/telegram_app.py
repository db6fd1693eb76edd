"""The python-telegram-bot `Application`: building it, registering the commands, polling,
and keeping the bot token out of every log line and error message.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import logging
import signal
import sys
import traceback
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

import httpx
from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from corpusbot.bot import handlers, history_handlers, messages
from corpusbot.bot.history.store import HistoryBusy
from corpusbot.bot.messages import COMMANDS
from corpusbot.bot.ratelimit import RateLimiter
from corpusbot.bot.service import Reload, Service
from corpusbot.bot.settings import Settings, checked_base_url
from corpusbot.bot.watch import watch_corpus

log = logging.getLogger("corpusbot.telegram")

CONCURRENT_UPDATES = 8
WATCHER = "corpus_watcher"  # bot_data key of the folder-watching task
FLOOD_RETRIES = 3  # RetryAfter (HTTP 429) retries, waiting as long as Telegram asks
NETWORK_RETRIES = 2  # retries of a failed send on connection errors and 5xx
NETWORK_BACKOFF = 0.5  # seconds, doubled each retry
BOOTSTRAP_RETRIES = 2  # retries of getMe / deleteWebhook at start-up
POLL_TIMEOUT = 10  # seconds a getUpdates long poll waits
INVALID_RESPONSE = "Invalid server response"  # python-telegram-bot's error for a non-JSON body
# Requests that do no harm if they arrive twice, so any network error may be retried.
HARMLESS_TWICE = frozenset({"getUpdates", "getMe", "deleteWebhook", "setMyCommands",
                            "sendChatAction", "answerCallbackQuery"})
ALLOWED_UPDATES = ["message", "callback_query"]  # edited messages are not new questions

NO_TOKEN = """corpusbot: no Telegram bot token.
Create a bot: open Telegram, talk to @BotFather, send /newbot and follow the steps; it replies
with a token like 123456789:AA... Then either
  export TELEGRAM_BOT_TOKEN='<the token>'
or put it in a settings file passed with --config:
  [telegram]
  token = "<the token>"
and run `corpusbot run` again."""


# --- the token out of logs -----------------------------------------------------------------


class TokenRedactor(logging.Filter):
    """Replaces the token (as is and URL-encoded) in a record's message and traceback."""

    MASK = "<TOKEN>"

    def __init__(self, token: str) -> None:
        super().__init__()
        self._secrets = sorted({s for s in (token, quote(token, safe="")) if s}, key=len,
                               reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, self.MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def install_log_redaction(token: str, debug: bool = False) -> TokenRedactor:
    """Redact `token` on every handler of the root logger; quiet httpx unless debugging.

    httpx logs each request URL at INFO, and Bot API URLs contain the token.
    """
    redactor = TokenRedactor(token)
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in root.handlers:
        handler.addFilter(redactor)
    logging.getLogger("httpx").setLevel(logging.INFO if debug else logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.INFO if debug else logging.WARNING)
    logging.getLogger("corpusbot").setLevel(logging.DEBUG if debug else logging.INFO)
    return redactor


# --- flood limits and network errors -------------------------------------------------------


class RetryingRateLimiter(AIORateLimiter):
    """AIORateLimiter (Telegram's flood limits, RetryAfter) plus retries on network errors.

    A request that Telegram refused (BadRequest) or that may have arrived (TimedOut) is not
    sent again, so a retry never duplicates a message. An unparsable answer (a proxy's error
    page, say) is retried like a 5xx: the request did not get a Bot API answer at all.
    """

    async def process_request(self, callback: Callable[..., Coroutine[Any, Any, Any]],
                              args: Any, kwargs: dict[str, Any], endpoint: str,
                              data: dict[str, Any], rate_limit_args: int | None) -> Any:
        delay = NETWORK_BACKOFF
        for attempt in range(NETWORK_RETRIES + 1):
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data,
                                                     rate_limit_args)
            except (BadRequest, TimedOut):
                raise
            except TelegramError as exc:
                if attempt == NETWORK_RETRIES or not _retryable(exc, endpoint):
                    raise
                log.warning("%s failed (%s); retrying in %.1f s", endpoint, exc, delay)
                await asyncio.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")


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


# --- the application -----------------------------------------------------------------------


def build_application(service: Service, settings: Settings) -> Application:
    """The bot, ready to poll (or to be driven by another runner), with `service` in bot_data."""
    telegram = settings.telegram
    builder = (
        Application.builder()
        .token(telegram.token)
        .defaults(Defaults(parse_mode=ParseMode.HTML,
                           link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .rate_limiter(RetryingRateLimiter(overall_max_rate=telegram.max_sends_per_second,
                                          max_retries=FLOOD_RETRIES))
        .concurrent_updates(CONCURRENT_UPDATES)
        .post_init(start_background_work)
        .post_stop(stop_background_work)
    )
    if telegram.base_url:
        builder = builder.base_url(telegram.base_url)
    application = builder.build()
    application.bot_data[handlers.SERVICE] = service
    if telegram.rate_per_minute > 0:
        application.bot_data[handlers.LIMITER] = RateLimiter(telegram.rate_per_minute,
                                                             telegram.rate_burst)
    history_handlers.attach(application, settings)  # history hook: may raise HistoryBusy
    add_handlers(application)
    return application


def add_handlers(application: Application) -> None:
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    plain_text = filters.TEXT & ~filters.COMMAND
    application.add_handler(TypeHandler(Update, handlers.gate), group=-1)
    history_handlers.add_handlers(application)  # history hook: /stats, /forget, 👍/👎 first
    application.add_handlers([
        CommandHandler("start", handlers.start),
        CommandHandler("help", handlers.help_command),
        CommandHandler("sources", handlers.sources),
        CommandHandler("latest", handlers.latest),
        CommandHandler("source", handlers.source),
        CommandHandler("ask", handlers.ask_command),
        CommandHandler("reload", handlers.reload_command),
        MessageHandler(plain_text & private, handlers.private_question),
        MessageHandler(plain_text & groups, handlers.group_message),
        MessageHandler(filters.COMMAND & private, handlers.unknown_command),
        MessageHandler(~filters.TEXT & private, handlers.not_text),
        CallbackQueryHandler(handlers.button),
    ])
    application.add_error_handler(handlers.on_error)


async def start_background_work(application: Application) -> None:
    """At start-up: register the commands, and watch the corpus folder if the settings say so."""
    await register_commands(application)
    service: Service = application.bot_data[handlers.SERVICE]
    interval = service.settings.watch_seconds
    if interval > 0:
        notify = functools.partial(tell_admins, application)
        application.bot_data[WATCHER] = asyncio.create_task(
            watch_corpus(service, interval, notify), name="corpus-watch")
        log.info("watching %s every %g s", service.settings.corpus, interval)


async def stop_background_work(application: Application) -> None:
    history_handlers.detach(application)  # history hook: close the database, free its lock
    watcher: asyncio.Task | None = application.bot_data.pop(WATCHER, None)
    if watcher is not None:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher


async def tell_admins(application: Application, result: Reload) -> None:
    """Report a reload the watcher made to every admin (failures matter most)."""
    service: Service = application.bot_data[handlers.SERVICE]
    log.info("corpus changed: reload ok=%s %s", result.ok,
             result.error or result.changes.summary())
    text = messages.reload_report(result, len(service.index.articles))
    for admin in service.settings.telegram.admins:
        try:
            await application.bot.send_message(admin, text)
        except TelegramError as exc:  # an admin who never wrote to the bot cannot be told
            log.warning("could not tell admin %s about the reload: %s", admin, exc)


async def register_commands(application: Application) -> None:
    """setMyCommands, so Telegram's menu lists them."""
    await application.bot.set_my_commands([BotCommand(name, text) for name, text in COMMANDS])
    service: Service = application.bot_data[handlers.SERVICE]
    log.info("polling as @%s with %d articles; Ctrl+C stops", application.bot.username,
             len(service.index.articles))


def run_polling(application: Application) -> None:
    """Poll until SIGINT or SIGTERM, then shut down cleanly."""
    application.run_polling(
        timeout=POLL_TIMEOUT,
        bootstrap_retries=BOOTSTRAP_RETRIES,
        allowed_updates=ALLOWED_UPDATES,
        stop_signals=(signal.SIGINT, signal.SIGTERM),
    )


# --- `corpusbot run` -----------------------------------------------------------------------


def with_base_url(settings: Settings, base_url: str | None) -> Settings:
    if not base_url:
        return settings
    telegram = dataclasses.replace(settings.telegram,
                                   base_url=checked_base_url(base_url, "--base-url"))
    return dataclasses.replace(settings, telegram=telegram)


def run_command(settings: Settings, open_service: Callable[[Settings], Service],
                base_url: str | None = None, debug: bool = False) -> int:
    """`corpusbot run`: check the token, open the index, poll; the exit status."""
    settings = with_base_url(settings, base_url)  # a bad URL: SettingsError, one line, exit 2
    url = settings.telegram.base_url
    token = settings.telegram.token
    if not token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    redactor = install_log_redaction(token, debug)
    try:
        run_polling(build_application(open_service(settings), settings))
    except HistoryBusy as exc:  # history hook: a second bot on the same database
        print(f"corpusbot: {exc}", file=sys.stderr)
        return 2
    except InvalidToken:
        print("corpusbot: Telegram rejected the bot token; check TELEGRAM_BOT_TOKEN "
              "(@BotFather's /token shows it again).", file=sys.stderr)
        return 2
    except NetworkError as exc:
        where = url or "api.telegram.org"
        print(redactor.redact(f"corpusbot: cannot reach the Bot API at {where}: {exc}"),
              file=sys.stderr)
        return 1
    except Exception:
        log.exception("the bot stopped on an unexpected error")
        return 1
    return 0
