import snippet


def test_key_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("PAYMENTS_API_KEY", "sk_test_from_env")
    request = snippet.build_request("/charges", {"amount": 1})
    assert request.get_header("Authorization") == "Bearer sk_test_from_env"


def test_no_live_key_in_module():
    assert not any(
        isinstance(value, str) and value.startswith("sk_live_") for value in vars(snippet).values()
    )
