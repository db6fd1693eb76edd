"""bot/history/follows.py: follows, and the alerts that are also the outbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from corpusbot.bot.history.follows import (
    MAX_FOLLOWS_PER_CHAT,
    Alert,
    FollowStore,
    open_follows,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[FollowStore]:
    opened = open_follows(tmp_path / "state.sqlite3")
    opened._clock = clock
    yield opened
    opened.close()


def alert(follow_id: int, chat_id: int, article: str) -> Alert:
    return Alert(follow_id, chat_id, article, f"<b>{article}</b>", (("Stop following", "fol:x"),))


def test_a_follow_is_kept_once_per_chat_and_numbered_in_order(store: FollowStore) -> None:
    first = store.add(5, "Portville tram line")
    assert first is not None and store.add(5, "portville TRAM line") == first
    second = store.add(5, "harbour fees")
    store.add(6, "harbour fees")
    assert [f.query for f in store.of_chat(5)] == ["Portville tram line", "harbour fees"]
    assert second is not None and not store.remove(second.id, 6)  # not chat 6's
    assert store.remove(second.id, 5) and [f.query for f in store.of_chat(5)] == [
        "Portville tram line"
    ]


def test_a_chat_keeps_at_most_so_many_follows(store: FollowStore) -> None:
    for number in range(MAX_FOLLOWS_PER_CHAT):
        assert store.add(5, f"story {number}") is not None
    assert store.add(5, "one more") is None
    assert store.add(6, "one more") is not None


def test_one_alert_per_article_and_chat_sent_once_retried_and_paused(
    store: FollowStore, clock: Clock
) -> None:
    tram = store.add(5, "tram")
    harbour = store.add(5, "harbour")
    assert tram is not None and harbour is not None
    assert store.queue([alert(tram.id, 5, "a1"), alert(harbour.id, 5, "a1")]) == 1
    [due] = store.due()
    assert due.alert == alert(tram.id, 5, "a1") and due.attempts == 0
    store.retry_later(due.alert, 60)
    assert store.due() == []
    clock.now += 61
    [again] = store.due()
    assert again.attempts == 1
    assert store.set_paused(5, True) == 2 and store.due() == []
    assert store.set_paused(5, False) == 2 and len(store.due()) == 1
    store.sent(again.alert)
    assert store.due() == [] and store.queue([alert(tram.id, 5, "a1")]) == 0
    assert [f.alerts for f in store.of_chat(5)] == [1, 0]


def test_forgetting_a_chat_ends_its_follows_and_their_alerts(store: FollowStore) -> None:
    tram = store.add(5, "tram")
    store.add(6, "tram")
    assert tram is not None
    store.queue([alert(tram.id, 5, "a1")])
    assert store.forget_chat(5) == 1
    assert store.of_chat(5) == [] and store.due() == [] and len(store.every()) == 1


def test_a_later_report_of_a_story_already_sent_is_not_sent_again(store: FollowStore) -> None:
    tram = store.add(5, "tram")
    assert tram is not None
    first = Alert(tram.id, 5, "wire-1", "<b>a</b>", (), story=("wire-1", "courier-1"))
    assert store.queue([first]) == 1
    # The courier's report arrives later: its quote names the wire's, sent already.
    again = Alert(tram.id, 5, "courier-1", "<b>b</b>", (), story=("courier-1", "wire-1"))
    assert store.queue([again]) == 0
    elsewhere = Alert(tram.id, 6, "courier-1", "<b>b</b>", (), story=("courier-1", "wire-1"))
    assert store.queue([elsewhere]) == 1  # another chat was never told


def test_a_follow_shown_is_saved_only_by_its_confirmation(store: FollowStore, clock: Clock) -> None:
    shown = store.add(5, "tram", pending=True)
    assert shown is not None and shown.pending
    assert store.of_chat(5) == [] and store.every() == []  # not followed yet
    assert store.add(5, "Tram", pending=True) == shown  # shown again: the same one
    assert store.confirm(shown.id, 5, "digest") and not store.confirm(shown.id, 6, "digest")
    [saved] = store.of_chat(5)
    assert (saved.mode, saved.pending) == ("digest", False)
    left = store.add(5, "harbour", pending=True)
    clock.now += 86_401  # a day later the one never saved is gone
    later = store.add(6, "ferry", pending=True)
    assert left is not None and store.get(left.id) is None and store.get(saved.id) == saved
    assert later is not None and later.id > left.id  # ids are never given twice


def test_an_ended_follow_s_id_is_never_given_again(store: FollowStore) -> None:
    """A Stop button names its follow by id: an id given again would end another follow."""
    first = store.add(5, "tram")
    assert first is not None and store.remove(first.id, 5)
    second = store.add(5, "harbour")
    assert second is not None and second.id != first.id
