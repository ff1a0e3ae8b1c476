from django.http import HttpResponse
from django.utils.html import format_html, format_html_join

from .models import Review


def review_rows(reviews):
    return format_html_join(
        "\n",
        "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
        ((r.reviewer, r.rating, r.text) for r in reviews),
    )


def product_reviews(request, product_id):
    reviewer = request.GET.get("reviewer", "")
    reviews = Review.objects.filter(product_id=product_id)
    if reviewer:
        reviews = reviews.filter(reviewer__iexact=reviewer)

    html = format_html(
        "<h2>Reviews{}</h2><table>{}</table>",
        format_html(" by {}", reviewer) if reviewer else "",
        review_rows(reviews),
    )
    return HttpResponse(html)
