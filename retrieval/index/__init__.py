"""The BM25 index: built from articles in bounded memory, saved and cached per corpus, searched."""

from .bm25 import (
    ArticleColumns,
    ArticleInfo,
    Hit,
    Index,
    IndexSettings,
    Matches,
    Progress,
    Query,
    SearchResult,
)
from .cache import OpenedIndex, file_stats, fingerprint, merge_saved, open_index
from .segmented import SegmentedIndex
from .updating import Changes, Update
from .worker import IndexedCorpus, IndexWorker, merge_corpus

__all__ = [
    "ArticleColumns",
    "ArticleInfo",
    "Changes",
    "Hit",
    "Index",
    "IndexSettings",
    "IndexWorker",
    "IndexedCorpus",
    "Matches",
    "OpenedIndex",
    "Progress",
    "Query",
    "SearchResult",
    "SegmentedIndex",
    "Update",
    "file_stats",
    "fingerprint",
    "merge_corpus",
    "merge_saved",
    "open_index",
]
