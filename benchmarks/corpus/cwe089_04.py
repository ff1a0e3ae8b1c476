from fastapi import FastAPI
from sqlalchemy import create_engine, text

app = FastAPI()
engine = create_engine("postgresql://localhost/blog")


@app.get("/posts")
def posts(q: str = "", sort: str = "created_at"):
    statement = text(
        "SELECT id, title FROM posts WHERE title ILIKE '%{}%' ORDER BY {} DESC".format(q, sort)
    )
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(statement)]
