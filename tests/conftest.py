"""Shared fixtures: settings that keep every index in a temporary cache, and the seeds' service."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from corpusbot.bot.app.service import Service
from corpusbot.config.settings import Settings, load_settings
from corpusbot.retrieval.analysis import Analyzer

pytest_plugins = ["tests.browser"]  # the browser fixtures, for the chat page tests

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"
# numba's compiled code kept beside pytest's own cache, so only the first test session compiles
# it (~10 s), not every one. Set for the whole session: numba reads it again when it compiles a
# function lazily (the sentence selection, on first use), and without it writes its cache files
# beside the source, into retrieval/compiled/__pycache__.
NUMBA_CACHE = ROOT / ".pytest_cache" / "numba"
os.environ.setdefault("NUMBA_CACHE_DIR", str(NUMBA_CACHE))

Loaded = TypeVar("Loaded")


def compiled_part(load: Callable[[], Loaded | None], what: str) -> Loaded:
    """A compiled part's `load()`; numba is a dependency, so a part that does not load fails
    the test."""
    found = load()
    if found is None:
        pytest.fail(f"numba is a dependency: the compiled {what} must load here")
    return found


def analysed_texts(analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text `analyzer` analyses from now on, in order (all analysis goes through
    `Analyzer.words`: `terms` calls it)."""
    analysed: list[str] = []
    words = analyzer.words

    def recorded(text: str) -> list[str]:
        analysed.append(text)
        return words(text)

    monkeypatch.setattr(analyzer, "words", recorded)
    return analysed


def make_settings(cache: Path, corpus: Path = SEEDS, **env: str) -> Settings:
    """The default settings with the cache in `cache` (the history database beside it), plus
    CORPUSBOT_* overrides."""
    history = cache.with_name(f"{cache.name}-history") / "history.sqlite3"
    return load_settings(
        env={
            "CORPUSBOT_INDEX_CACHE_DIR": str(cache),
            "CORPUSBOT_HISTORY_PATH": str(history),
            **env,
        },
        corpus=corpus,
    )


# A story none of the seeds tells, for a file that arrives.
NEW_STORY = "Saffron harvest\nsource: Kabul Times\nAfghan farmers sold saffron to Herat traders.\n"


@pytest.fixture
def copied_seeds_service(tmp_path: Path) -> Service:
    """A service over a copy of the seeds of its own (a test may change the folder)."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    return Service.open(make_settings(tmp_path / "cache", corpus))


@pytest.fixture(scope="session")
def seeds_service(tmp_path_factory: pytest.TempPathFactory) -> Service:
    return Service.open(make_settings(tmp_path_factory.mktemp("cache")))


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test writes to the user's real cache or data folder, whatever settings it loads."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.getbasetemp() / "xdg-data"))
