import json
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

RETRYABLE = {429, 500, 502, 503, 504}


def backoff_delays(attempts: int, base: float = 0.5, cap: float = 8.0) -> list[float]:
    """Full-jitter exponential backoff; jitter needs no cryptographic randomness."""
    # ok: weak-random
    return [random.uniform(0, min(cap, base * 2**n)) for n in range(attempts - 1)]


def fetch_json(url: str, attempts: int = 4, timeout: float = 5.0,
               sleep: Callable[[float], None] = time.sleep) -> Any:
    if attempts < 1:
        raise ValueError("attempts must be positive")
    delays = backoff_delays(attempts)
    for attempt in range(attempts):
        try:
            # ok: request-without-timeout
            with urllib.request.urlopen(url, timeout=timeout) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            if error.code not in RETRYABLE or attempt == attempts - 1:
                raise
        except urllib.error.URLError:
            if attempt == attempts - 1:
                raise
        sleep(delays[attempt])
    raise AssertionError("unreachable")
