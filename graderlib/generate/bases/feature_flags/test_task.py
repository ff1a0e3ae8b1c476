import io
import logging
import warnings

import pytest

yaml = pytest.importorskip("yaml")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from snippet import FlagClient


class Reply(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def serving(text):
    timeouts = []

    def opener(request, *args, **kwargs):
        timeouts.append(kwargs.get("timeout"))
        return Reply(text.encode())

    return opener, timeouts


def test_flags_by_audience_with_timeouts():
    opener, timeouts = serving("beta:\n  audience: staff\nnew_ui:\n  audience: all\n")
    client = FlagClient("http://flags", "tok", opener=opener)
    assert client.is_enabled("new_ui", "guests")
    assert client.is_enabled("beta", "".join(["st", "aff"]))
    assert not client.is_enabled("beta", "guests")
    assert timeouts and all(t is not None for t in timeouts)


def test_python_tags_refused():
    opener, _ = serving("x: !!python/object/apply:os.getcwd []\n")
    with pytest.raises(yaml.YAMLError):
        FlagClient("http://flags", "tok", opener=opener).refresh()


def test_tokens_not_logged(caplog):
    opener, _ = serving("a: {audience: all}\n")
    with caplog.at_level(logging.DEBUG):
        client = FlagClient("http://flags", "first-secret", opener=opener)
        client.refresh()
        client.set_token("second-secret")
    assert "secret" not in caplog.text
