import secrets

from django.core.mail import send_mail
from django.http import JsonResponse


def invite(request):
    invite_code = f"{secrets.randbelow(1_000_000):06d}"
    send_mail("Your invite", f"Code: {invite_code}", None, [request.POST["email"]])
    return JsonResponse({"sent": True})
