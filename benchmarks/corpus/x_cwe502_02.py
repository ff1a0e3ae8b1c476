import yaml
from django.http import JsonResponse


def load_workflow(request):
    workflow = yaml.load(request.body, Loader=yaml.UnsafeLoader)
    return JsonResponse({"name": workflow["name"]})
