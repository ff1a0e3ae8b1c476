import os

from django.http import FileResponse, Http404

from billing.models import Invoice


def invoice_pdf(request, invoice_id):
    invoice = Invoice.objects.filter(pk=invoice_id, customer=request.user).first()
    if invoice is None:
        raise Http404
    return FileResponse(open(os.path.join("/srv/invoices", f"{invoice.pk}.pdf"), "rb"))
