import time
from collections.abc import Callable


class TransientError(Exception):
    """The warehouse API answered 429/503; the call may succeed later."""


def push_stock(
    send: Callable[[dict[str, int]], None],
    levels: dict[str, int],
    attempts: int = 5,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Send ``levels``; return how many attempts it took."""
    attempt = 0
    # expect: retry-misuse severity=medium id=retry-forever
    while True:
        attempt += 1
        try:
            send(levels)
            return attempt
        except TransientError:
            sleep(0.1)
