import io
import json
import urllib.request
from decimal import Decimal

import snippet


class Reply(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_fetch_passes_a_timeout(monkeypatch):
    seen = {}

    def fake_urlopen(request, *args, **kwargs):
        seen["timeout"] = kwargs.get("timeout", args[1] if len(args) > 1 else None)
        return Reply(json.dumps({"rates": {"USD": 1.1}}).encode())

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    assert snippet.fetch_rates() == {"USD": Decimal("1.1")}
    assert seen["timeout"] is not None and 0 < seen["timeout"] <= 60
