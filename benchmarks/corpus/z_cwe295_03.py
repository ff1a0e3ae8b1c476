import os

import requests
from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.http import require_GET

LEDGER_URL = "https://ledger.corp.example.com/api/balances"
CA_BUNDLE = getattr(settings, "LEDGER_CA_BUNDLE", "/etc/ssl/certs/corp-root-ca.pem")


def _verify_setting():
    """Use the corporate CA bundle when present, otherwise the system trust store."""
    if CA_BUNDLE and os.path.exists(CA_BUNDLE):
        return CA_BUNDLE
    return True


@require_GET
def account_balance(request, account_id: int):
    if not request.user.is_authenticated:
        return JsonResponse({"error": "login required"}, status=401)

    resp = requests.get(
        f"{LEDGER_URL}/{int(account_id)}",
        timeout=6,
        verify=_verify_setting(),
    )
    if resp.status_code == 404:
        return JsonResponse({"error": "unknown account"}, status=404)
    resp.raise_for_status()
    payload = resp.json()
    return JsonResponse(
        {"account": account_id, "balance": payload["balance"], "currency": payload.get("currency", "EUR")}
    )
