"""Forgetting quiet chats: which chats have been silent longer than `telegram.chat_ttl_days`.

The bot keeps a little per chat (the questions behind its "More" buttons); a bot that runs for
months would otherwise keep it for every chat it ever had.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

SWEEP_EVERY = 3600.0  # seconds between sweeps at most (sooner when the time to live is shorter)


class ChatExpiry:
    """When each chat was last seen, oldest first; `sweep` hands over the expired ones."""

    def __init__(self, ttl_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl_seconds
        self.clock = clock
        self._seen: OrderedDict[int, float] = OrderedDict()
        self._swept = clock()

    @property
    def enabled(self) -> bool:
        return self.ttl > 0

    def seen(self, chat_id: int) -> None:
        """Note activity in `chat_id` now."""
        if self.enabled:
            self._seen[chat_id] = self.clock()
            self._seen.move_to_end(chat_id)

    def due(self) -> bool:
        """Whether a sweep is due (one an hour, or per time to live when that is shorter)."""
        return self.enabled and self.clock() - self._swept >= min(self.ttl, SWEEP_EVERY)

    def sweep(self) -> list[int]:
        """The chats quiet for longer than the time to live, forgotten here too."""
        now = self.clock()
        self._swept = now
        expired: list[int] = []
        while self.enabled and self._seen:
            chat_id, last = next(iter(self._seen.items()))
            if now - last <= self.ttl:
                break
            self._seen.popitem(last=False)
            expired.append(chat_id)
        return expired
