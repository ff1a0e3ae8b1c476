import random

from django.core.cache import cache
from django.http import JsonResponse
from django.views import View

from notifications.sms import send_sms

OTP_TTL_SECONDS = 300


class SendLoginCodeView(View):
    http_method_names = ["post"]

    def post(self, request):
        user = request.user
        if not user.is_authenticated or not user.profile.phone_verified:
            return JsonResponse({"error": "second factor not available"}, status=400)

        code = f"{random.randint(0, 999999):06d}"
        cache.set(f"otp:{user.pk}", code, timeout=OTP_TTL_SECONDS)
        send_sms(user.profile.phone, f"Your login code is {code}. It expires in 5 minutes.")
        return JsonResponse({"sent": True, "expires_in": OTP_TTL_SECONDS})


class VerifyLoginCodeView(View):
    http_method_names = ["post"]

    def post(self, request):
        expected = cache.get(f"otp:{request.user.pk}")
        submitted = request.POST.get("code", "")
        if expected is None or submitted != expected:
            return JsonResponse({"ok": False}, status=401)
        cache.delete(f"otp:{request.user.pk}")
        request.session["mfa_passed"] = True
        return JsonResponse({"ok": True})
