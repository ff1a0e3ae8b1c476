from django.contrib.auth.models import User
from django.http import JsonResponse


def user_detail(request, uid):
    users = User.objects.raw("SELECT * FROM auth_user WHERE id = %s", [uid])
    return JsonResponse({"users": [u.username for u in users]})
