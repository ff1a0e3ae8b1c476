"""Reading a call's arguments the way Python binds them (positional index or keyword)."""

from __future__ import annotations

import libcst as cst

from graderlib.detectors.names import words


def argument(call: cst.Call, index: int | None, *keywords: str) -> cst.BaseExpression | None:
    """The expression bound to positional ``index`` or to one of ``keywords``."""
    position = 0
    for arg in call.args:
        if arg.keyword is not None:
            if arg.keyword.value in keywords:
                return arg.value
            continue
        if arg.star:
            return None  # *args: we can't tell which parameter a value lands in
        if position == index:
            return arg.value
        position += 1
    return None


def keyword(call: cst.Call, name: str) -> cst.Arg | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def has_star_kwargs(call: cst.Call) -> bool:
    return any(arg.star == "**" for arg in call.args)


def is_constant(expr: cst.BaseExpression | None, value: str) -> bool:
    """``True``/``False``/``None`` spelled as a bare name."""
    return isinstance(expr, cst.Name) and expr.value == value


def short_name(dotted: str) -> str:
    return dotted.rsplit(".", 1)[-1]


def function_words(node: cst.CSTNode | None) -> list[str]:
    if isinstance(node, cst.FunctionDef):
        return words(node.name.value)
    return []
