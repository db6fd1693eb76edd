"""The open index and the settings, shared by the command line and the Telegram bot.

The index can be reloaded while the bot answers: the new one is built beside the old one, which
keeps answering, and is swapped in with a single assignment; if anything goes wrong the old one
stays in service.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection
from concurrent.futures import Future
from dataclasses import dataclass, field

from corpusbot.bot.answer import (
    Answer,
    Context,
    example_questions,
    prepare_in_background,
    speller_for,
)
from corpusbot.bot.answer import ask as ask_scoped
from corpusbot.config.settings import Settings
from corpusbot.retrieval.index import (
    Changes,
    Index,
    IndexedCorpus,
    IndexWorker,
    OpenedIndex,
    Progress,
    file_stats,
    fingerprint,
    merge_corpus,
    open_index,
)
from corpusbot.retrieval.reading import Skipped, stat_some

log = logging.getLogger(__name__)

EXAMPLES_MADE = 3  # example questions made at once, enough for /start's buttons


@dataclass(frozen=True)
class Reload:
    """What a reload did. `error` is set when it failed and the old index stayed."""

    ok: bool
    built: bool = False
    changes: Changes = field(default_factory=Changes)
    articles: int = 0
    passages: int = 0
    skipped: tuple[Skipped, ...] = ()
    error: str = ""
    updated: str = ""  # what an update in segments did ("1 article added, ..."), if it was one


class Service:
    def __init__(self, settings: Settings, opened: OpenedIndex) -> None:
        self.settings = settings
        self.opened = opened
        self._reloading = threading.Lock()
        self._failed: str | None = None  # the corpus state of the last failed reload
        # The examples made for an index: (that index, the questions, how many were wanted).
        self._examples: tuple[Index, list[str], int] | None = None
        self._listeners: list[Callable[[Reload], None]] = []
        self._worker: IndexWorker | None = None  # where updates run, if not here
        self._rebuild_if_damaged(opened)

    @classmethod
    def open(
        cls,
        settings: Settings,
        progress: Progress | None = None,
        rebuild: bool = False,
        *,
        changed: Collection[str] | None = None,
    ) -> Service:
        """The service over the saved index (updated or built as needed); `changed`: the files
        the caller just wrote, when it knows (`corpusbot add`): only those are looked at."""
        opened = open_index(
            settings.corpus,
            settings.split,
            settings.index,
            settings.max_file_bytes,
            progress,
            rebuild,
            follow_outside_links=settings.follow_outside_links,
            changed=changed,
        )
        return cls(settings, opened)

    @property
    def index(self) -> Index:
        return self.opened.index

    def ask(self, question: str) -> Answer:
        return ask_scoped(self.index, question, self.settings.answer)

    @property
    def context(self) -> Context:
        return Context(
            articles=len(self.index.articles),
            example=next(iter(self.examples(1)), ""),
            max_question_chars=self.settings.answer.max_question_chars,
        )

    def examples(self, count: int = 3) -> list[str]:
        """Up to `count` questions a newcomer can tap, each checked to be answered from the
        article it was made from (bot/answer/examples.py); made once per index."""
        index = self.index
        made = self._examples
        if made is None or made[0] is not index or count > made[2]:
            wanted = max(count, EXAMPLES_MADE)
            made = (index, example_questions(index, self.ask, wanted), wanted)
            self._examples = made
        return made[1][:count]

    def corpus_changed(self) -> bool:
        """Whether the corpus files differ from the index's, and from a state that failed.

        A folder that failed to reload (gone, or with no readable article) is not retried
        until it changes again, so a watcher does not rebuild and tell the admins every time.
        """
        current, _ = self._corpus_state()
        return current != self.index.meta.provenance.fingerprint and current != self._failed

    def files_changed(self, names: Collection[str]) -> bool:
        """Whether any of the corpus files `names` (relative, "/"-separated) differs from what
        the index holds of it: a look at those files only (the watcher hears their names)."""
        s = self.settings
        try:
            found = stat_some(s.corpus, names, follow_outside_links=s.follow_outside_links)
        except OSError:
            return True  # a reload will say what is wrong
        files = self.index.meta.provenance.files
        return any(files.get(name) != numbers for name, numbers in found.items())

    def _remember_failure(self, state: str, changed: Collection[str] | None) -> None:
        """Remember the folder state that failed, so that a watcher does not retry it (none is
        known when only the `changed` files were looked at)."""
        if not state and changed is None:
            state = self._corpus_state()[0]
        self._failed = state or self._failed

    def _corpus_state(self) -> tuple[str, dict[str, list[int]] | None]:
        """The folder's fingerprint, and the look at its files it was made from (None when the
        folder cannot be read: a reload will say why)."""
        s = self.settings
        try:
            stats = file_stats(s.corpus.resolve(), follow_outside_links=s.follow_outside_links)
            state = fingerprint(
                s.corpus.resolve(),
                s.split,
                s.index,
                s.max_file_bytes,
                stats,
                follow_outside_links=s.follow_outside_links,
            )
        except OSError as exc:
            return f"unreadable: {exc}", None
        return state, stats

    def reload(
        self, progress: Progress | None = None, *, changed: Collection[str] | None = None
    ) -> Reload:
        """Re-read the corpus; swap the new index in only if it was built without error.
        `changed`: the files (relative names) the caller wrote, when it knows (an add, a feed
        poll): then only those are looked at, not the whole folder.

        Blocking and CPU-heavy: the bot calls it from a worker thread. Only one runs at a time.
        """
        if not self._reloading.acquire(blocking=False):
            return Reload(ok=False, error="a reload is already running")
        try:
            return self._reload(progress, changed)
        finally:
            self._reloading.release()

    def _reload(self, progress: Progress | None, changed: Collection[str] | None) -> Reload:
        s, old = self.settings, self.opened
        worker = self._worker if progress is None else None  # progress is shown from here
        # One look at the folder, for the state a failure is remembered by and the update (the
        # worker looks itself: a failure is then remembered by a look after it).
        state, stats = ("", None) if changed is not None or worker else self._corpus_state()
        try:
            if worker is not None:
                new = worker.open_index(changed=changed, current=old)
            else:
                new = open_index(
                    s.corpus,
                    s.split,
                    s.index,
                    s.max_file_bytes,
                    progress,
                    follow_outside_links=s.follow_outside_links,
                    stats=stats,
                    key=state if stats is not None else None,
                    changed=changed,
                )
        except Exception as exc:  # whatever broke, the index in service stays
            log.warning("reload failed, keeping the current index: %s", exc)
            self._remember_failure(state, changed)
            return Reload(ok=False, error=_describe(exc))
        if new is old:  # the worker found the saved index unchanged: nothing to swap
            self._failed = None
            return Reload(ok=True, articles=len(old.index.articles), passages=len(old.index))
        if not new.index.articles and old.index.articles:
            self._remember_failure(state, changed)
            return Reload(
                ok=False,
                skipped=tuple(new.skipped),
                error="no readable article in the corpus folder now; keeping the current index",
            )
        self._failed = None
        # The spelling table, built for the new index's vocabulary here or, for an index updated
        # in segments (a bot reloading as articles arrive), beside it: a question naming someone
        # meanwhile waits for it, the others do not.
        if new.update is None:
            speller_for(new.index).prepare()
        else:
            prepare_in_background(new.index, earlier=old.index)
        self.opened = new  # one assignment: a question sees the old index or the new one
        self._rebuild_if_damaged(new)
        since = old.index.meta.provenance.fingerprint
        if new.update is not None and new.changes is not None and new.update.since == since:
            changes = new.changes  # what the update compared: the files of the index in service
        else:
            changes = Changes.between(
                old.index.meta.provenance.files, new.index.meta.provenance.files
            )
        result = Reload(
            ok=True,
            built=new.built,
            changes=changes,
            articles=len(new.index.articles),
            passages=len(new.index),
            skipped=tuple(new.skipped),
            updated=new.update.summary() if new.update is not None else "",
        )
        self._tell_listeners(result)
        if new.update is not None:
            self.merge_in_background()
        return result

    def merge(self) -> str:
        """Merge the saved index's segments if that is due (retrieval/index/updating.py), after
        an update was reported; the index in service answers meanwhile, and alike after. What
        was done, for a person ("" when nothing, or when it failed: that is only logged)."""
        try:
            return merge_corpus(self._indexed_corpus())
        except Exception as exc:  # the saved index stays as it was; the next update retries
            log.warning("merging the index's segments failed: %s", _describe(exc))
            return ""

    def merge_in_background(self) -> None:
        """`merge` in the index worker, or else on a daemon thread: the bot's reloads return
        (and are reported) at once."""
        if self._worker is None:
            threading.Thread(target=self.merge, name="corpusbot-merge", daemon=True).start()
            return
        self._worker.merge_saved().add_done_callback(_merged)

    def update_in_worker(self) -> None:
        """From now on, reloads without progress and merges run in a worker process
        (retrieval/index/worker.py), for a process that answers meanwhile: the bot."""
        self._worker = IndexWorker(self._indexed_corpus())
        self._worker.warm()

    def _indexed_corpus(self) -> IndexedCorpus:
        s = self.settings
        return IndexedCorpus(s.corpus, s.split, s.index, s.max_file_bytes, s.follow_outside_links)

    def close(self) -> None:
        """Stop the index worker, if any (a bot stopping)."""
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.close()

    def listen(self, listener: Callable[[Reload], None]) -> None:
        """Call `listener` with each successful reload, in the reloading thread, once the new
        index answers (the follows learn of new articles so, whoever reloaded)."""
        self._listeners.append(listener)

    def _tell_listeners(self, result: Reload) -> None:
        for listener in list(self._listeners):
            try:
                listener(result)
            except Exception:  # a listener's failure must not fail the reload
                log.exception("a reload listener failed")

    def _rebuild_if_damaged(self, opened: OpenedIndex) -> None:
        """A large cached index is hashed in the background after a fast start; if it turns out
        damaged (its folder is then removed), reload: the index is rebuilt and swapped in."""
        if opened.check is None:
            return

        def checked(check: Future[str]) -> None:
            if check.result() and self.opened is opened:
                log.warning("the cached index was damaged (%s); rebuilding it", check.result())
                self.reload()

        opened.check.add_done_callback(checked)


def _merged(done: Future[str]) -> None:
    """A merge in the worker: what it did, or why it failed (the saved index stays as it was,
    and the next update tries again), in the log."""
    if done.cancelled():  # the bot stopped before it began
        return
    try:
        did = done.result()
    except Exception as exc:
        log.warning("merging the index's segments failed: %s", _describe(exc))
        return
    if did:
        log.info("index merged: %s", did)


def _describe(exc: Exception) -> str:
    if isinstance(exc, FileNotFoundError):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror} ({exc.filename or type(exc).__name__})"
    return f"{type(exc).__name__}: {exc}"
