"""The engine core: Tensor, Primitive, recording, and the reverse-mode graph walk.

A primitive is a numpy forward plus one vector-Jacobian product (VJP) per input, each
written ``vjp(g, ans, *inputs, **kwargs)`` (``g``: upstream gradient, ``ans``: the op's
output). The VJPs are plain numpy: on first-order backward they receive arrays; with
``create_graph=True`` they receive Tensors, and numpy dispatches back into the engine
(``numpy_api.py``), so the backward pass is itself recorded.

Operators and math methods of Tensor are attached in ``ops.py``, beside each rule,
``Tensor.backward`` in ``backward.py``, beside the graph walk, and writes in place
(``t += x``, ``t[i] = x``) and copies (copy, deepcopy, pickle) in ``writes.py``.
"""

from __future__ import annotations

import itertools
import threading
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from numpy import float64, ndarray

from . import modes
from .modes import CutOffWarning
from .modes import current_mode as _current_mode
from .modes import cut_off as _cut_off
from .modes import shape_message as _shape_message

__all__ = ["Tensor", "CutOffWarning", "Primitive", "PRIMITIVES", "apply", "binary_method",
           "identity_vjp"]

_clock = [0]  # bumped by every write to a tensor's data; an op's output keeps its tick of birth
_numbering = itertools.count()  # creation order of tensors: a topological order for free
_lock = threading.Lock()  # .grad accumulation is a read-modify-write: threads must not interleave


class Primitive:
    """An op with a derivative rule: ``forward(*arrays, **kw)`` and one VJP per input.

    A VJP given as ``None`` marks an input that is not differentiable (a condition, an index):
    backward through it raises, saying so.
    user_defined: a user's forward and VJPs are guarded (``custom.py``): read-only inputs,
        results checked and copied, VJPs recorded only under create_graph (as in PyTorch).
    view: the output may share memory with the first input (reshape, transpose, slicing);
        the two then share one version counter, so a write through either one is caught.
        (A view is linear in its input: its VJP reads the input's shape alone.)
    """

    __slots__ = ("name", "forward", "vjps", "user_defined", "view", "arity")

    def __init__(self, name: str, forward: Callable, *vjps: Callable | None,
                 user_defined: bool = True, view: bool = False) -> None:
        self.name, self.forward = name, forward
        self.user_defined, self.view = user_defined, view
        self.set_vjps(*vjps)

    def set_vjps(self, *vjps: Callable | None) -> None:
        """Set the VJPs, one per input (None: not differentiable); a user's are guarded."""
        self.vjps = tuple(_not_differentiable(self.name, i) if v is None else v
                          for i, v in enumerate(vjps))
        self.arity = len(vjps)
        if self.user_defined:
            from .custom import guard  # (custom.py imports this module)
            guard(self)

    def __call__(self, *args: Any, **kwargs: Any) -> Tensor:
        return apply(self, args, kwargs or None)

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"


def _not_differentiable(name: str, i: int) -> Callable:
    def rule(g, ans, *inputs, **kwargs):
        raise TypeError(f"'{name}': input {i} is not differentiable but requires grad; pass it "
                        "as a plain array or .detach() it")
    rule.not_differentiable = True  # type: ignore[attr-defined]
    return rule


def identity_vjp(g: Any, ans: Any, *inputs: Any, **kwargs: Any) -> Any:
    """The identity's VJP (add, subtract's x); the walk skips it: 6 % fewer instructions (expr)."""
    return g


PRIMITIVES: dict[str, Primitive] = {}  # the registry: tests, docs and diagrams enumerate it


class Tensor:
    """An n-dimensional float array that records the operations applied to it.

    ``Tensor(data, requires_grad=False, name=None, dtype=None)``: numbers, lists and int or
    bool arrays become float64; float32 stays float32. The data is copied. ``label=`` is
    micrograd's word for ``name=`` (``Value(2.0, label='a')``)."""

    # A Tensor is also its graph node: _op (the Primitive; None: a leaf), _args (inputs; None
    # once freed), _vals (their arrays), _kwargs, _tick (the write clock when made: an input
    # written since has a higher _version), _where (anomaly), _root (backward() ran from it),
    # _entry (a copy of one entry: x[0, 1]), _retain (True: retain_grad; "hooks": _hooks alone,
    # by register_hook). _versions: shared with views, or None.
    __slots__ = ("_data", "_grad", "_requires_grad", "name", "_versions", "_retain", "_scope",
                 "_seq", "_op", "_args", "_vals", "_kwargs", "_tick", "_where", "_root",
                 "_entry", "_hooks", "__weakref__")
    __array_priority__ = 1000  # so that ndarray (op) Tensor defers to the Tensor
    __hash__ = object.__hash__  # == compares elementwise, like numpy

    def __init_subclass__(cls, **kwargs: Any) -> None:
        raise TypeError(f"class {cls.__name__}(Tensor): Tensor cannot be subclassed (the "
                        "engine tells its nodes by type(t) is Tensor); hold a Tensor in an "
                        "attribute of your class instead")

    def __init__(self, data: Any, requires_grad: bool = False, name: str | None = None,
                 dtype: Any = None, *, label: str | None = None) -> None:
        if type(data) is float and dtype is None:  # Tensor(2.0): expr 8 % fewer instructions
            self._data = float64(data)  # a numpy scalar: its ops are ~10x faster than 0-d's
        else:
            self._data = _as_float_array(data, dtype)
        self._grad: np.ndarray | None = None
        self._requires_grad = requires_grad is True or _flag(requires_grad, "requires_grad")
        self.name = name if label is None else label
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
        _no_value(self, "t.data", "an array (t.data)")
        d = self._data
        if type(d) is not np.ndarray:  # ops on 0-d data give numpy scalars, for speed
            d = self._data = np.asarray(d)
        return d

    @data.setter
    def data(self, value: Any) -> None:
        _no_value(self, "assigning t.data")
        if value is not self._data:  # (t.data -= x hands back the same array)
            self._data = _assignable(value, self, "Tensor.data")
        self._bump()

    @property
    def grad(self) -> Any:
        """What backward() accumulated: an array of t's shape (a Tensor: create_graph), or None."""
        _current_mode().trace is None or modes.refuse_grad_in_trace("reading")  # (expr +0.7 %)
        if self._grad is None and self._op is not None and self._retain is not True:
            warnings.warn("t.grad of a tensor backward() was called on is None: .grad is "
                          "kept on leaves, and on tensors that called t.retain_grad() first "
                          "(its own gradient is the seed backward() was given: 1 for a "
                          "scalar, micrograd's e.grad)" if getattr(self, "_root", 0)
                          else f"t.grad of a tensor made by '{self._op.name}' is None: "
                          "backward() fills .grad on leaves only. al.randn(n, requires_grad="
                          "True) * .01 and p - lr * p.grad are made by ops: scale before "
                          ".requires_grad_(); update under no_grad() (p -= lr * p.grad); or "
                          "t.retain_grad()", stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Any) -> None:
        _current_mode().trace is None or modes.refuse_grad_in_trace("setting")
        if value is not None:
            if isinstance(value, (int, float, np.number)) and type(value) is not bool:
                value = np.full(np.shape(self._data), value, self._data.dtype)  # p.grad = 0
            elif type(value) is not Tensor:
                value = np.asarray(value, dtype=self._data.dtype)
            if value.shape != np.shape(self._data):
                raise ValueError(f"Tensor.grad: the gradient has shape {value.shape}, the "
                                 f"tensor {np.shape(self._data)}; assign None or its shape")
        self._grad = value

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
        _no_value(self, "item()", "a Python number (float(t), t.item())")
        if self._data.size != 1:
            raise ValueError(f"item(): the tensor has shape {self.shape} ({self.size} "
                             "elements); only one-element tensors convert to a float")
        return float(self._data.reshape(()))

    def numpy(self) -> np.ndarray:
        """A read-only copy: a write through it raises (PyTorch's shares memory and changes
        the tensor; a writable copy lost the write), and hist.append(w.numpy()) keeps values."""
        _no_value(self, "numpy()", "an array (t.numpy())")
        copy = np.array(self._data)
        copy.flags.writeable = False
        return copy

    def tolist(self) -> Any:
        """The data as (nested) Python lists of floats; a float for a 0-d tensor."""
        _no_value(self, "tolist()")
        return self._data.tolist()

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        # np.array(t) (copy=True) gives a copy; np.asarray(t) a read-only view, because a
        # write through it would change the data behind the engine's back.
        _no_value(self, "np.asarray(t) (numpy's __array__)")
        # (warned while its graph can be backpropagated: a spent one's arrays are for reading)
        if (subject := _cut_off(self)) is not None:
            modes.warn_cut(f"{subject} that requires grad became a plain numpy array "
                           "(np.array(t), np.asarray(t), a numpy function given a list of "
                           "them, an array's method: X.dot(W)): what is computed from it has "
                           "no gradient. Keep the Tensor (np.squeeze(cost), not "
                           "np.squeeze(np.array(cost)); np.dot(X, W) or X @ W), use "
                           "al.stack(list) for a list, or t.detach() to say the cut is meant")
        d = self._data
        if type(d) is not np.ndarray:  # (not self.data: no second warning for one read)
            d = self._data = np.asarray(d)
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
        if not spec and np.ndim(self._data):  # a 0-d one: its number, as PyTorch's ("{}")
            return str(self)
        _no_value(self, f"format(t, {spec!r})")
        if self._data.size == 1:  # f"{loss:.4f}"
            return format(self.item(), spec)
        raise TypeError(f"format spec {spec!r} applies to one-element tensors; this one has "
                        f"shape {self.shape}. Format t.item() of an element, or "
                        "np.array2string(t.data) for the whole array")

    def __bool__(self) -> bool:
        _no_value(self, "bool(t) (an if, while, and, or, not on a tensor)")
        if self._data.size != 1:
            raise ValueError(f"the truth value of a Tensor of shape {self.shape} is ambiguous; "
                             "use (t > 0).any() or .all() on the comparison")
        return bool(self._data.reshape(()))

    def __repr__(self) -> str:
        body = (f"traced, shape {self.shape}" if modes.tracer(self) is not None  # al.compile's
                else np.array2string(np.asarray(self._data), precision=4, separator=", ",
                                     prefix="Tensor(", threshold=20))  # values would be baked in
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

    @property
    def requires_grad(self) -> bool:
        """Whether backward() computes its gradient; only a leaf's can change (engine: the slot)."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` on a leaf, in place; returns the tensor (PyTorch's spelling).
        As in PyTorch, a tensor made by an op keeps its flag (set False, it cut the graph
        there silently: no gradient reached what it was made from)."""
        flag = _flag(requires_grad, "requires_grad_()")
        if self._op is not None and flag != self._requires_grad:
            raise RuntimeError(f"requires_grad: this tensor was made by '{self._op.name}'; only "
                               "leaves can change it. For a value that no gradient flows "
                               "through, use t.detach() (a new tensor without history)")
        self._requires_grad = flag
        self._entry = False  # a parameter of its own now, x = W[0, 1].requires_grad_()
        return self

    def detach(self) -> Tensor:
        """The same data (shared, not copied; a 0-d tensor's number is immutable, so a later
        ``x += 1`` rebinds x's and leaves this one as it was) with no history and
        requires_grad=False. It shares the version counter: backward() sees a write."""
        mode = _current_mode()
        if mode.trace is not None and id(self) in mode.trace.known:
            return mode.trace.detach(self)  # a value of the inputs: recorded, not a constant
        out = _make(self._data, False, mode.scope)
        _share_versions(self, out)
        out._entry = getattr(self, "_entry", False)  # (W[0, 1].detach(): still W's copy)
        return out

    def retain_grad(self) -> Tensor:
        """Keep this non-leaf tensor's gradient in ``.grad`` after backward."""
        if not self._requires_grad:  # (it did nothing, where PyTorch raises)
            raise RuntimeError("retain_grad(): this tensor does not require grad (made under "
                               "no_grad(), or from inputs without requires_grad=True)")
        self._retain = True
        return self

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (sets ``.grad`` to None)."""
        self.grad = None


def _as_float_array(data: Any, dtype: Any, who: str = "Tensor") -> np.ndarray:
    if dtype is None and type(data) in (float, int):  # the common scalar case, fast
        return np.float64(data)
    if dtype is not None and np.dtype(dtype).kind != "f":  # int32 became float64 silently
        raise TypeError(f"{who}: dtype {np.dtype(dtype)} is not a float dtype; gradients need "
                        "floats (np.float64, np.float32); index with plain int arrays")
    if isinstance(data, Tensor):
        _no_value(data, "Tensor(t) (a copy of the values)")
        if (subject := _cut_off(data)) is not None:
            modes.warn_cut(f"Tensor(t) of {subject} copies its values and leaves its "
                           "graph: no gradient reaches it or what it was computed from. Write "
                           "t.detach() to say so (PyTorch warns here too)")
        data = data._data
    elif isinstance(data, _SEQUENCES) and _holds_tensor(data):  # Tensor([a, b]): warned
        from .writes import list_values  # where one requires grad (a cycle: imported here)
        data = list_values(data)
    elif isinstance(data, np.ma.MaskedArray) and np.ma.is_masked(data):  # np.array() uses them
        raise TypeError(f"{who}: a masked array's hidden values would be used as numbers; "
                        "pass a.filled(value), or a.compressed() for the unmasked ones")
    try:
        arr = np.array(data, dtype=dtype)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{who}: cannot make a numeric array from {type(data).__name__} "
                        f"({err}); pass numbers, a rectangular list of numbers or a numeric "
                        "numpy array") from None
    if arr.dtype.kind in "biu":
        arr = arr.astype(np.float64)
    elif arr.dtype.kind != "f":
        raise TypeError(f"{who}: data of dtype {arr.dtype} (from {type(data).__name__}) is "
                        "not real-valued; pass numbers, lists of numbers or a float/int array"
                        " (autograd_lite differentiates real functions)")
    return arr[()] if arr.ndim == 0 else arr  # 0-d: a numpy scalar, whose ops are ~10x faster


def _assignable(value: Any, t: Tensor, what: str) -> np.ndarray:
    """``value`` as new data for ``t``: numeric, of t's shape, converted to t's dtype."""
    if type(value) is Tensor:  # al.compile: a value of the inputs would be written once
        _no_value(value, f"{what} = a value from inside a compiled function")
    arr = value._data if type(value) is Tensor else _as_float_array(value, None, what)
    if arr.shape != t._data.shape:
        raise ValueError(f"{what}: new value has shape {arr.shape}, the tensor has shape "
                         f"{t._data.shape}")
    return arr if arr.dtype == t._data.dtype else arr.astype(t._data.dtype)


def _flag(value: Any, what: str) -> bool:  # ("no" is truthy: a flag must be a bool)
    if type(value) is bool or type(value) in (int, np.bool_) and value in (0, 1):
        return bool(value)
    raise TypeError(f"{what} must be True or False, got {value!r}")


def _share_versions(src: Tensor, dst: Tensor) -> None:
    if src._versions is None:
        src._versions = [0]
    dst._versions = src._versions


def _no_value(t: Tensor, what: str, read: str | None = None) -> None:
    """Under al.compile's trace, ``what`` of a tensor computed from the inputs raises
    TraceError: its value at trace time would be baked into every replay. (Nothing outside a
    trace: one ContextVar read, on paths that read values, never on an op's.) ``read``: warn
    if t is being differentiated (tested inline: a call per t.data cost the flower 0.5 %)."""
    trace = _current_mode().trace
    if trace is not None:  # refused for a traced tensor; one from outside is watched
        trace.read(t, what)
    if read is not None and t._requires_grad and modes.differentiating.get():
        modes.read_as_value(t, read)


_new = object.__new__


def _make(data, requires_grad, scope=(), op=None, args=None, vals=None, kwargs=None,
          where=None):
    """Fast constructor for op outputs (no conversion, no copy): expr's step takes 24 % fewer
    instructions than through Tensor() and setting the fields (72,000 against 95,000)."""
    t = _new(Tensor)
    t._data = data
    t._grad = t.name = t._versions = None
    t._requires_grad = requires_grad
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
_SEQUENCES = (list, tuple)


def apply(prim: Primitive, args: tuple, kwargs: dict | None = None) -> Tensor:
    """Run ``prim`` forward on the arrays of ``args`` and record it if any input needs grad."""
    if len(args) != prim.arity and prim.arity is not None:
        from .custom import wrong_arity  # (custom.py imports this module)
        raise TypeError(wrong_arity(prim, len(args)))
    vals = []
    need = tensors = converted = ints = False
    for a in args:
        if type(a) is Tensor:
            vals.append(a._data)
            tensors = True
            if a._requires_grad:
                need = True
        else:  # a list, a matrix...: data, as Tensor() takes it
            v = _input_data(a, prim.name)
            vals.append(v)
            converted = converted or v is not a
            ints = ints or type(v) not in _NUMBERS and v.dtype.kind in "biu"
    if converted:  # the arrays stand for the inputs in the graph too (create_graph, compile)
        args = tuple(a if type(a) is Tensor else v for a, v in zip(args, vals))
    if not tensors:
        vals = _plain_inputs(vals)
    try:
        ans = prim.forward(*vals, **kwargs) if kwargs else prim.forward(*vals)
    except ValueError as err:
        raise ValueError(_shape_message(prim, vals, err)) from None
    if not tensors:  # plain numbers or arrays in: a float Tensor out all the same
        ans = _as_float_array(ans, None)
    elif ints and need:  # the VJPs read constants in the result's float: log(uint8 3) is a
        vals = [v if type(a) is Tensor else _as_float(v, ans.dtype)  # float16, and uint8
                for a, v in zip(args, vals)]  # 0 - 1 is 255
        args = tuple(a if type(a) is Tensor else v for a, v in zip(args, vals))
    mode = _current_mode()
    if mode.special:  # anomaly mode or al.compile's trace: one test for both on the hot path
        return _apply_special(prim, args, kwargs, vals, ans, need, tensors, mode)
    if need and mode.enabled:
        out = _make(ans, True, mode.scope, prim, args, vals, kwargs)
    else:
        out = _make(ans, False, mode.scope)
    if prim.view and tensors and _views(ans, vals[0]):
        _share_versions(args[0], out)
    return out


def _views(ans: Any, x: Any) -> bool:
    """Whether a view op's result is a view of x's memory: numpy copies where it must
    (W.T.reshape(-1), W[:, [0, 2]]), and a copy taken for a view kept W's old values."""
    return type(ans) is np.ndarray and ans.base is not None and np.may_share_memory(ans, x)


def _input_data(a: Any, op: str) -> Any:
    """A non-Tensor input to an op: a number or a real array as it is (float32 * 0.5 stays
    float32), else as Tensor() takes it: a list as data (+ would join two lists), a matrix as
    an array (* would be its product). A list holding a Tensor, and complex, are refused."""
    if type(a) in _NUMBERS:
        return a
    if isinstance(a, np.ndarray) and type(a) is not np.ndarray and not np.ma.is_masked(a):
        a = np.asarray(a)  # a matrix, a memmap: a plain view of it, no copy
    if (type(a) is np.ndarray or isinstance(a, np.generic)) and a.dtype.kind in "biuf":
        return a
    if isinstance(a, _SEQUENCES) and _holds_tensor(a):
        raise TypeError(f"{op}: a list of Tensors is not a Tensor, and its values would lose "
                        "their gradient; al.stack(the_list) makes one that keeps it")
    return _as_float_array(a, None, op)


def _holds_tensor(seq: list | tuple) -> bool:
    kinds = set(map(type, seq))  # C speed: per element, Tensor(1e6 floats) took 3.5x as long
    return Tensor in kinds or not kinds.isdisjoint(_SEQUENCES) and any(
        _holds_tensor(e) for e in seq if isinstance(e, _SEQUENCES))


def _as_float(v: Any, dtype: Any) -> Any:
    """An int or bool array (or numpy number) in ``dtype``; anything else as it is."""
    return v.astype(dtype) if type(v) not in _NUMBERS and v.dtype.kind in "biu" else v


def _plain_inputs(vals: list) -> list:
    """Inputs, none a Tensor: numbers as numpy floats (1/0 is inf), ints as floats (uint8)."""
    if all(type(v) in _NUMBERS for v in vals):
        return [np.float64(v) for v in vals]
    return [_as_float(v, np.float64) for v in vals]


def _apply_one(prim: Primitive, x: Tensor) -> Tensor:
    """apply() for al.tanh(t): one Tensor, no keywords, no view; 30 % fewer instructions."""
    mode = _current_mode()
    if mode.special:
        return apply(prim, (x,))
    data = x._data
    try:
        ans = prim.forward(data)
    except ValueError as err:
        raise ValueError(_shape_message(prim, [data], err)) from None
    if x._requires_grad and mode.enabled:
        return _make(ans, True, mode.scope, prim, (x,), (data,))
    return _make(ans, False, mode.scope)


def _apply_special(prim, args, kwargs, vals, ans, need, tensors, mode):
    """apply()'s end in anomaly mode (checks, the user's line) or al.compile's (the tape)."""
    where = None
    if mode.anomaly:
        modes.check_forward(prim.name, ans, vals)
        where = modes.user_line()
    if need and mode.enabled:
        out = _make(ans, True, mode.scope, prim, args, vals, kwargs, where)
    else:
        out = _make(ans, False, mode.scope)
    if prim.view and tensors and _views(ans, vals[0]):
        _share_versions(args[0], out)
    if mode.trace is not None and tensors:
        mode.trace.record(prim, args, kwargs, out)
    return out


def binary_method(prim: Primitive, reflected: bool = False) -> Callable[[Tensor, Any], Tensor]:
    """The Tensor method for ``self (op) other`` (``reflected``: ``other (op) self``).

    apply() unrolled for two operands, because operators are most of a small graph: measured
    7 % fewer instructions per step on expr and on chain than operators through apply()
    (callgrind; flower, bound by its arrays, is the same). Anomaly mode and errors go
    through apply().
    """
    forward = prim.forward

    def method(self: Tensor, other: Any) -> Tensor:
        args = (other, self) if reflected else (self, other)
        x, y = args
        # a number or a float array is used as it is; apply() takes anything else (a list, a
        # matrix, an int array, a numpy scalar) as Tensor() does (`in (...)`: 400 instr. more)
        if type(x) is Tensor:
            need = x._requires_grad
            x = x._data
        elif type(x) is not float and (type(x) is not ndarray or x.dtype.kind != "f") \
                and type(x) is not int:
            return apply(prim, args)
        else:
            need = False
        if type(y) is Tensor:
            need = need or y._requires_grad
            y = y._data
        elif type(y) is not float and (type(y) is not ndarray or y.dtype.kind != "f") \
                and type(y) is not int:
            return apply(prim, args)
        mode = _current_mode()
        if mode.special:  # anomaly mode or al.compile's trace
            return apply(prim, args)
        try:
            ans = forward(x, y)
        except ValueError as err:
            raise ValueError(_shape_message(prim, [x, y], err)) from None
        if need and mode.enabled:
            return _make(ans, True, mode.scope, prim, args, (x, y))
        return _make(ans, False, mode.scope)

    return method
