"""The engine core: Tensor, Primitive, recording, and the reverse-mode graph walk.

A primitive is a numpy forward plus one vector-Jacobian product (VJP) per input, each
written ``vjp(g, ans, *inputs, **kwargs)`` (``g``: upstream gradient, ``ans``: the op's
output). The VJPs are plain numpy: on first-order backward they receive arrays; with
``create_graph=True`` they receive Tensors, and numpy dispatches back into the engine
(``numpy_api.py``), so the backward pass is itself recorded.

Operators and math methods of Tensor are attached in ``ops.py``, beside each rule.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Callable, Iterator
from heapq import heappop, heappush
from typing import Any

import numpy as np

from . import modes
from .modes import current_mode as _current_mode
from .modes import mode_var as _mode_var

__all__ = ["Tensor", "Primitive", "PRIMITIVES", "apply", "binary_method", "identity_vjp",
           "backprop", "gradients", "toposort", "unbroadcast"]

_clock = [0]  # bumped by every write to a tensor's data; an op's output keeps its tick of birth
_numbering = itertools.count()  # creation order of tensors: a topological order for free
_lock = threading.Lock()  # .grad accumulation is a read-modify-write: threads must not interleave


class Primitive:
    """An op with a derivative rule: ``forward(*arrays, **kw)`` and one VJP per input.

    ``vjps[i]`` is ``None`` for an input that is not differentiable (a condition, an index).
    user_defined: a user's VJPs may return arrays they keep, or lists, so they are wrapped
        to hand the engine a copy, and record only under create_graph (as in PyTorch).
    view: the output may share memory with the first input (reshape, transpose, slicing);
        the two then share one version counter, so a write through either one is caught.
    """

    __slots__ = ("name", "forward", "vjps", "user_defined", "view", "arity")

    def __init__(self, name: str, forward: Callable, *vjps: Callable | None,
                 user_defined: bool = True, view: bool = False) -> None:
        self.name, self.forward = name, forward
        self.user_defined, self.view = user_defined, view
        self.set_vjps(*vjps)

    def set_vjps(self, *vjps: Callable | None) -> None:
        """Set the VJPs, one per input (None: not differentiable)."""
        if self.user_defined:
            vjps = tuple(None if v is None else _copying_vjp(v, self.name, i)
                         for i, v in enumerate(vjps))
        self.vjps, self.arity = vjps, len(vjps)

    def __call__(self, *args: Any, **kwargs: Any) -> Tensor:
        return apply(self, args, kwargs or None)

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"


def _copying_vjp(vjp: Callable, name: str, i: int) -> Callable:
    def rule(g, ans, *inputs, **kwargs):
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
    the gradient passes through unchanged. The walk recognises it and skips the call."""
    return g


PRIMITIVES: dict[str, Primitive] = {}  # the registry: tests, docs and diagrams enumerate it


class Tensor:
    """An n-dimensional float array that records the operations applied to it.

    ``Tensor(data, requires_grad=False, name=None, dtype=None)``: numbers, lists and
    integer or boolean arrays become float64; float32 stays float32. The data is copied.
    """

    # A Tensor is also its graph node: _op (the Primitive, None for a leaf), _args (its
    # inputs: Tensors or constants; None once backward has freed them), _vals (their arrays),
    # _kwargs, _tick (the write clock when it was made; bitwise-inverted, so negative, once a
    # backward() has used it), _where (anomaly mode). _versions is the version counter, a
    # one-item list shared with views and detached copies (None until first needed).
    __slots__ = ("_data", "grad", "requires_grad", "name", "_versions", "_retain", "_scope",
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
        self._versions = self._op = self._args = self._vals = self._kwargs = self._where = None
        self._retain = False
        self._scope = _current_mode().scope
        self._seq = next(_numbering)
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
            self._data = _assignable(value, self, "Tensor.data")
        self._bump()

    shape = property(lambda self: self._data.shape, doc="Shape of the data.")
    ndim = property(lambda self: self._data.ndim, doc="Number of dimensions.")
    size = property(lambda self: self._data.size, doc="Number of elements.")
    dtype = property(lambda self: self._data.dtype, doc="numpy dtype of the data.")

    @property
    def _version(self) -> int:
        """The write clock of the last change to this data (or a view of it); 0 if none."""
        return 0 if self._versions is None else self._versions[0]

    def _bump(self) -> None:
        if self._versions is None:
            self._versions = [0]
        _clock[0] += 1
        self._versions[0] = _clock[0]

    def item(self) -> float:
        """The value of a one-element tensor as a Python float."""
        if self._data.size != 1:
            raise ValueError(f"item(): the tensor has shape {self.shape} ({self.size} "
                             "elements); only one-element tensors convert to a float")
        return float(self._data.reshape(()))

    def numpy(self) -> np.ndarray:
        """A copy of the data as a numpy array."""
        return np.array(self._data)

    def tolist(self) -> Any:
        """The data as (nested) Python lists of floats; a float for a 0-d tensor."""
        return self._data.tolist()

    def argmax(self, axis: int | None = None) -> Any:
        """Index of the maximum (a plain integer or array: indices carry no gradient)."""
        return np.argmax(self._data, axis=axis)

    def argmin(self, axis: int | None = None) -> Any:
        """Index of the minimum (a plain integer or array)."""
        return np.argmin(self._data, axis=axis)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        # np.array(t) (copy=True) gives a copy; np.asarray(t) a read-only view, because a
        # write through it would change the data behind the engine's back.
        d = self.data
        if copy:
            return np.array(d, dtype=dtype, copy=True)
        if dtype is not None and np.dtype(dtype) != d.dtype:
            if copy is False:
                raise ValueError(f"np.asarray(t, dtype={np.dtype(dtype)}, copy=False): the "
                                 f"tensor holds {d.dtype}, so a copy is needed")
            return d.astype(dtype)
        view = d.view()
        view.flags.writeable = False
        return view

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d Tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        return (self[i] for i in range(len(self)))

    def __float__(self) -> float:
        return self.item()

    def __int__(self) -> int:
        return int(self.item())

    def __round__(self, ndigits: int | None = None) -> float | int:
        return round(self.item(), ndigits)

    def __format__(self, spec: str) -> str:
        if not spec:
            return str(self)
        if self._data.size == 1:  # f"{loss:.4f}"
            return format(self.item(), spec)
        raise TypeError(f"format spec {spec!r} applies to one-element tensors; this one has "
                        f"shape {self.shape}. Format t.item() of an element, or "
                        "np.array2string(t.data) for the whole array")

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

    # -- writing in place --------------------------------------------------------
    def __setitem__(self, index: Any, value: Any) -> None:
        """``t[index] = value`` on a leaf that is not being recorded (PyTorch's rules)."""
        _check_writable(self, "t[...] = value", value)
        self.data[_index(index)] = value._data if type(value) is Tensor else value
        self._bump()

    # -- graph -----------------------------------------------------------------
    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user rather than by an op."""
        return self._op is None

    @property
    def op(self) -> str | None:
        """Name of the primitive that made this tensor (None for a leaf)."""
        return None if self._op is None else self._op.name

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` on a leaf, in place; returns the tensor (PyTorch's spelling)."""
        if self._op is not None:
            raise RuntimeError(f"requires_grad_(): this tensor was made by '{self._op.name}'; "
                               "only leaves can change requires_grad. Use .detach() for a "
                               "copy without history")
        self.requires_grad = bool(requires_grad)
        return self

    def detach(self) -> Tensor:
        """The same data (shared, not copied) with no history and requires_grad=False.
        It shares the version counter: a write through it is caught by backward()."""
        out = _make(self._data, False, _current_mode().scope)
        _share_versions(self, out)
        return out

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
        retain_graph: keep the graph usable for another backward() through it. Without it
            a second backward() raises; small graphs are still kept for draw()/explain().
        create_graph: record the backward pass; ``.grad`` then holds Tensors that can be
            differentiated again (implies retain_graph).
        retain_grads: also keep ``.grad`` on every intermediate tensor of the graph.
        """
        if not self.requires_grad:
            raise RuntimeError("backward(): this tensor does not require grad and has no "
                               "graph. Create the inputs with requires_grad=True (and not "
                               "under no_grad())")
        data = self._data
        if grad is None and type(data) is not np.ndarray and not create_graph:
            # the usual scalar loss: a numpy scalar (0-d op results are), seeded with 1
            backprop(self, type(data)(1.0), True, retain_graph, False, retain_grads)
            return
        seed, owned = _seed(self, grad, create_graph)
        backprop(self, seed, owned, retain_graph or create_graph, create_graph, retain_grads)


def _seed(t: Tensor, grad: Any, create_graph: bool) -> tuple[Any, bool]:
    """backward()'s upstream gradient, and whether it is the engine's own array."""
    if grad is None:
        data = t._data
        if type(data) is not np.ndarray:  # a numpy scalar, as 0-d op results are
            seed = type(data)(1.0)
        elif data.size == 1:
            seed = np.ones(data.shape, data.dtype)
        else:
            raise RuntimeError(
                f"backward(): the output has shape {t.shape}; gradients can be created "
                "implicitly only for one-element outputs. Pass grad= an array of shape "
                f"{t.shape} (e.g. np.ones({t.shape}) for the gradient of the sum), "
                "or call .sum() first")
        return (_make(seed, False) if create_graph else seed), True
    if type(grad) is Tensor and not create_graph:
        grad = grad._data
    if type(grad) is not Tensor:
        grad = np.asarray(grad, dtype=t.dtype)
    if grad.shape != t.shape:
        raise ValueError(f"backward(): grad has shape {grad.shape}, "
                         f"the output has shape {t.shape}; they must match")
    return (_make(grad, False) if create_graph and type(grad) is not Tensor else grad), False


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


def _assignable(value: Any, t: Tensor, what: str) -> np.ndarray:
    """``value`` as new data for ``t``: numeric, of t's shape, converted to t's dtype."""
    arr = np.asarray(value._data if type(value) is Tensor else value)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{what}: cannot store data of dtype {arr.dtype}; give numbers")
    if arr.shape != t._data.shape:
        raise ValueError(f"{what}: new value has shape {arr.shape}, the tensor has shape "
                         f"{t._data.shape}")
    return arr if arr.dtype == t._data.dtype else arr.astype(t._data.dtype)


def _share_versions(src: Tensor, dst: Tensor) -> None:
    if src._versions is None:
        src._versions = [0]
    dst._versions = src._versions


def _index(index: Any) -> Any:
    if type(index) is Tensor:
        return index._data
    if type(index) is tuple:
        return tuple(i._data if type(i) is Tensor else i for i in index)
    return index


def _check_writable(t: Tensor, what: str, other: Any = None) -> None:
    """In-place writes follow PyTorch: fine on a leaf that is not being recorded, an error
    on a leaf that requires grad while recording (use no_grad), and on a tensor made by an
    op (backward would not see the write)."""
    recording = _current_mode().enabled
    if t._op is not None:
        raise RuntimeError(f"{what}: this tensor was made by '{t._op.name}', and backward() "
                           "would not see a write into it. Build a new tensor instead (e.g. "
                           "al.where(mask, new, t))")
    if t.requires_grad and recording:
        raise RuntimeError(f"{what} on a leaf that requires grad would change it behind the "
                           "graph's back. Update parameters under `with al.no_grad():` (as "
                           "PyTorch does), or through `p.data`")
    if type(other) is Tensor and other.requires_grad and recording:
        raise RuntimeError(f"{what}: the value requires grad, but writing it into a constant "
                           "is not recorded. Use al.where or al.concatenate to build a new "
                           "tensor, or .detach() the value")


def inplace_method(prim: Primitive, symbol: str) -> Callable[[Tensor, Any], Tensor]:
    """``t op= other``: in place on a leaf that is not being recorded (PyTorch's rules);
    on a tensor made by an op, Python's ``t = t op other``, recorded."""
    outplace = binary_method(prim)

    def method(self: Tensor, other: Any) -> Tensor:
        if self._op is not None:
            return outplace(self, other)
        _check_writable(self, f"in-place {symbol}", other)
        value = prim.forward(self._data, other._data if type(other) is Tensor else other)
        if np.shape(value) != self._data.shape:
            raise ValueError(f"in-place {symbol}: the result has shape {np.shape(value)}, but "
                             f"the tensor has shape {self._data.shape}; use t = t "
                             f"{symbol[:-1]} other for a new tensor")
        if type(self._data) is np.ndarray:
            np.copyto(self._data, value, casting="same_kind")
        else:  # a numpy scalar cannot be written in place; nothing else can hold it
            self._data = self._data.dtype.type(value)
        self._bump()
        return self

    return method


_new = object.__new__


def _make(data, requires_grad, scope=(), op=None, args=None, vals=None, kwargs=None,
          where=None):
    """Fast constructor for op outputs (no conversion, no copy)."""
    t = _new(Tensor)
    t._data = data
    t.grad = t.name = t._versions = None
    t.requires_grad = requires_grad
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

_NUMBERS = (float, int, bool)


def apply(prim: Primitive, args: tuple, kwargs: dict | None = None) -> Tensor:
    """Run ``prim`` forward on the arrays of ``args`` and record it if any input needs grad."""
    if len(args) != prim.arity and prim.arity is not None:
        raise TypeError(f"{prim.name}() takes {prim.arity} input{'s' if prim.arity != 1 else ''}"
                        f", got {len(args)}" + ("; give one vjp per input (None where it is "
                                                "not differentiable)" if prim.user_defined else ""))
    vals = []
    need = tensors = False
    for a in args:
        if type(a) is Tensor:
            vals.append(a._data)
            tensors = True
            if a.requires_grad:
                need = True
        else:
            vals.append(a)
    if not tensors and all(type(v) in _NUMBERS for v in vals):
        vals = [np.float64(v) for v in vals]  # numpy's float rules: 1/0 is inf, not an error
    try:
        ans = prim.forward(*vals, **kwargs) if kwargs else prim.forward(*vals)
    except ValueError as err:
        raise ValueError(_shape_message(prim, vals, err)) from None
    if not tensors:  # plain numbers or arrays in: a float Tensor out all the same
        ans = _as_float_array(ans, None)
    mode = _current_mode()
    where = None
    if mode.anomaly:
        modes.check_forward(prim.name, ans, vals)
        where = modes.user_line()
    if need and mode.enabled:
        out = _make(ans, True, mode.scope, prim, args, vals, kwargs, where)
    else:
        out = _make(ans, False, mode.scope)
    if prim.view and tensors and type(ans) is np.ndarray and ans.base is not None:
        _share_versions(args[0], out)
    return out


def binary_method(prim: Primitive, reflected: bool = False) -> Callable[[Tensor, Any], Tensor]:
    """The Tensor method for ``self (op) other`` (``reflected``: ``other (op) self``).

    apply() unrolled for two operands, because operators are most of a small graph: this
    saves a call and a loop per op. The rare modes (anomaly) and errors go through apply().
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
    "concatenate": "all shapes must be equal except along the joining axis",
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
             trace: Callable | None = None, replay: bool = False) -> list[Any] | None:
    """Reverse-mode sweep from ``root`` seeded with ``grad`` (``root``'s shape).

    Without ``inputs``: accumulate into ``.grad`` of leaves (and retained tensors).
    With ``inputs``: return their gradients (None where unreached) and store nothing.
    ``owned``: the seed is the engine's to hand out (else it is copied before storing).
    ``trace(t, i, parent, g, contribution)`` sees every edge (used by ``explain``).
    ``replay``: also walk ops that an earlier backward() spent (kept for drawing).
    """
    targets = None if inputs is None else {id(t) for t in inputs}
    found: dict[int, Any] | None = None if targets is None else {}  # results for inputs
    held = set() if owned or type(grad) is Tensor else {id(grad)}  # arrays others hold
    every = retain_grads or targets is not None
    # Tensors are numbered as they are made, so an op's output always outranks its inputs:
    # popping the highest number first visits every op after all of its consumers.
    # pending maps a tensor's number to [tensor, its gradient so far]; the heap holds -number
    # of ops only: a leaf has nothing to propagate, its total is stored when the walk ends.
    pending: dict[int, list] = {root._seq: [root, grad]}
    heap: list[int] = [] if root._op is None else [-root._seq]
    walked: list[Tensor] = []
    restored: list[Tensor] | None = [] if replay else None
    watch = None if trace is None and not _current_mode().anomaly else _edge_watcher(trace)
    clock = _clock[0]
    token = _record_backward() if create_graph else None
    try:
        while heap:
            t, g = pending.pop(-heappop(heap))
            if (every or t._retain) and _deliver(t, g, targets, found, held):
                continue
            if t._tick != clock:  # spent by an earlier backward, or data written since
                _check_saved(t, restored)
            if create_graph:
                ins, ans, g = t._args, t, (g if type(g) is Tensor else _make(g, False))
            else:
                ins, ans = t._vals, t._data
            kwargs, vjps, i = t._kwargs, t._op.vjps, -1
            for a in t._args:  # (a counter rather than enumerate: cheaper for 1-2 inputs)
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
                        if vjp is None:  # (checked here: a try costs nothing in the walk)
                            raise _not_differentiable(t, i) from None
                        raise
                if gi.shape != a._data.shape:  # the input was broadcast: sum back
                    gi = unbroadcast(gi, a._data.shape, t._op.name, i)
                if watch is not None:
                    watch(t, i, a, g, gi)
                entry = pending.get(a._seq)
                if entry is None:
                    pending[a._seq] = [a, gi]
                    if a._op is not None:
                        heappush(heap, -a._seq)
                else:
                    entry[1] = entry[1] + gi  # a new array: never add in place into a shared one
            walked.append(t)
    finally:
        if token is not None:
            _mode_var.reset(token)
    if restored:
        for t in restored:  # a replay leaves the graph as spent as it found it
            t._vals = None
    elif not retain_graph:
        _spend(walked)
    with _lock:  # the leaves reached; inline, as this runs for every leaf of every backward
        for t, g in pending.values():
            if targets is None:
                g = _owned(g, held, t._data)
                t.grad = g if t.grad is None else t.grad + g
            elif id(t) in targets:
                found[id(t)] = _owned(g, held, t._data)
    return None if targets is None else [found.get(id(t)) for t in inputs]


def _deliver(t, g, targets, found, held):
    """During the walk, for a tensor whose gradient is wanted (retain_grad, retain_grads or
    inputs=): store it, or keep it as a result; True when the walk should stop at ``t``."""
    if targets is None:
        g = _owned(g, held, t._data)
        with _lock:
            t.grad = g if t.grad is None else t.grad + g
        return False
    if id(t) in targets:
        found[id(t)] = _owned(g, held, t._data)
        return True
    return False


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
    # a numpy scalar (0-d op results are): asarray makes a new 0-d array, 0.18 us less than array
    return np.asarray(g) if kind is type(like) else np.asarray(g, like.dtype)


def gradients(out: Tensor, inputs: list[Tensor], seed: Any = None,
              create_graph: bool = False, retain_graph: bool = True) -> list[Any]:
    """d(out)/d(inputs) as owned arrays (Tensors under ``create_graph``), zeros for an input
    that ``out`` does not depend on; nothing is stored in ``.grad``. The one way the
    functional transforms and the checkers ask the engine for gradients."""
    if seed is None:
        seed = np.ones(out.shape, out.dtype)
    if create_graph and type(seed) is not Tensor:
        seed = _make(seed, False)
    found = [None] * len(inputs)
    if out.requires_grad:
        found = backprop(out, seed, owned=True, retain_graph=retain_graph or create_graph,
                         create_graph=create_graph, inputs=list(inputs))
    return [np.zeros_like(x._data) if g is None else g for g, x in zip(found, inputs)]


def _record_backward():
    """Under create_graph, record the backward pass even inside no_grad(); returns the token
    to reset. (Built-in VJPs get arrays on a first-order pass and record nothing.)"""
    mode = _current_mode()
    return None if mode.enabled else _mode_var.set(mode.recording(True))


def _edge_watcher(trace: Callable | None) -> Callable | None:
    """The per-edge hook: anomaly checks and/or ``trace``; None (no cost) when neither."""
    anomaly = _current_mode().anomaly
    if not anomaly and trace is None:
        return None

    def watch(t, i, a, g, gi):
        if anomaly:
            modes.check_backward(t._op.name, gi, i, t._vals, t._where)
        if trace is not None:
            trace(t, i, a, g, gi)

    return watch


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


# (gradient shape, input shape) -> axes to sum: the axes are worked out once per shape pair
# (the course's models meet the same few pairs every step)
_REDUCE_AXES: dict[tuple, tuple] = {}


# -- after backward: a graph is spent, and small ones are kept for drawing ------------------

KEEP_NODES = 200  # a graph of up to this many ops ...
KEEP_BYTES = 1 << 20  # ... whose arrays total at most this (scalars are not counted) ...
KEEP_GRAPHS = 8  # ... stays drawable after backward(), with at most 7 graphs before it
_kept: deque[list[Tensor]] = deque()  # the ops each kept graph walked, oldest first


def _spend(walked: list[Tensor]) -> None:
    """After a backward() without retain_graph, a second backward through these ops must
    raise, as in PyTorch: their saved arrays (_vals) are dropped. A small graph keeps its
    structure (_args), so that draw() and explain() work after backward, as micrograd users
    expect; the most recent ones are kept, older and bigger ones are freed."""
    _clock[0] += 1  # so that the next walk through these ops stops at _check_saved
    if len(walked) > KEEP_NODES:
        _free(walked)
        return
    size = 0
    for t in walked:
        if type(t._data) is np.ndarray:  # scalar graphs are small whatever their length
            size += t._data.nbytes
            for v in t._vals:
                if type(v) is np.ndarray:
                    size += v.nbytes
        t._vals = None
    if size > KEEP_BYTES:
        _free(walked)
        return
    _kept.append(walked)
    if len(_kept) >= KEEP_GRAPHS:  # free the older half at once: a pass every few backwards
        with _lock:
            while len(_kept) > KEEP_GRAPHS // 2:
                _free(_kept.popleft())


def release_kept_graphs() -> None:
    """Free every graph kept for drawing now (as if a long loop had pushed them out): for
    measuring memory, or before a big allocation."""
    with _lock:
        while _kept:
            _free(_kept.popleft())


def _free(walked: list[Tensor]) -> None:
    for t in walked:
        t._args = t._vals = None


def is_freed(t: Tensor) -> bool:
    """True when backward() has freed ``t``'s op and its inputs (it can no longer be drawn)."""
    return t._op is not None and t._args is None


def is_spent(t: Tensor) -> bool:
    """True when a backward() without retain_graph has gone through ``t``'s op."""
    return t._op is not None and t._vals is None


def _check_saved(t: Tensor, restored: list[Tensor] | None = None) -> None:
    """Raise if what ``t``'s op saved for backward is gone, spent, or changed in place.
    A replay (``restored`` is a list) rebuilds the saved arrays of a spent op from its inputs,
    which the version check below proves unchanged."""
    if t._vals is None:
        if t._args is None or restored is None:
            raise RuntimeError(
                f"backward through '{t._op.name}' a second time: the first backward() freed "
                "the graph. Pass retain_graph=True to the first backward() if you need to "
                "backprop through the graph twice")
        t._vals = [a._data if type(a) is Tensor else a for a in t._args]
        restored.append(t)
    for a in t._args:
        if type(a) is Tensor and a._version > t._tick:
            label = f"'{a.name}' " if a.name else ""
            raise RuntimeError(
                f"backward through '{t._op.name}': its input {label}of shape {a.shape} was "
                "changed in place (through .data, a view or a detached copy) after the op "
                "used it, so its gradient would be wrong. Update parameters after "
                "backward(), or recompute the forward pass after changing them")


def _not_differentiable(t: Tensor, i: int) -> TypeError:
    return TypeError(f"'{t._op.name}': input {i} is not differentiable but requires grad; "
                     "pass it as a plain array or .detach() it")
