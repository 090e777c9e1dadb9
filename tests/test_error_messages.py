"""What used to crash unclearly: functions of plain numbers, axis errors, empty reductions,
concatenate's messages, too many inputs; and transforms under an outer no_grad()."""

import numpy as np
import pytest

import autograd_lite as al
from autograd_lite import Tensor


def test_functions_of_plain_numbers_give_float_tensors_with_numpys_rules():
    assert al.add(1.0, 2.0).shape == () and al.add(1.0, 2.0).item() == 3.0
    with np.errstate(divide="ignore"):
        assert al.divide(1.0, 0.0).item() == np.inf
        assert al.log(0.0).item() == -np.inf
    assert al.maximum(1, 2).dtype == np.float64 and al.maximum(1, 2).item() == 2.0
    assert al.add(np.array([1, 2]), 1).dtype == np.float64  # int arrays too
    assert al.multiply(np.ones(2, np.float32), 2.0).dtype == np.float32  # weak Python scalars


def test_axis_errors_name_the_op():
    t = Tensor(np.ones((2, 3)))
    with pytest.raises(np.exceptions.AxisError, match="swapaxes: axis 5"):
        al.swapaxes(t, 0, 5)
    with pytest.raises(np.exceptions.AxisError, match=r"mT: a tensor of shape \(3,\) has no last "
                                                      "two axes"):
        _ = Tensor(np.ones(3)).mT
    np.testing.assert_array_equal(Tensor(np.ones((2, 3))).mT.shape, (3, 2))
    assert Tensor([[1.0, 5.0], [7.0, 2.0]]).argmax(axis=1, keepdims=True).tolist() == [[1], [0]]
    with pytest.raises(np.exceptions.AxisError, match="sum: axis 2"):
        t.sum(axis=2)


def test_reductions_over_an_empty_axis():
    empty = Tensor(np.zeros((2, 0)), requires_grad=True)
    np.testing.assert_array_equal(al.logsumexp(empty, axis=1).data, [-np.inf, -np.inf])
    assert al.softmax(empty, axis=1).shape == (2, 0)
    al.logsumexp(empty, axis=1).sum().backward()
    assert empty.grad.shape == (2, 0)
    with pytest.raises(ValueError, match="max: the tensor of shape \\(2, 0\\) is empty"):
        al.max(empty)


def test_concatenate_says_what_must_match():
    a, b = Tensor(np.ones((2, 3))), Tensor(np.ones((3, 4)))
    with pytest.raises(ValueError, match="all shapes must be equal except along the joining"):
        al.concatenate([a, b], axis=0)
    with pytest.raises(ValueError, match="same number of dimensions"):
        al.concatenate([a, Tensor(np.ones(3))])
    assert np.concatenate([a, b.T], axis=None).shape == (18,)  # flattened, as numpy


def test_an_op_called_with_too_many_inputs():
    a = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match=r"exp\(\) takes 1 positional argument but 2"):
        al.exp(a, a)
    cube = al.custom_op(lambda x: x ** 3, lambda g, ans, x: 3 * x ** 2 * g, name="cube")
    with pytest.raises(TypeError, match=r"custom op 'cube' takes 1 input, one per vjp, got 2: "
                                        r"give parameters .* by keyword, as cube\(x, axis=1\)"):
        cube(a, a)
    np.testing.assert_array_equal(a.data, [1.0, 2.0])  # nothing was written into a
    with pytest.raises(TypeError, match="out="):
        np.exp(a, a)  # numpy's positional out=


def test_transforms_differentiate_whatever_the_callers_mode():
    f = lambda x: x ** 3  # noqa: E731
    with al.no_grad():
        assert al.grad(f)(2.0) == 12.0
        x = Tensor(2.0, requires_grad=True)  # the reported case: a Tensor that requires grad
        assert float(al.grad(f)(x)) == 12.0 and float(al.value_and_grad(f)(x)[1]) == 12.0
        assert al.value_and_grad(f)(2.0) == (8.0, 12.0)
        np.testing.assert_allclose(al.jacobian(lambda x: x * x)(np.array([1.0, 3.0])),
                                   np.diag([2.0, 6.0]))
        assert al.grad(al.grad(f))(2.0) == 12.0
        np.testing.assert_allclose(al.hessian(lambda x: al.sum(x ** 3))(np.array([1.0, 2.0])),
                                   np.diag([6.0, 12.0]))
    assert al.is_grad_enabled()


def test_backward_through_an_input_declared_not_differentiable_names_the_op_and_input():
    scale = al.custom_op(lambda x, k: x * k, lambda g, ans, x, k: g * k, None, name="scale")
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    k = Tensor(np.array([2.0, 3.0]), requires_grad=True)
    y = scale(x, k).sum()
    with pytest.raises(TypeError, match=r"'scale': input 1 is not differentiable but requires "
                                        r"grad; pass it as a plain array or \.detach\(\) it"):
        y.backward()
    z = scale(x, k.detach()).sum()  # what the message says to do
    z.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 3.0])


def test_expand_and_broadcast_to_say_the_rule_not_numpys_shape_mismatch():
    x = al.Tensor(np.ones((2, 3)))
    for attempt in (lambda: x.expand(4, -1), lambda: al.broadcast_to(x, (4, 3))):
        with pytest.raises(ValueError, match=r"broadcast_to: shape \(2, 3\) cannot be "
                                             r"broadcast to \(4, 3\): from the right"):
            attempt()
    with pytest.raises(ValueError, match="whole numbers >= 0"):
        al.broadcast_to(al.Tensor([1.0]), (-1,))


def test_a_change_through_a_view_names_what_the_view_is_of():
    """W.flatten() then W -= 1: backward said "its input of shape (4,)", naming nothing."""
    W = al.Tensor(np.ones((2, 2)), requires_grad=True, name="W")
    f = W.flatten()
    with al.no_grad():
        W -= 1.0
    with pytest.raises(RuntimeError, match=r"its input \(a reshape of 'W'\) of shape \(4,\)"):
        f.sum().backward()
