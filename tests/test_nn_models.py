"""nn's hand-derived gradients against the engine (its oracle) and finite differences."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite as al
import nn
from autograd_lite.testing import layer_dims
from nn import deep, logistic, shallow


def _data(seed, n_x, m):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_x, m))
    Y = (rng.random((1, m)) > 0.5).astype(float)
    return X, Y


def _assert_same(hand, engine, rtol=1e-10):
    assert set(hand) == set(engine)
    for k in hand:
        h, e = np.asarray(hand[k]), np.asarray(engine[k])
        assert h.shape == e.shape, k
        np.testing.assert_allclose(h, e, rtol=rtol, atol=1e-13, err_msg=k)


@given(dims=layer_dims(min_layers=1, max_layers=5, max_width=20),
       m=st.integers(1, 64), hidden=st.sampled_from(["relu", "tanh", "sigmoid", "leaky_relu"]),
       seed=st.integers(0, 2**16), init=st.sampled_from(["he", "xavier", "lecun"]))
def test_L_model_backward_equals_engine(dims, m, hidden, seed, init):
    X, Y = _data(seed, dims[0], m)
    params = nn.init.initialize(dims, init, seed)
    AL, caches = deep.L_model_forward(X, params, hidden)
    hand = deep.L_model_backward(AL, Y, caches, hidden)
    engine, cost = deep.L_model_backward_engine(X, Y, params, hidden)
    _assert_same(hand, engine)
    assert np.isclose(cost, deep.compute_cost(AL, Y), rtol=1e-12)


@given(n_x=st.integers(1, 10), n_h=st.integers(1, 20), m=st.integers(1, 64),
       seed=st.integers(0, 2**16))
def test_shallow_backward_equals_engine(n_x, n_h, m, seed):
    X, Y = _data(seed, n_x, m)
    params = nn.init.xavier([n_x, n_h, 1], seed)
    _, cache = shallow.forward_propagation(X, params)
    hand = shallow.backward_propagation(params, cache, X, Y)
    _assert_same(hand, shallow.backward_propagation_engine(params, X, Y))


@given(n_x=st.integers(1, 20), m=st.integers(1, 64), seed=st.integers(0, 2**16))
def test_propagate_equals_engine(n_x, m, seed):
    X, Y = _data(seed, n_x, m)
    rng = np.random.default_rng(seed + 1)
    w, b = rng.standard_normal((n_x, 1)), float(rng.standard_normal())
    hand, cost = logistic.propagate(w, b, X, Y)
    engine, cost_e = logistic.propagate_engine(w, b, X, Y)
    _assert_same(hand, engine)
    assert np.isclose(cost, cost_e, rtol=1e-12)


@pytest.mark.parametrize("hidden", ["relu", "tanh", "sigmoid", "leaky_relu"])
def test_hand_and_engine_agree_with_finite_differences(hidden):
    X, Y = _data(0, 3, 5)
    params = nn.init.he([3, 4, 2, 1], seed=0)
    rng = np.random.default_rng(3)  # non-zero biases keep Z off relu's kink at exactly 0
    params.update({k: rng.uniform(0.1, 0.5, v.shape) for k, v in params.items() if k[0] == "b"})
    AL, caches = deep.L_model_forward(X, params, hidden)
    hand = deep.L_model_backward(AL, Y, caches, hidden)
    report = al.check_gradients(lambda P: deep.L_model_cost_engine(P, X, Y, hidden), params,
                                hand)
    assert report.passed, str(report)
    assert all(r.diff_numerical < 1e-7 for r in report.rows if r.status == "ok")


def test_course_dA_keys_are_m_times_dJ_dA():
    X, Y = _data(1, 2, 7)
    params = nn.init.he([2, 3, 1], seed=1)
    AL, caches = deep.L_model_forward(X, params)
    grads = deep.L_model_backward(AL, Y, caches)
    assert sorted(grads) == ["dA0", "dA1", "dW1", "dW2", "db1", "db2"]
    np.testing.assert_allclose(grads["dA0"], params["W1"].T @ (
        nn.activations.relu_backward(grads["dA1"], caches[0][1])))


def test_costs_stay_finite_for_saturated_outputs():
    Y = np.array([[1.0, 0.0]])
    for compute in (deep.compute_cost, shallow.compute_cost):
        assert np.isfinite(compute(np.array([[0.0, 1.0]]), Y))
    w = np.array([[1000.0]])
    _, cost = logistic.propagate(w, 0.0, np.array([[1.0, -1.0]]), np.array([[0.0, 1.0]]))
    assert np.isfinite(cost) and np.isclose(cost, 1000.0)
    params = {"W1": np.array([[800.0]]), "b1": np.zeros((1, 1))}
    AL, caches = deep.L_model_forward(np.array([[1.0]]), params)
    grads = deep.L_model_backward(AL, np.array([[1.0]]), caches)
    assert all(np.all(np.isfinite(v)) for v in grads.values())


def test_update_parameters_returns_a_new_dict():
    params = nn.init.he([2, 2, 1], seed=0)
    before = {k: v.copy() for k, v in params.items()}
    grads = {"d" + k: np.ones_like(v) for k, v in params.items()}
    new = deep.update_parameters(params, grads, 0.1)
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])
        np.testing.assert_allclose(new[k], before[k] - 0.1)


def test_predict_functions_give_zero_one_rows():
    X, Y = _data(2, 3, 10)
    params = nn.init.he([3, 4, 1], seed=0)
    for p in (deep.predict(X, Y, params), shallow.predict(params, X),
              logistic.predict(np.zeros((3, 1)), 0.0, X)):
        assert p.shape == (1, 10) and set(np.unique(p)) <= {0.0, 1.0}
