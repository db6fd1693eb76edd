"""Keeping built indexes on disk, keyed by a fingerprint of the corpus files and the settings.

An index is written to a temporary folder and renamed into place only when complete, so a
process killed mid-build never leaves a half-written index where a later start would read it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from corpusbot.config import FURNITURE_FILE
from corpusbot.retrieval.corpus import Skipped, corpus_files, load_corpus
from corpusbot.retrieval.index import FORMAT, Index, IndexCorrupt, IndexSettings, Progress
from corpusbot.retrieval.passages import SplitSettings, split_article
from corpusbot.retrieval.storage import IndexMeta, Provenance

BUILDING = ".building-"  # prefix of a temporary build folder, followed by its pid


@dataclass(frozen=True)
class Changes:
    """Corpus files added, changed and removed between two indexes."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def summary(self) -> str:
        parts = [f"{len(names)} {verb}" for names, verb in
                 ((self.added, "added"), (self.changed, "changed"), (self.removed, "removed"))
                 if names]
        return ", ".join(parts) or "no file changed"

    @classmethod
    def between(cls, before: dict[str, list[int]], after: dict[str, list[int]]) -> Changes:
        """The difference of two `files` tables (path -> [size, mtime]) of index metadata."""
        return cls(
            added=tuple(sorted(after.keys() - before.keys())),
            changed=tuple(sorted(n for n in after.keys() & before.keys()
                                 if list(after[n]) != list(before[n]))),
            removed=tuple(sorted(before.keys() - after.keys())),
        )


@dataclass
class OpenedIndex:
    index: Index
    built: bool  # False when it was loaded from the cache
    folder: Path
    skipped: list[Skipped] = field(default_factory=list)
    note: str = ""  # why it was rebuilt, when a cached index could not be used
    # Files changed since the index this one replaced (None: there was none to compare with).
    changes: Changes | None = None


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "corpusbot"


def file_stats(corpus: Path) -> dict[str, tuple[int, int]]:
    """Size and mtime (ns) of each corpus file, by its path relative to `corpus`."""
    stats = {}
    for path in corpus_files(corpus):
        try:
            stat = path.stat()
        except OSError:  # vanished since it was listed: the reader will report it
            continue
        stats[path.relative_to(corpus).as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return stats


def fingerprint(corpus: Path, split: SplitSettings, settings: IndexSettings,
                max_file_bytes: int, stats: dict[str, tuple[int, int]] | None = None) -> str:
    """Changes when a corpus file (path, size, mtime) or a setting shaping the index does.

    `stats` are the corpus's `file_stats`, when the caller has them already.
    """
    digest = hashlib.sha256()
    parts = {
        "format": FORMAT, "chunk_size": split.chunk_size, "overlap": split.chunk_overlap,
        "language": settings.analyzer.language, "stopwords": sorted(settings.analyzer.stopwords),
        "k1": settings.k1, "b": settings.b, "epsilon": settings.epsilon,
        "max_file_bytes": max_file_bytes, "furniture": FURNITURE_FILE.read_text("utf-8"),
    }
    digest.update(json.dumps(parts, sort_keys=True).encode())
    for name, (size, mtime) in (file_stats(corpus) if stats is None else stats).items():
        digest.update(f"{name}\0{size}\0{mtime}\n".encode())
    return digest.hexdigest()[:24]


def open_index(corpus: Path, split: SplitSettings, settings: IndexSettings,
               max_file_bytes: int, progress: Progress | None = None,
               rebuild: bool = False) -> OpenedIndex:
    """Load the cached index for `corpus`, or build, save and return a new one."""
    corpus = corpus.resolve()
    home = (settings.cache_dir or default_cache_dir()) / _corpus_key(corpus)
    # One look at the files serves both the key and the index's file table, so they agree.
    stats = file_stats(corpus)
    key = fingerprint(corpus, split, settings, max_file_bytes, stats)
    folder = home / key
    note = ""
    if folder.is_dir() and not rebuild:
        try:
            index = Index.load(folder)
            return OpenedIndex(index, False, folder, _skipped(index))
        except IndexCorrupt as exc:
            note = f"the cached index was unusable ({exc}) and was rebuilt"
    previous = _previous_files(home)
    _build_atomically(home, folder, lambda temporary: build_index(
        corpus, split, settings, max_file_bytes, temporary, progress=progress, key=key,
        stats=stats))
    index = Index.load(folder)
    files = index.meta.provenance.files
    changes = None if previous is None else Changes.between(previous, files)
    return OpenedIndex(index, True, folder, _skipped(index), note, changes)


def _previous_files(home: Path) -> dict[str, list[int]] | None:
    """The file table of the index kept for this corpus before, if one is readable."""
    if not home.is_dir():
        return None
    for folder in home.iterdir():
        if folder.name.startswith("."):
            continue
        try:
            meta = IndexMeta.from_json((folder / "meta.json").read_text(encoding="utf-8"))
            return meta.provenance.files
        except (OSError, ValueError, KeyError, TypeError, IndexCorrupt):
            continue
    return None


def build_index(corpus: Path, split: SplitSettings, settings: IndexSettings,
                max_file_bytes: int, folder: Path, *, progress: Progress | None = None,
                key: str = "", stats: dict[str, tuple[int, int]] | None = None) -> Index:
    """Read, split and index `corpus` into `folder` without touching the cache."""
    stats = file_stats(corpus) if stats is None else stats
    seen = 0

    def on_file(_path: Path) -> None:
        nonlocal seen
        seen += 1
        if progress:
            progress("reading files", seen, max(seen, len(stats)))

    loaded = load_corpus(corpus, max_file_bytes, on_file)
    # Split as the articles are indexed: the passages are never all in memory at once.
    pairs = ((article, split_article(article, split)) for article in loaded.articles)
    provenance = Provenance(fingerprint=key, corpus=str(corpus), skipped=tuple(loaded.skipped),
                            files={name: list(stat) for name, stat in stats.items()})
    return Index.build_into(folder, pairs, settings, progress=progress, provenance=provenance)


def _build_atomically(home: Path, folder: Path, build: Callable[[Path], object]) -> None:
    """Run `build` into a temporary folder, renamed to `folder` only once it is complete."""
    home.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f"{BUILDING}{os.getpid()}-", dir=home))
    try:
        build(temporary)
        if folder.exists():  # an unusable earlier copy under the same key
            shutil.rmtree(folder, ignore_errors=True)
        os.rename(temporary, folder)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    for stale in home.iterdir():  # older fingerprints and abandoned builds
        if stale != folder and not _build_in_progress(stale):
            shutil.rmtree(stale, ignore_errors=True)


def _build_in_progress(folder: Path) -> bool:
    """A temporary build folder whose process is still running (another `index` or bot)."""
    if not folder.name.startswith(BUILDING):
        return False
    pid = folder.name[len(BUILDING):].split("-", 1)[0]
    if not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, but someone else's
        return True
    return True


def _corpus_key(corpus: Path) -> str:
    readable = "".join(c if c.isalnum() else "-" for c in corpus.name)[:40] or "corpus"
    return f"{readable}-{hashlib.sha256(str(corpus).encode()).hexdigest()[:10]}"


def _skipped(index: Index) -> list[Skipped]:
    return list(index.meta.provenance.skipped)
