"""Recording for al.compile: the tape of every op applied to values of a function's inputs.

While ``modes.tracing(tracer)`` is on, apply() hands each op it runs to ``Tracer.record``;
an op joins the tape when one of its inputs is a traced tensor (an input of the compiled
function, or a value made from one). Ops on constants only are computed once, at trace
time, and stay constants of the replay.

Values that steer Python (``if x > 0``, ``float(cost)``) cannot be replayed: asking for one
raises TraceError. Comparisons and the other functions that give masks (``x > 0``,
``np.isfinite(x)``) are recorded as ops without a gradient (``nondiff``), so that
``al.where(x > 0, x, 0)`` replays with the current values.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from . import modes
from .modes import TraceError
from .tensor import Primitive, Tensor, _make

__all__ = ["Tracer", "TraceError", "nondiff", "NONDIFF", "first_difference", "same_constant"]


def _strictness() -> tuple:
    """What turns a value into an error: numpy's errstate set to raise (or call), a
    warnings filter that makes numpy's RuntimeWarning one, and anomaly mode. (The filters
    are the process's: another thread's catch_warnings is seen too, and said.)"""
    return (tuple(sorted(k for k, v in np.geterr().items() if v in ("raise", "call"))),
            any(f[0] == "error" and issubclass(RuntimeWarning, f[2]) for f in warnings.filters),
            modes.current_mode().anomaly)


class Tracer:
    """The tape of one trace: ``tape`` lists ``(out, prim, args, kwargs)`` in the order the
    ops ran (a topological order); ``known`` holds every traced tensor by id (and keeps it
    alive, so ids stay unique); ``captured`` the Tensors from outside whose values the ops
    (or a read of values) took: the trace notes their versions and requires-grad flags when
    it ends, and a later write to one, or the flag set, makes the replay retrace."""

    def __init__(self, fname: str) -> None:
        self.fname = fname
        self.known: dict[int, Tensor] = {}
        self.tape: list[tuple[Tensor, Primitive, tuple, dict | None]] = []
        self.captured: dict[int, Tensor] = {}
        self.arguments: dict[int, str] = {}  # id of a Tensor passed as an argument: its name
        self.strictness = _strictness()  # what makes an op raise, as the call began
        self.containers: list[tuple[Any, list, str]] = []  # f's copies of argument dicts and
        # lists, with their items as they were given and their names: a write into one is lost

    def capture(self, t: Tensor) -> None:
        """Note a Tensor from outside whose present values the replay keeps (one made while
        recording too: a detached copy or a view shares its source's version counter)."""
        self.captured[id(t)] = t

    def capture_tensors(self, args: tuple) -> None:
        """Note the Tensors among ``args``, read by an op that computes a constant now."""
        for a in args:
            if type(a) is Tensor:
                self.capture(a)

    def read(self, t: Tensor, what: str) -> None:
        """``what`` reads the values of ``t``: refused for a traced tensor, noted for one from
        outside (``np.asarray(W)``, ``Tensor(W)``, ``W.item()``)."""
        if id(t) in self.known:
            raise self.no_value(t, what)
        self.capture(t)

    def add_input(self, t: Tensor) -> None:
        """Trace ``t`` as an input of the compiled function."""
        self.known[id(t)] = t

    def record(self, prim: Primitive, args: tuple, kwargs: dict | None, out: Tensor) -> None:
        """Put the op on the tape if it reads a traced tensor."""
        known = self.known
        if not any(type(a) is Tensor and id(a) in known for a in args):
            # a constant of the replay, computed now from these; one that would record a
            # gradient eagerly (V * V of an outside V) is named here, not one op later
            for a in args:
                if type(a) is Tensor and out.requires_grad:
                    self._capture(a, prim.name)
                elif type(a) is Tensor:
                    self.capture(a)
            return
        for a in args:
            if type(a) is Tensor and id(a) not in known:
                self._capture(a, prim.name)
        if _strictness() != self.strictness:
            raise TraceError(
                f"al.compile({self.fname}): '{prim.name}' ran under np.errstate, a warnings "
                f"filter or al.detect_anomaly() that the function set itself, at\n  "
                f"{modes.user_line()}\nWhether an op raises there depends on the values, and "
                "a replay runs numpy alone, without them. Set them around the call of the "
                "compiled function instead (each call under detect_anomaly() is checked op by "
                "op), or leave this function uncompiled. (Warnings filters are the "
                "process's: if another thread changed them meanwhile, call it again.)")
        known[id(out)] = out
        self.tape.append((out, prim, args, kwargs))

    def _capture(self, t: Tensor, opname: str) -> None:
        if t.requires_grad:
            label = f" '{t.name}'" if t.name else ""
            argument = self.arguments.get(id(t))
            why = (f"is the argument {argument} itself, read from outside (a global or a "
                   "closure) beside the argument: use the argument inside the function"
                   if argument is not None else "requires grad but is not an argument of "
                   "the compiled function, so it would get no gradient and keep its present "
                   "values in every replay. Pass it as an argument (a dict of parameters is "
                   "fine)")
            raise TraceError(f"al.compile({self.fname}): '{opname}' at\n  "
                             f"{modes.user_line()}\nreads a Tensor{label} of shape {t.shape} "
                             f"that {why}")
        self.capture(t)

    def nondiff(self, prim: Primitive, args: tuple, kwargs: dict | None = None) -> Tensor:
        """Run and record an op that has no gradient (a comparison, detach): its output
        does not require grad, whatever its inputs do."""
        vals = [a._data if type(a) is Tensor else a for a in args]
        ans = prim.forward(*vals, **kwargs) if kwargs else prim.forward(*vals)
        out = _make(ans, False, modes.current_mode().scope)
        self.record(prim, args, kwargs, out)
        return out

    def detach(self, t: Tensor) -> Tensor:
        """``t.detach()`` under the trace: a recorded op without gradient."""
        return self.nondiff(_DETACH, (t,))

    def no_value(self, t: Tensor, what: str) -> TraceError:
        """The error for asking the value of a traced tensor."""
        return TraceError(
            f"al.compile({self.fname}): {what} needs the value of a tensor of shape {t.shape} "
            f"that depends on the function's inputs, at\n  {modes.user_line()}\nA compiled "
            "function is recorded once and replayed with new inputs, so a value read while "
            "recording (for an if, a float, a print) would be reused silently. Choose per "
            "entry with al.where(condition, x, y) (conditions such as x > 0 are recorded), "
            "or compile a smaller function (the part before the branch) and branch in Python "
            "on its result")


def first_difference(a: Tracer, b: Tracer, runs: tuple[tuple, tuple]) -> str | None:
    """Where two recordings of one function on the same inputs differ, in words, or None:
    the ops, the constants they read or the values returned (a random draw, the time: what
    a replay would repeat). ``runs``: (inputs, result) of each. Traced tensors match by
    position, inputs first."""
    if len(a.tape) != len(b.tape):
        return f"{len(a.tape)} ops, then {len(b.tape)}"
    (a_inputs, a_result), (b_inputs, b_result) = runs
    where = ({id(t): i for i, t in enumerate([*a_inputs, *(e[0] for e in a.tape)])},
             {id(t): i for i, t in enumerate([*b_inputs, *(e[0] for e in b.tape)])})

    def same(x, y):
        return same_constant(x, y, where)

    for n, ((_, prim, args, kwargs), (_, prim_b, args_b, kwargs_b)) in enumerate(
            zip(a.tape, b.tape)):
        if prim is not prim_b or len(args) != len(args_b):
            return f"op {n + 1} was '{prim.name}', then '{prim_b.name}'"
        for i, (x, y) in enumerate(zip(args, args_b)):
            if not same(x, y):
                return f"input {i} of op {n + 1}, '{prim.name}' ({_described(x)})"
        if not same_constant(kwargs or {}, kwargs_b or {}):
            return f"the options of op {n + 1}, '{prim.name}'"
    return None if same(a_result, b_result) else "what it returned"


def same_constant(x: Any, y: Any, where: tuple[dict, dict] | None = None) -> bool:
    """Whether two constants of a recording are the same value (NaN equal to NaN).
    ``where``: each recording's traced tensors by id, which match by position."""
    if where is not None and (id(x) in where[0] or id(y) in where[1]):
        return where[0].get(id(x)) == where[1].get(id(y))
    if x is y:
        return True
    if type(x) is not type(y):
        return False
    if type(x) is Tensor:  # made inside f from constants: a new one each run
        return same_constant(x._data, y._data)
    if isinstance(x, (np.ndarray, np.generic)):
        return x.shape == y.shape and x.dtype == y.dtype and bool(np.array_equal(
            x, y, equal_nan=x.dtype.kind in "fc"))
    if isinstance(x, (list, tuple)):
        return len(x) == len(y) and all(same_constant(u, v, where) for u, v in zip(x, y))
    if isinstance(x, dict):
        return x.keys() == y.keys() and all(same_constant(x[k], y[k], where) for k in x)
    if isinstance(x, float) and x != x:
        return y != y
    try:
        return bool(x == y)
    except (TypeError, ValueError):
        return False


def _described(x: Any) -> str:
    shape = np.shape(x._data if type(x) is Tensor else x)
    return f"a constant of shape {shape}" if shape else f"the constant {x!r}"


def _nondiff_prim(name: str, forward: Any, arity: int) -> Primitive:
    # not in PRIMITIVES: these ops exist only on a tape (eagerly they return plain arrays)
    return Primitive(name, forward, *([None] * arity), user_defined=False)


_DETACH = _nondiff_prim("detach", lambda x: x, 1)

# ufuncs whose results carry no gradient: comparisons, tests and roundings (numpy_api and the
# comparison operators); eagerly they give plain arrays, on a tape they are recorded
NONDIFF: dict[Any, Primitive] = {
    u: _nondiff_prim(u.__name__, u, u.nin)
    for u in (np.greater, np.greater_equal, np.less, np.less_equal, np.equal, np.not_equal,
              np.isfinite, np.isnan, np.isinf, np.sign, np.signbit, np.floor, np.ceil, np.rint,
              np.logical_not, np.logical_and, np.logical_or, np.logical_xor, np.invert,
              np.bitwise_and, np.bitwise_or, np.bitwise_xor)
}
NONDIFF[np.any] = _nondiff_prim("any", lambda x, axis=None, keepdims=False:
                                np.any(x, axis=axis, keepdims=keepdims), 1)
NONDIFF[np.all] = _nondiff_prim("all", lambda x, axis=None, keepdims=False:
                                np.all(x, axis=axis, keepdims=keepdims), 1)


def nondiff(func: Any, *args: Any, **kwargs: Any) -> Any:
    """``func(*values, **kwargs)`` without a gradient: a plain array, or under al.compile's
    trace, when an argument is traced, a recorded Tensor (a mask that al.where takes)."""
    trace = modes.current_mode().trace
    if trace is not None and any(type(a) is Tensor and id(a) in trace.known for a in args):
        prim = NONDIFF.get(func)
        if prim is None:
            prim = NONDIFF[func] = _nondiff_prim(func.__name__, func, len(args))
        return trace.nondiff(prim, args, kwargs or None)
    if trace is not None:  # W > 0 of a W from outside: a constant mask, watched as W is
        trace.capture_tensors(args)
    return func(*(a._data if type(a) is Tensor else a for a in args), **kwargs)
