import ssl

import websockets
from fastapi import FastAPI

app = FastAPI()


@app.get("/ticker")
async def ticker():
    context = ssl.create_default_context()
    context.load_verify_locations("/etc/ssl/feed-ca.pem")
    async with websockets.connect("wss://feed.example.com", ssl=context) as socket:
        return {"tick": await socket.recv()}
