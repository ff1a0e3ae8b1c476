import os

from django.http import HttpResponseBadRequest, JsonResponse
from django.views import View

REPO_ROOT = "/srv/git/website.git"


class GitHistory:
    def __init__(self, repo_path):
        self.repo_path = repo_path

    def log(self, branch, limit=20):
        cmd = "git --git-dir=%s log --oneline -n %d %s" % (self.repo_path, limit, branch)
        with os.popen(cmd) as stream:
            return [line.rstrip("\n") for line in stream]


class BranchHistoryView(View):
    history = GitHistory(REPO_ROOT)

    def get(self, request):
        branch = request.GET.get("branch", "main")
        if not branch:
            return HttpResponseBadRequest("branch required")
        try:
            limit = min(int(request.GET.get("limit", "20")), 100)
        except ValueError:
            return HttpResponseBadRequest("limit must be an integer")
        return JsonResponse({"branch": branch, "commits": self.history.log(branch, limit)})
