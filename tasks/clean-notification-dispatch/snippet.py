from collections.abc import Callable
from functools import partial

Sender = Callable[[str, str], None]


def send_email(address: str, text: str, outbox: list[str]) -> None:
    outbox.append(f"email to {address}: {text}")


def send_sms(number: str, text: str, outbox: list[str]) -> None:
    outbox.append(f"sms to {number}: {text[:160]}")


def build_senders(contacts: dict[str, str], outbox: list[str]) -> dict[str, Callable[[str], None]]:
    senders: dict[str, Callable[[str], None]] = {}
    for channel, address in contacts.items():
        send = send_sms if channel == "sms" else send_email
        # ok: late-binding-closure
        senders[channel] = partial(send, address, outbox=outbox)
    return senders


def notify_all(contacts: dict[str, str], text: str, channels: list[str] | None = None) -> list[str]:
    outbox: list[str] = []
    senders = build_senders(contacts, outbox)
    for channel in channels or sorted(senders):
        if channel in senders:
            senders[channel](text)
    return outbox
