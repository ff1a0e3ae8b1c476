from django.http import HttpResponse


def search(request):
    query = request.GET.get("q", "")
    return HttpResponse("<p>No results for <b>" + query + "</b></p>")
