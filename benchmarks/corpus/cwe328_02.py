import hashlib
import os

from django.http import JsonResponse

from accounts.models import Credential


def set_password(request):
    salt = os.urandom(8).hex()
    digest = hashlib.sha1((salt + request.POST["new_password"]).encode()).hexdigest()
    Credential.objects.filter(user=request.user).update(salt=salt, password_hash=digest)
    return JsonResponse({"changed": True})
