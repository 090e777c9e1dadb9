"""One table of op specs: every primitive with its numpy reference and input domain.

It drives the generic forward and gradient tests, ``testing.graphs()`` and the docs;
a completeness test fails when a registered primitive has no row here.
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

    kind: which input strategy applies ("unary", "binary", "reduce", "matmul", "reshape",
        "transpose", "broadcast_to", "getitem", "index_add", "concatenate", "where", "astype").
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


OP_SPECS: list[OpSpec] = [
    # elementwise arithmetic
    OpSpec("add", ops.add, np.add, "binary"),
    OpSpec("subtract", ops.subtract, np.subtract, "binary"),
    OpSpec("multiply", ops.multiply, np.multiply, "binary"),
    OpSpec("divide", ops.divide, np.divide, "binary", away_from=(0.0,), gap=0.5),
    OpSpec("negative", ops.negative, np.negative, "unary"),
    OpSpec("power", ops.power, np.power, "binary", low=0.5, high=2.0),
    # elementwise functions
    OpSpec("exp", ops.exp, np.exp, "unary"),
    OpSpec("log", ops.log, np.log, "unary", low=0.1, high=5.0),
    OpSpec("tanh", ops.tanh, np.tanh, "unary"),
    OpSpec("sigmoid", ops.sigmoid, _ref_sigmoid, "unary", low=-8.0, high=8.0),
    OpSpec("abs", ops.abs, np.abs, "unary", away_from=(0.0,), second_order=False),
    OpSpec("relu", ops.relu, lambda x: np.maximum(x, 0), "unary", away_from=(0.0,)),
    OpSpec("maximum", ops.maximum, np.maximum, "binary", distinct=True, second_order=False),
    OpSpec("logaddexp", ops.logaddexp, np.logaddexp, "binary"),
    OpSpec("where", ops.where, np.where, "where", second_order=False),
    OpSpec("binary_cross_entropy_with_logits", ops.binary_cross_entropy_with_logits,
           lambda z, y: np.mean(np.logaddexp(0, z) - y * z), "binary"),
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
]

SPECS_BY_PRIMITIVE = {s.primitive: s for s in OP_SPECS}
