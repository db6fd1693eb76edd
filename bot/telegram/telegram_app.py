"""The python-telegram-bot `Application`: building it, registering the handlers, polling.

Handler registration happens in one place, :func:`add_handlers`; the token's redaction lives in
bot/telegram/redaction.py, the retry policy in bot/telegram/retry.py, the exit statuses of `run` in
bot/telegram/runner.py.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import signal
from typing import NoReturn

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from corpusbot.bot.answer import counted
from corpusbot.bot.app import Reload, Service, watch_corpus
from corpusbot.bot.telegram import (
    article_buttons,
    feed_handlers,
    follow_handlers,
    handlers,
    history_handlers,
    inline,
    messages,
)
from corpusbot.bot.telegram.bot_state import (
    CONTEXT_TYPES,
    BotApplication,
    BotState,
    attach_state,
    state_of,
    stop_task,
    tell_admins,
)
from corpusbot.bot.telegram.chat_expiry import ChatExpiry
from corpusbot.bot.telegram.history_handlers import OpenedHistory
from corpusbot.bot.telegram.messages import COMMANDS
from corpusbot.bot.telegram.ratelimit import OncePer, RateLimiter, WaitingLine
from corpusbot.bot.telegram.retry import (
    FLOOD_RETRIES,
    PollingHealth,
    RetryingRateLimiter,
    WatchedPollRequest,
)
from corpusbot.config.settings import Settings

log = logging.getLogger("corpusbot.telegram")

CONCURRENT_UPDATES = 8
# A stop confirms the updates read: this many tries of at most this many seconds, a pause
# between (in all under 12 s, within the unit's TimeoutStopSec of 20).
CONFIRM_TRIES, CONFIRM_SECONDS, CONFIRM_PAUSE = 3, 3.0, 0.5
SECONDS_A_DAY = 86400.0
BOOTSTRAP_RETRIES = 2  # retries of getMe / deleteWebhook at start-up
POLL_TIMEOUT = 10  # seconds a getUpdates long poll waits
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
ALLOWED_UPDATES = ["message", "callback_query", *inline.UPDATES]  # edits are no new questions


def build_application(
    service: Service, settings: Settings, history: OpenedHistory | None = None
) -> BotApplication:
    """The bot, ready to poll (or to be driven by another runner), its state typed (BotState).
    `history`: the history database if the caller opened it already (runner.py does, first)."""
    telegram = settings.telegram
    builder = (
        Application.builder()
        .token(telegram.token)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
            )
        )
        .rate_limiter(
            RetryingRateLimiter(
                overall_max_rate=telegram.max_sends_per_second, max_retries=FLOOD_RETRIES
            )
        )
        .concurrent_updates(CONCURRENT_UPDATES)
        .context_types(CONTEXT_TYPES)
        .get_updates_request(WatchedPollRequest(PollingHealth()))
        .post_init(start_background_work)
        .post_stop(stop_background_work)
    )
    if telegram.base_url:
        builder = builder.base_url(telegram.base_url)
    application = builder.build()
    limiter = (
        RateLimiter(telegram.rate_per_minute, telegram.rate_burst)
        if telegram.rate_per_minute > 0
        else None
    )
    button_limiter = (
        RateLimiter(telegram.button_rate_per_minute, telegram.button_burst)
        if telegram.button_rate_per_minute > 0
        else None
    )
    attach_state(
        application,
        BotState(
            service=service,
            limiter=limiter,
            refusals=OncePer(handlers.REFUSAL_SECONDS),
            admin_reports=OncePer(handlers.ADMIN_REPORT_SECONDS),
            expiry=ChatExpiry(telegram.chat_ttl_days * SECONDS_A_DAY),
            button_limiter=button_limiter,
            waiting=WaitingLine(telegram.rate_queue),
        ),
    )
    history_handlers.attach(application, settings, history)  # history hook: may raise HistoryBusy
    add_handlers(application)
    return application


def add_handlers(application: BotApplication) -> None:
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    plain_text = filters.TEXT & ~filters.COMMAND & ~filters.VIA_BOT  # not a chosen inline card
    application.add_handler(TypeHandler(Update, handlers.gate), group=-1)
    history_handlers.add_handlers(application)  # history hook: /stats, /forget, 👍/👎 first
    article_buttons.add_handlers(application)  # Context / Full article / Related buttons
    feed_handlers.add_handlers(application)  # /feeds for admins
    follow_handlers.add_handlers(application)  # /follow, /following, /unfollow, Stop buttons
    inline.add_handlers(application)  # @bot question in any chat
    application.add_handlers(
        [
            CommandHandler("start", handlers.start),
            CommandHandler("help", handlers.help_command),
            CommandHandler("sources", handlers.sources),
            CommandHandler("latest", handlers.latest),
            CommandHandler("source", handlers.source),
            CommandHandler("ask", handlers.ask_command),
            CommandHandler("reload", handlers.reload_command),
            CommandHandler("add", handlers.add_command),
            MessageHandler(plain_text & private, handlers.private_question),
            MessageHandler(plain_text & groups, handlers.group_message),
            MessageHandler(filters.COMMAND & private, handlers.unknown_command),
            MessageHandler(~filters.TEXT & private, handlers.not_text),
            CallbackQueryHandler(handlers.button),
        ]
    )
    application.add_error_handler(handlers.on_error)


async def start_background_work(application: BotApplication) -> None:
    """At start-up: register the commands, watch the corpus folder if the settings say so, and
    read the feeds (bot/telegram/feed_handlers.py)."""
    await register_commands(application)
    state = state_of(application)
    service = state.service
    interval = service.settings.watch_seconds
    if interval > 0:
        notify = functools.partial(report_reload, application)
        state.watcher = asyncio.create_task(
            watch_corpus(service, interval, notify), name="corpus-watch"
        )
        log.info("watching %s every %g s", service.settings.corpus, interval)
    await follow_handlers.start_follows(application)
    await feed_handlers.start_feed_poller(application)


async def stop_background_work(application: BotApplication) -> None:
    history_handlers.detach(application)  # history hook: close the database, free its lock
    await feed_handlers.stop_feed_poller(application)
    await follow_handlers.stop_follows(application)
    state = state_of(application)
    watcher, state.watcher = state.watcher, None
    await stop_task(watcher)
    state.service.close()  # the index worker, mid-update or not: its steps are atomic
    for task in list(state.delayed):  # questions still waiting for their turn: the bot stops
        task.cancel()
    await confirm_read(application, state.last_update_id)


async def confirm_read(application: BotApplication, last_update_id: int) -> None:
    """Tell the Bot API every update up to `last_update_id` was read, so that a restart does
    not fetch them again (and answer them twice). python-telegram-bot makes one such call as
    it stops; under load it can time out, and then nothing says so again. Retried here, a few
    times, well within systemd's TimeoutStopSec (20 s): CONFIRM_TRIES x CONFIRM_SECONDS."""
    if not last_update_id:
        return
    for attempt in range(1, CONFIRM_TRIES + 1):
        try:
            await application.bot.get_updates(
                offset=last_update_id + 1, timeout=0, read_timeout=CONFIRM_SECONDS
            )
            return
        except TelegramError as exc:
            log.info("confirming the updates read failed (try %d): %s", attempt, exc)
            await asyncio.sleep(CONFIRM_PAUSE)
    log.warning("could not confirm the updates read; after a restart some may come again")


async def report_reload(application: BotApplication, result: Reload) -> None:
    """Report a reload the watcher made to every admin (failures matter most)."""
    service = state_of(application).service
    log.info("corpus changed: reload ok=%s %s", result.ok, result.error or result.changes.summary())
    text = messages.reload_report(result, len(service.index.articles))
    await tell_admins(application, text, about="the reload")


async def register_commands(application: BotApplication) -> None:
    """setMyCommands, so Telegram's menu lists them."""
    await application.bot.set_my_commands([BotCommand(name, text) for name, text in COMMANDS])
    service = state_of(application).service
    log.info(
        "polling as @%s with %s; Ctrl+C stops",
        application.bot.username,
        counted(len(service.index.articles), "article"),
    )


def run_polling(application: BotApplication) -> None:
    """Poll until SIGINT or SIGTERM, then shut down cleanly. Only the first signal stops it:
    python-telegram-bot's own handler raises at every signal, and a second one (an impatient
    Ctrl+C, a supervisor signalling twice) cut the stop under way short, leaving the updates
    read unconfirmed (answered again after a restart) and the service not closed."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)  # the loop run_polling runs on (and closes)
    for stop in STOP_SIGNALS:
        loop.add_signal_handler(stop, _stop_once, loop)
    application.run_polling(
        timeout=POLL_TIMEOUT,
        bootstrap_retries=BOOTSTRAP_RETRIES,
        allowed_updates=ALLOWED_UPDATES,
        stop_signals=None,
    )


def _stop_once(loop: asyncio.AbstractEventLoop) -> NoReturn:
    """Stop polling, as python-telegram-bot's own handler does, and ignore the stop signals
    from now on, also once the loop is closed: the stop has begun."""
    for stop in STOP_SIGNALS:
        loop.remove_signal_handler(stop)
        signal.signal(stop, signal.SIG_IGN)
    raise SystemExit
