import threading
import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from snippet import Inventory, OutOfStock


def test_restock_and_reserve_skus_with_quotes():
    inv = Inventory()
    inv.restock("kid's-shoe", 5)
    inv.restock("kid's-shoe", 2)
    inv.reserve("kid's-shoe", 3)
    assert inv.quantity("kid's-shoe") == 4
    assert inv.is_active("kid's-shoe")


def test_reserve_many_all_lines_and_failures():
    inv = Inventory()
    inv.restock("a", 1)
    inv.restock("b", 1)
    assert inv.reserve_many([("a", 1), ("b", 1)]) == 2
    assert inv.quantity("b") == 0
    with pytest.raises(OutOfStock):
        inv.reserve_many([("a", 5)])


def test_concurrent_reservations_never_oversell():
    inv = Inventory()
    inv.restock("x", 50)
    threads = [threading.Thread(target=lambda: inv.reserve("x", 1)) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert inv.quantity("x") == 0 and inv.reserved == 50
