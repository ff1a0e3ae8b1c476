from django.shortcuts import redirect


def after_checkout(request):
    destination = request.session.get("after_checkout") or request.GET.get("continue", "/")
    return redirect(destination)
