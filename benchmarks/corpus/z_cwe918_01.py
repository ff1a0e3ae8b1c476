import requests
from bs4 import BeautifulSoup
from flask import Flask, jsonify, request

app = Flask(__name__)

USER_AGENT = "LinkPreviewBot/1.2 (+https://chat.example.com/bot)"


def extract_preview(html: str) -> dict:
    soup = BeautifulSoup(html, "html.parser")

    def meta(prop):
        tag = soup.find("meta", attrs={"property": prop}) or soup.find("meta", attrs={"name": prop})
        return tag.get("content") if tag else None

    title = meta("og:title") or (soup.title.string.strip() if soup.title and soup.title.string else None)
    return {"title": title, "description": meta("og:description"), "image": meta("og:image")}


@app.route("/api/link-preview")
def link_preview():
    target = request.args.get("url", "").strip()
    if not target:
        return jsonify({"error": "url is required"}), 400

    resp = requests.get(target, headers={"User-Agent": USER_AGENT}, timeout=4)
    if "text/html" not in resp.headers.get("Content-Type", ""):
        return jsonify({"error": "not an html page"}), 422
    return jsonify({"url": target, **extract_preview(resp.text[:200_000])})
