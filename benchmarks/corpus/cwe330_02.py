import random

from django.http import JsonResponse

from sessions.store import SESSIONS


def start_session(request):
    session_id = "%032x" % random.getrandbits(128)
    SESSIONS[session_id] = request.user.pk
    response = JsonResponse({"ok": True})
    response.set_cookie("sid", session_id, secure=True, httponly=True)
    return response
