"""The op table drives these: every primitive's forward equals numpy, its gradient equals
central finite differences (float64), and its second derivative is checked where it exists."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as al
from autograd_lite.specs import OP_SPECS, SPECS_BY_PRIMITIVE
from autograd_lite.testing import op_inputs

SPEC_IDS = [s.primitive for s in OP_SPECS]


def test_every_primitive_and_public_op_has_a_spec_row():
    missing = (set(al.PRIMITIVES) | set(al.OPS)) - set(SPECS_BY_PRIMITIVE)
    assert not missing, f"ops without a row in specs.OP_SPECS: {sorted(missing)}"


def test_spec_rows_name_real_ops():
    assert set(SPECS_BY_PRIMITIVE) <= set(al.PRIMITIVES) | set(al.OPS)


def _differentiable(spec, args, kwargs):
    """The op as a function of its float inputs only (conditions and indices held fixed)."""
    diff = [i for i, a in enumerate(args) if np.asarray(a).dtype.kind == "f"]

    def f(*xs):
        full = list(args)
        for i, x in zip(diff, xs):
            full[i] = x
        return spec.engine(*full, **kwargs)

    return f, [args[i] for i in diff]


@pytest.mark.parametrize("spec", OP_SPECS, ids=SPEC_IDS)
@given(data=st.data())
def test_forward_matches_numpy(spec, data):
    args, kwargs = data.draw(op_inputs(spec))
    out = spec.engine(*args, **kwargs)
    assert isinstance(out, al.Tensor)
    expected = spec.reference(*args, **kwargs)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("spec", OP_SPECS, ids=SPEC_IDS)
@given(data=st.data())
def test_gradient_matches_finite_differences(spec, data):
    f, inputs = _differentiable(spec, *data.draw(op_inputs(spec)))
    assert al.gradcheck(f, inputs, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("spec", [s for s in OP_SPECS if s.second_order], ids=lambda s: s.primitive)
@settings(max_examples=10)
@given(data=st.data())
def test_second_derivative_matches_finite_differences(spec, data):
    f, inputs = _differentiable(spec, *data.draw(op_inputs(spec, max_side=3)))
    assert al.gradgradcheck(f, inputs, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("spec", [s for s in OP_SPECS if s.kind in ("unary", "binary", "loss")],
                         ids=lambda s: s.primitive)
def test_float32_in_float32_out(spec):
    rng = np.random.default_rng(0)
    args = [rng.uniform(max(spec.low, 0.6), spec.high, (3, 2)).astype(np.float32)
            for _ in range(1 if spec.kind == "unary" else 2)]
    xs = [al.Tensor(a, requires_grad=True) for a in args]
    out = spec.engine(*xs)
    assert out.dtype == np.float32
    out.sum().backward()
    for x in xs:
        assert x.grad.dtype == np.float32


@pytest.mark.parametrize("spec", OP_SPECS, ids=SPEC_IDS)
@settings(max_examples=15)
@given(data=st.data())
def test_a_result_shares_its_inputs_memory_only_where_numpys_does(spec, data):
    """A write into a result that shares an input's memory changes the input: that must
    happen only where numpy's own result is a view (np.tile(t, 1) shared; numpy's copies)."""
    args, kwargs = data.draw(op_inputs(spec))
    tensors = [al.Tensor(a) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a
               for a in args]
    out = spec.engine(*tensors, **kwargs)
    ours = any(out is t or np.shares_memory(out.data, t.data)
               for t in tensors if isinstance(t, al.Tensor))
    numpys = spec.reference(*args, **kwargs)
    theirs = any(numpys is a or np.shares_memory(numpys, a)
                 for a in args if isinstance(a, np.ndarray))
    assert not ours or theirs or np.size(numpys) == 0
