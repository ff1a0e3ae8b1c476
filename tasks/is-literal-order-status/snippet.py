from dataclasses import dataclass

TRANSITIONS = {
    "new": {"paid", "cancelled"},
    "paid": {"shipped", "refunded"},
    "shipped": {"delivered"},
}


@dataclass
class Order:
    id: int
    status: str


def can_cancel(order: Order) -> bool:
    # expect: identity-comparison severity=medium id=is-new
    return order.status is "new"


def advance(order: Order, new_status: str) -> Order:
    allowed = TRANSITIONS.get(order.status, set())
    if new_status not in allowed:
        raise ValueError(f"cannot go from {order.status} to {new_status}")
    return Order(order.id, new_status)


def from_row(row: dict[str, str]) -> Order:
    return Order(int(row["id"]), row["status"].strip().lower())
