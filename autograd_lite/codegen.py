"""Code generation for al.compile: a tape becomes one straight-line numpy function.

The generator replays the tape and then the backward walk of ``backward.py`` step for step
(the same heap order, the same accumulation, the same broadcast reduction), but instead of
calling each rule it *reads* it: the rule's own source (a lambda or a small function) is
partially evaluated with the names of the generated code substituted for its arguments.
Whatever depends only on shapes, dtypes and keyword arguments (``x.ndim == 2``,
``x.shape``, ``type(g) is Tensor``) is fixed per trace, so such branches are resolved now;
a rule that cannot be read (a loop, a branch on values) is called by name instead. Either
way the generated code makes the same numpy calls as the eager engine, in the same order,
so its results are bit-identical; ``Generator`` checks this on the trace's own inputs.
(The one exception is asked for by the user: ``simplify``, see ``log_loss_gradient``.)

While it emits code, the generator also runs it on the trace's values (the "shadow"), so
that every shape is known and so that ``+=`` is used only on arrays that nothing else
holds (the eager walk's ``a + b`` is then replaced by an in-place add of the same values).

Gradients of arguments that do not require grad (X, Y) are never computed: the walk skips
them, as backward() does. Statements that read only constants run once (_hoist_constants).
Preallocated ``out=`` buffers are not used: in the deep step the replay faults in as many
fresh pages as hand-written numpy (930 a step, both), for the arrays it returns (dW1 is
2 MB), which a buffer could not hold across calls.
"""

from __future__ import annotations

import ast
import builtins
import functools
import inspect
import io
import keyword
import linecache
import math
import operator
import re
import textwrap
import tokenize
import types
from heapq import heappop, heappush
from typing import Any

import numpy as np

from .tensor import PRIMITIVES, Tensor, identity_vjp

__all__ = ["Generator", "GeneratedCode"]


class _UnreadableError(Exception):
    """This rule (or part of it) cannot be read: call it by name instead."""


class Val:
    """A partially evaluated value: static (known now: ``value``) or dynamic (computed by
    ``node`` in the generated code; ``value`` is its value on the trace's inputs)."""

    __slots__ = ("static", "value", "node")

    def __init__(self, static: bool, value: Any, node: ast.expr | None = None) -> None:
        self.static, self.value, self.node = static, value, node


def _static(v: Any) -> Val:
    return Val(True, v)


# ---- reading rules: the AST of a lambda or function, from its source lines ----------------

_RULES: dict[Any, Any] = {}


def _arg_names(args: ast.arguments) -> tuple[str, ...]:
    return tuple(a.arg for a in args.posonlyargs + args.args)


def _rule_node(fn: Any) -> ast.Lambda | ast.FunctionDef | None:
    """The AST of a Python function or lambda (None when its source cannot be found, or
    several lambdas on its line could be it)."""
    if fn in _RULES:
        return _RULES[fn]
    node = None
    code = getattr(fn, "__code__", None)
    if isinstance(fn, types.FunctionType) and code is not None:
        names = code.co_varnames[:code.co_argcount + code.co_posonlyargcount]
        lines = linecache.getlines(code.co_filename)[code.co_firstlineno - 1:]
        try:
            if fn.__name__ == "<lambda>":
                found = [n for n in _lambdas(lines) if _arg_names(n.args) == names]
            else:
                tree = ast.parse(textwrap.dedent("".join(inspect.getblock(lines))))
                found = [n for n in tree.body if isinstance(n, ast.FunctionDef)
                         and n.name == fn.__name__]
        except (SyntaxError, tokenize.TokenError, IndentationError):
            found = []
        node = found[0] if len(found) == 1 else None
    _RULES[fn] = node
    return node


def _lambdas(lines: list[str]) -> list[ast.Lambda]:
    """The lambdas that begin on the first of ``lines``: each read from its ``lambda`` to
    the comma or bracket that ends it (or the end of a line where it is complete)."""
    text = "".join(lines[:40])
    first = len(lines[0]) if lines else 0
    out = []
    for m in re.finditer(r"\blambda\b", text[:first]):
        node = _one_lambda("(" + text[m.start():])
        if node is not None:
            out.append(node)
    return out


def _one_lambda(text: str) -> ast.Lambda | None:
    """The lambda at the start of ``text`` (after an opening bracket we added)."""
    rows = text.splitlines(True)

    def upto(pos):
        return "".join(rows[:pos[0] - 1]) + rows[pos[0] - 1][:pos[1]]

    def parsed(expr):
        try:
            node = ast.parse(expr + ")", mode="eval").body
        except SyntaxError:
            return None
        return node if isinstance(node, ast.Lambda) else None

    depth, body = 0, False
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.OP and tok.string in "([{":
                depth += 1
            elif tok.type == tokenize.OP and tok.string in ")]}":
                depth -= 1
                if depth == 0:
                    return parsed(upto(tok.start))
            elif tok.type == tokenize.OP and tok.string == ":" and depth == 1:
                body = True
            elif body and depth == 1 and tok.type == tokenize.OP and tok.string == ",":
                return parsed(upto(tok.start))
            elif body and depth == 1 and tok.type in (tokenize.NL, tokenize.NEWLINE,
                                                      tokenize.COMMENT):
                node = parsed(upto(tok.start))
                if node is not None:
                    return node
    except (tokenize.TokenError, IndentationError):
        pass
    return None


# Functions that the generated code calls by a readable name rather than inlining.
def _friendly_names() -> dict[Any, str]:
    from . import ops
    return {ops._stable_sigmoid: "sigmoid", ops.probabilities: "probabilities"}


# Functions of a value's shape, dtype or type only: fixed per trace, so evaluated now.
_SHAPE_FUNCTIONS = {type, len, np.shape, np.ndim, np.size, np.result_type, isinstance}
_STATIC_ATTRS = {"shape", "ndim", "size", "dtype"}
_FOLDABLE = (int, float, bool, str, type(None), slice, np.dtype, np.generic, type,
             type(Ellipsis))

_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
           ast.Pow: operator.pow, ast.MatMult: operator.matmul, ast.BitAnd: operator.and_,
           ast.BitOr: operator.or_, ast.BitXor: operator.xor}
# the operator module's functions (the arithmetic primitives' forwards), written as operators
_OPERATOR_NODES = {fn: op for op, fn in _BINOPS.items()}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Not: operator.not_,
          ast.Invert: operator.invert}
_COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt,
            ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
            ast.Is: operator.is_, ast.IsNot: operator.is_not,
            ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b}


def _foldable(v: Any) -> bool:
    if isinstance(v, tuple):
        return all(_foldable(x) for x in v)
    return isinstance(v, _FOLDABLE)


def _load_names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _is_load(n: ast.Name) -> bool:
    return not isinstance(getattr(n, "ctx", None), (ast.Store, ast.Del))


class GeneratedCode:
    """The result of code generation: ``function`` (compiled), ``source`` (the module text:
    imports, then the function), ``namespace`` (what the source needs besides its imports:
    constants of the trace)."""

    def __init__(self, function, source, namespace, constants):
        self.function, self.source = function, source
        self.namespace, self.constants = namespace, constants


class Generator:
    """Emit the forward pass of a tape and the backward walk from ``root`` as one function.

    names: id(tensor) -> the name it has in the code (inputs and tape outputs);
    inputs: the traced input tensors, in the order of the function's parameters;
    wanted: the inputs whose gradients are returned (in that order);
    extra: tensors whose values are returned after the cost (auxiliary outputs);
    returns: ``returns(gen, value, grads, extra)`` builds the return expression from the
        nodes of the cost, the wanted gradients and the extra outputs (by default a flat
        tuple);
    inline: read the rules (False: call every rule by name, the fallback);
    peephole: the exact rewrites after _simplify (_lift_constant_operands, _reuse_common,
        _drop_unit_factors), which leave every result's bits as they were;
    simplify: the one rewrite that is not exact, asked for by the user (al.compile's
        ``simplify``): the log loss after a sigmoid gets the course's gradient (see
        ``log_loss_gradient``).
    """

    def __init__(self, fname: str, tape: list, inputs: list[Tensor], names: dict[int, str],
                 root: Tensor, wanted: list[Tensor], extra: list[Tensor],
                 returns: Any = None, inline: bool = True, peephole: bool = True,
                 simplify: bool = False) -> None:
        self.fname, self.tape, self.inputs, self.root = fname, tape, inputs, root
        self.wanted, self.extra, self.inline, self.peephole = wanted, extra, inline, peephole
        self.returns, self.simplify = returns, simplify
        self.made = {id(out): (prim, args) for out, prim, args, _ in tape}
        self.ns: dict[str, Any] = {"np": np}
        self.imports: dict[str, str] = {}  # name -> import line, for the source
        self.constants: dict[str, Any] = {}  # name -> value the source needs in its namespace
        self.refs: dict[int, str] = {id(np): "np"}
        self.used: set[str] = set(keyword.kwlist) | {"np", "slice", "float", "Ellipsis"}
        self.next_suffix: dict[str, int] = {}  # base name -> the suffix alloc reached
        self.stmts: list[ast.stmt] = []
        self.shadow: dict[str, Any] = {}  # name -> its value on the trace's inputs
        self.temps: set[str] = set()  # names the inliner may substitute away
        self.gnames: dict[int, str] = {}  # id(tensor) -> the name of its gradient
        self.friendly = _friendly_names()
        self.names = {}
        for t in inputs:
            self.names[id(t)] = self.alloc(names[id(t)])
        for out, *_ in tape:
            self.names[id(out)] = self.alloc(names[id(out)])
            if names.get(("generic", id(out))):
                self.temps.add(self.names[id(out)])
        float64_only = all(np.result_type(t._data) == np.float64
                           for t in [*inputs, *(e[0] for e in tape)])
        self.plain_floats = float64_only

    # ---- names --------------------------------------------------------------------------
    def alloc(self, base: str) -> str:
        """A fresh identifier from ``base``, unique in the generated code."""
        base = re.sub(r"\W", "_", base) or "t"
        if base[0].isdigit():
            base = "_" + base
        name, k = base, self.next_suffix.get(base, 1)  # (from the last one: a chain of 16,000
        if k > 1:  # ops took 9.9 s to name when each name probed y_2, y_3, ... again)
            name = f"{base}_{k}"
        while name in self.used or hasattr(builtins, name):
            k += 1
            name = f"{base}_{k}"
        self.next_suffix[base] = k
        self.used.add(name)
        return name

    def ref(self, obj: Any, hint: str | None = None) -> ast.expr:
        """An expression that names ``obj`` (np.exp, a builtin, or a bound helper)."""
        if id(obj) in self.refs:
            return ast.Name(self.refs[id(obj)])
        name = getattr(obj, "__name__", None)
        if name and getattr(builtins, name, None) is obj:
            return ast.Name(name)
        if name and getattr(np, name, None) is obj:
            return ast.Attribute(ast.Name("np"), name)
        owner = getattr(obj, "__self__", None)
        if isinstance(owner, np.ufunc) and getattr(np, owner.__name__, None) is owner:
            return ast.Attribute(ast.Attribute(ast.Name("np"), owner.__name__), name)
        if isinstance(obj, functools.partial):
            raise _UnreadableError("a partial is called through its function")
        wrapped = hasattr(obj, "__wrapped__")  # a user's VJP in the engine's wrapper
        label = self.friendly.get(obj) or (name if name and name != "<lambda>" and not wrapped
                                           else hint or "rule")
        alias = self.alloc(label)
        self.refs[id(obj)] = alias
        self.ns[alias] = obj
        module, qual = getattr(obj, "__module__", None), getattr(obj, "__qualname__", "")
        importable = (module and qual and "<" not in qual and "." not in qual
                      and getattr(__import__(module, fromlist=["_"]), qual, None) is obj)
        if importable:
            self.imports[alias] = (f"from {module} import {qual}"
                                   + ("" if qual == alias else f" as {alias}"))
        else:
            self.constants[alias] = obj
        return ast.Name(alias)

    def literal(self, v: Any) -> ast.expr:
        """An expression for the static value ``v`` (a literal, or a bound constant)."""
        t = type(v)
        if t in (int, float) and (v < 0 or v == 0 and math.copysign(1.0, v) < 0):
            # -2.0 as the operator -(2.0): a bare -2.0 ** x reads -(2.0 ** x), -1 .real -(1 .real)
            return ast.UnaryOp(ast.USub(), self.literal(-v))
        if v is None or t in (bool, int, str) or v is Ellipsis:
            return ast.Constant(v)
        if t is float:
            return ast.Constant(v) if np.isfinite(v) else ast.Call(
                ast.Name("float"), [ast.Constant(repr(v))], [])
        if t is tuple:
            return ast.Tuple([self.literal(x) for x in v])
        if t is slice:
            return ast.Call(ast.Name("slice"), [self.literal(v.start), self.literal(v.stop),
                                                self.literal(v.step)], [])
        if isinstance(v, np.generic) and getattr(np, t.__name__, None) is t:
            item = v.item()
            arg = ast.Constant(item if type(item) is not float or np.isfinite(item)
                               else repr(item))
            return ast.Call(self.ref(t), [arg], [])
        if isinstance(v, np.dtype) and v.isbuiltin:
            return ast.Call(ast.Attribute(ast.Name("np"), "dtype"), [ast.Constant(v.name)], [])
        if isinstance(v, (type, types.ModuleType, types.FunctionType,
                          types.BuiltinFunctionType, np.ufunc)):
            return self.ref(v)
        name = self.alloc("c")
        if isinstance(v, np.ndarray):
            # an array read from outside is a constant of the trace: a copy, or a write into
            # it later would reach the code where it is read as is, and not where numpy
            # computed from it while tracing (1 - Y): half old, half new values
            v = v.copy() if v.flags.writeable else v
            self.shadow[name] = v
        self.ns[name] = v
        self.constants[name] = v
        return ast.Name(name)

    def index_literal(self, v: Any) -> ast.expr:
        """``v`` as written inside brackets: slices as ``a:b``."""
        if type(v) is slice:
            return ast.Slice(*(None if x is None else self.literal(x)
                               for x in (v.start, v.stop, v.step)))
        if type(v) is tuple:
            return ast.Tuple([self.index_literal(x) for x in v])
        if type(v) is np.ndarray and v.ndim and 0 < v.size <= 32 and v.dtype.kind in "biu":
            # x[[0, 2]] as the user wrote it (getitem keeps a copy of the list as an array);
            # numpy reads the list as that array
            return ast.parse(repr(v.tolist()), mode="eval").body
        return self.literal(v)

    def node(self, v: Val) -> ast.expr:
        """The expression that computes ``v``."""
        return self.literal(v.value) if v.static else v.node

    def emit(self, target: str, v: Val, temp: bool = False) -> Val:
        """``target = <v>``; the dynamic value now named ``target``."""
        self.stmts.append(ast.Assign([ast.Name(target, ast.Store())], self.node(v)))
        self.shadow[target] = v.value
        if temp:
            self.temps.add(target)
        return Val(False, v.value, ast.Name(target))

    # ---- partial evaluation ------------------------------------------------------------
    def call_rule(self, fn: Any, args: list[Val], kwargs: dict[str, Val],
                  hint: str | None = None, readable: bool = True) -> Val:
        """``fn(*args, **kwargs)``: its body inlined where it can be read, else a call.
        (``readable`` False: a user's op, called by name, so that what it reads from
        outside, a global or an attribute, is read at each call, as eager reads it.)"""
        if (readable and self.inline and isinstance(fn, types.FunctionType)
                and fn not in self.friendly):
            mark = len(self.stmts)
            try:
                return self.inline_call(fn, args, kwargs)
            except _UnreadableError:
                del self.stmts[mark:]
        return self.plain_call(fn, args, kwargs, hint)

    def plain_call(self, fn: Any, args: list[Val], kwargs: dict[str, Val],
                   hint: str | None = None) -> Val:
        """``fn(*args, **kwargs)`` as a call by name in the generated code."""
        if isinstance(fn, functools.partial):
            args = [_static(a) for a in fn.args] + args
            kwargs = {**{k: _static(v) for k, v in fn.keywords.items()}, **kwargs}
            fn = fn.func
        value = fn(*(a.value for a in args), **{k: v.value for k, v in kwargs.items()})
        if type(fn) is types.BuiltinFunctionType and not kwargs and (
                fn in _OPERATOR_NODES and len(args) == 2 or fn is operator.neg):
            nodes = [self.node(a) for a in args]
            node = (ast.UnaryOp(ast.USub(), nodes[0]) if fn is operator.neg
                    else ast.BinOp(nodes[0], _OPERATOR_NODES[fn](), nodes[1]))
            return Val(False, value, node)
        node = ast.Call(self.ref(fn, hint), [self.node(a) for a in args],
                        [ast.keyword(k, self.node(v)) for k, v in kwargs.items()])
        return Val(False, value, node)

    def inline_call(self, fn: types.FunctionType, args: list[Val],
                    kwargs: dict[str, Val]) -> Val:
        """``fn``'s body inlined with ``args`` substituted (raises when unreadable)."""
        node = _rule_node(fn)
        if node is None:
            raise _UnreadableError("no source")
        env = self.bind(fn, node.args, args, kwargs)
        glb = fn.__globals__
        if isinstance(node, ast.Lambda):
            return self.pe(node.body, env, glb)
        result = self.run(node.body, env, glb)
        if result is None:
            raise _UnreadableError("no return")
        return result

    def bind(self, fn, params: ast.arguments, args: list[Val], kwargs: dict[str, Val]):
        """The rule's parameters bound to ``args``, its defaults and closure."""
        if params.kwarg is not None:
            raise _UnreadableError("**kwargs")
        env: dict[str, Val] = {}
        if fn.__closure__:
            for name, cell in zip(fn.__code__.co_freevars, fn.__closure__):
                env[name] = _static(cell.cell_contents)
        positional = [a.arg for a in params.posonlyargs + params.args]
        defaults = fn.__defaults__ or ()
        for name, d in zip(positional[len(positional) - len(defaults):], defaults):
            env[name] = _static(d)
        for name, d in (fn.__kwdefaults__ or {}).items():
            env[name] = _static(d)
        for name, v in zip(positional, args):
            env[name] = v
        rest = args[len(positional):]
        if params.vararg is not None:
            env[params.vararg.arg] = (_static(tuple(a.value for a in rest))
                                      if all(a.static for a in rest) else
                                      Val(False, tuple(a.value for a in rest),
                                          ast.Tuple([self.node(a) for a in rest])))
        elif rest:
            raise _UnreadableError("too many arguments")
        for k, v in kwargs.items():
            env[k] = v
        missing = [a.arg for a in params.args + params.kwonlyargs if a.arg not in env]
        if missing:
            raise _UnreadableError(f"unbound {missing}")
        return env

    def run(self, body: list[ast.stmt], env: dict, glb: dict) -> Val | None:
        """Partially evaluate a rule's statements; its return value, if any."""
        for st in body:
            if isinstance(st, ast.Expr) and isinstance(st.value, ast.Constant):
                continue  # a docstring
            if isinstance(st, ast.Return):
                return _static(None) if st.value is None else self.pe(st.value, env, glb)
            if isinstance(st, ast.If):
                test = self.pe(st.test, env, glb)
                if not test.static:
                    raise _UnreadableError("a branch on values")
                result = self.run(st.body if test.value else st.orelse, env, glb)
                if result is not None:
                    return result
            elif isinstance(st, ast.Assign) and len(st.targets) == 1:
                self.assign(st.targets[0], st.value, env, glb)
            elif isinstance(st, ast.Expr) and isinstance(st.value, ast.Call):
                v = self.pe(st.value, env, glb)  # run for its effect (np.add.at)
                if not v.static:
                    self.stmts.append(ast.Expr(v.node))
            else:
                raise _UnreadableError(type(st).__name__)
        return None

    def assign(self, target: ast.expr, value: ast.expr, env: dict, glb: dict) -> None:
        """A rule's assignment, partially evaluated into ``env`` (or emitted)."""
        if isinstance(target, ast.Name):
            env[target.id] = self.local(target.id, self.pe(value, env, glb))
        elif (isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple)
              and len(target.elts) == len(value.elts)
              and all(isinstance(t, ast.Name) for t in target.elts)):
            vals = [self.pe(v, env, glb) for v in value.elts]
            for t, v in zip(target.elts, vals):
                env[t.id] = self.local(t.id, v)
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            base = env.get(target.value.id)
            if base is None or base.static or not isinstance(base.node, ast.Name):
                raise _UnreadableError("item assignment")
            index, v = self.pe(target.slice, env, glb), self.pe(value, env, glb)
            if not index.static:
                raise _UnreadableError("a computed index")
            base.value[index.value] = v.value
            self.stmts.append(ast.Assign([ast.Subscript(base.node, self.index_literal(
                index.value), ast.Store())], self.node(v)))
        else:
            raise _UnreadableError("assignment")

    def local(self, name: str, v: Val) -> Val:
        """A rule's local variable: an expression is computed once, into a temporary."""
        if v.static or isinstance(v.node, ast.Name):
            return v
        return self.emit(self.alloc(name), v, temp=True)

    def lookup(self, name: str, env: dict, glb: dict) -> Val:
        """A name of a rule: a local, a global of its module, or a builtin."""
        if name in env:
            return env[name]
        if name in glb:
            return _static(glb[name])
        if hasattr(builtins, name):
            return _static(getattr(builtins, name))
        raise _UnreadableError(f"unknown name {name}")

    def pe(self, node: ast.expr, env: dict, glb: dict) -> Val:
        """Partially evaluate ``node``: static where it can be, else an expression."""
        if isinstance(node, ast.Constant):
            return _static(node.value)
        if isinstance(node, ast.Name):
            return self.lookup(node.id, env, glb)
        if isinstance(node, ast.Attribute):
            base = self.pe(node.value, env, glb)
            if base.static or node.attr in _STATIC_ATTRS:
                return _static(getattr(base.value, node.attr))
            return Val(False, getattr(base.value, node.attr),
                       ast.Attribute(base.node, node.attr))
        if isinstance(node, ast.Call):
            return self.pe_call(node, env, glb)
        if isinstance(node, ast.BinOp):
            left, right = self.pe(node.left, env, glb), self.pe(node.right, env, glb)
            op = _BINOPS[type(node.op)]
            value = op(left.value, right.value)
            if left.static and right.static and _foldable(value):
                return _static(value)
            return Val(False, value, ast.BinOp(self.node(left), node.op, self.node(right)))
        if isinstance(node, ast.UnaryOp):
            x = self.pe(node.operand, env, glb)
            value = _UNARY[type(node.op)](x.value)
            if x.static and _foldable(value):
                return _static(value)
            return Val(False, value, ast.UnaryOp(node.op, self.node(x)))
        if isinstance(node, ast.Compare):
            return self.pe_compare(node, env, glb)
        return self.pe_other(node, env, glb)

    def pe_other(self, node: ast.expr, env: dict, glb: dict) -> Val:
        """``pe`` for and/or, if-else, indexing, slices and tuples/lists."""
        if isinstance(node, ast.BoolOp):
            for i, sub in enumerate(node.values):
                v = self.pe(sub, env, glb)
                if not v.static:
                    raise _UnreadableError("and/or on values")
                last = i == len(node.values) - 1
                if last or (isinstance(node.op, ast.And) and not v.value) or (
                        isinstance(node.op, ast.Or) and v.value):
                    return v
        if isinstance(node, ast.IfExp):
            test = self.pe(node.test, env, glb)
            if not test.static:
                raise _UnreadableError("a choice on values")
            return self.pe(node.body if test.value else node.orelse, env, glb)
        if isinstance(node, ast.Subscript):
            base, index = self.pe(node.value, env, glb), self.pe(node.slice, env, glb)
            if not index.static:
                raise _UnreadableError("a computed index")
            value = base.value[index.value]
            if base.static and _foldable(value):
                return _static(value)
            return Val(False, value, ast.Subscript(self.node(base),
                                                   self.index_literal(index.value)))
        if isinstance(node, ast.Slice):
            parts = [None if p is None else self.pe(p, env, glb)
                     for p in (node.lower, node.upper, node.step)]
            if any(p is not None and not p.static for p in parts):
                raise _UnreadableError("a computed slice")
            return _static(slice(*(None if p is None else p.value for p in parts)))
        if isinstance(node, (ast.Tuple, ast.List)):
            items = [self.pe(e, env, glb) for e in node.elts]
            kind = tuple if isinstance(node, ast.Tuple) else list
            value = kind(v.value for v in items)
            if all(v.static for v in items) and kind is tuple:
                return _static(value)
            node_type = ast.Tuple if kind is tuple else ast.List
            return Val(False, value, node_type([self.node(v) for v in items]))
        if isinstance(node, (ast.GeneratorExp, ast.ListComp, ast.SetComp, ast.DictComp)):
            return self.pe_comprehension(node, env, glb)
        raise _UnreadableError(type(node).__name__)

    def pe_compare(self, node: ast.Compare, env: dict, glb: dict) -> Val:
        """``pe`` for a comparison of two operands."""
        left = self.pe(node.left, env, glb)
        if len(node.ops) != 1:
            raise _UnreadableError("chained comparison")
        right = self.pe(node.comparators[0], env, glb)
        value = _COMPARE[type(node.ops[0])](left.value, right.value)
        if left.static and right.static:
            return _static(value)
        if isinstance(node.ops[0], (ast.Is, ast.IsNot, ast.In, ast.NotIn)):
            raise _UnreadableError("identity test on values")
        return Val(False, value, ast.Compare(self.node(left), node.ops, [self.node(right)]))

    def pe_comprehension(self, node: ast.expr, env: dict, glb: dict) -> Val:
        """``pe`` for a comprehension over static values only."""
        local = {}
        for name in _load_names(node):
            if name in env:
                v = env[name]
                if not v.static:
                    raise _UnreadableError("a comprehension over values")
                local[name] = v.value
        # as globals: the comprehension's own scope does not see eval's locals
        value = eval(compile(ast.Expression(node), "<rule>", "eval"),  # noqa: S307
                     {**glb, **local})
        if isinstance(value, types.GeneratorType):
            value = tuple(value)  # consumed by the call it is passed to
        return _static(value)

    def pe_call(self, node: ast.Call, env: dict, glb: dict) -> Val:
        """``pe`` for a call: fixed now, inlined, or emitted."""
        func = self.pe(node.func, env, glb)
        args: list[Val] = []
        for a in node.args:
            if isinstance(a, ast.Starred):
                v = self.pe(a.value, env, glb)
                if v.static:
                    args.extend(_static(x) for x in v.value)
                elif isinstance(v.node, ast.Tuple):
                    args.extend(Val(False, x, n) for x, n in zip(v.value, v.node.elts))
                else:
                    raise _UnreadableError("*args of values")
            else:
                args.append(self.pe(a, env, glb))
        kwargs = {}
        for k in node.keywords:
            if k.arg is None:
                raise _UnreadableError("**kwargs")
            kwargs[k.arg] = self.pe(k.value, env, glb)
        if not func.static:  # a method of a value: g.reshape(...)
            value = func.value(*(a.value for a in args),
                               **{k: v.value for k, v in kwargs.items()})
            return Val(False, value, ast.Call(func.node, [self.node(a) for a in args],
                                              [ast.keyword(k, self.node(v))
                                               for k, v in kwargs.items()]))
        fn = func.value
        from .ops import _val
        if fn is _val and len(args) == 1:  # the first-order walk hands rules arrays
            return args[0]
        if fn in _SHAPE_FUNCTIONS:
            return _static(fn(*(a.value for a in args), **{k: v.value
                                                          for k, v in kwargs.items()}))
        if all(a.static for a in args) and all(v.static for v in kwargs.values()):
            value = fn(*(a.value for a in args), **{k: v.value for k, v in kwargs.items()})
            if _foldable(value):
                return _static(value)
            if isinstance(value, types.GeneratorType):
                return _static(tuple(value))
        if (isinstance(fn, types.FunctionType) and fn not in self.friendly
                and fn.__module__.startswith("autograd_lite")):
            return self.call_rule(fn, args, kwargs)
        return self.plain_call(fn, args, kwargs)

    # ---- the forward pass and the backward walk -----------------------------------------
    def value_of(self, a: Any) -> Val:
        """An op's argument: a traced tensor by name, anything else as a constant."""
        if type(a) is Tensor:
            name = self.names.get(id(a))
            if name is not None:
                return Val(False, self.shadow[name], ast.Name(name))
            return _static(a._data)  # a constant from outside (its writes make a retrace)
        return _static(a)

    def forward(self) -> None:
        """Emit the tape's ops, in the order they ran."""
        for t in self.inputs:
            self.shadow[self.names[id(t)]] = t._data
        for out, prim, args, kwargs in self.tape:
            name = self.names[id(out)]
            if prim.name == "detach":  # the same array, without a gradient
                self.alias(name, self.value_of(args[0]))
                continue
            v = self.call_rule(prim.forward, [self.value_of(a) for a in args],
                               {k: _static(x) for k, x in (kwargs or {}).items()},
                               hint=prim.name, readable=not prim.user_defined)
            self.emit(name, v)

    def alias(self, name: str, v: Val) -> None:
        """``name = <v>``: the same object under another name (detach)."""
        self.stmts.append(ast.Assign([ast.Name(name, ast.Store())], self.node(v)))
        self.shadow[name] = v.value
        self.temps.add(name)

    def backward(self) -> list[Val]:
        """The walk of backward.backprop, emitted; the wanted inputs' gradients."""
        root = self.root
        data = root._data
        if type(data) is not np.ndarray:
            seed = _static(type(data)(1.0))
        else:
            seed = Val(False, np.ones(data.shape, data.dtype),
                       ast.Call(ast.Attribute(ast.Name("np"), "ones"),
                                [self.literal(data.shape), self.literal(data.dtype)], []))
        grad_name = self.grad_name

        pending = {root._seq: [root, self.emit(grad_name(root), seed)]}
        heap = [] if root._op is None else [-root._seq]
        while heap:
            t, g = pending.pop(-heappop(heap))
            fused = self.log_loss_gradient(t, g) if self.simplify else None
            if fused is not None:
                self.send(*fused, pending, heap)
                continue
            ans = Val(False, self.shadow[self.names[id(t)]], ast.Name(self.names[id(t)]))
            ins = [self.value_of(a) for a in t._args]
            kwargs = {k: _static(x) for k, x in (t._kwargs or {}).items()}
            for i, a in enumerate(t._args):
                if type(a) is not Tensor or not a.requires_grad:
                    continue
                vjp = t._op.vjps[i]
                if vjp is identity_vjp:
                    gi = g
                elif vjp is None:
                    raise TypeError(f"'{t._op.name}': input {i} is not differentiable but "
                                    "requires grad; pass it as a plain array or .detach() it")
                else:
                    gi = self.call_rule(vjp, [g, ans, *ins], kwargs,
                                        hint=f"{t._op.name}_vjp{i}",
                                        readable=not t._op.user_defined)
                self.send(a, gi, pending, heap)
        return self.deliver(pending)

    def send(self, a: Tensor, gi: Val, pending: dict, heap: list) -> None:
        """The walk's delivery of ``gi`` to input ``a``: broadcasting summed back, then a
        first gradient named, or added to the one ``a`` has."""
        if np.shape(gi.value) != a._data.shape:
            gi = self.unbroadcast(gi, a._data.shape)
        entry = pending.get(a._seq)
        if entry is None:
            if gi.static or not isinstance(gi.node, ast.Name):
                gi = self.emit(self.grad_name(a), gi)
            pending[a._seq] = [a, gi]
            if a._op is not None:
                heappush(heap, -a._seq)
        else:
            entry[1] = self.accumulate(entry[1], gi, self.grad_name(a))

    # ---- simplify=True: the log loss after a sigmoid --------------------------------------
    def log_loss_gradient(self, t: Tensor, g: Val) -> tuple[Tensor, Val] | None:
        """``t = Y * log(A) + (1 - Y) * log(1 - A)`` with ``A = sigmoid(Z)`` and Y constant:
        (Z, ``g * (Y - A)``), the course's dz = a - y, the sum of what the chain rule sends
        from t to Z through both logs (eight numpy calls; this is two). Other readers of A
        or of the steps between send theirs as usual. None for any other op."""
        if self.made_by(t, "add") is None:
            return None
        terms = [self.log_term(m) for m in t._args]  # (coefficient, what the log reads)
        if None in terms:
            return None
        for (y, a), (q, s) in (terms, terms[::-1]):
            z = self.made_by(a, "sigmoid")
            if (z is not None and type(z[0]) is Tensor and z[0].requires_grad
                    and self.one_minus(s, a) and self.one_minus(q, y)):
                yv, av = self.value_of(y), self.value_of(a)
                return z[0], Val(False, g.value * (yv.value - av.value), ast.BinOp(
                    self.node(g), ast.Mult(), ast.BinOp(self.node(yv), ast.Sub(),
                                                        self.node(av))))
        return None

    def made_by(self, x: Any, op: str) -> tuple | None:
        """The inputs of ``x`` if the tape made it with the built-in ``op`` (a custom op of
        the same name has its own rule), else None."""
        made = self.made.get(id(x)) if type(x) is Tensor else None
        return made[1] if made is not None and made[0] is PRIMITIVES.get(op) else None

    def log_term(self, m: Tensor) -> tuple[Any, Any] | None:
        """``m = c * log(x)`` (either order) with c constant: (c, x)."""
        args = self.made_by(m, "multiply")
        if args is None:
            return None
        for c, lg in (args, args[::-1]):
            x = self.made_by(lg, "log")
            if x is not None and not (type(c) is Tensor and c.requires_grad):
                return c, x[0]
        return None

    def one_minus(self, q: Any, y: Any) -> bool:
        """``q = 1 - y``: made so on the tape, or both constants with those values."""
        args = self.made_by(q, "subtract")
        if args is not None:
            one, of = args
            return of is y and type(one) is not Tensor and np.ndim(one) == 0 and one == 1
        qv, yv = self.value_of(q), self.value_of(y)
        return qv.static and yv.static and np.array_equal(qv.value, 1 - np.asarray(yv.value))

    def aliases(self) -> frozenset[str]:
        """Gradients that are a forward value as they are, ``dt5 = t3`` (so after the unit
        seed is dropped, ``dt5 = dout * t3``): substituted into their use they would read as
        a forward value, ``db = t3 + dt3`` for ``(a + b) * (b + 1)``, so they keep a line."""
        grads = set(self.gnames.values())
        ones = ({k for k, v in self.shadow.items() if isinstance(v, np.floating) and v == 1}
                if self.peephole else set())

        def forward_value(node: ast.expr) -> bool:
            if isinstance(node, ast.Name):
                return node.id not in grads
            return (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult)
                    and any(isinstance(u, ast.Name) and u.id in ones and forward_value(x)
                            for u, x in ((node.left, node.right), (node.right, node.left))))

        return frozenset(st.targets[0].id for st in self.stmts
                         if isinstance(st, ast.Assign) and isinstance(st.targets[0], ast.Name)
                         and st.targets[0].id in grads and forward_value(st.value))

    def grad_name(self, t: Tensor) -> str:
        """d<name>: the name of ``t``'s gradient (a temporary when ``t``'s name is one)."""
        if id(t) not in self.gnames:
            base = self.names[id(t)]
            self.gnames[id(t)] = self.alloc("d" + base)
            if base in self.temps:
                self.temps.add(self.gnames[id(t)])
        return self.gnames[id(t)]

    def unbroadcast(self, g: Val, shape: tuple) -> Val:
        """backward.unbroadcast of ``g`` to ``shape``, as code."""
        from .backward import _REDUCE_AXES, unbroadcast
        value = unbroadcast(g.value, shape)
        axes = _REDUCE_AXES.get((np.shape(g.value), shape))
        if axes is None:  # not cached (the cache is full): work them out as unbroadcast does
            gshape = np.shape(g.value)
            lead = len(gshape) - len(shape)
            axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape)
                                              if n == 1 and gshape[lead + i] != 1)
        axis = axes[0] if len(axes) == 1 else axes
        node = ast.Call(ast.Attribute(self.node(g), "sum"), [],
                        [ast.keyword("axis", self.literal(axis)),
                         ast.keyword("keepdims", ast.Constant(True))])
        if len(np.shape(g.value)) != len(shape):
            node = ast.Call(ast.Attribute(node, "reshape"), [self.literal(shape)], [])
        return Val(False, value, node)

    def accumulate(self, acc: Val, gi: Val, name: str) -> Val:
        """The walk's ``entry + gi``: in place (``+=``) when ``acc`` is an array of this
        gradient's own that nothing else holds, else a new array."""
        total = acc.value + gi.value
        a = acc.value
        if (isinstance(acc.node, ast.Name) and acc.node.id == name
                and type(a) is np.ndarray and a.base is None and a.flags.writeable
                and type(total) is np.ndarray and total.dtype == a.dtype
                and total.shape == a.shape and not self.shared(name, a)):
            np.add(a, gi.value, out=a)
            self.stmts.append(ast.AugAssign(ast.Name(name, ast.Store()), ast.Add(),
                                            self.node(gi)))
            return acc
        return self.emit(name, Val(False, total, ast.BinOp(self.node(acc), ast.Add(),
                                                           self.node(gi))))

    def shared(self, name: str, a: np.ndarray) -> bool:
        """Whether any other name's value is ``a`` or may share its memory."""
        for other, v in self.shadow.items():
            if other != name and type(v) is np.ndarray and (
                    v is a or np.may_share_memory(v, a)):
                return True
        return False

    def deliver(self, pending: dict) -> list[Val]:
        """backward._deliver_leaves: each leaf's total as an array nobody else holds."""
        held: set[int] = set()
        got = {}
        for t, g in pending.values():
            like = t._data
            value = g.value
            kind = type(value)
            if kind is np.ndarray:
                if value.dtype != like.dtype:
                    g = Val(False, value.astype(like.dtype), ast.Call(
                        ast.Attribute(self.node(g), "astype"), [self.literal(like.dtype)], []))
                elif value.base is not None or id(value) in held:
                    g = Val(False, value.copy(), ast.Call(ast.Attribute(self.node(g), "copy"),
                                                          [], []))
                else:
                    held.add(id(value))
            else:
                args = [self.node(g)] + ([] if kind is type(like) else [self.literal(like.dtype)])
                g = Val(False, np.asarray(value) if kind is type(like)
                        else np.asarray(value, like.dtype),
                        ast.Call(ast.Attribute(ast.Name("np"), "asarray"), args, []))
            got[id(t)] = g
        out = []
        for t in self.wanted:
            g = got.get(id(t))
            if g is None:  # not reached: zeros, as al.grad gives
                g = Val(False, np.zeros_like(t._data), ast.Call(
                    ast.Attribute(ast.Name("np"), "zeros_like"),
                    [ast.Name(self.names[id(t)])], []))
            name = self.grad_name(t)
            if not (isinstance(g.node, ast.Name) and g.node.id == name):
                g = self.emit(name, g)
            out.append(g)
        return out

    # ---- the function ------------------------------------------------------------------
    def generate(self) -> GeneratedCode:
        """Forward, backward and return, compiled: the GeneratedCode."""
        self.forward()
        n_forward = len(self.stmts)
        grads = self.backward() if self.root.requires_grad else self.deliver({})
        value = ast.Name(self.names[id(self.root)])
        grad_nodes = [self.node(g) for g in grads]
        extra = [ast.Name(self.names[id(t)]) for t in self.extra]
        if self.returns is not None:
            result = self.returns(self, value, grad_nodes, extra)
        else:
            result = ast.Tuple([value, *grad_nodes, *extra])
        self.stmts.append(ast.Return(result))
        body, n_forward = _simplify(self.stmts, self.temps, n_forward, self.aliases())
        hoisted, body, n_forward = _hoist_constants(body, n_forward, {*self.ns, *self.imports},
                                                    self.alloc if self.peephole else None)
        if self.peephole:
            body = _reuse_common(body)
            hoisted, body = _drop_unit_factors(hoisted, body, self.shadow)
        body[-1] = _CopyReturnedConstants(self.ns).visit(body[-1])
        params = [self.names[id(t)] for t in self.inputs]
        fname = self.fname if self.fname.isidentifier() and not keyword.iskeyword(
            self.fname) and self.fname not in self.used else self.alloc(self.fname or "f")
        lines = [f"def {fname}({', '.join(params)}):"]
        if n_forward:
            lines.append("    # forward")
        for i, st in enumerate(body):
            if i == n_forward and i < len(body) - 1:
                lines.append("    # backward")
            lines.extend("    " + line for line in ast.unparse(_readable(st)).splitlines())
        header = ["import numpy as np", *sorted(self.imports.values()),
                  *_arrays_read(body + hoisted, self.constants)]
        if hoisted:  # (module level: computed once, when the code is loaded)
            header += ["", "# constants of the trace"]
            header += [ast.unparse(_readable(st)) for st in hoisted]
        source = "\n".join(header) + "\n\n\n" + "\n".join(lines) + "\n"
        ns = dict(self.ns)
        exec(compile(source, f"<al.compile {fname}>", "exec"), ns)  # noqa: S102
        linecache.cache[f"<al.compile {fname}>"] = (len(source), None,
                                                    source.splitlines(True), "")
        return GeneratedCode(ns[fname], source, ns, dict(self.constants))


def _arrays_read(statements: list, constants: dict) -> list[str]:
    """Comment lines naming the arrays the trace read that the code uses by name (c, c_2:
    an index, an array a closure held): no literal writes them, so the source says what
    they are and where they are (the compiled function's ``constants``)."""
    used = {n.id for st in statements for n in ast.walk(st) if isinstance(n, ast.Name)}
    arrays = [f"#   {k}: array {v.shape} {v.dtype}" for k, v in sorted(constants.items())
              if k in used and isinstance(v, np.ndarray)]
    return (["", "# arrays read while tracing (not literals: the compiled function's "
             "constants holds them)", *arrays] if arrays else [])


# ---- passes over the generated statements -------------------------------------------------

class _CopyReturnedConstants(ast.NodeTransformer):
    """In the return, ``c.copy()`` for an array constant of the trace (an output that
    depends on no input): the caller may write into what it gets, and the next call must
    not see it."""

    def __init__(self, ns: dict) -> None:
        self.ns = ns

    def visit_Name(self, node: ast.Name) -> ast.expr:  # noqa: N802  (ast's spelling)
        if type(self.ns.get(node.id)) is np.ndarray:
            return ast.Call(ast.Attribute(node, "copy"), [], [])
        return node


def _stores(st: ast.stmt) -> set[str]:
    """Names a statement writes or may change in place."""
    if isinstance(st, ast.Assign):
        out = set()
        for t in st.targets:
            out |= {t.id} if isinstance(t, ast.Name) else _load_names(t)
        return out
    if isinstance(st, ast.AugAssign):
        return {st.target.id}
    if isinstance(st, ast.Expr):  # a call for its effect (np.add.at(out, ...))
        return _load_names(st.value)
    return set()


def _simplify(stmts: list[ast.stmt], temps: set[str], n_forward: int,
              kept: frozenset[str] = frozenset()):
    """Drop temporaries that nothing reads, then substitute each temporary used once into
    its use (when nothing it reads is written in between), except those ``kept``."""
    loads: dict[str, int] = {}
    assigned: dict[str, int] = {}
    stores: dict[str, list[int]] = {}
    for i, st in enumerate(stmts):
        for name in _reads(st):
            loads[name] = loads.get(name, 0) + 1
        for name in _stores(st):
            assigned[name] = assigned.get(name, 0) + 1
            stores.setdefault(name, []).append(i)

    def temp_target(st):
        if (isinstance(st, ast.Assign) and len(st.targets) == 1
                and isinstance(st.targets[0], ast.Name)):
            name = st.targets[0].id
            if name in temps and assigned.get(name) == 1:
                return name
        return None

    alive = [True] * len(stmts)
    for i in range(len(stmts) - 1, -1, -1):  # dead code, last first (frees earlier code)
        name = temp_target(stmts[i])
        if name is not None and loads.get(name, 0) == 0:
            alive[i] = False
            for r in _reads(stmts[i]):
                loads[r] -= 1
    uses: dict[str, int] = {}
    for i, st in enumerate(stmts):
        if alive[i]:
            for name in _reads(st):
                uses.setdefault(name, i)
    for i, st in enumerate(stmts):
        name = temp_target(st) if alive[i] else None
        if name is None or loads.get(name) != 1 or name in kept:
            continue
        j = uses.get(name)
        use = stmts[j] if j is not None else None
        if use is None or j <= i or (isinstance(use, ast.AugAssign) and use.target.id == name):
            continue
        if any(i < k < j for r in _load_names(st.value) | {name} for k in stores.get(r, ())):
            continue  # something it reads is written before the use
        stmts[j] = _substitute(use, name, st.value)
        alive[i] = False
        for r in _load_names(st.value):  # the expression's reads are now the use's
            if uses.get(r) == i:
                uses[r] = j
    n_forward = sum(alive[:n_forward])
    return [st for st, keep in zip(stmts, alive) if keep], n_forward


def _hoist_constants(body: list[ast.stmt], n_forward: int, module: set[str], alloc=None):
    """Constant folding: statements that read only constants (the backward seed and what is
    computed from it alone, e.g. the mean's broadcast gradient) move out of the function, to
    run once. Not one whose array the function returns or writes in place, which would then
    be shared by every call. (Flower step, learner's form: 3.4 us of 80 per step.)"""
    assigned: dict[str, int] = {}
    for st in body:
        for name in _stores(st):
            assigned[name] = assigned.get(name, 0) + 1
    escaping = set(_reads(body[-1])) if body and isinstance(body[-1], ast.Return) else set()
    for st in reversed(body):  # a plain alias of a returned name is returned too
        if (isinstance(st, ast.Assign) and isinstance(st.value, ast.Name)
                and _stores(st) & escaping):
            escaping.add(st.value.id)
    written = {n for st in body if not isinstance(st, ast.Assign) for n in _stores(st)}
    known, hoisted, rest = set(module), [], []
    forward_left = n_forward
    for i, st in enumerate(body):
        target = (st.targets[0].id if isinstance(st, ast.Assign) and len(st.targets) == 1
                  and isinstance(st.targets[0], ast.Name) else None)
        if (target is not None and assigned.get(target) == 1 and target not in escaping
                and target not in written and set(_reads(st)) <= known):
            known.add(target)
            hoisted.append(st)
            forward_left -= i < n_forward
        else:
            rest.append(st)
    if alloc is not None:
        rest = _lift_constant_operands(rest, known, set(module), hoisted, alloc)
    return hoisted, rest, forward_left


def _lift_constant_operands(body: list[ast.stmt], known: set[str], module: set[str],
                            hoisted: list[ast.stmt], alloc) -> list[ast.stmt]:
    """An operand of an operator that reads only constants (a sum's gradient over an axis,
    ``np.broadcast_to(-np.full(...), ...)``, inside ``-(... * Y / A)``) is hoisted too, under
    a name of its own. Only an operand: an operator gives a new array, so the shared
    constant is never returned nor written. (A learner's cost summed over axis 1 first, Z
    of (4, 400): 371,000 -> 334,000 instructions a replay.)"""
    lifted: dict[str, str] = {}  # ast.dump(expression) -> its name

    def constant(node: ast.expr) -> bool:  # (one that builds an array: dJ / m reads better)
        names = _load_names(node)
        return (isinstance(node, (ast.Call, ast.BinOp, ast.UnaryOp)) and names <= known
                and bool(names - module) and any(isinstance(n, ast.Call) for n in ast.walk(node)))

    class Lift(ast.NodeTransformer):
        def generic_visit(self, node: ast.AST) -> ast.AST:
            if isinstance(node, (ast.BinOp, ast.UnaryOp)):
                for field in ("left", "right", "operand"):
                    child = getattr(node, field, None)
                    if child is not None and constant(child):
                        key = ast.dump(child)
                        if key not in lifted:
                            lifted[key] = alloc("const")
                            hoisted.append(ast.Assign([ast.Name(lifted[key], ast.Store())],
                                                      child))
                        setattr(node, field, ast.Name(lifted[key], ast.Load()))
            return super().generic_visit(node)

    return [Lift().visit(st) for st in body]


# ---- exact peepholes: fewer numpy calls, the same bits --------------------------------------
# Measured on the generated function alone (median of 30 interleaved runs): _reuse_common
# took 3.3 % off the learner's flower step; _drop_unit_factors took expr's from 0.66 to
# 0.58 us. (Folding a sign into a constant, -(K * x) -> (-K) * x, took 1.7 % more but gave
# a NaN of the other sign: dropped.)

_PURE = (ast.BinOp, ast.UnaryOp, ast.Compare, ast.Name, ast.Constant, ast.Attribute,
         ast.operator, ast.unaryop, ast.cmpop, ast.expr_context)


def _pure(node: ast.expr) -> bool:
    """An expression of operators on names and constants (no call: it could have effects)."""
    return all(isinstance(n, _PURE) for n in ast.walk(node))


class _Reuse(ast.NodeTransformer):
    """Inside ``root``, each expression some name already holds becomes that name."""

    def __init__(self, held: dict[str, str], root: ast.AST) -> None:
        self.held, self.root = held, root

    def visit(self, node: ast.AST) -> ast.AST:
        if node is not self.root and isinstance(node, (ast.BinOp, ast.UnaryOp, ast.Compare)):
            name = self.held.get(ast.dump(node))
            if name is not None:
                return ast.Name(name, ast.Load())
        return super().visit(node)


def _reuse_common(body: list[ast.stmt]) -> list[ast.stmt]:
    """Common subexpressions: sigmoid's rule computes ``1 - A``, which the learner's cost has
    already computed as ``t21 = 1 - A``; the rule then reads t21 (the same numpy call on the
    same arrays gave the same bits). Only a part of a bigger expression is replaced, never a
    whole right-hand side, so that no two names hold one array (a later += on one would
    change the other)."""
    assigned: dict[str, int] = {}
    for st in body:
        for name in _stores(st):
            assigned[name] = assigned.get(name, 0) + 1
    held: dict[str, str] = {}  # ast.dump(expression) -> the name that holds its value
    key_of: dict[str, str] = {}  # that name -> its expression's dump
    readers: dict[str, set[str]] = {}  # a name -> the names whose expression reads it
    out = []
    for st in body:
        if held and isinstance(st, (ast.Assign, ast.AugAssign)):
            st = _Reuse(held, st.value if isinstance(st, ast.Assign) else None).visit(st)
        for name in _stores(st):  # what reads a changed name no longer holds its value (an
            for gone in (name, *readers.pop(name, ())):  # index: a scan of all was quadratic)
                key = key_of.pop(gone, None)
                if key is not None and held.get(key) == gone:
                    del held[key]
        if (isinstance(st, ast.Assign) and len(st.targets) == 1
                and isinstance(st.targets[0], ast.Name)
                and assigned.get(st.targets[0].id) == 1
                and isinstance(st.value, (ast.BinOp, ast.UnaryOp, ast.Compare))
                and _pure(st.value)):
            target, key = st.targets[0].id, ast.dump(st.value)
            held.setdefault(key, target)
            key_of[target] = key
            for read in _load_names(st.value):
                readers.setdefault(read, set()).add(target)
        out.append(st)
    return out


def _drop_unit_factors(hoisted: list[ast.stmt], body: list[ast.stmt], shadow: dict):
    """``one * x``, one the backward seed 1.0 and x a number of its dtype, is x: exact, and
    numbers cannot be written in place, so x may have two names. (expr's step: 2 of its 5
    operations; arrays keep theirs, as a later += on one name would change the other.)"""
    ones = {st.targets[0].id for st in hoisted
            if isinstance(shadow.get(st.targets[0].id), np.floating)
            and shadow[st.targets[0].id] == 1}

    def number_like(node: ast.expr, one: str) -> bool:
        v = shadow.get(node.id) if isinstance(node, ast.Name) else None
        return isinstance(v, np.floating) and v.dtype == shadow[one].dtype

    class Drop(ast.NodeTransformer):
        def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
            self.generic_visit(node)
            if isinstance(node.op, ast.Mult):
                for unit, other in ((node.left, node.right), (node.right, node.left)):
                    if (isinstance(unit, ast.Name) and unit.id in ones
                            and number_like(other, unit.id)):
                        return other
            return node

    body = [Drop().visit(st) for st in body] if ones else body
    read = {n for st in [*hoisted, *body] for n in _reads(st)}
    return [st for st in hoisted if st.targets[0].id in read], body


def _reads(st: ast.stmt) -> list[str]:
    out = [n.id for n in ast.walk(st) if isinstance(n, ast.Name) and _is_load(n)]
    if isinstance(st, ast.AugAssign):
        out.append(st.target.id)
    return out


class _Substitute(ast.NodeTransformer):
    def __init__(self, name: str, expr: ast.expr) -> None:
        self.name, self.expr = name, expr

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id == self.name and _is_load(node):
            return self.expr
        return node


def _substitute(st: ast.stmt, name: str, expr: ast.expr) -> ast.stmt:
    return _Substitute(name, expr).visit(st)


_OPERATORS = {"matmul": ast.MatMult(), "greater": ast.Gt(), "greater_equal": ast.GtE(),
              "less": ast.Lt(), "less_equal": ast.LtE(), "equal": ast.Eq(),
              "not_equal": ast.NotEq()}


class _Readable(ast.NodeTransformer):
    """Spellings that make the same numpy calls: np.matmul(a, b) as a @ b, np.greater(a, b)
    as a > b, a 2-d transpose((1, 0)) as .T, reductions without their default keywords."""

    def visit_Call(self, node: ast.Call) -> ast.expr:
        self.generic_visit(node)
        f = node.func
        if (isinstance(f, ast.Attribute) and f.attr in _OPERATORS
                and isinstance(f.value, ast.Name) and f.value.id == "np"
                and len(node.args) == 2 and not node.keywords):
            op = _OPERATORS[f.attr]
            if isinstance(op, ast.MatMult):
                return ast.BinOp(node.args[0], op, node.args[1])
            return ast.Compare(node.args[0], [op], [node.args[1]])
        if (isinstance(f, ast.Attribute) and f.attr == "transpose" and len(node.args) == 1
                and not node.keywords and isinstance(node.args[0], ast.Tuple)
                and [getattr(e, "value", None) for e in node.args[0].elts] == [1, 0]):
            return ast.Attribute(f.value, "T")
        if isinstance(f, ast.Attribute) and f.attr in ("sum", "max"):
            node.keywords = [k for k in node.keywords if not (
                isinstance(k.value, ast.Constant)
                and (k.arg, k.value.value) in (("axis", None), ("keepdims", False)))]
        return node


def _readable(st: ast.stmt) -> ast.stmt:
    return ast.fix_missing_locations(_Readable().visit(st))
