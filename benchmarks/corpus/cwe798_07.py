from django import forms
from django.contrib.auth import authenticate
from django.http import JsonResponse


class LoginForm(forms.Form):
    username = forms.CharField(max_length=150)
    password = forms.CharField(widget=forms.PasswordInput, help_text="At least 12 characters")


def login_view(request):
    form = LoginForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": "Invalid username or password"}, status=400)
    user = authenticate(request, **form.cleaned_data)
    return JsonResponse({"ok": user is not None})
