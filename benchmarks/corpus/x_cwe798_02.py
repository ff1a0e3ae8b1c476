import stripe
from fastapi import FastAPI

app = FastAPI()
STRIPE_API_KEY = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
stripe.api_key = STRIPE_API_KEY


@app.post("/charges")
def charge(amount: int, token: str):
    return stripe.Charge.create(amount=amount, currency="eur", source=token)
