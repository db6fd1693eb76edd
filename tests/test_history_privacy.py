"""bot/history/privacy.py: keyed hashes and the secret behind them."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from corpusbot.bot.history.privacy import Hasher, load_secret


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
