from django.db import connection
from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET


def fetch_inventory(sku):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.sku, s.warehouse, s.quantity FROM inventory_stock s "
            "WHERE s.sku = '%s' AND s.quantity > 0" % sku
        )
        return cursor.fetchall()


@require_GET
def inventory_lookup(request):
    sku = request.GET.get("sku", "").strip().upper()
    if not sku:
        raise Http404("no sku given")
    rows = fetch_inventory(sku)
    return JsonResponse(
        {
            "sku": sku,
            "locations": [{"warehouse": w, "quantity": q} for _, w, q in rows],
            "total": sum(q for _, _, q in rows),
        }
    )
