import re
import urllib.request
from collections.abc import Callable
from typing import IO

TITLE = re.compile(rb"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)
Opener = Callable[..., IO[bytes]]


def fetch_title(url: str, opener: Opener = urllib.request.urlopen) -> str | None:
    if not url.startswith(("http://", "https://")):
        raise ValueError("only web links have previews")
    # expect: ssrf severity=high id=fetch-any-host
    with opener(url, timeout=3) as response:
        head = response.read(64 * 1024)
    match = TITLE.search(head)
    return match.group(1).decode("utf-8", "replace").strip() if match else None


def preview(message: str, opener: Opener = urllib.request.urlopen) -> list[dict[str, str | None]]:
    links = re.findall(r"https?://\S+", message)
    return [{"url": link, "title": fetch_title(link, opener)} for link in links[:3]]
