"""Updating a saved index when its folder changes, without rebuilding it.

Files added or changed since the saved index are read and indexed into a new segment; the
articles of files changed or removed are marked dead in the segments that hold them; a new
generation (retrieval/index/segmented.py) names the segments and the live articles in corpus
order. The cost is that of the files that changed (and, for a dead article of a large segment, one
pass over that segment's postings to count what it held), whatever the corpus's size.

Segments are merged so that they stay few and the base stays the bulk of the index: past
MAX_DELTAS segments beside the base, those are merged into one (from their stored texts); when
the passages outside the base and the dead ones pass REBUILD_SHARE of the live ones, the index is
rebuilt from the folder, which reclaims the dead passages' space. A merge runs after the update
that made it due has been reported, builds without holding up other writers or any reader, and
is committed only if no other update came in meanwhile.

Every step writes into a temporary folder renamed into place when complete, and a generation's
record replaces the previous one at once: a process killed at any moment leaves an index that
loads, holding at least every update that was reported done.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from corpusbot.retrieval.index.bm25 import Index, IndexSettings, Progress
from corpusbot.retrieval.index.segmented import (
    GENERATION,
    Dead,
    Generation,
    code,
    is_generation,
    placed,
)
from corpusbot.retrieval.plurals import counted
from corpusbot.retrieval.reading import (
    Article,
    Passage,
    Skipped,
    SplitSettings,
    look_up,
    read_files,
    split_article,
)
from corpusbot.retrieval.storage import (
    READ_LOCK,
    TEXTS,
    IndexCorrupt,
    Provenance,
    locked,
    write_manifest,
)

log = logging.getLogger(__name__)

# Below this many live passages a change rebuilds the index: that takes under a second.
INCREMENTAL_MIN_PASSAGES = 5_000
# A change touching more than this share of the files is indexed by a rebuild.
MOST_FILES = 0.5
# Segments beside the base at most; one more and they are merged into one.
MAX_DELTAS = 4
# When the passages outside the base and the dead ones pass this share of the live passages,
# the index is rebuilt from the folder: the base stays the bulk of the index (its impacts close
# to the whole index's statistics, so the compiled search prunes well) and dead space is freed.
REBUILD_SHARE = 0.25
SEGMENT = "seg-"  # prefix of a segment folder's name
BUILDING = ".building-"  # prefix of a folder being written, followed by its process's id


@dataclass(frozen=True)
class Changes:
    """Corpus files added, changed and removed between two indexes."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def summary(self) -> str:
        parts = [
            f"{len(names)} {verb}"
            for names, verb in (
                (self.added, "added"),
                (self.changed, "changed"),
                (self.removed, "removed"),
            )
            if names
        ]
        return ", ".join(parts) or "no file changed"

    @classmethod
    def between(cls, before: dict[str, list[int]], after: dict[str, list[int]]) -> Changes:
        """The difference of two `files` tables (path -> stats) of index metadata."""
        # Both hold lists (as JSON reads them and file_stats makes them): compared as they are.
        return cls(
            added=tuple(sorted(after.keys() - before.keys())),
            changed=tuple(
                sorted(n for n, numbers in after.items() if before.get(n, numbers) != numbers)
            ),
            removed=tuple(sorted(before.keys() - after.keys())),
        )


@dataclass
class Current:
    """The saved index an update starts from: its folder, its segments (their folder names
    and the opened folders, the base first), the live articles' order, what the dead held, and
    what it was built from."""

    folder: Path
    names: list[str]
    indexes: list[Index]
    order: np.ndarray
    dead: Dead
    provenance: Provenance
    order_file: str = ""

    @property
    def live_passages(self) -> int:
        return sum(len(index) for index in self.indexes) - self.dead.passages


@dataclass(frozen=True)
class Update:
    """What an update did."""

    folder: Path  # the new generation
    articles: int  # articles indexed (of files added or changed)
    passages: int
    dead: int  # articles of files changed or removed
    changes: Changes = field(default_factory=Changes)  # the files
    since: str = ""  # the fingerprint of the index it was updated from
    seconds: float = 0.0

    def summary(self) -> str:
        """What it did, for a person: "1 article added, 3 passages, in 0.2 s"."""
        parts = [counted(self.articles, "article") + " added", counted(self.passages, "passage")]
        if self.dead:
            parts.append(f"{counted(self.dead, 'article')} taken out")
        return f"{', '.join(parts)}, in {self.seconds:.1f} s"


def read_current(
    folder: Path, home: Path, *, opener: Callable[[Path], Index] = Index.load
) -> Current:
    """The index saved in `folder` (a single folder or a generation) as an update reads it;
    `opener` opens a segment folder."""
    if is_generation(folder):
        generation, order = Generation.read(folder)
        indexes = [opener(home / name) for name in generation.segments]
        return Current(
            folder,
            list(generation.segments),
            indexes,
            order,
            generation.dead,
            generation.provenance,
            generation.order,
        )
    index = opener(folder)  # the base of the generation to come: opened once for both
    order = np.arange(len(index.articles), dtype=np.int64)
    return Current(folder, [folder.name], [index], order, Dead(), index.meta.provenance)


def derive(
    current: Current,
    corpus: Path,
    *,
    stats: dict[str, list[int]],
    provenance: Provenance,
    split: SplitSettings,
    settings: IndexSettings,
    max_file_bytes: int,
    follow_outside_links: bool,
    progress: Progress | None = None,
) -> Update | None:
    """A new generation of `current` for the folder's files as `stats` tells them, saved beside
    it under `provenance.fingerprint`; None when a rebuild is the better way (a small index, a
    change to most files, a new article whose id another article has)."""
    home = current.folder.parent
    after = stats
    changes = Changes.between(current.provenance.files, after)
    added, changed, removed = changes.added, changes.changed, changes.removed
    touched = len(added) + len(changed) + len(removed)
    if current.live_passages < INCREMENTAL_MIN_PASSAGES or touched > MOST_FILES * len(after):
        return None
    if any("\\" in name for name in (*added, *changed)):  # a name kept printable: rebuild
        return None
    live = _LiveOrder(current)
    dying = live.positions_of([*changed, *removed])
    remaining = np.delete(current.order, dying)
    files = look_up(corpus, [*added, *changed], follow_outside_links=follow_outside_links)
    read = read_files(corpus, files, max_file_bytes)
    articles = read.articles
    if _ids_collide(articles, live, remaining, list(after)):
        return None
    names = list(current.names)
    passages = 0
    if articles:
        pairs = [(a, split_article(a, split)) for a in articles]
        passages = sum(len(p) for _, p in pairs)
        names.append(_new_segment(home, pairs, settings, progress))
    dead = current.dead.plus(_held(current, current.order[dying]))
    order = _with_new(live, remaining, articles, segment=len(names) - 1)
    kept = [s for s in current.provenance.skipped if _file_of(s) not in {*changed, *removed}]
    provenance = replace(provenance, skipped=(*kept, *read.skipped))
    generation = Generation(tuple(names), dead, provenance, _order_name())
    folder = home / provenance.fingerprint
    _write_generation(home, folder, generation, order)
    since = current.provenance.fingerprint
    return Update(folder, len(articles), passages, len(dying), changes, since)


def _file_of(skipped: Skipped) -> str:
    """The file a skipped entry is about (a .jsonl line's entry names it `file:line`)."""
    name, _, line = skipped.path.rpartition(":")
    return name if name and line.isdigit() else skipped.path


class _LiveOrder:
    """The live articles of `current` in corpus order, their paths read when asked."""

    def __init__(self, current: Current) -> None:
        self.current = current
        self.order = current.order.tolist()

    def parts(self, entry: int) -> tuple[str, ...]:
        """The path of the article at order entry `entry`, part by part (the listing's key)."""
        segment, local = placed(entry)
        return tuple(self.current.indexes[segment].articles[local].path.split("/"))

    def positions_of(self, names: Sequence[str]) -> np.ndarray:
        """The positions of the live articles of files `names` (each file's run of them)."""
        found: list[int] = []
        for name in names:
            parts = tuple(name.split("/"))
            at = bisect_left(self.order, parts, key=self.parts)
            while at < len(self.order) and self.parts(self.order[at]) == parts:
                found.append(at)
                at += 1
        return np.array(sorted(found), dtype=np.int64)

    def ids(self, entries: np.ndarray) -> set[str]:
        """The ids of the articles at order `entries`: one walk over each segment."""
        wanted = set(entries.tolist())
        found: set[str] = set()
        for segment, index in enumerate(self.current.indexes):
            for local, info in enumerate(index.articles):
                if code(segment, local) in wanted:
                    found.add(info.id)
        return found


def _ids_collide(
    articles: list[Article], live: _LiveOrder, remaining: np.ndarray, files: Sequence[str]
) -> bool:
    """Whether a new article's id may be a live article's: a rebuild decides which one gets
    the path added to it, as it always has (retrieval/reading/corpus.py, unique_ids). A text
    file's article is named by the file's stem, so unless a .jsonl file is about (its lines
    name their own), the other files' stems tell without reading any article."""
    if not articles:
        return False
    new = {a.id for a in articles}
    if len(new) < len(articles):
        return True
    # One string looked through, not a test per file: a large folder has 100,000 of them.
    if ".jsonl\0" in ("\0".join(files) + "\0").lower():
        return not new.isdisjoint(live.ids(remaining))
    own = {a.path for a in articles}
    # Path(name).stem of each other file, inline: a function call per file took a tenth of
    # an update at 100,000 files.
    bases = (name.rpartition("/")[2] for name in files if name not in own)
    return not new.isdisjoint({base.rpartition(".")[0] or base for base in bases})


def _with_new(
    live: _LiveOrder, remaining: np.ndarray, articles: list[Article], *, segment: int
) -> np.ndarray:
    """`remaining` (the live order less the dying) with the new segment's articles put in
    corpus order: by path, part by part, as the folder is listed."""
    if not articles:
        return remaining
    entries = remaining.tolist()
    places = [bisect_left(entries, tuple(a.path.split("/")), key=live.parts) for a in articles]
    codes = [code(segment, number) for number in range(len(articles))]
    return np.insert(remaining, places, codes).astype(np.int64)


def _held(current: Current, entries: np.ndarray) -> Dead:
    """What the articles `entries` (order codes) held: their passages, length and each term's
    document frequency, counted from their segments' postings."""
    total = Dead()
    if not len(entries):
        return total
    segments, locals_ = placed(entries)
    for segment in np.unique(segments).tolist():
        index = current.indexes[segment]
        mask = _passages_of(index, locals_[segments == segment])
        total = total.plus(_counted(index, mask))
    return total


def _passages_of(index: Index, articles: np.ndarray) -> np.ndarray:
    """A bool per passage of `index`: whether it belongs to one of `articles` (0-based)."""
    mask = np.zeros(len(index), dtype=bool)
    column = index.table.article
    for article in articles.tolist():
        lo, hi = np.searchsorted(column, [article, article + 1])
        mask[lo:hi] = True
    return mask


def _counted(index: Index, mask: np.ndarray) -> Dead:
    """The passages of `index` that `mask` marks: how many, their length, their terms' counts."""
    if not mask.any():
        return Dead()
    offsets = index.postings.offsets
    held = mask[index.postings.doc_ids].astype(np.int64)
    per_term = np.add.reduceat(held, offsets[:-1]) if len(held) else np.zeros(0, np.int64)
    terms = index.terms
    df = {terms[t]: int(per_term[t]) for t in np.flatnonzero(per_term).tolist()}
    length = int(index.table.doc_len[mask].astype(np.int64).sum())
    return Dead(int(mask.sum()), length, df)


def _new_segment(
    home: Path,
    pairs: list[tuple[Article, list[Passage]]],
    settings: IndexSettings,
    progress: Progress | None,
) -> str:
    """Index `pairs` into a new segment folder under `home`; its name."""
    name = f"{SEGMENT}{os.urandom(6).hex()}"

    def build(into: Path) -> None:
        Index.build_into(into, pairs, settings, progress=progress, articles=len(pairs))

    temporary = built_aside(home, build)
    try:
        os.rename(temporary, home / name)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return name


def temporary_folder(home: Path) -> Path:
    """A new folder under `home` for something being written, named so that a later look at
    `home` tells it from a finished one, and whether its process still runs."""
    home.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{BUILDING}{os.getpid()}-", dir=home))


def built_aside(home: Path, build: Callable[[Path], object]) -> Path:
    """`build` into a temporary folder under `home`, with its manifest of checksums: the folder,
    for the caller to rename into place (removed if the build fails)."""
    temporary = temporary_folder(home)
    try:
        build(temporary)
        write_manifest(temporary, block_sums_for=(TEXTS,))
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return temporary


def _order_name() -> str:
    return f"order-{os.urandom(4).hex()}.npy"


def _write_generation(home: Path, folder: Path, generation: Generation, order: np.ndarray) -> None:
    """A new generation folder, renamed into place as `folder` (replacing one of that name)."""
    temporary = temporary_folder(home)
    try:
        generation.write(temporary, order)
        with locked(home / READ_LOCK, exclusive=True):
            if folder.exists():
                shutil.rmtree(folder, ignore_errors=True)
            os.rename(temporary, folder)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


# --- merging -----------------------------------------------------------------------------------


def merge_due(current: Current) -> str:
    """Which merge `current` needs: "rebuild", "deltas" or ""."""
    if len(current.indexes) == 1:
        return ""
    outside = sum(len(index) for index in current.indexes[1:]) + current.dead.passages
    if outside > REBUILD_SHARE * max(current.live_passages, 1):
        return "rebuild"
    if len(current.indexes) - 1 > MAX_DELTAS:
        return "deltas"
    return ""


def merged_deltas(
    current: Current, *, split: SplitSettings, settings: IndexSettings
) -> tuple[Path, int]:
    """The smaller segments beside the base merged into one, from their live articles' stored
    texts, leaving MAX_DELTAS // 2 of them: each article is merged again only when the segments
    around it have grown as large (so a steady stream of updates costs a few merges per article,
    not one per update). The new generation is written to a temporary folder returned (the
    caller commits it), with how many segments were merged."""
    home = current.folder.parent
    started = time.perf_counter()
    segments, locals_ = placed(current.order)
    sizes = {n: int((segments == n).sum()) for n in range(1, len(current.indexes))}
    merging = sorted(sorted(sizes, key=lambda n: (sizes[n], n))[: len(sizes) - MAX_DELTAS // 2 + 1])
    kept = [n for n in range(1, len(current.indexes)) if n not in merging]
    pairs = []
    for entry in current.order[np.isin(segments, merging)].tolist():
        segment, local = placed(entry)
        index = current.indexes[segment]
        info = index.articles[local]
        text = index.article_text(local + 1)
        article = Article(info.id, info.title, text, info.path, info.source, info.date, info.url)
        pairs.append((article, split_article(article, split)))
    name = _new_segment(home, pairs, settings, None) if pairs else ""
    gone = Dead()
    for segment in merging:
        index = current.indexes[segment]
        alive = np.zeros(len(index.articles), dtype=bool)
        alive[locals_[segments == segment]] = True
        gone = gone.plus(_counted(index, _passages_of(index, np.flatnonzero(~alive))))
    renumbered = {0: 0, **{old: new for new, old in enumerate(kept, start=1)}}
    order = current.order.copy()
    for old, new in renumbered.items():
        mine = segments == old
        order[mine] = code(new, locals_[mine])
    into = np.isin(segments, merging)
    order[into] = [code(len(kept) + 1, number) for number in range(int(into.sum()))]
    names = [current.names[0], *(current.names[n] for n in kept), *([name] if name else [])]
    generation = Generation(
        tuple(names), current.dead.less(gone), current.provenance, _order_name()
    )
    temporary = temporary_folder(home)
    generation.write(temporary, order)
    seconds = time.perf_counter() - started
    log.info("merged %d segments (%d articles) in %.1f s", len(merging), len(pairs), seconds)
    return temporary, len(merging)


def commit_merged(current: Current, temporary: Path) -> bool:
    """Put the merged generation in `temporary` in place of `current`'s, if that is still the
    saved one (no update came in while it was merged); whether it was."""
    with locked(current.folder.parent / READ_LOCK, exclusive=True):
        try:
            now, _ = Generation.read(current.folder)
        except IndexCorrupt:  # replaced by a rebuild meanwhile
            now = None
        if now is None or now.order != current.order_file:
            shutil.rmtree(temporary, ignore_errors=True)
            return False
        # The files the new record names first, then the record itself: at once, it is the
        # saved generation; until then the old one is, whole.
        for path in sorted(temporary.iterdir()):
            if path.name != GENERATION:
                os.replace(path, current.folder / path.name)
        os.replace(temporary / GENERATION, current.folder / GENERATION)
        shutil.rmtree(temporary, ignore_errors=True)
        for stale in (now.order, f"{now.files}.txt", f"{now.files}.npy"):
            (current.folder / stale).unlink(missing_ok=True)
    return True
