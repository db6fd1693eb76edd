"""Where corpusbot keeps what it can rebuild: $XDG_CACHE_HOME/corpusbot (saved indexes, numba's
compiled code). A module of its own, so that the compiled search (retrieval/compiled/kernel.py)
finds it without importing the index cache, which imports the index, which imports the search."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["default_cache_dir"]


def default_cache_dir() -> Path:
    """$XDG_CACHE_HOME/corpusbot, or ~/.cache/corpusbot."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "corpusbot"
