import ssl

import websockets
from fastapi import FastAPI

app = FastAPI()


@app.get("/ticker")
async def ticker():
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    async with websockets.connect("wss://feed.example.com", ssl=context) as socket:
        return {"tick": await socket.recv()}
