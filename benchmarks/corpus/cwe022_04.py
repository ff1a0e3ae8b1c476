import os

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.http import require_POST


@require_POST
def delete_upload(request):
    relative = request.POST["path"]
    target = os.path.join(settings.MEDIA_ROOT, relative)
    os.remove(target)
    return JsonResponse({"deleted": relative})
