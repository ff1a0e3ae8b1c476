import threading

from snippet import JobQueue, PermanentError


def test_permanent_errors_are_not_retried():
    q = JobQueue(workers=1, sleep=lambda s: None)
    calls = []

    def handler(payload):
        calls.append(payload)
        raise PermanentError("no such user")

    q.register("mail", handler)
    q.start()
    job_id = q.submit("mail", {"to": 1})
    q.drain()
    q.stop()
    assert q.jobs[job_id].status == "failed"
    assert len(calls) == 1


def test_register_many_passes_each_name():
    q = JobQueue(workers=2, sleep=lambda s: None)
    seen = []
    lock = threading.Lock()

    def handler(name, payload):
        with lock:
            seen.append(name)

    q.register_many(["resize", "notify"], handler)
    q.start()
    q.submit("resize", {})
    q.drain()
    q.stop()
    assert seen == ["resize"]
