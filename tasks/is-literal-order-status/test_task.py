import warnings

from snippet import can_cancel, from_row


def test_new_order_from_storage_can_be_cancelled():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        order = from_row({"id": "1", "status": " NEW "})
    assert can_cancel(order)
    assert not can_cancel(from_row({"id": "2", "status": "paid"}))
