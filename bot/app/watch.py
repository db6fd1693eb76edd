"""Watching the corpus folder: reload when its files change (setting corpus.watch_seconds).

The operating system tells which files changed (inotify and its kin, through `watchfiles`), so a
file copied in is searchable within about a second, and only the files named are looked at: a
look at a folder of 100,000 files takes a second of the answering process's time. Changes that
keep coming are taken in at most once every `watch_seconds`. The whole folder is still looked at
every LOOK_EVERY intervals, for a change the system does not report (a network folder), and every
interval when it cannot watch at all.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from pathlib import Path

from corpusbot.bot.app.service import Reload, Service
from corpusbot.retrieval.reading import is_article_name

log = logging.getLogger(__name__)

LOOK_EVERY = 10  # intervals between looks at the whole folder while the system reports changes

# The files changed under a folder, a set of relative "/"-separated names at a time.
Changes = Callable[[Path], AsyncIterator[set[str]]]


async def folder_changes(folder: Path) -> AsyncGenerator[set[str], None]:
    """The names of the files that change under `folder`, as the system reports them."""
    import watchfiles  # here: only a watching bot needs it

    root = os.fspath(folder.resolve())
    # step: a batch is yielded once 50 ms pass without a change (a copy of many files is one).
    async for batch in watchfiles.awatch(root, watch_filter=None, step=50, recursive=True):
        yield {_named(path, root) for _, path in batch} - {""}


def _named(path: str, root: str) -> str:
    """The corpus name of a changed `path`, "/"-ended when it is (or may have been) a folder,
    and "" for what the listing never reads: a hidden name, another kind of file."""
    name = os.path.relpath(path, root).replace(os.sep, "/")
    if name.startswith("..") or any(part.startswith(".") for part in name.split("/")):
        return ""
    folder = os.path.isdir(path)
    if is_article_name(name.rpartition("/")[2]) and not folder:
        return name
    if folder or not os.path.lexists(path):  # a folder, or a name now gone
        return name + "/"
    return ""


async def watch_corpus(
    service: Service,
    interval: float,
    on_reload: Callable[[Reload], Awaitable[None]],
    *,
    changes: Changes = folder_changes,
) -> None:
    """Reload when the corpus changes, at most once every `interval` seconds; runs until
    cancelled. `changes`: where the changed files are heard of."""
    pending = _Pending()
    listener = asyncio.create_task(pending.collect(changes(service.settings.corpus)))
    try:
        while True:
            look_after = interval * (LOOK_EVERY if pending.listening else 1)
            named = await pending.next(look_after)
            try:
                result = await _reloaded(service, named)
            except Exception:  # the watcher must outlive any one failure
                log.exception("corpus watch failed")
                result = None
            if result is not None:
                await on_reload(result)
            await asyncio.sleep(interval)  # changes meanwhile wait: a stream comes in batches
    finally:
        listener.cancel()


async def _reloaded(service: Service, named: set[str] | None) -> Reload | None:
    """A reload for the files `named` (None: whatever a look at the whole folder finds), or
    None when nothing changed. The checks stat every file, so they run in a worker thread."""
    if named is None:
        if not await asyncio.to_thread(service.corpus_changed):
            return None
        return await asyncio.to_thread(service.reload)
    if not await asyncio.to_thread(service.files_changed, named):
        return None  # written by this bot's own /add or feed poll, already taken in
    return await asyncio.to_thread(service.reload, changed=named)


class _Pending:
    """The names heard of since the last reload, or that the whole folder must be looked at."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.look = False  # a change the names cannot tell (a folder moved in or out)
        self.listening = True
        self._heard = asyncio.Event()

    async def collect(self, changes: AsyncIterator[set[str]]) -> None:
        try:
            async for names in changes:
                self._hear(names)
        except Exception as exc:  # no watching here (no inotify, too many watches...): look
            log.warning("the corpus folder cannot be watched (%s); looked at instead", exc)
        self.listening = False
        self._heard.set()

    def _hear(self, names: set[str]) -> None:
        for name in names:
            if name.endswith("/"):  # a folder moved in or out: only a look at it all tells
                self.look = True
            else:
                self.names.add(name)
        if self.names or self.look:
            self._heard.set()

    async def next(self, timeout: float) -> set[str] | None:
        """The names changed, once some are heard of; None (look at the whole folder) when
        the names cannot tell, or after `timeout` seconds without news."""
        try:
            await asyncio.wait_for(self._heard.wait(), timeout)
        except TimeoutError:
            return None
        self._heard.clear()
        names, self.names = self.names, set()
        look, self.look = self.look, False
        return None if look or not self.listening else names
