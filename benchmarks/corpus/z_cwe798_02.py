import json

import tornado.web
from tornado.httpclient import AsyncHTTPClient, HTTPRequest

GEOCODER_URL = "https://api.geocoder.example.io/v1/reverse"


class GeocoderClient:
    api_key = "gk_live_7f3a91c4e0b24d6f8a1e55c2d9b07a13"

    def __init__(self):
        self.http = AsyncHTTPClient()

    async def reverse(self, lat: float, lon: float) -> dict:
        req = HTTPRequest(
            f"{GEOCODER_URL}?lat={lat:.6f}&lon={lon:.6f}",
            headers={"Authorization": f"Bearer {self.api_key}", "Accept": "application/json"},
            request_timeout=5,
        )
        resp = await self.http.fetch(req)
        return json.loads(resp.body)


class ReverseGeocodeHandler(tornado.web.RequestHandler):
    geocoder = GeocoderClient()

    async def get(self):
        try:
            lat = float(self.get_query_argument("lat"))
            lon = float(self.get_query_argument("lon"))
        except ValueError:
            raise tornado.web.HTTPError(400, "lat/lon must be numbers")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise tornado.web.HTTPError(400, "coordinates out of range")
        result = await self.geocoder.reverse(lat, lon)
        self.write({"address": result.get("formatted_address")})


def make_app():
    return tornado.web.Application([(r"/geo/reverse", ReverseGeocodeHandler)])
