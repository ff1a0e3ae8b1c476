import random

from fastapi import FastAPI

app = FastAPI()
TIPS = ["Use keyboard shortcuts", "Pin your favourite boards", "Try dark mode"]


@app.get("/tip")
def tip_of_the_day():
    return {"tip": random.choice(TIPS)}
