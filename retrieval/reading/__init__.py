"""Reading a corpus folder: files into `Article` records (with dates, outlets, links), and
articles into `Passage` records with their offsets."""

from .corpus import Article, Skipped, load_corpus, nothing_readable, read_files
from .dates import FIRST_YEAR, LAST_YEAR, MONTH, WEEKDAY, month_number
from .folder import is_article_name, list_files, look_up, printable_name, stat_files, stat_some
from .front_matter import MAX_LINES, split_front_matter
from .passages import Passage, SplitSettings, split_article

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "MAX_LINES",
    "MONTH",
    "WEEKDAY",
    "Article",
    "Passage",
    "Skipped",
    "SplitSettings",
    "is_article_name",
    "list_files",
    "load_corpus",
    "look_up",
    "month_number",
    "nothing_readable",
    "printable_name",
    "read_files",
    "split_article",
    "split_front_matter",
    "stat_files",
    "stat_some",
]
