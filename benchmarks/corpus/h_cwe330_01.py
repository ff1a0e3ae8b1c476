import random

from django.core.mail import send_mail
from django.http import JsonResponse


def invite(request):
    invite_code = "%06d" % random.randrange(1_000_000)
    send_mail("Your invite", f"Code: {invite_code}", None, [request.POST["email"]])
    return JsonResponse({"sent": True})
