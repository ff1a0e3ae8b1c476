from urllib.parse import urlsplit, urlunsplit

import requests
from django.http import HttpResponseBadRequest, JsonResponse
from django.views.decorators.http import require_GET

ALLOWED_HOSTS = frozenset({"api.github.com", "gitlab.com", "bitbucket.org"})


def normalise_repo_url(raw: str) -> str | None:
    """Return an https URL on an approved forge host, or None."""
    try:
        parts = urlsplit(raw.strip())
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or host not in ALLOWED_HOSTS or port not in (None, 443):
        return None
    path = parts.path if parts.path.startswith("/") else "/" + parts.path
    return urlunsplit(("https", host, path, parts.query, ""))


@require_GET
def repo_metadata(request):
    url = normalise_repo_url(request.GET.get("url", ""))
    if url is None:
        return HttpResponseBadRequest("url must point to a supported code host")

    resp = requests.get(url, timeout=5, allow_redirects=False, headers={"Accept": "application/json"})
    if resp.status_code != 200:
        return JsonResponse({"error": "upstream returned %d" % resp.status_code}, status=502)
    data = resp.json()
    return JsonResponse(
        {
            "name": data.get("name") or data.get("path"),
            "description": data.get("description"),
            "stars": data.get("stargazers_count", data.get("star_count")),
        }
    )
