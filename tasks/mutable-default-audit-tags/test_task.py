from snippet import make_event, needs_review


def test_review_tag_does_not_leak_between_events():
    assert needs_review(make_event("delete", "ann"))
    assert not needs_review(make_event("view", "ann"))


def test_explicit_tags_kept():
    assert make_event("view", "bob", ["x"])["tags"] == ["x"]
