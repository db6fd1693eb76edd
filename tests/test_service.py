"""Reloading the corpus while answering: the new index swaps in, a failed one never does."""

import asyncio
import errno
import shutil
import threading

import pytest

from corpusbot.bot.answer.respell import speller_for
from corpusbot.bot.app import service as service_module
from corpusbot.bot.app.service import Reload, Service
from corpusbot.bot.app.watch import watch_corpus

from .conftest import NEW_STORY


@pytest.fixture
def service(copied_seeds_service: Service) -> Service:
    return copied_seeds_service


def test_a_reload_picks_up_added_changed_and_removed_files(service: Service) -> None:
    corpus = service.settings.corpus
    assert not service.corpus_changed()
    (corpus / "saffron.txt").write_text(NEW_STORY)
    (corpus / "000_442724f15755f4d5.txt").unlink()
    with (corpus / "003_06a14d47714624b4.txt").open("a") as story:
        story.write("\nA late paragraph about pistachio exports.\n")
    assert service.corpus_changed()
    result = service.reload()
    assert result.ok and result.built and result.articles == 5
    assert result.changes.added == ("saffron.txt",)
    assert result.changes.removed == ("000_442724f15755f4d5.txt",)
    assert result.changes.changed == ("003_06a14d47714624b4.txt",)
    assert result.changes.summary() == "1 added, 1 changed, 1 removed"
    assert speller_for(service.index).prepared  # before it was swapped in
    assert "Herat" in service.ask("Who bought the saffron?").quotes[0].text
    assert service.ask("pistachio exports").answered
    assert not service.corpus_changed()


def test_a_failed_rebuild_keeps_the_old_index(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = service.index
    (service.settings.corpus / "saffron.txt").write_text(NEW_STORY)

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", "/cache/x/impacts.npy")

    monkeypatch.setattr(service_module, "open_index", disk_full)
    result = service.reload()
    assert not result.ok and "No space left on device" in result.error
    assert service.index is before
    assert service.ask("Sputnik vaccine doses").answered


def test_an_emptied_or_vanished_folder_does_not_replace_the_index(service: Service) -> None:
    before = service.index
    for path in service.settings.corpus.iterdir():
        path.unlink()
    result = service.reload()
    assert not result.ok and "keeping the current index" in result.error
    shutil.rmtree(service.settings.corpus)
    result = service.reload()
    assert not result.ok and "corpus folder not found" in result.error
    assert service.index is before


def test_questions_are_answered_from_the_old_index_during_a_rebuild(service: Service) -> None:
    (service.settings.corpus / "saffron.txt").write_text(NEW_STORY)
    building, release = threading.Event(), threading.Event()

    def progress(stage: str, done: int, total: int) -> None:
        building.set()
        release.wait(10)

    worker = threading.Thread(target=lambda: results.append(service.reload(progress)))
    results: list[Reload] = []
    worker.start()
    assert building.wait(10)
    assert not service.ask("saffron Herat").answered  # still the old index
    assert service.reload().error == "a reload is already running"
    release.set()
    worker.join(30)
    assert results[0].ok and service.ask("saffron Herat").answered


async def test_the_watcher_reloads_when_files_change(service: Service) -> None:
    reloaded: asyncio.Queue[Reload] = asyncio.Queue()
    task = asyncio.create_task(watch_corpus(service, 0.05, reloaded.put))
    try:
        await asyncio.sleep(0.2)
        assert reloaded.empty()  # nothing changed, nothing reloaded
        (service.settings.corpus / "saffron.txt").write_text(NEW_STORY)
        result = await asyncio.wait_for(reloaded.get(), timeout=30)
    finally:
        task.cancel()
    assert result.ok and result.changes.added == ("saffron.txt",)


def test_a_failed_state_is_not_retried_until_the_folder_changes_again(service: Service) -> None:
    for path in service.settings.corpus.iterdir():
        path.unlink()
    assert service.corpus_changed()
    assert not service.reload().ok
    assert not service.corpus_changed()  # a watcher would not rebuild and warn again
    (service.settings.corpus / "saffron.txt").write_text(NEW_STORY)
    assert service.corpus_changed()
    result = service.reload()
    assert result.ok and result.articles == 1
