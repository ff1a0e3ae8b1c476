import hashlib
import hmac
import os

from django.contrib.auth import login
from django.http import JsonResponse
from django.views.decorators.http import require_POST

from accounts.models import Member

ITERATIONS = 600_000


def derive(password: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, ITERATIONS)


def make_password_record(password: str) -> str:
    salt = os.urandom(16)
    return f"pbkdf2_sha256${ITERATIONS}${salt.hex()}${derive(password, salt).hex()}"


def check_password_record(password: str, record: str) -> bool:
    try:
        _, iterations, salt_hex, hash_hex = record.split("$")
    except ValueError:
        return False
    candidate = hashlib.pbkdf2_hmac(
        "sha256", password.encode("utf-8"), bytes.fromhex(salt_hex), int(iterations)
    )
    return hmac.compare_digest(candidate, bytes.fromhex(hash_hex))


@require_POST
def member_login(request):
    email = request.POST.get("email", "").strip().lower()
    password = request.POST.get("password", "")
    member = Member.objects.filter(email=email, is_active=True).first()
    if member is None or not check_password_record(password, member.password_record):
        return JsonResponse({"error": "invalid credentials"}, status=401)
    login(request, member.user)
    return JsonResponse({"ok": True})
