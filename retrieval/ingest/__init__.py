"""News coming in: links and feeds fetched without trusting them, article text extracted, and
written into the corpus folder."""

from .adding import AddReport, add_links
from .feed_polling import ERROR, FeedPoll, FeedState, poll_feeds
from .fetching import FetchError, FetchSettings, Validators, checked_url, refuse_private

__all__ = [
    "ERROR",
    "AddReport",
    "FeedPoll",
    "FeedState",
    "FetchError",
    "FetchSettings",
    "Validators",
    "add_links",
    "checked_url",
    "poll_feeds",
    "refuse_private",
]
