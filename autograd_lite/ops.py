"""The op table: primitives (forward + one VJP per input) and composites built from them.

VJP arguments: ``g`` upstream gradient, ``ans`` the op's output, then the op's inputs.
Broadcasting is not handled here: the engine reduces every VJP to its input's shape.
Only primitives have derivative rules; a composite is differentiated through its parts.
At the bottom, ``OPS`` lists every public op with the surfaces it has (``al.f(t)``,
``t.f()``, ``np.f(t)``, an operator, the command line's expressions); the Tensor methods,
numpy's dispatch and the expression language are all made from it.
"""

from __future__ import annotations

import builtins
import dataclasses
import functools
import inspect
import operator
import types
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np

from .modes import OpValueError
from .modes import current_mode as _current_mode
from .tensor import (
    PRIMITIVES,
    Primitive,
    Tensor,
    _apply_one,
    _flag,
    _input_data,
    _numbering,
    apply,
    binary_method,
    identity_vjp,
)
from .tracing import nondiff
from .writes import frozen_index, inplace_method

ArrayLike = Any  # a Tensor, a numpy array, a list or a number


class _PerInput:
    """VJPs of a variadic op: ``vjps[i]`` is ``rule(i, g, ans, *inputs, **kw)``."""

    def __init__(self, rule):
        self.rule = rule

    def __getitem__(self, i):
        return functools.partial(self.rule, i)


def defprim(name: str, forward, *vjps, view: bool = False) -> Primitive:
    """Register a built-in primitive (user ops: ``autograd_lite.custom_op``).
    ``view``: the output may be a view of the first input (see Primitive)."""
    prim = Primitive(name, forward, *vjps, user_defined=False, view=view)
    if len(vjps) == 1 and isinstance(vjps[0], _PerInput):
        prim.vjps, prim.arity = vjps[0], None  # variadic: one rule for every input
    PRIMITIVES[name] = prim
    return prim


def _public(prim: Primitive, doc: str) -> Any:
    """The function users call for a built-in primitive (``al.tanh(t)``, ``t.tanh()``): a
    plain function, because calling the Primitive object costs ~1,800 instructions more a
    call (Python's ``__call__`` on an instance; callgrind). The Primitive stays in
    PRIMITIVES, and the function's ``primitive`` attribute names it."""
    assert not prim.view and prim.arity in (1, 2), "for elementwise ops and matmul"
    if prim.arity == 1:
        def op(x: ArrayLike) -> Tensor:
            return _apply_one(prim, x) if type(x) is Tensor else apply(prim, (x,))
    else:
        method = binary_method(prim)

        def op(x: ArrayLike, y: ArrayLike) -> Tensor:
            if type(x) is Tensor or type(y) is Tensor:
                return method(x, y)
            return apply(prim, (x, y))  # numbers or arrays: a float Tensor all the same
    op.__name__ = op.__qualname__ = prim.name
    op.__doc__, op.primitive = doc, prim  # type: ignore[attr-defined]
    return op


def _val(x):
    return x._data if type(x) is Tensor else x


def _axes(axis, ndim, op="axis"):
    """Normalise ``axis`` to a sorted tuple of non-negative ints (or None for all)."""
    if axis is None:
        return None
    axes = (axis,) if type(axis) is int or np.ndim(axis) == 0 else tuple(axis)  # np.array(0)
    out = set()
    for a in axes:
        if isinstance(a, (bool, np.bool_)):  # numpy refuses them too; t.var(False) is
            raise TypeError(f"{op}: axis {a!r} is a bool, not an axis (PyTorch's positional "
                            "unbiased? write unbiased= or ddof=)")  # PyTorch's unbiased
        try:
            a = operator.index(a)  # an int: 1.5 is no axis
        except TypeError:
            raise TypeError(f"{op}: axis must be an int or a tuple of ints, got {axis!r}") from None
        if not -builtins.max(ndim, 1) <= a < builtins.max(ndim, 1):
            raise np.exceptions.AxisError(f"{op}: axis {a} is out of range for a tensor with "
                                          f"{ndim} dimensions")
        out.add(a % builtins.max(ndim, 1))
    if len(out) != len(axes):
        raise ValueError(f"{op}: repeated axis in {axis!r}")
    return None if ndim == 0 else tuple(sorted(out))  # 0-d: axis 0 or -1 is all of it (PyTorch)


def _keep(g, shape, axis, keepdims):
    """Reshape a reduction's result (or its gradient) to the keepdims shape."""
    if keepdims:
        return g
    if axis is None:
        return g.reshape((1,) * len(shape))
    return g.reshape(tuple(1 if i in axis else n for i, n in enumerate(shape)))


# ---- elementwise arithmetic ------------------------------------------------------
# Forwards are the operator module's functions, not lambdas: the same Python operator, and
# no Python frame (chain: 1.6 % fewer instructions an op, expr 1.3 %; callgrind).
add = _public(defprim("add", operator.add, identity_vjp, identity_vjp),
              "``x + y``, elementwise, broadcast as numpy does; same as the + operator.")
# subtract and divide are primitives so that a - b and a / b draw as one node.
subtract = _public(defprim("subtract", operator.sub, identity_vjp,
                           lambda g, ans, x, y: -g),
                   "``x - y``, elementwise, broadcast as numpy does.")
multiply = _public(defprim("multiply", operator.mul,
                           lambda g, ans, x, y: g * y,
                           lambda g, ans, x, y: g * x),
                   "``x * y``, elementwise, broadcast as numpy does.")
divide = _public(defprim("divide", operator.truediv,
                         lambda g, ans, x, y: g / y,
                         lambda g, ans, x, y: -g * ans / y),
                 "``x / y``, elementwise, broadcast as numpy does.")
negative = _public(defprim("negative", operator.neg, lambda g, ans, x: -g),
                   "``-x``, elementwise; the shape of x.")


def _as_precise(v, ans):
    """A constant of lower precision than the result (a float16 exponent with a float64
    base) in the result's dtype: y - 1 and log x computed in float16 lost 1e-4."""
    if type(v) is not Tensor and isinstance(v, (np.ndarray, np.generic)) \
            and v.dtype.itemsize < ans.dtype.itemsize:
        return v.astype(ans.dtype)
    return v


def _dpow_dbase(g, ans, x, y):
    # y x**(y-1), taken as 0 where y == 0: 0 ** -1 must not make 0 * inf at x = 0. The
    # masked exponent keeps the next order right too (x ** 1 -> 1 * x ** 0 -> 0).
    y = _as_precise(y, ans)
    yv = _val(y)
    if ((yv != 0).all() if type(yv) is np.ndarray else yv != 0):
        return g * y * x ** (y - 1)
    zero = yv == 0
    return g * np.where(zero, 0.0, y * x ** np.where(zero, 1.0, y - 1))


def _dpow_dexp(g, ans, x, y):
    x = _as_precise(x, ans)
    pos = _val(x) > 0  # d(x**y)/dy = x**y log x, taken as 0 where x <= 0
    return g * np.where(pos, ans, 0) * np.log(np.where(pos, x, 1))


power = _public(defprim("power", operator.pow, _dpow_dbase, _dpow_dexp),
                "``x ** y``, elementwise, broadcast; d/dy is taken as 0 where x <= 0.")
# x % y = x - y floor(x / y), with floor(x / y) constant between its jumps (PyTorch's rule)
remainder = _public(defprim("remainder", operator.mod, identity_vjp,
                            lambda g, ans, x, y: -g * np.floor_divide(_val(x), _val(y))),
                    "``x % y``, elementwise, with the sign of y (Python's and numpy's); "
                    "d/dx is 1, d/dy is -floor(x / y).")

# ---- elementwise functions --------------------------------------------------------
exp = _public(defprim("exp", np.exp, lambda g, ans, x: g * ans),
              "e to the x, elementwise; the shape of x.")
log = _public(defprim("log", np.log, lambda g, ans, x: g / x),
              "Natural logarithm, elementwise; the shape of x.")
# log1p and expm1 are primitives for accuracy: log(1 + x) loses x when |x| < 1e-16
log1p = _public(defprim("log1p", np.log1p, lambda g, ans, x: g / (1 + x)),
                "log(1 + x), elementwise, exact for tiny x; the shape of x.")
expm1 = _public(defprim("expm1", np.expm1, lambda g, ans, x: g * (ans + 1)),
                "exp(x) - 1, elementwise, exact for tiny x; the shape of x.")
tanh = _public(defprim("tanh", np.tanh, lambda g, ans, x: g * (1 - ans * ans)),
               "Hyperbolic tangent, elementwise; the shape of x.")
sin = _public(defprim("sin", np.sin, lambda g, ans, x: g * np.cos(x)),
              "Sine of x in radians, elementwise; the shape of x.")
cos = _public(defprim("cos", np.cos, lambda g, ans, x: -(g * np.sin(x))),
              "Cosine of x in radians, elementwise; the shape of x.")
# Below these, exp(-x) overflows (log of the dtype's largest number, rounded down)
_EXP_SAFE = {np.dtype(np.float64): -709.0, np.dtype(np.float32): -88.0,
             np.dtype(np.float16): -11.0}


_min = np.minimum.reduce  # x.min() without its Python layer: 1,000 instructions less


def _stable_sigmoid(x):
    # 1 / (1 + exp(-x)) where exp(-x) cannot overflow (almost always: one min() tells), else
    # the overflow-free form. The first is 3x as fast as exp(-logaddexp(0, -x)) was
    # (flower step's (1, 400): 11.1 -> 3.8 us; the rest of the step took 40).
    if type(x) is not np.ndarray and not isinstance(x, np.generic):
        x = np.asarray(x)  # a float, a memmap or another ndarray subclass
    low = _min(x, None) if type(x) is np.ndarray and x.size > 1 else (x if x.size else 0.0)
    if low > _EXP_SAFE.get(x.dtype, -88.0):
        return 1 / (1 + np.exp(-x))
    e = np.exp(-np.abs(x))  # in (0, 1]: x >= 0 gives 1 / (1 + e), x < 0 gives e / (1 + e)
    return np.where(x >= 0, 1, e) / (1 + e)


# sigmoid is a primitive for stability (see _stable_sigmoid)
sigmoid = _public(defprim("sigmoid", _stable_sigmoid, lambda g, ans, x: g * ans * (1 - ans)),
                  "1 / (1 + exp(-x)), elementwise, without overflow; the shape of x.")
abs = _public(defprim("abs", np.abs, lambda g, ans, x: g * np.sign(x)),  # noqa: A001
              "Absolute value, elementwise; derivative sign(x) (0 at 0).")


def _share(x, y, ties=0.5):
    x, y = _val(x), _val(y)
    return (x > y) + ties * (x == y) if ties else x > y  # ties split the gradient evenly


def _extremum(prim: Primitive, doc: str) -> Any:
    """maximum or minimum: a tie between two tensors splits the gradient; against a
    constant (a number or an array: ``np.maximum(0, Z)``, the course's relu) the tensor
    gets 0 there, relu's and the course's convention (dZ[Z <= 0] = 0). A tie split in half
    gave the course's Adam on moons, run on Tensors, 93.0 % for its 94.33 %."""
    of_tensors = _public(prim, doc)

    def op(x: ArrayLike, y: ArrayLike) -> Tensor:
        if (type(x) is Tensor) == (type(y) is Tensor):
            return of_tensors(x, y)
        return apply(prim, (x, y), {"ties": 0.0})
    op.__name__ = op.__qualname__ = prim.name
    op.__doc__, op.primitive = doc, prim  # type: ignore[attr-defined]
    return op


# minimum is a primitive too, not -maximum(-x, -y): that drew minimum(Z) without its
# constant, wrote -np.maximum(-(W @ X), -0.5) in generated code, and gave -0 where numpy +0
maximum = _extremum(defprim("maximum", lambda x, y, ties=0.5: np.maximum(x, y),
                            lambda g, ans, x, y, ties=0.5: g * _share(x, y, ties),
                            lambda g, ans, x, y, ties=0.5: g * _share(y, x, ties)),
                    "Elementwise maximum, broadcast. At a tie between two tensors each gets "
                    "half the gradient; against a constant (np.maximum(0, Z), the course's "
                    "relu) the tensor gets 0, relu's convention.")
minimum = _extremum(defprim("minimum", lambda x, y, ties=0.5: np.minimum(x, y),
                            lambda g, ans, x, y, ties=0.5: g * _share(y, x, ties),
                            lambda g, ans, x, y, ties=0.5: g * _share(x, y, ties)),
                    "Elementwise minimum, broadcast. At a tie between two tensors each gets "
                    "half the gradient; against a constant the tensor gets 0.")
# logaddexp is a primitive for stability: log(exp(x) + exp(y)) without overflow. Its
# derivative exp(x - ans) is sigmoid(x - y): x - ans lost eps * |ans| (float32 at 1e4: 4e-4).
logaddexp = _public(defprim("logaddexp", np.logaddexp,
                            lambda g, ans, x, y: g * _sigmoid_any(x - y),
                            lambda g, ans, x, y: g * _sigmoid_any(y - x)),
                    "log(exp(x) + exp(y)) without overflow, elementwise, broadcast.")
# relu is a primitive for speed: np.where on a random mask is ~8x slower than maximum and a
# multiply by the mask. Derivative 0 at x = 0 (the course's convention).
relu = _public(defprim("relu", lambda x: np.maximum(x, 0),
                       lambda g, ans, x: g * (_val(x) > 0)),
               "max(x, 0), elementwise; derivative 0 at x = 0 (the course's convention).")
_where = defprim("where", np.where, None,
                 lambda g, ans, c, x, y: np.where(c, g, 0),
                 lambda g, ans, c, x, y: np.where(c, 0, g))

# ---- losses ---------------------------------------------------------------------------


def _bce_logits_forward(z, y):
    # softplus(z) - y z with softplus(z) = max(z, 0) + log1p(exp(-|z|)): no cancellation for
    # a confident right answer (np.logaddexp(0, z) - y * z lost eps * |z|: 0 for float32 at
    # z = 15, y = 1, where the cost is 3e-7). Faster too, np.logaddexp being a slow ufunc:
    # 4.9 us for 5.8 at the flower's (1, 400), timeit medians of 7 alternating rounds
    losses = np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z)))
    return losses.sum() / losses.size  # not np.mean: flower step 1.95x numpy's time, not 2.1x


def _dbce_dz(g, ans, z, y):
    d = _sigmoid_any(z) - y  # shape of z and y broadcast: the entries averaged over
    return d * (g / d.size)


def _dbce_dy(g, ans, z, y):
    d = 0 * y - z
    return d * (g / d.size)


# A primitive for speed and stability: one node instead of five, gradient exactly
# (sigmoid(z) - y) / size, the course's dz = a - y.
_bce_logits = defprim("binary_cross_entropy_with_logits", _bce_logits_forward,
                      _dbce_dz, _dbce_dy)


def _clipped(p):
    eps = np.finfo(np.result_type(_val(p))).eps  # p's own: float32's left float16's 1 - p at 0
    return np.clip(p, eps, 1 - eps)


def _bce_forward(p, y):
    pc = _clipped(probabilities(p))  # p of exactly 0 or 1: a large finite cost, not inf
    losses = y * np.log(pc) + (1 - y) * np.log(1 - pc)
    return -(losses.sum() / losses.size)


def _dbce_dp(g, ans, p, y):
    # -y/p + (1-y)/(1-p) = (p - y) / (p (1 - p)) at p itself, not clipped: the clip's zero
    # slope gave a sigmoid saturated at 1e-20 no gradient, where dz is a - y = -1; a floor of
    # eps² on p (1 - p) keeps p = 0 and 1 finite, and exact down to p = 5e-32 in float64
    d = p - y
    least = np.finfo(np.result_type(_val(p))).eps ** 2  # not tiny: 1/tiny * 5 overflows
    return d / np.maximum(p * (1 - p), least) * (g / d.size)


def _dbce_dlabel(g, ans, p, y):
    pc = _clipped(p)
    d = np.log(1 - pc) - np.log(pc) + 0 * y  # (the entries averaged over: p and y broadcast)
    return d * (g / d.size)


_bce = defprim("binary_cross_entropy", _bce_forward, _dbce_dp, _dbce_dlabel)


def _sigmoid_any(z):  # inside a VJP: numpy on arrays, a recorded op on Tensors
    return sigmoid(z) if type(z) is Tensor else _stable_sigmoid(z)


# ---- reductions -----------------------------------------------------------------
_FILL_MAX = 1 << 16  # entries: up to this, the gradient of a full sum is a filled array


def _dsum(g, ans, x, axis=None, keepdims=False):
    if axis is None and x.size <= _FILL_MAX and type(g) is not Tensor:  # (create_graph: a view)
        # np.full costs 9,600 instructions to np.broadcast_to's 30,600 (with the reshape) at
        # the flower's (1, 400), and ops on its contiguous array run twice as fast; a view
        # keeps a big array's gradient from taking memory
        return np.full(x.shape, g)
    return np.broadcast_to(_keep(g, x.shape, axis, keepdims), x.shape)


_sum = defprim("sum", lambda x, axis=None, keepdims=False: x.sum(axis=axis, keepdims=keepdims),
               _dsum)


def _dmax(g, ans, x, axis=None, keepdims=False):
    mask = _val(x) == _val(_keep(ans, x.shape, axis, keepdims))
    share = mask / mask.sum(axis=axis, keepdims=True)  # ties share the gradient evenly
    return _keep(g, x.shape, axis, keepdims) * share


_max = defprim("max", lambda x, axis=None, keepdims=False: x.max(axis=axis, keepdims=keepdims),
               _dmax)


def _dnorm(g, ans, x, axis=None, keepdims=False):
    norm = _keep(ans, x.shape, axis, keepdims)
    # x / ||x||, and 0 where the norm is 0: its kink (PyTorch's choice), and where x's squares
    # underflow (x = 1e-200 would give x / 1 = x)
    return _keep(g, x.shape, axis, keepdims) * np.where(norm == 0, 0.0,
                                                        x / np.where(norm == 0, 1.0, norm))


_norm = defprim("norm", lambda x, axis=None, keepdims=False: np.sqrt(
    np.sum(np.square(x), axis=axis, keepdims=keepdims)), _dnorm)

# ---- linear algebra ------------------------------------------------------------------


def _dmatmul_x(g, ans, x, y):
    if x.ndim == 2 and y.ndim == 2:  # the common case, first
        return g @ y.T
    if y.ndim == 1:  # (..., n) @ (n,) -> (...)
        return g[..., None] * y
    if x.ndim == 1:  # (n,) @ (..., n, k) -> (..., k)
        return np.matmul(y, g[..., None])[..., 0]
    return np.matmul(g, y.swapaxes(-1, -2))


def _dmatmul_y(g, ans, x, y):
    if x.ndim == 2 and y.ndim == 2:
        return x.T @ g
    if x.ndim == 1:
        return x * g if y.ndim == 1 else x[:, None] * g[..., None, :]
    if y.ndim == 1:
        return np.matmul(x.swapaxes(-1, -2), g[..., None])[..., 0]
    return np.matmul(x.swapaxes(-1, -2), g)


matmul = _public(defprim("matmul", np.matmul, _dmatmul_x, _dmatmul_y),
                 "``x @ y``: (n, k) @ (k, m) -> (n, m), numpy's rules for vectors and stacks.")

# ---- shapes and indexing ----------------------------------------------------------------
_reshape = defprim("reshape", lambda x, shape: x.reshape(shape),
                   lambda g, ans, x, shape: g.reshape(x.shape), view=True)
_transpose = defprim("transpose", lambda x, axes: x.transpose(axes),
                     lambda g, ans, x, axes: g.transpose(tuple(int(i) for i in np.argsort(axes))),
                     view=True)
_broadcast_to = defprim("broadcast_to", lambda x, shape: np.broadcast_to(x, shape),
                        identity_vjp, view=True)  # the engine sums g back to x's shape
_astype = defprim("astype", lambda x, dtype: x.astype(dtype),
                  lambda g, ans, x, dtype: g.astype(x.dtype))


def _is_advanced(index):
    items = index if isinstance(index, tuple) else (index,)
    return builtins.any(isinstance(i, (list, np.ndarray)) for i in items)


def _scatter_forward(v, index, shape):
    out = np.zeros(shape, dtype=np.result_type(v))
    if _is_advanced(index):
        np.add.at(out, index, v)  # repeated indices accumulate
    else:
        out[index] = v
    return out


# index_add is getitem's adjoint: each is the other's VJP, so both orders differentiate.
index_add = defprim("index_add", _scatter_forward,
                    lambda g, ans, v, index, shape: g[index])
_getitem = defprim("getitem", lambda x, index: x[index],
                   lambda g, ans, x, index: (index_add(g, index=index, shape=x.shape)
                                             if type(g) is Tensor
                                             else _scatter_forward(g, index, x.shape)),
                   view=True)


def _dconcat(i, g, ans, *xs, axis):
    start = builtins.sum(x.shape[axis] for x in xs[:i])
    return g[(slice(None),) * axis + (slice(start, start + xs[i].shape[axis]),)]


_concatenate = defprim("concatenate", lambda *xs, axis: np.concatenate(xs, axis=axis),
                       _PerInput(_dconcat))


# ---- products and running sums -----------------------------------------------------------

def _dprod(g, ans, x, axis=None, keepdims=False):
    """Each entry's gradient is the product of the others in its lane: ans / x where the lane
    has no zero; where it has one zero, that zero gets the product of the rest (the others
    0), and with two or more, all get 0 (PyTorch's rule; ans / x would give nan)."""
    g = _keep(g, x.shape, axis, keepdims)
    if type(x) is Tensor:  # create_graph: a form whose own derivative is right at zeros too
        return g * _products_of_the_others(x, axis)
    # the products before and after each entry, multiplied: no division, so zeros need no
    # case, and a product that under- or overflows (1e-200 * 1e-200 * 1e200) does not make
    # ans / x 0 or inf where the others' product is 1
    lanes, back = _as_lanes(x, axis)
    if lanes.shape[-1] == 0:
        return g * np.zeros_like(x)
    ones = np.ones(lanes.shape[:-1] + (1,), lanes.dtype)
    before = np.cumprod(np.concatenate([ones, lanes[..., :-1]], -1), -1)
    after = np.cumprod(np.concatenate([ones, lanes[..., :0:-1]], -1), -1)[..., ::-1]
    return g * back(before * after)


def _as_lanes(x, axis):
    """x with the reduced axes last, as one (..., k), and the function that puts an array of
    that shape back in x's order and shape."""
    axes = tuple(range(np.ndim(x))) if axis is None else axis
    kept = tuple(i for i in range(np.ndim(x)) if i not in axes)
    order, shape = kept + axes, np.shape(x)
    k = int(np.prod([shape[i] for i in axes]))  # (not -1: a kept axis may have length 0)
    lanes = np.reshape(np.transpose(x, order), tuple(shape[i] for i in kept) + (k,))
    return lanes, lambda a: np.transpose(np.reshape(a, tuple(shape[i] for i in order)),
                                         tuple(np.argsort(order)))


def _products_of_the_others(x: Tensor, axis) -> Tensor:
    """Entry i of each lane: the product of the lane's other entries, as the product of a
    (k, k) matrix per lane whose diagonal is 1 (k² memory: for create_graph only)."""
    lanes, back = _as_lanes(x, axis)  # (np.transpose, np.reshape: recorded on a Tensor)
    k = lanes.shape[-1]
    return back(prod(where(np.eye(k, dtype=bool), 1.0, expand_dims(lanes, -2)), -1))


_prod = defprim("prod", lambda x, axis=None, keepdims=False: x.prod(axis=axis,
                                                                    keepdims=keepdims),
                _dprod)


def _reversed_along(axis: int) -> tuple:
    return (slice(None),) * axis + (slice(None, None, -1),)


def _dcumsum(g, ans, x, axis):
    flip = _reversed_along(axis)  # entry i feeds the running sums i, i+1, ... to the end
    return np.cumsum(g[flip], axis)[flip]


_cumsum = defprim("cumsum", lambda x, axis: np.cumsum(x, axis=axis), _dcumsum)


def _einsum_parts(subscripts: str, n: int) -> tuple[list[str], str]:
    """'ij,jk->ik' as (['ij', 'jk'], 'ik'); without '->', numpy's implicit output (the
    letters used once, in alphabetical order)."""
    inputs, arrow, output = subscripts.replace(" ", "").partition("->")
    parts = inputs.split(",")
    letters = "".join(parts)
    if not arrow:
        output = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    if len(parts) != n:
        raise ValueError(f"einsum: the subscripts {subscripts!r} name {len(parts)} "
                         f"operand{'s' * (len(parts) != 1)}, and {n} were given")
    if not all(c.isascii() and c.isalpha() for c in letters + output):
        raise ValueError(f"einsum({subscripts!r}): name every axis with a letter ('...' is "
                         "not supported here)")
    unknown = sorted(set(output) - set(letters))
    if unknown or len(set(output)) != len(output):
        raise ValueError(f"einsum({subscripts!r}): each output letter must name an input's "
                         "axis, once" + (f" ({', '.join(unknown)} names none)" if unknown
                                         else f" ({output!r} repeats one)"))
    twice = [p for p in parts if len(set(p)) != len(p)]
    if twice:
        raise ValueError(f"einsum({subscripts!r}): {twice[0]!r} repeats a letter (a "
                         "diagonal or a trace), which has no gradient rule here; multiply by "
                         "np.eye(n) and sum instead (the trace of x: al.sum(x * np.eye(n)))")
    return parts, output


def _deinsum(i, g, ans, *xs, subscripts):
    """Operand i's gradient is the einsum of g with the other operands, back to operand i's
    letters; a letter only operand i has was summed, so g spreads along it."""
    parts, output = _einsum_parts(subscripts, len(xs))
    others = parts[:i] + parts[i + 1:]
    reached = set(output).union(*others)
    mine = parts[i]
    kept = "".join(c for c in mine if c in reached)
    d = np.einsum(",".join([output, *others]) + "->" + kept, g, *xs[:i], *xs[i + 1:])
    if kept != mine:
        d = np.expand_dims(d, tuple(k for k, c in enumerate(mine) if c not in reached))
    # spread along an axis summed here alone, or where numpy broadcast a length-1 axis of
    # another operand; where this operand's axis had length 1, the engine sums back
    return np.broadcast_to(d, np.broadcast_shapes(np.shape(d), np.shape(xs[i])))


_einsum = defprim("einsum", lambda *xs, subscripts: np.einsum(subscripts, *xs),
                  _PerInput(_deinsum), view=True)  # ('ij->ji' gives a view, as transpose)


# ======================================================================================
# Composite calls. A composite records only its primitives. ``@composite`` also leaves, on
# the output of each call it made while recording, a mark in ``_scope`` after the user's
# scope names (a tuple, where scope names are strings):
#     (Composite, start, ids of the arguments, options given by position, by keyword)
# The tensors the call made are then exactly those the output depends on that are newer
# than ``start`` (its inputs existed before the call), which is how a diagram draws the call
# as one node. Marking costs a counter read and two small tuples per call; nothing is walked.
# ======================================================================================

_OPTION_TYPES = frozenset({int, float, bool, str, tuple, type(None), np.float64, np.float32,
                           np.int64})


class Composite:
    """A composite op as diagrams see it: ``name``, the public ``function``, its
    ``parameters`` (names, in order) and ``first_option``, the position of the first
    parameter that is not an input (an ArrayLike, or a list of them: ``tensors``): ``axis``,
    ``a_min``, ``reps``."""

    __slots__ = ("name", "function", "parameters", "first_option")

    def __init__(self, function) -> None:
        parameters = inspect.signature(function).parameters.values()
        self.name = function.__name__
        self.function = function
        self.parameters = tuple(p.name for p in parameters)
        self.first_option = next((i for i, p in enumerate(parameters)  # (annotations are
                                  if p.annotation != "ArrayLike" and p.name != "tensors"),  # text)
                                 len(self.parameters))

    def __repr__(self) -> str:
        return f"<Composite {self.name}>"


def composite(function):
    """Mark ``function`` (built from primitives) as a composite op: each call whose output
    is recorded leaves a mark on that output (see above). Options (the arguments from
    ``first_option`` on, and keywords) are kept when they are numbers, strings, tuples or
    None, else replaced by None; of the other arguments only the ``id`` is kept, so a freed
    graph holds on to no array."""
    spec = Composite(function)
    first = spec.first_option
    # inputs that take one array: a list of Tensors there is refused before numpy reads it
    # (np.result_type([a, b]) cut a and b off with a CutOffWarning first)
    arrays = tuple(i for i, p in enumerate(spec.parameters[:first]) if p != "tensors")

    @functools.wraps(function)
    def call(*args, **kwargs):
        _refuse_non_arrays(spec.name, args, arrays)
        start = next(_numbering)  # every tensor made from here on has a larger _seq
        out = function(*args, **kwargs)
        if type(out) is Tensor and out._op is not None and out._seq > start:
            given = args[first:]
            if given and not _OPTION_TYPES.issuperset(map(type, given)):
                given = tuple(map(_option, given))
            inputs = tuple(map(_ids, args[:first])) + tuple(map(id, given))  # (reps=(2, 1): one)
            out._scope += ((spec, start, inputs, given, _keywords(kwargs) if kwargs else ()),)
        return out

    call.composite = spec
    return call


def _refuse_non_arrays(name: str, args: tuple, positions: tuple) -> None:
    """A list or tuple holding a Tensor, given at ``positions`` (where one array goes), is
    refused (by _input_data, naming al.stack) before numpy reads it and cuts it off; so is
    what is no array (None, a string), by the composite's name, not its first primitive's
    (al.sqrt(None) said "power")."""
    for i in positions:
        if i < len(args) and type(args[i]) not in _ARRAY_TYPES:
            _input_data(args[i], name)


_ARRAY_TYPES = (Tensor, np.ndarray, float, int)  # (the usual ones: no check)


def _option(v) -> Any:
    """An option as a diagram keeps it: a number, string or tuple (a list of numbers as a
    tuple), else None (an array: no reference to it is kept)."""
    if type(v) is list and _OPTION_TYPES.issuperset(map(type, v)):
        return tuple(v)
    return v if type(v) in _OPTION_TYPES else None


def _ids(arg) -> Any:
    """An argument's id, or its items' ids for a list of them (hstack([a, a])), as a tuple."""
    return tuple(map(id, arg)) if type(arg) is list or type(arg) is tuple else id(arg)


def _keywords(kwargs: dict) -> tuple:
    if _OPTION_TYPES.issuperset(map(type, kwargs.values())):
        return tuple(kwargs.items())
    return tuple((k, _option(v)) for k, v in kwargs.items())


# ======================================================================================
# Public functions (numpy names and conventions). Composites need no derivative rule.
# ======================================================================================


def where(condition: ArrayLike, x: ArrayLike, y: ArrayLike) -> Tensor:
    """Elementwise ``x`` where ``condition`` else ``y``; all broadcast together."""
    if type(condition) is Tensor and _traced(condition):  # a mask of al.compile's trace
        if condition._data.dtype != bool:
            condition = nondiff(np.not_equal, condition, 0)  # as np.asarray(c, dtype=bool)
        return apply(_where, (condition, x, y))
    return apply(_where, (np.asarray(_val(condition), dtype=bool), x, y))


def _traced(t: Tensor) -> bool:
    """Whether ``t`` is a value of the function al.compile is tracing."""
    trace = _current_mode().trace
    return trace is not None and id(t) in trace.known


def sum(x: ArrayLike, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Sum over ``axis`` (int, tuple or None for all): shape (n, m) -> (n,) for axis=1,
    (n, 1) with keepdims=True (the course's db = sum(dZ, axis=1, keepdims=True))."""
    if axis is None and keepdims is False and type(x) is Tensor:  # the cost's .sum(): the
        return _apply_one(_sum, x)  # defaults, no keywords; 0.7 us of its 1.7 us less
    return apply(_sum, (x,), {"axis": None if axis is None else _axes(axis, np.ndim(_val(x)),
                                                                        "sum"),
                              "keepdims": keepdims})


@composite
def mean(x: ArrayLike, axis=None, keepdims: bool = False) -> Tensor:
    """Mean over ``axis``: the sum divided by the number of entries summed (float16 summed
    in float32, as numpy's mean does: 1,000 entries of 100 overflowed float16's sum)."""
    data = _val(x)
    shape = np.shape(data)
    axes = _axes(axis, len(shape), "mean")
    if getattr(data, "dtype", None) == np.float16:
        return astype(mean(astype(x, np.float32), axes, keepdims), np.float16)
    return sum(x, axes, keepdims) / float(_count(shape, axes))


def _count(shape: tuple, axes: tuple | None) -> int:
    """How many entries a reduction over ``axes`` (None: all) takes together."""
    return int(np.prod([shape[a] for a in axes]) if axes is not None else np.prod(shape))


@composite
def var(x: ArrayLike, axis=None, *, keepdims: bool = False, ddof: int = 0) -> Tensor:
    """Variance over ``axis``, as numpy's: the mean squared distance from the mean, over
    count - ddof (ddof=0; PyTorch's default is ddof=1, unbiased). (n, m) -> (n,) for axis=1.
    keepdims and ddof are keywords: PyTorch's t.var(1, True) means unbiased, not keepdims."""
    x = _tensor(x, "var")
    axes = _axes(axis, x.ndim, "var")
    centered = x - mean(x, axes, keepdims=True)
    # numpy's max(n - ddof, 0): inf (or nan) where ddof >= n, never a negative variance
    with np.errstate(divide="ignore", invalid="ignore"):
        return sum(centered * centered, axes, keepdims) / float(builtins.max(
            _count(x.shape, axes) - ddof, 0))


@composite
def std(x: ArrayLike, axis=None, *, keepdims: bool = False, ddof: int = 0) -> Tensor:
    """Standard deviation over ``axis``: the square root of ``var`` (numpy's ddof=0). Over
    one entry it is 0 whatever the entry, with gradient 0 (sqrt's at 0 gave NaN: a batch of
    one poisoned every gradient); over equal entries its gradient is 0/0 (NaN), as sqrt's at
    0 and JAX's (PyTorch's is 0). keepdims and ddof are keywords, as var's."""
    x = _tensor(x, "std")
    if ddof == 0 and _count(x.shape, _axes(axis, x.ndim, "std")) == 1:
        return var(x, axis, keepdims=keepdims)  # (x - x)**2: 0, and its gradient 0
    return sqrt(var(x, axis, keepdims=keepdims, ddof=ddof))


def max(x: ArrayLike, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Maximum over ``axis``. Tied maxima share the gradient equally (1/k each)."""
    axes = _axes(axis, np.ndim(_val(x)), "max")
    _no_empty_lane("max", x, axes)
    return apply(_max, (x,), {"axis": axes, "keepdims": keepdims})


def _no_empty_lane(name: str, x: ArrayLike, axes: tuple | None) -> None:
    """numpy's rule: a maximum over an axis of length 0 has no value (an empty tensor whose
    reduced axes are not empty gives an empty result)."""
    shape = np.shape(_val(x))
    if 0 in (shape if axes is None else [shape[a] for a in axes]):
        raise ValueError(f"{name}: the tensor of shape {shape} is empty along the axes "
                         f"reduced ({'all' if axes is None else axes}); a {name}imum needs "
                         "at least one entry")


@composite
def min(x: ArrayLike, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Minimum over ``axis``; ties share the gradient equally, as in ``max``."""
    _no_empty_lane("min", x, _axes(axis, np.ndim(_val(x)), "min"))
    return -max(-_tensor(x, "min"), axis, keepdims)


@composite
def sqrt(x: ArrayLike) -> Tensor:
    """Elementwise square root, as ``x ** 0.5``."""
    return power(x, 0.5)


@composite
def square(x: ArrayLike) -> Tensor:
    """Elementwise ``x ** 2``."""
    return power(x, 2.0)


@composite
def leaky_relu(x: ArrayLike, slope: float = 0.01) -> Tensor:
    """x where x > 0, else slope * x (slope may be a Tensor that requires grad)."""
    return where(nondiff(np.greater, x, 0), x, multiply(x, slope))


@composite
def clip(x: ArrayLike, a_min=None, a_max=None, *, min=None, max=None) -> Tensor:  # noqa: A002
    """Limit values to [a_min, a_max], as ``np.clip`` (numbers, arrays or Tensors, which
    broadcast; ``min=``/``max=`` as numpy's ndarray.clip and PyTorch's t.clip name them).
    The gradient goes to ``x`` inside the bounds (bounds included) and to a bound where it
    is active, as ``torch.clamp`` does."""
    if min is not None or max is not None:
        if a_min is not None or a_max is not None:
            raise TypeError("clip: give a_min/a_max, or min=/max=, not both")
        a_min, a_max = min, max
    for bound in (a_min, a_max):  # (numpy's bare "operands could not be broadcast")
        if bound is not None and np.ndim(bound) and not _broadcasts(np.shape(_val(bound)),
                                                                   np.shape(_val(x))):
            raise ValueError(f"clip: a bound of shape {np.shape(_val(bound))} does not "
                             f"broadcast with x's shape {np.shape(_val(x))}: give a number, or "
                             "an array of x's shape (or one that broadcasts with it)")
    out = x
    if a_min is not None:  # (nondiff: recorded under al.compile, a plain array otherwise)
        out = where(nondiff(np.less, out, a_min), a_min, out)
    if a_max is not None:
        out = where(nondiff(np.greater, out, a_max), a_max, out)
    for bound in (a_min, a_max):  # numpy's clip: a NaN bound makes its entries NaN (no
        if bound is not None and _may_be_nan(bound):  # comparison with it holds)
            out = where(nondiff(np.isnan, bound), bound, out)
    if out is not x:  # NaN in x: numpy's value, NaN, and torch.clamp's gradient, 0 (no
        # comparison holds for it, so it had passed through the wheres with gradient 1)
        out = where(nondiff(np.isnan, x), out * 0.0, out)
    return new_array(out, x) if type(out) is Tensor else _tensor(out, "clip")  # (no bounds)


def _broadcasts(shape: tuple, beside: tuple) -> bool:
    """Whether arrays of these shapes broadcast together, as numpy's operands must."""
    try:
        np.broadcast_shapes(shape, beside)
    except ValueError:
        return False
    return True


def _may_be_nan(bound: Any) -> bool:
    """A Tensor bound (its values may change under al.compile), or a constant with a NaN."""
    return type(bound) is Tensor or bool(np.isnan(bound).any())


def norm(x: ArrayLike, axis=None, keepdims: bool = False) -> Tensor:
    """The 2-norm sqrt(sum(x ** 2)) over ``axis`` (None: every entry, a matrix's Frobenius
    norm), as ``np.linalg.norm(x)`` and PyTorch's ``t.norm()``: shape (n, m) -> () or (n,)
    for axis=1. Its gradient is x / norm, and 0 where the norm is 0."""
    return apply(_norm, (x,), {"axis": None if axis is None else _axes(axis, np.ndim(_val(x)),
                                                                         "norm"),
                               "keepdims": keepdims})


@composite
def logsumexp(x: ArrayLike, axis=None, keepdims: bool = False) -> Tensor:
    """log(sum(exp(x))) computed stably (finite for inputs like 1000); -inf over an empty
    axis, as log(0)."""
    x = _tensor(x, "logsumexp")  # (a complex or a matrix named here, not inside)
    axes = _axes(axis, np.ndim(_val(x)), "logsumexp")
    shifted, m = _shifted(x, axes)
    out = _log_sum_exp(shifted, axes) + m
    return out if keepdims else reshape(out, np.shape(np.sum(_val(x), axis=axes)))


def _log_sum_exp(shifted: Tensor, axes) -> Tensor:
    """log(sum(exp(x - m))) over ``axes`` (kept), for logsumexp and log_softmax."""
    with np.errstate(divide="ignore"):  # log(0) = -inf is the answer for an empty sum
        return log(sum(exp(shifted), axes, keepdims=True))


def _shifted(x: Tensor, axes) -> tuple[Tensor, Any]:
    """(x - m, m) with m the max over ``axes`` (kept), a shift without gradient (it cancels;
    recorded under al.compile): exp(x - m) cannot overflow. softmax and log_softmax work on
    x - m itself; going through logsumexp(x), rounded at the size of m, lost eps * |m|."""
    xv = _val(x)
    if np.size(xv) == 0:
        m = np.zeros(np.shape(np.sum(xv, axis=axes, keepdims=True)), np.result_type(xv))
    else:
        m = _labelled(nondiff(_logsumexp_shift, x, axis=axes), "max")
    return x - m, m


# Arrays a composite makes for itself, by id: (a weak reference, what a diagram calls it):
# explain's rows for softmax read x - max, not x - [[3, 2]], a constant nobody wrote
CONSTANT_LABELS: dict[int, tuple[weakref.ref, str]] = {}


def _labelled(a: Any, label: str) -> Any:
    if type(a) is np.ndarray:
        if len(CONSTANT_LABELS) >= 256:
            CONSTANT_LABELS.clear()
        CONSTANT_LABELS[id(a)] = (weakref.ref(a), label)
    return a


def _logsumexp_shift(x, axis):
    peak = np.max(x, axis=axis, keepdims=True)  # (not m: the course's number of examples)
    return np.where(np.isfinite(peak), peak, 0.0)


@composite
def softmax(x: ArrayLike, axis: int | None = None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``axis``, stably. ``axis`` may be left out for a vector;
    for more axes it must be given: axis=0 for the course's Z of shape (C, m)."""
    axes = _class_axis(x, axis, "softmax")
    e = exp(_shifted(_tensor(x, "softmax"), axes)[0])
    return e / sum(e, axes, keepdims=True)


@composite
def log_softmax(x: ArrayLike, axis: int | None = None) -> Tensor:
    """log(softmax(x)) along ``axis``, stably (given, as for softmax, unless x is a vector)."""
    axes = _class_axis(x, axis, "log_softmax")
    shifted = _shifted(_tensor(x, "log_softmax"), axes)[0]
    return shifted - _log_sum_exp(shifted, axes)


def _class_axis(x: ArrayLike, axis: Any, name: str) -> Any:
    """softmax's axis, checked here so that errors name softmax, not its parts. No default
    past one axis: numpy code's last axis (PyTorch's rows) is the course's examples, and
    normalizing across the examples of Z (C, m) gave a silently wrong answer."""
    ndim = np.ndim(_val(x))
    if axis is None:
        if ndim > 1:
            raise TypeError(f"{name}: give axis= for a tensor of shape {np.shape(_val(x))}: "
                            "axis=0 for the course's Z of shape (C, m) (a column per example),"
                            " axis=-1 for rows of classes (PyTorch's (m, C))")
        return -1
    axes = _axes(axis, builtins.max(ndim, 1), name)
    return axes if ndim else -1


def _same_shape(name: str, first: str, x: Any, y: Any) -> None:
    """A loss's prediction and labels: one shape (or one label for all), as PyTorch's losses
    require. Broadcast, the course's (m, 1) against Y's (1, m) averaged m * m pairs."""
    _refuse_non_arrays(name, (x, y), (0, 1))
    xs, ys = np.shape(_val(x)), np.shape(_val(y))
    if xs == ys or ys == ():  # before numpy's broadcast: the fused flower step's forward
        return  # took 1.8 us (10 %) longer for it
    both = _broadcast_shape(xs, ys)
    if int(np.prod(ys)) == 1 and both == xs:
        return  # (one label for all)
    nx, ny = int(np.prod(xs)), int(np.prod(ys))
    message = (f"{name}: {first} has shape {xs} and the labels y {ys}; they must be the same "
               "shape (the course's A[L] and Y are both (1, m))")
    if nx == ny and len(ys) == 2 and ys[0] == 1:  # the labels are the course's (1, m)
        message += f": {first}.reshape({ys!r}) pairs them in order"
    elif nx == ny:
        message += f": y.reshape({xs!r}) pairs them in order"
    else:
        message += f", and they hold {nx} and {ny} entries"
    pairs = 0 if both is None else int(np.prod(both))
    if pairs > builtins.max(nx, ny):
        message += f" (broadcast, they would average {pairs} pairs)"
    raise ValueError(message)


def _broadcast_shape(*shapes) -> tuple | None:
    """numpy's broadcast of ``shapes``, or None where they do not broadcast."""
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        return None


def binary_cross_entropy(p: ArrayLike, y: ArrayLike) -> Tensor:
    """Mean of -(y log p + (1-y) log(1-p)) over all entries, p and y of one shape (or y one
    number); both get their gradient (y too, when it is a Tensor that requires grad).

    p must lie in [0, 1] (probabilities: a sigmoid's output; logits go to
    ``binary_cross_entropy_with_logits``). In the cost it is clipped to [eps, 1-eps] of its
    dtype, so p of exactly 0 or 1 gives a large finite cost instead of inf; its gradient,
    (p - y) / (p (1 - p)), is taken at p itself (p (1 - p) at least eps**2), so a sigmoid
    saturated near 0 still gets dz = a - y: down to z = -72 (p = 5e-32) in float64, -32
    (p = 1.4e-14) in float32. Near 1, p itself rounds to 1 (z > 37 in float64, 17 in
    float32): only the logits form keeps that gradient.
    """
    _same_shape("binary_cross_entropy", "p", p, y)
    p = _tensor(p, "binary_cross_entropy")  # (a list, an int array: float64, as ops take them)
    if not (type(y) is np.ndarray and y.dtype.kind == "f"):  # (an array: drawn by its name)
        y = _operand(y, "binary_cross_entropy", p)
    return apply(_bce, (p, y))


def binary_cross_entropy_with_logits(z: ArrayLike, y: ArrayLike, *, reduction: str = "mean",
                                     weight: Any = None, pos_weight: Any = None) -> Tensor:
    """binary_cross_entropy(sigmoid(z), y) computed stably from the logits z, z and y of one
    shape (or y one number): mean(log(1 + exp(z)) - y z); its gradient is
    (sigmoid(z) - y) / size. PyTorch's ``reduction="mean"`` is taken; its other options are
    refused, saying what to write."""
    if reduction != "mean" or weight is not None or pos_weight is not None:
        raise TypeError("binary_cross_entropy_with_logits: the cost is the mean over every "
                        "entry (the course's J; PyTorch's reduction='mean'), the one form "
                        "with the fused gradient. For reduction='sum' multiply it by Z.size; "
                        "for weights, or the losses entry by entry, write them out: A = "
                        "al.sigmoid(Z), -(w * (Y * al.log(A) + (1 - Y) * al.log(1 - A)))")
    _same_shape("binary_cross_entropy_with_logits", "z", z, y)
    return apply(_bce_logits, (z, y))


def probabilities(p: Any) -> Any:
    """p, its values checked to lie in [0, 1], as PyTorch's binary_cross_entropy checks them:
    logits there were clipped into a finite, wrong cost (the course's forgotten sigmoid).
    In bce's forward, so that al.compile's code checks every replay too (by this name)."""
    low, high = (np.min(p), np.max(p)) if np.size(p) else (0.0, 1.0)
    if not (0.0 <= low and high <= 1.0):  # (NaN fails too)
        raise OpValueError(f"binary_cross_entropy: p holds values in [{low:.4g}, {high:.4g}]; "
                         "probabilities lie in [0, 1]. For logits (Z before the sigmoid) use "
                         "binary_cross_entropy_with_logits(Z, Y), which is also exact")
    return p


def reshape(x: ArrayLike, shape) -> Tensor:
    """The same entries in a new shape (one entry may be -1)."""
    if type(shape) is not tuple or not builtins.all(type(n) is int for n in shape):
        shape = _shape_of_ints(shape)  # (ints in a tuple, the usual: no more to check)
    return apply(_reshape, (x,), {"shape": shape})


def _shape_of_ints(shape: Any) -> tuple[int, ...]:
    """reshape's shape as a tuple of ints, refusing what numpy refuses (1.5, 2.0, True)."""
    sizes = (shape,) if np.ndim(shape) == 0 else tuple(shape)
    bad = [n for n in sizes if not _index_in(n, -np.inf, np.inf)]
    if bad:
        why = ("a size computed with / is a float: write // (X.shape[0] // k) or int(...)"
               if isinstance(bad[0], (float, np.floating)) else f"got {bad[0]!r}")
        raise TypeError(f"reshape: the shape {shape!r} must hold integers (one may be -1); "
                        + why)
    return tuple(operator.index(n) for n in sizes)


@composite
def flatten(x: ArrayLike) -> Tensor:
    """The entries as one axis, in C order: shape (n, m) -> (n * m,)."""
    return reshape(x, (-1,))


def transpose(x: ArrayLike, axes=None) -> Tensor:
    """Permute axes (reverse them when ``axes`` is None); ``t.T`` is the same."""
    ndim = np.ndim(_val(x))
    if axes is None:
        axes = tuple(reversed(range(ndim)))
    else:
        axes = tuple(_axes(a, ndim, "transpose")[0] for a in axes)
    if sorted(axes) != list(range(ndim)):
        swap = (f"; to swap two axes, as PyTorch's transpose({axes[0]}, {axes[1]}) does, write "
                f"swapaxes({axes[0]}, {axes[1]})") if len(axes) == 2 and ndim > 2 else ""
        raise ValueError(f"transpose: axes {axes} are not a permutation of {ndim} axes{swap}")
    return apply(_transpose, (x,), {"axes": axes})


@composite
def swapaxes(x: ArrayLike, axis1: int, axis2: int) -> Tensor:
    """Exchange two axes."""
    ndim = np.ndim(_val(x))
    (a1,), (a2,) = _axes(axis1, ndim, "swapaxes"), _axes(axis2, ndim, "swapaxes")
    if ndim < 2 and (a1, a2) != (0, 0):
        raise np.exceptions.AxisError(f"swapaxes: a tensor of {ndim} dimension(s) has no two "
                                      "axes to swap")
    axes = list(range(ndim))
    axes[a1], axes[a2] = axes[a2], axes[a1]
    return transpose(x, axes)


@composite
def expand_dims(x: ArrayLike, axis) -> Tensor:
    """Insert axes of length 1 at ``axis`` (int or tuple)."""
    shape = list(np.shape(_val(x)))
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)  # (_axes refuses 1.5, by name)
    for a in _axes(axes, len(shape) + len(axes), "expand_dims"):
        shape.insert(a, 1)
    return reshape(x, shape)


@composite
def squeeze(x: ArrayLike, axis=None) -> Tensor:
    """Remove axes of length 1 (those in ``axis``, or all)."""
    shape = np.shape(_val(x))
    axes = _axes(axis, len(shape), "squeeze")
    if axes is None:
        axes = tuple(i for i, n in enumerate(shape) if n == 1)
    wrong = [a for a in axes if shape[a] != 1]
    if wrong:
        raise ValueError(f"squeeze: axis {wrong[0]} of shape {shape} has length "
                         f"{shape[wrong[0]]}, not 1, as numpy refuses it (PyTorch's squeeze "
                         f"leaves such an axis as it is: squeeze only where shape[{wrong[0]}] "
                         "== 1, or reshape)")
    return reshape(x, [n for i, n in enumerate(shape) if i not in axes])


def broadcast_to(x: ArrayLike, shape) -> Tensor:
    """Repeat ``x`` along broadcast axes to ``shape``."""
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    have = np.shape(_val(x))
    if not all(_index_in(m, 0, 2 ** 62) for m in shape):
        raise ValueError(f"broadcast_to: the sizes must be whole numbers >= 0, got {shape}")
    if len(have) > len(shape) or any(n != 1 and n != m for n, m in
                                     zip(have[::-1], shape[::-1])):
        raise ValueError(f"broadcast_to: shape {have} cannot be broadcast to {shape}: from the "
                         "right, each axis must equal the target's or be 1 (an axis of length "
                         "1 is repeated), and new axes come first")
    return apply(_broadcast_to, (x,), {"shape": shape})


def new_array(out: Tensor, x: ArrayLike) -> Tensor:
    """``out``, or where it is ``x``, shares x's memory or is a broadcast view, a copy of it
    in the graph (as t.clone()): numpy's result is a new array there (t.flatten(), +t,
    np.tile(t, 1)), and a write into it reached x (or was refused)."""
    data = x._data if type(x) is Tensor else x
    if out is x or np.may_share_memory(out._data, data) or (
            type(out._data) is np.ndarray and not out._data.flags.writeable):
        return astype(out, out.dtype)
    return out


def astype(x: ArrayLike, dtype) -> Tensor:
    """Convert to another float dtype; the gradient is converted back."""
    if np.dtype(dtype).kind != "f" and not (
            type(x) is Tensor and not x._requires_grad and _current_mode().trace is not None):
        raise TypeError(f"astype: {np.dtype(dtype)} is not a float dtype; gradients need floats")
    # (al.compile traces as a Tensor what is an array eagerly, a mask (A > 0.5), np.floor(x),
    # an array argument: its int astype is numpy's, as it is eagerly)
    return apply(_astype, (x,), {"dtype": np.dtype(dtype)})


def getitem(x: ArrayLike, index) -> Tensor:
    """``x[index]`` with basic or advanced indexing; repeated indices accumulate gradient.
    The index's arrays are copied (``frozen_index``): changing them later moves nothing."""
    out = apply(_getitem, (x,), {"index": frozen_index(index, "getitem")})
    if type(x) is Tensor and (type(out._data) is not np.ndarray
                              or type(x._data) is not np.ndarray):
        out._entry = True  # numpy copies one entry (and a 0-d tensor's number is
    return out  # immutable): a write into it cannot reach x


def concatenate(tensors, axis: int | None = 0) -> Tensor:
    """Join a sequence of tensors along an existing axis (``axis=None``: flattened first)."""
    tensors = tuple(tensors)
    if not tensors:
        raise ValueError("concatenate: needs at least one tensor")
    if axis is None:
        return concatenate([reshape(t, (-1,)) for t in tensors], 0)
    ndims = {np.ndim(_val(t)) for t in tensors}
    if ndims == {0}:
        raise ValueError("concatenate: zero-dimensional tensors cannot be concatenated; use stack")
    if len(ndims) > 1:
        raise ValueError(f"concatenate: all inputs must have the same number of dimensions, "
                         f"got shapes {[np.shape(_val(t)) for t in tensors]}")
    return apply(_concatenate, tensors, {"axis": _axes(axis, ndims.pop(), "concatenate")[0]})


def pieces(x: ArrayLike, spans: list[tuple[int, int | None]], axis: int,
           op: str) -> list[Tensor]:
    """``x`` cut along ``axis`` into the slices ``spans`` [(start, stop), ...]: a view of x
    per piece, each with its own gradient (np.split, np.array_split, t.split, t.chunk)."""
    axis = _axes(axis, np.ndim(_val(x)), op)[0]
    lead = (slice(None),) * axis
    return [getitem(x, lead + (slice(a, b),)) for a, b in spans]


def spans_of(sizes: list[int]) -> list[tuple[int, int]]:
    """The (start, stop) of consecutive pieces of these sizes: [2, 3] -> [(0, 2), (2, 5)]."""
    stops = np.cumsum(sizes, dtype=int).tolist()
    return list(zip([0] + stops[:-1], stops))


@composite
def stack(tensors, axis: int = 0) -> Tensor:
    """Join a sequence of same-shape tensors along a new axis."""
    tensors = tuple(tensors)
    if not tensors:
        raise ValueError("stack: needs at least one tensor")
    shapes = {np.shape(_val(t)) for t in tensors}
    if len(shapes) > 1:
        raise ValueError(f"stack: all tensors must have the same shape, got {sorted(shapes)}")
    ndim = len(shapes.pop()) + 1
    axis = _axes(axis, ndim, "stack")[0]
    return concatenate([_plain_or(expand_dims, np.expand_dims, t, axis, "stack")
                        for t in tensors], axis)


def _plain_or(shape_op, numpy_op, t, shape, op: str):
    """``shape_op(t, shape)`` for a Tensor; an array gets ``numpy_op`` as it is, so that
    joining converts it as concatenate does (a bool array beside float32 stays float32)."""
    if type(t) is Tensor:
        return shape_op(t, shape)
    return numpy_op(_input_data(t, op), shape)


def prod(x: ArrayLike, axis=None, keepdims: bool = False) -> Tensor:
    """Product over ``axis`` (int, tuple or None for all): shape (n, m) -> (n,) for axis=1.
    Its gradient is the product of the other entries, zeros included (a lone zero of a lane
    gets the product of the rest), as PyTorch's."""
    return apply(_prod, (x,), {"axis": None if axis is None else _axes(axis, np.ndim(_val(x)),
                                                                         "prod"),
                               "keepdims": keepdims})


def cumsum(x: ArrayLike, axis: int | None = None) -> Tensor:
    """Running sum along ``axis``, as ``np.cumsum``: same shape, entry i the sum of entries
    0..i; ``axis=None`` runs over the flattened entries (shape (size,))."""
    if axis is None:
        return apply(_cumsum, (reshape(x, (-1,)),), {"axis": 0})
    axes = _axes(axis, np.ndim(_val(x)), "cumsum")
    if axes is None or len(axes) != 1:  # a 0-d tensor is its own running sum (PyTorch)
        if axes is None:
            return reshape(x, ())
        raise TypeError(f"cumsum: axis must be one int, got {axis!r}")
    return apply(_cumsum, (x,), {"axis": axes[0]})


def einsum(subscripts: str, *operands: ArrayLike, optimize: Any = False) -> Tensor:
    """``np.einsum`` (and ``torch.einsum``) with the axes named by letters: ``einsum("ij,jk->ik",
    W, A)`` is W @ A, ``einsum("ij->", x)`` its sum, ``einsum("bij,bjk->bik", x, y)`` a batch
    of products. Without ``->`` the output is numpy's: the letters used once, in order.
    The operands may come as one list, as torch.einsum takes them; ``optimize`` (numpy's
    order of the products) is taken and not used. '...' and a letter repeated within one
    operand (a diagonal) are refused."""
    if not isinstance(subscripts, str):
        raise TypeError("einsum: give the subscripts first, as a string ('ij,jk->ik'); "
                        "numpy's sublist form is not supported")
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)) and "," in subscripts:
        operands = tuple(operands[0])  # torch.einsum("ij,jk", [a, b])
    parts, output = _einsum_parts(subscripts, len(operands))
    return apply(_einsum, operands, {"subscripts": ",".join(parts) + "->" + output})


@composite
def reciprocal(x: ArrayLike) -> Tensor:
    """Elementwise ``1 / x``."""
    return divide(1.0, x)


@composite
def outer(a: ArrayLike, b: ArrayLike) -> Tensor:
    """``np.outer``: a (n,) and b (m,), each flattened first, give (n, m) with entry
    (i, j) a[i] * b[j]."""
    a, b = _operand(a, "outer", b), _operand(b, "outer", a)
    if type(a) is Tensor or type(b) is not Tensor:  # (a Python number stays one: weak)
        a = reshape(a, (-1, 1))
    return multiply(a, reshape(b, (1, -1)) if type(b) is Tensor else b)


def _at_least(tensors, ndim: int, op: str) -> list:
    """The inputs with shape () as (1,), and for ``ndim`` 2 shape (n,) as (1, n)."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError(f"{op}: needs at least one tensor")
    out = []
    for t in tensors:
        shape = np.shape(_val(t))
        if len(shape) < ndim:
            t = _plain_or(reshape, np.reshape, t, (1,) * (ndim - len(shape)) + shape, op)
        out.append(t)
    return out


@composite
def hstack(tensors) -> Tensor:
    """``np.hstack``: vectors joined end to end; anything else along axis 1 (columns side
    by side: (n, 2) and (n, 3) give (n, 5))."""
    tensors = _at_least(tensors, 1, "hstack")
    return concatenate(tensors, 0 if np.ndim(_val(tensors[0])) == 1 else 1)


@composite
def vstack(tensors) -> Tensor:
    """``np.vstack``: rows stacked along axis 0; a vector (n,) counts as one row (1, n)."""
    return concatenate(_at_least(tensors, 2, "vstack"), 0)


@composite
def tile(x: ArrayLike, reps) -> Tensor:
    """``np.tile`` (PyTorch's ``t.repeat``): x repeated ``reps[i]`` times along axis i
    (reps an int or a tuple; the shorter of x's shape and reps is padded with 1s on the
    left): (2, 3) tiled (2, 2) is (4, 6). The gradient sums over the copies."""
    reps = (reps,) if np.ndim(reps) == 0 else tuple(reps)
    if not all(_index_in(r, 0, 2 ** 62) for r in reps):
        raise ValueError(f"tile: reps must be non-negative ints, got {reps!r}")
    shape = np.shape(_val(x))
    ndim = builtins.max(len(reps), len(shape))
    shape = (1,) * (ndim - len(shape)) + shape
    reps = (1,) * (ndim - len(reps)) + tuple(operator.index(r) for r in reps)
    apart = reshape(x, builtins.sum(((1, n) for n in shape), ()))  # (1, n0, 1, n1, ...)
    copies = broadcast_to(apart, builtins.sum(zip(reps, shape), ()))  # (r0, n0, r1, n1, ...)
    return new_array(reshape(copies, tuple(r * n for r, n in zip(reps, shape))), x)  # (reps 1)


@composite
def dot(a: ArrayLike, b: ArrayLike) -> Tensor:
    """numpy's dot for scalars, vectors and matrices (``matmul`` for stacks of matrices)."""
    na, nb = np.ndim(_val(a)), np.ndim(_val(b))
    if na == 0 or nb == 0:  # np.dot reads a Python number as a float64 or int64 array,
        a, b = (np.asarray(v) if type(v) in (float, int) else v for v in (a, b))  # not weak
        return multiply(a, b)
    if na > 2 or nb > 2:
        raise ValueError(f"dot: inputs of {na} and {nb} dimensions; for stacks of matrices "
                         "use matmul (np.dot's N-d rule is not supported)")
    return matmul(a, b)


@composite
def flip(x: ArrayLike, axis=None, *, dims=None) -> Tensor:
    """``np.flip`` (PyTorch's ``torch.flip(t, dims)``): the entries in reverse order along
    ``axis`` (None: every axis), a view as numpy's: ``x[::-1]`` for axis 0, ``x[:, ::-1]``
    for 1."""
    axis = _either_name(axis, dims, "flip", "axis= or dims=")
    ndim = np.ndim(_val(x))
    axes = range(ndim) if axis is None else _axes(axis, ndim, "flip")
    return getitem(x, tuple(slice(None, None, -1) if a in axes else slice(None)
                            for a in range(ndim)))


@composite
def tril(x: ArrayLike, k: int = 0, *, diagonal=None) -> Tensor:
    """``np.tril``: the last two axes' entries on and below diagonal ``k``, zeros above
    (exact zeros, as numpy's; PyTorch's ``torch.tril(t, diagonal)``). (n, m) -> (n, m)."""
    return _triangle(x, _either_name(k, diagonal, "tril", "k= or diagonal=", 0), np.tril, "tril")


@composite
def triu(x: ArrayLike, k: int = 0, *, diagonal=None) -> Tensor:
    """``np.triu``: the last two axes' entries on and above diagonal ``k``, zeros below."""
    return _triangle(x, _either_name(k, diagonal, "triu", "k= or diagonal=", 0), np.triu, "triu")


def _either_name(given, alias, op: str, names: str, unset=None):
    """An argument or its other name (numpy's or PyTorch's), not both: ``given`` is the
    argument itself (``unset`` when left out), ``alias`` the other name's (None when left
    out); ``names`` says both in the error ("k= or diagonal=")."""
    if alias is None:
        return given
    if given is not unset:
        raise TypeError(f"{op}: give {names}, not both")
    return alias


@composite
def diagonal(x: ArrayLike, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
    """A matrix's diagonal, ``np.diagonal`` (PyTorch's ``t.diagonal()``): ``x[i, i + offset]``,
    of length min(n, m - offset) for (n, m), offset above (below, if negative) the main one;
    axis1=1, axis2=0 takes the transpose's."""
    shape = np.shape(_val(x))
    if len(shape) != 2:
        raise ValueError(f"diagonal: x of shape {shape}; the diagonal here is a matrix's (2 "
                         "axes): index a stack, x[k], first")
    axes = _axes(axis1, 2, "diagonal") + _axes(axis2, 2, "diagonal")
    if axes[0] == axes[1]:
        raise ValueError("diagonal: axis1 and axis2 cannot be the same")
    if axes == (1, 0):
        x, shape = transpose(x), shape[::-1]
    offset = operator.index(offset)
    rows = np.arange(builtins.max(0, -offset), builtins.min(shape[0], shape[1] - offset))
    return getitem(x, (rows, rows + offset))


def _triangle(x, k, keep, name: str) -> Tensor:
    shape = np.shape(_val(x))
    if len(shape) < 2:
        raise ValueError(f"{name}: a tensor of shape {shape} has no two axes to take a "
                         "triangle of; give a matrix (or a stack of them)")
    return where(keep(np.ones(shape[-2:], dtype=bool), operator.index(k)), x, 0.0)


@composite
def take_along_axis(x: ArrayLike, indices, axis) -> Tensor:
    """``np.take_along_axis``: ``out[i, j] = x[i, indices[i, j]]`` for axis 1 (``x[indices[i,
    j], j]`` for axis 0); ``indices`` has x's number of axes, its others broadcast against
    x's. Repeated indices add up their gradients. axis None: x flattened first."""
    indices = np.asarray(frozen_index(indices, "take_along_axis"))  # (a Tensor: refused,
    # saying what to write, as x[t] is)
    if axis is None:
        if indices.ndim != 1:
            raise ValueError(f"take_along_axis: with axis=None x is flattened, so indices must "
                             f"have one axis, got shape {indices.shape}")
        x, axis = flatten(x), 0
    shape = np.shape(_val(x))
    return _along(x, indices, _axes(operator.index(axis), len(shape), "take_along_axis")[0],
                  shape, "take_along_axis")


@composite
def gather(x: ArrayLike, dim: int, index) -> Tensor:
    """PyTorch's ``t.gather(dim, index)``: ``out[i, j] = x[i, index[i, j]]`` for dim 1; the
    output has index's shape, which may be shorter than x's on the other axes (there it
    takes the first entries). The cross-entropy's ``logits.gather(1, y[:, None])``."""
    index = np.asarray(frozen_index(index, "gather"))
    shape = np.shape(_val(x))
    if not shape:
        raise ValueError("gather: x is 0-d and has no axis to gather along")
    axis = _axes(operator.index(dim), len(shape), "gather")[0]
    if index.dtype.kind in "iu" and index.size and (index.min() < 0
                                                     or index.max() >= shape[axis]):
        raise IndexError(f"gather: index from {index.min()} to {index.max()} is out of bounds "
                         f"for x's axis {axis} of length {shape[axis]} (PyTorch's rule: "
                         "0 to length - 1; a -1 would take the last entry)")
    if index.ndim == len(shape) and any(i > n for a, (i, n) in enumerate(
            zip(index.shape, shape)) if a != axis):
        raise ValueError(f"gather: index of shape {index.shape} is longer than x of shape "
                         f"{shape} on an axis other than dim={dim}")
    return _along(x, index, axis, index.shape, "gather")


def _along(x, indices, axis: int, lengths: tuple, name: str) -> Tensor:
    """x indexed along ``axis`` by ``indices``, every other axis a by its own positions
    0..lengths[a]-1 (advanced indexing: the gradient accumulates repeats)."""
    ndim = len(np.shape(_val(x)))
    if indices.ndim != ndim or indices.dtype.kind not in "iu":
        raise IndexError(f"{name}: indices must be an int array with x's {ndim} axes (x[:, "
                         f"None] style), got {indices.dtype} of shape {indices.shape}")
    index = tuple(indices if a == axis else
                  np.arange(lengths[a]).reshape([-1 if b == a else 1 for b in range(ndim)])
                  for a in range(ndim))
    return getitem(x, index)


def _operand(x, op: str, beside: Any = None):
    """``x`` for a composite's arithmetic: a Python number stays one (weak, as numpy has it:
    float32 with 0.5 stays float32), anything else a Tensor (int arrays would wrap); numpy
    ints ``beside`` a Tensor in the smallest float that holds them (float32 with uint8 stays
    float32, as in numpy), else float64 as Tensor() makes them."""
    if type(x) in (float, int, bool):  # (True beside float32 stays float32, as in numpy)
        return x
    if type(beside) is Tensor and isinstance(x, (np.ndarray, np.generic)) \
            and x.dtype.kind in "biu":
        return Tensor(x, dtype=np.result_type(x.dtype, np.float16))
    return _tensor(x, op)


def _tensor(x, op: str):
    """``x`` as a Tensor; a list holding Tensors is refused (its gradient would be lost)."""
    return x if type(x) is Tensor else Tensor(_input_data(x, op))


# ======================================================================================
# The registry of public ops and their surfaces. Tensor methods, numpy's dispatch
# (numpy_api.py) and the command line's expressions (expr.py) are made from it; the
# surface tests and the README's operations table enumerate it.
# ======================================================================================

@dataclass(frozen=True)
class Op:
    """A public op and where a user can reach it besides ``al.<name>(...)``.

    method: the Tensor method (``t.exp()``); operator: the Python operator (``a + b``);
    numpy: numpy functions that dispatch to it (``np.exp(t)``); cli: usable in
    ``autograd-lite graph`` expressions; family: its heading in the README's table.
    """

    name: str
    function: Any
    family: str
    method: str | None = None
    operator: str = ""
    numpy: tuple = ()
    cli: bool = False
    torch: tuple = ()

    @property
    def primitive(self) -> bool:
        return self.name in PRIMITIVES


def _ops(*ops: Op) -> dict[str, Op]:
    return {op.name: op for op in ops}


OPS: dict[str, Op] = _ops(
    Op("add", add, "arithmetic", operator="+", numpy=(np.add,), cli=True, torch=("t.add",)),
    Op("subtract", subtract, "arithmetic", operator="-", numpy=(np.subtract,), cli=True,
       torch=("t.sub",)),
    Op("multiply", multiply, "arithmetic", operator="*", numpy=(np.multiply,), cli=True,
       torch=("t.mul",)),
    Op("divide", divide, "arithmetic", operator="/", numpy=(np.divide,), cli=True,
       torch=("t.div",)),
    Op("negative", negative, "arithmetic", operator="-x", numpy=(np.negative,), cli=True,
       torch=("t.neg",)),
    Op("power", power, "arithmetic", operator="**", numpy=(np.power,), cli=True,
       torch=("t.pow",)),
    Op("remainder", remainder, "arithmetic", operator="%", numpy=(np.remainder,),
       torch=("t.remainder",)),
    Op("exp", exp, "elementwise", "exp", numpy=(np.exp,), cli=True),
    Op("log", log, "elementwise", "log", numpy=(np.log,), cli=True),
    Op("log1p", log1p, "elementwise", "log1p", numpy=(np.log1p,), cli=True),
    Op("expm1", expm1, "elementwise", "expm1", numpy=(np.expm1,), cli=True),
    Op("sqrt", sqrt, "elementwise", "sqrt", numpy=(np.sqrt,), cli=True),
    Op("square", square, "elementwise", "square", numpy=(np.square,), cli=True),
    Op("reciprocal", reciprocal, "elementwise", "reciprocal", numpy=(np.reciprocal,), cli=True),
    Op("abs", abs, "elementwise", "abs", operator="abs(x)", numpy=(np.absolute,), cli=True),
    Op("tanh", tanh, "elementwise", "tanh", numpy=(np.tanh,), cli=True),
    Op("sin", sin, "elementwise", "sin", numpy=(np.sin,), cli=True),
    Op("cos", cos, "elementwise", "cos", numpy=(np.cos,), cli=True),
    Op("sigmoid", sigmoid, "elementwise", "sigmoid", cli=True),
    Op("relu", relu, "elementwise", "relu", cli=True),
    Op("leaky_relu", leaky_relu, "elementwise", "leaky_relu", cli=True),
    Op("maximum", maximum, "elementwise", "maximum", numpy=(np.maximum,), cli=True),
    Op("minimum", minimum, "elementwise", "minimum", numpy=(np.minimum,), cli=True),
    Op("clip", clip, "elementwise", "clip", numpy=(np.clip,), cli=True, torch=("t.clamp",)),
    Op("logaddexp", logaddexp, "elementwise", "logaddexp", numpy=(np.logaddexp,), cli=True),
    Op("where", where, "elementwise", numpy=(np.where,)),
    Op("binary_cross_entropy", binary_cross_entropy, "losses", cli=True),
    Op("binary_cross_entropy_with_logits", binary_cross_entropy_with_logits, "losses",
       cli=True),
    Op("sum", sum, "reductions", "sum", numpy=(np.sum,), cli=True),
    Op("mean", mean, "reductions", "mean", numpy=(np.mean,), cli=True),
    Op("var", var, "reductions", "var", numpy=(np.var,), cli=True),
    Op("std", std, "reductions", "std", numpy=(np.std,), cli=True),
    Op("max", max, "reductions", "max", numpy=(np.max, np.amax), cli=True,
       torch=("t.amax",)),
    Op("min", min, "reductions", "min", numpy=(np.min, np.amin), cli=True,
       torch=("t.amin",)),
    Op("norm", norm, "reductions", "norm", numpy=(np.linalg.norm,), cli=True),
    Op("prod", prod, "reductions", "prod", numpy=(np.prod,), cli=True),
    Op("cumsum", cumsum, "reductions", "cumsum", numpy=(np.cumsum,), cli=True),
    Op("logsumexp", logsumexp, "reductions", "logsumexp", cli=True),
    Op("softmax", softmax, "reductions", "softmax", cli=True),
    Op("log_softmax", log_softmax, "reductions", "log_softmax", cli=True),
    Op("matmul", matmul, "linear algebra", operator="@", numpy=(np.matmul,), cli=True,
       torch=("t.matmul", "t.mm")),
    Op("dot", dot, "linear algebra", "dot", numpy=(np.dot,)),
    Op("outer", outer, "linear algebra", numpy=(np.outer,), torch=("t.outer",)),
    Op("einsum", einsum, "linear algebra", numpy=(np.einsum,)),
    Op("reshape", reshape, "shapes", "reshape", numpy=(np.reshape,), torch=("t.view",)),
    Op("flatten", flatten, "shapes", "flatten", numpy=(np.ravel,), torch=("t.ravel",)),
    Op("transpose", transpose, "shapes", "transpose", operator=".T", numpy=(np.transpose,),
       torch=("t.permute", "t.t")),
    Op("swapaxes", swapaxes, "shapes", "swapaxes", numpy=(np.swapaxes,)),
    Op("expand_dims", expand_dims, "shapes", "expand_dims", numpy=(np.expand_dims,),
       torch=("t.unsqueeze",)),
    Op("squeeze", squeeze, "shapes", "squeeze", numpy=(np.squeeze,)),
    Op("broadcast_to", broadcast_to, "shapes", "broadcast_to", numpy=(np.broadcast_to,),
       torch=("t.expand",)),
    Op("astype", astype, "shapes", "astype", torch=("t.float", "t.double", "t.clone")),
    Op("getitem", getitem, "shapes", operator="x[i]"),
    Op("concatenate", concatenate, "shapes", numpy=(np.concatenate,), torch=("al.cat",)),
    Op("stack", stack, "shapes", numpy=(np.stack,)),
    Op("hstack", hstack, "shapes", numpy=(np.hstack,)),
    Op("vstack", vstack, "shapes", numpy=(np.vstack,)),
    Op("tile", tile, "shapes", numpy=(np.tile,)),
)

# ---- Tensor operators and methods, from the registry --------------------------------------
_OPERATORS = {"add": "add", "subtract": "sub", "multiply": "mul", "divide": "truediv",
              "power": "pow", "matmul": "matmul", "remainder": "mod"}
for _name, _dunder in _OPERATORS.items():
    _prim = PRIMITIVES[_name]
    setattr(Tensor, f"__{_dunder}__", binary_method(_prim))
    setattr(Tensor, f"__r{_dunder}__", binary_method(_prim, reflected=True))
    setattr(Tensor, f"__i{_dunder}__", inplace_method(_prim, OPS[_name].operator + "="))
Tensor.__neg__ = negative
Tensor.__pos__ = lambda self: new_array(self, self)  # a new array, as numpy's +a
Tensor.__abs__ = abs
Tensor.__getitem__ = getitem


def _comparison(ufunc):
    """Comparisons are not differentiable: they return plain boolean arrays (under
    al.compile's trace, a recorded mask, so that a replay compares the new values)."""
    def compare(self, other):
        if _current_mode().trace is not None:
            return nondiff(ufunc, self, other)
        return ufunc(self._data, _val(other))
    compare.__doc__ = f"np.{ufunc.__name__}(t, other): a plain boolean array (no gradient)."
    return compare


for _dunder, _ufunc in (("lt", np.less), ("le", np.less_equal), ("gt", np.greater),
                        ("ge", np.greater_equal), ("eq", np.equal), ("ne", np.not_equal),
                        ("and", np.bitwise_and), ("or", np.bitwise_or),
                        ("xor", np.bitwise_xor)):
    setattr(Tensor, f"__{_dunder}__", _comparison(_ufunc))
Tensor.__invert__ = lambda self: nondiff(np.invert, self)  # ~mask
# x // y: a plain array, as np.floor(t) gives (its derivative is 0 wherever it has one)
Tensor.__floordiv__ = lambda self, other: nondiff(np.floor_divide, self, other)
Tensor.__rfloordiv__ = lambda self, other: nondiff(np.floor_divide, other, self)


def _ifloordiv(self, other):
    raise TypeError("t //= y would make t a plain array (// has no gradient), and a parameter "
                    "so rebound leaves its optimizer; write t = t // y if that is meant, or "
                    "t.data //= y to change the values")


Tensor.__ifloordiv__ = _ifloordiv


def _method(function):
    """``function`` as a Tensor method: ``t.f(*args)`` is ``f(t, *args)``."""
    @functools.wraps(function)
    def method(self, *args, **kwargs):
        return function(self, *args, **kwargs)
    return method


def _reshape_method(self, *shape, order="C", **given):
    """``t.reshape(3, 2)`` or ``t.reshape((3, 2))`` (or numpy's ``shape=``); ``order="F"``,
    numpy's column order."""
    if given:
        if set(given) != {"shape"} or shape:
            raise TypeError(f"reshape: give the shape once, as t.reshape(3, 2), "
                            f"t.reshape((3, 2)) or t.reshape(shape=(3, 2)); got {sorted(given)}")
        shape = (given["shape"],)
    shape = shape[0] if len(shape) == 1 and not isinstance(shape[0], int) else shape
    if order == "F":  # column order is the C order of the axes reversed, on both sides
        return transpose(reshape(transpose(self), tuple(np.atleast_1d(shape))[::-1]))
    if order == "A":  # numpy's: F for an array laid out in column order only, else C
        flags = self._data.flags if type(self._data) is np.ndarray else None
        order = "F" if flags is not None and flags.f_contiguous and not flags.c_contiguous else "C"
        return _reshape_method(self, shape, order=order)
    if order != "C":
        raise ValueError(f"reshape: order must be 'C', 'F' or 'A', got {order!r}")
    return reshape(self, shape)


def _flatten_method(self, start_dim=0, end_dim=-1, order="C"):
    """``t.flatten()``: the entries as one axis, a copy as numpy's (``t.ravel()`` is the
    view); numpy's ``t.flatten("F")`` in column order, PyTorch's ``t.flatten(1)`` joins only
    the axes from start_dim to end_dim: (n, c, h, w) -> (n, c*h*w)."""
    if isinstance(start_dim, str):  # numpy's positional order
        start_dim, order = 0, start_dim
    if (start_dim, end_dim) == (0, -1) or self.ndim == 0:
        return new_array(_reshape_method(self, -1, order=order), self)
    first, last = (_axes(a, self.ndim, "flatten")[0] for a in (start_dim, end_dim))
    if first > last or order != "C":
        raise ValueError(f"flatten(start_dim={start_dim}, end_dim={end_dim}, order={order!r}):"
                         " need start_dim <= end_dim, in C order")
    return reshape(self, self.shape[:first] + (-1,) + self.shape[last + 1:])


def _index_in(a: Any, low: int, high: int) -> bool:
    """Whether ``a`` is an integer (a numpy one too) in [low, high)."""
    try:
        return low <= operator.index(a) < high and not isinstance(a, (bool, np.bool_))
    except TypeError:
        return False


def _transpose_method(self, *axes, dim0=None, dim1=None):
    """``t.transpose()``, ``t.transpose(1, 0)`` or ``t.transpose((1, 0))``; PyTorch's
    ``k.transpose(-2, -1)`` (two axes of three or more, where numpy's reading, the order of
    every axis, cannot be meant) and ``t.transpose(dim0=0, dim1=1)`` swap two axes. On a
    matrix, ``t.transpose(0, 1)`` is refused: numpy's keeps the axes, PyTorch's swaps them."""
    if dim0 is not None or dim1 is not None:
        if axes or dim0 is None or dim1 is None:
            raise TypeError("transpose(dim0=, dim1=): give both, and no other axes")
        return swapaxes(self, dim0, dim1)
    if len(axes) == 2 and self.ndim > 2 and all(_index_in(a, -self.ndim, self.ndim)
                                                for a in axes):
        return swapaxes(self, *axes)  # (the same axis twice: as it is, as PyTorch's)
    if len(axes) == 2 and self.ndim == 2 and all(_index_in(a, -2, 2) for a in axes) \
            and [operator.index(a) % 2 for a in axes] == [0, 1]:
        raise ValueError(f"transpose{axes} on a matrix: numpy reads it as the order of the "
                         "axes (no change), PyTorch as two axes to swap; write .T (or .mT, "
                         "or swapaxes(0, 1)) to swap them")
    return transpose(self, (axes[0] if len(axes) == 1 and not isinstance(axes[0], int)
                            else axes) or None)


def _torch_keywords(function):
    """``function`` (a public function, or a Tensor method) that also takes PyTorch's names
    for numpy's keywords: ``t.sum(dim=1, keepdim=True)`` is ``t.sum(axis=1, keepdims=True)``;
    a positional argument the two read differently is refused (``_refuse_positional``)."""
    name = function.__name__.lstrip("_")  # (numpy_api's _argmax: argmax)
    ambiguous = name in _POSITIONAL_MEANINGS
    keeps = list(inspect.signature(function).parameters)[2:3] == ["keepdims"]

    @functools.wraps(function)
    def method(*args, **kwargs):  # (not (self, ...): al.sum(x=t) names its first parameter)
        if len(args) > 1 and ambiguous:
            args = _refuse_positional(name, args, kwargs)
        if keeps and len(args) > 2 and not _flag_like(args[2]):
            raise TypeError(f"{name}(x, axis, {args[2]!r}): the third argument is keepdims, "
                            f"True or False (numpy's ndarray.{name} takes dtype there: give "
                            f"np.{name}(t, axis, dtype=...), or t.astype(...) first)")
        if kwargs:  # (t.sum() passes straight through)
            if name == "norm" and kwargs.get("ord") is not None and args:
                _numpys_order(args[0], kwargs)
            _numpy_keywords(name, kwargs)
            if name in _NUMPY_REDUCTIONS and kwargs.keys() & {"dtype", "where", "initial", "out"}:
                return getattr(np, name)(*args, **kwargs)  # numpy's own keywords: np.sum's
        return function(*args, **kwargs)
    return method


# reductions whose numpy function takes more keywords than the op (t.sum(dtype=np.float64),
# t.max(initial=0), t.mean(where=mask)): the method hands those to it (numpy_api's adapter)
_NUMPY_REDUCTIONS = {"sum", "mean", "prod", "max", "min", "var", "std", "cumsum"}


def _flag_like(v: Any) -> bool:
    return type(v) in (bool, np.bool_, int) and v in (0, 1)


# What numpy and PyTorch make of t.max(1) (or al.max(t, 1)) differ, and the result of one
# passes for the other's: vals, idx = t.max(1) unpacked the rows of the maxima, t.norm(1) was
# a 2-norm per row where PyTorch's is the 1-norm, t.var(1) divided by n where PyTorch's
# divides by n - 1. Written with axis= they mean one thing.
_POSITIONAL_MEANINGS = {
    "max": "numpy reads {0} as the axis and gives the maxima; PyTorch gives (values, "
           "indices). Write max(axis={0}), and t.argmax(axis={0}) (or np.argmax) for the indices",
    "min": "numpy reads {0} as the axis and gives the minima; PyTorch gives (values, "
           "indices). Write min(axis={0}), and t.argmin(axis={0}) (or np.argmin) for the indices",
    "norm": "PyTorch reads {0} as the order p; the norm here is the 2-norm, over an axis: "
            "write norm(axis=...) (al.sum(al.abs(x)) is the 1-norm)",
    "var": "numpy reads {0} as the axis and divides by n, PyTorch by n - 1: write "
           "var(axis={0}) for numpy's, or give ddof= (ddof=1 for PyTorch's)",
    "std": "numpy reads {0} as the axis and divides by n, PyTorch by n - 1: write "
           "std(axis={0}) for numpy's, or give ddof= (ddof=1 for PyTorch's)",
}


def _refuse_positional(name: str, args: tuple, kwargs: dict) -> tuple:
    """``args`` (x, first, ...) if ``first`` has one meaning here, else a TypeError."""
    first = args[1]
    if name == "norm" and (first == 2 or first == "fro") and type(first) is not bool:
        return args[:1] + args[2:]  # PyTorch's t.norm(2): the order this norm is
    if (first is None or isinstance(first, (bool, np.bool_))  # all axes; refused as an axis
            or name in ("max", "min") and (isinstance(first, tuple) or kwargs.keys() & {
                "keepdims", "out", "initial", "where"})  # numpy's alone
            or name in ("var", "std") and kwargs.keys() & {"ddof", "correction", "unbiased"}):
        return args
    if name in ("max", "min") and isinstance(first, (Tensor, np.ndarray, float)):
        raise TypeError(f"{name}(x, y): the elementwise {name}imum of two tensors is "
                        f"{name}imum(x, y); {name}(x, axis=...) reduces x over an axis")
    raise TypeError(f"{name}({first!r}): " + _POSITIONAL_MEANINGS[name].format(first))


_TORCH_KEYWORDS = (("dim", "axis"), ("keepdim", "keepdims"))  # PyTorch's -> numpy's
_SPREAD_KEYWORDS = (("correction", "ddof"),)  # var's and std's


_REDUCTIONS = ("sum", "mean", "var", "std", "norm", "prod", "logsumexp")


def _numpy_keywords(name: str, kwargs: dict) -> None:
    """PyTorch's dim= and keepdim= in ``kwargs`` renamed to numpy's axis= and keepdims=
    (and var's and std's unbiased= and correction= to ddof=)."""
    if "dim" in kwargs and name in ("max", "min"):  # PyTorch's gives (values, indices)
        raise TypeError(f"{name}(dim=...): PyTorch returns (values, indices) there; here "
                        f"{name} returns the values alone: write {name}(axis=...), and "
                        f"arg{name}(axis=...) for the indices")
    if name == "norm" and ("p" in kwargs or "ord" in kwargs):
        _norm_order(kwargs)
    spread = name in ("var", "std")
    as_torch = "dim" in kwargs or "keepdim" in kwargs
    if type(kwargs.get("dim")) in (tuple, list) and not kwargs["dim"]:
        if name not in _REDUCTIONS:  # (softmax(dim=()) gave all 1s: numpy's no axis)
            raise TypeError(f"{name}(dim=()): PyTorch refuses no axis here; give dim= an axis")
        kwargs["dim"] = None  # PyTorch's dim=() is every axis; numpy's axis=() is none
    if spread and "unbiased" in kwargs:  # PyTorch's older spelling: True divides by n - 1
        if "correction" in kwargs or "ddof" in kwargs:
            raise TypeError(f"{name}: give unbiased=, correction= or ddof=, one of them")
        kwargs["correction"] = int(_flag(kwargs.pop("unbiased"), f"{name}(unbiased=)"))
    for torch_name, numpy_name in _TORCH_KEYWORDS + (_SPREAD_KEYWORDS if spread else ()):
        if torch_name in kwargs:
            if numpy_name in kwargs:
                raise TypeError(f"{name}: give {numpy_name}= or PyTorch's {torch_name}=, "
                                "not both")
            kwargs[numpy_name] = kwargs.pop(torch_name)
    if spread and as_torch and "ddof" not in kwargs:  # written as PyTorch, read as numpy
        raise TypeError(f"{name}(dim=...): PyTorch's {name} divides by n - 1 (correction=1), "
                        f"numpy's by n (ddof=0): with PyTorch's dim= say which, correction=1 "
                        "or ddof=0")


def _numpys_order(x: Any, kwargs: dict) -> None:
    """numpy's (and torch.linalg's) ord=: 2 is a vector's 2-norm, "fro" a matrix's
    Frobenius norm; ord=2 of a matrix, its spectral norm, gave the Frobenius norm."""
    order, axis = kwargs["ord"], kwargs.get("axis", kwargs.get("dim"))
    axes = np.ndim(_val(x)) if axis is None else len(axis) if isinstance(axis, tuple) else 1
    if order == "fro" and axes != 2 or order == 2 and type(order) is not bool and axes != 1:
        raise TypeError(
            f"norm(ord={order!r}) over {axes} {'axis' if axes == 1 else 'axes'}: numpy's and "
            "torch.linalg's ord=2 is a vector's 2-norm (a matrix's is its largest singular "
            "value, which has no op here), ord='fro' a matrix's Frobenius norm. Give "
            "ord=None (the 2-norm of the entries: Frobenius for a matrix), or p=2 as "
            "torch.norm does")


def _norm_order(kwargs: dict) -> None:
    """PyTorch's p= (numpy's ord=) of a norm: the 2-norm's (2, "fro", None) is this op's own;
    another order is refused."""
    for keyword in ("p", "ord"):
        order = kwargs.pop(keyword, None)
        if not (order is None or order == 2 or order == "fro"):
            raise TypeError(f"norm({keyword}={order!r}): only the 2-norm (Frobenius for a "
                            "matrix) has an op; al.sum(al.abs(x)) is the 1-norm, al.max(al.abs("
                            "x)) the inf-norm")


# The public functions with an axis take PyTorch's dim= and keepdim= too (al.softmax(Z,
# dim=0), as torch.softmax), and so do their methods (t.sum(dim=1)): the registry holds the
# wrapped function, which __init__ exports; this module's own calls go to the plain one.
for _op in tuple(OPS.values()):
    if "axis" in inspect.signature(_op.function).parameters:
        OPS[_op.name] = dataclasses.replace(_op, function=_torch_keywords(_op.function))

# methods that also take numpy's and PyTorch's unpacked form (t.reshape(3, 2))
_METHOD_FORMS = {"reshape": _reshape_method, "transpose": _transpose_method,
                 "flatten": _flatten_method}
for _op in OPS.values():
    if _op.method in _METHOD_FORMS:
        setattr(Tensor, _op.method, _METHOD_FORMS[_op.name])
    elif _op.method:
        # a plain function binds as a method by itself (a wrapper cost 1,500 instructions)
        setattr(Tensor, _op.method, _op.function if isinstance(_op.function, types.FunctionType)
                else _method(_op.function))
Tensor.T = property(transpose, doc="The tensor with its axes reversed.")


def _matrix_transpose(t: Tensor) -> Tensor:
    if t.ndim < 2:
        raise np.exceptions.AxisError(f"mT: a tensor of shape {t.shape} has no last two axes "
                                      "to swap; use .T (or .reshape) for a vector")
    return swapaxes(t, -1, -2)


Tensor.mT = property(_matrix_transpose, doc="Last two axes swapped (needs at least 2 axes).")


def _repeat(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """``t.repeat`` means two things: numpy's repeats each entry in place ([1, 2] -> [1, 1,
    2, 2]), PyTorch's repeats the whole tensor ([1, 2, 1, 2]). Refused, saying which to write."""
    raise TypeError("t.repeat: numpy's repeats each entry ([1, 2] -> [1, 1, 2, 2]), PyTorch's "
                    "the whole tensor ([1, 2, 1, 2]); write al.tile(t, reps) for PyTorch's "
                    "(np.tile), or index for numpy's: t[np.repeat(np.arange(len(t)), k)]")


Tensor.repeat = _repeat
