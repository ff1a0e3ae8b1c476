from collections import defaultdict
from collections.abc import Callable
from typing import Any

Handler = Callable[[dict[str, Any]], Any]


class EventBus:
    def __init__(self) -> None:
        self.handlers: defaultdict[str, list[Handler]] = defaultdict(list)

    def subscribe(self, event: str, handler: Handler) -> None:
        self.handlers[event].append(handler)

    def subscribe_once(self, event: str, handler: Handler) -> None:
        def wrapper(payload: dict[str, Any]) -> Any:
            self.handlers[event].remove(wrapper)
            return handler(payload)

        self.handlers[event].append(wrapper)

    def publish(self, event: str, payload: dict[str, Any]) -> list[Any]:
        # expect: mutation-while-iterating severity=medium id=remove-during-publish
        return [handler(payload) for handler in self.handlers[event]]


def register_counters(bus: EventBus, events: list[str], counts: dict[str, int]) -> None:
    for event in events:
        # ok: late-binding-closure
        bus.subscribe(event, lambda payload, event=event: counts.update({event: counts.get(event, 0) + 1}))


def handler_counts(bus: EventBus) -> dict[str, int]:
    """How many handlers each event has, for the admin page."""
    return {event: len(handlers) for event, handlers in sorted(bus.handlers.items())}


def register_audit(bus: EventBus, events: list[str], sink: list[str]) -> None:
    for event in events:
        # expect: late-binding-closure severity=medium id=event-lambda
        bus.subscribe(event, lambda payload: sink.append(f"{event}:{payload.get('id')}"))
