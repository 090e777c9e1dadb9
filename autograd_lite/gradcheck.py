"""Gradient checks: finite differences, PyTorch-style gradcheck, and a report that compares a
user's hand-derived gradients with the engine and with finite differences."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .functional import _variables
from .modes import enable_grad, no_grad
from .tensor import Tensor, backprop

__all__ = ["numerical_grad", "gradcheck", "gradgradcheck", "GradcheckError",
           "check_gradients", "GradientReport", "relative_difference"]


class GradcheckError(AssertionError):
    """Raised by gradcheck / gradgradcheck when analytical and numerical gradients disagree."""


def _as_float64(x) -> np.ndarray:
    return np.array(x._data if isinstance(x, Tensor) else x, dtype=np.float64)


def _scalar(out) -> float:
    arr = np.asarray(out._data if isinstance(out, Tensor) else out, dtype=np.float64)
    if arr.size != 1:
        raise ValueError(f"numerical_grad: f must return a single number, got shape {arr.shape};"
                         " use gradcheck for non-scalar outputs")
    return float(arr.reshape(()))


def _evaluate(f, arrays):
    with no_grad():
        return f(*[Tensor(a) for a in arrays])


def _central_differences(evaluate: Callable[[], Any], x: np.ndarray, eps: float,
                         entries: Any = None) -> np.ndarray:
    """Rows (f(x + eps e_j) - f(x - eps e_j)) / 2 eps, flattened, for each entry j of ``x``
    (all, or those in ``entries``). ``x`` is changed in place and restored."""
    flat = x.reshape(-1)  # a view of the contiguous float64 copy
    rows = []
    for j in range(flat.size) if entries is None else entries:
        saved = flat[j]
        flat[j] = saved + eps
        up = np.asarray(evaluate(), dtype=np.float64).ravel()
        flat[j] = saved - eps
        down = np.asarray(evaluate(), dtype=np.float64).ravel()
        flat[j] = saved
        rows.append((up - down) / (2 * eps))
    if not rows:  # an empty input: no entries, but keep the output width
        return np.zeros((0, np.size(evaluate())))
    return np.array(rows)


def numerical_grad(f: Callable, *inputs: Any, eps: float = 1e-6):
    """Central differences (f(x + eps) - f(x - eps)) / 2 eps, one entry at a time, in float64.

    ``f`` takes the inputs (as Tensors) and returns one number. Returns the gradient with
    each input's shape: one array for one input, a tuple for several.
    """
    arrays = [_as_float64(x) for x in inputs]
    grads = [_central_differences(lambda: _scalar(_evaluate(f, arrays)), x, eps).reshape(x.shape)
             for x in arrays]
    return grads[0] if len(grads) == 1 else tuple(grads)


def _fail(msg, raise_exception):
    if raise_exception:
        raise GradcheckError(msg)
    return False


def _input_label(inputs, i):
    name = getattr(inputs[i], "name", None)
    return f"input {i}" + (f" ({name!r})" if name else "")


def gradcheck(f: Callable, inputs: Sequence[Any], eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True, fast_mode: bool = False,
              seed: int = 0) -> bool:
    """Check the engine's gradients of ``f(*inputs)`` against finite differences (float64).

    Passes when |analytical - numerical| <= atol + rtol * |numerical| for every entry of
    the Jacobian (PyTorch's rule). ``fast_mode`` compares one random projection
    v^T J u instead of the whole Jacobian: two evaluations and one backward, any size.
    A failure names the input, the worst entry, both values and their relative difference.
    """
    arrays = [_as_float64(x) for x in inputs]
    xs = [Tensor(a, requires_grad=True) for a in arrays]
    with enable_grad():
        out = f(*xs)
    out = out if isinstance(out, Tensor) else Tensor(out)
    rng = np.random.default_rng(seed)

    def vjp(seed_vec):
        if not out.requires_grad:
            return [np.zeros_like(a) for a in arrays]
        gs = backprop(out, seed_vec.reshape(out.shape).astype(out.dtype), owned=True,
                      retain_graph=True, inputs=xs)
        return [np.zeros_like(a) if g is None else np.asarray(g, dtype=np.float64)
                for g, a in zip(gs, arrays)]

    if fast_mode:
        v = rng.standard_normal(out.size)
        us = [rng.standard_normal(a.shape) for a in arrays]
        analytical = sum(float(np.sum(g * u)) for g, u in zip(vjp(v), us))
        shifted = [[a + s * eps * u for a, u in zip(arrays, us)] for s in (1, -1)]
        ups, downs = (np.asarray(_evaluate(f, s), dtype=np.float64).ravel() @ v for s in shifted)
        numerical = (ups - downs) / (2 * eps)
        if abs(analytical - numerical) > atol + rtol * abs(numerical):
            return _fail(f"gradcheck (fast mode): the projection v^T J u is {analytical:.10g} "
                         f"from backward but {numerical:.10g} by finite differences (relative "
                         f"difference {relative_difference(analytical, numerical):.3g})",
                         raise_exception)
        return True

    rows = [vjp(np.eye(out.size)[k]) for k in range(out.size)]  # analytical J, row by row
    for i, a in enumerate(arrays):
        analytical = (np.stack([r[i].ravel() for r in rows]) if rows
                      else np.zeros((0, a.size)))
        numerical = _central_differences(lambda: _evaluate(f, arrays), a, eps).T.reshape(
            out.size, a.size)
        bad = np.abs(analytical - numerical) - (atol + rtol * np.abs(numerical))
        if bad.size and (np.max(bad) > 0 or not np.all(np.isfinite(analytical))):
            k, j = np.unravel_index(int(np.nanargmax(np.where(np.isfinite(bad), bad, np.inf))),
                                    bad.shape)
            where = np.unravel_index(j, a.shape) if a.ndim else ()
            out_at = f" of output entry {np.unravel_index(k, out.shape)}" if out.size > 1 else ""
            an, nu = analytical[k, j], numerical[k, j]
            return _fail(f"gradcheck: gradient{out_at} w.r.t. {_input_label(inputs, i)} "
                         f"(shape {a.shape}) disagrees at index {tuple(int(w) for w in where)}: "
                         f"backward gives {an:.10g}, finite differences {nu:.10g} (relative "
                         f"difference {relative_difference(an, nu):.3g}; atol={atol}, "
                         f"rtol={rtol})", raise_exception)
    return True


def gradgradcheck(f: Callable, inputs: Sequence[Any], grad_outputs: Any = None,
                  eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  raise_exception: bool = True, seed: int = 0) -> bool:
    """Check second derivatives: gradcheck of the map inputs -> (vector-Jacobian product of f
    with ``grad_outputs``), which the engine differentiates through ``create_graph``."""
    from .ops import concatenate, reshape

    with no_grad():
        out_shape = np.shape(f(*[Tensor(_as_float64(x)) for x in inputs]))
    v = (np.random.default_rng(seed).standard_normal(out_shape) if grad_outputs is None
         else _as_float64(grad_outputs))

    def first_order(*xs):
        ys, nested = _variables(xs, range(len(xs)))
        with enable_grad():
            y = f(*ys)
        if not isinstance(y, Tensor) or not y.requires_grad:
            return Tensor(np.zeros(sum(np.size(x) for x in ys)))
        gs = backprop(y, Tensor(v) if nested else v, owned=True, retain_graph=nested,
                      create_graph=nested, inputs=ys)
        gs = [np.zeros(x.shape) if g is None else g for g, x in zip(gs, ys)]
        return concatenate([reshape(g, (-1,)) for g in gs])

    return gradcheck(first_order, inputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)


# ---- checking a user's hand-derived gradients ----------------------------------------------

def relative_difference(a: Any, b: Any) -> float:
    """The course's ||a - b|| / (||a|| + ||b||) (0 when both are 0)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


@dataclass
class GradientRow:
    """One parameter's comparison."""

    parameter: str
    key: str
    shape: tuple
    status: str  # "ok", "wrong", "missing", "shape", "extra", "not finite"
    diff_engine: float | None = None
    diff_numerical: float | None = None
    max_abs_error: float | None = None
    worst_index: tuple | None = None
    yours: float | None = None
    engine: float | None = None
    numerical_entries: str = ""
    message: str = ""

    @property
    def passed(self) -> bool:
        return self.status in ("ok", "extra")


@dataclass
class GradientReport:
    """The result of ``check_gradients``: prints as a table, converts to dict/JSON."""

    rows: list[GradientRow]
    tol_engine: float
    tol_numerical: float
    eps: float
    engine_grads: dict[str, np.ndarray] = field(repr=False, default_factory=dict)
    user_grads: dict[str, np.ndarray] = field(repr=False, default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.rows)

    @property
    def first_failure(self) -> GradientRow | None:
        """The first disagreeing parameter, in layer order (W1, b1, W2, ...)."""
        return next((r for r in self.rows if not r.passed), None)

    @property
    def score(self) -> float:
        """Fraction of expected gradients that pass (extra keys do not count)."""
        rows = [r for r in self.rows if r.status != "extra"]
        return sum(r.passed for r in rows) / len(rows) if rows else 1.0

    def __bool__(self) -> bool:
        return self.passed

    def to_dict(self) -> dict:
        rows = []
        for r in self.rows:
            d = asdict(r)
            d["shape"] = list(r.shape)
            d["worst_index"] = None if r.worst_index is None else list(r.worst_index)
            d["passed"] = r.passed
            rows.append(d)
        first = self.first_failure
        return {"passed": self.passed, "score": self.score, "tol_engine": self.tol_engine,
                "tol_numerical": self.tol_numerical, "eps": self.eps,
                "first_failure": None if first is None else first.key, "rows": rows}

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), **kwargs)

    def __str__(self) -> str:
        def num(x):
            return "-" if x is None else f"{x:.2e}"
        head = ("gradient", "shape", "vs engine", "vs numerical", "max abs err", "worst index",
                "result")
        body = [(r.key, str(r.shape), num(r.diff_engine), num(r.diff_numerical),
                 num(r.max_abs_error), "-" if r.worst_index is None else str(r.worst_index),
                 "PASS" if r.status == "ok" else r.status.upper()) for r in self.rows]
        widths = [max(len(str(c)) for c in col) for col in zip(head, *body)]
        lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)) for row in [head] + body]
        lines.insert(1, "  ".join("-" * w for w in widths))
        lines.append(f"relative difference ||g - g~|| / (||g|| + ||g~||); passes below "
                     f"{self.tol_engine:g} vs the engine and {self.tol_numerical:g} vs central "
                     f"differences (eps={self.eps:g})")
        for r in self.rows:
            if r.message and r.status != "extra":
                lines.append(f"  {r.key}: {r.message}")
        extra = [r.key for r in self.rows if r.status == "extra"]
        if extra:
            lines.append(f"  not parameter gradients, not checked: {', '.join(extra)}")
        first = self.first_failure
        lines.append("all gradients agree" if first is None else
                     f"first disagreement: {first.key}" + _layer_note(first.parameter))
        return "\n".join(lines)

    __repr__ = __str__


def _layer_note(name):
    m = re.search(r"(\d+)$", name)
    return f" (layer {m.group(1)})" if m else ""


def check_gradients(cost: Callable[[dict[str, Tensor]], Any],
                    parameters: Mapping[str, Any],
                    grads: Mapping[str, Any] | Callable[[dict[str, np.ndarray]], Mapping],
                    *, eps: float = 1e-6, tol_engine: float = 1e-7, tol_numerical: float = 1e-5,
                    max_numerical: int | None = 2000, seed: int = 0) -> GradientReport:
    """Compare hand-derived gradients with the engine and with central differences.

    cost: a function of a dict of Tensors (keyed like ``parameters``) returning a scalar.
    parameters: e.g. {"W1": (n1, n_x) array, "b1": (n1, 1) array, ...}.
    grads: your gradients keyed "d" + name ({"dW1": ..., "db1": ...}), or a function of the
        parameters returning that dict. Other keys (such as "dA0") are listed as extra.
    max_numerical: at most this many entries per parameter get finite differences (a
        seeded sample; None for all), so big layers stay quick.
    """
    params = {k: _as_float64(v) for k, v in parameters.items()}
    user = grads(params) if callable(grads) else grads
    if not isinstance(user, Mapping):
        raise TypeError(f"check_gradients: grads must be a dict like {{'dW1': ...}} or a "
                        f"function returning one, got {type(user).__name__}")

    xs = {k: Tensor(v, requires_grad=True, name=k) for k, v in params.items()}
    with enable_grad():
        out = cost(xs)
    out = out if isinstance(out, Tensor) else Tensor(out)
    if out.size != 1:
        raise ValueError(f"check_gradients: the cost must be a single number, got shape "
                         f"{out.shape}")
    engine = {}
    if out.requires_grad:
        gs = backprop(out, np.ones(out.shape), owned=True, inputs=list(xs.values()))
        engine = {k: (np.zeros_like(params[k]) if g is None else np.asarray(g))
                  for k, g in zip(xs, gs)}
    else:
        engine = {k: np.zeros_like(v) for k, v in params.items()}

    def cost_value():
        with no_grad():
            return _scalar(cost({k: Tensor(v) for k, v in params.items()}))

    rng = np.random.default_rng(seed)
    rows = []
    for name, value in params.items():
        key = "d" + name
        row = GradientRow(parameter=name, key=key, shape=value.shape, status="ok")
        rows.append(row)
        if key not in user:
            row.status = "missing"
            row.message = f"no '{key}' in your gradients (keys given: {sorted(user)})"
            continue
        try:
            mine = np.asarray(user[key], dtype=np.float64)
        except (TypeError, ValueError):
            row.status, row.message = "wrong", f"'{key}' is not a numeric array"
            continue
        if mine.shape != value.shape:
            row.status = "shape"
            hint = " (transposed?)" if mine.shape == value.shape[::-1] else ""
            if mine.ndim == 1 and value.ndim == 2 and 1 in value.shape:
                hint = " (a rank-1 array: keep the axis, e.g. keepdims=True)"
            row.message = (f"{key} should have the shape of {name}, {value.shape}, got "
                           f"{mine.shape}{hint}")
            continue
        if not np.all(np.isfinite(mine)):
            row.status, row.message = "not finite", f"{key} contains NaN or inf"
            continue
        ref = engine[name]
        row.diff_engine = relative_difference(mine, ref)
        err = np.abs(mine - ref)
        worst = np.unravel_index(int(np.argmax(err)), err.shape) if err.size else ()
        row.worst_index = tuple(int(i) for i in worst)
        row.max_abs_error = float(err.max()) if err.size else 0.0
        row.yours = float(mine[worst]) if err.size else None
        row.engine = float(ref[worst]) if err.size else None
        # finite differences on (a sample of) the entries
        idx = np.arange(value.size)
        if max_numerical is not None and value.size > max_numerical:
            idx = np.sort(rng.choice(value.size, max_numerical, replace=False))
        numerical = _central_differences(cost_value, value, eps, idx)[:, 0]
        row.diff_numerical = relative_difference(mine.reshape(-1)[idx], numerical)
        row.numerical_entries = f"{idx.size} of {value.size}"
        if row.diff_engine > tol_engine or row.diff_numerical > tol_numerical:
            row.status = "wrong"
            row.message = (f"at {row.worst_index} yours is {row.yours:.6g}, the engine's "
                           f"{row.engine:.6g}")
    known = {"d" + k for k in params}
    for key in user:
        if key not in known:
            rows.append(GradientRow(parameter=key, key=key, shape=np.shape(user[key]),
                                    status="extra", message="not a parameter gradient; "
                                    "not checked"))
    mine = {}
    for k, v in user.items():
        try:
            mine[k] = np.asarray(v, dtype=np.float64)
        except (TypeError, ValueError):
            continue
    return GradientReport(rows, tol_engine, tol_numerical, eps, engine, mine)
