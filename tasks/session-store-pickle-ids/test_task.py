import random

from snippet import SessionStore


class Memory:
    def __init__(self):
        self.data = {}

    def get(self, key):
        return self.data.get(key)

    def set(self, key, value, ttl):
        self.data[key] = value


def test_round_trip_and_plain_storage():
    backend = Memory()
    store = SessionStore(backend)
    sid = store.create({"user": "ann"})
    assert store.load(sid) == {"user": "ann"}
    assert backend.data[f"session:{sid}"].lstrip().startswith(b"{")


def test_ids_are_not_derived_from_random_module():
    store = SessionStore(Memory())
    random.seed(7)
    a = store.create({})
    random.seed(7)
    b = store.create({})
    assert a != b
