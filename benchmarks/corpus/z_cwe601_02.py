from django.contrib.auth import logout
from django.http import HttpResponseRedirect
from django.views.decorators.http import require_POST

DEFAULT_AFTER_LOGOUT = "/"


def _clean_return_path(value):
    if not value:
        return DEFAULT_AFTER_LOGOUT
    if not value.startswith("/"):
        return DEFAULT_AFTER_LOGOUT
    return value


@require_POST
def logout_view(request):
    target = _clean_return_path(request.POST.get("return_to") or request.GET.get("return_to"))
    logout(request)
    response = HttpResponseRedirect(target)
    response.delete_cookie("recent_searches")
    return response
