"""``python -m corpusbot.bot.local_api``: run the server until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import logging
import signal
import threading

from .server import LocalBotApi


def main(argv: list[str] | None = None) -> int:
    """Run the server until Ctrl-C or SIGTERM."""
    parser = argparse.ArgumentParser(
        prog="python -m corpusbot.bot.local_api",
        description="Local Telegram Bot API for corpusbot.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (loopback)")
    parser.add_argument("--port", type=int, default=8081, help="port to bind (0: any free)")
    parser.add_argument("--token", default=None, help="accept only this bot token")
    parser.add_argument("--bot-username", default="corpusbot_local_bot")
    parser.add_argument(
        "--webchat", action="store_true", help="also serve the browser chat page at /"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    server = LocalBotApi(args.host, args.port, args.token, args.bot_username, webchat=args.webchat)
    with server:
        print(f"corpusbot local Bot API on {server.url} (base_url {server.base_url})", flush=True)
        if args.webchat:
            print(f"chat page: {server.url}/", flush=True)
        while not stop.wait(0.5):
            pass
    print("stopped", flush=True)
    return 0
