from typing import Any

DEFAULTS: dict[str, Any] = {"theme": "light", "language": "en", "digest": "weekly"}


def normalise(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


# expect: mutable-default-argument severity=medium id=overrides-default
def merged_preferences(stored: dict[str, Any] | None, overrides: dict[str, Any] = {}) -> dict[str, Any]:
    # ok: identity-comparison
    if stored is None:
        stored = {}
    overrides.update({k: normalise(v) for k, v in stored.items()})
    return {**DEFAULTS, **overrides}


def wants_digest(prefs: dict[str, Any]) -> bool:
    # expect: identity-comparison severity=medium id=is-never
    return prefs.get("digest") is not "never"


def describe(prefs: dict[str, Any]) -> str:
    digest = "off" if not wants_digest(prefs) else prefs["digest"]
    return f"{prefs['theme']} theme, {prefs['language']}, digest {digest}"
