"""Gradient checks: finite differences, PyTorch-style gradcheck, and a report that compares a
user's hand-derived gradients with the engine and with finite differences."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .backward import gradients, toposort, unbroadcast
from .functional import _variables
from .modes import enable_grad, no_grad
from .ops import _sigmoid_any
from .tensor import Tensor

__all__ = ["numerical_grad", "gradcheck", "gradgradcheck", "GradcheckError",
           "check_gradients", "GradientReport", "relative_difference", "agree"]


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


# ---- what no check may pass: non-finite values, results the engine did not record --------

_FROM_TENSORS = ("build it from the Tensors passed in (al ops, Tensor methods or numpy "
                 "functions on them), not from .data, np.asarray(...) or float(...) of them")


def _nonfinite(a: Any) -> tuple[float, tuple[int, ...]] | None:
    """The first NaN/inf entry of ``a`` and its index, or None when all are finite."""
    a = np.asarray(a)
    bad = np.flatnonzero(~np.isfinite(a))
    if not bad.size:
        return None
    return a.reshape(-1)[bad[0]], tuple(int(i) for i in np.unravel_index(bad[0], a.shape))


def _first_nonfinite(a: Any, where: str = "index") -> str | None:
    """'nan at index (0, 1)' for the first NaN/inf entry of ``a`` (just 'nan' for a 0-d
    array), or None when every entry is finite."""
    found = _nonfinite(a)
    if found is None:
        return None
    value, index = found
    return f"{value} at {where} {index}" if index else f"{value}"


def _require_tensor(fname: str, what: str, out: Any) -> Tensor:
    if not isinstance(out, Tensor):
        raise TypeError(f"{fname}: {what} returned a {type(out).__name__}, not a Tensor, so the "
                        f"engine cannot differentiate it; {_FROM_TENSORS}")
    return out


def _unconnected(fname: str, what: str, inputs: str) -> str:
    return f"{fname}: {_unconnected_note(what, inputs)}"


def _unconnected_note(what: str, inputs: str) -> str:
    return (f"{what} is not connected to any {inputs} (the engine sees a constant, so every "
            f"gradient would be 0); {_FROM_TENSORS}")


def _output_name(fname: str) -> str:
    """What is differentiated: gradgradcheck's is f's VJP, not f's output."""
    return "f's vector-Jacobian product" if fname.startswith("gradgradcheck") else "f's output"


# ---- gradcheck and gradgradcheck -------------------------------------------------------------

def gradcheck(f: Callable, inputs: Sequence[Any], eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True, fast_mode: bool = False,
              seed: int = 0) -> bool:
    """Check the engine's gradients of ``f(*inputs)`` against finite differences (float64).

    Passes when |analytical - numerical| <= atol + rtol * |numerical| for every entry of
    the Jacobian (PyTorch's rule). ``fast_mode`` compares one random projection
    v^T J u instead of the whole Jacobian: two evaluations and one backward, any size.
    A failure names the input, the worst entry, both values and their relative difference.
    Any NaN or inf (in f's value, the engine's gradient or the finite differences) fails,
    named with its first index. ``f`` must return a Tensor built from the Tensors it gets.
    A float32 (or float16) input is checked on a float64 copy, then the engine's gradient in
    its own dtype is compared with the float64 one, to 1000 epsilons of that dtype.
    """
    problem = _gradcheck(f, inputs, eps, atol, rtol, fast_mode, seed, "gradcheck")
    return True if problem is None else _fail(problem, raise_exception)


def _constants_apart(f: Callable, inputs: Any) -> tuple[Callable, list, list[str]]:
    """(f of the differentiable inputs alone, those inputs, their labels): as PyTorch's
    gradcheck, a Tensor that does not require grad is a constant (al.tensor(c)); arrays
    and numbers are checked (ints as floats). One array or Tensor is one input (not its
    rows)."""
    if not callable(f) and callable(inputs):  # (TypeError: 'function' object is not iterable)
        raise TypeError("give the function first, then its inputs (a list of arrays or "
                        "Tensors), as gradcheck(f, [x]); got them the other way round")
    if isinstance(inputs, (np.ndarray, Tensor)):
        inputs = [inputs]
    inputs = list(inputs)
    fixed = {i: x for i, x in enumerate(inputs) if isinstance(x, Tensor) and not
             x.requires_grad}
    kept = [i for i in range(len(inputs)) if i not in fixed]
    labels = [_input_label(inputs, i) for i in kept]
    if not kept:  # (a vacuous pass otherwise: nothing checked)
        raise ValueError("gradcheck: " + ("no inputs were given" if not inputs else
                                          "every input is a Tensor that does not require grad")
                         + ", so there is nothing to check; give the inputs to differentiate as "
                         "arrays, or as Tensors that require grad")
    if not fixed:
        return f, inputs, labels

    def of_the_rest(*xs):
        given = dict(zip(kept, xs))
        return f(*[given[i] if i in given else fixed[i] for i in range(len(inputs))])
    return of_the_rest, [inputs[i] for i in kept], labels


def _gradcheck(f, inputs, eps, atol, rtol, fast_mode, seed, fname) -> str | None:
    """The first problem found, as a message, or None when the gradients agree."""
    f, inputs, labels = _constants_apart(f, inputs)
    try:
        return _first_problem(f, inputs, labels, eps, atol, rtol, fast_mode, seed, fname)
    except IndexError as err:  # an int or bool index given as an input became floats
        raise IndexError(f"{fname}: {err}. {fname} differentiates every array it is given, "
                         "as floats: close over an index instead, lambda x: f(x, rows)") from None
    except TypeError as err:
        if "is not differentiable but requires grad" not in str(err):
            raise
        what = str(err).split(" but requires grad")[0]  # (its advice is for an op's call)
        raise TypeError(f"{fname}: {what}. {fname} differentiates every array and number it "
                        "is given; give an input it must hold constant as al.tensor(c), a "
                        "Tensor that does not require grad, as in PyTorch") from None


def _first_problem(f, inputs, labels, eps, atol, rtol, fast_mode, seed, fname) -> str | None:
    arrays = [_as_float64(x) for x in inputs]
    xs = [Tensor(a, requires_grad=True) for a in arrays]
    with enable_grad():
        out = _require_tensor(fname, "f", f(*xs))
    value = _first_nonfinite(out._data, "output entry")
    if value is not None:
        return f"{fname}: f(inputs) is {value}; no gradient can be checked where f is not finite"
    check = _projection_problem if fast_mode else _jacobian_problem
    problem = check(f, labels, arrays, xs, out, eps, atol, rtol, seed, fname) or \
        _low_precision_problem(f, inputs, xs, out, fname)
    custom = _custom_ops(out) if problem is not None else []
    return problem if not custom else (f"{problem}; the gradient goes through {_named(custom)}, "
                                       "whose VJP is yours: look there first")


def _low_precision_problem(f, inputs, xs, out, fname) -> str | None:
    """Where an input is float32 (or float16), the check above ran on float64 copies, as
    finite differences need; the engine's gradient in the inputs' own dtypes, the code a
    float32 training runs, is compared with the float64 one it passed (a VJP wrong only in
    float32 passed), to 1000 epsilons of that dtype."""
    own = [np.asarray(x._data if isinstance(x, Tensor) else x) for x in inputs]
    low = [a.dtype for a in own if a.dtype.kind == "f" and a.dtype.itemsize < 8]
    if not low:
        return None
    eps = max(float(np.finfo(d).eps) for d in low)
    ts = [Tensor(a if a.dtype.kind == "f" else a.astype(np.float64), requires_grad=True)
          for a in own]
    with enable_grad():
        out_low = f(*ts)
    seed = np.ones(out.shape)
    exact = gradients(out, xs, seed, unconnected="zeros")
    lows = gradients(out_low, ts, seed.astype(out_low.dtype), unconnected="zeros")
    for i, (g, e) in enumerate(zip(lows, exact)):
        g = np.asarray(g, dtype=np.float64)
        if not np.allclose(g, e, rtol=1e3 * eps, atol=1e3 * eps * max(_largest(e), 1.0)):
            j = np.unravel_index(np.argmax(np.abs(g - e)), np.shape(e))
            dtypes = ", ".join(sorted({str(d) for d in low}))
            return (f"{fname}: in the inputs' own dtype ({dtypes}), the gradient w.r.t. "
                    f"input {i} at index {tuple(int(k) for k in j)} is "
                    f"{g[j]:.10g}, where float64 gives {e[j]:.10g} (and agrees with finite "
                    "differences): a VJP that goes wrong in that dtype")
    return None


def _custom_ops(out: Tensor) -> list[str]:
    """The names of the user's custom ops in ``out``'s graph (their VJPs are the user's to
    check, the built-in ones are the engine's)."""
    return sorted({t._op.name for t in toposort([out]) if t._op is not None and t._op.user_defined})


def _projection_problem(f, labels, arrays, xs, out, eps, atol, rtol, seed, fname):
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(out.size)
    us = [rng.standard_normal(a.shape) for a in arrays]
    gs = gradients(out, xs, v.reshape(out.shape).astype(out.dtype), unconnected=None)
    connected = gs is not None
    gs = [np.asarray(g, dtype=np.float64) for g in gs] if connected else [0 * u for u in us]
    for i, g in enumerate(gs):
        bad = _first_nonfinite(g)
        if bad is not None:
            return (f"{fname} (fast mode): backward's gradient w.r.t. {labels[i]} "
                    f"(shape {g.shape}), projected on v, is {bad}: f is not differentiable "
                    "there; check at another point")
    analytical = sum(float(np.sum(g * u)) for g, u in zip(gs, us))
    projected = []
    for sign, side in ((1, "+"), (-1, "-")):
        ys = np.asarray(_evaluate(f, [a + sign * eps * u for a, u in zip(arrays, us)]),
                        dtype=np.float64)
        bad = _first_nonfinite(ys.reshape(out.shape), "output entry")
        if bad is not None:
            return (f"{fname} (fast mode): the finite differences are not finite: "
                    f"f(inputs {side} eps u) is {bad} (u a random direction, eps={eps}); "
                    "check farther from the edge of f's domain, or use a smaller eps")
        projected.append(ys.ravel() @ v)
    numerical = (projected[0] - projected[1]) / (2 * eps)
    if abs(analytical - numerical) <= atol + rtol * abs(numerical):  # NaN compares False
        return None
    note = "" if connected else _unconnected_note(_output_name(fname), "input") + ". "
    return (f"{fname} (fast mode): {note}the projection v^T J u is {analytical:.10g} from "
            f"backward but {numerical:.10g} by finite differences (relative difference "
            f"{relative_difference(analytical, numerical):.3g})")


def _jacobian_problem(f, labels, arrays, xs, out, eps, atol, rtol, seed, fname):
    rows = [gradients(out, xs, np.eye(out.size)[k].reshape(out.shape).astype(out.dtype),
                      unconnected=None) for k in range(out.size)]  # analytical J, by row
    connected = not rows or rows[0] is not None
    rows = [[np.zeros(a.shape) for a in arrays] if r is None else r for r in rows]
    for i, a in enumerate(arrays):
        analytical = (np.stack([np.asarray(r[i], dtype=np.float64).ravel() for r in rows])
                      if rows else np.zeros((0, a.size)))
        numerical = _central_differences(lambda: _evaluate(f, arrays), a, eps).T.reshape(
            out.size, a.size)
        label = f"{labels[i]} (shape {a.shape})"
        for what, values, verb, hint in (
                ("backward's gradient", analytical, "is",
                 "f is not differentiable there; check at another point"),
                ("the finite differences", numerical, "are",
                 f"f is not finite at that entry ± eps={eps}; check farther from the edge of "
                 "f's domain, or use a smaller eps")):
            found = _nonfinite(values)
            if found is not None:
                value, (k, j) = found
                return (f"{fname}: {what}{_output_entry(k, out.shape)} w.r.t. {label} {verb} "
                        f"{value} at index {_entry(j, a.shape)}: {hint}")
        excess = np.abs(analytical - numerical) - (atol + rtol * np.abs(numerical))
        if excess.size and not np.all(excess <= 0):  # NaN compares False: it fails
            k, j = np.unravel_index(int(np.argmax(excess)), excess.shape)
            an, nu = analytical[k, j], numerical[k, j]
            note = "" if connected else _unconnected_note(_output_name(fname), "input") + ". "
            return (f"{fname}: {note}gradient{_output_entry(k, out.shape)} w.r.t. {label} "
                    f"disagrees at index {_entry(j, a.shape)}: backward gives {an:.10g}, "
                    f"finite differences {nu:.10g} (|backward - finite differences| = "
                    f"{abs(an - nu):.3g} > atol + rtol |finite differences| = "
                    f"{atol + rtol * abs(nu):.3g}; atol={atol}, rtol={rtol})")
    return None


def _entry(j, shape) -> tuple:
    return tuple(int(w) for w in np.unravel_index(j, shape)) if shape else ()


def _output_entry(k, shape) -> str:
    return f" of output entry {_entry(k, shape)}" if int(np.prod(shape)) > 1 else ""


def gradgradcheck(f: Callable, inputs: Sequence[Any], grad_outputs: Any = None,
                  eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  raise_exception: bool = True, seed: int = 0) -> bool:
    """Check second derivatives: gradcheck of the map inputs -> (vector-Jacobian product of f
    with ``grad_outputs``), which the engine differentiates through ``create_graph``.
    Any NaN or inf fails; ``f`` must return a Tensor connected to its inputs. It takes the
    first derivatives as given (a VJP off by a factor can pass): run gradcheck first, as
    with PyTorch's gradgradcheck."""
    from .ops import concatenate, reshape

    fname = "gradgradcheck"
    f, inputs, _ = _constants_apart(f, inputs)
    xs = [Tensor(_as_float64(x), requires_grad=True) for x in inputs]
    with enable_grad():
        out = _require_tensor(fname, "f", f(*xs))
    value = _first_nonfinite(out._data, "output entry")
    if value is not None:
        return _fail(f"{fname}: f(inputs) is {value}; no derivative can be checked where f is "
                     "not finite", raise_exception)
    if xs and out.size and gradients(out, xs, unconnected=None) is None:
        raise ValueError(_unconnected(fname, "f's output", "input"))
    v = (np.random.default_rng(seed).standard_normal(out.shape) if grad_outputs is None
         else _as_float64(grad_outputs))

    def first_order(*xs):
        ys, nested, _ = _variables(xs, range(len(xs)))
        with enable_grad():
            y = _require_tensor(fname, "f", f(*ys))
        gs = gradients(y, ys, v, create_graph=nested, retain_graph=nested, unconnected=None)
        gs = [np.zeros(x.shape) for x in ys] if gs is None else gs
        return concatenate([reshape(g, (-1,)) for g in gs])

    problem = _gradcheck(first_order, inputs, eps, atol, rtol, False, seed,
                         f"{fname} (the derivative of f's vector-Jacobian product)")
    custom = _custom_ops(out) if problem is not None else []
    if custom:  # (a VJP from values its forward saved: second derivatives of 0, silently)
        problem += (f"; f goes through {_named(custom)}, whose VJP is yours: for second "
                    "derivatives it must compute with al ops on the Tensors it is given (g, "
                    "ans, x), not with values its forward saved (a cache) or read as arrays")
    return True if problem is None else _fail(problem, raise_exception)


# ---- checking a user's hand-derived gradients ----------------------------------------------

def relative_difference(a: Any, b: Any) -> float:
    """The course's ||a - b|| / (||a|| + ||b||) (0 when both are 0; nan if either holds a nan
    or inf), computed on a common scale: at 1e-170 the norms underflowed to 0 (a wrong sign
    passed) and at 1e200 overflowed to nan."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = max(_largest(a), _largest(b))
    if scale == 0.0 or not np.isfinite(scale):
        return 0.0 if scale == 0.0 else float("nan")
    a, b = a / scale, b / scale
    return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))


def _largest(a: np.ndarray) -> float:
    return float(np.max(np.abs(a), initial=0.0))


def _norm(a: Any) -> float:
    """||a||_2, on a common scale (as relative_difference)."""
    a = np.asarray(a, dtype=np.float64)
    scale = _largest(a)
    return scale if scale == 0.0 or not np.isfinite(scale) else scale * float(
        np.linalg.norm(a / scale))


# Two right gradients differ by rounding. Relative to each other: up to RELATIVE machine
# epsilons of the parameters' dtype (float32 parameters, whose gradients a learner computes
# in float32: 1.2e-4; never loosened by the dtype of the gradient a learner returns). Where
# a gradient is 0 or nearly (a bias that cancels: 0 by hand, 3e-17 in the engine), up to
# ABSOLUTE float64 epsilons (the engine's) times the size of all the gradients together.
RELATIVE, ABSOLUTE = 1000, 10


def agree(mine: Any, ref: Any, tol: float, floor: float = 0.0) -> bool:
    """Whether gradient ``mine`` agrees with ``ref``: a relative difference of at most
    ``tol``, or a difference no bigger than ``floor`` (what ``ref`` can resolve: its rounding,
    or what finite differences can tell from 0). A nan disagrees."""
    return bool(relative_difference(mine, ref) <= tol
                or _norm(np.subtract(mine, ref, dtype=np.float64)) <= floor)


def _epsilon(a: Any) -> float:
    """Machine epsilon of ``a``'s float dtype, at least float64's (float64 if it has none;
    float16 is taken as float32, whose resolution is already coarse for a check)."""
    dtype = a._data.dtype if isinstance(a, Tensor) else getattr(a, "dtype", None)
    if dtype is None or np.dtype(dtype).kind != "f":
        return float(np.finfo(np.float64).eps)
    return float(max(np.finfo(np.float64).eps,
                     min(np.finfo(dtype).eps, np.finfo(np.float32).eps)))


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
    unresolved: int = 0  # entries left out of the differences: eps below their float spacing
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
        """The disagreeing parameter that backprop reaches first: the last layer's (W3, b3,
        then W2, ...; unnumbered ones, as logistic regression's w, in order). A mistake in
        layer 3's dA_prev spoils dW2 and dW1 too, and naming dW1 sent the learner to the
        wrong layer."""
        failing = [r for r in self.rows if not r.passed]
        return max(failing, key=lambda r: _layer(r.parameter), default=None)

    @property
    def score(self) -> float:
        """Fraction of expected gradients that pass (extra keys do not count)."""
        rows = [r for r in self.rows if r.status != "extra"]
        return sum(r.passed for r in rows) / len(rows) if rows else 1.0

    def __bool__(self) -> bool:
        return self.passed

    def to_dict(self) -> dict:
        """The report as plain data: passed, score, the tolerances, first_failure (a key or
        None) and one dict per row (shape and worst_index as lists)."""
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
        """``to_dict()`` as JSON text; ``kwargs`` go to json.dumps (indent=2, ...). A nan or
        inf number is null (json.dumps wrote NaN, which is not JSON); the message says it."""
        return json.dumps(_finite_or_none(self.to_dict()), **kwargs)

    def __str__(self) -> str:
        def num(x):
            return "-" if x is None else f"{x:.2e}"
        head = ("gradient", "shape", "vs engine", "vs numerical", "max abs err", "worst index",
                "result")
        body = [(r.key, str(r.shape), num(r.diff_engine), num(r.diff_numerical),
                 num(r.max_abs_error), "-" if r.worst_index is None else str(r.worst_index),
                 _RESULTS.get(r.status, r.status.upper())) for r in self.rows]
        widths = [max(len(str(c)) for c in col) for col in zip(head, *body)]
        lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip()
                 for row in [head] + body]
        lines.insert(1, "  ".join("-" * w for w in widths))
        numerical = (f" and {self.tol_numerical:g} vs central differences (eps={self.eps:g})"
                     if any(r.diff_numerical is not None for r in self.rows)
                     else " (no central differences were taken)")
        lines.append(f"relative difference ||g - g~|| / (||g|| + ||g~||); passes below "
                     f"{self.tol_engine:g} vs the engine{numerical} (float32 parameters: "
                     f"{RELATIVE * np.finfo(np.float32).eps:.2g}), or a difference within "
                     f"rounding ({ABSOLUTE} eps64 times all the gradients' norm, or entry by "
                     f"entry the terms it sums; float32: {ABSOLUTE} eps32 times its own or the "
                     f"terms it sums, or {ABSOLUTE} times the engine's own float32 rounding of "
                     f"it, measured); and each entry within {PER_ENTRY:.0%} of the engine's, "
                     "beyond float64's rounding of it")
        for r in self.rows:
            if r.message and r.status != "extra":
                lines.append(f"  {r.key}: {r.message}")
            taken, _, of = (r.numerical_entries or "").partition(" of ")
            if of and taken != of and (int(taken) or r.unresolved):  # (none at all: said below)
                why = (f"{r.unresolved} where x +- eps rounds (eps={self.eps:g} is below their "
                       "float spacing: give a larger eps)" if r.unresolved else "")
                if int(of) - int(taken) > r.unresolved:
                    why += ("; " if why else "") + "a seeded sample, max_numerical=None takes all"
                lines.append(f"  {r.key}: central differences at {r.numerical_entries} "
                             f"entries ({why})")
        extra = [r.key for r in self.rows if r.status == "extra"]
        if extra:
            lines.append(f"  not parameter gradients, not checked: {', '.join(extra)}")
        first = self.first_failure
        lines.append("all gradients agree" if first is None else
                     f"first disagreement: {first.key}" + _layer_note(first.parameter)
                     + (", the one backprop reaches first" if _layer(first.parameter) > 1
                        else ""))
        return "\n".join(lines)

    __repr__ = __str__


def _finite_or_none(data: Any) -> Any:
    if isinstance(data, float):
        return data if np.isfinite(data) else None
    if isinstance(data, dict):
        return {k: _finite_or_none(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_finite_or_none(v) for v in data]
    return data


def _layer_note(name):
    """" (layer 2)" for the course's W2, b2, dW2; else nothing."""
    layer = _layer(name)
    return f" (layer {layer})" if layer >= 0 else ""


def _layer(name: str) -> int:
    """2 for the course's W2, b2 (dW2, db2); -1 for other names (embed128 is no layer 128)."""
    m = re.fullmatch(r"d?[Wb](\d+)", name)
    return int(m.group(1)) if m else -1


# a row's result as the table shows it: an extra key (the course's dA0, dZ1) is not checked,
# not a fault ("EXTRA" read as one, beside nn's own right backward)
_RESULTS = {"ok": "PASS", "extra": "unchecked"}


def _check_argument_order(cost: Any, parameters: Any, grads: Any) -> None:
    """check_gradients(cost, parameters, grads), in that order: said, where it is not."""
    if not callable(cost) or not isinstance(parameters, Mapping):
        got = ", ".join(type(a).__name__ for a in (cost, parameters, grads))
        raise TypeError(f"check_gradients(cost, parameters, grads): give the cost function "
                        f"first, then the parameters dict {{'W1': ...}}, then your gradients; "
                        f"got ({got})")
    if (isinstance(grads, Mapping) and parameters and all(
            type(k) is str and k.startswith("d") for k in parameters)
            and {"d" + str(k) for k in grads} == set(parameters)):  # (a KeyError in cost)
        raise TypeError(f"check_gradients(cost, parameters, grads): the parameters come second "
                        f"and your gradients third; got {sorted(parameters)} second and "
                        f"{sorted(grads)} third")


def check_gradients(cost: Callable[[dict[str, Tensor]], Any],
                    parameters: Mapping[str, Any],
                    grads: Mapping[str, Any] | Callable[[dict[str, np.ndarray]], Mapping],
                    *, eps: float = 1e-6, tol_engine: float = 1e-7, tol_numerical: float = 1e-5,
                    max_numerical: int | None = 2000, seed: int = 0) -> GradientReport:
    """Compare hand-derived gradients with the engine and with central differences.

    cost: a function of a dict of Tensors (keyed like ``parameters``) returning a scalar
        Tensor built from them (a float, or a Tensor made from their .data, is an error).
    parameters: e.g. {"W1": (n1, n_x) array, "b1": (n1, 1) array, ...}.
    grads: your gradients keyed "d" + name ({"dW1": ..., "db1": ...}), or a function of the
        parameters returning that dict. Other keys (such as "dA0") are listed as extra.
    max_numerical: at most this many entries per parameter get finite differences (a
        seeded sample; None for all), so big layers stay quick.
    A NaN or inf in the cost, the engine's gradient, the finite differences or yours fails
    that parameter with status "not finite", naming the first bad entry.
    """
    _check_argument_order(cost, parameters, grads)
    params = {k: _as_float64(v) for k, v in parameters.items()}
    user, written = _user_gradients(grads, params)
    engine, cost_at, custom = _engine_gradients(cost, params)
    _same_cost_again(cost, params, cost_at)
    numerical = _sampled_differences(cost, params, eps, max_numerical, seed)

    size = _norm(np.concatenate([g.ravel() for g in engine.values()])) if engine else 0.0
    learner32 = any(_epsilon(user[k]) > np.finfo(np.float64).eps for k in user)
    rounding = _float32_rounding(cost, parameters, engine, learner32)
    entry_floors = {} if rounding else _entry_floors(cost, parameters)
    # one float32 parameter makes the learner's arithmetic float32 (W and X float32, b
    # float64: Z, and so db, are rounded to float32; 5 right learners in 100 failed)
    coarsest = max(parameters.values(), key=_epsilon, default=np.float64(0))
    rows = []
    for name, value in params.items():
        row = GradientRow(parameter=name, key="d" + name, shape=value.shape, status="ok")
        rows.append(row)
        mine = _user_gradient(row, user, value)
        if mine is not None:
            _compare(row, mine, engine[name], cost_at, numerical, custom,
                     _limits(coarsest, (size, _norm(engine[name]),
                                                rounding.get(name, 0.0)),
                             cost_at, eps, tol_engine, tol_numerical),
                     entry_floors.get(name), (cost, params))
        if name in written:  # whatever the values, the write fails it
            row.status, row.message = "wrong", "; ".join(
                m for m in (written[name], row.message if row.status != "ok" else "") if m)
    known = {"d" + k for k in params}
    _shifted_keys(rows, user, params)
    rows += [GradientRow(parameter=key, key=key, shape=np.shape(user[key]), status="extra",
                         message="not a parameter gradient; not checked")
             for key in user if key not in known]
    return GradientReport(rows, tol_engine, tol_numerical, eps, engine, _numeric(user))


def _shifted_keys(rows, user, params) -> None:
    """A wrong shape that is another parameter's, say so: dW1 holding dW2's (3, 4) beside W1
    (4, 3) was hinted "(transposed?)", where keys shifted by one are likelier."""
    for row in rows:
        if row.status == "shape":
            got = np.shape(user[row.key])
            owners = [k for k, v in params.items() if np.shape(v) == got and k != row.parameter]
            if owners:
                row.message += (f"; that is {', '.join('d' + k for k in owners)}'s shape: are "
                                "the gradients stored under the right keys?")


ROUNDING_RUNS = 4  # float32 runs of the engine that measure a float32 learner's rounding


def _float32_rounding(cost, parameters, engine, learner32=False) -> dict[str, float]:
    """Where a parameter is float32, a float32 learner's rounding of this very cost's
    gradient, for every parameter (a float64 b beside a float32 W and X is summed from
    float32 terms), at least the smallest normal float32: eps32 times the magnitudes it
    sums (``_summed_terms``), or how far the engine's own gradient moves when computed in
    float32, at the parameters and at three neighbours one float32 rounding away (one run
    alone can land on the float64 value), capped at RELATIVE eps32 times its scale: a cost
    that behaves otherwise in float32 (binary_cross_entropy's p rounds to 1 beyond z = 17)
    moves it by itself, and a floor of that size passed -dw. Float64 parameters and float32
    gradients (a learner who cast X to float32) get the summed terms' part alone: their
    relative tolerance stays float64's (gradients 5e-5 off passed when it was float32's).
    Empty for float64 throughout (``_entry_floors`` serves it); without the terms if the
    cost fails to give them."""
    low32 = [k for k in engine if _epsilon(parameters[k]) > np.finfo(np.float64).eps]
    if not low32 and not learner32:
        return {}
    try:
        terms = {k: _norm(t) for k, t in _summed_terms(cost, parameters).items()}
    except Exception:  # noqa: BLE001  (a measure only: the check goes on without it)
        terms = {}
    rng = np.random.default_rng(0)
    eps32, tiny32 = float(np.finfo(np.float32).eps), float(np.finfo(np.float32).tiny)
    moved: dict[str, float] = dict.fromkeys(engine, 0.0)
    try:
        for run in range(ROUNDING_RUNS if low32 else 0):
            shifted = {k: np.asarray(_as_float64(v) * (1 + eps32 * rng.choice(
                [-1.0, 1.0], np.shape(v)) * (run > 0)), np.float32) if k in low32
                else _as_float64(v) for k, v in parameters.items()}  # (float64 ones as given)
            with np.errstate(all="ignore"):
                low, _, _ = _engine_gradients(cost, shifted)
            for k in engine:
                change = _norm(np.subtract(low[k], engine[k], dtype=np.float64))
                if np.isfinite(change):  # (an overflow in float32 measures nothing)
                    moved[k] = max(moved[k], change)
    except Exception:  # noqa: BLE001  (as above)
        moved = dict.fromkeys(engine, 0.0)
    return {k: max(tiny32, eps32 * max(terms.get(k, 0.0), min(change / eps32, RELATIVE * max(
        terms.get(k, 0.0), _norm(engine[k]))))) for k, change in moved.items()}


def _entry_floors(cost, parameters) -> dict[str, np.ndarray]:
    """Entry by entry, a float64 learner's rounding against the engine's: ABSOLUTE eps64
    times the magnitudes the entry sums, and the smallest normal float64 (an underflow:
    yours 0, the engine's 2e-313). At an optimum, where the gradient cancels to about 0,
    37 of 40 right learners failed against the engine's own rounding. Per entry: one entry
    whose terms cancel at 1e16 let every other entry of its parameter pass sign-flipped,
    when its floor was the norm of them all. Empty if the cost cannot give the terms."""
    try:
        terms = _summed_terms(cost, parameters)
    except Exception:  # noqa: BLE001  (a measure only: the check goes on without it)
        return {}
    eps64, tiny64 = float(np.finfo(np.float64).eps), float(np.finfo(np.float64).tiny)
    return {k: ABSOLUTE * (eps64 * t + tiny64) for k, t in terms.items()}


_PRODUCTS = {"multiply", "divide", "matmul", "einsum"}  # their VJPs sum |products| given |x|


def _dz_magnitude(g, ans, z, y):
    d = _sigmoid_any(z) + np.abs(y)
    return d * (g / d.size)


# VJPs that are differences: a float32 learner's A - Y has A's rounding, eps32 |A|, however
# small A - Y is (A = 1 - 8e-4 against Y = 1 came out 3e-5 off, and a right learner failed;
# tanh's 1 - A**2 at A = 0.999, 2e-6 off). Their magnitude is the operands' sum.
_MAGNITUDES = {
    ("binary_cross_entropy_with_logits", 0): _dz_magnitude,
    ("tanh", 0): lambda g, ans, x: g * (1 + ans * ans),
}  # (not sigmoid: behind log(A) its g is 1 / A, and a saturated A gave wrong dw a floor)


def _summed_terms(cost, parameters) -> dict[str, np.ndarray]:
    """For each parameter, the magnitudes its gradient is a sum of: the backward pass run
    on |g|, each VJP's result taken in absolute value (products' given |inputs|), so that
    nothing cancels. db = sum of dZ over the m examples gets the sum of |dZ|; dW = dZ A.T
    gets |dZ| |A|.T. A float32 learner's rounding of a gradient that cancels (at an
    optimum, or over symmetric data) is eps32 times about that; W's gradient, 3e6 beside
    features of 1e6, is not b's."""
    xs = {k: Tensor(_as_float64(v), requires_grad=True) for k, v in parameters.items()}
    with enable_grad():
        out = cost(xs)
    magnitude = {id(out): np.ones(out.shape)}
    for t in reversed(toposort([out])):
        g = magnitude.pop(id(t), None)
        if t._op is None or g is None:
            magnitude[id(t)] = g  # a leaf: kept for the end
            continue
        vals = [np.abs(v) for v in t._vals] if t._op.name in _PRODUCTS else t._vals
        for i, a in enumerate(t._args):
            if type(a) is Tensor and a.requires_grad:
                vjp = _MAGNITUDES.get((t._op.name, i), t._op.vjps[i])
                part = vjp(g, t._data, *vals, **(t._kwargs or {}))
                part = unbroadcast(np.abs(np.asarray(part, dtype=float)), a.shape)
                magnitude[id(a)] = magnitude[id(a)] + part if id(a) in magnitude else part
    return {k: np.zeros(x.shape) if magnitude.get(id(x)) is None else magnitude[id(x)]
            for k, x in xs.items()}


def _limits(parameter, sizes, cost_at, eps, tol_engine, tol_numerical) -> tuple:
    """(tolerance, floor) against the engine, then against the differences (see ``agree``),
    and the floor against differences taken CLOSER times nearer, for a parameter given as
    ``parameter``; ``sizes``: the norm of all the engine's gradients, of its own, and of
    the change in its own when the engine computes in float32 (0 for float64).
    Finite differences cannot tell apart what changes the cost by less than its rounding,
    about 1e-16 |J| in +-eps: a gradient of 1e-16 came out 0 (relative difference 1)."""
    epsilon = _epsilon(parameter)  # the parameters' dtypes: the learner's own cannot loosen it
    # The floor is the engine's float64 rounding of all the gradients, or a float32 learner's
    # rounding of this one, at its size or measured (a bias that cancels: 0 in the engine,
    # 4e-9 in float32). Of all the layers', float32's let a small dW1 pass as zeros; of its
    # layer's, unnormalised features (dw 3e6) let db pass sign-flipped.
    size, own, rounding = sizes
    floor = ABSOLUTE * max(np.finfo(np.float64).eps * size, epsilon * own, rounding)
    resolution = ABSOLUTE * np.finfo(np.float64).eps * abs(cost_at) / eps
    return (max(tol_engine, RELATIVE * epsilon), floor,
            max(tol_numerical, RELATIVE * epsilon), max(floor, resolution),
            max(floor, resolution * CLOSER))


def _user_gradients(grads, params) -> tuple[Mapping, dict[str, str]]:
    """Your gradients, and for each parameter a grads function wrote into, why it fails:
    it gets copies, compared with the parameters afterwards (an update or a normalisation
    done in place inside it would change the arrays a training loop reuses)."""
    copies = {k: v.copy() for k, v in params.items()}
    user = grads(dict(copies)) if callable(grads) else grads
    if not isinstance(user, Mapping):
        raise TypeError(f"check_gradients: grads must be a dict like {{'dW1': ...}} or a "
                        f"function returning one, got {type(user).__name__}")
    return user, {k: _written(f"your grads function wrote into {k}", v, copies[k])
                  for k, v in params.items() if _changed(v, copies[k])}


def _changed(before: np.ndarray, after: np.ndarray) -> bool:
    return before.shape != after.shape or not np.array_equal(before, after, equal_nan=True)


def _written(who: str, before: np.ndarray, after: np.ndarray) -> str:
    """Why a function that wrote into an array it was given fails (``who`` did it)."""
    where = ""
    if before.shape == after.shape:
        j = int(np.flatnonzero(~((before == after) | (np.isnan(before) & np.isnan(after))))[0])
        index = _entry(j, before.shape)
        was, now = float(before.reshape(-1)[j]), float(after.reshape(-1)[j])
        where = f" (at {index}, {was:.6g} became {now:.6g})" if index else \
            f" ({was:.6g} became {now:.6g})"
    return (f"{who} in place{where}: a training loop that reuses the array would see it "
            "changed; compute new arrays instead (g = 2 * a, not a *= 2; X - X.mean(), not "
            "X -= X.mean())")


def _numeric(user) -> dict[str, np.ndarray]:
    """Your gradients as float64 arrays (those that are numeric), for the report."""
    mine = {}
    for k, v in user.items():
        try:
            if not np.iscomplexobj(v):  # (complex is refused by its row, not cast here)
                mine[k] = np.asarray(v, dtype=np.float64)
        except (TypeError, ValueError):
            continue
    return mine


def _sampled_differences(cost, params, eps, max_numerical, seed) -> Callable:
    """A function name -> (entries, central differences of the cost at those entries of
    that parameter): all entries, or a seeded sample of ``max_numerical`` of them."""
    rng = np.random.default_rng(seed)

    def cost_value():
        with no_grad():
            return _scalar(cost({k: Tensor(v) for k, v in params.items()}))

    def numerical(name, idx=None, closer=1):
        value = params[name]  # changed in place and restored
        if idx is None:
            # not where x +- eps rounds off most of eps (at x = 1e12, x + 1e-6 is x: the
            # differences were 0, and the engine's own gradient failed as a kink's)
            flat = value.reshape(-1)
            idx = np.flatnonzero(np.abs((flat + eps) - (flat - eps) - 2 * eps) <= 0.01 * eps)
            numerical.unresolved[name] = value.size - idx.size
            if max_numerical is not None and idx.size > max_numerical:
                idx = np.sort(rng.choice(idx, max_numerical, replace=False))
        return idx, _central_differences(cost_value, value, eps / closer, idx)[:, 0]

    numerical.unresolved = {}  # name -> entries left out: eps below their float spacing

    return numerical


def _same_cost_again(cost, params, cost_at: float) -> None:
    """Raise if the cost differs at the same parameters: every row would be WRONG, blamed on
    a kink (a dropout cost drawing new masks at each call: -85821 against -0.19)."""
    with no_grad():
        again = _scalar(cost({k: Tensor(v) for k, v in params.items()}))
    if again != cost_at and not (np.isnan(again) and np.isnan(cost_at)) \
            and abs(again - cost_at) > 1e-12 * max(abs(cost_at), abs(again), 1e-200):
        raise ValueError(f"check_gradients: the cost gave {cost_at!r}, then {again!r}, at the "
                         "same parameters: it draws random numbers (dropout masks?). Draw "
                         "them once outside the cost, or seed inside it "
                         "(np.random.seed(1) first), so that every evaluation sees the same")


def _engine_gradients(cost, params) -> tuple[dict[str, np.ndarray], float, list[str]]:
    """The engine's gradient of the cost for each parameter, the cost's value, and the
    names of the custom ops in the graph (whose VJPs are the user's, not the engine's, to
    check; none: an empty list)."""
    xs = {k: Tensor(v, requires_grad=True, name=k) for k, v in params.items()}
    with enable_grad():
        out = _require_tensor("check_gradients", "the cost", cost(xs))
    if out.size != 1:
        raise ValueError(f"check_gradients: the cost must be a single number, got shape "
                         f"{out.shape}")
    custom = _custom_ops(out)
    gs = gradients(out, list(xs.values()), unconnected=None)
    if gs is None:
        if xs:
            raise ValueError(_unconnected("check_gradients", "the cost", "parameter"))
        gs = []
    return ({k: np.asarray(g) for k, g in zip(xs, gs)},
            float(np.asarray(out._data, dtype=np.float64).reshape(())), custom)


def _user_gradient(row, user, value) -> np.ndarray | None:
    """Your gradient for ``row`` as a float64 array, or None with the row marked failed
    (missing, not numeric, or wrongly shaped)."""
    key, name = row.key, row.parameter
    if key not in user:
        row.status = "missing"
        row.message = f"no '{key}' in your gradients (keys given: {sorted(user)})" + (
            f"; name each d + its parameter: '{key}' for '{name}'" if name in user else "")
        return None
    try:
        if user[key] is None:  # (numpy reads None as a NaN of shape (): "got ()")
            raise TypeError("it is None: is a return statement missing?")
        raw = np.asarray(user[key])
    except (TypeError, ValueError) as err:  # a ragged list: [dW1, 0]
        row.status, row.message = "wrong", f"'{key}' is not an array of numbers ({err})"
        return None
    try:  # (np.asarray would read the string "0.5" as the number 0.5)
        if raw.dtype.kind == "c" or raw.dtype.kind in "USO" and any(
                isinstance(v, (str, bytes)) for v in raw.flat):  # (complex: its imaginary
            raise TypeError  # part was dropped with numpy's warning alone)
        mine = raw.astype(np.float64)
    except (TypeError, ValueError):
        row.status = "wrong"
        row.message = f"'{key}' is not a numeric array (it holds {raw.dtype.name} values)"
        return None
    if mine.ndim == 0 and value.size == 1:  # db2 = np.sum(dZ2) / m for b2 (1, 1): a number,
        mine = mine.reshape(value.shape)  # as week 2's db is (a rank-1 (1,) stays a mistake)
    if mine.shape != value.shape:
        row.status = "shape"
        row.message = (f"{key} should have the shape of {name}, {value.shape}, got "
                       f"{mine.shape}{_shape_hint(mine.shape, value.shape)}")
        return None
    return mine


def _shape_hint(got: tuple, expected: tuple) -> str:
    """' (transposed?)' or ' (a rank-1 array: keep the axis, ...)' where a gradient of
    shape ``got`` for a parameter of shape ``expected`` looks like one of those mistakes."""
    if len(got) == 1 and len(expected) == 2 and 1 in expected:
        return " (a rank-1 array: keep the axis, e.g. keepdims=True)"
    return " (transposed?)" if got == expected[::-1] else ""


def _compare(row, mine, ref, cost_at, numerical, custom, limits, entry_floor=None,
             whole=None) -> None:
    """Fill ``row`` with yours vs the engine and vs central differences: "ok", "wrong",
    or "not finite" (the cost, yours, the engine's or the finite differences), with why.
    ``custom``: the names of the custom ops in the cost (none: the engine's rules alone
    made ``ref``). ``limits``: (tolerance, floor) vs the engine, then vs the differences
    (see ``agree``); ``entry_floor``: float64's rounding of each entry (``_entry_floors``),
    vs the engine only; ``whole``: (the cost, the parameters), to tell a kink where yours
    and the engine's differ."""
    key, name = row.key, row.parameter
    if not np.isfinite(cost_at):
        row.status = "not finite"
        row.message = (f"the cost is {cost_at}, so no gradient can be checked; make it finite "
                       "at these parameters first")
        return
    if (_flag_nonfinite(row, f"{key} (yours) is", mine, "") or
            _flag_nonfinite(row, f"the engine's {key} is", ref, ": the cost is not "
                            "differentiable there (e.g. sqrt or log at 0); move the parameters "
                            "off that point")):
        return
    row.diff_engine = relative_difference(mine, ref)
    err = np.abs(mine - ref)
    worst = np.unravel_index(int(np.argmax(err)), err.shape) if err.size else ()
    row.worst_index = tuple(int(i) for i in worst)
    row.max_abs_error = float(err.max()) if err.size else 0.0
    row.yours = float(mine[worst]) if err.size else None
    row.engine = float(ref[worst]) if err.size else None
    idx, fd = numerical(name)
    row.numerical_entries = f"{idx.size} of {ref.size}"
    if _unchecked_vjp(row, numerical.unresolved.get(name, 0), custom):
        return
    full = np.zeros(ref.size)  # unsampled entries stay 0: finite
    full[idx] = fd
    if _flag_nonfinite(row, f"the finite differences of the cost w.r.t. {name} are",
                       full.reshape(ref.shape), f": the cost is not finite at {name} ± eps "
                       "there; move the parameters farther from the edge of the cost's "
                       "domain, or use a smaller eps"):
        row.yours, row.engine = float(mine[row.worst_index]), float(ref[row.worst_index])
        return
    row.diff_numerical = relative_difference(mine.reshape(-1)[idx], fd) if idx.size else None
    tol_engine, floor_engine, tol_numerical, floor_numerical, _ = limits
    with_engine = (agree(mine, ref, tol_engine, floor_engine)
                   and _each_entry_agrees(row, mine, ref, err, tol_engine, entry_floor)) or (
        entry_floor is not None and bool(np.all(err <= entry_floor)))
    if with_engine and agree(mine.reshape(-1)[idx], fd, tol_numerical,
                             floor_numerical * np.sqrt(idx.size)):
        return
    if with_engine:  # the differences disagree with yours and the engine's: taken again
        _, fine = numerical(name, idx, CLOSER)
        if (_closer_in_agrees(row, mine.reshape(-1)[idx], fine, idx, limits)
                or _farther_out_agrees(row, mine.reshape(-1)[idx], fd, fine, numerical, idx,
                                       limits, trusted=not custom)
                or not custom and _differences_at_kinks(row, mine, fd, idx, whole, limits)):
            return
    if not with_engine and not custom and _at_kinks(
            row, mine, ref, whole, (tol_engine, floor_engine if entry_floor is None
                                    else entry_floor)):
        return
    _wrong(row, mine, ref, fd, idx, custom, with_engine,
           (tol_numerical, floor_numerical * np.sqrt(idx.size)))


# Each entry within 1 % of the engine's, beyond float64's rounding of it: the course's
# norm-wise rule alone passed 2e-3 for 1e-3 beside 1e6. (Not tol_engine: the course's own
# dAL = -(Y/AL - (1-Y)/(1-AL)) loses 2e-6 of each term where 1 - AL = 1e-10, and passes.)
PER_ENTRY = 0.01


def _differences_at_kinks(row, mine, fd, idx, whole, limits) -> bool:
    """Where yours equals the engine's, whether the central differences ``fd`` (at ``idx``)
    differ from it only at kinks of the cost, exactly at them, where they average its two
    sides, and yours lies between its one-sided slopes (He init's b = 0 under a dead unit
    gives Z = 0 exactly: nn's own L_model_backward failed): True, with a note on ``row``."""
    differences = np.array(mine, dtype=np.float64).reshape(-1)
    differences[idx] = fd
    return _at_kinks(row, mine, differences.reshape(np.shape(mine)), whole, limits[2:4],
                     "yours equals the engine's; the central differences differ only where "
                     "the cost has a kink (relu, abs, max or clip at a tie), whose two sides "
                     "they average, and yours lies between its one-sided slopes: a "
                     "subgradient there (the course's relu_backward gives 0 at Z = 0)")


def _at_kinks(row, mine, ref, whole, tolerance, message: str | None = None) -> bool:
    """Whether yours differs from the engine's (``ref``) only at kinks of the cost, lying
    between their one-sided slopes (a subgradient, as assert_gradients_match takes it):
    True, with a note on ``row`` (``message``, else the one below). ``whole``: as
    _compare's."""
    if whole is None:
        return False
    cost, params = whole
    name = row.parameter

    def along(x):  # the cost as a function of this parameter, the others held
        return cost({**{k: Tensor(v) for k, v in params.items()}, name: x})
    ties: list[str] = []
    if not _subgradient_at_kinks(along, [params[name]], 0, mine, ref, tolerance,
                                 ties if message is None else None):  # (ref: the differences)
        return False
    row.message = message or ("yours differs from the engine's only where the cost has a "
                              "kink (its one-sided slopes differ: relu, abs, max or clip at a "
                              "tie), each entry between those slopes (the course's "
                              "relu_backward gives 0 at Z = 0)" + "".join("; " + t for t in ties))
    return True


def _unchecked_vjp(row, unresolved: int, custom) -> bool:
    """Note on ``row`` the entries left out of the differences (x +- eps rounds there), and
    fail it where a custom op's VJP, the user's, is then checked by nothing: True."""
    row.unresolved = unresolved
    if not (unresolved and custom):
        return False
    row.status = "wrong"
    row.message = (f"{unresolved} entries could not be differenced (x +- eps rounds there), "
                   f"and the engine's gradient goes through {_named(custom)}, whose VJP is "
                   "yours: nothing checks it at those entries. Give a larger eps, or check the "
                   "op alone with al.gradcheck at smaller inputs")
    return True


def _each_entry_agrees(row, mine, ref, err, tol, entry_floor) -> bool:
    """Where float64's rounding of each entry is known (``entry_floor``), whether every
    entry of yours is within PER_ENTRY of the engine's (or ``tol``, if looser). False, with
    the worst entry on ``row``, when one is not."""
    if entry_floor is None:
        return True
    limit = max(tol, PER_ENTRY) * np.abs(ref) + entry_floor
    if bool(np.all(err <= limit)):
        return True
    worst = np.unravel_index(int(np.argmax(err / np.maximum(limit, np.finfo(float).tiny))),
                             err.shape)
    row.worst_index = tuple(int(i) for i in worst)
    row.yours, row.engine = float(mine[worst]), float(ref[worst])
    return False


# disagreeing entries looked at for a kink (two evaluations of f each); more are a wrong
# gradient. 32 failed a right relu_backward on hypothesis's first array, all zeros
KINK_ENTRIES = 1024


def _subgradient_at_kinks(f, given, i, mine, engine, tolerance, ties=None) -> bool:
    """Whether every entry where gradient ``i`` disagrees sits at a kink of f (its one-sided
    slopes differ) and yours lies between them, as a subgradient does: where f has no
    derivative, yours and the engine's conventions may differ (|x| at 0). A property test
    shrank a gradient wrong for x < 0 to x = 0, a counterexample of conventions alone;
    passing there, it shrinks to one where the gradient is wrong. ``ties``, a list, gets
    _tie_doubt's words where those entries look tied."""
    rtol, atol = tolerance
    mine = np.asarray(mine, dtype=np.float64)
    wrong = np.argwhere(~np.isclose(mine, engine, rtol=rtol, atol=atol))
    if not 0 < len(wrong) <= KINK_ENTRIES:
        return False
    arrays = [np.array(a, dtype=np.float64) for a in given]
    x = arrays[i]

    def slopes(index, step, direction=1.0):  # (left, right): f's slopes along direction
        kept = np.copy(x[index])
        x[index] = kept + step * direction
        right = (_scalar(_evaluate(f, arrays)) - at) / step
        x[index] = kept - step * direction
        left = (at - _scalar(_evaluate(f, arrays))) / step
        x[index] = kept
        return left, right

    sides = []
    with np.errstate(all="ignore"):
        at = _scalar(_evaluate(f, arrays))
        # f's rounding moves a slope by up to eps |f| / step (16 times that at step / 16):
        # a cost of 1e9 made noise of 0.2 that passed for a kink
        noise = 4 * np.finfo(np.float64).eps * (abs(at) + 1) / 1e-6
        for index in map(tuple, wrong):
            step = 1e-6 * (1 + abs(x[index]))
            low, high = sorted(slopes(index, step))
            slack, gap = 1e-4 * (1 + abs(low) + abs(high)), high - low
            if not gap > 10 * (slack + 16 * noise / (1 + abs(x[index]))):  # (1e3 * slack
                return False  # missed slopes 0 and 0.107)
            # a kink's gap stays as the step shrinks; a bend's (curvature, at 1e12 a step
            # of 1e6) shrinks with it, 16 times here
            left, right = slopes(index, step / 16)
            low, high = sorted((left, right))
            if not (abs(high - low - gap) <= gap / 4
                    and low - slack <= mine[index] <= high + slack):
                return False
            sides.append((left, right))
        if ties is not None and len(wrong) > 1:
            step = 1e-6 * (1 + np.max(np.abs(x[tuple(wrong.T)]))) / 16
            doubt = _tie_doubt(slopes, wrong, sides, mine, engine, step, noise * 1e-6 / step)
            ties += [doubt] if doubt else []
    return True


def _tie_doubt(slopes, wrong, sides, mine, engine, step, noise) -> str | None:
    """Words for a note where the entries look tied and yours may be no subgradient as a
    whole (the max-pool bug, the whole gradient to every tied max, passes entry by entry),
    else None. Along d (yours minus the engine's, then all ones, over those entries) where
    f has one slope, but not the sum of the entries' own (they share a kink: independent
    relus add up), a subgradient's dot with d is that slope. Not a failure: where convex
    and concave kinks cancel along d, relu'(0) = 1 differs too, and is a convention (a
    h19 review found such right gradients failed)."""
    index = tuple(wrong.T)
    own = np.array(sides)  # (left, right) of each entry
    diff = mine[index] - np.asarray(engine, dtype=np.float64)[index]
    for d in (diff / np.max(np.abs(diff)), np.ones(len(diff))):
        left, right = slopes(index, step, d)
        slack = 1e-4 * (1 + np.sum(np.abs(d) * np.abs(own).sum(axis=1))) + 10 * noise
        up = np.dot(d, np.where(d > 0, own[:, 1], own[:, 0]))
        down = np.dot(d, np.where(d > 0, own[:, 0], own[:, 1]))
        shared = abs(right - up) > slack or abs(left - down) > slack
        yours = float(np.dot(d, mine[index]))
        if shared and abs(right - left) <= slack and abs(yours - (left + right) / 2) > slack:
            where = ", ".join(str(tuple(int(k) for k in w)) for w in wrong[:4])
            return (f"but moving {where}{', ...' if len(wrong) > 4 else ''} together (along "
                    f"{np.array2string(d, precision=3)}), the cost's slope is "
                    f"{(left + right) / 2:.6g} where yours gives {yours:.6g}: if those "
                    "entries are tied (a max over equal entries), yours is no subgradient "
                    "as a whole (the whole gradient to every tied max is a known bug); "
                    "check the tie")
    return None


def _wrong(row, mine, ref, fd, idx, custom, with_engine, limit) -> None:
    """Mark ``row`` wrong, saying why: a custom op's VJP first where the engine's gradient
    disagrees with the differences ``fd`` (taken at ``idx``) and one is in the cost. Where
    yours equals the engine's, the table's worst index becomes where the differences
    disagree most, the index the message names. ``limit``: (tolerance, floor) vs them."""
    row.status = "wrong"
    flat_mine, flat_ref = mine.reshape(-1)[idx], ref.reshape(-1)[idx]
    if with_engine:  # the engine agrees with you: the differences do not
        k = int(np.argmax(np.abs(flat_mine - fd)))
        row.worst_index = _entry(int(idx[k]), ref.shape)
        row.yours, row.engine = float(flat_mine[k]), float(flat_ref[k])
        row.message = _kink_message(row.worst_index, fd[k], flat_mine[k], custom)
        return
    yours, engines = _distinct(row.yours, row.engine)
    row.message = f"at {row.worst_index} yours is {yours}, the engine's {engines}"
    if agree(flat_ref, fd, *limit):  # (the engine trusted: a slip of yours is named)
        row.message += _slip(mine, ref)
        return
    if agree(flat_mine, fd, *limit):
        row.message += ("; yours agrees with the finite differences and the engine's does "
                        "not: a rule of the engine's is wrong here" + (
                            f", most likely the VJP of {_named(custom)} (check it alone with "
                            "al.gradcheck)" if custom else ""))
    elif custom:
        row.message += (f"; the engine's disagrees with the finite differences too: the VJP "
                        f"of {_named(custom)} may be wrong (check it alone with al.gradcheck)")


def _named(custom: Sequence[str]) -> str:
    """"custom op 'cube'", or "custom ops 'a' and 'b'"."""
    names = [f"'{c}'" for c in custom]
    return ("custom op " if len(names) == 1 else "custom ops ") + (
        names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1])


CLOSER = 100  # a kink within eps of a parameter: the differences are taken again at eps / 100


def _closer_in_agrees(row, mine, fine, idx, limits) -> bool:
    """Where yours equals the engine's and the central differences do not, a kink (relu at
    a Z within eps of 0, common at the course's small initialisation) may lie between the
    two points they take: taken again at eps / CLOSER they see one side. True, with a note
    on ``row``, when they then agree (the engine's rounding floor grows CLOSER times);
    ``fine``: the differences at eps / CLOSER."""
    if not agree(mine, fine, limits[2], limits[4] * np.sqrt(idx.size)):
        return False
    row.diff_numerical = relative_difference(mine, fine)
    row.message = (f"central differences at eps averaged the two sides of a kink (relu, abs, "
                   f"max or clip); at eps / {CLOSER} they agree with yours")
    return True


FARTHER = 100  # a cost whose rounding is noisier than eps |J|: differences at eps * 100


def _farther_out_agrees(row, mine, fd, fine, numerical, idx, limits, trusted) -> bool:
    """Where yours equals the engine's and the central differences ``fd`` do not, the
    cost's own rounding may be far above eps64 |J| (the learner's log(1 - A) with A = 1 -
    4e-7 loses 3e-10 of each term: 1e-5 in a difference at eps = 1e-6). Taken FARTHER times
    farther out, that noise shrinks as much. True, with a note on ``row``, when they then
    agree with yours; or, where the engine's own rules made its gradient (``trusted``), when
    the differences at eps / CLOSER, eps and eps * FARTHER all disagree with each other:
    differences that change with eps cannot judge (float32 pixels saturating a sigmoid: 13
    right learners in 30 failed). At a kink, or past a custom op's wrong VJP, they agree
    with each other, and it fails."""
    _, coarse = numerical(row.parameter, idx, 1 / FARTHER)
    tol, floor = limits[2], limits[3] * np.sqrt(idx.size)
    if agree(mine, coarse, tol, floor):
        row.diff_numerical = relative_difference(mine, coarse)
        row.message = (f"the cost's rounding made central differences at eps noisy; at eps * "
                       f"{FARTHER} they agree with yours")
        return True
    if not trusted or agree(fd, coarse, tol, floor):
        return False
    if agree(fine, fd, tol, floor) or agree(fine, coarse, tol, floor):
        return False
    k = int(np.argmax(np.abs(fd - coarse)))
    row.message = (f"yours equals the engine's; central differences cannot check it, as they "
                   f"change with eps ({fine[k]:.6g} at eps / {CLOSER}, {fd[k]:.6g} at eps, "
                   f"{coarse[k]:.6g} at eps * {FARTHER}): the cost rounds noisily here (a "
                   "saturated sigmoid's log(1 - A))")
    return True


def _slip(mine: Any, ref: Any) -> str:
    """What a wrong gradient is, where it is a simple slip: "; yours is 5 times the engine's
    everywhere (a missing 1/5? 1/m, if m = 5)", -1 times (a sign), the transpose. '' else."""
    mine, ref = np.asarray(mine, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    if mine.shape != ref.shape or not (np.isfinite(mine).all() and np.isfinite(ref).all()):
        return ""
    if mine.ndim == 2 and mine.shape[0] == mine.shape[1] > 1 and not np.allclose(
            mine, mine.T) and np.allclose(mine, ref.T, rtol=1e-6, atol=0):
        return "; yours is the engine's transposed"
    nonzero = ref != 0
    if nonzero.sum() < 2 or not np.array_equal(mine == 0, ~nonzero):
        return ""
    ratios = mine[nonzero] / ref[nonzero]
    c = float(np.median(ratios))
    if not np.allclose(ratios, c, rtol=1e-6, atol=0) or np.isclose(c, 1, rtol=1e-6, atol=0):
        return ""
    why = ""
    if np.isclose(c, -1, rtol=1e-6, atol=0):
        why = " (a sign?)"
    elif abs(c) > 1 and np.isclose(c, round(c), rtol=1e-9, atol=0):  # (1/m only if m is
        k = abs(round(c))  # that: a planted 4 / m at m = 3 was called a missing 1/4)
        why = f" (a missing 1/{k}? 1/m, if m = {k})"
    elif abs(c) < 1 and np.isclose(1 / c, round(1 / c), rtol=1e-9, atol=0):
        k = abs(round(1 / c))
        why = f" (an extra 1/{k}? 1/m twice, if m = {k})"
    return f"; yours is {c:.6g} times the engine's everywhere{why}"


def _distinct(a: float, b: float) -> tuple[str, str]:
    """Two numbers with as many digits as it takes to tell them apart (up to 17)."""
    for digits in (6, 9, 12, 17):
        x, y = f"{a:.{digits}g}", f"{b:.{digits}g}"
        if x != y:
            break
    return x, y


def _kink_message(where, fd, mine, custom) -> str:
    """Yours equals the engine's and the differences ``fd`` differ at ``where``: past a
    custom op, most likely its VJP (which yours copies); else the cost's shape there."""
    head = (f"yours agrees with the engine, but at {where} central differences give "
            f"{fd:.6g} where both give {mine:.6g}: ")
    if custom:
        return head + (f"the engine's gradient goes through {_named(custom)}, whose VJP is "
                       "most likely wrong (check it alone with al.gradcheck); if it is right, "
                       "the cost may have a kink there (relu, abs, max or clip at a tie) or "
                       "round too coarsely for the differences (a saturated sigmoid)")
    return head + ("the cost may have a kink there (relu, abs, max or clip at a tie), whose "
                   "two sides the differences average, or not move in floating point (a "
                   "saturated sigmoid: p rounds to 1), or bend within eps (inputs of 1e6: eps "
                   "x is 1); move the parameters, or scale the inputs, and check again")


def _flag_nonfinite(row, what, a, why) -> bool:
    """Mark ``row`` "not finite" at the first NaN/inf of ``a``; False when all are finite."""
    found = _nonfinite(a)
    if found is None:
        return False
    value, index = found
    row.status, row.worst_index = "not finite", index
    row.message = f"{what} {value} at index {index}{why}"
    return True
