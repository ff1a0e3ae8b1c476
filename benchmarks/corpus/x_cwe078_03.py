import subprocess

from django.http import HttpResponse


def lookup(request):
    domain = request.GET.get("domain", "example.com")
    result = subprocess.run(["nslookup", domain], capture_output=True, text=True, timeout=5, check=False)
    return HttpResponse(result.stdout, content_type="text/plain")
