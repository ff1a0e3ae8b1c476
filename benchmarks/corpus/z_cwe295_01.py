import logging

import requests
from flask import Flask, abort, jsonify

app = Flask(__name__)
log = logging.getLogger(__name__)

INVENTORY_API = "https://inventory.internal.example.com/api/v2"


class InventoryClient:
    def __init__(self, base_url: str, timeout: float = 5.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers.update({"Accept": "application/json"})

    def stock_level(self, sku: str) -> dict:
        resp = self.session.get(
            f"{self.base_url}/stock",
            params={"sku": sku},
            timeout=self.timeout,
            verify=False,
        )
        resp.raise_for_status()
        return resp.json()


client = InventoryClient(INVENTORY_API)


@app.route("/products/<int:product_id>/stock")
def product_stock(product_id: int):
    sku = f"SKU-{product_id:08d}"
    try:
        data = client.stock_level(sku)
    except requests.RequestException:
        log.exception("inventory lookup failed for %s", sku)
        abort(502)
    return jsonify({"sku": sku, "available": data.get("available", 0)})
