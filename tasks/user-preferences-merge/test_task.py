import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from snippet import merged_preferences, wants_digest


def test_preferences_do_not_leak_between_users():
    assert merged_preferences({"theme": "Dark"})["theme"] == "dark"
    assert merged_preferences({})["theme"] == "light"


def test_never_means_no_digest():
    prefs = merged_preferences({"digest": " NEVER "})
    assert not wants_digest(prefs)
    assert wants_digest(merged_preferences(None))
