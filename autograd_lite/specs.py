"""One table of op specs: every primitive and every public op (``ops.OPS``) with its numpy
reference and input domain.

It drives the generic forward and gradient tests (every float input of every op gets its
gradient checked, bounds, labels and exponents included), ``testing.graphs()`` and the
docs; a completeness test fails when a primitive or a public op has no row here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import ops


@dataclass(frozen=True)
class OpSpec:
    """How to call an op, what numpy computes instead, and where its inputs may lie.

    kind: which input strategy applies ("unary", "binary", "remainder", "reduce", "matmul",
        "reshape", "transpose", "broadcast_to", "getitem", "index_add", "concatenate",
        "where", "astype", "leaky", "clip", "axis", "dot", "swapaxes", "expand_dims",
        "squeeze", "stack", "join" (hstack, vstack), "tile", "einsum", "spread", "loss": a
        prediction and labels of one shape).
    low, high: element bounds; ``away_from`` keeps elements at least ``gap`` from these
        points (kinks, poles); ``distinct``: no ties (max, maximum).
    """

    primitive: str
    engine: Callable[..., Any]
    reference: Callable[..., Any]
    kind: str
    low: float = -3.0
    high: float = 3.0
    away_from: tuple[float, ...] = ()
    gap: float = 0.1
    distinct: bool = False
    second_order: bool = True
    in_graphs: bool = True  # usable as a node of testing.graphs()


def _ref_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _ref_index_add(v, index, shape):
    out = np.zeros(shape)
    np.add.at(out, index, v)
    return out


def _ref_concat(*xs, axis):
    return np.concatenate(xs, axis=axis)


def _ref_logsumexp(x, axis=None, keepdims=False):
    return np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims))


def _ref_softmax(x, axis=-1):
    if np.size(x) == 0:
        return np.array(x, dtype=float)
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _ref_bce(p, y):
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


OP_SPECS: list[OpSpec] = [
    # elementwise arithmetic
    OpSpec("add", ops.add, np.add, "binary"),
    OpSpec("subtract", ops.subtract, np.subtract, "binary"),
    OpSpec("multiply", ops.multiply, np.multiply, "binary"),
    OpSpec("divide", ops.divide, np.divide, "binary", away_from=(0.0,), gap=0.5),
    OpSpec("negative", ops.negative, np.negative, "unary"),
    OpSpec("power", ops.power, np.power, "binary", low=0.5, high=2.0),
    OpSpec("remainder", ops.remainder, np.remainder, "remainder", second_order=False,
           in_graphs=False),
    # elementwise functions
    OpSpec("exp", ops.exp, np.exp, "unary"),
    OpSpec("log", ops.log, np.log, "unary", low=0.1, high=5.0),
    OpSpec("log1p", ops.log1p, np.log1p, "unary", low=-0.9, high=5.0),
    OpSpec("expm1", ops.expm1, np.expm1, "unary"),
    OpSpec("tanh", ops.tanh, np.tanh, "unary"),
    OpSpec("sin", ops.sin, np.sin, "unary"),
    OpSpec("cos", ops.cos, np.cos, "unary"),
    OpSpec("sigmoid", ops.sigmoid, _ref_sigmoid, "unary", low=-8.0, high=8.0),
    OpSpec("abs", ops.abs, np.abs, "unary", away_from=(0.0,), second_order=False),
    OpSpec("relu", ops.relu, lambda x: np.maximum(x, 0), "unary", away_from=(0.0,)),
    OpSpec("maximum", ops.maximum, np.maximum, "binary", distinct=True, second_order=False),
    OpSpec("logaddexp", ops.logaddexp, np.logaddexp, "binary"),
    OpSpec("where", ops.where, np.where, "where", second_order=False),
    OpSpec("binary_cross_entropy_with_logits", ops.binary_cross_entropy_with_logits,
           lambda z, y: np.mean(np.logaddexp(0, z) - y * z), "loss"),
    # reductions
    OpSpec("sum", ops.sum, np.sum, "reduce"),
    OpSpec("max", ops.max, np.max, "reduce", distinct=True, second_order=False),
    # linear algebra
    OpSpec("matmul", ops.matmul, np.matmul, "matmul"),
    # shapes and indexing
    OpSpec("reshape", ops.reshape, np.reshape, "reshape"),
    OpSpec("transpose", ops.transpose, np.transpose, "transpose"),
    OpSpec("broadcast_to", ops.broadcast_to, np.broadcast_to, "broadcast_to"),
    OpSpec("astype", ops.astype, lambda x, dtype: x.astype(dtype), "astype", in_graphs=False),
    OpSpec("getitem", ops.getitem, lambda x, index: x[index], "getitem"),
    OpSpec("index_add", lambda v, index, shape: ops.index_add(v, index=index, shape=shape),
           _ref_index_add, "index_add", in_graphs=False),
    OpSpec("concatenate", lambda *xs, axis: ops.concatenate(xs, axis), _ref_concat,
           "concatenate"),
    OpSpec("prod", ops.prod, np.prod, "reduce", low=-1.5, high=1.5),
    OpSpec("cumsum", ops.cumsum, np.cumsum, "axis"),
    # composites: every float input is differentiated (bounds, labels, slopes included)
    OpSpec("sqrt", ops.sqrt, np.sqrt, "unary", low=0.1, high=4.0),
    OpSpec("square", ops.square, np.square, "unary"),
    OpSpec("minimum", ops.minimum, np.minimum, "binary", distinct=True, second_order=False),
    OpSpec("leaky_relu", ops.leaky_relu, lambda x, slope: np.where(x > 0, x, slope * x),
           "leaky", away_from=(0.0,)),
    OpSpec("clip", ops.clip, np.clip, "clip", second_order=False),
    OpSpec("mean", ops.mean, np.mean, "reduce"),
    OpSpec("var", ops.var, np.var, "reduce"),
    OpSpec("std", ops.std, np.std, "spread", distinct=True, in_graphs=False),
    OpSpec("min", ops.min, np.min, "reduce", distinct=True, second_order=False),
    OpSpec("norm", ops.norm, lambda x, axis=None, keepdims=False: np.sqrt(
        np.sum(x * x, axis=axis, keepdims=keepdims)), "reduce", away_from=(0.0,)),
    OpSpec("logsumexp", ops.logsumexp, _ref_logsumexp, "reduce"),
    OpSpec("softmax", ops.softmax, _ref_softmax, "axis"),
    OpSpec("log_softmax", ops.log_softmax, lambda x, axis: np.log(_ref_softmax(x, axis)),
           "axis"),
    OpSpec("binary_cross_entropy", ops.binary_cross_entropy, _ref_bce, "loss", low=0.05,
           high=0.95),
    OpSpec("dot", ops.dot, np.dot, "dot"),
    OpSpec("flatten", ops.flatten, np.ravel, "unary"),
    OpSpec("swapaxes", ops.swapaxes, np.swapaxes, "swapaxes"),
    OpSpec("expand_dims", ops.expand_dims, np.expand_dims, "expand_dims"),
    OpSpec("squeeze", ops.squeeze, np.squeeze, "squeeze"),
    OpSpec("stack", lambda *xs, axis: ops.stack(xs, axis),
           lambda *xs, axis: np.stack(xs, axis=axis), "stack"),
    OpSpec("hstack", lambda *xs: ops.hstack(xs), lambda *xs: np.hstack(xs), "join"),
    OpSpec("vstack", lambda *xs: ops.vstack(xs), lambda *xs: np.vstack(xs), "join"),
    OpSpec("reciprocal", ops.reciprocal, np.reciprocal, "unary", away_from=(0.0,), gap=0.5),
    OpSpec("outer", ops.outer, np.outer, "binary"),
    OpSpec("tile", ops.tile, np.tile, "tile"),
    OpSpec("einsum", lambda *xs, subscripts: ops.einsum(subscripts, *xs),
           lambda *xs, subscripts: np.einsum(subscripts, *xs), "einsum"),
]

SPECS_BY_PRIMITIVE = {s.primitive: s for s in OP_SPECS}  # keyed by op name (not only primitives)


# ---- kinks and boundaries ----------------------------------------------------------------

@dataclass(frozen=True)
class EdgeCase:
    """The documented value and gradient of an op at a kink or boundary.

    ``fn`` is applied to Tensors made from ``inputs``; ``grads`` are the gradients of the
    sum of the output. ``value`` may be an exception class that the call raises.
    """

    op: str
    text: str
    fn: Callable[..., Any]
    inputs: tuple
    value: Any
    grads: tuple = ()
    why: str = ""


_INF, _NAN = np.inf, np.nan
EDGE_CASES: list[EdgeCase] = [
    EdgeCase("add", "inf + (-inf)", ops.add, (_INF, -_INF), _NAN, (1.0, 1.0), "IEEE"),
    EdgeCase("subtract", "inf - inf", ops.subtract, (_INF, _INF), _NAN, (1.0, -1.0)),
    EdgeCase("multiply", "0 * inf", ops.multiply, (0.0, _INF), _NAN, (_INF, 0.0)),
    EdgeCase("divide", "1 / 0", ops.divide, (1.0, 0.0), _INF, (_INF, -_INF), "numpy's inf"),
    EdgeCase("divide", "0 / 0", ops.divide, (0.0, 0.0), _NAN, (_INF, _NAN)),
    EdgeCase("negative", "-(nan)", ops.negative, (_NAN,), _NAN, (-1.0,)),
    EdgeCase("power", "x ** 0 at x = 0", lambda x: ops.power(x, 0.0), (0.0,), 1.0, (0.0,),
             "as PyTorch and JAX: no 0 * 0 ** -1"),
    EdgeCase("power", "x ** 1 at x = 0", lambda x: ops.power(x, 1.0), (0.0,), 0.0, (1.0,)),
    EdgeCase("power", "x ** 2 at x = 0", lambda x: ops.power(x, 2.0), (0.0,), 0.0, (0.0,)),
    EdgeCase("power", "x ** 0.5 at x = 0", lambda x: ops.power(x, 0.5), (0.0,), 0.0, (_INF,)),
    EdgeCase("power", "x ** y at x = 0, y = 2", ops.power, (0.0, 2.0), 0.0, (0.0, 0.0),
             "d/dy = x**y log x, taken as 0 where x <= 0"),
    EdgeCase("power", "x ** y at x = -8, y = 1/3", ops.power, (-8.0, 1 / 3), _NAN, (_NAN, 0.0),
             "numpy's nan for a negative base"),
    EdgeCase("remainder", "5.5 % 2", ops.remainder, (5.5, 2.0), 1.5, (1.0, -2.0),
             "d/dy = -floor(x / y), as PyTorch"),
    EdgeCase("remainder", "-3.5 % 2", ops.remainder, (-3.5, 2.0), 0.5, (1.0, 2.0),
             "the sign of y, as Python's and numpy's"),
    EdgeCase("remainder", "4 % 2", ops.remainder, (4.0, 2.0), 0.0, (1.0, -2.0),
             "at a jump: the right side's slope"),
    EdgeCase("remainder", "1 % 0", ops.remainder, (1.0, 0.0), _NAN, (1.0, -_INF),
             "numpy's nan"),
    EdgeCase("log1p", "log1p(1e-20)", ops.log1p, (1e-20,), 1e-20, (1.0,),
             "exact where log(1 + x) gives 0"),
    EdgeCase("log1p", "log1p(-1)", ops.log1p, (-1.0,), -_INF, (_INF,)),
    EdgeCase("expm1", "expm1(1e-20)", ops.expm1, (1e-20,), 1e-20, (1.0,),
             "exact where exp(x) - 1 gives 0"),
    EdgeCase("expm1", "expm1(-inf)", ops.expm1, (-_INF,), -1.0, (0.0,)),
    EdgeCase("exp", "exp(inf)", ops.exp, (_INF,), _INF, (_INF,)),
    EdgeCase("exp", "exp(-inf)", ops.exp, (-_INF,), 0.0, (0.0,)),
    EdgeCase("log", "log(0)", ops.log, (0.0,), -_INF, (_INF,)),
    EdgeCase("log", "log(-1)", ops.log, (-1.0,), _NAN, (-1.0,), "1/x, as PyTorch"),
    EdgeCase("sqrt", "sqrt(0)", ops.sqrt, (0.0,), 0.0, (_INF,)),
    EdgeCase("square", "square(-inf)", ops.square, (-_INF,), _INF, (-_INF,)),
    EdgeCase("abs", "abs(0)", ops.abs, (0.0,), 0.0, (0.0,), "sign(0) = 0"),
    EdgeCase("tanh", "tanh(inf)", ops.tanh, (_INF,), 1.0, (0.0,)),
    EdgeCase("sin", "sin(inf)", ops.sin, (_INF,), _NAN, (_NAN,), "no limit at infinity"),
    EdgeCase("cos", "cos(0)", ops.cos, (0.0,), 1.0, (-0.0,), "the top: slope -sin(0)"),
    EdgeCase("sigmoid", "sigmoid(-1000)", ops.sigmoid, (-1000.0,), 0.0, (0.0,),
             "stable: no overflow"),
    EdgeCase("sigmoid", "sigmoid(inf)", ops.sigmoid, (_INF,), 1.0, (0.0,)),
    EdgeCase("relu", "relu(0)", ops.relu, (0.0,), 0.0, (0.0,), "the course's convention"),
    EdgeCase("relu", "relu(nan)", ops.relu, (_NAN,), _NAN, (0.0,)),
    EdgeCase("leaky_relu", "leaky_relu(0, 0.1)", lambda x: ops.leaky_relu(x, 0.1), (0.0,), 0.0,
             (0.1,), "the slope's side at 0"),
    EdgeCase("maximum", "maximum(1, 1)", ops.maximum, (1.0, 1.0), 1.0, (0.5, 0.5),
             "ties share the gradient"),
    EdgeCase("minimum", "minimum(1, 1)", ops.minimum, (1.0, 1.0), 1.0, (0.5, 0.5)),
    EdgeCase("maximum", "maximum(0, x) at x = 0, 0 a constant", lambda x: ops.maximum(0.0, x),
             (0.0,), 0.0, (0.0,), "np.maximum(0, Z), the course's relu: relu's 0, not a half"),
    EdgeCase("maximum", "maximum(nan, 1)", ops.maximum, (_NAN, 1.0), _NAN, (0.0, 0.0),
             "numpy propagates nan; nan compares false, so no gradient"),
    EdgeCase("clip", "clip(1, 0, 1)", ops.clip, (1.0, 0.0, 1.0), 1.0, (1.0, 0.0, 0.0),
             "at a bound the gradient goes to x"),
    EdgeCase("clip", "clip(2, 0, 1)", ops.clip, (2.0, 0.0, 1.0), 1.0, (0.0, 0.0, 1.0),
             "an active bound gets it, as torch.clamp"),
    EdgeCase("clip", "clip(nan, 0, 1)", ops.clip, (_NAN, 0.0, 1.0), _NAN, (0.0, 0.0, 0.0),
             "numpy's value; no gradient, as torch.clamp and maximum(nan, 1)"),
    EdgeCase("logaddexp", "logaddexp(-inf, -inf)", ops.logaddexp, (-_INF, -_INF), -_INF,
             (_NAN, _NAN), "log 0; the gradient is 0/0"),
    EdgeCase("logaddexp", "logaddexp(1000, 1000)", ops.logaddexp, (1000.0, 1000.0),
             1000 + np.log(2), (0.5, 0.5), "stable"),
    EdgeCase("where", "where(True, x, nan)", lambda x, y: ops.where(True, x, y), (1.0, _NAN),
             1.0, (1.0, 0.0), "no NaN leaks from the branch not taken"),
    EdgeCase("binary_cross_entropy_with_logits", "bce_logits(1e4, 1)",
             ops.binary_cross_entropy_with_logits, (1e4, 1.0), 0.0, (0.0, -1e4), "exact"),
    EdgeCase("binary_cross_entropy_with_logits", "bce_logits(inf, 1)",
             ops.binary_cross_entropy_with_logits, (_INF, 1.0), _NAN, (0.0, -_INF),
             "inf - inf, as PyTorch"),
    EdgeCase("binary_cross_entropy", "bce(0, 1)", ops.binary_cross_entropy, (0.0, 1.0),
             -np.log(np.finfo(np.float64).eps), (-1 / np.finfo(np.float64).eps ** 2,
                                                 -np.log(np.finfo(np.float64).eps)
                                                 + np.log1p(-np.finfo(np.float64).eps)),
             "p clipped to [eps, 1 - eps] in the cost: finite; p's gradient (p - y) / "
             "(p (1 - p)) is taken at p, with p (1 - p) at least eps squared"),
    EdgeCase("binary_cross_entropy", "bce(1e-20, 1)", ops.binary_cross_entropy, (1e-20, 1.0),
             -np.log(np.finfo(np.float64).eps), (-1e20, -np.log(np.finfo(np.float64).eps)
                                                  + np.log1p(-np.finfo(np.float64).eps)),
             "exact: through a sigmoid saturated there, dz = a - y = -1"),
    EdgeCase("sum", "sum([])", lambda x: ops.sum(x), (np.zeros(0),), 0.0, (np.zeros(0),)),
    EdgeCase("mean", "mean([])", lambda x: ops.mean(x), (np.zeros(0),), _NAN, (np.zeros(0),),
             "0/0, as numpy"),
    EdgeCase("var", "var([1, 3])", lambda x: ops.var(x), (np.array([1.0, 3.0]),), 1.0,
             (np.array([-1.0, 1.0]),), "numpy's ddof=0; PyTorch's default is ddof=1"),
    EdgeCase("std", "std([2, 2])", lambda x: ops.std(x), (np.array([2.0, 2.0]),), 0.0,
             (np.array([_NAN, _NAN]),),
             "0/0 where all are equal, as sqrt's at 0 (JAX's too; PyTorch gives 0)"),
    EdgeCase("norm", "norm([0, 0])", lambda x: ops.norm(x), (np.array([0.0, 0.0]),), 0.0,
             (np.array([0.0, 0.0]),), "0 at the zero vector, its kink (PyTorch's choice)"),
    EdgeCase("max", "max([2, 2, 1])", lambda x: ops.max(x), (np.array([2.0, 2.0, 1.0]),), 2.0,
             (np.array([0.5, 0.5, 0.0]),), "ties share"),
    EdgeCase("max", "max([])", lambda x: ops.max(x), (np.zeros(0),), ValueError),
    EdgeCase("min", "min([1, 1])", lambda x: ops.min(x), (np.array([1.0, 1.0]),), 1.0,
             (np.array([0.5, 0.5]),)),
    EdgeCase("prod", "prod([0, 2, 3])", lambda x: ops.prod(x), (np.array([0.0, 2.0, 3.0]),),
             0.0, (np.array([6.0, 0.0, 0.0]),), "a lone zero gets the product of the rest"),
    EdgeCase("prod", "prod([0, 0, 3])", lambda x: ops.prod(x), (np.array([0.0, 0.0, 3.0]),),
             0.0, (np.zeros(3),), "two zeros: every product of the others is 0"),
    EdgeCase("prod", "prod([])", lambda x: ops.prod(x), (np.zeros(0),), 1.0, (np.zeros(0),),
             "the empty product, as numpy"),
    EdgeCase("cumsum", "cumsum([])", lambda x: ops.cumsum(x), (np.zeros(0),), np.zeros(0),
             (np.zeros(0),)),
    EdgeCase("cumsum", "cumsum([inf, -inf])", lambda x: ops.cumsum(x),
             (np.array([_INF, -_INF]),), np.array([_INF, _NAN]), (np.array([2.0, 1.0]),)),
    EdgeCase("reciprocal", "reciprocal(0)", ops.reciprocal, (0.0,), _INF, (-_INF,)),
    EdgeCase("tile", "tile(x, 0)", lambda x: ops.tile(x, 0), (np.array([1.0, 2.0]),),
             np.zeros(0), (np.zeros(2),), "no copies: no gradient"),
    EdgeCase("outer", "outer([], [1, 2])", ops.outer, (np.zeros(0), np.ones(2)),
             np.zeros((0, 2)), (np.zeros(0), np.zeros(2)), "an empty side: no products"),
    EdgeCase("hstack", "hstack([2, [3, 4]])", lambda x, y: ops.hstack([x, y]),
             (2.0, np.array([3.0, 4.0])), np.array([2.0, 3.0, 4.0]), (1.0, np.ones(2)),
             "a number joins as a vector of one, as numpy's"),
    EdgeCase("vstack", "vstack([[1, 2], [[3, 4]]])", lambda x, y: ops.vstack([x, y]),
             (np.array([1.0, 2.0]), np.array([[3.0, 4.0]])), np.array([[1.0, 2.0], [3.0, 4.0]]),
             (np.ones(2), np.ones((1, 2))), "a vector is one row"),
    EdgeCase("einsum", "einsum('i,i->', [], [])", lambda x, y: ops.einsum("i,i->", x, y),
             (np.zeros(0), np.zeros(0)), 0.0, (np.zeros(0), np.zeros(0)), "an empty sum"),
    EdgeCase("einsum", "einsum('ii->', x)", lambda x: ops.einsum("ii->", x), (np.eye(2),),
             ValueError, why="a diagonal: refused, with what to write"),
    EdgeCase("logsumexp", "logsumexp([])", lambda x: ops.logsumexp(x), (np.zeros(0),), -_INF,
             (np.zeros(0),), "log of an empty sum"),
    EdgeCase("logsumexp", "logsumexp([-inf, -inf])", lambda x: ops.logsumexp(x),
             (np.array([-_INF, -_INF]),), -_INF, (np.array([_NAN, _NAN]),), "0/0"),
    EdgeCase("softmax", "softmax([1000, -1000])", lambda x: ops.softmax(x),
             (np.array([1000.0, -1000.0]),), np.array([1.0, 0.0]), (np.zeros(2),)),
    EdgeCase("log_softmax", "log_softmax([0, 0])", lambda x: ops.log_softmax(x),
             (np.zeros(2),), np.full(2, -np.log(2)), (np.zeros(2),)),
    EdgeCase("matmul", "(2, 0) @ (0, 3)", ops.matmul, (np.zeros((2, 0)), np.zeros((0, 3))),
             np.zeros((2, 3)), (np.zeros((2, 0)), np.zeros((0, 3))), "an empty inner sum"),
    EdgeCase("dot", "dot([], [])", ops.dot, (np.zeros(0), np.zeros(0)), 0.0,
             (np.zeros(0), np.zeros(0))),
    EdgeCase("getitem", "x[[0, 0]]", lambda x: x[[0, 0]], (np.array([1.0, 2.0]),),
             np.array([1.0, 1.0]), (np.array([2.0, 0.0]),), "repeated indices accumulate"),
    EdgeCase("reshape", "reshape((0, 3), (3, 0))", lambda x: ops.reshape(x, (3, 0)),
             (np.zeros((0, 3)),), np.zeros((3, 0)), (np.zeros((0, 3)),)),
    EdgeCase("flatten", "flatten((0, 2))", ops.flatten, (np.zeros((0, 2)),), np.zeros(0),
             (np.zeros((0, 2)),)),
    EdgeCase("transpose", "transpose((0, 2))", ops.transpose, (np.zeros((0, 2)),),
             np.zeros((2, 0)), (np.zeros((0, 2)),)),
    EdgeCase("swapaxes", "swapaxes(x, 0, 5)", lambda x: ops.swapaxes(x, 0, 5),
             (np.zeros((2, 3)),), np.exceptions.AxisError),
    EdgeCase("expand_dims", "expand_dims([], 0)", lambda x: ops.expand_dims(x, 0),
             (np.zeros(0),), np.zeros((1, 0)), (np.zeros(0),)),
    EdgeCase("squeeze", "squeeze((1, 0))", lambda x: ops.squeeze(x, 0), (np.zeros((1, 0)),),
             np.zeros(0), (np.zeros((1, 0)),)),
    EdgeCase("broadcast_to", "broadcast_to(2, (0,))", lambda x: ops.broadcast_to(x, (0,)),
             (2.0,), np.zeros(0), (0.0,), "nothing to sum back"),
    EdgeCase("concatenate", "concatenate([[], [1]])", lambda x, y: ops.concatenate([x, y]),
             (np.zeros(0), np.ones(1)), np.ones(1), (np.zeros(0), np.ones(1))),
    EdgeCase("stack", "stack([[], []])", lambda x, y: ops.stack([x, y]),
             (np.zeros(0), np.zeros(0)), np.zeros((2, 0)), (np.zeros(0), np.zeros(0))),
]
