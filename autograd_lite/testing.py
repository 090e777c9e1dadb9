"""Hypothesis strategies and a property helper for gradient tests.

    from hypothesis import given
    from autograd_lite.testing import tensors, graphs, assert_gradients_match

Strategies build on ``hypothesis.extra.numpy`` and shrink to small failing cases.
Importing this module imports hypothesis; ``import autograd_lite`` alone does not.
"""

import hashlib
import json
import math
import numbers
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import numpy as np

from .backward import gradients
from .gradcheck import (
    ABSOLUTE,
    KINK_ENTRIES,
    RELATIVE,
    ROUNDING_RUNS,
    _changed,
    _custom_ops,
    _engine_gradients,
    _entry_floors,
    _epsilon,
    _finite_or_none,
    _first_nonfinite,
    _named,
    _norm,
    _require_tensor,
    _shape_hint,
    _slip,
    _subgradient_at_kinks,
    _summed_terms,
    _unconnected,
    _written,
    numerical_grad,
    relative_difference,
)
from .modes import enable_grad
from .specs import OP_SPECS, SPECS_BY_PRIMITIVE, OpSpec
from .tensor import Tensor

__all__ = ["floats", "arrays", "tensors", "broadcastable_shapes", "basic_indices",
           "advanced_indices", "layer_dims", "op_inputs", "graphs", "GraphCase",
           "assert_gradients_match", "GradientMismatchError", "register_profiles"]


def floats(low: float = -3.0, high: float = 3.0, dtype: Any = np.float64,
           away_from: Sequence[float] = (), gap: float = 0.1) -> st.SearchStrategy[float]:
    """Finite floats in [low, high], at least ``gap`` from each point of ``away_from``."""
    width = 32 if np.dtype(dtype) == np.float32 else 64
    if width == 32:  # hypothesis wants float32 bounds: 0.1 is not one; the nearest inside is
        low32, high32 = np.float32(low), np.float32(high)
        if low32 < low:
            low32 = np.nextafter(low32, np.float32(np.inf))
        if high32 > high:
            high32 = np.nextafter(high32, np.float32(-np.inf))
        low, high = float(low32), float(high32)
    s = st.floats(low, high, allow_nan=False, allow_infinity=False, width=width)
    if away_from:
        s = s.filter(lambda v: all(abs(v - p) >= gap for p in away_from))
    return s


def arrays(shape: Any = None, dtype: Any = np.float64, low: float = -3.0, high: float = 3.0,
           min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4,
           away_from: Sequence[float] = (), gap: float = 0.1,
           unique: bool = False) -> st.SearchStrategy[np.ndarray]:
    """numpy arrays with bounded finite elements; ``shape`` may be a tuple or a strategy."""
    if shape is None:
        shape = hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                                 max_side=max_side)
    return hnp.arrays(dtype, shape, elements=floats(low, high, dtype, away_from, gap),
                      unique=unique)


def tensors(shape: Any = None, dtype: Any = np.float64, low: float = -3.0, high: float = 3.0,
            min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4,
            requires_grad: bool = False, **kwargs: Any) -> st.SearchStrategy[Tensor]:
    """Tensors of the given (or a random) shape with elements in [low, high]."""
    return arrays(shape, dtype, low, high, min_dims, max_dims, min_side, max_side,
                  **kwargs).map(lambda a: Tensor(a, requires_grad=requires_grad))


def broadcastable_shapes(num_shapes: int = 2, min_dims: int = 0, max_dims: int = 3,
                         min_side: int = 1, max_side: int = 4
                         ) -> st.SearchStrategy[tuple[tuple[int, ...], ...]]:
    """Tuples of shapes that broadcast together (e.g. ((4, 1), (3,)))."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, min_side=min_side,
        max_side=max_side).map(lambda r: r.input_shapes)


def basic_indices(shape: tuple[int, ...]) -> st.SearchStrategy[Any]:
    """Ints, slices, Ellipsis and None that index an array of ``shape``."""
    return hnp.basic_indices(shape, min_dims=0, allow_newaxis=True, allow_ellipsis=True)


@st.composite
def advanced_indices(draw, shape: tuple[int, ...], max_size: int = 6) -> Any:
    """Integer-array indices (with repeats) into the first axis, or the first two."""
    def axis_index(n, size):
        return np.array(draw(st.lists(st.integers(-n, n - 1), min_size=size, max_size=size)))
    size = draw(st.integers(1, max_size))
    if len(shape) >= 2 and draw(st.booleans()):
        return (axis_index(shape[0], size), axis_index(shape[1], size))
    return axis_index(shape[0], size)


def layer_dims(min_layers: int = 1, max_layers: int = 5, min_width: int = 1, max_width: int = 20,
               n_x: Any = None, n_y: Any = 1) -> st.SearchStrategy[list[int]]:
    """Layer sizes for nn in the course's order: [n_x, n[1], ..., n[L-1], n_y]; from
    ``min_layers`` to ``max_layers`` layers (L, the output layer included: at least 1).
    ``n_x`` and ``n_y``: a size, or a strategy of sizes (n_x None: drawn as a width)."""
    if not 1 <= min_layers <= max_layers or not 1 <= min_width <= max_width:
        raise ValueError(f"layer_dims: need 1 <= min_layers <= max_layers (the output layer "
                         f"counts) and 1 <= min_width <= max_width, got layers {min_layers} to "
                         f"{max_layers}, widths {min_width} to {max_width}")
    n_x = st.integers(min_width, max_width) if n_x is None else _strategy(n_x, "n_x")
    hidden = st.lists(st.integers(min_width, max_width), min_size=min_layers - 1,
                      max_size=max_layers - 1)
    return st.builds(lambda x, h, y: [x, *h, y], n_x, hidden, _strategy(n_y, "n_y"))


def _strategy(n: Any, name: str) -> st.SearchStrategy[int]:
    """``n``, a size or a strategy of sizes (st.integers(2, 3) was put in the list as is)."""
    if isinstance(n, st.SearchStrategy):
        return n
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"layer_dims: {name} must be a size >= 1 or a strategy of sizes, got "
                         f"{n!r}")
    return st.just(int(n))


# ---- hypothesis profiles ------------------------------------------------------------------

_PROFILES = {  # quick and reproducible for CI; many examples on demand
    "ci": {"max_examples": 25, "derandomize": True},
    "thorough": {"max_examples": 400},
}


def register_profiles(default: str = "ci") -> str:
    """Register the hypothesis profiles "ci" (25 examples, derandomized: the default) and
    "thorough" (400), and load the one $AUTOGRAD_LITE_PROFILE names (else ``default``);
    returns its name. Call it from a conftest.py, as the project's tests do::

        from autograd_lite.testing import register_profiles
        register_profiles()

    then ``AUTOGRAD_LITE_PROFILE=thorough python -m pytest`` runs the thorough one.
    """
    from hypothesis import HealthCheck, Phase, settings

    base = settings.get_profile("default")  # (not the loaded one: a second call from
    # another conftest made "thorough" derandomized). No explain phase: its "lines always and
    # only run by failing test cases" named the engine's backward.py, not the learner's code
    phases = [p for p in base.phases if p is not Phase.explain]
    for key, options in _PROFILES.items():
        settings.register_profile(key, base, deadline=None, phases=phases, suppress_health_check=[
            HealthCheck.too_slow, HealthCheck.filter_too_much], **options)
    chosen = os.environ.get("AUTOGRAD_LITE_PROFILE") or default
    if chosen not in _PROFILES:
        said = ("AUTOGRAD_LITE_PROFILE={!r}" if os.environ.get("AUTOGRAD_LITE_PROFILE")
                else "register_profiles(default={!r})").format(chosen)
        raise ValueError(f"{said} names no profile; use "
                         + " or ".join(repr(k) for k in _PROFILES))
    settings.load_profile(chosen)
    return chosen


# ---- inputs for each kind of op in the spec table ------------------------------------------

def _elements(spec: OpSpec, shape):
    if spec.distinct:  # distinct values on a 0.01 grid: no ties within finite-difference reach
        grid = st.integers(int(spec.low * 100), int(spec.high * 100)).map(lambda i: i / 100)
        return hnp.arrays(np.float64, shape, elements=grid, unique=True)
    return arrays(shape, low=spec.low, high=spec.high, away_from=spec.away_from, gap=spec.gap)


def _far_apart(x, y):
    return bool(np.all(np.abs(np.subtract(x, y)) > 1e-3))


def _reduction_inputs(draw, spec: OpSpec, any_shape, max_side: int) -> tuple[tuple, dict]:
    """reduce: any axes of any array. spread (std): two or more distinct entries along the
    reduced axis, since over one entry, or equal ones, its gradient is 0/0."""
    if spec.kind == "reduce":
        x = draw(_elements(spec, any_shape))
        axis = draw(st.none() | (st.just(()) if x.ndim == 0 else hnp.valid_tuple_axes(x.ndim)))
    else:
        x = draw(_elements(spec, hnp.array_shapes(min_dims=1, max_dims=3, min_side=2,
                                                  max_side=max_side)))
        axis = draw(st.none() | st.integers(-x.ndim, x.ndim - 1))
    return (x,), {"axis": axis, "keepdims": draw(st.booleans())}


@st.composite
def op_inputs(draw, spec: OpSpec, max_side: int = 4) -> tuple[tuple, dict]:
    """``(args, kwargs)`` valid for ``spec``'s op: shapes that fit, elements in its domain."""
    kind = spec.kind
    any_shape = hnp.array_shapes(min_dims=0, max_dims=3, max_side=max_side)
    if kind == "unary":
        return (draw(_elements(spec, any_shape)),), {}
    if kind == "binary":
        s1, s2 = draw(broadcastable_shapes(2, max_side=max_side))
        x, y = draw(_elements(spec, s1)), draw(_elements(spec, s2))
        if spec.distinct:
            from hypothesis import assume
            assume(_far_apart(x, y))
        return (x, y), {}
    if kind == "remainder":
        return _remainder_inputs(draw, spec, max_side)
    if kind == "where":
        s1, s2, s3 = draw(broadcastable_shapes(3, max_side=max_side))
        return (draw(hnp.arrays(bool, s1)), draw(_elements(spec, s2)),
                draw(_elements(spec, s3))), {}
    if kind in ("reduce", "spread"):
        return _reduction_inputs(draw, spec, any_shape, max_side)
    if kind == "matmul":
        n, m, k, b = (draw(st.integers(1, max_side)) for _ in range(4))
        case = draw(st.sampled_from(["mm", "vm", "mv", "vv", "batched", "broadcast"]))
        shapes = {"mm": ((n, m), (m, k)), "vm": ((m,), (m, k)), "mv": ((n, m), (m,)),
                  "vv": ((m,), (m,)), "batched": ((b, n, m), (b, m, k)),
                  "broadcast": ((n, m), (b, m, k))}[case]
        return tuple(draw(_elements(spec, s)) for s in shapes), {}
    if kind == "reshape":
        x = draw(_elements(spec, any_shape))
        target = draw(st.sampled_from([(-1,), (x.size, 1), (1, x.size), x.shape[::-1],
                                       (1, *x.shape), x.shape + (1,)]))
        return (x,), {"shape": target}
    if kind == "transpose":
        x = draw(_elements(spec, any_shape))
        return (x,), {"axes": tuple(draw(st.permutations(range(x.ndim))))}
    if kind == "broadcast_to":
        target = draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=max_side))
        keep = draw(st.integers(0, len(target)))
        shape = tuple(1 if draw(st.booleans()) else n for n in target[len(target) - keep:])
        return (draw(_elements(spec, shape)),), {"shape": target}
    if kind == "astype":
        return (draw(_elements(spec, any_shape)),), {"dtype": np.float64}
    if kind in ("getitem", "index_add"):
        shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=max_side))
        index = draw(basic_indices(shape) | advanced_indices(shape))
        if kind == "getitem":
            return (draw(_elements(spec, shape)),), {"index": index}
        v = draw(_elements(spec, np.zeros(shape)[index].shape))
        return (v,), {"index": index, "shape": shape}
    if kind == "concatenate":
        shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=max_side))
        axis = draw(st.integers(0, len(shape) - 1))
        parts = []
        for _ in range(draw(st.integers(1, 3))):
            s = list(shape)
            s[axis] = draw(st.integers(1, max_side))
            parts.append(draw(_elements(spec, tuple(s))))
        return tuple(parts), {"axis": axis}
    return _composite_inputs(draw, spec, max_side)


# einsum's forms in the tests: products, sums, transposes, batches, and the implicit output
EINSUM_FORMS = ("ij,jk->ik", "ij->ji", "ij->i", "ij->", "i,i->", "i,j->ij", "bij,bjk->bik",
                "ij,ij->ij", "ijk->kji", "ij,jk,kl->il", "ij,jk", "ij,kj->", "i->i")


def _remainder_inputs(draw, spec, max_side):
    """x % y: y away from 0, and x / y away from the integers, where x % y jumps."""
    s1, s2 = draw(broadcastable_shapes(2, max_side=max_side))
    x = draw(_elements(spec, s1))
    y = draw(arrays(s2, low=-2.0, high=2.0, away_from=(0.0,), gap=0.5))
    from hypothesis import assume
    ratio = x / y
    assume(np.all(np.abs(ratio - np.round(ratio)) > 1e-3))
    return (x, y), {}


def _composite_inputs(draw, spec, max_side):
    kind = spec.kind
    if kind == "loss":  # a prediction and its labels: one shape, or one label for all
        shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=max_side))
        label_shape = draw(st.sampled_from([shape, shape, shape, ()]))
        return (draw(_elements(spec, shape)), draw(_elements(spec, label_shape))), {}
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=max_side))
    if kind == "leaky":  # the slope is an input too (a learned slope, as in PReLU)
        return (draw(_elements(spec, shape)), draw(arrays((), low=0.01, high=0.5))), {}
    if kind == "clip":  # bounds that broadcast against x, x kept off them (the kinks)
        lo_shape, hi_shape = draw(st.sampled_from([((), ()), (shape, ()), ((), shape[-1:]),
                                                   (shape, shape)]))
        lo, hi = draw(arrays(lo_shape, low=-2.0, high=-0.5)), draw(arrays(hi_shape, low=0.5,
                                                                          high=2.0))
        x = draw(_elements(spec, shape))
        from hypothesis import assume
        assume(np.all(np.abs(x - lo) > 0.05) and np.all(np.abs(x - hi) > 0.05))
        return (x, lo, hi), {}
    if kind == "axis":
        return (draw(_elements(spec, shape)),), {"axis": draw(st.integers(-len(shape),
                                                                         len(shape) - 1))}
    if kind == "dot":
        n, m, k = (draw(st.integers(1, max_side)) for _ in range(3))
        shapes = draw(st.sampled_from([((n, m), (m, k)), ((m,), (m,)), ((n, m), (m,)),
                                       ((m,), (m, k)), ((), (n, m))]))
        return tuple(draw(_elements(spec, s)) for s in shapes), {}
    if kind == "swapaxes":
        n = len(shape)
        return (draw(_elements(spec, shape)), draw(st.integers(-n, n - 1)),
                draw(st.integers(-n, n - 1))), {}
    if kind == "expand_dims":
        return (draw(_elements(spec, shape)),), {"axis": draw(st.integers(-len(shape) - 1,
                                                                         len(shape)))}
    if kind == "squeeze":
        ones = tuple(draw(st.sampled_from([n, 1])) for n in shape)
        axes = [i for i, n in enumerate(ones) if n == 1]
        axis = draw(st.none() | st.sampled_from(axes)) if axes else None
        return (draw(_elements(spec, ones)),), {"axis": axis}
    if kind == "stack":
        parts = tuple(draw(_elements(spec, shape)) for _ in range(draw(st.integers(1, 3))))
        return parts, {"axis": draw(st.integers(-len(shape) - 1, len(shape)))}
    if kind == "join":  # hstack, vstack: one shape, or () and (n,) as numpy promotes them
        shape = draw(st.sampled_from([(), shape[-1:], shape]))
        return tuple(draw(_elements(spec, shape)) for _ in range(draw(st.integers(1, 3)))), {}
    if kind == "einsum":  # sizes per letter, shapes made from them
        subscripts = draw(st.sampled_from(EINSUM_FORMS))
        size = {c: draw(st.integers(1, max_side)) for c in sorted(set(subscripts) - set(",->"))}
        parts = subscripts.split("->")[0].split(",")
        return tuple(draw(_elements(spec, tuple(size[c] for c in p))) for p in parts), {
            "subscripts": subscripts}
    if kind == "tile":
        reps = draw(st.lists(st.integers(0, 3), max_size=3).map(tuple) | st.integers(0, 3))
        return (draw(_elements(spec, shape[:draw(st.integers(0, len(shape)))])),), {
            "reps": reps}
    raise ValueError(f"op_inputs: no strategy for op kind {kind!r}")


# ---- random computation graphs ------------------------------------------------------------

# where needs a condition: in graphs() it is "first operand > 0", computed from the operand's
# values (recorded as a comparison under al.compile, so that a replay recomputes it).
def _graph_where(x, y):
    from .ops import where
    return where((x > 0) if isinstance(x, Tensor) else np.asarray(x) > 0, x, y)


_GRAPH_SPECS = dict(SPECS_BY_PRIMITIVE)
_GRAPH_SPECS["where"] = OpSpec("where", _graph_where,
                               lambda x, y: np.where(np.asarray(x) > 0, x, y), "where")


@dataclass
class GraphCase:
    """A random graph: ``f(*inputs)`` replays ``steps`` with engine ops; prints as a recipe."""

    inputs: list[np.ndarray]
    steps: list[tuple[str, tuple[int, ...], dict]] = field(default_factory=list)

    def f(self, *xs: Any) -> Tensor:
        """The graph run by the engine on the inputs (Tensors): its output Tensor."""
        vals = list(xs)
        for name, operands, kwargs in self.steps:
            vals.append(_GRAPH_SPECS[name].engine(*(vals[i] for i in operands), **kwargs))
        out = vals[-1]
        return out if isinstance(out, Tensor) else Tensor(out)

    def reference(self, *xs: np.ndarray) -> np.ndarray:
        """The same graph run by numpy on the inputs (arrays): its output array."""
        vals = [np.asarray(x) for x in xs]
        for name, operands, kwargs in self.steps:
            vals.append(_GRAPH_SPECS[name].reference(*(vals[i] for i in operands), **kwargs))
        return vals[-1]

    def __repr__(self) -> str:
        lines = [f"v{i} = input of shape {x.shape}" for i, x in enumerate(self.inputs)]
        for n, (name, operands, kwargs) in enumerate(self.steps, start=len(self.inputs)):
            args = ", ".join(f"v{i}" for i in operands)
            kw = "".join(f", {k}={_short(v)}" for k, v in kwargs.items())
            lines.append(f"v{n} = {name}({args}{kw})")
        return "GraphCase:\n  " + "\n  ".join(lines)


def _short(v):
    return f"<bool mask {v.shape}>" if isinstance(v, np.ndarray) else repr(v)


def _in_domain(spec: OpSpec, *xs) -> bool:
    for x in xs:
        if not (np.all(x >= spec.low) and np.all(x <= spec.high)):
            return False
        if any(np.any(np.abs(x - p) < spec.gap) for p in spec.away_from):
            return False
        if spec.distinct and len(xs) == 1 and not np.all(np.diff(np.sort(x, axis=None)) > 1e-3):
            return False  # near ties too: a finite difference steps across 0 vs 2e-10
    return not (spec.distinct and len(xs) == 2 and not _far_apart(*xs))


_GRAPH_KINDS = ("unary", "binary", "loss", "reduce", "matmul", "reshape", "transpose",
                "getitem", "concatenate", "where")


@st.composite
def graphs(draw, max_inputs: int = 3, max_ops: int = 6, max_side: int = 3,
           ops: Sequence[str] | None = None) -> GraphCase:
    """Random well-formed computation graphs from the op table.

    Each step applies an op of the table to earlier values whose shapes fit and whose
    values lie in the op's domain (checked as the graph is drawn), so every case
    evaluates and differentiates. Use ``case.f`` and ``case.inputs``.
    """
    specs = [_GRAPH_SPECS[s.primitive] for s in OP_SPECS if s.in_graphs
             and s.kind in _GRAPH_KINDS and (ops is None or s.primitive in ops)]
    n_in = draw(st.integers(1, max_inputs))
    shapes = draw(broadcastable_shapes(n_in, min_dims=0, max_dims=2, max_side=max_side))
    inputs = [draw(arrays(s, low=-2.0, high=2.0)) for s in shapes]
    case = GraphCase(inputs)
    vals = list(inputs)
    for _ in range(draw(st.integers(1, max_ops))):
        spec = draw(st.sampled_from(specs))
        step = _draw_step(draw, spec, vals)
        if step is None:
            continue
        operands, kwargs = step
        with np.errstate(all="ignore"):
            out = np.asarray(spec.reference(*(vals[i] for i in operands), **kwargs))
        if out.size == 0 or not np.all(np.isfinite(out)) or np.max(np.abs(out)) > 1e4:
            continue
        case.steps.append((spec.primitive, operands, kwargs))
        vals.append(out)
    return case


def _draw_step(draw, spec, vals):
    idx = range(len(vals))
    pick = st.sampled_from(list(idx))
    kind = spec.kind
    if kind in ("unary", "reduce", "reshape", "transpose", "getitem"):
        i = draw(pick)
        x = vals[i]
        if not _in_domain(spec, x):
            return None
        if kind == "unary":
            return (i,), {}
        if kind == "reduce":
            axis = None if x.ndim == 0 else draw(st.none() | st.integers(0, x.ndim - 1))
            return (i,), {"axis": axis, "keepdims": draw(st.booleans())}
        if kind == "reshape":
            return (i,), {"shape": (-1,)}
        if kind == "transpose":
            return (i,), {"axes": tuple(reversed(range(x.ndim)))}
        if x.ndim == 0:
            return None
        return (i,), {"index": slice(0, draw(st.integers(1, x.shape[0])))}
    i, j = draw(pick), draw(pick)
    x, y = vals[i], vals[j]
    if kind in ("binary", "loss"):
        try:
            np.broadcast_shapes(x.shape, y.shape)
        except ValueError:
            return None
        if kind == "loss" and x.shape != y.shape:
            return None
        return ((i, j), {}) if _in_domain(spec, x, y) else None
    if kind == "matmul":
        ok = x.ndim >= 1 and y.ndim >= 1 and x.shape[-1] == y.shape[-2 if y.ndim > 1 else 0]
        return ((i, j), {}) if ok and x.ndim <= 2 and y.ndim <= 2 else None
    if kind == "concatenate":
        ok = x.ndim == y.ndim >= 1 and x.shape[1:] == y.shape[1:]
        return ((i, j), {"axis": 0}) if ok else None
    if kind == "where":  # the condition is x > 0: keep x away from 0, off the kink
        try:
            np.broadcast_shapes(x.shape, y.shape)
        except ValueError:
            return None
        return ((i, j), {}) if np.all(np.abs(x) > 0.1) else None
    return None


# ---- the property helper --------------------------------------------------------------------

def _failure_dir() -> str:
    path = os.environ.get("AUTOGRAD_LITE_FAILURE_DIR",
                          os.path.join(tempfile.gettempdir(), "autograd_lite_failures"))
    os.makedirs(path, exist_ok=True)
    return path


def _fmt(a) -> str:
    return np.array2string(np.asarray(a), precision=6, threshold=30, separator=", ")


class GradientMismatchError(AssertionError):
    """Raised by ``assert_gradients_match`` when a hand gradient fails; its text is the
    message hypothesis shows, its attributes the same as data, for a grading program.

    inputs: the inputs as hand_grad got them (arrays, in their own dtype). yours:
    hand_grad's gradients as float64 arrays (None where one is not numeric). engine: the
    engine's (float64). problems: one dict per problem, {"input", "reason", "message"};
    ``reason`` is "values", "shape", "type" (a list, np.matrix, complex or Tensor given),
    "missing" (None given), "not finite", "count", "wrote into input", "custom op's VJP" or
    "f not finite". input, reason: the first problem's (input None
    for f itself or the count). relative_difference: ||yours - engine|| / (||yours|| +
    ||engine||) for that input (NaN for a NaN/inf; None where there is nothing to
    compare). diagram: the path in the message ("" for an example hypothesis tries while
    shrinking: only the one it reports is drawn). tolerances: (rtol, atol) per input (atol,
    for a float32 input, one per entry).
    """

    def __init__(self, message: str, *, name: str = "", inputs: Sequence[np.ndarray] = (),
                 yours: Sequence[np.ndarray | None] = (), engine: Sequence[np.ndarray] = (),
                 problems: Sequence[dict] = (), tolerances: Sequence[tuple] = (),
                 diagram: str = "") -> None:
        super().__init__(message)  # args stay (message,): it pickles
        self.name, self.diagram = name, diagram
        self.inputs, self.yours, self.engine = list(inputs), list(yours), list(engine)
        self.problems, self.tolerances = list(problems), list(tolerances)
        first = self.problems[0] if self.problems else {}
        self.input, self.reason = first.get("input"), first.get("reason")
        i = self.input
        self.relative_difference = (
            relative_difference(self.yours[i], self.engine[i]) if i is not None
            and i < min(len(self.yours), len(self.engine)) and self.yours[i] is not None
            and np.shape(self.yours[i]) == np.shape(self.engine[i]) else None)

    def to_dict(self) -> dict:
        """The failure as plain data (arrays as nested lists), in the style of
        ``GradientReport.to_dict``: passed (False), name, reason, input,
        relative_difference, inputs, dtypes, yours, engine, tolerances, problems, diagram
        and message."""
        def listed(arrays):
            return [None if a is None else np.asarray(a).tolist() for a in arrays]
        return {"passed": False, "name": self.name, "reason": self.reason, "input": self.input,
                "relative_difference": self.relative_difference,
                "inputs": listed(self.inputs), "dtypes": [str(a.dtype) for a in self.inputs],
                "yours": listed(self.yours), "engine": listed(self.engine),
                "tolerances": [{"rtol": float(r), "atol": np.asarray(a, float).tolist()}
                               for r, a in self.tolerances],
                "problems": [dict(p) for p in self.problems], "diagram": self.diagram,
                "message": str(self)}

    def to_json(self, **kwargs: Any) -> str:
        """``to_dict()`` as JSON text (a NaN or inf is null); ``kwargs`` go to json.dumps."""
        return json.dumps(_finite_or_none(self.to_dict()), **kwargs)


class _Problem(NamedTuple):
    input: int | None  # None: f itself, or the number of gradients
    reason: str
    text: str


def assert_gradients_match(f: Callable[..., Any], hand_grad: Callable[..., Any],
                           inputs: Sequence[Any], *, rtol: float = 1e-7,
                           atol: float | None = None, name: str | None = None) -> None:
    """Assert that ``hand_grad(*inputs)`` equals the engine's gradient of scalar ``f``.

    ``f`` returns a scalar Tensor built from the Tensors it is passed (a float, or a Tensor
    made from their .data, raises TypeError / ValueError). ``hand_grad`` returns one
    gradient per input (one array or nested list for a single input). It gets copies of the
    inputs in their own dtype (float32 stays float32; ints and numbers become float64); the
    engine works on float64 copies. They are compared entry by entry as np.allclose does,
    with ``rtol`` and ``atol`` (default: the engine's rounding, 10 machine epsilons times its
    largest gradient entry; a fixed 1e-10 passed a gradient twice too big in
    f = 1e-11 x^2, and one wrong entry must not hide behind big ones). A float32 input
    makes it check_gradients' float32 rule, entry by entry: rtol at least 1000 eps32, and
    atol at least 10 eps32 times the terms the entry sums, or the engine's own float32
    rounding of it (a norm let a wrong small entry pass). A NaN or inf in f's value,
    yours or the engine's gradient fails, naming the first bad entry; so does a hand_grad
    that writes into its inputs. A failure raises ``GradientMismatchError`` (an AssertionError
    that carries the data): its message shows the counterexample (inputs, both gradients,
    the relative difference) and the graph's diagram is written as DOT (and SVG if a
    renderer is available) under $AUTOGRAD_LITE_FAILURE_DIR (default: the temp directory).
    """
    fname = "assert_gradients_match"
    for key, value in (("rtol", rtol), ("atol", atol)):
        _require_tolerance(fname, key, value)
    if not isinstance(inputs, (list, tuple)):  # an array was taken as its rows
        raise TypeError(f"{fname}(f, hand_grad, inputs): inputs is a list of f's inputs, got "
                        f"{type(inputs).__name__} of shape {np.shape(inputs)}; for one input x "
                        "write [x]")
    given = [_own_dtype(x) for x in inputs]  # what hand_grad gets
    out, xs, engine = _engine_side(fname, f, given)
    copies = [a.copy() for a in given]  # compared afterwards: a write into them fails
    mine = hand_grad(*copies)
    if mine is None or isinstance(mine, dict):
        raise TypeError(f"{fname}: hand_grad returned {type(mine).__name__}; return one "
                        "gradient per input, in the inputs' order (a tuple of arrays, or one "
                        "array for a single input)")
    mine = _per_input(mine, len(given), given[0].shape if given else ())
    tolerances = _tolerances(f, given, engine, rtol, atol, mine)
    problems = [_Problem(i, "wrote into input", _written(f"hand_grad wrote into input {i} "
                                                         f"(x{i})", a, c))
                for i, (a, c) in enumerate(zip(given, copies)) if _changed(a, c)]
    problems += _gradient_problems(out, mine, engine, given, tolerances)
    problems = _custom_op_blame(f, out, mine, engine, given, problems)
    problems = [_kink_limit_said(p, mine, engine, tolerances) for p in problems
                if not (p.reason == "values" and _subgradient_at_kinks(
                    f, given, p.input, mine[p.input], engine[p.input], tolerances[p.input]))]
    if problems:
        raise _mismatch(name or getattr(f, "__name__", "f"), out, xs, given, mine, engine,
                        tolerances, problems)


def _kink_limit_said(p: _Problem, mine, engine, tolerances) -> _Problem:
    """``p``, saying so where more entries differ than are looked at for kinks (a right
    relu_backward failed on 1,025 zeros with "relative difference 1" alone)."""
    if p.reason != "values":
        return p
    rtol, atol = tolerances[p.input]
    n = int(np.sum(~np.isclose(np.asarray(mine[p.input], np.float64), engine[p.input],
                               rtol=rtol, atol=atol)))
    if n <= KINK_ENTRIES:
        return p
    return p._replace(text=f"{p.text}\n  ({n:,} entries differ, more than the {KINK_ENTRIES:,} "
                           "looked at for kinks, where a subgradient of yours would pass: at "
                           "a kink in every entry, relu's 0 in an input of zeros, test fewer "
                           "entries or inputs off the kinks)")


def _custom_op_blame(f, out, mine, engine, given, problems) -> list[_Problem]:
    """``problems``, where gradients differ and the engine's goes through a user's custom op
    (whose VJP is the user's too) with the finite differences on the hand gradient's side,
    blaming the op: a right hand gradient was blamed for a wrong VJP (the Gram op's), where
    check_gradients named the op."""
    wrong = [p.input for p in problems if p.reason == "values"]
    custom = _custom_ops(out) if wrong else []
    if not custom:
        return problems
    fd = numerical_grad(f, *given)
    fd = [fd] if len(given) == 1 else list(fd)
    blamed = {}
    for i in wrong:
        yours, its = relative_difference(mine[i], fd[i]), relative_difference(engine[i], fd[i])
        if yours < 1e-5 < its:
            blamed[i] = (f"the finite differences agree with yours (relative difference "
                         f"{yours:.2g}) and not with the engine's ({its:.2g}), which goes "
                         f"through {_named(custom)}: its VJP is the one to check, "
                         "al.gradcheck(op, [inputs])")
    return [_Problem(p.input, "custom op's VJP", f"{p.text}\n  {blamed[p.input]}")
            if p.reason == "values" and p.input in blamed else p for p in problems]


def _require_tolerance(fname: str, key: str, value: Any) -> None:
    """Refuse a tolerance that is not a finite real number >= 0 (None: atol's default), by
    name: rtol="1e-3" gave numpy's "ufunc 'isfinite' not supported"."""
    if value is None and key == "atol":
        return
    real = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not real or not (math.isfinite(value) and value >= 0):
        raise (ValueError if real else TypeError)(
            f"{fname}: {key} must be a finite number >= 0, got {value!r}")


def _engine_side(fname, f, given) -> tuple[Tensor, list[Tensor], list[np.ndarray]]:
    """f's output, its inputs (float64 Tensors x0, x1, ...) and the engine's gradients."""
    xs = [Tensor(np.array(a, dtype=np.float64), requires_grad=True, name=f"x{i}")
          for i, a in enumerate(given)]
    with enable_grad():
        out = _require_tensor(fname, "f", f(*xs))
    if out.size != 1:
        raise ValueError(f"{fname}: f must return one number, got shape {out.shape}")
    out.name = out.name or "f"
    engine = gradients(out, xs, unconnected=None)
    if engine is None:
        if xs:
            raise ValueError(_unconnected(fname, "f's output", "input"))
        engine = []
    return out, xs, [np.asarray(g) for g in engine]


def _mismatch(name, out, xs, given, mine, engine, tolerances, problems) -> GradientMismatchError:
    """The failure: its diagram written, its message, its data."""
    wrong = {p.input for p in problems if p.reason == "values"}
    where = "none: drawn for the example hypothesis reports (the shrunk one) alone"
    if _drawn_now():
        try:  # a backward() of its own, so the diagram shows every gradient as this graph's
            with enable_grad():
                out.backward(retain_graph=True)
        except RuntimeError:  # (its graph already spent: the leaves' .grad still show)
            for x, e in zip(xs, engine):
                x.grad = e
        where = _write_diagram(out, engine, [m if i in wrong else None
                                             for i, m in enumerate(mine)],
                               re.sub(r"\W+", "_", name), given)
    lines = [f"gradients of {name} disagree on this input:"]
    lines += [f"  x{i} = {_fmt(a)}" + ("" if a.dtype == np.float64 else f" ({a.dtype})")
              for i, a in enumerate(given)]
    lines += ["  " + p.text for p in problems] + [f"  diagram: {where}"]
    return GradientMismatchError("\n".join(lines), name=name, inputs=given,
                            yours=[_numeric_or_none(m) for m in mine], engine=engine,
                            problems=[{"input": p.input, "reason": p.reason, "message": p.text}
                                      for p in problems],
                            tolerances=tolerances,
                            diagram="" if where.startswith("none") else where.split(" (and")[0])


def _drawn_now() -> bool:
    """Whether this failure's diagram is drawn: not while hypothesis shrinks (each failing
    example it tried drew one: 704 files, 4.8 s of a 7.4 s test), only for the final one,
    which it reports; always outside a hypothesis test."""
    from hypothesis.control import current_build_context
    try:
        return bool(current_build_context().is_final)
    except Exception:  # outside a test (InvalidArgument), or a hypothesis without it
        return True


def _numeric_or_none(m: Any) -> np.ndarray | None:
    if m is None:  # (np.asarray makes it a NaN)
        return None
    try:
        return np.asarray(m, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def _own_dtype(x: Any) -> np.ndarray:
    """A copy of ``x`` in its own float dtype (float32 stays float32: a hand gradient that
    overflows there must be called there); ints, bools and numbers as float64."""
    a = np.asarray(x._data if isinstance(x, Tensor) else x)
    return np.array(a, dtype=a.dtype if a.dtype.kind == "f" else np.float64)


def _tolerances(f, given, engine, rtol, atol, mine=()) -> list[tuple[float, Any]]:
    """(rtol, atol) for each input's gradient. Float64: as given, atol by default 10 eps64
    times the largest engine entry. A float32 input makes the hand gradient's arithmetic
    float32: check_gradients' rule (its RELATIVE rtol; its rounding floor) takes over, per
    entry (``_float32_entries``)."""
    largest = max((float(np.max(np.abs(e), initial=0.0)) for e in engine), default=0.0)
    floor64 = ABSOLUTE * np.finfo(np.float64).eps * largest
    epsilon = max((_epsilon(a) for a in given), default=np.finfo(np.float64).eps)
    names = [f"x{i}" for i in range(len(given))]
    cost = lambda xs: f(*(xs[k] for k in names))  # noqa: E731
    if epsilon == np.finfo(np.float64).eps:
        if atol is not None or _all_close(mine, engine, rtol, floor64):
            return [(rtol, floor64 if atol is None else atol)] * len(engine)
        # per entry, the terms it sums: where they cancel (an optimum, an eigenvector's
        # Rayleigh quotient) both gradients are rounding, and 37 of 40 right ones failed.
        # (Only where the cheap floor fails: it costs another pass, 0.35 -> 0.42 ms a call.)
        rounding = _entry_floors(cost, dict(zip(names, given)))  # (check_gradients' own)
        return [(rtol, np.maximum(floor64, rounding.get(k, 0.0))) for k in names]
    rtol = max(rtol, RELATIVE * epsilon)
    if atol is not None:
        return [(rtol, atol)] * len(engine)
    rounding = _float32_entries(cost, dict(zip(names, given)), dict(zip(names, engine)))
    return [(rtol, np.maximum(floor64, ABSOLUTE * rounding[k])) for k in names]


def _all_close(mine, engine, rtol, atol) -> bool:
    """Whether every hand gradient is an array of reals, of its engine gradient's shape,
    close to it by np.allclose (False on anything odd: the full check says what)."""
    try:
        return len(mine) == len(engine) and all(
            type(m) is np.ndarray and m.dtype.kind == "f" and m.shape == np.shape(e)
            and np.allclose(m, e, rtol=rtol, atol=atol) for m, e in zip(mine, engine))
    except (TypeError, ValueError):
        return False


_EPS64 = float(np.finfo(np.float64).eps)


def _float32_entries(cost, given: dict, engine: dict) -> dict[str, np.ndarray]:
    """Entry by entry, a float32 hand gradient's rounding: eps32 times the magnitudes the
    entry sums (``_summed_terms``), or how far the engine's own entry moves when computed
    in float32 (at the inputs and at three neighbours one float32 rounding away), not
    capped: where float32 cannot resolve an entry (a saturated sigmoid's 2e-9 is 0; x -
    mean at an offset of 1e5), the engine's own float32 run shows it. Per entry, not per
    gradient: a norm let a wrong entry of 1e-3 beside one of 1000 pass."""
    eps32 = float(np.finfo(np.float32).eps)
    rng = np.random.default_rng(0)
    moved = {k: np.zeros(np.shape(e)) for k, e in engine.items()}
    try:
        for run in range(ROUNDING_RUNS):
            shifted = {k: np.asarray(np.asarray(v, np.float64) * (1 + eps32 * rng.choice(
                [-1.0, 1.0], np.shape(v)) * (run > 0)), np.float32) if _epsilon(v) > _EPS64
                else v for k, v in given.items()}
            with np.errstate(all="ignore"):
                low = _engine_gradients(cost, shifted)[0]
            for k in engine:
                change = np.abs(np.subtract(low[k], engine[k], dtype=np.float64))
                moved[k] = np.fmax(moved[k], np.where(np.isfinite(change), change, 0.0))
        terms = _summed_terms(cost, given)
    except Exception:  # noqa: BLE001  (a measure only: the norm rule below stands in)
        return {k: eps32 * np.full(np.shape(e), _norm(e)) for k, e in engine.items()}
    return {k: np.maximum(np.maximum(eps32 * terms[k], moved[k]), np.finfo(np.float32).tiny)
            for k in engine}


def _per_input(mine: Any, n: int, shape: tuple) -> list:
    """hand_grad's result as one gradient per input. For a single input, a bare array, or
    lists of plain numbers with its shape, is its gradient; a tuple or list of one array is
    one gradient per input ([g] with g (3,) for a (1, 3) input is a rank-1 gradient, not
    the nested list of values that np.shape reads it as); a list of several arrays (one
    per row) is the gradient they make up, if it has the input's shape."""
    if n != 1:
        return list(mine)
    if not isinstance(mine, (tuple, list)):
        return [mine]
    if len(mine) == 1 and isinstance(mine[0], (np.ndarray, Tensor)):
        return list(mine)
    return [mine] if _shape_or_none(mine) == shape else list(mine)


def _shape_or_none(x: Any) -> tuple | None:
    try:
        return np.shape(x)
    except ValueError:  # ragged: (gradient, None), (gradient, other shape)
        return None


def _gradient_problems(out, mine, engine, arrays_, tolerances) -> list[_Problem]:
    """What is wrong: f not finite, a count or shape that differs, a NaN/inf in yours or the
    engine's, or values that differ."""
    problems = []
    value = _first_nonfinite(out._data)
    if value is not None:
        problems.append(_Problem(None, "f not finite", f"f is {value}: no gradient can be "
                                 "checked where f is not finite"))
    if len(mine) != len(arrays_):
        problems.append(_Problem(None, "count", f"hand_grad returned {len(mine)} gradients "
                                 f"for {len(arrays_)} inputs"))
    for i, (m, e, a, (rtol, atol)) in enumerate(zip(mine, engine, arrays_, tolerances)):
        if m is None:  # (np.asarray reads it as a NaN of shape ())
            problems.append(_Problem(i, "missing", f"hand_grad returned None for input {i} "
                                     f"(x{i}): return its gradient, an array of shape {a.shape}"
                                     f" (np.zeros_like(x{i}) where f does not use it)"))
            continue
        odd = _not_real_array(m)
        if odd:  # (np.asarray dropped a complex part, with a warning only)
            problems.append(_Problem(i, "type", f"gradient {i} is {odd}; return a numpy "
                                     "array of real numbers"))
            continue
        m = np.asarray(m, dtype=np.float64)
        if m.ndim == 0 and a.size == 1:  # the course's db, a number, for b of shape (1, 1)
            m = m.reshape(a.shape)
        if m.shape != a.shape:
            problems.append(_Problem(i, "shape", f"gradient {i}: shape {m.shape}, input {i} "
                                     f"has shape {a.shape}" + _shape_hint(m.shape, a.shape)))
            continue
        bad = [f"{who} gradient {i} is {where}" for who, where in
               (("your", _first_nonfinite(m)), ("the engine's", _first_nonfinite(e))) if where]
        both = f"\n    yours:  {_fmt(m)}\n    engine: {_fmt(e)}"
        if bad:  # np.allclose would call inf equal to inf
            problems.append(_Problem(i, "not finite", "; ".join(bad) + both))
        elif not np.allclose(m, e, rtol=rtol, atol=atol):
            excess = np.abs(m - e) - rtol * np.abs(e)  # (a big array prints with "...")
            j = np.unravel_index(int(np.argmax(excess)), m.shape) if m.ndim else ()
            at = f" at index {tuple(int(k) for k in j)}" if m.ndim else ""
            problems.append(_Problem(i, "values", f"gradient {i}: relative difference "
                                     f"{relative_difference(m, e):.3g}; worst{at}: yours "
                                     f"{m[j]:.10g}, the engine's {e[j]:.10g}"
                                     + _slip(m, e) + both))
    return problems


def _not_real_array(m: Any) -> str:
    """What ``m`` is, if it is not a numpy array (or number, or list) of real numbers: a
    complex gradient passed, its imaginary part dropped; an np.matrix or a Tensor (the
    engine's own) is no hand gradient either. '' if it is one."""
    if isinstance(m, Tensor):
        return "an autograd_lite Tensor (the engine's, not a hand-derived gradient)"
    if isinstance(m, np.ndarray) and type(m) is not np.ndarray:
        return f"a {type(m).__name__}"
    try:
        kind = np.asarray(m).dtype.kind
    except (TypeError, ValueError):
        return ""  # (np.asarray's own error names it, below)
    return {"c": "complex", "U": "text", "S": "text", "O": "not numbers"}.get(kind, "")


def _write_diagram(out, engine, mine, label, given) -> str:
    """Write the failure's diagram; its path. The name is ``label`` and a hash of the graph
    and inputs: two failing lambdas both wrote _lambda_.svg, and one's message pointed at
    the other's graph (equal names now mean equal contents)."""
    from .diagram import RenderError, draw

    expected = {f"x{i}": np.asarray(m) for i, (m, e) in enumerate(zip(mine, engine))
                if m is not None and np.shape(m) == np.shape(e)}
    graph = draw(out, compare=expected)
    digest = hashlib.sha256(graph.source.encode())
    for a in given:
        digest.update(f"{a.dtype}{a.shape}".encode() + a.tobytes())
    base = os.path.join(_failure_dir(), f"{label}-{digest.hexdigest()[:10]}")
    with open(base + ".dot", "w") as fh:
        fh.write(graph.source)
    try:
        graph.render_to(base + ".svg")
        return base + ".svg (and .dot)"
    except RenderError:
        return base + ".dot"
