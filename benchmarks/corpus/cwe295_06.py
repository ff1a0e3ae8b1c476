import json
import ssl
from urllib.request import urlopen

from django.http import JsonResponse


def exchange_rates(request):
    context = ssl.create_default_context(cafile="/etc/ssl/certs/ca-certificates.crt")
    with urlopen("https://rates.example.com/latest", context=context, timeout=5) as response:
        return JsonResponse(json.load(response))
