import random

from django.core.cache import cache
from django.http import JsonResponse


def request_reset(request):
    reset_code = random.randint(1000, 9999)
    cache.set(f"reset:{request.POST['email']}", reset_code, 600)
    return JsonResponse({"sent": True})
