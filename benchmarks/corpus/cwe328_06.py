import hashlib

from django.core.cache import cache
from django.http import JsonResponse

from search.engine import run_search


def search(request):
    query = request.GET.get("q", "")
    key = "search:" + hashlib.sha1(query.encode()).hexdigest()
    results = cache.get(key)
    if results is None:
        results = run_search(query)
        cache.set(key, results, 300)
    return JsonResponse({"results": results})
