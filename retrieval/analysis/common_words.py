"""The most frequent words of a language, to tell a question's common words from its rare ones
where the corpus cannot.

BM25's idf tells how rare a word is in the corpus. In a folder of a few articles that says little:
"after" or "death" may be in one passage, or in none, and then weighs as much as "condoled". The
lists are jusText's stop lists (the most frequent words of Wikipedia in each of 100 languages,
some 450 for English: "after", "its", "death", "president"), which trafilatura already brings.
They are read from jusText's own files without importing it (its import loads lxml, a tenth of a
second that `corpusbot ask` should not pay). Snowball languages jusText has no list for, and
"none", have no common words.
"""

from __future__ import annotations

import importlib.util
import logging
from functools import cache
from pathlib import Path

__all__ = ["common_words"]

log = logging.getLogger("corpusbot.analyzer")

# Snowball stemmer names (analyzer.language) whose jusText list is not the name capitalised.
_LISTS = {"porter": "English", "dutch_porter": "Dutch", "norwegian": "Norwegian_Bokmal"}


@cache
def common_words(language: str) -> frozenset[str]:
    """The most frequent words of the Snowball `language`, case-folded; empty when none are
    known for it (or jusText is missing)."""
    spec = importlib.util.find_spec("justext")
    folders = spec.submodule_search_locations if spec is not None else None
    if not folders:
        return frozenset()
    name = _LISTS.get(language, language.capitalize())
    path = Path(next(iter(folders))) / "stoplists" / f"{name}.txt"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return frozenset()
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("could not read the common words of %s (%s): %s", language, path, exc)
        return frozenset()
    return frozenset(line.strip().casefold() for line in text.splitlines() if line.strip())
