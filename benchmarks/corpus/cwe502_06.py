import yaml
from django.http import JsonResponse


def import_config(request):
    config = yaml.safe_load(request.body)
    return JsonResponse({"keys": list(config)})
