"""What three outside reviewers found, typing as a Course 2 learner, a PyTorch user and a
teacher writing graders: each a silent wrong number, a wrong verdict or a misleading error
before its fix, checked against the course's formula written out here, PyTorch's documented
rule, or central differences."""

import numpy as np
import pytest

import autograd_lite as al
from nn import optimization, regularization
from nn.checks import ShapeError


def _three_layer_problem(m=6):
    rs = np.random.RandomState(0)
    shapes = [("W1", (4, 3)), ("b1", (4, 1)), ("W2", (3, 4)), ("b2", (3, 1)), ("W3", (1, 3)),
              ("b3", (1, 1))]
    P = {k: rs.randn(*s) for k, s in shapes}
    X = rs.randn(3, m)
    Y = (np.arange(m) % 3 == 0).astype(float).reshape(1, m)
    return P, X, Y


def test_optimizations_summed_cost_refuses_transposed_labels_or_predictions():
    # a3 (1, m) against Y (m, 1) broadcast to (m, m) pairs: 43.25 where the cost is 7.40
    P, X, Y = _three_layer_problem()
    a3, _ = regularization.forward_propagation(X, P)
    by_hand = float(np.sum(-Y * np.log(a3) - (1 - Y) * np.log(1 - a3)))  # the course's sum
    assert optimization.compute_cost(a3, Y) == pytest.approx(by_hand, rel=1e-15)
    with pytest.raises(ShapeError, match=r"Y should be \(1, m\) = \(1, 6\), got \(6, 1\) "
                                         r"\(transposed: use Y.T\)"):
        optimization.compute_cost(a3, Y.T)
    with pytest.raises(ShapeError, match=r"compute_cost: a3 should be \(1, m\) = \(1, 6\).*"
                                         r"got \(6, 1\) \(transposed: use a3.T\)"):
        optimization.compute_cost(a3.T, Y)


def test_course2s_regularized_cost_runs_on_tensors_and_backward_gives_the_courses_grads():
    # np.nansum on a Tensor was refused, so the course's regularization cost crashed there
    P, X, Y = _three_layer_problem(7)
    T = {k: al.tensor(v, requires_grad=True) for k, v in P.items()}
    A3, _ = regularization.forward_propagation(X, T)
    J = regularization.compute_cost_with_regularization(A3, Y, T, 0.7)
    assert isinstance(J, al.Tensor)
    J.backward()
    a3, cache = regularization.forward_propagation(X, P)
    assert J.item() == pytest.approx(
        regularization.compute_cost_with_regularization(a3, Y, P, 0.7), rel=1e-14)
    hand = regularization.backward_propagation_with_regularization(X, Y, cache, 0.7)
    for k in P:
        np.testing.assert_allclose(T[k].grad, hand["d" + k], rtol=1e-10, atol=1e-14)
    with pytest.raises(ShapeError, match=r"A3 should be \(1, m\)"):
        regularization.compute_cost(a3.T, Y)


@pytest.mark.parametrize("axis,keepdims", [(None, False), (1, True), (0, False)])
def test_nansum_on_a_tensor_is_numpys_and_a_nan_entry_gets_no_gradient(axis, keepdims):
    x = np.array([[1.0, np.nan, 3.0], [np.nan, 5.0, -6.0]])
    t = al.tensor(x, requires_grad=True)
    total = np.nansum(t, axis=axis, keepdims=keepdims)
    np.testing.assert_array_equal(total.data, np.nansum(x, axis=axis, keepdims=keepdims))
    total.sum().backward()
    np.testing.assert_array_equal(t.grad, [[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])


@pytest.mark.parametrize("layer_dims", [[3, 4, 1], [3, 4, 3, 2, 1]])
def test_gradient_check_n_checks_a_network_of_any_depth(layer_dims):
    # its forward was the notebook's 3 layers: with 4 it left W4 out and said "There is a
    # mistake" (difference 0.89) for right gradients; with 2 it raised KeyError: 'W3'
    from nn import deep
    from nn import gradient_checking as gc
    rs = np.random.RandomState(0)
    X, Y = rs.randn(3, 6), np.array([[1.0, 0, 1, 1, 0, 0]])
    P = deep.initialize_parameters_deep(layer_dims, seed=1, init="he")
    grads, _ = deep.grads_and_cost(P, X, Y)
    assert gc.gradient_check_n(P, grads, X, Y) < 2e-7
    L = len(layer_dims) - 1
    wrong = dict(grads, **{f"dW{L}": 2 * grads[f"dW{L}"]})  # the last layer's, which was left out
    assert gc.gradient_check_n(P, wrong, X, Y) > 1e-2
    with pytest.raises(ShapeError, match=rf"3-layer network; these parameters have {L} layers"
                                         r": use forward_propagation_deep"):
        gc.forward_propagation_n(X, Y, P)


def test_a_model_with_more_than_one_output_unit_is_refused_when_made():
    # Model([2, 3, 2]) was made, and its accuracy compared (2, m) predictions with Y (1, m)
    # by broadcasting (0.617), while fit and cost refused it with "AL should be (1, m)"
    import nn
    with pytest.raises(ValueError, match=r"layer_dims \[2, 3, 2\] ends in 2 units; a Model is "
                                         r"a binary classifier with one sigmoid output unit"):
        nn.Model([2, 3, 2], seed=0)
