"""The folder watcher: the system names the files that changed, and only those are looked at."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from corpusbot.bot.app import watch as watch_module
from corpusbot.bot.app.service import Reload, Service
from corpusbot.bot.app.watch import folder_changes, watch_corpus

from .conftest import NEW_STORY


@pytest.fixture
def service(copied_seeds_service: Service) -> Service:
    return copied_seeds_service


class Heard:
    """Changes the test reports, as the system would."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[set[str] | Exception] = asyncio.Queue()

    async def changes(self, _folder: Path) -> AsyncIterator[set[str]]:
        while True:
            item = await self.queue.get()
            if isinstance(item, Exception):
                raise item
            yield item


class Looks:
    """Counts the looks at the whole folder, and the reloads and what they were told."""

    def __init__(self, service: Service, monkeypatch: pytest.MonkeyPatch) -> None:
        self.whole = 0
        self.named: list[set[str] | None] = []
        looked, reload = service.corpus_changed, service.reload

        def corpus_changed() -> bool:
            self.whole += 1
            return looked()

        def reloaded(*args: object, changed: set[str] | None = None) -> Reload:
            self.named.append(None if changed is None else set(changed))
            return reload(changed=changed)

        monkeypatch.setattr(service, "corpus_changed", corpus_changed)
        monkeypatch.setattr(service, "reload", reloaded)


async def next_reload(queue: asyncio.Queue[Reload]) -> Reload:
    return await asyncio.wait_for(queue.get(), timeout=30)


@contextlib.asynccontextmanager
async def watching(
    service: Service, monkeypatch: pytest.MonkeyPatch, interval: float = 0.05
) -> AsyncIterator[tuple[Heard, Looks, asyncio.Queue[Reload]]]:
    """The watcher running over `service`, told of changes by the test: what it hears, the
    looks and reloads it makes, and the reloads it reports."""
    heard, looks, reloaded = Heard(), Looks(service, monkeypatch), asyncio.Queue[Reload]()
    task = asyncio.create_task(watch_corpus(service, interval, reloaded.put, changes=heard.changes))
    try:
        yield heard, looks, reloaded
    finally:
        task.cancel()


async def test_a_file_heard_of_is_reloaded_by_name_without_a_look_at_the_folder(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with watching(service, monkeypatch) as (heard, looks, reloaded):
        (service.settings.corpus / "saffron.txt").write_text(NEW_STORY)
        await heard.queue.put({"saffron.txt"})
        result = await next_reload(reloaded)
    assert result.ok and result.changes.added == ("saffron.txt",)
    assert looks.named == [{"saffron.txt"}] and looks.whole == 0
    assert service.ask("saffron Herat traders").answered


async def test_files_the_index_already_holds_are_not_reloaded(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the bot's own /add or feed poll wrote and took in: the watcher hears of it too."""
    (service.settings.corpus / "saffron.txt").write_text(NEW_STORY)
    service.reload(changed=["saffron.txt"])
    async with watching(service, monkeypatch) as (heard, looks, reloaded):
        await heard.queue.put({"saffron.txt", "000_442724f15755f4d5.txt"})
        await asyncio.sleep(0.3)
    assert reloaded.empty() and looks.named == []


async def test_a_folder_moved_in_is_found_by_a_look_at_the_whole_folder(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with watching(service, monkeypatch) as (heard, looks, reloaded):
        (service.settings.corpus / "spring").mkdir()
        (service.settings.corpus / "spring" / "saffron.txt").write_text(NEW_STORY)
        await heard.queue.put({"spring/"})
        result = await next_reload(reloaded)
    assert result.changes.added == ("spring/saffron.txt",)
    assert looks.named == [None] and looks.whole == 1


async def test_a_stream_of_files_is_taken_in_batches_at_most_once_an_interval(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with watching(service, monkeypatch, 0.5) as (heard, looks, reloaded):
        for number in range(6):
            name = f"story{number}.txt"
            (service.settings.corpus / name).write_text(f"Saffron {number}\nSaffron news.\n")
            await heard.queue.put({name})
            await asyncio.sleep(0.1)
        first, second = await next_reload(reloaded), await next_reload(reloaded)
    assert first.changes.added == ("story0.txt",)  # at once: the first change after a quiet
    assert len(second.changes.added) == 5 and looks.whole == 0  # the rest, one interval on


async def test_a_watcher_the_system_cannot_serve_looks_at_the_folder_instead(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with watching(service, monkeypatch) as (heard, looks, reloaded):
        await heard.queue.put(OSError(28, "inotify watch limit reached"))
        await asyncio.sleep(0.2)
        (service.settings.corpus / "saffron.txt").write_text(NEW_STORY)
        result = await next_reload(reloaded)
    assert result.changes.added == ("saffron.txt",) and looks.named[-1] is None


async def test_the_system_names_files_written_and_removed_and_folders_moved_in(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    changes = folder_changes(folder)
    first = asyncio.ensure_future(anext(changes))
    await asyncio.sleep(0.3)  # the watch is set up
    (folder / "story.md").write_text("Story\nText.\n")
    (folder / ".story.md.tmp").write_text("being written")
    (folder / "photo.png").write_bytes(b"\x89PNG")
    names = await asyncio.wait_for(first, timeout=30)
    assert names == {"story.md"}
    outside = tmp_path / "spring"
    outside.mkdir()
    (outside / "a.txt").write_text("A\nText.\n")
    outside.rename(folder / "spring")
    assert await asyncio.wait_for(anext(changes), timeout=30) >= {"spring/"}
    (folder / "story.md").unlink()
    assert await asyncio.wait_for(anext(changes), timeout=30) == {"story.md"}
    await changes.aclose()


def test_files_changed_compares_the_named_files_with_the_index(service: Service) -> None:
    corpus = service.settings.corpus
    assert not service.files_changed(["000_442724f15755f4d5.txt", "missing.txt", ".hidden.txt"])
    (corpus / "000_442724f15755f4d5.txt").unlink()
    assert service.files_changed(["000_442724f15755f4d5.txt"])
    (corpus / "saffron.txt").write_text(NEW_STORY)
    assert service.files_changed(["saffron.txt"])


async def test_a_change_the_system_did_not_report_is_found_by_a_later_look(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A network folder, say: the whole folder is looked at every LOOK_EVERY intervals."""
    monkeypatch.setattr(watch_module, "LOOK_EVERY", 4)
    async with watching(service, monkeypatch) as (_, looks, reloaded):
        (service.settings.corpus / "saffron.txt").write_text(NEW_STORY)  # heard of by no one
        result = await next_reload(reloaded)
    assert result.changes.added == ("saffron.txt",) and looks.named == [None]
