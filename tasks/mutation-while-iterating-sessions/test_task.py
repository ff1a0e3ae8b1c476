from snippet import SessionStore


def test_reaps_expired_sessions_only():
    store = SessionStore()
    store.add("a", "ann", ttl=-1)
    store.add("b", "bob", ttl=1000)
    store.add("c", "cat", ttl=-1)
    assert store.reap() == 2
    assert list(store.sessions) == ["b"]
