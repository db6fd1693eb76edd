"""bot/history/privacy.py: keyed hashes and the secret behind them."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from corpusbot.bot.history.privacy import ButtonSeal, Hasher, load_secret
from corpusbot.bot.history.store import HistoryUnavailable, secret_path
from tests.history_helpers import FakeClock, open_test_store


def test_hashes_depend_on_the_secret_and_the_kind_of_id() -> None:
    one, other = Hasher(b"a" * 32), Hasher(b"b" * 32)
    assert one.user(42) == Hasher(b"a" * 32).user(42)
    assert one.user(42) != other.user(42)
    assert one.user(42) != one.chat(42) and one.user(42) != one.user(43)
    assert "42" not in one.user(42) and len(one.user(42)) == 32


def test_a_loose_secret_is_made_private_and_a_broken_one_refused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key = tmp_path / "key"
    made = load_secret(key)
    key.chmod(0o644)
    assert load_secret(key) == made
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and "readable by others" in caplog.text
    key.write_text("not hex")
    with pytest.raises(OSError, match="usable secret"):
        load_secret(key)


def test_a_secret_of_non_ascii_bytes_is_refused_like_any_broken_one(tmp_path: Path) -> None:
    key = tmp_path / "key"
    key.write_bytes(b"\xff\xfe caf\xe9 " * 8)
    key.chmod(0o600)
    with pytest.raises(OSError, match="usable secret"):
        load_secret(key)


def test_a_non_ascii_secret_turns_history_off_with_a_reason(tmp_path: Path) -> None:
    key = secret_path(tmp_path / "history.sqlite3")
    key.write_bytes(b"\xc3\x28" * 40)
    key.chmod(0o600)
    with pytest.raises(HistoryUnavailable, match="usable secret"):
        open_test_store(tmp_path, clock=FakeClock())


def test_a_sealed_answer_opens_in_its_own_chat_only() -> None:
    seal = ButtonSeal(b"s" * 32)
    tokens = [seal.seal(number, 100) for number in range(1, 200)]
    assert [seal.open(token, 100) for token in tokens] == list(range(1, 200))
    assert all(seal.open(token, 200) is None for token in tokens)  # copied into another chat
    assert len(set(tokens)) == len(tokens) and all(len(t) == 19 for t in tokens)
    # Consecutive answers share no prefix worth reading: nothing counts the questions asked.
    assert len({token[:4] for token in tokens}) > 190
    assert ButtonSeal(b"t" * 32).open(tokens[0], 100) is None  # another bot's secret


@pytest.mark.parametrize("token", ["", "17", "not base64!", "A" * 19, "A" * 200])
def test_anything_else_opens_to_nothing(token: str) -> None:
    assert ButtonSeal(b"s" * 32).open(token, 100) is None
