from snippet import Request, Response, ResponseCache


class Clock:
    now = 0.0

    def __call__(self):
        return self.now


def echo(request):
    return Response(200, f"{request.path}?{request.query}:{request.headers.get('Authorization', '')}".encode())


def test_query_and_user_are_part_of_the_key():
    cache = ResponseCache(echo, clock=Clock())
    assert cache(Request("GET", "/search", "q=a")).body.startswith(b"/search?q=a")
    assert cache(Request("GET", "/search", "q=b")).body.startswith(b"/search?q=b")
    alice = cache(Request("GET", "/me", "", {"Authorization": "alice"}))
    bob = cache(Request("GET", "/me", "", {"Authorization": "bob"}))
    assert alice.body != bob.body


def test_capacity_is_respected():
    cache = ResponseCache(echo, max_entries=2, clock=Clock())
    for n in range(5):
        cache(Request("GET", f"/p{n}"))
    assert len(cache._entries) == 2


def test_purge_expired():
    clock = Clock()
    cache = ResponseCache(echo, ttl=10, clock=clock)
    cache(Request("GET", "/a"))
    cache(Request("GET", "/b"))
    clock.now = 11
    assert cache.purge_expired() == 2
