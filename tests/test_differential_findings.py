"""Findings of a differential test of every op against numpy's results and PyTorch's
gradients (torch 2.13 as truth, its numbers written here with how they follow from the
math). Each was a silent wrong answer or an error that did not say what to write."""

import numpy as np
import pytest

import autograd_lite as al


def test_var_with_ddof_at_least_n_is_infinite_as_numpys_never_negative():
    """var divided by n - ddof = -1: -0.5, with a finite gradient. numpy divides by
    max(n - ddof, 0): inf (nan where the sum of squares is 0 too)."""
    with np.errstate(all="ignore"):
        t = al.Tensor([1.0, 2.0], requires_grad=True)
        assert al.var(t, ddof=3).item() == np.var([1.0, 2.0], ddof=3) == np.inf
        assert al.std(t, ddof=2).item() == np.inf
        flat = np.var(al.Tensor(np.ones((2, 3))), axis=1, ddof=5)
        assert np.isnan(flat.data).all() and np.isnan(np.var(np.ones((2, 3)), axis=1, ddof=5)).all()
        assert al.var(t, ddof=1).item() == 0.5  # (n - ddof = 1: as before)


def test_binary_cross_entropy_gives_a_saturated_sigmoid_its_gradient():
    """p was clipped to [eps, 1 - eps] and the clip's slope is 0: at z = -46 (a = 1e-20) with
    y = 1, dz was 0 where the course's dz = a - y is -1. The gradient is now taken at p."""
    z = al.Tensor([-46.0, 3.0, 30.0], requires_grad=True)
    y = np.array([1.0, 0.0, 0.0])
    al.binary_cross_entropy(al.sigmoid(z), y).backward()
    a = 1 / (1 + np.exp(-z.data))
    np.testing.assert_allclose(z.grad, (a - y) / 3, rtol=1e-9)  # [-1/3, 0.3174, 1/3]
    p = al.Tensor([0.0, 1.0, 1e-20], requires_grad=True)
    cost = al.binary_cross_entropy(p, np.array([1.0, 0.0, 1.0]))
    cost.backward()
    assert np.isfinite(cost.item())  # the cost is still clipped: finite
    assert p.grad[0] < -1e300 and p.grad[1] > 1e300 and p.grad[2] == pytest.approx(-1e20 / 3)


def test_norm_gradient_is_zero_where_the_norm_underflows_to_zero():
    """The docstring says 0 where the norm is 0; x = 1e-200 gave x itself (x / 1)."""
    x = al.Tensor([1e-200, 1e-200], requires_grad=True)
    n = al.norm(x)
    n.backward()
    assert n.item() == np.linalg.norm([1e-200, 1e-200]) == 0.0
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])  # torch 2.13: [0, 0]


def test_float32_stays_float32_in_empty_logsumexp_softmax_and_a_stack_with_bools():
    empty = al.Tensor(np.zeros((0, 3), np.float32))
    assert al.logsumexp(empty, axis=0).dtype == np.float32
    assert al.softmax(empty, axis=0).dtype == np.float32
    f = al.Tensor(np.ones(2, np.float32), requires_grad=True)
    mask = np.array([True, False])
    for join in (al.stack, al.vstack, al.hstack, al.concatenate):
        assert join([f, mask]).dtype == np.result_type(np.float32, bool) == np.float32
    assert al.stack([f, mask]).tolist() == [[1.0, 1.0], [1.0, 0.0]]


def test_a_low_precision_constant_in_power_does_not_lower_the_gradients_precision():
    """d(a ** e)/de = a ** e log a, with log taken in a's float16: relative error 2e-4."""
    e = al.Tensor([1.5, 2.0], requires_grad=True)
    (np.float16(2.5) ** e).sum().backward()
    np.testing.assert_allclose(e.grad, 2.5 ** e.data * np.log(2.5), rtol=1e-15)
    b = al.Tensor([1.5, 2.0], requires_grad=True)
    (b ** np.array([0.1, 0.1], np.float16)).sum().backward()
    y = float(np.float16(0.1))
    np.testing.assert_allclose(b.grad, y * b.data ** (y - 1), rtol=1e-15)


def test_max_and_min_over_a_non_empty_axis_of_an_empty_tensor_as_numpy():
    empty = np.zeros((0, 3))
    assert al.max(al.Tensor(empty), axis=1).shape == np.max(empty, axis=1).shape == (0,)
    assert al.Tensor(empty).min(axis=1).shape == (0,)
    for call in (lambda: al.Tensor(np.zeros((3, 0))).min(axis=1),
                 lambda: np.min(al.Tensor(np.zeros((3, 0))), axis=1)):
        with pytest.raises(ValueError, match=r"^min: the tensor of shape \(3, 0\) is empty "
                                             r"along the axes reduced"):
            call()


def test_numpys_positional_dtype_in_keepdims_place_says_so():
    t = al.Tensor(np.ones((2, 2)))
    for name in ("sum", "mean", "prod", "logsumexp"):
        with pytest.raises(TypeError, match=rf"{name}\(x, axis, <class 'numpy.float32'>\): the "
                                            r"third argument is keepdims"):
            getattr(t, name)(1, np.float32)
    assert t.sum(1, True).shape == (2, 1) and t.sum(1, 0).shape == (2,)


def test_clip_takes_min_and_max_as_numpys_method_and_pytorchs_do():
    t = al.Tensor([-1.0, 2.0], requires_grad=True)
    np.testing.assert_array_equal(t.clip(min=0).data, np.array([-1.0, 2.0]).clip(min=0))
    np.testing.assert_array_equal(t.clip(max=0).data, [-1.0, 0.0])
    t.clip(min=0.5, max=1.5).sum().backward()
    np.testing.assert_array_equal(t.grad, [0.0, 0.0])  # both clipped: the bounds get it
    with pytest.raises(TypeError, match="give a_min/a_max, or min=/max=, not both"):
        al.clip(t, 0.0, min=0.0)


def test_a_scalar_parameters_grad_stays_an_array_after_two_backwards():
    """A 0-d array plus a numpy scalar is a numpy scalar: .grad[...] = 0 then failed."""
    x = al.Tensor(2.0, requires_grad=True)
    for _ in range(2):
        (x * x).backward()
        assert type(x.grad) is np.ndarray
    x.grad[...] = 0.0
    assert x.grad == 0.0
