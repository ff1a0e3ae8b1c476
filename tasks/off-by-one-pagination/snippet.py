import math
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    number: int
    total_pages: int


def paginate(items: list[T], page: int, per_page: int = 20) -> Page[T]:
    """Return the 1-based page ``page`` of ``items``."""
    if per_page < 1:
        raise ValueError("per_page must be positive")
    total_pages = max(1, math.ceil(len(items) / per_page))
    if page < 1 or page > total_pages:
        raise ValueError(f"page {page} out of range 1..{total_pages}")
    start = (page - 1) * per_page
    # expect: off-by-one severity=medium id=slice-end
    return Page(items[start:start + per_page - 1], page, total_pages)


def all_pages(items: list[T], per_page: int = 20) -> list[Page[T]]:
    first = paginate(items, 1, per_page)
    return [first] + [paginate(items, n, per_page) for n in range(2, first.total_pages + 1)]
