"""What the bot remembers: questions, the quotes they got, 👍/👎 feedback, in one SQLite file.

No Telegram here: the bot's handlers (bot/telegram/history_handlers.py) and the command line call
in.

- :mod:`.records`: the dataclasses and enums that cross this package's border;
- :mod:`.privacy`: the secret key and the keyed hashes that stand in for user and chat ids;
- :mod:`.store`: opening the database (lock, corruption, migrations) and every write;
- :mod:`.schema`: the versioned schema, one migration per version;
- :mod:`.stats`: the /stats and `corpusbot stats` queries, and their text;
- :mod:`.export`: `corpusbot feedback export`, JSON lines in the `eval --qa` format;
- :mod:`.plot`: the optional PNG chart (matplotlib).

The `stats` and `feedback export` subcommands are in bot/cli/history_commands.py.
"""

from .export import feedback_cases
from .feeds import SETTINGS, FeedRecord, FeedStore, open_feeds
from .follows import (
    DIGEST,
    INSTANT,
    Alert,
    ChatTime,
    Follow,
    FollowStore,
    QueuedAlert,
    open_follows,
)
from .plot import PlotUnavailable, plot_per_day
from .records import (
    FIRST_PAGE,
    AnswerPage,
    AskedQuestion,
    DownReason,
    QuotedArticle,
    Vote,
    VoteState,
)
from .stats import DAY, read_stats, stats_text
from .store import HistoryBusy, HistoryStore, HistoryUnavailable, open_reader, open_store

__all__ = [
    "DAY",
    "DIGEST",
    "FIRST_PAGE",
    "INSTANT",
    "SETTINGS",
    "Alert",
    "AnswerPage",
    "AskedQuestion",
    "ChatTime",
    "DownReason",
    "FeedRecord",
    "FeedStore",
    "Follow",
    "FollowStore",
    "HistoryBusy",
    "HistoryStore",
    "HistoryUnavailable",
    "PlotUnavailable",
    "QueuedAlert",
    "QuotedArticle",
    "Vote",
    "VoteState",
    "feedback_cases",
    "open_feeds",
    "open_follows",
    "open_reader",
    "open_store",
    "plot_per_day",
    "read_stats",
    "stats_text",
]
