from fastapi import Depends, FastAPI, Query
from sqlalchemy import text
from sqlalchemy.orm import Session

from .db import get_session

app = FastAPI()


@app.get("/orders")
def list_orders(
    customer_id: int,
    sort: str = Query("created_at"),
    page: int = Query(1, ge=1),
    session: Session = Depends(get_session),
):
    stmt = text(
        "SELECT id, status, total_cents, created_at FROM orders "
        "WHERE customer_id = :cid "
        f"ORDER BY {sort} DESC "
        "LIMIT 50 OFFSET :offset"
    )
    rows = session.execute(stmt, {"cid": customer_id, "offset": (page - 1) * 50}).mappings().all()
    return {"page": page, "orders": [dict(r) for r in rows]}
