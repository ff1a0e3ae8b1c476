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
