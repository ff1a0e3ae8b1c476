from django.shortcuts import redirect
from django.urls import reverse


def after_checkout(request):
    order_id = request.session.get("last_order")
    return redirect(reverse("orders:detail", args=[order_id]))
