from django.utils.safestring import mark_safe
from django.shortcuts import render


def profile(request):
    signature = request.POST.get("signature", "")
    return render(request, "profile.html", {"signature": mark_safe(f"<em>{signature}</em>")})
