"""numpy's protocols: np.exp(t), np.dot(W, A) + b, ndarray + Tensor all give Tensors.

Which numpy function reaches which op comes from the registry ``ops.OPS``. Every keyword
numpy documents for such a function is honoured, or refused with a TypeError that names
it; nothing is dropped silently. A numpy function without a counterpart raises a
TypeError rather than quietly returning an array cut off from the graph. Functions whose
result carries no gradient (comparisons, shape queries) return plain arrays.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from . import ops
from .modes import current_mode
from .tensor import Tensor, _no_value
from .tracing import nondiff

_UNSET = object()  # "not given", as numpy's own _NoValue


def _data(x):
    if isinstance(x, Tensor):
        return x._data
    if isinstance(x, (list, tuple)):
        return type(x)(_data(v) for v in x)
    return x


def _plain(func):
    """A numpy function applied to the data: for results that have no gradient."""
    return lambda *args, **kwargs: func(*_data(args), **{k: _data(v) for k, v in kwargs.items()})


def _traced_first(*xs):
    """The first tensor among ``xs`` (and in lists of them) that al.compile is tracing."""
    trace = current_mode().trace
    if trace is None:
        return None
    for x in xs:
        if isinstance(x, (list, tuple)):
            found = _traced_first(*x)
            if found is not None:
                return found
        elif isinstance(x, Tensor) and id(x) in trace.known:
            return x
    return None


def _mask_ufunc(func):
    """Comparisons, tests, roundings: plain arrays; under al.compile's trace, recorded."""
    return lambda *args: nondiff(func, *args)


def _value_function(func, reducing=False):
    """A numpy function of the values with no gradient. Under al.compile's trace, any/all
    over a traced tensor are recorded (masks); the others would bake the values in, so
    they raise TraceError."""
    plain = _plain(func)

    def call(*args, **kwargs):
        t = _traced_first(*args, *kwargs.values())
        if t is None:
            return plain(*args, **kwargs)
        if reducing and set(kwargs) <= {"axis", "keepdims"}:
            return nondiff(func, *args, **kwargs)
        _no_value(t, f"numpy.{func.__name__}")

    return call


def _no_traced_mask(func_name, where):
    t = _traced_first(where)
    if t is not None:
        _no_value(t, f"numpy.{func_name}(..., where=mask)")


def _refuse(func_name: str, **given) -> None:
    """TypeError for keywords that were given but are not supported."""
    bad = sorted(k for k, v in given.items() if v is not _UNSET and v is not None)
    if bad:
        raise TypeError(f"numpy.{func_name} on a Tensor: keyword(s) {bad} are not supported "
                        "here; call it without them (on t.data for a plain array)")


def _float_dtype(func_name: str, x, dtype):
    """``x`` converted to the float ``dtype`` numpy's ``dtype=`` asks for."""
    if dtype is None:
        return x
    if np.dtype(dtype).kind != "f":
        raise TypeError(f"numpy.{func_name}(..., dtype={np.dtype(dtype)}) on a Tensor: "
                        "gradients need a float dtype")
    return ops.astype(x, dtype)


# ---- reductions -----------------------------------------------------------------------------

def _reduction(name, reduce, identity, combine):
    """np.sum(t) or np.prod(t) with numpy's keywords: where= gives the entries left out the
    reduction's identity, initial= is combined with the result."""
    def call(a, axis=None, dtype=None, out=None, keepdims=False, initial=_UNSET, where=_UNSET):
        x = _float_dtype(name, a, dtype)
        if where is not _UNSET:
            _no_traced_mask(name, where)
            x = ops.where(np.broadcast_to(_data(where), np.shape(_data(x))), x, identity)
        result = reduce(x, axis, bool(keepdims))
        return result if initial is _UNSET else combine(result, _cast(initial, result))
    return call


def _cast(initial, result):
    """initial= in the result's dtype, as numpy casts it (a float64 initial made a float32
    sum float64); a Tensor stays as it is (its gradient is kept)."""
    return initial if type(initial) is Tensor else np.asarray(initial).astype(result.dtype)[()]


_sum = _reduction("sum", ops.sum, 0.0, operator.add)
_prod = _reduction("prod", ops.prod, 1.0, operator.mul)


def _nansum(a, axis=None, dtype=None, out=None, keepdims=False, initial=_UNSET, where=_UNSET):
    """np.nansum(t): the sum of the entries that are not nan, whose gradient is 1 (a nan
    entry's is 0), as the course's regularization cost takes 0 * log(0)."""
    x = _float_dtype("nansum", a, dtype)
    return _sum(ops.where(np.isnan(x), 0.0, x), axis, None, out, keepdims, initial, where)


def _cumsum(a, axis=None, dtype=None, out=None):
    axis = _int_axis("cumsum", axis, True)
    if np.ndim(_data(a)) == 0:  # numpy's np.cumsum(3.0, axis=0) is [3.0], as for axis=None
        ops._axes(axis, 1, "cumsum")  # (0 and -1 are a number's axes, as numpy takes them)
        axis = None
    return ops.cumsum(_float_dtype("cumsum", a, dtype), axis)


def _linalg_norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002  (numpy's name)
    """np.linalg.norm(t): the 2-norm of a vector, the Frobenius norm of a matrix (ord None,
    2 for a vector, "fro" for a matrix); another ord is refused."""
    ndim = len(axis) if isinstance(axis, tuple) else 1 if axis is not None else np.ndim(x)
    if not (ord is None or ord == 2 and ndim == 1 or ord == "fro" and ndim == 2):
        raise TypeError(f"numpy.linalg.norm(ord={ord!r}) over {ndim} axes on a Tensor: only the "
                        "2-norm (of a vector) and the Frobenius norm (of a matrix) have an op: "
                        "al.norm(x, axis)")
    return ops.norm(x, axis, bool(keepdims))


def _mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=_UNSET):
    x = _float_dtype("mean", a, dtype)
    if where is _UNSET:
        return ops.mean(x, axis, bool(keepdims))
    _no_traced_mask("mean", where)
    mask = np.broadcast_to(_data(where), np.shape(_data(x)))
    # the count in x's float (an int64 count made a float32 mean float64; numpy keeps float32)
    count = np.sum(mask, axis=axis, keepdims=bool(keepdims)).astype(np.result_type(
        _data(x), np.float16))
    with np.errstate(invalid="ignore", divide="ignore"):  # an empty selection: nan, as numpy
        return ops.sum(ops.where(mask, x, 0.0), axis, bool(keepdims)) / count


def _spread(name):
    """np.var(t) and np.std(t), numpy's keywords (ddof, or numpy 2's correction)."""
    function = getattr(ops, name)

    def reduce(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=_UNSET,
               mean=_UNSET, correction=_UNSET):
        _refuse(name, where=where, mean=mean)
        return function(_float_dtype(name, a, dtype), axis, keepdims=bool(keepdims),
                        ddof=ddof if correction is _UNSET else correction)
    return reduce


def _extreme(sign):
    name = "max" if sign > 0 else "min"

    def reduce(a, axis=None, out=None, keepdims=False, initial=_UNSET, where=_UNSET):
        x = a if sign > 0 else -ops._tensor(a, name)
        if where is not _UNSET:
            _no_traced_mask(name, where)
        if where is not _UNSET and not np.all(_data(where)):
            if initial is _UNSET:
                raise ValueError(f"numpy.{name}: a where= mask that leaves entries out needs "
                                 "initial= (the value for an empty selection), as in numpy")
            x = ops.where(np.broadcast_to(_data(where), np.shape(_data(x))), x, -np.inf)
        if initial is not _UNSET:
            start = sign * _cast(initial, ops._tensor(x, name))
            if np.size(_data(x)) == 0:
                shape = np.shape(np.max(_data(x), axis=axis, keepdims=bool(keepdims),
                                        initial=start))
                best = Tensor(np.full(shape, start))
            else:
                best = ops.maximum(ops.max(x, axis, bool(keepdims)), start)
        else:
            ops._no_empty_lane(name, x, ops._axes(axis, np.ndim(_data(x)), name))
            best = ops.max(x, axis, bool(keepdims))
        return best if sign > 0 else -best

    return reduce


# ---- shapes -----------------------------------------------------------------------------------

def _memory_order(x, order: str) -> str:
    """numpy's 'A' and 'K': Fortran order for Fortran-only-contiguous data, else C."""
    if order in ("A", "K"):
        d = _data(x)
        return "F" if isinstance(d, np.ndarray) and d.flags.f_contiguous \
            and not d.flags.c_contiguous else "C"
    if order not in ("C", "F"):
        raise ValueError(f"order must be one of 'C', 'F', 'A' or 'K', got {order!r}")
    return order


def _reshape(a, shape=_UNSET, order="C", *, newshape=_UNSET, copy=None):
    shape = newshape if shape is _UNSET else shape
    if order == "K":
        raise ValueError("numpy.reshape: order 'K' is not permitted for reshaping")
    if copy is False:  # numpy's rule: refuse when the result cannot be a view
        np.reshape(_data(a), shape, order=order, copy=False)
    if _memory_order(a, order) == "F":  # fill in Fortran order: reverse, reshape, reverse
        shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
        return ops.transpose(ops.reshape(ops.transpose(a), shape[::-1]))
    return ops.reshape(a, shape)


def _ravel(a, order="C"):
    if _memory_order(a, order) == "F":
        return ops.flatten(ops.transpose(a))
    return ops.flatten(a)


def _joined(func_name, arrays, dtype, casting):
    arrays = list(arrays)
    if dtype is None:
        return arrays
    for x in arrays:
        if not np.can_cast(np.result_type(_data(x)), dtype, casting=casting):
            raise TypeError(f"numpy.{func_name}: cannot cast {np.result_type(_data(x))} to "
                            f"{np.dtype(dtype)} with casting={casting!r}")
    return [_float_dtype(func_name, x, dtype) for x in arrays]


def _int_axis(func_name, axis, allow_none):
    if axis is None and allow_none or isinstance(axis, (int, np.integer)):
        return axis
    raise TypeError(f"numpy.{func_name}: axis must be an integer"
                    f"{' or None' if allow_none else ''}, got {axis!r}")


def _concatenate(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    axis = _int_axis("concatenate", axis, allow_none=True)
    return ops.concatenate(_joined("concatenate", arrays, dtype, casting), axis)


def _stack(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    axis = _int_axis("stack", axis, allow_none=False)
    return ops.stack(_joined("stack", arrays, dtype, casting), axis)


def _hstack(tup, *, dtype=None, casting="same_kind"):
    return ops.hstack(_joined("hstack", tup, dtype, casting))


def _vstack(tup, *, dtype=None, casting="same_kind"):
    return ops.vstack(_joined("vstack", tup, dtype, casting))


def _einsum(*operands, out=None, dtype=None, order="K", casting="safe", optimize=False):
    """np.einsum(subscripts, *operands): ``optimize`` only picks the order of the products."""
    if order != "K":
        _refuse("einsum", order=order)
    subscripts, *tensors = operands
    tensors = _joined("einsum", tensors, dtype, casting)
    return ops.einsum(subscripts, *tensors)


def _where(condition, x=_UNSET, y=_UNSET):
    if x is _UNSET and y is _UNSET:  # np.where(cond): the indices, which have no gradient
        return FUNCTIONS[np.nonzero](condition)
    if x is _UNSET or y is _UNSET:
        raise ValueError("numpy.where: give both x and y, or neither")
    return ops.where(condition, x, y)


def _clip(a, a_min=_UNSET, a_max=_UNSET, out=None, *, min=_UNSET, max=_UNSET,  # noqa: A002
          **ufunc_keywords):
    _refuse("clip", **ufunc_keywords)
    if (min is not _UNSET or max is not _UNSET) and (a_min is not _UNSET
                                                     or a_max is not _UNSET):
        raise ValueError("numpy.clip: give a_min/a_max or min/max, not both (as numpy)")
    lo = min if a_min is _UNSET else a_min
    hi = max if a_max is _UNSET else a_max
    return ops.clip(a, None if lo is _UNSET else lo, None if hi is _UNSET else hi)


def _splitter(equal: bool):
    """np.split (equal sections, or at indices) and np.array_split (sections may differ by
    one): lists of views, each differentiable."""
    name = "split" if equal else "array_split"

    def split(ary, indices_or_sections, axis=0):
        shape = np.shape(_data(ary))
        if not shape:
            raise ValueError(f"numpy.{name}: a 0-d tensor has no axis to split")
        if not ops._index_in(axis, -len(shape) - 1, len(shape) + 1):
            raise TypeError(f"numpy.{name}: axis must be one int, got {axis!r}")
        axis = ops._axes(axis, len(shape), name)[0]
        n = shape[axis]
        if np.ndim(indices_or_sections) == 0:
            k = int(indices_or_sections)  # (numpy's: 2.0 is 2 sections)
            if k <= 0:
                raise ValueError(f"numpy.{name}: the number of sections must be at least 1")
            if equal and n % k:
                raise ValueError(f"numpy.split: an axis of length {n} does not split into {k} "
                                 "equal sections; np.array_split allows unequal ones")
            each, extra = divmod(n, k)
            spans = ops.spans_of([each + 1] * extra + [each] * (k - extra))
        else:  # numpy's: ary[:i0], ary[i0:i1], ..., ary[ik:], as slices take the bounds
            cuts = [operator.index(i) for i in indices_or_sections]
            spans = list(zip([0, *cuts], [*cuts, None]))
        return ops.pieces(ary, spans, axis, name)

    return split


def _trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    _refuse("trace", dtype=dtype, out=out)
    return ops.sum(ops.diagonal(a, offset, axis1, axis2))


UFUNCS = {np.positive: lambda x: ops.new_array(x, x)}
FUNCTIONS = {
    np.sum: _sum, np.nansum: _nansum, np.mean: _mean, np.linalg.norm: _linalg_norm,
    np.var: _spread("var"), np.std: _spread("std"),
    np.max: _extreme(1), np.amax: _extreme(1),
    np.min: _extreme(-1), np.amin: _extreme(-1),
    np.reshape: _reshape, np.ravel: _ravel,
    np.transpose: lambda a, axes=None: ops.transpose(a, axes),
    np.swapaxes: lambda a, axis1, axis2: ops.swapaxes(a, axis1, axis2),
    np.squeeze: lambda a, axis=None: ops.squeeze(a, axis),
    np.expand_dims: lambda a, axis: ops.expand_dims(a, axis),
    np.prod: _prod, np.cumsum: _cumsum,
    np.concatenate: _concatenate, np.stack: _stack, np.hstack: _hstack, np.vstack: _vstack,
    np.where: _where, np.clip: _clip,
    np.outer: lambda a, b, out=None: ops.outer(a, b), np.einsum: _einsum,
    np.tile: lambda A, reps: ops.tile(A, reps),  # noqa: N803  (numpy's name)
    np.dot: lambda a, b, out=None: ops.dot(a, b),
    np.broadcast_to: lambda array, shape, subok=False: ops.broadcast_to(array, shape),
    np.split: _splitter(True), np.array_split: _splitter(False),
    np.flip: lambda m, axis=None: ops.flip(m, axis),
    np.fliplr: lambda m: ops.flip(m, 1), np.flipud: lambda m: ops.flip(m, 0),
    np.tril: lambda m, k=0: ops.tril(m, k), np.triu: lambda m, k=0: ops.triu(m, k),
    np.take_along_axis: lambda arr, indices, axis=-1: ops.take_along_axis(arr, indices, axis),
    np.diagonal: ops.diagonal, np.trace: _trace,
}
for _op in ops.OPS.values():  # every numpy entry of the registry must land somewhere
    for _f in _op.numpy:
        if isinstance(_f, np.ufunc):
            UFUNCS[_f] = _op.function
        elif _f not in FUNCTIONS:
            raise RuntimeError(f"ops.OPS lists numpy.{_f.__name__} for '{_op.name}' but "
                               "numpy_api has no adapter for its keywords")
for _u in (np.greater, np.greater_equal, np.less, np.less_equal, np.equal, np.not_equal,
           np.isfinite, np.isnan, np.isinf, np.sign, np.signbit, np.floor, np.ceil, np.rint,
           np.floor_divide,
           np.logical_not, np.logical_and, np.logical_or, np.logical_xor):
    UFUNCS[_u] = _mask_ufunc(_u)
for _f in (np.shape, np.ndim, np.size, np.result_type,  # shapes and dtypes: fine to trace
           # new arrays of t's shape, whose values do not depend on t's (the course's
           # initialize_velocity and initialize_adam call np.zeros_like(parameters["W1"]))
           np.zeros_like, np.ones_like, np.full_like):
    FUNCTIONS[_f] = _plain(_f)
for _f in (np.argmax, np.argmin, np.allclose, np.isclose, np.array_equal, np.count_nonzero,
           np.round, np.around, np.nonzero):
    FUNCTIONS[_f] = _value_function(_f)
for _f in (np.any, np.all):
    FUNCTIONS[_f] = _value_function(_f, reducing=True)


def _any(self: Tensor, axis: Any = None, keepdims: bool = False) -> Any:
    """Whether any entry is nonzero, as np.any(t): a plain bool or array (no gradient);
    under al.compile a TraceError, since an ``if`` on it would be fixed at the trace."""
    return np.any(self, axis=axis, keepdims=keepdims)


def _all(self: Tensor, axis: Any = None, keepdims: bool = False) -> Any:
    """Whether every entry is nonzero, as np.all(t); a TraceError under al.compile."""
    return np.all(self, axis=axis, keepdims=keepdims)


def _argmax(self: Tensor, axis: int | None = None, keepdims: bool = False) -> Any:
    """Index of the maximum, as np.argmax(t): a plain integer or array (no gradient)."""
    return np.argmax(self, axis=axis, keepdims=keepdims)


def _argmin(self: Tensor, axis: int | None = None, keepdims: bool = False) -> Any:
    """Index of the minimum, as np.argmin(t): a plain integer or array."""
    return np.argmin(self, axis=axis, keepdims=keepdims)


# methods that read values, as numpy and PyTorch spell them: (A > 0.5).any(), t.argmax()
Tensor.any, Tensor.all, Tensor.argmax, Tensor.argmin = _any, _all, _argmax, _argmin

_CUT_OFF = ("on a Tensor has no autograd_lite counterpart; its result would be cut off from "
            "the graph (no gradient). Call it on np.asarray(t) (or t.data) if a plain array "
            "without gradient is what you want")

# what to write instead, for the numpy functions users reach for most that have no op here
_INSTEAD = {
    "repeat": "x[np.repeat(np.arange(len(x)), k)] (al.tile(x, k) repeats the whole tensor)",
    "cumprod": "al.exp(al.cumsum(al.log(x))) for positive x",
    "copy": "t.clone() (a copy in the graph) or t.copy() (a new leaf, no history)",
    "take": "indexing: x[idx] for axis 0, x[:, idx] for np.take(x, idx, axis=1)",
    "moveaxis": "x.transpose(axes), the axes listed in their new order (two: al.swapaxes)",
    "rollaxis": "x.transpose(axes), the axes listed in their new order",
    "roll": "al.concatenate([x[-k:], x[:-k]]) for a shift by k along axis 0",
    "append": "al.concatenate([x, values], axis=...)",
    "column_stack": "al.stack(tensors, axis=1) for vectors, al.concatenate(tensors, axis=1) "
                    "for columns",
    "dstack": "al.stack(tensors, axis=-1) (al.concatenate(..., axis=2) for 3-d ones)",
    "atleast_1d": "x.reshape(-1) or x[None]",
    "atleast_2d": "x[None, :] (a row) or x.reshape(1, -1)",
    "atleast_3d": "x[None, :, None] or a reshape",
    "hsplit": "np.split(x, k, axis=1), which keeps the gradient",
    "vsplit": "np.split(x, k, axis=0), which keeps the gradient",
    "dsplit": "np.split(x, k, axis=2), which keeps the gradient",
}


def _no_counterpart(name: str, what: str = "") -> str:
    instead = _INSTEAD.get(name)
    return (f"numpy.{name}{what} {_CUT_OFF}" + (f". To keep the gradient, write {instead}"
                                                 if instead else ""))


# The learner's ``Y * log(A)`` (Y an array) reaches Tensor.__array_ufunc__; it takes the
# Tensor's reflected operator, as ``log(A) * Y`` takes the plain one (through the general path
# below it cost 19,600 instructions against 11,000).
_REFLECTED = {np.add: Tensor.__radd__, np.subtract: Tensor.__rsub__,
              np.multiply: Tensor.__rmul__, np.true_divide: Tensor.__rtruediv__,
              np.power: Tensor.__rpow__, np.matmul: Tensor.__rmatmul__}


_SYMBOLS = {np.add: "+", np.subtract: "-", np.multiply: "*", np.true_divide: "/",
            np.power: "**", np.matmul: "@"}


def array_ufunc(self, ufunc, method, *inputs, **kwargs):
    """Tensor.__array_ufunc__: np.exp(t), np.add(t, a), ... record the engine's op; a ufunc
    with no counterpart, a method other than __call__ or out= raise a TypeError."""
    if not kwargs and len(inputs) == 2 and inputs[1] is self and method == "__call__":
        reflected = _REFLECTED.get(ufunc)
        if reflected is not None:  # array (op) Tensor: the Tensor's own reflected operator
            return reflected(self, inputs[0])
    out = kwargs.get("out")
    if out is not None:
        if type(out) is tuple and len(out) == 1 and type(out[0]) is np.ndarray and inputs \
                and out[0] is inputs[0] and self is not inputs[0]:  # array += Tensor
            op = _SYMBOLS.get(ufunc, ufunc.__name__)
            raise TypeError(f"a {op}= t, with a a numpy array and t a Tensor: numpy would "
                            "write t's values into a, cut off from the graph. Write a = a "
                            f"{op} t (a new Tensor), or a {op}= t.detach().numpy() for the "
                            "values alone")
        raise TypeError(f"numpy.{ufunc.__name__}(..., out=...) on a Tensor: out= is not "
                        "supported because writing into an array would bypass the graph; "
                        f"assign the result instead (x = np.{ufunc.__name__}(...))")
    if method != "__call__":
        raise TypeError(_no_counterpart(ufunc.__name__, f".{method}"))
    func = UFUNCS.get(ufunc)
    if func is None:
        raise TypeError(_no_counterpart(ufunc.__name__))
    extra = set(kwargs) - {"out"}
    if extra:
        raise TypeError(f"numpy.{ufunc.__name__} on a Tensor: keyword(s) {sorted(extra)} "
                        "are not supported")
    return func(*inputs)


def array_function(self, func, types, args, kwargs):
    """Tensor.__array_function__: np.dot(W, A), np.sum(t, axis=1, keepdims=True), ... record
    the engine's op; a function with no counterpart, or out=, raise a TypeError."""
    impl = FUNCTIONS.get(func)
    if impl is None:
        raise TypeError(_no_counterpart(func.__name__))
    if kwargs.get("out") is not None:
        raise TypeError(f"numpy.{func.__name__}(..., out=...) on a Tensor: out= is not "
                        "supported; assign the result instead")
    return impl(*args, **kwargs)


Tensor.__array_ufunc__ = array_ufunc
Tensor.__array_function__ = array_function
