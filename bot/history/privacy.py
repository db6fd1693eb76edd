"""Keyed hashes in place of user and chat ids, with a secret made on first run.

The secret lives beside the database (mode 0600). Without it a hash cannot be turned back into
an id by trying every id, which a plain hash of a number would allow in seconds.
"""

from __future__ import annotations

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
