"""What an identifier says about its value: ``api_key`` holds a secret, ``reset_token`` a token.

Several detectors decide by purpose rather than by call (md5 is fine for an ETag, not for a
password; ``random`` is fine for a shuffle, not for a token). Purpose is read from identifier
*words* (``resetPasswordToken`` -> reset, password, token), never from raw source text.
"""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst

from graderlib.detectors.tree import children

SECRET_WORDS = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "passphrase",
        "secret",
        "token",
        "apikey",
        "credential",
        "credentials",
    }
)
KEY_QUALIFIERS = frozenset(
    {"api", "secret", "private", "access", "auth", "signing", "encryption", "master", "client"}
)
# A name ending in one of these holds something *about* a secret, not the secret itself.
NOT_A_SECRET_SUFFIXES = frozenset(
    {
        "url",
        "uri",
        "endpoint",
        "field",
        "fields",
        "name",
        "names",
        "header",
        "path",
        "file",
        "env",
        "var",
        "prefix",
        "type",
        "len",
        "length",
        "id",
        "label",
        "param",
        "column",
        "regex",
        "pattern",
        "format",
        "template",
        "hint",
        "placeholder",
        "count",
        "expiry",
        "expires",
        "ttl",
        "timeout",
        "lifetime",
        "age",
        "size",
        "dir",
        "mode",
        "policy",
        "message",
        "msg",
        "error",
        "min",
        "max",
        "hash",
        "hashed",
        "digest",
        "attempts",
        "reset",
        "required",
        "key_name",
        "location",
        "scheme",
        "class",
        "kind",
    }
)
PII_WORDS = frozenset({"ssn", "cvv", "cvc", "creditcard", "card"})
PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "passphrase", "pw", "pass"})
TOKEN_PURPOSE_WORDS = frozenset(
    {
        "token",
        "secret",
        "password",
        "passwd",
        "pwd",
        "nonce",
        "salt",
        "otp",
        "pin",
        "session",
        "sid",
        "csrf",
        "reset",
        "verification",
        "activation",
        "invite",
        "apikey",
        "auth",
        "cookie",
        "iv",
        "credential",
        "passphrase",
        "signature",
    }
)


def words(identifier: str) -> list[str]:
    """``resetPasswordToken`` / ``RESET_PASSWORD_TOKEN`` -> ["reset", "password", "token"]."""
    out: list[str] = []
    current = ""
    previous = ""
    for char in identifier:
        if char == "_" or char == "-" or char == "." or char == " ":
            if current:
                out.append(current.lower())
            current = ""
        elif char.isupper() and previous.islower() and current:
            out.append(current.lower())
            current = char
        else:
            current += char
        previous = char
    if current:
        out.append(current.lower())
    return out


def is_secret_name(identifier: str) -> bool:
    parts = words(identifier)
    if not parts:
        return False
    if parts[-1] in NOT_A_SECRET_SUFFIXES or "_".join(parts[-2:]) in NOT_A_SECRET_SUFFIXES:
        return False
    if any(p in SECRET_WORDS for p in parts):
        return True
    return any(
        part == "key" and index > 0 and parts[index - 1] in KEY_QUALIFIERS
        for index, part in enumerate(parts)
    )


def is_sensitive_name(identifier: str) -> bool:
    """Secrets plus personal data that must not reach logs."""
    if is_secret_name(identifier):
        return True
    parts = words(identifier)
    if parts and parts[-1] in NOT_A_SECRET_SUFFIXES - {"number"}:
        return False
    joined = "".join(parts)
    return any(p in PII_WORDS for p in parts) or "creditcard" in joined or "cardnumber" in joined


def identifiers(expr: cst.CSTNode) -> Iterable[str]:
    """Names, attribute names and string subscript keys mentioned in ``expr``."""
    stack: list[cst.CSTNode] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Name):
            yield node.value
        elif isinstance(node, cst.Attribute):
            yield node.attr.value
            stack.append(node.value)
        elif isinstance(node, cst.SimpleString):
            try:
                value = node.evaluated_value
            except Exception:
                continue
            if isinstance(value, str) and value.isidentifier():
                yield value
        else:
            stack.extend(children(node))


def target_identifiers(target: cst.CSTNode) -> list[str]:
    """``x``, ``self.api_key``, ``config["token"]`` -> the identifier that names the slot."""
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, cst.Attribute):
        return [target.attr.value]
    if isinstance(target, cst.Subscript) and target.slice:
        index = target.slice[0].slice
        if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
            try:
                value = index.value.evaluated_value
            except Exception:
                return []
            return [value] if isinstance(value, str) else []
    if isinstance(target, cst.Tuple | cst.List):
        return [name for e in target.elements for name in target_identifiers(e.value)]
    return []
