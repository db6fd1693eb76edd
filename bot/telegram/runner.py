"""`corpusbot run`: check the token, open the history and then the index, poll; every way it ends
as an exit status.

0 after a clean stop (Ctrl+C, SIGTERM); 2 for what the user must fix (no token, a rejected
token, a missing corpus folder, a history database in use); 1 when the Bot API cannot be
reached or the bot stops on an unexpected error. Failures print one line; the traceback only
with --debug.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
from collections.abc import Callable

from telegram.error import InvalidToken, NetworkError

from corpusbot.bot.answer import respell
from corpusbot.bot.app import Service
from corpusbot.bot.history import HistoryBusy
from corpusbot.bot.telegram.bot_state import BotApplication
from corpusbot.bot.telegram.history_handlers import open_history
from corpusbot.bot.telegram.redaction import install_log_redaction
from corpusbot.bot.telegram.telegram_app import build_application, run_polling
from corpusbot.config.settings import Settings, checked_base_url
from corpusbot.retrieval.compiled import coverage_kernel, kernel, sentence_kernel

log = logging.getLogger("corpusbot.telegram")

NO_TOKEN = """corpusbot: no Telegram bot token.
Create a bot: open Telegram, talk to @BotFather, send /newbot and follow the steps; it replies
with a token like 123456789:AA... Then either
  export TELEGRAM_BOT_TOKEN='<the token>'
or put it in a settings file passed with --config:
  [telegram]
  token = "<the token>"
and run `corpusbot run` again. To try the bot first without a token, chat with it in your
browser: `corpusbot run --local`."""


def with_base_url(settings: Settings, base_url: str | None) -> Settings:
    if not base_url:
        return settings
    telegram = dataclasses.replace(
        settings.telegram, base_url=checked_base_url(base_url, "--base-url")
    )
    return dataclasses.replace(settings, telegram=telegram)


def run_command(
    settings: Settings,
    open_service: Callable[[Settings], Service],
    base_url: str | None = None,
    debug: bool = False,
) -> int:
    """`corpusbot run`: check the token, open the index, poll; the exit status."""
    settings = with_base_url(settings, base_url)  # a bad URL: SettingsError, one line, exit 2
    url = settings.telegram.base_url
    token = settings.telegram.token
    if not token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    redactor = install_log_redaction(token, debug)
    try:
        run_polling(_application(settings, open_service))
    except HistoryBusy as exc:  # history hook: a second bot on the same database
        print(f"corpusbot: {exc}", file=sys.stderr)
        return 2
    except InvalidToken:
        print(
            "corpusbot: Telegram rejected the bot token; check TELEGRAM_BOT_TOKEN "
            "(@BotFather's /token shows it again).",
            file=sys.stderr,
        )
        return 2
    except NetworkError as exc:
        where = url or "api.telegram.org"
        print(
            redactor.redact(f"corpusbot: cannot reach the Bot API at {where}: {exc}"),
            file=sys.stderr,
        )
        return 1
    except FileNotFoundError as exc:  # the corpus folder
        print(redactor.redact(f"corpusbot: {exc}"), file=sys.stderr)
        return 2
    except Exception as exc:
        if debug:
            log.exception("the bot stopped on an unexpected error")
        else:
            print(
                redactor.redact(
                    f"corpusbot: the bot stopped on an unexpected error: "
                    f"{type(exc).__name__}: {exc} (run with --debug for details)"
                ),
                file=sys.stderr,
            )
        return 1
    return 0


def _application(settings: Settings, open_service: Callable[[Settings], Service]) -> BotApplication:
    """The bot with its index and history. The history database is opened first: a second bot
    on the same file (HistoryBusy) must stop at once, not after reading the corpus and loading
    or building its index, which takes minutes for a big one."""
    history = open_history(settings)
    try:
        service = open_service(settings)
    except BaseException:
        history.close()  # releases the lock at once (exiting would too)
        raise
    # the compiled search, sentence reading and coverage check, for large indexes; the names'
    # spelling table
    kernel.load_in_background(len(service.index), sentence_kernel.load, coverage_kernel.load)
    respell.prepare_in_background(service.index)
    service.update_in_worker()  # updates and merges then never hold up an answer
    return build_application(service, settings, history)
