from datetime import datetime

from snippet import Comment, render_thread


def test_markup_in_body_is_escaped():
    out = render_thread([Comment("eve", "<script>alert(1)</script>", datetime(2024, 1, 2))])
    assert "<script>" not in out
    assert "&lt;script&gt;" in out


def test_plain_comment():
    out = render_thread([Comment("ann", "nice post", datetime(2024, 1, 2))])
    assert "nice post" in out and "02 Jan 2024" in out
