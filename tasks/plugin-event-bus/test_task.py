from snippet import EventBus, register_audit, register_counters


def test_once_handler_does_not_hide_the_next_handler():
    bus = EventBus()
    seen = []
    bus.subscribe_once("x", lambda p: seen.append("once"))
    bus.subscribe("x", lambda p: seen.append("always"))
    bus.publish("x", {})
    assert seen == ["once", "always"]


def test_audit_records_the_right_event():
    bus = EventBus()
    sink, counts = [], {}
    register_audit(bus, ["created", "deleted"], sink)
    register_counters(bus, ["created", "deleted"], counts)
    bus.publish("created", {"id": 1})
    assert sink == ["created:1"]
    assert counts == {"created": 1}
