"""Key sizes: asymmetric keys too short to resist factoring or discrete logs today.

NIST SP 800-57 (and bandit's B505, ruff's S505) put the floor at 2048 bits for RSA, DSA and
finite-field Diffie-Hellman and at 224 bits for elliptic curves. The size is read where the key
is generated, from a literal or a constant held in a local or module name; a size computed at
run time (a parameter, a setting) is not judged. Every generation this module can read is
either reported or cleared, which is what lets consensus drop bandit's and ruff's B505/S505 on
a key it proved strong.
"""

from __future__ import annotations

import libcst as cst

from graderlib.detectors.base import Detector, Invalid
from graderlib.detectors.calls import argument
from graderlib.detectors.walk import UNDECIDED, Context, constant_value
from graderlib.taxonomy import Severity

MIN_MODULUS_BITS = 2048
MIN_CURVE_BITS = 224
_BROKEN_MODULUS_BITS = 1024

#: (module-ish last segment, function) -> (positional index of the size, its keywords)
_MODULUS_SIZES: dict[tuple[str, str], tuple[int, tuple[str, ...]]] = {
    ("rsa", "generate_private_key"): (1, ("key_size",)),  # cryptography
    ("dsa", "generate_private_key"): (0, ("key_size",)),
    ("dsa", "generate_parameters"): (0, ("key_size",)),
    ("dh", "generate_parameters"): (1, ("key_size",)),
    ("RSA", "generate"): (0, ("bits",)),  # pycryptodome / pycrypto
    ("DSA", "generate"): (0, ("bits",)),
    ("RSAKey", "generate"): (0, ("bits",)),  # paramiko
    ("DSSKey", "generate"): (0, ("bits",)),
}
#: Curves under 224 bits, as cryptography's classes and pycryptodome's names spell them.
_WEAK_CURVES = frozenset(
    {
        "SECP192R1",
        "SECT163K1",
        "SECT163R2",
        "BrainpoolP160R1",
        "BrainpoolP192R1",
        "p192",
        "p-192",
        "nistp192",
        "nist p-192",
        "secp192r1",
        "prime192v1",
    }
)
_CURVE_CALLS: dict[tuple[str, str], tuple[int, tuple[str, ...]]] = {
    ("ec", "generate_private_key"): (0, ("curve",)),  # cryptography
    ("ec", "derive_private_key"): (1, ("curve",)),
    ("ECC", "generate"): (-1, ("curve",)),  # pycryptodome: keyword-only
    ("ECC", "construct"): (-1, ("curve",)),
}

_GENERATORS = frozenset({name for _, name in (*_MODULUS_SIZES, *_CURVE_CALLS)} | {"generate_key"})


class WeakKeySize(Detector):
    """An RSA/DSA/DH key under 2048 bits or an elliptic curve under 224 bits is generated.

    A 1024-bit RSA modulus is within reach of a well-funded attacker and 512 bits of anyone
    with a cloud account; NIST retired both for new keys in 2013. Curves such as SECP192R1 give
    under 96 bits of security. The key is judged where it is made: ``cryptography``'s
    ``rsa``/``dsa``/``ec``/``dh`` generators, pycryptodome's ``RSA``/``DSA``/``ECC.generate``,
    paramiko's ``RSAKey``/``DSSKey.generate`` and pyOpenSSL's ``PKey.generate_key``.
    """

    id = "GL308"
    category = "weak-key"
    cwe = 326
    severity = Severity.MEDIUM
    message = "an asymmetric key is generated under 2048 bits (or on a curve under 224 bits)"
    VALID = (
        "from cryptography.hazmat.primitives.asymmetric import rsa\n"
        "key = rsa.generate_private_key(public_exponent=65537, key_size=2048)\n",
        "from cryptography.hazmat.primitives.asymmetric import rsa\n"
        "key = rsa.generate_private_key(65537, 4096)\n",
        "from cryptography.hazmat.primitives.asymmetric import ec\n"
        "key = ec.generate_private_key(ec.SECP256R1())\n",
        "from cryptography.hazmat.primitives.asymmetric.ec import (\n"
        "    SECP384R1, generate_private_key)\n"
        "curve = SECP384R1()\nkey = generate_private_key(curve)\n",
        "from Crypto.PublicKey import RSA, ECC\n"
        "KEY_BITS = 3072\nkey = RSA.generate(KEY_BITS)\npoint = ECC.generate(curve='P-256')\n",
        "from Crypto.PublicKey import RSA\ndef make(bits):\n    return RSA.generate(bits)\n",
    )
    INVALID = (
        Invalid(
            "from cryptography.hazmat.primitives.asymmetric import rsa\n"
            "key = rsa.generate_private_key(public_exponent=65537, key_size=1024)\n",
            line=2,
        ),
        Invalid(
            "from cryptography.hazmat.primitives.asymmetric import dsa\n"
            "key = dsa.generate_private_key(1024)\n",
            line=2,
        ),
        Invalid(
            "from cryptography.hazmat.primitives.asymmetric import ec\n"
            "key = ec.generate_private_key(ec.SECP192R1())\n",
            line=2,
        ),
        Invalid(
            "from cryptography.hazmat.primitives.asymmetric import ec\n"
            "def make():\n    return ec.generate_private_key(curve=ec.SECT163K1)\n",
            line=3,
        ),
        Invalid("from Crypto.PublicKey import RSA\nkey = RSA.generate(bits=512)\n", line=2),
        Invalid(
            "from Crypto.PublicKey import DSA\nSIZE = 1024\n"
            "def make():\n    size = SIZE\n    return DSA.generate(size)\n",
            line=5,
        ),
        Invalid("from Crypto.PublicKey import ECC\nkey = ECC.generate(curve='P-192')\n", line=2),
        Invalid(
            "from cryptography.hazmat.primitives.asymmetric.ec import (\n"
            "    SECP192R1, generate_private_key)\n"
            "curve = SECP192R1()\nkey = generate_private_key(curve)\n",
            line=4,
        ),
        Invalid(
            "from OpenSSL import crypto\nk = crypto.PKey()\n"
            "k.generate_key(crypto.TYPE_RSA, 1024)\n",
            line=3,
        ),
    )

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute | cst.Name):
            return
        name = func.attr.value if isinstance(func, cst.Attribute) else func.value
        if name not in _GENERATORS:
            return
        parts = ctx.callee(node).split(".")
        key = (parts[-2] if len(parts) > 1 else "", parts[-1])
        if key in _MODULUS_SIZES:
            index, keywords = _MODULUS_SIZES[key]
            self._modulus(node, ctx, argument(node, index, *keywords))
        elif key in _CURVE_CALLS:
            index, keywords = _CURVE_CALLS[key]
            self._curve(node, ctx, argument(node, index if index >= 0 else None, *keywords))
        elif name == "generate_key" and isinstance(func, cst.Attribute) and len(node.args) == 2:
            kind = node.args[0].value
            if isinstance(kind, cst.Attribute) and kind.attr.value in {"TYPE_RSA", "TYPE_DSA"}:
                self._modulus(node, ctx, node.args[1].value)

    def _modulus(self, node: cst.Call, ctx: Context, size: cst.BaseExpression | None) -> None:
        bits = constant_value(size, ctx) if size is not None else UNDECIDED
        if not isinstance(bits, int) or isinstance(bits, bool):
            return  # a size computed at run time, or the library's default
        if bits >= MIN_MODULUS_BITS:
            ctx.clear(type(self), node, f"the key is {bits} bits (>= {MIN_MODULUS_BITS})")
            return
        self.report(
            ctx,
            node,
            f"an asymmetric key of {bits} bits is generated (at least {MIN_MODULUS_BITS})",
            severity=Severity.HIGH if bits < _BROKEN_MODULUS_BITS else Severity.MEDIUM,
        )

    def _curve(self, node: cst.Call, ctx: Context, curve: cst.BaseExpression | None) -> None:
        text = _curve_name(curve, ctx)
        if text is None:
            return
        if text in _WEAK_CURVES or text.lower() in _WEAK_CURVES:
            self.report(ctx, node, f"a key is generated on {text}, a curve under 224 bits")
        else:
            ctx.clear(type(self), node, f"the curve {text} is at least {MIN_CURVE_BITS} bits")


def _curve_name(curve: cst.BaseExpression | None, ctx: Context, depth: int = 0) -> str | None:
    """``SECP192R1`` for ``ec.SECP192R1()``, ``ec.SECP192R1``, a local holding either, or
    ``"P-192"``; None when the curve is chosen at run time."""
    if curve is None or depth > 3:
        return None
    if isinstance(curve, cst.Call):
        return _curve_name(curve.func, ctx, depth + 1)
    if isinstance(curve, cst.Attribute):
        return curve.attr.value
    if isinstance(curve, cst.Name):
        found = ctx.lookup(curve.value)
        if found is None or not found[1]:
            return curve.value  # imported or a builtin name: its spelling is the curve
        if curve.value in found[0].params:
            return None
        latest = found[1][-1]
        if latest.kind == "import":
            return curve.value
        if latest.kind == "assign" and latest.value is not None:
            return _curve_name(latest.value, ctx, depth + 1)
        return None
    text = constant_value(curve, ctx)
    return text if isinstance(text, str) else None


#: Cipher modules/classes whose algorithm is broken (HIGH) or retired (MEDIUM), as
#: pycryptodome/pycrypto (``Crypto.Cipher.X.new``) and cryptography (``algorithms.X``) name them.
_BROKEN_CIPHERS = frozenset({"ARC4", "ARC2", "DES", "XOR", "RC4", "RC2"})
_RETIRED_CIPHERS = frozenset({"DES3", "TripleDES", "Blowfish", "CAST", "CAST5", "IDEA", "SEED"})
#: one finding per call that feeds data through the cipher (``finalize`` only closes it)
_USES = frozenset({"encrypt", "decrypt", "update", "encrypt_and_digest", "decrypt_and_verify"})
_STREAMS = frozenset({"encryptor", "decryptor"})


class WeakCipherUse(Detector):
    """Data is encrypted with a broken or retired cipher (RC4, DES, 3DES, Blowfish) or in ECB.

    RC4's keystream is biased and DES's 56-bit key is searched in hours; 3DES and 64-bit
    block ciphers leak plaintext after a few gigabytes (Sweet32), and ECB encrypts equal
    blocks to equal ciphertext, so the data's structure shows through. The cipher object is
    followed from where it is made (pycryptodome's ``ARC4.new(key)``, ``AES.new(key,
    AES.MODE_ECB)``; cryptography's ``Cipher(algorithms.ARC4(key), mode)`` and its
    ``encryptor()``) to where it encrypts or decrypts, and reported there; a cipher made and
    handed on without a local is reported where it is made.
    """

    id = "GL309"
    category = "weak-cipher"
    cwe = 327
    severity = Severity.HIGH
    message = "data is encrypted with a broken cipher (RC4, DES, ...) or in ECB mode"
    VALID = (
        "from Crypto.Cipher import AES\ndef seal(key, data):\n"
        "    cipher = AES.new(key, AES.MODE_GCM)\n    return cipher.encrypt_and_digest(data)\n",
        "from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes\n"
        "def seal(key, iv, data):\n    cipher = Cipher(algorithms.AES(key), modes.CBC(iv))\n"
        "    encryptor = cipher.encryptor()\n    return encryptor.update(data)\n",
        "import hashlib\ndef digest(data):\n    h = hashlib.sha256()\n    h.update(data)\n",
    )
    INVALID = (
        Invalid(
            "from Crypto.Cipher import ARC4\ndef seal(key, data):\n    cipher = ARC4.new(key)\n"
            "    return cipher.encrypt(data)\n",
            line=4,
        ),
        Invalid(
            "from Cryptodome.Cipher import AES\ndef seal(key, data):\n"
            "    cipher = AES.new(key, AES.MODE_ECB)\n    return cipher.encrypt(data)\n",
            line=4,
        ),
        Invalid(
            "from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes\n"
            "def seal(key, data):\n    cipher = Cipher(algorithms.AES(key), mode=modes.ECB())\n"
            "    encryptor = cipher.encryptor()\n    return encryptor.update(data)\n",
            line=5,
        ),
        Invalid(
            "from cryptography.hazmat.primitives.ciphers import Cipher, algorithms\n"
            "algorithm = algorithms.ARC4(key)\ncipher = Cipher(algorithm, mode=None)\n"
            "out = cipher.encryptor().update(data)\n",
            line=4,
        ),
        Invalid(
            "from Crypto.Cipher import DES\n"
            "def make(key):\n    return DES.new(key, DES.MODE_CBC)\n",
            line=3,
        ),
    )

    def __init__(self) -> None:
        #: (scope id, local) -> (what is weak about the cipher it holds, severity)
        self.ciphers: dict[tuple[int, str], tuple[str, Severity]] = {}

    def _key(self, name: str, ctx: Context) -> tuple[int, str]:
        found = ctx.lookup(name)
        return (id(found[0]) if found else id(ctx.scope), name)

    def _weakness(self, call: cst.Call, ctx: Context) -> tuple[str, Severity] | None:
        """What is weak about the cipher ``call`` makes, or None (not a cipher, or sound)."""
        parts = ctx.callee(call).split(".")
        if len(parts) >= 2 and parts[-1] == "new" and "Hash" not in parts:
            name = parts[-2]
            if name in _BROKEN_CIPHERS:
                return name, Severity.HIGH
            if name in _RETIRED_CIPHERS:
                return name, Severity.MEDIUM
            mode = argument(call, 1, "mode")
            if isinstance(mode, cst.Attribute) and mode.attr.value == "MODE_ECB":
                return "ECB mode", Severity.MEDIUM
            return None
        if parts[-1] == "Cipher":
            algorithm = _algorithm_name(argument(call, 0, "algorithm"), ctx)
            if algorithm in _BROKEN_CIPHERS:
                return algorithm, Severity.HIGH
            if algorithm in _RETIRED_CIPHERS:
                return algorithm, Severity.MEDIUM
            mode = argument(call, 1, "mode")
            if isinstance(mode, cst.Call) and isinstance(mode.func, cst.Attribute | cst.Name):
                spelled = mode.func.attr if isinstance(mode.func, cst.Attribute) else mode.func
                if spelled.value == "ECB":
                    return "ECB mode", Severity.MEDIUM
        return None

    def _held(self, expr: cst.BaseExpression, ctx: Context) -> tuple[str, Severity] | None:
        """The weakness of the cipher ``expr`` holds: a tracked local or ``cipher.encryptor()``."""
        if isinstance(expr, cst.Name):
            return self.ciphers.get(self._key(expr.value, ctx))
        if (
            isinstance(expr, cst.Call)
            and isinstance(expr.func, cst.Attribute)
            and expr.func.attr.value in _STREAMS
        ):
            return self._held(expr.func.value, ctx)
        return None

    def visit_Assign(self, node: cst.Assign, ctx: Context) -> None:
        target = node.targets[0].target if len(node.targets) == 1 else None
        if not isinstance(target, cst.Name) or not isinstance(node.value, cst.Call):
            return
        weakness = self._weakness(node.value, ctx) or self._held(node.value, ctx)
        key = self._key(target.value, ctx)
        if weakness is not None:
            self.ciphers[key] = weakness
        else:
            self.ciphers.pop(key, None)  # rebound to something else

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in _USES:
            held = self._held(func.value, ctx)
            if held is not None:
                self._report(ctx, node, held)
            return
        weakness = self._weakness(node, ctx)
        if weakness is None:
            return
        parent = ctx.parent()
        if isinstance(parent, cst.Assign) and isinstance(parent.targets[0].target, cst.Name):
            return  # followed to its uses
        if isinstance(parent, cst.Attribute) and parent.attr.value in _USES | _STREAMS:
            return  # ARC4.new(key).encrypt(data): reported at the use
        self._report(ctx, node, weakness)

    def _report(self, ctx: Context, node: cst.CSTNode, weakness: tuple[str, Severity]) -> None:
        what, severity = weakness
        self.report(ctx, node, f"data is encrypted with {what}", severity=severity)


def _algorithm_name(expr: cst.BaseExpression | None, ctx: Context, depth: int = 0) -> str | None:
    """``ARC4`` for ``algorithms.ARC4(key)`` or a local bound to it."""
    if isinstance(expr, cst.Call):
        func = expr.func
        if isinstance(func, cst.Attribute):
            return func.attr.value
        if isinstance(func, cst.Name):
            return func.value
    if isinstance(expr, cst.Name) and depth < 3:
        found = ctx.lookup(expr.value)
        if found and found[1] and found[1][-1].kind == "assign":
            return _algorithm_name(found[1][-1].value, ctx, depth + 1)
    return None
