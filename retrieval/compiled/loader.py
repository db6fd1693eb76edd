"""numba, set up once for the three compiled parts: the search (retrieval/compiled/kernel.py), the
sentence reading (retrieval/compiled/sentence_kernel.py) and the coverage check
(retrieval/compiled/coverage_kernel.py).

Each part is a `CompiledPart`: loaded once, under its own lock, after the parts it needs (the
others need the search), with numba's cache folder set before numba is first imported (it reads
the setting then), and warmed up so that a failure shows at start and not at a user's question.
A part whose import, compilation or warm-up fails is None, said in one line of the log, and
NumPy (or Python) answers instead. `CORPUSBOT_KERNEL=numpy` turns every part off.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any, Generic, TypeVar

from corpusbot.retrieval.storage import default_cache_dir

__all__ = ["SWITCH", "CompiledPart", "switched_off"]

log = logging.getLogger(__name__)

SWITCH = "CORPUSBOT_KERNEL"  # "numpy": no compiled part loads
T = TypeVar("T")


def switched_off() -> bool:
    return os.environ.get(SWITCH, "").strip().lower() == "numpy"


class CompiledPart(Generic[T]):
    """One compiled part: its module's code, made ready (warmed up) by `ready`."""

    def __init__(
        self,
        module: str,
        ready: Callable[[ModuleType], T],
        *,
        what: str,
        instead: str,
        needs: CompiledPart[Any] | None = None,
    ) -> None:
        self._module = module
        self._ready = ready
        self._what = what  # "search", for the log: "compiled search unavailable"
        self._instead = instead  # "searching with NumPy"
        self._needs = needs
        self._lock = threading.Lock()
        self._loaded: list[T | None] = []  # [] until tried, then [the ready code or None]

    def load(self) -> T | None:
        """The ready code, or None; tried once."""
        if self._loaded:  # set once, under the lock, and never changed after
            return self._loaded[0]
        with self._lock:
            if not self._loaded:
                self._loaded.append(self._compile())
            return self._loaded[0]

    def _compile(self) -> T | None:
        if switched_off() or (self._needs is not None and self._needs.load() is None):
            return None
        _cache_numba_in(default_cache_dir() / "numba")
        try:
            return self._ready(importlib.import_module(self._module))
        except Exception as exc:  # an import or LLVM failure: the other path still answers
            log.warning("compiled %s unavailable, %s: %s", self._what, self._instead, exc)
            return None


def _cache_numba_in(folder: Path) -> None:
    """Point numba's cache at `folder` (unless NUMBA_CACHE_DIR says otherwise) before the
    compiled code is imported: numba reads the setting when it is itself first imported, so if
    something imported it earlier (a library, a script) its config is told directly, or it
    would write its cache files beside the source."""
    chosen = os.environ.setdefault("NUMBA_CACHE_DIR", str(folder))
    numba_config = sys.modules.get("numba.core.config")
    if numba_config is not None and not getattr(numba_config, "CACHE_DIR", ""):
        vars(numba_config)["CACHE_DIR"] = chosen  # read as the compiled code is defined
