import requests
from django.http import JsonResponse


def register_webhook(request):
    callback = request.POST["callback_url"]
    requests.post(callback, json={"event": "webhook.registered"}, timeout=3)
    return JsonResponse({"registered": callback})
