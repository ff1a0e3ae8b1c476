import json
import urllib.request
from decimal import Decimal

RATES_URL = "https://rates.example.com/latest?base={base}"


def fetch_rates(base: str = "EUR") -> dict[str, Decimal]:
    request = urllib.request.Request(RATES_URL.format(base=base), headers={"Accept": "application/json"})
    # expect: request-without-timeout severity=medium id=no-timeout
    with urllib.request.urlopen(request) as response:
        payload = json.load(response)
    return {code: Decimal(str(rate)) for code, rate in payload["rates"].items()}


def convert(amount: Decimal, source: str, target: str, rates: dict[str, Decimal]) -> Decimal:
    if source == target:
        return amount
    return (amount / rates[source] * rates[target]).quantize(Decimal("0.01"))


def refresh(cache: dict[str, dict[str, Decimal]], bases: list[str]) -> int:
    updated = 0
    for base in bases:
        cache[base] = fetch_rates(base)
        updated += 1
    return updated
