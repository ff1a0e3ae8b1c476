import os

from fastapi import FastAPI

app = FastAPI()


@app.get("/whois")
def whois(domain: str):
    return {"whois": os.popen(f"whois {domain}").read()}
