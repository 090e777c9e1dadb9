"""Kinks and boundaries: 0, +-inf, NaN, empty arrays and ties.

EDGE_CASES (autograd_lite/specs.py, rendered into docs/edge_cases.md) documents the value
and gradient of each op at its kinks; each row is checked here. A sweep then feeds every
op of the spec table special values and empty arrays: values must equal numpy's reference
(NaN where numpy gives NaN), and backward must give a gradient of each input's shape."""

import numpy as np
import pytest

import autograd_lite as al
from autograd_lite.specs import EDGE_CASES, OP_SPECS

SPECIAL = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 1e300, -1e-300])


@pytest.mark.parametrize("case", EDGE_CASES, ids=[c.text for c in EDGE_CASES])
def test_documented_kinks_and_boundaries(case):
    xs = [al.Tensor(v, requires_grad=True) for v in case.inputs]
    with np.errstate(all="ignore"):
        if isinstance(case.value, type) and issubclass(case.value, Exception):
            with pytest.raises(case.value):
                case.fn(*xs)
            return
        out = case.fn(*xs)
        np.testing.assert_allclose(out.data, case.value, rtol=1e-12, atol=0, equal_nan=True,
                                   err_msg=f"{case.text}: value")
        out.sum().backward()
    for x, want in zip(xs, case.grads):
        got = np.zeros(x.shape) if x.grad is None else x.grad
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=0, equal_nan=True,
                                   err_msg=f"{case.text}: gradient")


def test_every_op_has_documented_edge_cases():
    covered = {c.op for c in EDGE_CASES}
    missing = {s.primitive for s in OP_SPECS} - covered - {"index_add", "astype"}
    assert not missing, f"document the kinks and boundaries of {sorted(missing)}"


def _args(spec, x):
    """Arguments of the op built around the float array x."""
    kind, y = spec.kind, x[::-1].copy()
    return {
        "unary": ((x,), {}), "binary": ((x, y), {}), "remainder": ((x, y), {}),
        "loss": ((x, y), {}),
        "reduce": ((x,), {"axis": None}),
        "spread": ((x,), {"axis": None}),
        "axis": ((x,), {"axis": -1}), "leaky": ((x, 0.1), {}), "clip": ((x, -1.0, 1.0), {}),
        "where": ((x > 0, x, y), {}), "matmul": ((x, y), {}), "dot": ((x, y), {}),
        "reshape": ((x,), {"shape": (-1, 1)}), "transpose": ((x,), {"axes": (0,)}),
        "swapaxes": ((x, 0, -1), {}), "expand_dims": ((x,), {"axis": 0}),
        "squeeze": ((x.reshape(1, -1),), {"axis": 0}),
        "broadcast_to": ((x,), {"shape": (2, len(x))}), "astype": ((x,), {"dtype": np.float64}),
        "getitem": ((x,), {"index": slice(0, None, 2)}),
        "index_add": ((x,), {"index": np.arange(len(x)), "shape": (len(x),)}),
        "concatenate": ((x, y), {"axis": 0}), "stack": ((x, y), {"axis": 0}),
        "join": ((x, y), {}), "tile": ((x,), {"reps": (2, 2)}),
        "einsum": ((x, y), {"subscripts": "i,i->i"}),
    }[kind]


@pytest.mark.parametrize("spec", OP_SPECS, ids=[s.primitive for s in OP_SPECS])
@pytest.mark.parametrize("values", [SPECIAL, np.zeros(0)], ids=["special", "empty"])
def test_special_values_and_empty_arrays(spec, values):
    args, kwargs = _args(spec, values)
    if spec.primitive in ("max", "min") and values.size == 0:
        with pytest.raises(ValueError, match="empty"):
            spec.engine(*args, **kwargs)
        return
    if spec.primitive == "binary_cross_entropy" and values.size:  # inf, nan, -1: not in [0, 1]
        with pytest.raises(ValueError, match=r"probabilities lie in \[0, 1\]"):
            spec.engine(*args, **kwargs)
        with np.errstate(invalid="ignore"):
            values = values[(values >= 0) & (values <= 1)]  # 0, -0 and 1: the probabilities,
        p, y = _args(spec, values)[0]  # checked against the reference on p clipped to
        eps = np.finfo(p.dtype).eps  # [eps, 1 - eps], as the op documents
        want = spec.reference(np.clip(p, eps, 1 - eps), y)
        got = spec.engine(al.Tensor(p, requires_grad=True), y)
        assert np.isfinite(got.item()) and got.item() == pytest.approx(want, rel=1e-14)
        return
    with np.errstate(all="ignore"):
        want = np.asarray(spec.reference(*args, **kwargs))
        inputs = [al.Tensor(a, requires_grad=True) if isinstance(a, np.ndarray)
                  and a.dtype.kind == "f" else a for a in args]
        out = spec.engine(*inputs, **kwargs)
        np.testing.assert_array_equal(out.data, want, err_msg=f"{spec.primitive}: value")
        out.sum().backward()
    for t in inputs:
        if isinstance(t, al.Tensor):
            assert t.grad is None or t.grad.shape == t.shape


def test_polynomial_gradient_at_zero_as_reported():
    c = np.array([1.0, 2.0, 3.0])
    f = lambda x: al.sum(c * x ** np.arange(3.0))  # noqa: E731  (c0 + c1 x + c2 x^2)
    assert al.grad(f)(0.0) == 2.0  # PyTorch and JAX give c1 = 2
    assert al.grad(al.grad(f))(0.0) == 6.0  # 2 c2
    assert al.grad(al.grad(lambda x: x ** 1.0))(0.0) == 0.0  # x**1 -> 1 * x**0 -> 0


def test_docs_edge_cases_is_generated_from_the_table():
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("make_docs", root / "docs" / "make_docs.py")
    make_docs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_docs)
    assert (root / "docs" / "edge_cases.md").read_text() == make_docs.edge_cases(), \
        "docs/edge_cases.md is stale: run python docs/make_docs.py"


@pytest.mark.parametrize("dtype,low", [(np.float64, -709.0), (np.float32, -88.0)])
def test_sigmoid_on_both_sides_of_exps_overflow(dtype, low):
    """sigmoid takes 1 / (1 + exp(-x)) while exp(-x) cannot overflow and the overflow-free
    form otherwise: each against a long-double reference (no overflow there), without a
    warning, tiny results kept (not rounded to 0), its gradient finite."""
    ref_type = np.longdouble
    inside = np.array([low + 1, -30, -1e-3, 0, 2, 40], dtype)  # the direct form
    outside = np.concatenate([inside, np.array([low - 30, low - 1], dtype)])  # the other
    for x in (inside, outside, inside[:1], np.asarray(outside[-1])):
        with np.errstate(over="raise", invalid="raise", divide="raise"):  # no overflow
            t = al.Tensor(x, requires_grad=True, dtype=dtype)
            s = al.sigmoid(t)
        want = (1 / (1 + np.exp(-x.astype(ref_type)))).astype(dtype)
        assert s.dtype == dtype
        np.testing.assert_allclose(s.data, want, rtol=4 * np.finfo(dtype).eps,
                                   atol=2 * np.finfo(dtype).smallest_subnormal)
        s.sum().backward()
        assert np.all(np.isfinite(t.grad))
    tiny = al.sigmoid(al.Tensor(np.array([low - 1.0]), dtype=dtype)).data
    assert 0 < tiny[0] < np.finfo(dtype).tiny  # a subnormal, as the reference gives


def test_sigmoid_of_an_ndarray_subclass(tmp_path):
    """A memmap (np.load(..., mmap_mode="r")), a masked array: their values, as for an array."""
    x = np.array([[-800.0, -1.0, 0.0], [1.0, 5.0, 40.0]])
    mm = np.memmap(tmp_path / "x.dat", "float64", "w+", shape=x.shape)
    mm[:] = x
    for arg in (mm, np.ma.array(x), x[0, 1:]):
        np.testing.assert_array_equal(al.sigmoid(arg).data, al.sigmoid(np.asarray(arg)).data)
