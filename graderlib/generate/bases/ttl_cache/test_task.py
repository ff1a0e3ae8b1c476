import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from snippet import ExpiringCache


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_missing_and_expired_keys_return_none():
    clock = Clock()
    cache = ExpiringCache(10, clock)
    assert cache.get("x") is None
    cache.put("x", 1)
    assert cache.get("x") == 1
    clock.now = 11
    assert cache.get("x") is None


def test_get_or_load_loads_once():
    cache = ExpiringCache(10, Clock())
    calls = []
    assert cache.get_or_load("k", lambda: calls.append(1) or "v") == "v"
    assert cache.get_or_load("k", lambda: calls.append(1) or "v") == "v"
    assert len(calls) == 1


def test_warm_loads_each_key_and_reports_per_call():
    cache = ExpiringCache(10, Clock())
    assert cache.warm(["a", "b"], str.upper) == ["a", "b"]
    assert cache.get("a") == "A" and cache.get("b") == "B"
    assert cache.warm(["c"], str.upper) == ["c"]
