"""A per-user token bucket: a flood gets one polite notice, then silence, never work."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

# Users remembered at most; the least recently seen are forgotten first.
MAX_USERS = 100_000


class RateDecision(StrEnum):
    """What to do with a user's update."""

    ALLOW = "allow"
    NOTIFY = "notify"  # the first refusal: say so, once
    DROP = "drop"  # refuse silently


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


class RateLimiter:
    """Allows `burst` questions at once and `per_minute` on average, per user."""

    def __init__(
        self, per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.clock = clock
        self._buckets: OrderedDict[int, _Bucket] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def check(self, user_id: int) -> RateDecision:
        """ALLOW, NOTIFY (the first refusal: say so once) or DROP (refuse silently)."""
        if not self.enabled:
            return RateDecision.ALLOW
        now = self.clock()
        bucket = self._buckets.pop(user_id, None) or _Bucket(self.burst, now)
        self._buckets[user_id] = bucket
        if len(self._buckets) > MAX_USERS:
            self._buckets.popitem(last=False)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            return RateDecision.ALLOW
        if bucket.warned:
            return RateDecision.DROP
        bucket.warned = True
        return RateDecision.NOTIFY

    def spend(self, user_id: int) -> None:
        """Take the next token of `user_id` in advance (it may go below zero): a question that
        waits for it, and the one after it, wait in turn."""
        bucket = self._buckets.get(user_id)
        if bucket is not None:
            bucket.tokens -= 1

    def retry_after(self, user_id: int) -> float:
        """Seconds until `user_id` may ask again."""
        bucket = self._buckets.get(user_id)
        if bucket is None or bucket.tokens >= 1 or not self.enabled:
            return 0.0
        return (1 - bucket.tokens) / self.rate


class WaitingLine:
    """Each user's questions held over the rate limit, to be answered late: at most `length`
    a user; and what was dropped past that, to be told."""

    def __init__(self, length: int) -> None:
        self.length = length
        self._waiting: dict[int, int] = {}
        self._dropped: dict[int, int] = {}

    def hold(self, user_id: int) -> bool:
        """Take a place for one more of `user_id`'s questions; False when the line is full."""
        if self._waiting.get(user_id, 0) >= self.length:
            return False
        self._waiting[user_id] = self._waiting.get(user_id, 0) + 1
        return True

    def release(self, user_id: int) -> None:
        left = self._waiting.get(user_id, 0) - 1
        if left > 0:
            self._waiting[user_id] = left
        else:
            self._waiting.pop(user_id, None)

    def drop(self, user_id: int) -> bool:
        """Count one more dropped question of `user_id`; True when no note about the dropped
        ones is on its way yet (the caller sends one)."""
        noted = user_id in self._dropped
        self._dropped[user_id] = self._dropped.get(user_id, 0) + 1
        return not noted

    def told(self, user_id: int) -> int:
        """How many of `user_id`'s questions were dropped since the last note; forgotten."""
        return self._dropped.pop(user_id, 0)


class OncePer:
    """Remembers when each user was last told something, to tell them at most once per
    `seconds` (a refusal to a stranger, say): a flood of theirs costs one message an hour."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self._told: OrderedDict[int, float] = OrderedDict()

    def wait(self, user_id: int) -> float:
        """Seconds until `user_id` may be told again (0 when now)."""
        last = self._told.get(user_id)
        return 0.0 if last is None else max(0.0, self.seconds - (self.clock() - last))

    def due(self, user_id: int) -> bool:
        """True (and remembered) when `user_id` was not told within the last `seconds`."""
        now = self.clock()
        last = self._told.get(user_id)
        if last is not None and now - last < self.seconds:
            return False
        self._told.pop(user_id, None)
        self._told[user_id] = now
        if len(self._told) > MAX_USERS:
            self._told.popitem(last=False)
        return True
