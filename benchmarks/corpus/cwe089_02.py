from django.http import JsonResponse

from shop.models import Product


def product_list(request):
    category = request.GET.get("category", "all")
    sql = "SELECT * FROM shop_product WHERE category = '%s' AND active = 1" % category
    products = Product.objects.raw(sql)
    return JsonResponse({"products": [p.name for p in products]})
