"""Keeping built indexes on disk, keyed by a fingerprint of the corpus files and the settings.

An index is written to a temporary folder and renamed into place only when complete, so a
process killed mid-build never leaves a half-written index where a later start would read it.
A manifest of checksums (retrieval/storage/manifest.py) is written with it and checked before it is
used: a cache edited or damaged since is rebuilt, with a note saying why. Processes sharing a
cache folder take turns through file locks (retrieval/storage/locks.py): one builds while the others
wait and then reuse its index, and none reads a folder while another swaps it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
import time
from bisect import bisect_left
from collections.abc import Callable, Collection
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from corpusbot.config import FURNITURE_FILE
from corpusbot.retrieval.index.bm25 import FORMAT, Index, IndexCorrupt, IndexSettings, Progress
from corpusbot.retrieval.index.segmented import (
    GENERATION,
    Generation,
    SegmentedIndex,
    is_generation,
)
from corpusbot.retrieval.index.updating import (
    BUILDING,
    SEGMENT,
    Changes,
    Update,
    built_aside,
    commit_merged,
    derive,
    merge_due,
    merged_deltas,
    read_current,
)
from corpusbot.retrieval.reading import (
    Skipped,
    SplitSettings,
    load_corpus,
    nothing_readable,
    printable_name,
    split_article,
    stat_files,
    stat_some,
)
from corpusbot.retrieval.storage import (
    BUILD_LOCK,
    LOCK_FILES,
    MANIFEST,
    MERGE_LOCK,
    READ_LOCK,
    CheckedTextFile,
    Entry,
    Provenance,
    check_contents,
    check_sizes,
    default_cache_dir,
    locked,
    read_block_sums,
    read_manifest,
    total_bytes,
    tried,
)
from corpusbot.retrieval.storage import files as storage

log = logging.getLogger(__name__)

# Cached indexes up to this size are hashed before use (about 0.4 s at 0.6 GB/s); larger ones
# (about 1.1 GB at 1M passages) start at once and are hashed in a background thread.
INLINE_CHECK_BYTES = 256 * 2**20
FileStats = list[int]  # size, mtime, ctime (ns) and inode of a corpus file (a list, as JSON has it)


@dataclass
class OpenedIndex:
    index: Index
    built: bool  # False when it was loaded from the cache
    folder: Path
    skipped: list[Skipped] = field(default_factory=list)
    note: str = ""  # why it was rebuilt, when a cached index could not be used
    # Files changed since the index this one replaced (None: there was none to compare with).
    changes: Changes | None = None
    # A large cached index's checksums, checked in the background: the problem found, or "".
    check: Future[str] | None = None
    # What was updated, when the saved index was updated rather than built (None otherwise).
    update: Update | None = None


def file_stats(corpus: Path, *, follow_outside_links: bool = False) -> dict[str, FileStats]:
    """Size, mtime, ctime (ns) and inode of each corpus file, by its name relative to `corpus`.

    The ctime and inode change whenever a file is written or replaced, even if its size and
    mtime are put back as they were.
    """
    # A file gone or unreadable has no stat: the reader will report it.
    return stat_files(corpus, follow_outside_links=follow_outside_links)


def fingerprint(
    corpus: Path,
    split: SplitSettings,
    settings: IndexSettings,
    max_file_bytes: int,
    stats: dict[str, FileStats] | None = None,
    *,
    follow_outside_links: bool = False,
) -> str:
    """Changes when a corpus file (path, size, times, inode) or a setting shaping the index does.

    `stats` are the corpus's `file_stats`, when the caller has them already.
    """
    shape = settings_key(split, settings, max_file_bytes, follow_outside_links=follow_outside_links)
    if stats is None:
        stats = file_stats(corpus, follow_outside_links=follow_outside_links)
    return _fingerprint_of(shape, stats)


def _fingerprint_of(shape: str, stats: dict[str, FileStats]) -> str:
    """`fingerprint` from the settings' key (`settings_key`) and the folder's `file_stats`."""
    digest = hashlib.sha256(shape.encode())
    # One string for all the files (a hash update and a join per file cost half a second at
    # 100,000 files), an f-string per file (twice as fast as joins): each line
    # "name\0size\0mtime\0ctime\0inode\n", as it always was.
    lines = "".join([f"{n}\0{s}\0{m}\0{c}\0{i}\n" for n, (s, m, c, i) in stats.items()])
    digest.update(lines.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()[:24]


def settings_key(
    split: SplitSettings,
    settings: IndexSettings,
    max_file_bytes: int,
    *,
    follow_outside_links: bool = False,
) -> str:
    """Changes when a setting shaping the index does: an index of other settings is rebuilt,
    never updated."""
    parts = {
        "format": FORMAT,
        "chunk_size": split.chunk_size,
        "overlap": split.chunk_overlap,
        "language": settings.analyzer.language,
        "stopwords": sorted(settings.analyzer.stopwords),
        "lemmas": settings.analyzer.lemmas,
        "k1": settings.k1,
        "b": settings.b,
        "epsilon": settings.epsilon,
        "max_file_bytes": max_file_bytes,
        "furniture": FURNITURE_FILE.read_text("utf-8"),
        "follow_outside_links": follow_outside_links,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:24]


def open_index(
    corpus: Path,
    split: SplitSettings,
    settings: IndexSettings,
    max_file_bytes: int,
    progress: Progress | None = None,
    rebuild: bool = False,
    *,
    follow_outside_links: bool = False,
    stats: dict[str, FileStats] | None = None,
    key: str | None = None,
    changed: Collection[str] | None = None,
) -> OpenedIndex:
    """Load the cached index for `corpus`; else update the saved one for the files changed
    since (retrieval/index/updating.py), or build, save and return a new one.

    `follow_outside_links` reads linked files whose target lies outside the corpus folder
    (setting corpus.follow_outside_links); by default they are skipped with the reason.
    `stats`: the folder's `file_stats`, when the caller has just taken them (and `key`, their
    `fingerprint`, if it has that too). `changed`: the files the caller wrote or removed since
    the saved index, when it knows (`add`, the feed poller): only those are looked at, not the
    whole folder. Another change made meanwhile is taken in by the next open without it.
    """
    corpus = corpus.resolve()
    home = (settings.cache_dir or default_cache_dir()) / _corpus_key(corpus)
    shape = settings_key(split, settings, max_file_bytes, follow_outside_links=follow_outside_links)
    # One look at the files serves both the key and the index's file table, so they agree.
    if stats is None and changed is not None and not rebuild:
        stats, key = _stats_after(home, shape, corpus, changed, follow_outside_links), None
    if stats is None:
        stats, key = file_stats(corpus, follow_outside_links=follow_outside_links), None
    if key is None:
        key = _fingerprint_of(shape, stats)
    folder = home / key
    opened, note = (None, "") if rebuild else _load_cached(folder, home)
    if opened is None:
        with locked(home / BUILD_LOCK, exclusive=True):
            if not rebuild:  # another process may have built it while this one waited
                opened, _ = _load_cached(folder, home)
            provenance = Provenance(
                fingerprint=key,
                corpus=printable_name(str(corpus)),
                files=stats,
                settings=shape,
            )
            if opened is None and not rebuild:
                opened = _updated(
                    home,
                    corpus,
                    provenance,
                    split,
                    settings,
                    max_file_bytes,
                    progress,
                    follow_outside_links=follow_outside_links,
                )
            if opened is None:
                build = partial(
                    build_index,
                    corpus,
                    split,
                    settings,
                    max_file_bytes,
                    progress,
                    key,
                    stats,
                    follow_outside_links=follow_outside_links,
                )
                opened = _build_and_save(lambda into: build(folder=into), home, folder)
    if not opened.index.articles:
        note = _join(note, nothing_readable(corpus))
    opened.note = _join(note, opened.note)
    return opened


def open_saved(folder: Path) -> OpenedIndex:
    """The index that `open_index` saved in `folder`, in another process (retrieval/index/
    worker.py), opened here; raises IndexCorrupt when it is gone or unusable."""
    opened, problem = _load_cached(folder, folder.parent)
    if opened is None:
        raise IndexCorrupt(problem or f"the saved index {folder.name} is gone")
    return opened


def _updated(
    home: Path,
    corpus: Path,
    provenance: Provenance,
    split: SplitSettings,
    settings: IndexSettings,
    max_file_bytes: int,
    progress: Progress | None,
    *,
    follow_outside_links: bool,
) -> OpenedIndex | None:
    """The saved index of the same settings updated for the files changed since it was saved;
    None when there is none, or a rebuild is the better way."""
    started = time.perf_counter()
    saved = _saved_folder(home, provenance.settings)
    if saved is None:
        return None
    try:
        with locked(home / READ_LOCK, exclusive=False):
            current = read_current(saved, home, opener=segment_opener)
        update = derive(
            current,
            corpus,
            stats=provenance.files,
            provenance=provenance,
            split=split,
            settings=settings,
            max_file_bytes=max_file_bytes,
            follow_outside_links=follow_outside_links,
            progress=progress,
        )
    except (IndexCorrupt, OSError) as exc:  # rebuilt instead; the reason is kept in the log
        log.warning("the saved index could not be updated (%s); it is rebuilt", exc)
        return None
    if update is None:
        return None
    opened, problem = _load_cached(update.folder, home)
    if opened is None:
        log.warning("the updated index could not be read (%s); it is rebuilt", problem)
        return None
    with locked(home / READ_LOCK, exclusive=True):
        _remove_stale(home, update.folder)
    opened.built = True
    opened.changes = update.changes
    opened.update = replace(update, seconds=time.perf_counter() - started)
    return opened


def _stats_after(
    home: Path, shape: str, corpus: Path, changed: Collection[str], follow_outside_links: bool
) -> dict[str, FileStats] | None:
    """The saved index's files table with the `changed` files looked at anew (in the folder's
    order), as a look at the whole folder would give it if nothing else changed; None when
    there is no saved index to start from."""
    saved = _saved_folder(home, shape)
    if saved is None:
        return None
    try:
        files = dict(_provenance_of(saved).files)
    except (OSError, ValueError, KeyError, TypeError, IndexCorrupt):
        return None
    found = stat_some(corpus, changed, follow_outside_links=follow_outside_links)
    new: dict[str, FileStats] = {}
    for name, numbers in found.items():
        if numbers is None:
            files.pop(name, None)
        elif name in files:
            files[name] = numbers
        else:
            new[name] = numbers
    return _listed(files, new)


def _listed(files: dict[str, FileStats], new: dict[str, FileStats]) -> dict[str, FileStats]:
    """`files` (in the folder's listing order) with the `new` ones put where a listing puts
    them, so that the fingerprint is the one a look at the folder gives."""
    if not new:
        return files
    names = list(files)
    merged: list[str] = []
    done = 0
    for name in sorted(new, key=_parts):  # a search for each, not a sort of all
        at = bisect_left(names, _parts(name), lo=done, key=_parts)
        merged += names[done:at]
        merged.append(name)
        done = at
    merged += names[done:]
    both = files | new
    return {name: both[name] for name in merged}


def _parts(name: str) -> list[str]:
    return name.split("/")


def _saved_folder(home: Path, settings: str) -> Path | None:
    """The index saved for this corpus with these settings, if any (the newest, if several)."""
    if not home.is_dir():
        return None
    found: list[tuple[int, Path]] = []
    for folder in home.iterdir():
        if folder.name.startswith((".", SEGMENT)) or not folder.is_dir():
            continue
        record = folder / GENERATION if is_generation(folder) else folder / storage.META
        try:
            found.append((record.stat().st_mtime_ns, folder))
        except OSError:
            continue
    for _, folder in sorted(found, reverse=True):  # the newest first: most often the one
        try:
            if _provenance_of(folder).settings == settings:
                return folder
        except (OSError, ValueError, KeyError, TypeError, IndexCorrupt):
            continue
    return None


def _provenance_of(folder: Path) -> Provenance:
    if is_generation(folder):
        return Generation.read(folder)[0].provenance
    return storage.read_meta(folder).provenance


def merge_saved(
    corpus: Path,
    split: SplitSettings,
    settings: IndexSettings,
    max_file_bytes: int,
    *,
    follow_outside_links: bool = False,
) -> str:
    """Merge the saved index's segments if that is due (retrieval/index/updating.py), unless
    another process is merging them: the work updates leave for later, done after they were
    reported. Readers and updates go on meanwhile; a merge that an update overtook is dropped.
    Returns what was done, for a person ("" when nothing)."""
    corpus = corpus.resolve()
    home = (settings.cache_dir or default_cache_dir()) / _corpus_key(corpus)
    key_of = partial(
        fingerprint,
        corpus,
        split,
        settings,
        max_file_bytes,
        follow_outside_links=follow_outside_links,
    )
    shape = settings_key(split, settings, max_file_bytes, follow_outside_links=follow_outside_links)
    with tried(home / MERGE_LOCK) as mine:
        saved = _saved_folder(home, shape) if mine else None
        if saved is None or not is_generation(saved):
            return ""
        with locked(home / READ_LOCK, exclusive=False):
            current = read_current(saved, home, opener=segment_opener)
        due = merge_due(current)
        if due == "deltas":
            temporary, merged = merged_deltas(current, split=split, settings=settings)
            with locked(home / BUILD_LOCK, exclusive=True):
                if not commit_merged(current, temporary):
                    return ""
                with locked(home / READ_LOCK, exclusive=True):
                    _remove_stale(home, saved)
            return f"{merged} segments merged into one"
        if due == "rebuild" and key_of() == current.provenance.fingerprint:
            build = partial(
                build_index,
                corpus,
                split,
                settings,
                max_file_bytes,
                None,
                current.provenance.fingerprint,
                follow_outside_links=follow_outside_links,
            )
            temporary = built_aside(home, lambda into: build(folder=into))
            with locked(home / BUILD_LOCK, exclusive=True):
                unchanged = _same_generation(saved, current.order_file)
                if not unchanged or key_of() != current.provenance.fingerprint:
                    shutil.rmtree(temporary, ignore_errors=True)
                    return ""
                with locked(home / READ_LOCK, exclusive=True):
                    shutil.rmtree(saved, ignore_errors=True)
                    os.rename(temporary, saved)
                    _remove_stale(home, saved)
            return "the index was rebuilt from the folder, its segments merged"
    return ""


def _same_generation(folder: Path, order_file: str) -> bool:
    try:
        return Generation.read(folder)[0].order == order_file
    except IndexCorrupt:
        return False


def _build_and_save(build: Callable[[Path], object], home: Path, folder: Path) -> OpenedIndex:
    """Build into a temporary folder under `home`, renamed to `folder` once complete."""
    previous = _previous_files(home)
    note = ""
    try:
        _build_atomically(build, home, folder)
        index = Index.load(folder)
        _remember_segment(folder, index)  # built here: the first update after it starts from it
    except OSError as exc:  # a read-only or full cache: answer all the same, from elsewhere
        note = (
            f"the index could not be saved in {home} ({exc.strerror or exc}); "
            "it was built in a temporary folder and will be built again next time"
        )
        index = Index.in_temporary_folder(build)
    files = index.meta.provenance.files
    changes = None if previous is None else Changes.between(previous, files)
    return OpenedIndex(index, True, folder, _skipped(index), note, changes)


def _load_cached(folder: Path, home: Path) -> tuple[OpenedIndex | None, str]:
    """The index saved in `folder` if it is there and intact; else None and why not."""
    if not folder.is_dir():
        return None, ""
    with locked(home / READ_LOCK, exclusive=False):
        if not folder.is_dir():  # removed while this process waited for the lock
            return None, ""
        try:
            if is_generation(folder):
                return _load_generation(folder, home), ""
            entries = _checked_entries(folder)  # each time: a cache may be damaged meanwhile
            index, texts = _load(folder, check_reads=bool(entries))
            _remember_segment(folder, index)  # the first update after it starts from it
        except IndexCorrupt as exc:
            return None, f"the cached index was unusable ({exc}) and was rebuilt"
        check = _check_later(folder, home, [(folder, entries, texts)]) if entries else None
    return OpenedIndex(index, False, folder, _skipped(index), check=check), ""


def _load_generation(folder: Path, home: Path) -> OpenedIndex:
    """A generation's segments checked and opened as one index; the large segments' checksums
    are checked in one background thread, and a failure removes the generation (so that the
    next open rebuilds). A segment this process has opened and checked before is taken as it
    was: segments never change, and a bot reloading every few seconds must not hash its base
    each time."""
    generation, order = Generation.read(folder)
    indexes, later = [], []
    for name in generation.segments:
        index, entries, texts = _segment(home / name)
        indexes.append(index)
        if entries:
            later.append((home / name, entries, texts))
    index = SegmentedIndex(folder, indexes, generation, order)
    check = _check_later(folder, home, later) if later else None
    return OpenedIndex(index, False, folder, _skipped(index), check=check)


# Segments this process has opened, by folder and the identity of its manifest (a folder
# replaced under the same name is opened anew); kept while they stay in use.
_SEGMENTS: dict[tuple[str, int, int], Index] = {}
_SEGMENTS_KEPT = 32


def _segment(folder: Path) -> tuple[Index, dict[str, Entry], CheckedTextFile | None]:
    """Segment `folder` opened (or as opened before) and checked: the entries still to hash in
    the background and its texts read meanwhile through their block sums, if it is large and
    new to this process."""
    key = _identity(folder)
    opened = _SEGMENTS.get(key) if key is not None else None
    if opened is not None and not check_sizes(folder, _manifest_of(folder)):
        return opened, {}, None
    entries = _checked_entries(folder)
    index, texts = _load(folder, check_reads=bool(entries))
    _remember_segment(folder, index)
    return index, entries, texts


def _remember_segment(folder: Path, index: Index) -> None:
    """Keep `index`, opened from `folder`, for the updates to come (they start from it)."""
    key = _identity(folder)
    if key is not None:
        if len(_SEGMENTS) >= _SEGMENTS_KEPT:
            _SEGMENTS.clear()
        _SEGMENTS[key] = index


def segment_opener(folder: Path) -> Index:
    """A segment as `_segment` opens it, for an update reading the saved generation."""
    return _segment(folder)[0]


def _identity(folder: Path) -> tuple[str, int, int] | None:
    try:
        manifest = (folder / MANIFEST).stat()
    except OSError:
        return None
    return str(folder), manifest.st_ino, manifest.st_mtime_ns


def _manifest_of(folder: Path) -> dict[str, Entry]:
    """`folder`'s manifest; raises IndexCorrupt when it is missing or unreadable."""
    try:
        return read_manifest(folder)
    except ValueError as exc:
        raise IndexCorrupt(str(exc)) from None


def _check_later(
    folder: Path, home: Path, segments: list[tuple[Path, dict[str, Entry], CheckedTextFile | None]]
) -> Future[str]:
    """Hash a large index's folders (`folder` itself, or a generation's segments) in a thread,
    their texts trusted once intact; if one fails, remove it and `folder`, so that the next
    open rebuilds."""
    result: Future[str] = Future()
    inode = folder.stat().st_ino

    def check() -> None:
        problem = ""
        for segment, entries, texts in segments:
            problem = check_contents(segment, entries)
            if problem:
                break
            if texts is not None:
                texts.trust_all()
        if problem:
            with locked(home / READ_LOCK, exclusive=True):
                if _same_folder(folder, inode):
                    log.warning(
                        "the cached index %s failed its check (%s); it will be rebuilt",
                        folder,
                        problem,
                    )
                    shutil.rmtree(folder, ignore_errors=True)
                    shutil.rmtree(segment, ignore_errors=True)
                else:  # replaced by another process meanwhile: what it read was in flux
                    problem = ""
        result.set_result(problem)

    threading.Thread(target=check, name="index-check", daemon=True).start()
    return result


def _load(folder: Path, *, check_reads: bool) -> tuple[Index, CheckedTextFile | None]:
    """The saved index; with `check_reads` (its hash is still to come, in the background) its
    texts are read through CheckedTextFile, so no quote comes from bytes that fail their block's
    CRC-32 meanwhile (a manifest written before block sums existed: no such check)."""
    stored = storage.load(folder)
    sums = read_block_sums(folder, storage.TEXTS) if check_reads else None
    if sums is None:
        return Index(stored), None
    texts = CheckedTextFile(folder / storage.TEXTS, sums)
    return Index(replace(stored, texts=texts)), texts


def _checked_entries(folder: Path) -> dict[str, Entry]:
    """Checks the folder against its manifest; returns the entries still to be hashed (those of
    a large index, checked in the background), or raises IndexCorrupt."""
    entries = _manifest_of(folder)
    problem = check_sizes(folder, entries)
    if not problem and total_bytes(entries) <= INLINE_CHECK_BYTES:
        problem, entries = check_contents(folder, entries), {}
    if problem:
        raise IndexCorrupt(problem)
    return entries


def _same_folder(folder: Path, inode: int) -> bool:
    try:
        return folder.stat().st_ino == inode
    except OSError:
        return False


def _join(*notes: str) -> str:
    return "; ".join(note for note in notes if note)


def _previous_files(home: Path) -> dict[str, list[int]] | None:
    """The file table of the index kept for this corpus before, if one is readable."""
    if not home.is_dir():
        return None
    for folder in home.iterdir():
        if folder.name.startswith("."):
            continue
        try:
            meta = storage.read_meta(folder)
        except (OSError, ValueError, KeyError, TypeError, IndexCorrupt):
            continue
        return meta.provenance.files
    return None


def build_index(
    corpus: Path,
    split: SplitSettings,
    settings: IndexSettings,
    max_file_bytes: int,
    progress: Progress | None = None,
    key: str = "",
    stats: dict[str, FileStats] | None = None,
    *,
    folder: Path,
    follow_outside_links: bool = False,
) -> Index:
    """Read, split and index `corpus` into `folder`, without touching the cache."""
    if stats is None:
        stats = file_stats(corpus, follow_outside_links=follow_outside_links)
    seen = 0

    def on_file(_path: Path) -> None:
        nonlocal seen
        seen += 1
        if progress:
            progress("reading files", seen, max(seen, len(stats)))

    loaded = load_corpus(corpus, max_file_bytes, on_file, follow_outside_links=follow_outside_links)
    # Split as the articles are indexed: the passages are never all in memory at once.
    pairs = ((article, split_article(article, split)) for article in loaded.articles)
    provenance = Provenance(
        fingerprint=key,
        corpus=printable_name(str(corpus)),
        skipped=tuple(loaded.skipped),
        files=stats,
        settings=settings_key(
            split, settings, max_file_bytes, follow_outside_links=follow_outside_links
        ),
    )
    return Index.build_into(
        folder,
        pairs,
        settings,
        progress=progress,
        provenance=provenance,
        articles=len(loaded.articles),
    )


def _build_atomically(build: Callable[[Path], object], home: Path, folder: Path) -> None:
    """`build` into a temporary folder, swapped in as `folder` only once it is complete."""
    temporary = built_aside(home, build)
    try:
        with locked(home / READ_LOCK, exclusive=True):  # no reader sees the swap half done
            if folder.exists():  # an unusable earlier copy under the same key
                shutil.rmtree(folder, ignore_errors=True)
            os.rename(temporary, folder)
            _remove_stale(home, folder)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def _remove_stale(home: Path, folder: Path) -> None:
    """Older fingerprints, segments no longer used and abandoned builds; never the lock files,
    a running build, or the segments of `folder` (a generation's)."""
    keep = {folder.name, *LOCK_FILES}
    if is_generation(folder):
        try:
            keep.update(Generation.read(folder)[0].segments)
        except IndexCorrupt:
            return  # unreadable: nothing can be told stale
    for stale in home.iterdir():
        if stale.name not in keep and stale.is_dir() and not _build_in_progress(stale):
            shutil.rmtree(stale, ignore_errors=True)


def _build_in_progress(folder: Path) -> bool:
    """A temporary build folder whose process is still running (another `index` or bot)."""
    if not folder.name.startswith(BUILDING):
        return False
    pid = folder.name[len(BUILDING) :].split("-", 1)[0]
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
    return f"{readable}-{hashlib.sha256(os.fsencode(corpus)).hexdigest()[:10]}"


def _skipped(index: Index) -> list[Skipped]:
    return list(index.meta.provenance.skipped)
