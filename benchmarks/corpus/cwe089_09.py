import logging

from django.http import HttpResponseForbidden, JsonResponse

from accounts.models import Account

log = logging.getLogger(__name__)


def delete_account(request, account_id):
    account = Account.objects.filter(pk=account_id, owner=request.user).first()
    if account is None:
        message = "DELETE from account %s refused for user %s" % (account_id, request.user.pk)
        log.warning(message)
        return HttpResponseForbidden()
    account.delete()
    return JsonResponse({"deleted": account_id})
