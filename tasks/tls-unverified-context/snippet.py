import json
import ssl
import urllib.request


def make_context(ca_file: str | None = None) -> ssl.SSLContext:
    if ca_file is not None:
        return ssl.create_default_context(cafile=ca_file)
    # expect: tls-verification-disabled severity=high id=cert-none
    return ssl._create_unverified_context()


def scrape(url: str, ca_file: str | None = None, timeout: float = 5.0) -> dict[str, float]:
    if not url.startswith("https://"):
        raise ValueError("metrics endpoints must use https")
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout, context=make_context(ca_file)) as resp:
        payload = json.load(resp)
    return {name: float(value) for name, value in payload.get("metrics", {}).items()}


def scrape_all(urls: list[str]) -> dict[str, dict[str, float]]:
    return {url: scrape(url) for url in urls}
