"""Secrets: weak password hashing, predictable tokens, hard-coded credentials, secrets in logs.

MD5 for an ETag and ``random.choice`` for a shuffle are fine; the same calls producing a
password hash or a reset token are not. These detectors decide by the purpose that the
surrounding identifiers name (see :mod:`graderlib.detectors.names`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import libcst as cst

from graderlib.detectors.base import Detector, Invalid
from graderlib.detectors.calls import argument, is_constant, keyword, short_name
from graderlib.detectors.names import (
    PASSWORD_WORDS,
    SECRET_WORDS,
    TOKEN_PURPOSE_WORDS,
    identifiers,
    is_secret_name,
    is_sensitive_name,
    target_identifiers,
    words,
)
from graderlib.detectors.tree import name_reads
from graderlib.detectors.walk import Context
from graderlib.taxonomy import Severity

_FAST_HASHES = frozenset(
    {
        "md5",
        "sha1",
        "sha224",
        "sha256",
        "sha384",
        "sha512",
        "sha3_256",
        "sha3_512",
        "blake2b",
        "blake2s",
    }
)


# A value stored under one of these is a key or an identity, whoever reads it.
_KEY_WORDS = frozenset({"key", "remember", "uid", "guid", "uuid"})
# What a random value is *for* when it must be unguessable: a one-time code, an id that grants
# access, a coupon. ``code`` and ``id`` count unless a qualifier says otherwise (see below).
_SECRET_RANDOM_WORDS = (
    TOKEN_PURPOSE_WORDS
    | _KEY_WORDS
    | frozenset(
        {
            "code",
            "passcode",
            "totp",
            "mfa",
            "id",
            "jti",
            "challenge",
            "coupon",
            "voucher",
            "promo",
            "captcha",
            "confirmation",
            "magic",
        }
    )
)
# ``status_code``, ``country_code``, ``trace_id``: a code or id that is a label, not a secret.
_LABEL_QUALIFIERS = frozenset(
    {
        "status",
        "country",
        "exit",
        "error",
        "http",
        "response",
        "return",
        "language",
        "lang",
        "locale",
        "currency",
        "zip",
        "postal",
        "area",
        "region",
        "color",
        "colour",
        "char",
        "key",
        "op",
        "trace",
        "span",
        "request",
        "correlation",
        "row",
        "item",
        "sample",
        "experiment",
        "variant",
        "cohort",
        "bucket",
        "shard",
        "worker",
        "thread",
        "process",
        "node",
        "partition",
        "test",
        "mock",
        "fake",
        "demo",
    }
)
# Calls that hand a value to the client (or a store it trusts), whatever it is named.
_CLIENT_SETTERS = frozenset(
    {"set_cookie", "set_signed_cookie", "set_secure_cookie", "set_header", "add_header"}
)
_CLIENT_STORES = frozenset({"session", "cookies", "headers"})


def names_a_secret(names: Iterable[str]) -> bool:
    """Does one of these identifiers say its value must be unguessable?"""
    for name in names:
        if is_secret_name(name):
            return True
        parts = words(name)
        for index, part in enumerate(parts):
            if part not in _SECRET_RANDOM_WORDS:
                continue
            if part in {"code", "id"} and index > 0 and parts[index - 1] in _LABEL_QUALIFIERS:
                continue
            return True
    return False


def reaches_client_store(ancestors: Iterable[cst.CSTNode]) -> bool:
    """Inside ``resp.set_cookie(...)``, ``session[k] = ...`` or ``resp.headers[k] = ...``."""
    for ancestor in ancestors:
        if isinstance(ancestor, cst.Call):
            func = ancestor.func
            if isinstance(func, cst.Attribute) and func.attr.value in _CLIENT_SETTERS:
                return True
        elif isinstance(ancestor, cst.Assign):
            for target in ancestor.targets:
                slot = target.target
                if isinstance(slot, cst.Subscript):
                    store = slot.value
                    name = store.attr.value if isinstance(store, cst.Attribute) else None
                    name = store.value if isinstance(store, cst.Name) else name
                    if name in _CLIENT_STORES:
                        return True
            return False
        elif isinstance(ancestor, cst.FunctionDef | cst.SimpleStatementLine):
            return False
    return False


def purpose_words(node: cst.CSTNode, ctx: Context) -> set[str]:
    return {word for name in purpose_identifiers(node, ctx) for word in words(name)}


def purpose_identifiers(node: cst.CSTNode, ctx: Context) -> list[str]:
    """What a value is *for*: the slot it is stored in, the function that makes it."""
    slots, function = slot_identifiers(ctx.ancestors())
    return slots + function


def slot_identifiers(ancestors: Iterable[cst.CSTNode]) -> tuple[list[str], list[str]]:
    """The names of the slot a value goes to (target, keyword, dict key), and of the function
    that makes it, read from its ancestors (innermost first)."""
    found: list[str] = []
    for ancestor in ancestors:
        if isinstance(ancestor, cst.Assign):
            for target in ancestor.targets:
                found.extend(target_identifiers(target.target))
        elif isinstance(ancestor, cst.AnnAssign | cst.AugAssign):
            found.extend(target_identifiers(ancestor.target))
        elif isinstance(ancestor, cst.Arg) and ancestor.keyword is not None:
            found.append(ancestor.keyword.value)
        elif isinstance(ancestor, cst.DictElement) and isinstance(ancestor.key, cst.SimpleString):
            key = ancestor.key.evaluated_value
            if isinstance(key, str):
                found.append(key)
        elif isinstance(ancestor, cst.FunctionDef):
            return found, [ancestor.name.value]
    return found, []


class WeakPasswordHash(Detector):
    """A password is hashed with a fast hash (md5, sha1, sha256, blake2 ...).

    Fast hashes let an attacker who steals the table try billions of guesses a second; a
    password needs a slow, salted KDF (bcrypt, scrypt, argon2, pbkdf2). The purpose is read
    from identifiers (``password``, ``pw_hash``), so md5 for an ETag or a cache key is fine.
    """

    id = "GL301"
    category = "weak-hash"
    cwe = 916
    severity = Severity.HIGH
    message = "a password is hashed with a fast hash; use bcrypt, scrypt, argon2 or pbkdf2"
    VALID = (
        "import hashlib\ndef etag(body):\n    return hashlib.md5(body).hexdigest()\n",
        "import hashlib\ndef hash_password(pw, salt):\n"
        "    return hashlib.pbkdf2_hmac('sha256', pw.encode(), salt, 600_000)\n",
        "import hashlib\ndef checksum(path):\n    return hashlib.sha1(open(path, 'rb').read(),"
        " usedforsecurity=False).hexdigest()\n",
    )
    INVALID = (
        Invalid(
            "import hashlib\ndef hash_password(password):\n"
            "    return hashlib.md5(password.encode()).hexdigest()\n",
            line=3,
        ),
        Invalid(
            "import hashlib\ndef register(user, pw):\n"
            "    user.pw_hash = hashlib.sha256(pw.encode()).hexdigest()\n",
            line=3,
        ),
        Invalid(
            "import hashlib\ndef store(user, password):\n"
            "    digest = hashlib.new('sha1', password.encode()).hexdigest()\n",
            line=3,
        ),
        Invalid(
            "from cryptography.hazmat.primitives import hashes\ndef store(user):\n"
            "    secret = get_password()\n    hasher = hashes.Hash(hashes.SHA256())\n"
            "    hasher.update(secret)\n    return hasher.finalize()\n",
            line=5,
        ),
    )

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        callee = ctx.callee(node)
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "update" and node.args:
            if _fast_hasher(func.value, ctx) and _password_data(node.args[0].value, ctx):
                self.report(ctx, node)
            return
        if callee == "hashlib.new":
            algorithm = argument(node, 0, "name")
            if not isinstance(algorithm, cst.SimpleString):
                return
            name = algorithm.evaluated_value
            if not isinstance(name, str) or name.lower().replace("-", "") not in _FAST_HASHES:
                return
            data = argument(node, 1, "data")
        elif callee.startswith("hashlib.") and short_name(callee) in _FAST_HASHES:
            data = argument(node, 0, "data", "string")
        else:
            return
        security = keyword(node, "usedforsecurity")
        if security is not None and is_constant(security.value, "False"):
            ctx.clear(type(self), node, "usedforsecurity=False")
            return
        purpose: set[str] = set(purpose_words(node, ctx))
        hashed = {w for name in identifiers(data) for w in words(name)} if data else set()
        if (purpose | hashed) & PASSWORD_WORDS:
            self.report(ctx, node)
        elif not (purpose & TOKEN_PURPOSE_WORDS or hashed & (TOKEN_PURPOSE_WORDS | {"key"})):
            # Nothing names a secret, neither what is hashed nor what for: a checksum, an
            # ETag, a content address. A hash of a token, a key or a signature is not cleared:
            # whether md5 is too weak there stays bandit's (B324) call.
            ctx.clear(type(self), node, "the hash protects no password or secret")


_HASH_OBJECTS = frozenset({"Hash", "new"})


def _fast_hasher(receiver: cst.BaseExpression, ctx: Context) -> bool:
    """A local made by ``hashlib.md5()``, ``hashes.Hash(hashes.SHA256())`` or ``MD5.new()``."""
    if not isinstance(receiver, cst.Name):
        return False
    found = ctx.lookup(receiver.value)
    for binding in ctx.reaching(found[1]) if found else ():
        made = binding.value
        if not isinstance(made, cst.Call):
            continue
        callee = ctx.callee(made)
        name = short_name(callee)
        if callee.startswith("hashlib.") and name.lower() in _FAST_HASHES:
            return True
        if name in _HASH_OBJECTS:
            algorithm = (
                ctx.callee(made.args[0].value)
                if made.args and isinstance(made.args[0].value, cst.Call)
                else callee.rsplit(".", 1)[0]
            )
            if short_name(algorithm).lower().replace("_", "") in _FAST_HASHES:
                return True
    return False


def _password_data(data: cst.BaseExpression, ctx: Context) -> bool:
    """Data named like a password, or made by a call named like one (``get_password()``)."""
    mentioned = {w for name in identifiers(data) for w in words(name)}
    if mentioned & PASSWORD_WORDS:
        return True
    if isinstance(data, cst.Name):
        found = ctx.lookup(data.value)
        for binding in ctx.reaching(found[1]) if found else ():
            made = binding.value
            if isinstance(made, cst.Call) and set(words(short_name(ctx.callee(made)))) & (
                PASSWORD_WORDS
            ):
                return True
    return False


_RANDOM_FUNCTIONS = frozenset(
    {
        "random",
        "randint",
        "randrange",
        "choice",
        "choices",
        "sample",
        "getrandbits",
        "shuffle",
        "uniform",
        "randbytes",
    }
)


class WeakRandomSecret(Detector):
    """``random`` (a predictable Mersenne Twister) makes a secret, or feeds a client-held value.

    Tokens, codes, ids, nonces, salts, passwords and keys made with ``random`` can be predicted
    from a few outputs. The purpose is read from the names around the call (the target,
    keyword, dict key or function), then from where a local holding the value goes next: a
    secret-named slot or keyword, a cookie, a header or a session entry is a secret by
    position. Every other ``random`` call (a shuffle, a jitter, a pick, a sample) is judged
    harmless, which is what lets consensus drop bandit's B311 there. ``secrets`` and
    ``SystemRandom`` are the fix.
    """

    id = "GL302"
    category = "weak-random"
    cwe = 338
    severity = Severity.HIGH
    message = "random (a predictable PRNG) makes a token or secret; use the secrets module"
    VALID = (
        "import random\ndef shuffle_deck(deck):\n    random.shuffle(deck)\n",
        "import secrets\ndef make_token():\n    return secrets.token_urlsafe(32)\n",
        "import random\ndef jitter():\n    delay = random.uniform(0, 1)\n    return delay\n",
        "import random\ndef theme(resp, themes):\n    pick = random.choice(themes)\n"
        "    resp.set_cookie('theme', pick)\n",
        "import random\ndef tip(tips):\n    return {'tip': random.choice(tips)}\n",
        "import random\ndef reply(resp, codes):\n    status_code = random.choice(codes)\n"
        "    return status_code\n",
        "import random, time\ndef retry(attempt):\n    time.sleep(2**attempt + random.random())\n",
    )
    INVALID = (
        Invalid(
            "import random, string\ndef make_reset_token():\n"
            "    return ''.join(random.choice(string.ascii_letters) for _ in range(32))\n",
            line=3,
        ),
        Invalid(
            "import random\ndef issue(user):\n    user.otp = random.randint(100000, 999999)\n",
            line=3,
        ),
        Invalid(
            "import random\ndef remember(resp):\n"
            "    resp.set_cookie('rm', str(random.random()), secure=True, httponly=True)\n",
            line=3,
        ),
        Invalid(
            "import random\nfrom flask import session\ndef start():\n"
            "    session['visit'] = random.getrandbits(64)\n",
            line=4,
        ),
        Invalid(
            "import random\ndef issue(pending, email):\n"
            "    code = f'{random.randint(0, 999_999):06d}'\n    pending[email] = code\n",
            line=3,
        ),
        Invalid(
            "import random\ndef start(resp):\n    value = random.getrandbits(128)\n"
            "    text = '%032x' % value\n    resp.set_cookie('visit', text)\n",
            line=3,
        ),
        Invalid(
            "import random\ndef invite(mailer, email):\n    value = random.random()\n"
            "    mailer.send(email, invite_key=value)\n",
            line=3,
        ),
    )

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        callee = ctx.callee(node)
        if not callee.startswith("random.") or short_name(callee) not in _RANDOM_FUNCTIONS:
            return
        if callee.count(".") != 1:
            return  # random.SystemRandom().choice is fine
        ancestors = list(ctx.ancestors())
        slots, function = slot_identifiers(ancestors)
        slot_words = {word for name in slots for word in words(name)}
        if short_name(callee) == "shuffle" or (
            slot_words & _HARMLESS_RANDOM and not names_a_secret(slots)
        ):
            ctx.clear(
                type(self), node, "the random value is a delay, a sample or a pick, no secret"
            )
        elif (
            names_a_secret(slots + function)
            or reaches_client_store(ancestors)
            or _flows_to_secret(ancestors, ctx)
        ):
            self.report(ctx, node)
        else:
            ctx.clear(
                type(self),
                node,
                "the random value is named, stored or sent as no token, code, id, key, nonce, "
                "salt, password, cookie, header or session value",
            )


_FLOW_DEPTH = 2


def _flows_to_secret(ancestors: list[cst.CSTNode], ctx: Context) -> bool:
    """The random value is assigned to a local that later becomes a secret (or feeds one).

    ``value = random.getrandbits(128)`` then ``resp.set_cookie("visit", "%x" % value)``: the
    local is followed through its uses in the same function, and through one more local it
    is formatted into, to a secret-named slot or keyword, a cookie, a header or the session.
    """
    locals_ = _assigned_names(ancestors)
    if not locals_:
        return False
    scope = ctx.function.node if ctx.function is not None else ctx.module
    uses = name_reads(scope)
    seen: set[str] = set()
    for _ in range(_FLOW_DEPTH):
        following: set[str] = set()
        for name in locals_ - seen:
            seen.add(name)
            for path in uses.get(name, ()):
                slots, _function = slot_identifiers(path)
                if names_a_secret(slots) or reaches_client_store(path):
                    return True
                following |= _assigned_names(path)
        locals_ = following
    return False


def _assigned_names(ancestors: Iterable[cst.CSTNode]) -> set[str]:
    """The plain names the innermost assignment around a value binds."""
    for ancestor in ancestors:
        if isinstance(ancestor, cst.Assign):
            return {t.target.value for t in ancestor.targets if isinstance(t.target, cst.Name)}
        if isinstance(ancestor, cst.AnnAssign | cst.AugAssign):
            target = ancestor.target
            return {target.value} if isinstance(target, cst.Name) else set()
        if isinstance(ancestor, cst.BaseStatement | cst.FunctionDef | cst.Lambda):
            break
    return set()


_HARMLESS_RANDOM = frozenset(
    {
        "delay",
        "jitter",
        "backoff",
        "sleep",
        "wait",
        "timeout",
        "retry",
        "sample",
        "shuffle",
        "deck",
        "color",
        "colour",
        "theme",
        "pick",
        "index",
        "offset",
        "noise",
        "weight",
        "chance",
        "probability",
        "demo",
        "fake",
        "mock",
    }
)


def _secret_literal(value: cst.BaseExpression | None) -> bool:
    """A non-empty string that could be a credential (not a sentence, a URL or a template)."""
    if not isinstance(value, cst.SimpleString):
        return False
    try:
        text = value.evaluated_value
    except Exception:
        return False
    if isinstance(text, bytes):
        text = text.decode("latin-1")
    text = text.strip()
    if not text or " " in text or text.startswith(("$", "{", "<", "%", "http://", "https://")):
        return False
    if len(set(text)) == 1 or _PLACEHOLDER.search(text):
        return False  # "********", "xxxxxxxx", "pw_{}", "user=%s": a mask or a template
    return not (text.isupper() and text.replace("_", "").isalpha() and "_" in text)


_PLACEHOLDER = re.compile(r"\{[A-Za-z_0-9]*(![rsa])?(:[^{}]*)?\}|%(\([A-Za-z_]+\))?[sdr]")


def _about_a_secret(name: str) -> bool:
    """``TOKEN_URL``, ``password_field``: a secret word, then a suffix naming something else."""
    return not is_secret_name(name) and bool(set(words(name)) & SECRET_WORDS)


_NOT_A_CREDENTIAL = "the value is not a credential literal (empty, a name, a URL, a placeholder)"


class HardcodedSecret(Detector):
    """A credential literal is written into the source (assignment, argument, default, dict).

    A secret in the source is in every clone, backup and log of the repository. The name
    must say credential (``password``, ``api_key``, ``secret``) and the literal must look like
    one: not empty, not a sentence, a URL, a placeholder or a field name such as
    ``PASSWORD_FIELD = 'password'``.
    """

    id = "GL303"
    category = "hardcoded-secret"
    cwe = 798
    severity = Severity.HIGH
    message = "a credential is written into the source; read it from the environment or a vault"
    VALID = (
        "import os\nAPI_KEY = os.environ['API_KEY']\n",
        "TOKEN_URL = 'https://auth.example.com/token'\n",
        "PASSWORD_FIELD = 'password'\n",
        "def login(password=None):\n    pass\n",
        "ERROR = 'invalid password'\n",
        "MASKED_PASSWORD = '********'\n",
        "def dsn(db):\n    return db.format(password='pw_{}_{region}')\n",
    )
    INVALID = (
        Invalid("SECRET_KEY = 'dev-8f2b1c9e'\n", line=1),
        Invalid("def connect():\n    return db.connect(user='app', password='hunter2')\n", line=2),
        Invalid("def login(user, password='admin123'):\n    pass\n", line=1),
        Invalid("CONFIG = {'api_key': 'sk_live_51Habc'}\n", line=1),
        Invalid("def check(password):\n    return password == 'letmein'\n", line=2),
    )

    def _slot(
        self, node: cst.CSTNode, names: list[str], value: cst.BaseExpression | None, ctx: Context
    ) -> None:
        """Judge a literal stored under ``names``: a credential, or a literal about one."""
        if any(is_secret_name(n) for n in names):
            ctx.judge(self, node, _secret_literal(value), _NOT_A_CREDENTIAL)
        elif isinstance(value, cst.SimpleString | cst.ConcatenatedString) and any(
            _about_a_secret(n) for n in names
        ):
            # TOKEN_URL, PASSWORD_FIELD, SECRET_PATH: bandit's B105 reads "token"/"secret" in
            # the name; the suffix says the literal is where or what a secret is, not one
            ctx.clear(type(self), node, "the name says the literal is about a secret, not one")

    def visit_Assign(self, node: cst.Assign, ctx: Context) -> None:
        names = [n for t in node.targets for n in target_identifiers(t.target)]
        self._slot(node, names, node.value, ctx)

    def visit_AnnAssign(self, node: cst.AnnAssign, ctx: Context) -> None:
        self._slot(node, target_identifiers(node.target), node.value, ctx)

    def visit_Arg(self, node: cst.Arg, ctx: Context) -> None:
        if node.keyword is not None:
            self._slot(node, [node.keyword.value], node.value, ctx)

    def visit_Param(self, node: cst.Param, ctx: Context) -> None:
        if node.default is not None:
            self._slot(node, [node.name.value], node.default, ctx)

    def visit_DictElement(self, node: cst.DictElement, ctx: Context) -> None:
        if not isinstance(node.key, cst.SimpleString) or not _secret_literal(node.value):
            return
        key = node.key.evaluated_value
        if isinstance(key, str) and is_secret_name(key):
            self.report(ctx, node)

    def visit_Comparison(self, node: cst.Comparison, ctx: Context) -> None:
        if len(node.comparisons) != 1:
            return
        target = node.comparisons[0]
        if not isinstance(target.operator, cst.Equal | cst.NotEqual):
            return
        sides = (node.left, target.comparator)
        for name_side, value_side in (sides, sides[::-1]):
            names = target_identifiers(name_side)
            if names and is_secret_name(names[0]) and _secret_literal(value_side):
                self.report(ctx, node)
                return


_LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "fatal"}
)
_PASS_THROUGH = frozenset({"str", "repr", "format", "dict", "json.dumps", "vars"})


def _sensitive_refs(expr: cst.CSTNode, ctx: Context) -> Iterable[cst.CSTNode]:
    if isinstance(expr, cst.Name | cst.Attribute | cst.Subscript):
        names = target_identifiers(expr)
        if names and is_sensitive_name(names[0]):
            yield expr
            return
        if isinstance(expr, cst.Name) and _computed_secret(expr, ctx):
            yield expr
            return
        if isinstance(expr, cst.Subscript):
            return
    if isinstance(expr, cst.FormattedString):
        for part in expr.parts:
            if isinstance(part, cst.FormattedStringExpression):
                yield from _sensitive_refs(part.expression, ctx)
    elif isinstance(expr, cst.BinaryOperation):
        yield from _sensitive_refs(expr.left, ctx)
        yield from _sensitive_refs(expr.right, ctx)
    elif isinstance(expr, cst.Tuple | cst.List):
        for element in expr.elements:
            yield from _sensitive_refs(element.value, ctx)
    elif isinstance(expr, cst.Dict):
        for item in expr.elements:
            if isinstance(item, cst.DictElement):
                yield from _sensitive_refs(item.value, ctx)
    elif isinstance(expr, cst.Call):
        callee = ctx.callee(expr)
        if _secret_call(expr, ctx):
            yield expr
            return
        if callee in _PASS_THROUGH or (
            isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "format"
        ):
            for arg in expr.args:
                yield from _sensitive_refs(arg.value, ctx)


def _computed_secret(name: cst.Name, ctx: Context) -> bool:
    """``expected = expected_signature(secret, body)``: a value made by a signing call."""
    found = ctx.lookup(name.value)
    for binding in ctx.reaching(found[1]) if found else ():
        if isinstance(binding.value, cst.Call):
            callee_words = set(words(ctx.callee(binding.value).replace(".", "_")))
            if callee_words & {
                "sign",
                "signature",
                "hmac",
                "secret",
                "token",
                "password",
                "getpass",
            }:
                return True
    return False


class SecretInLog(Detector):
    """A secret or personal datum reaches a log or the console, or a secret is stored in clear.

    Logs (and stdout/stderr, which end up in them) are copied to places with weaker access
    control than the data they mention; a password written to a file or a cookie is readable
    by whoever reads those. Values are judged by their names, the calls that made them
    (``get_password()``, ``getpass.getpass()``) and formatting; logging that a login
    happened, or a user id, is fine, and storage is judged for credentials only.
    """

    id = "GL305"
    category = "sensitive-data-in-logs"
    cwe = 532
    severity = Severity.MEDIUM
    message = "a secret or personal datum is written to the log"
    VALID = (
        "import logging\nlog = logging.getLogger(__name__)\ndef login(user, password):\n"
        "    log.info('login attempt for %s', user)\n",
        "import logging\ndef login(user, password):\n"
        "    logging.warning('invalid password for %s', user)\n",
        "def save(path, user_id, theme):\n    with open(path, 'w') as fh:\n"
        "        fh.write(f'{user_id}:{theme}')\n",
    )
    INVALID = (
        Invalid(
            "import logging\nlog = logging.getLogger(__name__)\ndef login(user, password):\n"
            "    log.info('login %s with %s', user, password)\n",
            line=4,
        ),
        Invalid(
            "import logging\ndef call(api_key):\n"
            "    logging.debug(f'calling with key {api_key}')\n",
            line=3,
        ),
        Invalid(
            "def pay(self, card_number):\n    self.logger.info('charging %s', card_number)\n",
            line=2,
        ),
        Invalid(
            "def check(log, secret, body, sig):\n    expected = expected_signature(secret, body)\n"
            "    log.warning('bad signature %s (expected %s)', sig, expected)\n",
            line=3,
        ),
        Invalid("import getpass\ndef ask():\n    pw = getpass.getpass()\n    print(pw)\n", line=4),
        Invalid(
            "def save(path, password):\n    with open(path, 'w') as fh:\n"
            "        fh.write(password)\n",
            line=3,
        ),
    )

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        func = node.func
        callee = ctx.callee(node)
        if callee in _CONSOLE_WRITES:
            pass  # console output ends up in the same logs
        elif isinstance(func, cst.Attribute) and func.attr.value in _STORE_METHODS:
            values = [a.value for a in node.args[-1:]] if node.args else []
            if func.attr.value == "set_cookie":
                values = [v for v in (argument(node, 1, "value"),) if v is not None]
            if any(_secret_refs(v, ctx) for v in values):
                self.report(ctx, node, "a secret is stored in cleartext (a file or a cookie)")
            return
        elif not (
            isinstance(func, cst.Attribute)
            and func.attr.value in _LOG_METHODS
            and _is_logger(func.value, ctx)
        ):
            return
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value in {"exc_info", "stack_info"}:
                continue
            if next(iter(_sensitive_refs(arg.value, ctx)), None) is not None:
                self.report(ctx, node)
                return


_CONSOLE_WRITES = frozenset({"print", "sys.stdout.write", "sys.stderr.write"})
_STORE_METHODS = frozenset({"write", "writelines", "write_text", "write_bytes", "set_cookie"})


def _is_logger(receiver: cst.BaseExpression, ctx: Context) -> bool:
    """``logging``, ``log``/``logger``-named objects, ``get_logger()``, or a local bound to one."""
    name = ctx.qualname(receiver) or ""
    if name.startswith("logging") or "log" in name.rsplit(".", 1)[-1].lower():
        return True
    if isinstance(receiver, cst.Name):
        found = ctx.lookup(receiver.value)
        for binding in ctx.reaching(found[1]) if found else ():
            value = binding.value
            named = isinstance(value, cst.Name | cst.Attribute | cst.Call)
            if named and value is not receiver and "log" in (ctx.qualname(value) or "").lower():
                return True
    return False


def _secret_refs(expr: cst.BaseExpression, ctx: Context) -> bool:
    """A credential (not merely personal data) among the values ``expr`` is built from."""
    method = expr.func if isinstance(expr, cst.Call) else None
    if isinstance(method, cst.Attribute) and method.attr.value in {"encode", "decode", "strip"}:
        return _secret_refs(method.value, ctx)
    if isinstance(expr, cst.List | cst.Tuple):
        return any(_secret_refs(e.value, ctx) for e in expr.elements)
    if isinstance(expr, cst.BinaryOperation):
        return _secret_refs(expr.left, ctx) or _secret_refs(expr.right, ctx)
    if isinstance(expr, cst.Name):
        found = ctx.lookup(expr.value)
        reaching = ctx.reaching(found[1]) if found else []
        built = [b.value for b in reaching if b.kind == "assign" and b.value is not None]
        if any(isinstance(v, cst.List | cst.Tuple | cst.BinaryOperation) for v in built):
            return any(_secret_refs(v, ctx) for v in built)
    return any(
        is_secret_name(n) for ref in _sensitive_refs(expr, ctx) for n in target_identifiers(ref)
    ) or (isinstance(expr, cst.Call) and _secret_call(expr, ctx))


def _secret_call(call: cst.Call, ctx: Context) -> bool:
    """``get_password()``, ``getpass.getpass()``: a call whose name says it returns a secret."""
    name = short_name(ctx.callee(call))
    return bool(name) and (is_secret_name(name) or name == "getpass")


_DIGEST_WORDS = frozenset(
    {"signature", "sig", "digest", "hexdigest", "hmac", "mac", "token", "sign", "secret"}
)


def _digest_like(expr: cst.BaseExpression, ctx: Context) -> bool:
    """A signature/HMAC/token value: by its name, or by the call that computed it."""
    names = target_identifiers(expr)
    if names and set(words(names[0])) & _DIGEST_WORDS - {"sign"}:
        return True
    if isinstance(expr, cst.Call):
        return bool(set(words(ctx.callee(expr).replace(".", "_"))) & _DIGEST_WORDS)
    if isinstance(expr, cst.Name):
        found = ctx.lookup(expr.value)
        for binding in ctx.reaching(found[1]) if found else ():
            value = binding.value
            if isinstance(value, cst.Call) and _digest_like(value, ctx):
                return True
    return False


def _dynamic(expr: cst.BaseExpression) -> bool:
    return not isinstance(expr, cst.SimpleString | cst.Integer | cst.ConcatenatedString) and not (
        isinstance(expr, cst.Name) and expr.value in {"None", "True", "False"}
    )


class NonConstantTimeCompare(Detector):
    """A signature, token or MAC is compared with ``==``.

    ``==`` stops at the first differing byte, so response times reveal how much of a
    forged value is right. ``hmac.compare_digest`` takes the same time whatever matches; the
    comparison is judged when a side's name says signature/token/digest/mac.
    """

    id = "GL306"
    category = "timing-attack"
    cwe = 208
    severity = Severity.MEDIUM
    message = "a signature or token is compared with ==; use hmac.compare_digest"
    VALID = (
        "import hmac\ndef check(sig, body, key):\n"
        "    return hmac.compare_digest(sig, sign(key, body))\n",
        "def same_user(a, b):\n    return a.id == b.id\n",
        "def missing(signature):\n    return signature == ''\n",
    )
    INVALID = (
        Invalid(
            "def check(header, secret, body):\n    expected = sign(secret, body)\n"
            "    if header != expected:\n        raise ValueError('bad signature')\n",
            line=3,
        ),
        Invalid(
            "def auth(request, user):\n    return request.headers['X-Token'] == user.api_token\n",
            line=2,
        ),
    )

    def visit_Comparison(self, node: cst.Comparison, ctx: Context) -> None:
        if len(node.comparisons) != 1:
            return
        target = node.comparisons[0]
        if not isinstance(target.operator, cst.Equal | cst.NotEqual):
            return
        left, right = node.left, target.comparator
        if not (_dynamic(left) and _dynamic(right)):
            return
        if _digest_like(left, ctx) or _digest_like(right, ctx):
            self.report(ctx, node)
