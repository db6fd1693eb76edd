"""`corpusbot run --local`: the real bot against the local Bot API server, with a chat page.

No token and no network: the bot polls a server on 127.0.0.1 exactly as it polls Telegram, and
a person talks to it from a browser page that server serves.
"""

from __future__ import annotations

import dataclasses
import secrets
import sys
from collections.abc import Callable

from corpusbot.bot.answer import counted
from corpusbot.bot.app import Service
from corpusbot.bot.local_api import LocalBotApi
from corpusbot.config.settings import Settings

LOCAL_BOT_ID = 1_000_000_001  # the bot's user id: the token's number


def local_token() -> str:
    """A fresh token for one `run --local`: the server accepts only it, and no web page can
    guess it (a fixed token would let any page address the bot routes)."""
    return f"{LOCAL_BOT_ID}:{secrets.token_urlsafe(32)}"


def run_local(
    settings: Settings, open_service: Callable[[Settings], Service], port: int, debug: bool = False
) -> int:
    """Start the local server with its chat page, then the bot; the exit status."""
    from corpusbot.bot.telegram import run_command  # the telegram side loads only for `run`

    token = local_token()
    try:
        server = LocalBotApi(port=port, token=token, webchat=True).start()
    except OSError as exc:
        print(
            f"corpusbot: cannot listen on 127.0.0.1:{port} ({exc.strerror or exc}); "
            "choose another port with --port (0 picks a free one)",
            file=sys.stderr,
        )
        return 2
    # The local server has no flood limit, so the bot need not pace itself for one.
    telegram = dataclasses.replace(
        settings.telegram,
        token=token,
        base_url=server.base_url,
        max_sends_per_second=0.0,
        # The page's person owns this machine: unless admins are set, each tab is one.
        everyone_admin=not settings.telegram.admins,
    )
    local = dataclasses.replace(settings, telegram=telegram)

    def open_and_announce(chosen: Settings) -> Service:
        service = open_service(chosen)  # index first: the page answers as soon as it shows
        print(
            f"corpusbot is running locally with "
            f"{counted(len(service.index.articles), 'article')}.\n"
            f"Open {server.url}/ in your browser to chat with it (Ctrl+C stops).",
            flush=True,
        )
        return service

    try:
        return run_command(local, open_and_announce, debug=debug)
    finally:
        server.stop()
