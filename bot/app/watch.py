"""Watching the corpus folder: reload when its files change (setting corpus.watch_seconds)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from corpusbot.bot.app.service import Reload, Service

log = logging.getLogger(__name__)


async def watch_corpus(
    service: Service, interval: float, on_reload: Callable[[Reload], Awaitable[None]]
) -> None:
    """Every `interval` seconds, reload if the corpus changed; runs until cancelled.

    Checking stats every file, so both the check and the rebuild run in a worker thread.
    """
    while True:
        await asyncio.sleep(interval)
        try:
            if not await asyncio.to_thread(service.corpus_changed):
                continue
            result = await asyncio.to_thread(service.reload)
        except Exception:  # the watcher must outlive any one failure
            log.exception("corpus watch failed")
            continue
        await on_reload(result)
