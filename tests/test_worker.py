"""Updates and merges in a worker process (retrieval/index/worker.py), for the bot."""

import os
import signal
import time
from pathlib import Path

import pytest

from corpusbot.bot.app.service import Service
from corpusbot.retrieval.index import SegmentedIndex, updating
from corpusbot.retrieval.index import cache as cache_module

from .test_segmented import ABSTRACTS, FIRST, saved, settings_for


def worker_pid(service: Service) -> int:
    pool = service._worker._pool if service._worker else None
    assert pool is not None
    (pid,) = pool._processes
    return int(pid)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def service(tmp_path: Path) -> Service:
    corpus, cache = saved(tmp_path)
    opened = Service.open(settings_for(corpus, cache))
    opened.update_in_worker()
    return opened


def add(service: Service, number: int) -> str:
    name, text = ABSTRACTS[number]
    (service.settings.corpus / name).write_text(text, encoding="utf-8")
    return name


def test_an_update_runs_in_the_worker_and_answers_here(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    def here(*_: object, **__: object) -> None:
        raise AssertionError("updated in the answering process")

    monkeypatch.setattr(cache_module, "_updated", here)
    name = add(service, FIRST)
    result = service.reload(changed=[name])
    assert result.ok and result.updated.startswith("1 article added, ")
    assert result.changes.added == (name,)
    assert isinstance(service.index, SegmentedIndex) and worker_pid(service) != os.getpid()
    question = ABSTRACTS[FIRST][1].split("\n", 1)[0]
    assert service.ask(question).quotes[0].sources[0].id == Path(name).stem
    service.close()


def test_a_merge_runs_in_the_worker_after_the_update_that_made_it_due(service: Service) -> None:
    most = updating.MAX_DELTAS + 1  # segments: the base and its deltas
    for number in range(FIRST, FIRST + updating.MAX_DELTAS + 1):  # one more delta than kept
        assert service.reload(changed=[add(service, number)]).ok
    assert isinstance(service.index, SegmentedIndex) and service.index.segments == most + 1
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the merge, queued behind the last update, shows
        assert service.reload().ok
        if isinstance(service.index, SegmentedIndex) and service.index.segments < most:
            break
        time.sleep(0.2)
    assert isinstance(service.index, SegmentedIndex) and service.index.segments < most
    service.close()


def test_a_worker_that_died_is_started_again(service: Service) -> None:
    assert service.reload(changed=[add(service, FIRST)]).ok
    first = worker_pid(service)
    os.kill(first, signal.SIGKILL)
    time.sleep(0.5)
    result = service.reload(changed=[add(service, FIRST + 1)])
    assert result.ok and result.updated.startswith("1 article added")
    assert worker_pid(service) != first
    service.close()


def test_ctrl_c_is_the_bots_to_handle_not_the_workers(service: Service) -> None:
    # Ctrl+C in a terminal signals the whole process group: the worker must leave it to the
    # bot, which stops it, instead of dying with a KeyboardInterrupt traceback of its own.
    assert service.reload(changed=[add(service, FIRST)]).ok
    pid = worker_pid(service)
    os.kill(pid, signal.SIGINT)
    time.sleep(0.5)
    assert alive(pid)
    assert service.reload(changed=[add(service, FIRST + 1)]).ok
    assert worker_pid(service) == pid  # the same worker, not one started again
    service.close()


def test_close_stops_the_worker(service: Service) -> None:
    assert service.reload(changed=[add(service, FIRST)]).ok
    pid = worker_pid(service)
    service.close()
    deadline = time.monotonic() + 30
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(pid)
    assert service.reload(changed=[add(service, FIRST + 1)]).ok  # here, from now on


def test_a_failed_reload_in_the_worker_is_not_retried_until_the_folder_changes(
    service: Service,
) -> None:
    for path in service.settings.corpus.iterdir():
        path.unlink()
    assert service.corpus_changed()
    assert not service.reload().ok
    assert not service.corpus_changed()  # the state that failed, remembered by a look after
    assert service.ask(ABSTRACTS[0][1].split("\n", 1)[0]).answered  # the index in service
    service.close()


def test_a_reload_that_finds_nothing_changed_keeps_the_index_in_service(service: Service) -> None:
    before = service.index
    result = service.reload()
    assert result.ok and not result.built and not result.changes.added
    assert service.index is before  # not opened and checked again


def test_the_worker_opens_the_saved_index_as_soon_as_it_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, cache = saved(tmp_path)
    opened = Service.open(settings_for(corpus, cache))
    opened.update_in_worker()
    deadline = time.monotonic() + 60
    while opened._worker is not None and not opened._worker._pool and time.monotonic() < deadline:
        time.sleep(0.05)
    assert alive(worker_pid(opened))  # started before any reload asked for it
    opened.close()


def test_a_merge_after_the_worker_died_starts_another_instead_of_failing_the_reload(
    service: Service,
) -> None:
    assert service.reload(changed=[add(service, FIRST)]).ok
    first = worker_pid(service)
    os.kill(first, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while alive(first) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # the pool has seen its worker die
    service.merge_in_background()  # raised BrokenProcessPool into the reload that called it
    assert worker_pid(service) != first
    service.close()
