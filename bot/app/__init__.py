"""What every interface shares, with no `telegram` import: the service (the index and its answers,
reloads), the folder watcher, the feed poller, follows' matching and timing, and the answers
`eval --qa` asks for."""

from . import follow_matching
from .digest_times import day_start, next_digest, parse_offset, shown_offset
from .feed_poller import FeedRound, feed_status, poll_feeds_every, poll_round, utc_minute
from .follow_matching import RECENT_DAYS, lately
from .qa_answers import answer_functions
from .service import Reload, Service
from .watch import watch_corpus

__all__ = [
    "RECENT_DAYS",
    "FeedRound",
    "Reload",
    "Service",
    "answer_functions",
    "day_start",
    "feed_status",
    "follow_matching",
    "lately",
    "next_digest",
    "parse_offset",
    "poll_feeds_every",
    "poll_round",
    "shown_offset",
    "utc_minute",
    "watch_corpus",
]
