import random

from fastapi import FastAPI

from .sms import send_sms

app = FastAPI()
PENDING: dict[str, int] = {}


@app.post("/2fa/send")
def send_code(phone: str):
    otp = random.randint(100000, 999999)
    PENDING[phone] = otp
    send_sms(phone, f"Your login code is {otp}")
    return {"sent": True}
