"""Keyed hashes in place of user and chat ids, with a secret made on first run.

The secret lives beside the database (mode 0600). Without it a hash cannot be turned back into
an id by trying every id, which a plain hash of a number would allow in seconds.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
import secrets
import stat
from pathlib import Path

log = logging.getLogger(__name__)

SECRET_BYTES = 32
HASH_CHARS = 32  # hex characters kept of each HMAC-SHA256 (128 bits)


class Hasher:
    """HMAC-SHA256 of an id under the bot's secret; one kind of id never matches another."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def user(self, user_id: int) -> str:
        return self._hash("user", user_id)

    def chat(self, chat_id: int) -> str:
        return self._hash("chat", chat_id)

    def _hash(self, kind: str, value: int) -> str:
        digest = hmac.new(self._secret, f"{kind}:{value}".encode(), hashlib.sha256)
        return digest.hexdigest()[:HASH_CHARS]


class ButtonSeal:
    """An answer's number as a button carries it: opaque, and good in its own chat only.

    The number is encrypted with a keyed permutation tweaked by the chat (a four-round Feistel
    network over 64 bits whose round function is HMAC-SHA256 under the bot's secret), so
    consecutive answers give unrelated tokens and no token tells how many questions were asked;
    a tag (HMAC of the chat and the number) makes a token copied into another chat, or made up,
    open to nothing. 14 bytes, 19 characters of URL-safe base64: well within the 64 bytes of a
    button's data.
    """

    ROUNDS = 4
    TAG_BYTES = 6

    def __init__(self, secret: bytes) -> None:
        self._key = hmac.new(secret, b"corpusbot buttons", hashlib.sha256).digest()

    def seal(self, number: int, chat_id: int) -> str:
        left, right = divmod(number & 0xFFFF_FFFF_FFFF_FFFF, 1 << 32)
        for step in range(self.ROUNDS):
            left, right = right, left ^ self._round(step, right, chat_id)
        token = (left << 32 | right).to_bytes(8, "big") + self._tag(number, chat_id)
        return base64.urlsafe_b64encode(token).decode().rstrip("=")

    def open(self, token: str, chat_id: int) -> int | None:
        """The number sealed for `chat_id` in `token`; None for anything else."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            return None
        if len(raw) != 8 + self.TAG_BYTES:
            return None
        left, right = divmod(int.from_bytes(raw[:8], "big"), 1 << 32)
        for step in reversed(range(self.ROUNDS)):
            left, right = right ^ self._round(step, left, chat_id), left
        number = left << 32 | right
        return number if hmac.compare_digest(raw[8:], self._tag(number, chat_id)) else None

    def _round(self, step: int, half: int, chat_id: int) -> int:
        data = f"round:{step}:{chat_id}:{half}".encode()
        return int.from_bytes(hmac.new(self._key, data, hashlib.sha256).digest()[:4], "big")

    def _tag(self, number: int, chat_id: int) -> bytes:
        data = f"tag:{chat_id}:{number}".encode()
        return hmac.new(self._key, data, hashlib.sha256).digest()[: self.TAG_BYTES]


def load_secret(path: Path) -> bytes:
    """The secret in `path`, made (readable by the owner only) when there is none yet.

    Raises OSError when it can be neither read nor made.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_secret(path)
    secret = secrets.token_bytes(SECRET_BYTES)
    with os.fdopen(fd, "wb") as handle:
        handle.write(secret.hex().encode())
    log.info("made a new history secret in %s", path)
    return secret


def _read_secret(path: Path) -> bytes:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("%s was readable by others (mode %o); now 0600", path, mode)
        path.chmod(0o600)
    try:
        secret = bytes.fromhex(path.read_bytes().decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):  # not hex digits, or not even ASCII
        secret = b""
    if len(secret) < SECRET_BYTES // 2:
        raise OSError(
            f"{path} does not hold a usable secret; move it away to make a new one "
            "(past questions then no longer match their users for /forget)"
        )
    return secret
