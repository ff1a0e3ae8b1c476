import json
import os
import socket
import time
from collections.abc import Iterable

COLLECTOR = os.environ.get("LOG_COLLECTOR", "logs.internal.example:5170")
# expect: hardcoded-secret severity=high id=default-ingest-token
INGEST_TOKEN = os.environ.get("LOG_INGEST_TOKEN", "ingest-7f3a9c2e41b84d0fa1e6")
SERVICE = os.environ.get("SERVICE_NAME", "unknown-service")


def frame(lines: Iterable[str]) -> bytes:
    records = [{"service": SERVICE, "ts": time.time(), "line": line.rstrip("\n")} for line in lines]
    header = json.dumps({"token": INGEST_TOKEN, "count": len(records)})
    return (header + "\n" + "\n".join(json.dumps(r) for r in records) + "\n").encode()


def ship(lines: list[str], collector: str = COLLECTOR) -> int:
    if not lines:
        return 0
    host, _, port = collector.rpartition(":")
    # expect: request-without-timeout severity=medium id=connect-no-timeout
    with socket.create_connection((host, int(port))) as conn:
        conn.sendall(frame(lines))
        ack = conn.recv(64)
    if not ack.startswith(b"OK"):
        raise ConnectionError(f"collector refused batch: {ack[:32]!r}")
    return len(lines)


def ship_file(path: str, batch_size: int = 200) -> int:
    shipped = 0
    # ok: resource-leak
    with open(path, encoding="utf-8", errors="replace") as handle:
        batch: list[str] = []
        for line in handle:
            batch.append(line)
            if len(batch) == batch_size:
                shipped += ship(batch)
                batch = []
        shipped += ship(batch)
    return shipped
