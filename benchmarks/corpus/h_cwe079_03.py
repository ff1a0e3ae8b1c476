from django.utils.html import format_html
from django.shortcuts import render


def profile(request):
    signature = request.POST.get("signature", "")
    return render(request, "profile.html", {"signature": format_html("<em>{}</em>", signature)})
