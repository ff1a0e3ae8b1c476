from dataclasses import dataclass


@dataclass
class Account:
    name: str
    roles: frozenset[str]


class FlagStore:
    def __init__(self) -> None:
        self.flags: dict[str, bool] = {}
        self.audit: list[str] = []

    def set_flag(self, actor: Account, flag: str, enabled: bool) -> None:
        # expect: assert-security-check severity=high id=assert-admin
        assert "admin" in actor.roles, "admin role required"
        self.flags[flag] = enabled
        self.audit.append(f"{actor.name} set {flag}={enabled}")

    def is_enabled(self, flag: str) -> bool:
        return self.flags.get(flag, False)
