import hashlib

from django.http import JsonResponse

SALT = b"0a1b2c"


def set_password(request):
    password = request.POST["password"]
    request.user.profile.password_digest = hashlib.sha1(password.encode() + SALT).hexdigest()
    request.user.profile.save()
    return JsonResponse({"ok": True})
