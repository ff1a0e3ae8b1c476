import os

from django.http import FileResponse


def invoice_pdf(request, filename):
    path = os.path.join("/srv/invoices", filename)
    return FileResponse(open(path, "rb"), content_type="application/pdf")
