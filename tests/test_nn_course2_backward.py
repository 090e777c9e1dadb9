"""Course 2's hand-derived backward passes against their engine twins (key by key, rtol 1e-10,
by hypothesis over shapes, lambda, keep_prob and seeds) and against finite differences."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite as al
import nn
from nn import batchnorm, gradient_checking, regularization

KEYS = ["dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1"]


def _data(seed, n_x, m):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_x, m))
    Y = (rng.random((1, m)) > 0.5).astype(float)
    return X, Y


def _network(seed, dims, bias=0.1):
    """He weights and small random biases (non-zero biases keep Z off relu's kink at 0)."""
    params = nn.init.he(dims, seed)
    rng = np.random.default_rng(seed + 7)
    for k in params:
        if k[0] == "b":
            params[k] = rng.uniform(-bias, bias, params[k].shape)
    return params


def _assert_same(hand, engine, keys=KEYS, rtol=1e-10):
    assert sorted(hand) == sorted(keys) and sorted(engine) == sorted(keys)
    for k in keys:
        assert np.shape(hand[k]) == np.shape(engine[k]), k
        np.testing.assert_allclose(hand[k], engine[k], rtol=rtol, atol=1e-13, err_msg=k)


three_layers = st.tuples(st.integers(1, 6), st.integers(1, 12), st.integers(1, 6))
samples = st.integers(1, 40)
seeds = st.integers(0, 2**16)


# ---- the course's 3-layer functions == the engine ----------------------------------------

@given(dims=three_layers, m=samples, seed=seeds)
def test_backward_propagation_equals_engine(dims, m, seed):
    X, Y = _data(seed, dims[0], m)
    params = _network(seed, [*dims, 1])
    _, cache = regularization.forward_propagation(X, params)
    _assert_same(regularization.backward_propagation(X, Y, cache),
                 regularization.backward_propagation_engine(X, Y, params))


@given(dims=three_layers, m=samples, seed=seeds, lambd=st.floats(0, 5))
def test_backward_with_regularization_equals_engine(dims, m, seed, lambd):
    X, Y = _data(seed, dims[0], m)
    params = _network(seed, [*dims, 1])
    A3, cache = regularization.forward_propagation(X, params)
    _assert_same(regularization.backward_propagation_with_regularization(X, Y, cache, lambd),
                 regularization.backward_propagation_engine(X, Y, params, lambd=lambd))
    J = regularization.compute_cost_with_regularization(A3, Y, params, lambd)
    Je = regularization.cost_engine(params, X, Y, lambd=lambd).item()
    assert np.isclose(J, Je, rtol=1e-10)


@given(dims=three_layers, m=samples, seed=seeds, keep_prob=st.floats(0.2, 1.0),
       mask_seed=st.integers(0, 2**16))
def test_backward_with_dropout_equals_engine_with_the_same_masks(dims, m, seed, keep_prob,
                                                                  mask_seed):
    X, Y = _data(seed, dims[0], m)
    params = _network(seed, [*dims, 1])
    _, cache = regularization.forward_propagation_with_dropout(X, params, keep_prob, mask_seed)
    D1, D2 = cache[1], cache[6]
    masks = regularization.dropout_masks([D1.shape, D2.shape], keep_prob, mask_seed)
    np.testing.assert_array_equal(D1, masks[0])  # the engine path draws the same masks
    np.testing.assert_array_equal(D2, masks[1])
    hand = regularization.backward_propagation_with_dropout(X, Y, cache, keep_prob)
    engine = regularization.backward_propagation_engine(X, Y, params, keep_prob=keep_prob,
                                                        seed=mask_seed)
    _assert_same(hand, engine)


# ---- and both against finite differences -------------------------------------------------

FD_CASES = [dict(), dict(lambd=0.7), dict(keep_prob=0.7)]


@pytest.mark.parametrize("kw", FD_CASES, ids=["plain", "l2", "dropout"])
def test_hand_and_engine_agree_with_finite_differences(kw):
    X, Y = _data(1, 3, 7)
    params = _network(1, [3, 5, 4, 1], bias=0.5)
    lambd, keep_prob = kw.get("lambd", 0.0), kw.get("keep_prob", 1.0)
    masks = None
    if keep_prob < 1:
        _, cache = regularization.forward_propagation_with_dropout(X, params, keep_prob)
        hand = regularization.backward_propagation_with_dropout(X, Y, cache, keep_prob)
        masks = [cache[1], cache[6]]
    else:
        _, cache = regularization.forward_propagation(X, params)
        hand = regularization.backward_propagation_with_regularization(X, Y, cache, lambd)

    def cost(P):
        return regularization.cost_engine(P, X, Y, lambd, keep_prob, masks)

    report = al.check_gradients(cost, params, hand)  # hand vs engine and vs differences
    assert report.passed, str(report)
    assert all(r.diff_numerical < 1e-7 for r in report.rows if r.status == "ok")
    names = list(params)
    al.gradcheck(lambda *ws: cost(dict(zip(names, ws))), [params[k] for k in names])


def test_a_dropout_backward_that_forgets_1_over_keep_prob_is_caught():
    """The checker must be able to fail: a classic learner bug is found and named."""
    X, Y = _data(2, 3, 6)
    params = _network(2, [3, 4, 3, 1], bias=0.5)
    keep_prob = 0.6
    _, cache = regularization.forward_propagation_with_dropout(X, params, keep_prob)
    masks = [cache[1], cache[6]]
    right = regularization.backward_propagation_with_dropout(X, Y, cache, keep_prob)
    # without the 1 / keep_prob, dA2 is keep_prob times too small, dA1 keep_prob^2 times
    wrong = dict(right, dW2=right["dW2"] * keep_prob, db2=right["db2"] * keep_prob,
                 dW1=right["dW1"] * keep_prob**2, db1=right["db1"] * keep_prob**2)
    report = al.check_gradients(
        lambda P: regularization.cost_engine(P, X, Y, 0.0, keep_prob, masks), params, wrong)
    assert not report.passed and report.first_failure.key == "dW2"  # where the mistake is


def test_an_l2_term_missing_from_dW_is_caught():
    X, Y = _data(3, 2, 5)
    params = _network(3, [2, 3, 2, 1])
    _, cache = regularization.forward_propagation(X, params)
    no_l2 = regularization.backward_propagation(X, Y, cache)
    report = al.check_gradients(lambda P: regularization.cost_engine(P, X, Y, 0.7), params,
                                no_l2)
    assert {r.key for r in report.rows if r.status == "wrong"} == {"dW1", "dW2", "dW3"}


def test_backward_with_dropout_warns_of_a_keep_prob_other_than_the_forward_passs():
    """keep_prob=0.5 on a cache made with 0.8 rescales every dA[l]: dW1 2.56 times too large,
    silently. The same warning as L_model_backward's, naming this function (a warning: the
    course's own test case does it, and expects the formula's result)."""
    X, Y = _data(5, 2, 10)
    params = _network(5, [2, 4, 3, 1])
    _, cache = regularization.forward_propagation_with_dropout(X, params, keep_prob=0.8)
    right = regularization.backward_propagation_with_dropout(X, Y, cache, 0.8)
    masks = [cache[1], cache[6]]
    report = al.check_gradients(
        lambda P: regularization.cost_engine(P, X, Y, 0.0, 0.8, masks), params, right)
    assert report.passed, str(report)
    with pytest.warns(regularization.DropoutScaleWarning,
                      match=r"backward_propagation_with_dropout: keep_prob=0.5, but the forward "
                            r"pass that made this cache scaled by 1 / 0.8.*"
                            r"forward_propagation_with_dropout"):
        regularization.backward_propagation_with_dropout(X, Y, cache, 0.5)
    _, cache = regularization.forward_propagation_with_dropout(X, params, keep_prob=1.0)
    regularization.backward_propagation_with_dropout(X, Y, cache, 1.0)  # no mask: no scale


def test_lambd_and_keep_prob_take_numpy_numbers_but_not_bools_or_infinities():
    """np.int64(1) is a number (a value read from an array, a grid search's np.arange) and was
    refused; True was taken as 1; an infinite lambd was taken."""
    X, Y = _data(6, 2, 5)
    params = _network(6, [2, 3, 2, 1])
    A3, cache = regularization.forward_propagation(X, params)
    for lambd in (np.int64(1), np.float64(1)):
        assert regularization.compute_cost_with_regularization(A3, Y, params, lambd) == \
            regularization.compute_cost_with_regularization(A3, Y, params, 1)
        _assert_same(regularization.backward_propagation_with_regularization(X, Y, cache, lambd),
                     regularization.backward_propagation_with_regularization(X, Y, cache, 1))
    for keep_prob in (np.int64(1), np.float64(0.5)):
        _, dropout_cache = regularization.forward_propagation_with_dropout(X, params, keep_prob)
        regularization.backward_propagation_with_dropout(X, Y, dropout_cache, keep_prob)
    for lambd in (True, np.True_, float("inf"), float("nan"), "1", -1):
        with pytest.raises(ValueError, match="compute_cost_with_regularization: lambd .* must "
                                             "be a number >= 0"):
            regularization.compute_cost_with_regularization(A3, Y, params, lambd)
    for keep_prob in (True, float("nan"), np.int64(2)):
        with pytest.raises(ValueError, match="forward_propagation_with_dropout: keep_prob"):
            regularization.forward_propagation_with_dropout(X, params, keep_prob)


# ---- the course's caches and conventions -------------------------------------------------

def test_caches_are_the_course_flat_tuples():
    X, Y = _data(4, 2, 5)
    params = _network(4, [2, 3, 2, 1])
    A3, cache = regularization.forward_propagation(X, params)
    assert isinstance(cache, tuple) and len(cache) == 12
    Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3c, W3, b3 = cache
    np.testing.assert_array_equal(Z1, params["W1"] @ X + params["b1"])
    np.testing.assert_array_equal(A1, np.maximum(0, Z1))
    assert W3 is params["W3"] and A3c is A3
    keep_prob = 0.5
    A3d, cache = regularization.forward_propagation_with_dropout(X, params, keep_prob)
    assert len(cache) == 14
    Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3c, W3, b3 = cache
    assert set(np.unique(D1)) <= {0, 1} and set(np.unique(D2)) <= {0, 1}
    np.testing.assert_allclose(A1, np.maximum(0, Z1) * D1 / keep_prob)  # after masking
    np.testing.assert_allclose(Z2, params["W2"] @ A1 + params["b2"])
    np.testing.assert_allclose(A2, np.maximum(0, Z2) * D2 / keep_prob)
    np.testing.assert_allclose(A3d, 1 / (1 + np.exp(-(params["W3"] @ A2 + params["b3"]))))


def test_a_literal_cache_tuple_is_read_by_position():
    """The course's own tests build the cache by hand; backward reads it by position."""
    X, Y = _data(5, 2, 4)
    params = _network(5, [2, 3, 2, 1])
    _, cache = regularization.forward_propagation(X, params)
    literal = tuple(np.array(c) for c in cache)
    a = regularization.backward_propagation_with_regularization(X, Y, literal, 0.1)
    b = regularization.backward_propagation_with_regularization(X, Y, cache, 0.1)
    for k in KEYS:
        np.testing.assert_array_equal(a[k], b[k])


def test_dropout_masks_are_the_course_draws_reseeded_every_call():
    X, _ = _data(6, 2, 9)
    params = _network(6, [2, 4, 3, 1])
    before = np.random.get_state()[1].copy()
    _, c1 = regularization.forward_propagation_with_dropout(X, params, 0.7)
    _, c2 = regularization.forward_propagation_with_dropout(X, params, 0.7)
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # global state untouched
    np.testing.assert_array_equal(c1[1], c2[1])  # every call draws the same masks
    np.testing.assert_array_equal(c1[6], c2[6])
    # the course's code: np.random.seed(1), D1 = rand(...) < kp, then D2 (global state restored)
    saved = np.random.get_state()
    try:
        np.random.seed(1)
        D1 = (np.random.rand(4, 9) < 0.7).astype(int)
        D2 = (np.random.rand(3, 9) < 0.7).astype(int)
    finally:
        np.random.set_state(saved)
    np.testing.assert_array_equal(c1[1], D1)
    np.testing.assert_array_equal(c1[6], D2)


def test_the_l2_cost_has_no_bias_term():
    X, Y = _data(7, 2, 6)
    params = _network(7, [2, 3, 2, 1])
    A3, _ = regularization.forward_propagation(X, params)
    J = regularization.compute_cost_with_regularization(A3, Y, params, 0.9)
    big_b = dict(params, b1=params["b1"] + 100)
    assert J == regularization.compute_cost_with_regularization(A3, Y, big_b, 0.9)
    frob = sum(np.linalg.norm(params[f"W{l}"]) ** 2 for l in (1, 2, 3))
    assert np.isclose(J - regularization.compute_cost(A3, Y), 0.9 / (2 * 6) * frob, rtol=1e-12)


def test_clear_errors():
    X, Y = _data(8, 2, 5)
    params = _network(8, [2, 3, 2, 1])
    with pytest.raises(ValueError, match="not both"):
        regularization.model(X, Y, num_iterations=1, lambd=0.7, keep_prob=0.86,
                             print_cost=False)
    _, dropout_cache = regularization.forward_propagation_with_dropout(X, params, 0.5)
    with pytest.raises(ValueError, match="backward_propagation_with_regularization.*14.*"
                                         "forward_propagation_with_dropout"):
        regularization.backward_propagation_with_regularization(X, Y, dropout_cache, 0.1)
    for bad in (0, 1.5, -0.1):
        with pytest.raises(ValueError, match="keep_prob"):
            regularization.forward_propagation_with_dropout(X, params, bad)
    with pytest.raises(ValueError, match="lambd"):
        regularization.compute_cost_with_regularization(np.full((1, 5), 0.5), Y, params, -1)
    with pytest.raises(nn.ShapeError, match="3 layers.*L_model_forward"):
        regularization.forward_propagation(X, _network(8, [2, 3, 3, 2, 1]))
    with pytest.raises(nn.ShapeError, match=r"W2 should be \(n\[2\], n\[1\]\)"):
        regularization.forward_propagation(X, dict(params, W2=params["W2"].T))
    with pytest.raises(ValueError, match="initialization must be one of"):
        nn.initialization.model(X, Y, num_iterations=1, initialization="xavier",
                                print_cost=False)


# ---- gradient checking's network and batch norm -------------------------------------------

@given(dims=three_layers, m=samples, seed=seeds)
def test_gradient_checking_network_equals_engine(dims, m, seed):
    X, Y = _data(seed, dims[0], m)
    params = _network(seed, [*dims, 1])
    cost, cache = gradient_checking.forward_propagation_n(X, Y, params)
    hand = gradient_checking.backward_propagation_n(X, Y, cache)
    _assert_same(hand, regularization.backward_propagation_engine(X, Y, params))
    # the course's cost takes log(1 - A3) of a rounded A3: near saturation (A3 = 1 - 6e-12)
    # it is off by eps / (1 - A3) an entry, where the engine's, from Z3, is exact (the
    # thorough profile met a 4.8e-8 relative difference)
    A3 = cache[9]
    near = np.finfo(float).eps * np.mean(1 / np.maximum(np.minimum(A3, 1 - A3), 1e-300))
    assert np.isclose(cost, gradient_checking.cost_engine(params, X, Y).item(), rtol=1e-10,
                      atol=4 * near)


def test_gradient_check_n_passes_the_correct_backward():
    X, Y, params = gradient_checking.gradient_check_n_test_case()
    _, cache = gradient_checking.forward_propagation_n(X, Y, params)
    grads = gradient_checking.backward_propagation_n(X, Y, cache)
    assert gradient_checking.gradient_check_n(params, grads, X, Y) < 2e-7


@given(n=st.integers(1, 8), m=st.integers(2, 30), seed=seeds,
       epsilon=st.sampled_from([1e-5, 1e-3, 0.1]))
def test_batchnorm_backward_equals_engine(n, m, seed, epsilon):
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, m)) * rng.uniform(0.1, 5) + rng.uniform(-3, 3)
    gamma, beta = rng.standard_normal((n, 1)), rng.standard_normal((n, 1))
    G = rng.standard_normal((n, m))  # dJ/dZ_tilde for J = sum(G * Z_tilde)
    Z_tilde, cache = batchnorm.batchnorm_forward(Z, gamma, beta, epsilon)
    dZ, dgamma, dbeta = batchnorm.batchnorm_backward(G, cache)
    Zt, gt, bt = (al.Tensor(a, requires_grad=True) for a in (Z, gamma, beta))
    out = batchnorm.batchnorm_engine(Zt, gt, bt, epsilon)
    np.testing.assert_allclose(Z_tilde, out.data, rtol=1e-10, atol=1e-13)
    al.sum(out * G).backward()
    for hand, engine, name in ((dZ, Zt.grad, "dZ"), (dgamma, gt.grad, "dgamma"),
                               (dbeta, bt.grad, "dbeta")):
        # dZ sums to ~0 per unit: entries cancel, so compare against the scale of dZ_tilde
        np.testing.assert_allclose(hand, engine, rtol=1e-10,
                                   atol=1e-12 * np.abs(G).max() * np.abs(gamma).max(),
                                   err_msg=name)


def test_batchnorm_against_finite_differences():
    rng = np.random.default_rng(0)
    Z, gamma, beta = rng.standard_normal((3, 6)), rng.standard_normal((3, 1)), \
        rng.standard_normal((3, 1))
    G = rng.standard_normal((3, 6))
    _, cache = batchnorm.batchnorm_forward(Z, gamma, beta)
    hand = batchnorm.batchnorm_backward(G, cache)

    def J(z, g, b):
        return al.sum(batchnorm.batchnorm_engine(z, g, b) * G)

    numerical = al.numerical_grad(J, Z, gamma, beta)
    for h, n in zip(hand, numerical):
        np.testing.assert_allclose(h, n, rtol=1e-6, atol=1e-8)
    assert al.gradcheck(J, [Z, gamma, beta])


def test_batchnorm_normalises_and_checks_shapes():
    rng = np.random.default_rng(1)
    Z = rng.standard_normal((4, 50)) * 3 + 2
    Zt, _ = batchnorm.batchnorm_forward(Z, np.ones((4, 1)), np.zeros((4, 1)), epsilon=0)
    np.testing.assert_allclose(Zt.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(Zt.std(axis=1), 1, rtol=1e-12)
    with pytest.raises(nn.ShapeError, match=r"gamma should be \(n\[l\], 1\) = \(4, 1\)"):
        batchnorm.batchnorm_forward(Z, np.ones(4), np.zeros((4, 1)))
