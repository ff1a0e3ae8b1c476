import pytest

from snippet import TransientError, push_stock


def test_gives_up_after_attempts_with_growing_delays():
    calls, sleeps = [], []

    def always_busy(levels):
        calls.append(levels)
        if len(calls) > 50:
            raise RuntimeError("retried far too often")
        raise TransientError("503")

    with pytest.raises(TransientError):
        push_stock(always_busy, {"sku": 1}, attempts=4, sleep=sleeps.append)
    assert len(calls) == 4
    assert all(b > a for a, b in zip(sleeps, sleeps[1:]))


def test_success_after_one_failure():
    state = {"n": 0}

    def flaky(levels):
        state["n"] += 1
        if state["n"] == 1:
            raise TransientError("429")

    assert push_stock(flaky, {}, sleep=lambda s: None) == 2
