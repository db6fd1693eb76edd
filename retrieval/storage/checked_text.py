"""texts.bin read with a cheap check of every block it reads, for the seconds after a large
cached index opens and before the background hash of all its files ends (retrieval/index/cache.py).

Indexes over the cache's INLINE_CHECK_BYTES start at once and are hashed in a thread; without
this, a damaged texts.bin could be quoted in that window. Each 64 KiB block's CRC-32 (kept in
the manifest) is compared the first time the block is read; a block that fails raises
IndexCorrupt, so the question fails ("something went wrong") instead of quoting damaged bytes,
and the background check then removes the folder and the index is rebuilt. Once that check has
passed, `trust_all` turns the checks off.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np

from corpusbot.retrieval.storage.files import IndexCorrupt, TextFile
from corpusbot.retrieval.storage.manifest import BlockSums


class CheckedTextFile(TextFile):
    """A TextFile whose reads are checked block by block against `sums` until `trust_all`."""

    def __init__(self, path: Path, sums: BlockSums) -> None:
        super().__init__(path)
        self._name = path.name
        self._sums = sums
        self._checked = np.zeros(len(sums.crcs), dtype=bool)  # each block is checked once
        self._trusted = False
        if len(sums.crcs) != -(-len(self) // sums.block_bytes):
            raise IndexCorrupt(f"{self._name}'s block checksums do not cover it")

    def trust_all(self) -> None:
        """The whole file has been hashed and found intact: read it without checks."""
        self._trusted = True

    def read(self, start: int, stop: int) -> bytes:
        start, stop = int(start), int(stop)
        if self._trusted or not start < stop <= len(self):
            return super().read(start, stop)  # (past the end: TextFile says so)
        size = self._sums.block_bytes
        first, last = start // size, (stop - 1) // size
        if self._checked[first : last + 1].all():
            return super().read(start, stop)
        base = first * size
        blocks = super().read(base, min((last + 1) * size, len(self)))
        for block in range(first, last + 1):
            piece = blocks[(block - first) * size : (block - first + 1) * size]
            if zlib.crc32(piece) != self._sums.crcs[block]:
                raise IndexCorrupt(
                    f"{self._name} bytes {block * size:,}-{block * size + len(piece):,} "
                    "changed since they were written"
                )
            self._checked[block] = True
        return blocks[start - base : stop - base]
