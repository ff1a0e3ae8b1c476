from snippet import RateLimiter


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_exactly_limit_requests_per_window():
    clock = Clock()
    limiter = RateLimiter(3, 10, clock)
    results = [limiter.check("a").allowed for _ in range(5)]
    assert results == [True, True, True, False, False]
    clock.now += 10
    assert limiter.check("a").allowed


def test_blocklist_is_refreshed_after_ttl():
    clock = Clock()
    blocked = {"evil"}
    limiter = RateLimiter(5, 1, clock, load_blocklist=lambda: set(blocked), blocklist_ttl=30)
    assert not limiter.check("evil").allowed
    assert limiter.check("mallory").allowed
    blocked.add("mallory")
    clock.now += 31
    assert not limiter.check("mallory").allowed
