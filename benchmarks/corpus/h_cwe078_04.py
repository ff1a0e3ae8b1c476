import subprocess

from django.http import JsonResponse


def disk_usage(request):
    out = subprocess.run("df -h / | tail -1", shell=True, capture_output=True, text=True, check=False)
    return JsonResponse({"df": out.stdout.strip()})
