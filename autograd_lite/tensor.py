"""The engine core: Tensor, Primitive, grad modes and the reverse-mode graph walk.

A primitive is a numpy forward plus one vector-Jacobian product (VJP) per input,
each written ``vjp(g, ans, *inputs, **kwargs)`` (``g``: upstream gradient, ``ans``:
the op's output). The VJPs are plain numpy: on first-order backward they receive
arrays; with ``create_graph=True`` they receive Tensors, and numpy dispatches back
into the engine (``numpy_api.py``), so the backward pass is itself recorded.

Operators and math methods of Tensor are attached in ``ops.py``, beside each rule.
"""

from __future__ import annotations

import itertools
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from heapq import heappop, heappush
from typing import Any

import numpy as np

__all__ = [
    "Tensor", "Primitive", "PRIMITIVES", "apply", "binary_method", "identity_vjp", "no_grad",
    "enable_grad", "is_grad_enabled", "scope", "detect_anomaly", "AnomalyError", "unbroadcast",
]


class _Mode:
    """The switches of one thread (or asyncio task): grad recording, anomaly checks and the
    name-scope stack. Immutable: the context managers install a new one and put the old one
    back, so reading the mode is one ContextVar lookup (3x cheaper than threading.local)."""

    __slots__ = ("enabled", "anomaly", "scope", "_flipped")

    def __init__(self, enabled: bool = True, anomaly: bool = False,
                 scope: tuple[str, ...] = ()) -> None:
        self.enabled, self.anomaly, self.scope = enabled, anomaly, scope
        self._flipped: _Mode | None = None

    def recording(self, enabled: bool) -> _Mode:
        """This mode with grad recording on or off (cached: backward asks on every call)."""
        if enabled == self.enabled:
            return self
        if self._flipped is None:
            self._flipped = _Mode(enabled, self.anomaly, self.scope)
            self._flipped._flipped = self
        return self._flipped


# a _Mode is never changed once made (only its cached twin is filled in), so sharing is safe
_mode_var: ContextVar[_Mode] = ContextVar("autograd_lite_mode", default=_Mode())  # noqa: B039
_current_mode = _mode_var.get
_clock = [0]  # bumped by every write to Tensor.data; an op's output keeps the tick it was made at
_numbering = itertools.count()  # creation order of tensors: a topological order for free


class Primitive:
    """An op with a derivative rule: ``forward(*arrays, **kw)`` and one VJP per input.

    ``vjps[i]`` is ``None`` for an input that is not differentiable (a condition, an index).
    User-defined primitives (``custom=True``) may return arrays they keep or lists, so
    their VJPs are wrapped to hand the engine a copy.
    """

    __slots__ = ("name", "forward", "vjps", "custom", "doc")

    def __init__(self, name: str, forward: Callable, *vjps: Callable | None,
                 custom: bool = True, doc: str | None = None) -> None:
        self.name, self.forward, self.custom, self.doc = name, forward, custom, doc
        self.set_vjps(*vjps)

    def set_vjps(self, *vjps: Callable | None) -> None:
        """Set the VJPs, one per input (None: not differentiable)."""
        if self.custom:
            vjps = tuple(None if v is None else _copying_vjp(v, self.name, i)
                         for i, v in enumerate(vjps))
        self.vjps = vjps

    def __call__(self, *args: Any, **kwargs: Any) -> Tensor:
        return apply(self, args, kwargs or None)

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"


def _copying_vjp(vjp: Callable, name: str, i: int) -> Callable:
    def rule(g, ans, *inputs, **kwargs):
        # as in PyTorch, a user's VJP records only under create_graph (then g is a Tensor)
        token = _mode_var.set(_current_mode().recording(type(g) is Tensor))
        try:
            gi = vjp(g, ans, *inputs, **kwargs)
        finally:
            _mode_var.reset(token)
        if gi is None:
            raise TypeError(f"'{name}': vjp {i} returned None; give None instead of a "
                            "function for an input that is not differentiable")
        if type(gi) is Tensor:  # under create_graph keep the history, else the values
            return gi if type(g) is Tensor else gi._data.copy()
        return np.array(gi)  # a copy: the user's function may keep what it returned

    rule.__wrapped__ = vjp  # type: ignore[attr-defined]
    return rule


def identity_vjp(g: Any, ans: Any, *inputs: Any, **kwargs: Any) -> Any:
    """The VJP of an input whose Jacobian is the identity (add, subtract's first input):
    the gradient passes through unchanged. The engine recognises it and skips the call."""
    return g


PRIMITIVES: dict[str, Primitive] = {}  # the registry: tests, docs and diagrams enumerate it


class Tensor:
    """An n-dimensional float array that records the operations applied to it.

    ``Tensor(data, requires_grad=False, name=None, dtype=None)``: numbers, lists and
    integer or boolean arrays become float64; float32 stays float32. The data is copied.
    """

    # A Tensor is also its graph node: _op (the Primitive, None for a leaf), _args (its
    # inputs: Tensors or constants; None once backward has released them), _vals (their
    # arrays), _kwargs, _tick (the data-write clock when it was made), _where (anomaly mode).
    __slots__ = ("_data", "grad", "requires_grad", "name", "_version", "_retain", "_scope",
                 "_seq", "_op", "_args", "_vals", "_kwargs", "_tick", "_where", "__weakref__")
    __array_priority__ = 1000  # so that ndarray (op) Tensor defers to the Tensor
    __hash__ = object.__hash__  # == compares elementwise, like numpy

    def __init__(self, data: Any, requires_grad: bool = False, name: str | None = None,
                 dtype: Any = None) -> None:
        if type(data) is float and dtype is None:  # the common scalar case, fast
            self._data = np.float64(data)  # a numpy scalar: its ops are ~10x faster than 0-d's
        else:
            self._data = _as_float_array(data, dtype)
        self.grad: np.ndarray | None = None
        self.requires_grad = requires_grad is True or bool(requires_grad)
        self.name = name
        self._version = 0
        self._retain = False
        self._scope = _current_mode().scope
        self._seq = next(_numbering)
        self._op = self._args = self._vals = self._kwargs = self._where = None
        self._tick = 0

    # -- the array -------------------------------------------------------------
    @property
    def data(self) -> np.ndarray:
        """The values as a numpy array. Assigning to it (``t.data -= lr * t.grad``) marks the
        tensor as changed, so a graph that saved the old values refuses to backprop."""
        d = self._data
        if type(d) is not np.ndarray:  # ops on 0-d data give numpy scalars, for speed
            d = self._data = np.asarray(d)
        return d

    @data.setter
    def data(self, value: Any) -> None:
        if value is not self._data:  # (t.data -= x hands back the same array)
            value = np.asarray(value)
            if value.shape != self._data.shape:
                raise ValueError(f"Tensor.data: new value has shape {value.shape}, "
                                 f"the tensor has shape {self._data.shape}")
            self._data = value
        self._version = _clock[0] = _clock[0] + 1

    shape = property(lambda self: self._data.shape, doc="Shape of the data.")
    ndim = property(lambda self: self._data.ndim, doc="Number of dimensions.")
    size = property(lambda self: self._data.size, doc="Number of elements.")
    dtype = property(lambda self: self._data.dtype, doc="numpy dtype of the data.")

    def item(self) -> float:
        """The value of a one-element tensor as a Python float."""
        if self._data.size != 1:
            raise ValueError(f"item(): the tensor has shape {self.shape} ({self.size} "
                             "elements); only one-element tensors convert to a float")
        return float(self._data.reshape(()))

    def numpy(self) -> np.ndarray:
        """A copy of the data as a numpy array."""
        return np.array(self._data)

    def __array__(self, dtype=None, copy=None):
        # np.asarray(t) gives the data itself (no history); documented in the README.
        d = self.data
        return d if dtype is None else d.astype(dtype)

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d Tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        return (self[i] for i in range(len(self)))

    def __float__(self) -> float:
        return self.item()

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise ValueError(f"the truth value of a Tensor of shape {self.shape} is ambiguous; "
                             "use (t > 0).any() or .all() on the comparison")
        return bool(self._data.reshape(()))

    def __repr__(self) -> str:
        body = np.array2string(np.asarray(self._data), precision=4, separator=", ",
                               prefix="Tensor(", threshold=20)
        extras = []
        if self._op is not None:
            extras.append(f"op={self._op.name}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        if self.name:
            extras.append(f"name={self.name!r}")
        if self.dtype != np.float64:
            extras.append(f"dtype={self.dtype}")
        return f"Tensor({body}{''.join(', ' + e for e in extras)})"

    # -- graph -----------------------------------------------------------------
    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user rather than by an op."""
        return self._op is None

    @property
    def op(self) -> str | None:
        """Name of the primitive that made this tensor (None for a leaf)."""
        return None if self._op is None else self._op.name

    def detach(self) -> Tensor:
        """The same data (shared, not copied) with no history and requires_grad=False."""
        return _make(self._data, False, _current_mode().scope)

    def retain_grad(self) -> Tensor:
        """Keep this non-leaf tensor's gradient in ``.grad`` after backward."""
        self._retain = True
        return self

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (sets ``.grad`` to None)."""
        self.grad = None

    def backward(self, grad: Any = None, retain_graph: bool = False,
                 create_graph: bool = False, retain_grads: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into ``.grad`` of every leaf that requires grad.

        grad: the upstream gradient, shape ``self.shape``; may be omitted for one element.
        retain_graph: keep the arrays saved for backward, so it can be called again.
        create_graph: record the backward pass; ``.grad`` then holds Tensors that can be
            differentiated again (implies retain_graph).
        retain_grads: also keep ``.grad`` on every intermediate tensor of the graph.
        """
        if grad is None:
            data = self._data
            if type(data) is not np.ndarray:  # a numpy scalar, as 0-d op results are
                grad = type(data)(1.0)
            elif data.size == 1:
                grad = np.ones(data.shape, data.dtype)
            else:
                raise RuntimeError(
                    f"backward(): the output has shape {self.shape}; gradients can be created "
                    "implicitly only for one-element outputs. Pass grad= an array of shape "
                    f"{self.shape} (e.g. np.ones({self.shape}) for the gradient of the sum), "
                    "or call .sum() first")
            owned = True
        else:
            if isinstance(grad, Tensor) and not create_graph:
                grad = grad._data
            if not isinstance(grad, Tensor):
                grad = np.asarray(grad, dtype=self.dtype)
            owned = False
            if grad.shape != self.shape:
                raise ValueError(f"backward(): grad has shape {grad.shape}, "
                                 f"the output has shape {self.shape}; they must match")
        if not self.requires_grad:
            raise RuntimeError("backward(): this tensor does not require grad and has no "
                               "graph. Create the inputs with requires_grad=True (and not "
                               "under no_grad())")
        if create_graph and not isinstance(grad, Tensor):
            grad = _make(grad, False)
        backprop(self, grad, owned, retain_graph or create_graph, create_graph,
                 retain_grads)


def _as_float_array(data: Any, dtype: Any) -> np.ndarray:
    if dtype is None and type(data) in (float, int):  # the common scalar case, fast
        return np.float64(data)
    if isinstance(data, Tensor):
        data = data._data
    try:
        arr = np.array(data, dtype=dtype)
    except (TypeError, ValueError) as err:
        raise TypeError(f"Tensor: cannot make a numeric array from {type(data).__name__} "
                        f"({err}); pass numbers, a rectangular list of numbers or a numeric "
                        "numpy array") from None
    if arr.dtype.kind in "biu":
        arr = arr.astype(np.float64)
    elif arr.dtype.kind != "f":
        raise TypeError(f"Tensor: data of dtype {arr.dtype} (from {type(data).__name__}) is "
                        "not real-valued; pass numbers, lists of numbers or a float/int array")
    return arr[()] if arr.ndim == 0 else arr  # 0-d: a numpy scalar, whose ops are ~10x faster


_new = object.__new__


def _make(data, requires_grad, scope=(), op=None, args=None, vals=None, kwargs=None,
          where=None):
    """Fast constructor for op outputs (no conversion, no copy)."""
    t = _new(Tensor)
    t._data = data
    t.grad = t.name = None
    t.requires_grad = requires_grad
    t._version = 0
    t._retain = False
    t._scope = scope
    t._seq = next(_numbering)
    t._op = op
    t._args = args
    t._vals = vals
    t._kwargs = kwargs
    t._tick = _clock[0]
    t._where = where
    return t


# -- recording -------------------------------------------------------------------

def apply(prim: Primitive, args: tuple, kwargs: dict | None = None) -> Tensor:
    """Run ``prim`` forward on the arrays of ``args`` and record it if any input needs grad."""
    vals = []
    need = False
    for a in args:
        if type(a) is Tensor:
            vals.append(a._data)
            if a.requires_grad:
                need = True
        else:
            vals.append(a)
    try:
        ans = prim.forward(*vals, **kwargs) if kwargs else prim.forward(*vals)
    except ValueError as err:
        raise ValueError(_shape_message(prim, vals, err)) from None
    mode = _current_mode()
    if mode.anomaly:
        _check_forward(prim, ans, args, vals)
        if need and mode.enabled:
            return _make(ans, True, mode.scope, prim, args, vals, kwargs, _user_line())
    if need and mode.enabled:
        return _make(ans, True, mode.scope, prim, args, vals, kwargs)
    return _make(ans, False, mode.scope)


def binary_method(prim: Primitive, reflected: bool = False) -> Callable[[Tensor, Any], Tensor]:
    """The Tensor method for ``self (op) other`` (``reflected``: ``other (op) self``).

    apply() unrolled for two operands: operators are most of a small graph, and this saves
    a call and a loop per op. The rare modes (anomaly) and errors go through apply().
    """
    forward = prim.forward

    def method(self: Tensor, other: Any) -> Tensor:
        args = (other, self) if reflected else (self, other)
        x, y = args
        if type(x) is Tensor:
            need = x.requires_grad
            x = x._data
        else:
            need = False
        if type(y) is Tensor:
            need = need or y.requires_grad
            y = y._data
        mode = _current_mode()
        if mode.anomaly:
            return apply(prim, args)
        try:
            ans = forward(x, y)
        except ValueError:
            return apply(prim, args)  # raises, with the shapes in the message
        if need and mode.enabled:
            return _make(ans, True, mode.scope, prim, args, [x, y])
        return _make(ans, False, mode.scope)

    return method


_BROADCAST_HINT = ("shapes must broadcast: compared from the right, each pair of axes equal or "
                   "one of them 1, as b (n[l], 1) with Z (n[l], m)")
_SHAPE_HINTS = {
    "matmul": "the first's last axis must equal the second's second-to-last, as W "
              "(n[l], n[l-1]) @ A (n[l-1], m)",
}


def _shape_message(prim, vals, err):
    shapes = " and ".join(str(np.shape(v)) for v in vals if not isinstance(v, (slice, tuple)))
    hint = _SHAPE_HINTS.get(prim.name, _BROADCAST_HINT if len(vals) > 1 else "")
    return (f"{prim.name}: cannot apply to shapes {shapes}" + (f": {hint}" if hint else "")
            + f" (numpy: {err})")


# -- the backward walk -----------------------------------------------------------

def toposort(roots: list[Tensor], stop: set[int] | None = None) -> list[Tensor]:
    """Tensors that require grad reachable from ``roots``, inputs before outputs.

    Iterative depth-first search, so graph depth is limited only by memory.
    Used by the diagrams and explain; backward walks by creation number instead.
    """
    order: list[Tensor] = []
    seen: set[int] = set()  # entered
    done: set[int] = set()  # all inputs ordered
    stack = list(reversed(roots))
    while stack:
        t = stack[-1]
        key = id(t)
        if key in seen:  # second visit: its inputs are all in `order` now
            stack.pop()
            if key not in done:
                done.add(key)
                order.append(t)
            continue
        seen.add(key)
        if t._args is not None and (stop is None or key not in stop):
            for a in reversed(t._args):  # so that the first input is visited first
                if type(a) is Tensor and a.requires_grad and id(a) not in seen:
                    stack.append(a)
    return order


def backprop(root: Tensor, grad: Any, owned: bool = False,
             retain_graph: bool = False, create_graph: bool = False,
             retain_grads: bool = False, inputs: list[Tensor] | None = None,
             trace: Callable | None = None) -> list[Any] | None:
    """Reverse-mode sweep from ``root`` seeded with ``grad`` (``root``'s shape).

    Without ``inputs``: accumulate into ``.grad`` of leaves (and retained tensors).
    With ``inputs``: return their gradients (None where unreached) and store nothing.
    ``owned``: the seed is the engine's to hand out (else it is copied before storing).
    ``trace(t, i, parent, g, contribution)`` sees every edge (used by ``explain``).
    """
    targets = None if inputs is None else {id(t): t for t in inputs}
    # Tensors are numbered as they are made, so an op's output always outranks its inputs:
    # popping the highest number first visits every op after all of its consumers.
    # pending maps a tensor's number to [tensor, its gradient so far]; the heap holds -number
    # of ops only: a leaf has nothing to propagate, its total is stored when the walk ends.
    pending: dict[int, list] = {root._seq: [root, grad]}
    heap: list[int] = [] if root._op is None else [-root._seq]
    # ids of arrays that someone else holds (a .grad, the caller): copied before storing
    handed_out: set[int] = set() if owned or type(grad) is Tensor else {id(grad)}
    results: dict[int, Any] = {}
    keep_all = retain_grads or targets is not None
    mode = _current_mode()
    watch = mode.anomaly or trace is not None
    clock = _clock[0]
    # Built-in VJPs get arrays on a first-order pass, so they record nothing whatever the
    # mode; a user's VJP runs with recording set to create_graph (see _copying_vjp).
    token = _mode_var.set(mode.recording(True)) if create_graph and not mode.enabled else None
    try:
        while heap:
            t, g = pending.pop(-heappop(heap))
            if t._retain or keep_all:
                if targets is None:
                    _store_grad(t, g, handed_out)
                elif id(t) in targets:
                    results[id(t)] = _owned(g, handed_out, t._data)
                    continue
            if t._tick != clock:  # released by an earlier backward, or .data written since
                _check_saved(t)
            prim, args = t._op, t._args
            if create_graph:
                ins, ans = args, t
                if type(g) is not Tensor:
                    g = _make(g, False)
            else:
                ins, ans = t._vals, t._data
            kwargs, vjps = t._kwargs, prim.vjps
            i = -1
            for a in args:  # (a counter rather than enumerate: cheaper for 1-2 inputs)
                i += 1
                if type(a) is not Tensor or not a.requires_grad:
                    continue
                vjp = vjps[i]
                if vjp is identity_vjp:
                    gi = g
                else:
                    try:
                        gi = vjp(g, ans, *ins, **kwargs) if kwargs else vjp(g, ans, *ins)
                    except TypeError:
                        if vjp is None:
                            raise TypeError(f"'{prim.name}': input {i} is not differentiable "
                                            "but requires grad; pass it as a plain array or "
                                            ".detach() it") from None
                        raise
                if gi.shape != a._data.shape:  # the input was broadcast: sum back
                    gi = unbroadcast(gi, a._data.shape, prim.name, i)
                if watch:
                    if mode.anomaly:
                        _check_backward(t, gi, i)
                    if trace is not None:
                        trace(t, i, a, g, gi)
                k = a._seq
                entry = pending.get(k)
                if entry is None:
                    pending[k] = [a, gi]
                    if a._op is not None:
                        heappush(heap, -k)
                else:
                    entry[1] = entry[1] + gi  # a new array: never add in place into a shared one
            if not retain_graph:  # free what forward saved; the graph above is gone
                t._args = t._vals = None
                t._tick = _RELEASED
    finally:
        if token is not None:
            _mode_var.reset(token)
    for t, g in pending.values():  # the leaves reached
        if targets is None:
            _store_grad(t, g, handed_out)
        elif id(t) in targets:
            results[id(t)] = _owned(g, handed_out, t._data)
    if targets is None:
        return None
    return [results.get(id(t)) for t in inputs]


def _store_grad(t, g, handed_out):
    g = _owned(g, handed_out, t._data)
    t.grad = g if t.grad is None else t.grad + g


def _owned(g, handed_out, like):
    """``g`` as an array of ``like``'s dtype that nobody else holds: VJPs may pass the same
    array to several inputs (add) or a view of it (reshape, sum), the caller may hold the
    seed, and ops on 0-d data give numpy scalars."""
    kind = type(g)
    if kind is np.ndarray:
        if g.dtype != like.dtype:
            return g.astype(like.dtype)  # a new array
        if g.base is not None or id(g) in handed_out:
            return g.copy()
        handed_out.add(id(g))
        return g
    if kind is Tensor:  # create_graph: Tensors are never written in place
        return g
    return np.array(g) if kind is type(like) else np.array(g, like.dtype)  # a new 0-d array


def unbroadcast(g: Any, shape: tuple[int, ...], opname: str = "?",
                input_index: int | None = None) -> Any:
    """Sum ``g`` over the axes that broadcasting added or stretched, giving ``shape``.

    The course's bias case: b is (n, 1) against Z of (n, m); db is g summed over axis 1.
    """
    gshape = g.shape
    if gshape == shape:
        return g
    axes = _REDUCE_AXES.get((gshape, shape))
    if axes is None:
        lead = len(gshape) - len(shape)
        if lead < 0 or any(n != 1 and n != gshape[lead + i] for i, n in enumerate(shape)):
            where = opname if input_index is None else f"'{opname}' (input {input_index})"
            raise ValueError(f"{where}: gradient of shape {gshape} cannot be reduced to the "
                             f"input's shape {shape}")
        axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape)
                                          if n == 1 and gshape[lead + i] != 1)
        if len(_REDUCE_AXES) < 4096:
            _REDUCE_AXES[(gshape, shape)] = axes
    g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape) if g.ndim != len(shape) else g


_REDUCE_AXES: dict[tuple, tuple] = {}  # (gradient shape, input shape) -> axes to sum


def _raise_changed(t, a):
    label = f"'{a.name}' " if a.name else ""
    raise RuntimeError(
        f"backward through '{t._op.name}': its input {label}of shape {a.shape} was changed "
        "in place (through .data) after the op used it, so its gradient would be wrong. "
        "Update parameters after backward(), or recompute the forward pass after changing them")


_RELEASED = -1  # the _tick of a tensor whose saved arrays backward() has freed


def _check_saved(t):
    """Raise if what ``t``'s op saved for backward is gone or was changed through .data."""
    if t._args is None:
        raise RuntimeError(
            f"backward through '{t._op.name}' a second time: its saved arrays were "
            "released by the first backward(). Pass retain_graph=True to the first "
            "backward() if you need to backprop through the graph twice")
    for a in t._args:
        if type(a) is Tensor and a._version > t._tick:
            _raise_changed(t, a)


# -- grad modes and scopes ---------------------------------------------------------

class _GradSwitch:
    """Context manager and decorator that sets grad recording for the current thread."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._tokens: list = []

    def __enter__(self) -> None:
        self._tokens.append(_mode_var.set(_current_mode().recording(self.enabled)))

    def __exit__(self, *exc: Any) -> None:
        _mode_var.reset(self._tokens.pop())

    def __call__(self, func: Callable) -> Callable:
        import functools

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with _GradSwitch(self.enabled):
                return func(*args, **kwargs)
        return wrapper


def no_grad() -> _GradSwitch:
    """Stop recording: ``with no_grad(): ...`` or ``@no_grad()``. Per thread."""
    return _GradSwitch(False)


def enable_grad() -> _GradSwitch:
    """Record again inside a ``no_grad`` block. Per thread."""
    return _GradSwitch(True)


def is_grad_enabled() -> bool:
    """Whether operations are being recorded in this thread."""
    return _current_mode().enabled


@contextmanager
def _switched(**changes: Any) -> Iterator[None]:
    mode = _current_mode()
    fields = {"enabled": mode.enabled, "anomaly": mode.anomaly, "scope": mode.scope, **changes}
    token = _mode_var.set(_Mode(**fields))
    try:
        yield
    finally:
        _mode_var.reset(token)


@contextmanager
def scope(name: str) -> Iterator[None]:
    """Name scope: tensors made inside are grouped into a cluster in diagrams."""
    if not isinstance(name, str) or not name:
        raise ValueError("scope(name): name must be a non-empty string")
    with _switched(scope=_current_mode().scope + (name,)):
        yield


# -- anomaly mode ----------------------------------------------------------------

class AnomalyError(FloatingPointError):
    """A NaN or inf appeared under ``detect_anomaly()``."""


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise AnomalyError at the first NaN/inf made in forward or backward, naming the op,
    the shapes, the line of user code that created the op and the likely cause."""
    with _switched(anomaly=True), np.errstate(all="ignore"):
        yield


_PKG_DIR = __file__.rsplit("/", 1)[0].rsplit("\\", 1)[0]


def _user_line() -> str:
    for frame in reversed(traceback.extract_stack()[:-1]):
        if not frame.filename.startswith(_PKG_DIR):
            return f'{frame.filename}:{frame.lineno}: {(frame.line or "").strip()}'
    return "<unknown>"


def _finite(x) -> bool:
    x = x._data if type(x) is Tensor else x
    return bool(np.all(np.isfinite(x)))


def _hint(name, vals) -> str:
    arrays = [np.asarray(v) for v in vals if hasattr(v, "shape") or np.isscalar(v)]
    if name == "log" and arrays and np.any(arrays[0] <= 0):
        return ("log of 0 or of a negative number. In a cross-entropy, A reached exactly 0 "
                "or 1: use binary_cross_entropy_with_logits on Z, or clip A")
    if name == "exp" and arrays:
        return f"exp overflowed: its input reaches {np.max(arrays[0]):.4g} (exp(709) is the limit)"
    if name in ("divide", "power") and any(np.any(a == 0) for a in arrays[1:2] + arrays[:1]):
        return "division by zero (or a negative power of 0)"
    return "an input was already large, or the op is outside its domain"


def _check_forward(prim, ans, args, vals):
    if _finite(ans) or not all(_finite(v) for v in vals if hasattr(v, "dtype")):
        return
    shapes = ", ".join(str(np.shape(v)) for v in vals)
    raise AnomalyError(f"'{prim.name}' produced NaN/inf in forward (input shapes {shapes}) at\n"
                       f"  {_user_line()}\nlikely cause: {_hint(prim.name, vals)}")


def _check_backward(t, gi, i):
    if _finite(gi):
        return
    shapes = ", ".join(str(np.shape(v)) for v in t._vals)
    raise AnomalyError(f"'{t._op.name}' produced NaN/inf in backward (gradient of input {i}; "
                       f"input shapes {shapes}); the op was created at\n  {t._where}\n"
                       f"likely cause: {_hint(t._op.name, t._vals)}")
