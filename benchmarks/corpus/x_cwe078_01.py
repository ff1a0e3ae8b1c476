import subprocess

from django.http import HttpResponse


def lookup(request):
    domain = request.GET.get("domain", "example.com")
    code = subprocess.call("nslookup %s > /tmp/lookup.txt" % domain, shell=True)
    return HttpResponse(str(code))
