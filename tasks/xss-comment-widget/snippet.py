import html
from dataclasses import dataclass
from datetime import datetime


@dataclass
class Comment:
    author: str
    body: str
    posted: datetime


def render_comment(comment: Comment) -> str:
    author = html.escape(comment.author)
    when = comment.posted.strftime("%d %b %Y")
    # expect: xss severity=high id=raw-body
    return f'<article class="comment"><h4>{author}</h4><time>{when}</time><p>{comment.body}</p></article>'


def render_thread(comments: list[Comment]) -> str:
    if not comments:
        return '<p class="empty">No comments yet.</p>'
    ordered = sorted(comments, key=lambda c: c.posted)
    return "<section>" + "".join(render_comment(c) for c in ordered) + "</section>"
