from django.db import connection
from django.views import View
from django.http import JsonResponse


class ReportView(View):
    def get(self, request):
        region = request.GET.get("region", "EU")
        with connection.cursor() as cursor:
            cursor.execute("SELECT month, SUM(total) FROM sales WHERE region = '{}' GROUP BY month".format(region))
            data = cursor.fetchall()
        return JsonResponse({"rows": data})
