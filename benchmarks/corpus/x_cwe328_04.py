from argon2 import PasswordHasher
from django.http import JsonResponse

hasher = PasswordHasher()


def set_password(request):
    request.user.profile.password_digest = hasher.hash(request.POST["password"])
    request.user.profile.save()
    return JsonResponse({"ok": True})
