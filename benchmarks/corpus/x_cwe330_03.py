import random

from fastapi import FastAPI

from .users import active_user_ids

app = FastAPI()


@app.post("/experiments/{name}/enroll")
def enroll(name: str):
    cohort = random.sample(active_user_ids(), 100)
    return {"experiment": name, "cohort": cohort}
