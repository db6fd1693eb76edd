import pytest

from corpusbot.bot.telegram.ratelimit import OncePer, RateDecision, RateLimiter, WaitingLine


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_flood_gets_one_notice_then_silence() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=6, burst=3, clock=clock)
    decisions = [limiter.check(1) for _ in range(10)]
    assert decisions == ["allow"] * 3 + ["notify"] + ["drop"] * 6
    assert 9.9 < limiter.retry_after(1) <= 10.0
    assert limiter.check(2) == "allow"  # others are not affected


def test_the_bucket_refills_and_the_notice_comes_again_after_a_pause() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=6, burst=2, clock=clock)
    assert [limiter.check(1) for _ in range(4)] == ["allow", "allow", "notify", "drop"]
    clock.now += 10  # one token back
    assert [limiter.check(1) for _ in range(3)] == ["allow", "notify", "drop"]
    clock.now += 3600
    assert [limiter.check(1) for _ in range(3)] == ["allow", "allow", "notify"]


def test_zero_rate_means_no_limit() -> None:
    limiter = RateLimiter(per_minute=0, burst=1)
    assert not limiter.enabled
    assert {limiter.check(1) for _ in range(1000)} == {"allow"}


def test_once_per_tells_each_user_once_per_interval() -> None:
    clock = Clock()
    once = OncePer(3600, clock)
    assert [once.due(1) for _ in range(5)] == [True, False, False, False, False]
    assert once.due(2)
    clock.now += 3599
    assert not once.due(1)
    clock.now += 1
    assert once.due(1)


def test_the_waiting_line_holds_a_few_and_counts_the_rest() -> None:
    line = WaitingLine(2)
    assert line.hold(1) and line.hold(1) and not line.hold(1)
    assert line.hold(2)  # each user has a line of their own
    assert line.drop(1) and not line.drop(1)  # the first drop brings a note; the second waits in it
    assert line.told(1) == 2 and line.told(1) == 0
    line.release(1)
    assert line.hold(1)


def test_spending_ahead_makes_the_next_wait_longer() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=60, burst=1, clock=clock)
    assert limiter.check(1) is RateDecision.ALLOW
    assert limiter.check(1) is RateDecision.NOTIFY
    first = limiter.retry_after(1)
    limiter.spend(1)
    assert limiter.retry_after(1) == pytest.approx(first + 1.0)
