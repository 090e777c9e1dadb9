"""The L-layer network with Course 2's lambd, keep_prob and a softmax output: the engine's
twin key by key (rtol 1e-10, by hypothesis), finite differences, and the course's 3-layer
functions as the L = 3 case."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite as al
import nn
from autograd_lite.testing import layer_dims
from nn import deep, regularization


def _data(seed, n_x, m, C=1):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_x, m))
    if C == 1:
        return X, (rng.random((1, m)) > 0.5).astype(float)
    return X, deep.one_hot(rng.integers(0, C, m), C)


def _network(seed, dims):
    params = nn.init.he(dims, seed)
    rng = np.random.default_rng(seed + 7)  # non-zero biases keep Z off relu's kink at 0
    params.update({k: rng.uniform(-0.3, 0.3, v.shape) for k, v in params.items() if k[0] == "b"})
    return params


def _assert_same(hand, engine, rtol=1e-10):
    assert sorted(hand) == sorted(engine)
    for k in hand:
        assert np.shape(hand[k]) == np.shape(engine[k]), k
        np.testing.assert_allclose(hand[k], engine[k], rtol=rtol, atol=1e-13, err_msg=k)


@given(dims=layer_dims(min_layers=1, max_layers=5, max_width=10), m=st.integers(1, 30),
       seed=st.integers(0, 2**16), hidden=st.sampled_from(["relu", "tanh", "leaky_relu"]),
       lambd=st.sampled_from([0.0, 0.1, 2.5]), keep_prob=st.sampled_from([1.0, 0.9, 0.5]),
       output=st.sampled_from(["sigmoid", "softmax"]), C=st.integers(2, 5),
       mask_seed=st.integers(0, 1000))
def test_L_model_backward_with_course2_options_equals_engine(dims, m, seed, hidden, lambd,
                                                             keep_prob, output, C, mask_seed):
    if output == "softmax":
        dims = [*dims[:-1], C]
    X, Y = _data(seed, dims[0], m, dims[-1] if output == "softmax" else 1)
    params = _network(seed, dims)
    AL, caches = deep.L_model_forward(X, params, hidden, keep_prob, mask_seed, output)
    hand = deep.L_model_backward(AL, Y, caches, hidden, lambd, keep_prob, output)
    engine, cost = deep.L_model_backward_engine(X, Y, params, hidden, lambd=lambd,
                                                keep_prob=keep_prob, seed=mask_seed,
                                                output=output)
    _assert_same(hand, engine)
    if output == "softmax":
        assert AL.shape == (C, m) and np.allclose(AL.sum(axis=0), 1.0)
        J = deep.compute_cost_softmax(AL, Y)
    else:
        J = deep.compute_cost(AL, Y)
    J += lambd / (2 * m) * sum(np.sum(params[f"W{l}"] ** 2) for l in range(1, len(dims)))
    from nn.cost import A_BOUND
    if output == "sigmoid" and not np.all((AL > A_BOUND) & (AL < 1 - A_BOUND)):
        # compute_cost clips AL to [1e-15, 1 - 1e-15], where the engine's logits cost is
        # exact (the thorough profile drew AL = 4.6e-20 for a label 1: 6.37 against 8.04)
        assert J <= cost + 1e-10
    else:
        assert np.isclose(cost, J, rtol=1e-10)


@given(dims=st.tuples(st.integers(1, 5), st.integers(1, 8), st.integers(1, 5)),
       m=st.integers(1, 30), seed=st.integers(0, 2**16),
       reg=st.one_of(st.tuples(st.floats(0, 3), st.just(1.0)),
                     st.tuples(st.just(0.0), st.floats(0.2, 1.0))))
def test_the_course_3_layer_functions_are_the_L_3_case(dims, m, seed, reg):
    lambd, keep_prob = reg
    X, Y = _data(seed, dims[0], m)
    params = _network(seed, [*dims, 1])
    AL, caches = deep.L_model_forward(X, params, keep_prob=keep_prob)
    grads = deep.L_model_backward(AL, Y, caches, lambd=lambd, keep_prob=keep_prob)
    if keep_prob < 1:
        A3, cache = regularization.forward_propagation_with_dropout(X, params, keep_prob)
        course = regularization.backward_propagation_with_dropout(X, Y, cache, keep_prob)
        np.testing.assert_array_equal(caches[0][2], cache[1])  # the same masks
        np.testing.assert_array_equal(caches[1][2], cache[6])
    else:
        A3, cache = regularization.forward_propagation(X, params)
        course = regularization.backward_propagation_with_regularization(X, Y, cache, lambd)
    np.testing.assert_allclose(AL, A3, rtol=1e-12)
    for k in ["dW1", "db1", "dW2", "db2", "dW3", "db3", "dA1", "dA2"]:
        np.testing.assert_allclose(grads[k], course[k], rtol=1e-10, atol=1e-13, err_msg=k)


@pytest.mark.parametrize("output, lambd, keep_prob", [("sigmoid", 0.5, 0.7),
                                                      ("softmax", 0.0, 1.0),
                                                      ("softmax", 0.3, 0.6)])
def test_hand_and_engine_agree_with_finite_differences(output, lambd, keep_prob):
    C = 3 if output == "softmax" else 1
    X, Y = _data(4, 3, 6, C)
    params = _network(4, [3, 5, 4, C])
    AL, caches = deep.L_model_forward(X, params, keep_prob=keep_prob, output=output)
    hand = deep.L_model_backward(AL, Y, caches, lambd=lambd, keep_prob=keep_prob, output=output)
    masks = [c[2] for c in caches[:-1]] if keep_prob < 1 else None

    def cost(P):
        return deep.L_model_cost_engine(P, X, Y, lambd=lambd, keep_prob=keep_prob, masks=masks,
                                        output=output)

    report = al.check_gradients(cost, params, hand)
    assert report.passed, str(report)
    assert all(r.diff_numerical < 1e-7 for r in report.rows if r.status == "ok")
    names = list(params)
    al.gradcheck(lambda *ws: cost(dict(zip(names, ws))), [params[k] for k in names])


def test_softmax_with_two_classes_is_the_sigmoid_of_the_difference():
    X, _ = _data(5, 2, 7)
    params = _network(5, [2, 3, 2])
    AL, _ = deep.L_model_forward(X, params, output="softmax")
    ZL = params["W2"] @ np.maximum(0, params["W1"] @ X + params["b1"]) + params["b2"]
    np.testing.assert_allclose(AL[1], 1 / (1 + np.exp(-(ZL[1] - ZL[0]))), rtol=1e-12)


def test_defaults_keep_the_course1_caches_and_gradients():
    X, Y = _data(6, 3, 5)
    params = _network(6, [3, 4, 1])
    AL, caches = deep.L_model_forward(X, params)
    assert all(len(c) == 2 for c in caches)
    a = deep.L_model_backward(AL, Y, caches)
    b = deep.L_model_backward(AL, Y, caches, lambd=0.0, keep_prob=1.0, output="sigmoid")
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])


def test_clear_errors():
    X, Y = _data(7, 2, 5)
    params = _network(7, [2, 3, 2, 1])
    AL, caches = deep.L_model_forward(X, params)
    with pytest.raises(ValueError, match="keep_prob=0.5 but the caches hold no dropout masks"):
        deep.L_model_backward(AL, Y, caches, keep_prob=0.5)
    AL, dropout_caches = deep.L_model_forward(X, params, keep_prob=0.5)
    with pytest.raises(ValueError, match="caches hold dropout masks"):
        deep.L_model_backward(AL, Y, dropout_caches)
    with pytest.raises(ValueError, match="keep_prob"):
        deep.L_model_forward(X, params, keep_prob=0)
    with pytest.raises(ValueError, match="output must be one of"):
        deep.L_model_forward(X, params, output="tanh")
    soft = _network(7, [2, 3, 3])
    AL, caches = deep.L_model_forward(X, soft, output="softmax")
    with pytest.raises(ValueError, match=r"one-hot \(C, m\) = \(3, 5\).*one_hot"):
        deep.L_model_backward(AL, Y, caches, output="softmax")
    with pytest.raises(ValueError, match="labels must be integers 0 ... 2"):
        deep.one_hot([0, 3], 3)
    AL, caches = deep.L_model_forward(X, params)
    with pytest.raises(ValueError, match="lambd"):
        deep.L_model_backward(AL, Y, caches, lambd=-1)
