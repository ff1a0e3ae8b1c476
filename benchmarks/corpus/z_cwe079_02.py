from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from .models import Comment, Post


def render_comment(comment):
    body = comment.body.replace("\n", "<br>")
    return mark_safe(f'<div class="comment"><b>{comment.author_name}</b><p>{body}</p></div>')


@require_http_methods(["GET", "POST"])
def post_detail(request, slug):
    post = get_object_or_404(Post, slug=slug, published=True)
    if request.method == "POST":
        Comment.objects.create(
            post=post,
            author_name=request.user.get_username() if request.user.is_authenticated else "guest",
            body=request.POST.get("body", "")[:2000],
        )
        return redirect("blog:post_detail", slug=post.slug)

    comments = [render_comment(c) for c in post.comments.order_by("created_at")]
    return render(request, "blog/post_detail.html", {"post": post, "comments": comments})
