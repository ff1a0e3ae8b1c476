import subprocess


def ping_host(host: str, count: int = 1) -> dict[str, object]:
    """Ping a host a few times and report whether it answered."""
    if count < 1 or count > 5:
        raise ValueError("count must be between 1 and 5")
    # expect: command-injection severity=critical id=shell-ping
    result = subprocess.run(
        f"ping -c {count} {host}",
        shell=True,
        capture_output=True,
        text=True,
        timeout=10,
    )
    return {
        "host": host,
        "reachable": result.returncode == 0,
        "output": result.stdout[-500:],
    }


def handle_ping_request(params: dict[str, str]) -> dict[str, object]:
    host = params.get("host", "").strip()
    if not host:
        return {"error": "host is required"}
    return ping_host(host, int(params.get("count", "1")))
