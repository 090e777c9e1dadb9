"""A small, safe expression language for the command line: ``(a + b) * (b + 1)``.

Parsed with ``ast`` against an allow-list and evaluated by walking the tree (never eval):
numbers, names given values, ``+ - * / ** @``, unary minus, parentheses and calls of
the engine's functions. Anything else is refused with one clear line.
"""

from __future__ import annotations

import ast
from typing import Any

import numpy as np

from . import ops
from .tensor import Tensor

MAX_LENGTH = 2000
MAX_DEPTH = 60

# the registry's ops marked cli: those the grammar writes as + - * / ** @ and unary minus,
# and the others, called by name
GRAMMAR_OPS = {"add", "subtract", "multiply", "divide", "power", "matmul", "negative"}
FUNCTIONS = {name: op.function for name, op in ops.OPS.items()
             if op.cli and name not in GRAMMAR_OPS}
KEYWORDS = {"axis", "keepdims", "slope"}

_BINARY = {ast.Add: ops.add, ast.Sub: ops.subtract, ast.Mult: ops.multiply,
           ast.Div: ops.divide, ast.Pow: ops.power, ast.MatMult: ops.matmul}


class ExpressionError(ValueError):
    """The expression or a value is not in the allowed language."""


def parse_value(text: str) -> np.ndarray:
    """A number or a (nested) list of numbers, e.g. ``2``, ``-1.5e3``, ``[1, 2, 3]``."""
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        raise ExpressionError(f"cannot read the value {text!r}: use a number or a list such as "
                              "[1, 2, 3]") from None

    def walk(node):
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return float(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = walk(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.List) and len(node.elts) <= 10_000:
            return [walk(e) for e in node.elts]
        raise ExpressionError(f"cannot read the value {text!r}: only numbers and lists of "
                              "numbers are allowed")

    try:
        return np.array(walk(tree), dtype=np.float64)
    except ValueError as err:
        raise ExpressionError(f"cannot read the value {text!r}: {err}") from None


def evaluate(text: str, variables: dict[str, Any]) -> Tensor:
    """Evaluate ``text`` over ``variables`` (name -> Tensor) with the engine's ops."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("the expression is empty")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as err:
        raise ExpressionError(f"syntax error in the expression at column {err.offset}: "
                              f"{err.msg}") from None
    except (ValueError, RecursionError, MemoryError):
        raise ExpressionError("the expression cannot be parsed (too deeply nested?)") from None
    for name in variables:
        _check_name(name)
    _validate(tree.body, variables, 0)
    try:
        with np.errstate(all="ignore"):
            out = _eval(tree.body, variables)
    except (ValueError, TypeError) as err:
        raise ExpressionError(str(err).split("\n")[0]) from None
    return out if isinstance(out, Tensor) else Tensor(out)


def _check_name(name: str) -> None:
    if not name.isidentifier() or name.startswith("_"):
        raise ExpressionError(f"{name!r} is not an allowed name (letters, digits and _, not "
                              "starting with _)")
    if name in FUNCTIONS:
        raise ExpressionError(f"{name!r} is a function name; choose another variable name")


def _validate(node: ast.AST, variables, depth: int) -> None:
    """Refuse every node outside the allow-list before anything is evaluated."""
    if depth > MAX_DEPTH:
        raise ExpressionError(f"the expression is nested more than {MAX_DEPTH} levels deep")
    if isinstance(node, ast.Constant):
        if type(node.value) not in (int, float):
            raise ExpressionError(f"only numbers are allowed as constants, not "
                                  f"{type(node.value).__name__} {node.value!r}")
        return
    if isinstance(node, ast.Name):
        if node.id.startswith("_"):
            raise ExpressionError(f"the name {node.id!r} is not allowed")
        if node.id not in variables:
            hint = (" (a function: call it, e.g. exp(a))" if node.id in FUNCTIONS
                    else f": give it a value, e.g. {node.id}=1")
            raise ExpressionError(f"unknown name {node.id!r}{hint}")
        return
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        _validate(node.left, variables, depth + 1)
        _validate(node.right, variables, depth + 1)
        return
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        _validate(node.operand, variables, depth + 1)
        return
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            what = node.func.id if isinstance(node.func, ast.Name) else "this expression"
            raise ExpressionError(f"calling {what!r} is not allowed; functions: "
                                  f"{', '.join(sorted(FUNCTIONS))}")
        for arg in node.args:
            _validate(arg, variables, depth + 1)
        for kw in node.keywords:
            if kw.arg not in KEYWORDS:
                raise ExpressionError(f"keyword {kw.arg!r} is not allowed; use "
                                      f"{', '.join(sorted(KEYWORDS))}")
            if kw.arg == "keepdims":
                if not (isinstance(kw.value, ast.Constant) and type(kw.value.value) is bool):
                    raise ExpressionError("keepdims must be True or False")
            elif not (isinstance(kw.value, ast.Constant) and type(kw.value.value) in (int, float)
                      or isinstance(kw.value, ast.UnaryOp) and isinstance(kw.value.op, ast.USub)
                      and isinstance(kw.value.operand, ast.Constant)
                      and type(kw.value.operand.value) in (int, float)):
                raise ExpressionError(f"{kw.arg} must be a number")
        return
    kind = type(node).__name__
    raise ExpressionError(f"{kind} is not allowed in an expression: use numbers, names, "
                          "+ - * / ** @, parentheses and function calls")


def _eval(node: ast.AST, variables):
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        return variables[node.id]
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_eval(node.left, variables), _eval(node.right, variables))
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, variables)
        return ops.negative(value) if isinstance(node.op, ast.USub) else value
    kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords}
    if "axis" in kwargs:
        kwargs["axis"] = int(kwargs["axis"])
    return FUNCTIONS[node.func.id](*(_eval(a, variables) for a in node.args), **kwargs)
