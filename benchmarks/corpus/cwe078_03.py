import os

from django.http import HttpResponse


def search_logs(request):
    pattern = request.GET["q"]
    output = os.popen("grep -i '%s' /var/log/app/*.log | tail -n 50" % pattern).read()
    return HttpResponse(output, content_type="text/plain")
