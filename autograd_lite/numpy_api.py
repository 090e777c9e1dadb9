"""numpy's protocols: np.exp(t), np.dot(W, A) + b, ndarray + Tensor all give Tensors.

A numpy function with an engine counterpart records the op; one without raises a
TypeError rather than quietly returning an array cut off from the graph. Functions
whose result carries no gradient (comparisons, shape queries) return plain arrays.
"""

from __future__ import annotations

import numpy as np

from . import ops
from .tensor import Tensor


def _data(x):
    if isinstance(x, Tensor):
        return x._data
    if isinstance(x, (list, tuple)):
        return type(x)(_data(v) for v in x)
    return x


def _plain(func):
    """A numpy function applied to the data: for results that have no gradient."""
    return lambda *args, **kwargs: func(*_data(args), **{k: _data(v) for k, v in kwargs.items()})


UFUNCS = {
    np.add: ops.add, np.subtract: ops.subtract, np.multiply: ops.multiply,
    np.divide: ops.divide, np.true_divide: ops.divide, np.power: ops.power,
    np.negative: ops.negative, np.exp: ops.exp, np.log: ops.log, np.sqrt: ops.sqrt,
    np.square: ops.square, np.absolute: ops.abs, np.tanh: ops.tanh, np.maximum: ops.maximum,
    np.minimum: ops.minimum, np.matmul: ops.matmul, np.logaddexp: ops.logaddexp,
    np.positive: lambda x: x,
}
for _u in (np.greater, np.greater_equal, np.less, np.less_equal, np.equal, np.not_equal,
           np.isfinite, np.isnan, np.isinf, np.sign, np.signbit, np.floor, np.ceil, np.rint):
    UFUNCS[_u] = _plain(_u)


def _max(a, axis=None, out=None, keepdims=False, **kw):
    return ops.max(a, axis, keepdims)


def _min(a, axis=None, out=None, keepdims=False, **kw):
    return ops.min(a, axis, keepdims)


FUNCTIONS = {
    np.sum: lambda a, axis=None, dtype=None, out=None, keepdims=False, **kw:
        ops.sum(a, axis, keepdims),
    np.mean: lambda a, axis=None, dtype=None, out=None, keepdims=False, **kw:
        ops.mean(a, axis, keepdims),
    np.max: _max, np.amax: _max, np.min: _min, np.amin: _min,
    np.reshape: lambda a, shape=None, order="C", **kw: ops.reshape(a, kw.get("newshape", shape)),
    np.transpose: lambda a, axes=None: ops.transpose(a, axes),
    np.swapaxes: ops.swapaxes, np.squeeze: ops.squeeze, np.expand_dims: ops.expand_dims,
    np.concatenate: lambda arrays, axis=0, out=None, **kw: ops.concatenate(arrays, axis),
    np.stack: lambda arrays, axis=0, out=None, **kw: ops.stack(arrays, axis),
    np.where: ops.where, np.clip: lambda a, a_min=None, a_max=None, out=None, **kw:
        ops.clip(a, kw.get("min", a_min), kw.get("max", a_max)),
    np.dot: lambda a, b, out=None: ops.dot(a, b), np.broadcast_to: ops.broadcast_to,
    np.shape: _plain(np.shape), np.ndim: _plain(np.ndim), np.size: _plain(np.size),
    np.argmax: _plain(np.argmax), np.argmin: _plain(np.argmin),
    np.allclose: _plain(np.allclose), np.isclose: _plain(np.isclose),
    np.array_equal: _plain(np.array_equal), np.count_nonzero: _plain(np.count_nonzero),
    np.round: _plain(np.round), np.around: _plain(np.round),
    np.result_type: _plain(np.result_type),
}

_CUT_OFF = ("on a Tensor has no autograd_lite counterpart; its result would be cut off from "
            "the graph (no gradient). Call it on np.asarray(t) (or t.data) if a plain array "
            "without gradient is what you want")


def array_ufunc(self, ufunc, method, *inputs, **kwargs):
    if kwargs.get("out") is not None:
        raise TypeError(f"numpy.{ufunc.__name__}(..., out=...) on a Tensor: out= is not "
                        "supported because writing into an array would bypass the graph; "
                        "assign the result instead (x = np.{ufunc.__name__}(...))")
    if method != "__call__":
        raise TypeError(f"numpy.{ufunc.__name__}.{method} {_CUT_OFF}")
    func = UFUNCS.get(ufunc)
    if func is None:
        raise TypeError(f"numpy.{ufunc.__name__} {_CUT_OFF}")
    extra = set(kwargs) - {"out"}
    if extra:
        raise TypeError(f"numpy.{ufunc.__name__} on a Tensor: keyword(s) {sorted(extra)} "
                        "are not supported")
    return func(*inputs)


def array_function(self, func, types, args, kwargs):
    impl = FUNCTIONS.get(func)
    if impl is None:
        raise TypeError(f"numpy.{func.__name__} {_CUT_OFF}")
    if kwargs.get("out") is not None:
        raise TypeError(f"numpy.{func.__name__}(..., out=...) on a Tensor: out= is not "
                        "supported; assign the result instead")
    return impl(*args, **kwargs)


Tensor.__array_ufunc__ = array_ufunc
Tensor.__array_function__ = array_function
