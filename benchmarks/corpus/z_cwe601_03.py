from django.conf import settings
from django.shortcuts import redirect, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from .models import Newsletter


@require_GET
def unsubscribe(request, token):
    Newsletter.objects.filter(unsubscribe_token=token).update(active=False)

    next_url = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(
        url=next_url,
        allowed_hosts={request.get_host(), *settings.TRUSTED_REDIRECT_HOSTS},
        require_https=request.is_secure(),
    ):
        return redirect(next_url)
    return redirect(resolve_url("newsletter:unsubscribed"))
