import requests
from django.http import JsonResponse

PARTNERS = {
    "acme": "https://api.acme.example/v1/status",
    "globex": "https://status.globex.example/api",
}


def partner_status(request, partner):
    url = PARTNERS.get(partner)
    if url is None:
        return JsonResponse({"error": "unknown partner"}, status=404)
    return JsonResponse(requests.get(url, timeout=5).json())
