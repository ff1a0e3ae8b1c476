"""Error handling: excepts that swallow failures, and asserts that guard access."""

from __future__ import annotations

import libcst as cst

from graderlib.detectors.base import Detector, Invalid
from graderlib.detectors.names import identifiers, words
from graderlib.detectors.walk import Context
from graderlib.taxonomy import Severity


def _body_statements(body: cst.BaseSuite) -> list[cst.CSTNode]:
    if isinstance(body, cst.SimpleStatementSuite):
        return list(body.body)
    statements: list[cst.CSTNode] = []
    for line in body.body:
        if isinstance(line, cst.SimpleStatementLine):
            statements.extend(line.body)
        else:
            statements.append(line)
    return statements


def _reraises(body: cst.BaseSuite) -> bool:
    return any(isinstance(s, cst.Raise) for s in _body_statements(body))


class BareExcept(Detector):
    """A bare ``except:`` that does not re-raise.

    It also catches ``KeyboardInterrupt`` and ``SystemExit``, so Ctrl-C and shutdown are
    swallowed along with every bug. ``except Exception`` (or a narrower class) keeps them;
    a bare except that re-raises after cleanup is fine.
    """

    id = "GL502"
    category = "swallowed-exception"
    cwe = 396
    severity = Severity.MEDIUM
    message = "bare `except:` also catches KeyboardInterrupt and SystemExit and hides bugs"
    VALID = (
        "try:\n    f()\nexcept ValueError:\n    pass\n",
        "try:\n    f()\nexcept:\n    cleanup()\n    raise\n",
    )
    INVALID = (Invalid("try:\n    f()\nexcept:\n    log('failed')\n", line=3),)

    def visit_ExceptHandler(self, node: cst.ExceptHandler, ctx: Context) -> None:
        if node.type is None and not _reraises(node.body):
            self.report(ctx, node)


_BROAD = frozenset({"Exception", "BaseException"})


def _is_broad(expr: cst.BaseExpression | None) -> bool:
    if isinstance(expr, cst.Name):
        return expr.value in _BROAD
    if isinstance(expr, cst.Tuple):
        return any(_is_broad(e.value) for e in expr.elements)
    return False


def _does_nothing(statement: cst.CSTNode) -> bool:
    if isinstance(statement, cst.Pass | cst.Continue):
        return True
    return isinstance(statement, cst.Expr) and isinstance(
        statement.value, cst.Ellipsis | cst.SimpleString
    )


class BroadExceptSwallowed(Detector):
    """``except Exception`` (or ``BaseException``) whose body only passes or continues.

    Every failure in the ``try`` disappears without a trace, including bugs nobody meant to
    tolerate. Logging, re-raising, returning an error value or catching a narrower class is
    a decision and is not flagged.
    """

    id = "GL503"
    category = "swallowed-exception"
    cwe = 390
    severity = Severity.MEDIUM
    message = "`except Exception` that only passes/continues swallows every failure silently"
    VALID = (
        "try:\n    f()\nexcept Exception:\n    log.exception('f failed')\n",
        "try:\n    f()\nexcept KeyError:\n    pass\n",
    )
    INVALID = (
        Invalid("try:\n    f()\nexcept Exception:\n    pass\n", line=3),
        Invalid(
            "for x in xs:\n    try:\n        f(x)\n    except (ValueError, Exception) as e:\n"
            "        continue\n",
            line=4,
        ),
    )

    def visit_ExceptHandler(self, node: cst.ExceptHandler, ctx: Context) -> None:
        if _is_broad(node.type) and all(_does_nothing(s) for s in _body_statements(node.body)):
            self.report(ctx, node)


_ACCESS_WORDS = frozenset(
    {
        "admin",
        "auth",
        "authenticated",
        "authorized",
        "authorised",
        "authorization",
        "permission",
        "permissions",
        "perm",
        "perms",
        "role",
        "roles",
        "owner",
        "staff",
        "superuser",
        "privilege",
        "privileges",
        "allowed",
        "access",
        "logged",
        "login",
        "csrf",
        "token",
        "scope",
        "scopes",
    }
)


class AssertForAccessCheck(Detector):
    """An ``assert`` guards access (a permission, login or ownership check).

    ``python -O`` strips asserts, so the check disappears in an optimised deployment; an
    explicit ``if not ...: raise``/``abort(403)`` stays. Asserts whose condition names no
    access concept (invariants in algorithms, tests) are fine.
    """

    id = "GL405"
    category = "assert-security-check"
    cwe = 617
    severity = Severity.HIGH
    message = "an assert guards access; `python -O` removes it, raise an error instead"
    VALID = (
        "def mean(xs):\n    assert len(xs) > 0\n    return sum(xs) / len(xs)\n",
        "def delete(user, post):\n    if post.owner_id != user.id:\n"
        "        raise PermissionError()\n",
    )
    INVALID = (
        Invalid(
            "def delete(user, post):\n    assert user.is_admin, 'admins only'\n    post.delete()\n",
            line=2,
        ),
        Invalid("def edit(user, doc):\n    assert doc.owner_id == user.id\n", line=2),
        Invalid("def view(request):\n    assert request.user.has_perm('view')\n", line=2),
    )

    def visit_Assert(self, node: cst.Assert, ctx: Context) -> None:
        for name in identifiers(node.test):
            parts = words(name)
            if set(parts) & _ACCESS_WORDS or parts[:1] == ["can"]:
                self.report(ctx, node)
                return
