import yaml
from django.http import JsonResponse


def import_config(request):
    config = yaml.load(request.body)
    return JsonResponse({"keys": list(config)})
