"""al.compile(simplify=True): the one rewrite that is not bit for bit, asked for by the user.
The log loss written out after a sigmoid gets the course's gradient dZ = g * (Y - A); every
other op keeps the eager engine's bits. Compared here with the eager engine (to rounding),
with the fused loss, and with finite differences."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite as al


def eager_grads(cost, *args):
    tensors = [al.Tensor(a, requires_grad=i == 0) for i, a in enumerate(args)]
    out = cost(*tensors)
    out.backward()
    return out.item(), tensors[0].grad


def written_out(Z, Y):
    A = al.sigmoid(Z)
    return -(Y * al.log(A) + (1 - Y) * al.log(1 - A)).sum() / Y.shape[1]


def terms_swapped(Z, Y):
    A = al.sigmoid(Z)
    return -((1 - Y) * al.log(1 - A) + Y * al.log(A)).sum() / Y.shape[1]


def log_first(Z, Y):
    A = al.sigmoid(Z)
    return al.mean(-(al.log(A) * Y + al.log(1 - A) * (1 - Y)))


def A_read_again(Z, Y):
    A = al.sigmoid(Z)
    return -(Y * al.log(A) + (1 - Y) * al.log(1 - A)).sum() + (A ** 2).sum()


FORMS = {"course": written_out, "terms swapped": terms_swapped, "log first": log_first,
         "A read again": A_read_again}


@pytest.mark.parametrize("form", list(FORMS))
def test_the_written_out_log_loss_gets_the_courses_gradient(form):
    cost = FORMS[form]
    rng = np.random.default_rng(0)
    Z, Y = rng.standard_normal((1, 7)), (rng.random((1, 7)) > 0.5).astype(float)
    step = al.compile(cost, simplify=True)
    value, (dZ, _) = step(al.Tensor(Z, requires_grad=True), Y)
    eager_value, eager_dZ = eager_grads(cost, Z, Y)
    assert value == eager_value  # the forward is the eager one, bit for bit
    np.testing.assert_allclose(dZ, eager_dZ, rtol=1e-13, atol=1e-17)
    assert "* (Y - " in step.source and "/ A" not in step.source.split("# backward")[1]


def test_logistic_regression_reads_as_the_course_writes_it():
    """dw = X (A - Y)^T / m and db = sum(A - Y) / m, with dz = a - y in one line."""
    def cost(w, b, X, Y):
        A = al.sigmoid(w.T @ X + b)
        return -(Y * al.log(A) + (1 - Y) * al.log(1 - A)).sum() / X.shape[1]
    rng = np.random.default_rng(1)
    X, Y = rng.standard_normal((3, 10)), (rng.random((1, 10)) > 0.5).astype(float)
    w, b = rng.standard_normal((3, 1)), np.zeros((1, 1))
    step = al.compile(cost, argnums=(0, 1), simplify=True)
    _, (dw, db) = step(w, b, X, Y)
    A = 1 / (1 + np.exp(-(w.T @ X + b)))
    np.testing.assert_allclose(dw, X @ (A - Y).T / 10, rtol=1e-13)
    np.testing.assert_allclose(db, np.sum(A - Y, keepdims=True) / 10, rtol=1e-13)
    backward = step.source.split("# backward")[1]
    assert "(Y - A)" in backward and "log" not in backward


def test_it_stays_finite_where_the_chain_rule_divides_zero_by_zero():
    """At z = 40, A rounds to 1: the chain rule's (1 - Y) / (1 - A) is 0/0 in eager (NaN);
    the course's A - Y is exact there."""
    Z, Y = np.array([[40.0, -3.0, 0.5]]), np.array([[1.0, 0.0, 1.0]])
    with np.errstate(all="ignore"):
        _, eager_dZ = eager_grads(written_out, Z, Y)
        step = al.compile(written_out, simplify=True)
        step(al.Tensor(np.zeros((1, 3)), requires_grad=True), Y)  # traced on tame values
        _, (dZ, _) = step(al.Tensor(Z, requires_grad=True), Y)
    assert np.isnan(eager_dZ[0, 0])
    A = 1 / (1 + np.exp(-Z))
    np.testing.assert_allclose(dZ, (A - Y) / 3, rtol=1e-15)


@pytest.mark.parametrize("case", ["Y requires grad", "not 1 - A", "not 1 - Y", "off"])
def test_anything_else_keeps_the_eager_bits(case):
    def cost(Z, Y):
        A = al.sigmoid(Z)
        other = 1.5 - A if case == "not 1 - A" else 1 - A
        coef = 2 - Y if case == "not 1 - Y" else 1 - Y
        return -(Y * al.log(A) + coef * al.log(other)).sum()
    rng = np.random.default_rng(2)
    Z, Y = rng.standard_normal((2, 5)), rng.random((2, 5))
    step = al.compile(cost, simplify=case != "off")
    tz = al.Tensor(Z, requires_grad=True)
    ty = al.Tensor(Y, requires_grad=case == "Y requires grad")
    value, grads = step(tz, ty)
    ez, ey = al.Tensor(Z, requires_grad=True), al.Tensor(Y, requires_grad=ty.requires_grad)
    out = cost(ez, ey)
    out.backward()
    assert value == out.item() and grads[0].tobytes() == ez.grad.tobytes()
    if ey.requires_grad:
        assert grads[1].tobytes() == ey.grad.tobytes()
    assert "/ A" in step.source  # the chain rule, step by step


def test_simplify_is_a_flag():
    with pytest.raises(TypeError, match="simplify must be True or False"):
        al.compile(written_out, simplify="yes")


@given(st.integers(1, 3), st.integers(1, 12), st.integers(0, 2**32 - 1))
def test_close_to_eager_and_to_finite_differences_on_new_values(n, m, seed):
    rng = np.random.default_rng(seed)
    step = al.compile(written_out, simplify=True)
    for _ in range(2):  # the trace's values, then new ones
        Z = rng.standard_normal((n, m)) * 4
        Y = (rng.random((n, m)) > 0.5).astype(float)
        value, (dZ, _) = step(al.Tensor(Z, requires_grad=True), Y)
        _, eager_dZ = eager_grads(written_out, Z, Y)
        np.testing.assert_allclose(dZ, eager_dZ, rtol=1e-10, atol=1e-15)
        fused = al.Tensor(Z, requires_grad=True)
        (al.binary_cross_entropy_with_logits(fused, Y) * n).backward()  # mean over n*m
        np.testing.assert_allclose(dZ, fused.grad, rtol=1e-12, atol=1e-16)
    assert step.trace_count == 1


def test_labels_read_from_outside_are_constants_of_the_trace_and_fuse_too():
    rng = np.random.default_rng(4)
    Y = (rng.random((1, 6)) > 0.5).astype(float)

    def cost(Z):  # Y and 1 - Y are numpy arrays here, constants of the trace
        A = al.sigmoid(Z)
        return -(Y * al.log(A) + (1 - Y) * al.log(1 - A)).sum() / 6
    Z = rng.standard_normal((1, 6))
    step = al.compile(cost, simplify=True)
    _, (dZ,) = step(al.Tensor(Z, requires_grad=True))
    _, eager_dZ = eager_grads(cost, Z)
    np.testing.assert_allclose(dZ, eager_dZ, rtol=1e-13)
    assert "/ A" not in step.source.split("# backward")[1]


SHARPNESS = {"value": 1.0}


def test_a_custom_op_named_sigmoid_keeps_its_own_rule():
    """The rewrite matched ops by name: a user's sigmoid of 2z (its sharpness read at each
    call) got dz = a - y, off by a factor of 2, and no check caught it."""
    @al.custom_op
    def sigmoid(z):
        return 1 / (1 + np.exp(-SHARPNESS["value"] * z))

    @sigmoid.defvjp
    def _(g, ans, z):
        return g * SHARPNESS["value"] * ans * (1 - ans)

    def cost(w, X, Y):
        A = sigmoid(w * X)
        return -(Y * al.log(A) + (1 - Y) * al.log(1 - A)).sum()
    X, Y = np.array([[1.0, -2.0, 0.5]]), np.array([[1.0, 0.0, 1.0]])
    step = al.compile(cost, simplify=True)
    try:
        step(al.Tensor(0.3, requires_grad=True), X, Y)
        SHARPNESS["value"] = 2.0
        _, (dw, _, _) = step(al.Tensor(0.3, requires_grad=True), X, Y)
        _, eager_dw = eager_grads(cost, np.float64(0.3), X, Y)
    finally:
        SHARPNESS["value"] = 1.0
    assert dw == pytest.approx(eager_dw, rel=1e-12) and "(Y - A)" not in step.source


def test_a_first_call_whose_eager_gradient_is_not_finite_keeps_the_chain_rule():
    """The check compared only finite entries: a saturated first batch let any code pass."""
    X, Y = np.array([[1.0, -2.0, 800.0]]), np.array([[1.0, 0.0, 0.0]])

    def cost(w, X, Y):
        A = al.sigmoid(w * X)
        return -(Y * al.log(A) + (1 - Y) * al.log(1 - A)).sum()
    step = al.compile(cost, simplify=True)
    with np.errstate(all="ignore"):
        value, (dw, _, _) = step(al.Tensor(0.3, requires_grad=True), X, Y)
        eager_value, eager_dw = eager_grads(cost, np.float64(0.3), X, Y)
    assert "/ A" in step.source.split("# backward")[1]  # the chain rule, as eager has it
    assert value == eager_value and np.isnan(dw) == np.isnan(eager_dw)


def test_float32_is_rewritten_too_and_outputs_that_are_not_floats_compare_exactly():
    """The check's 1e-9 was below float32's rounding (the rewrite never took), and a bool
    auxiliary output made it raise (numpy has no - for bools)."""
    def cost(Z, Y):
        A = al.sigmoid(Z)
        return -(Y * al.log(A) + (1 - Y) * al.log(1 - A)).sum() / Y.shape[1], A > 0.5
    rng = np.random.default_rng(5)
    Z = rng.standard_normal((1, 8)).astype(np.float32)
    Y = (rng.random((1, 8)) > 0.5).astype(np.float32)
    step = al.compile(cost, simplify=True)
    (value, predictions), (dZ, _) = step(al.Tensor(Z, requires_grad=True), Y)
    assert "* (Y - " in step.source and dZ.dtype == np.float32
    np.testing.assert_array_equal(predictions, 1 / (1 + np.exp(-Z)) > 0.5)
    np.testing.assert_allclose(dZ, (1 / (1 + np.exp(-Z.astype(float))) - Y) / 8, rtol=1e-5)
