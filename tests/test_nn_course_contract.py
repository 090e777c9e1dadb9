"""nn against the course's graded-function contracts (Course 1, weeks 2, 3 and 4).

Inputs and expected values are the course's own: the public unit tests shipped with each
assignment (public_tests.py, current edition unless a comment says otherwise) and the
notebooks' "Expected Output" cells. The course draws its inputs after np.random.seed(k);
here np.random.RandomState(k) draws the same numbers without touching numpy's global
state. Where the course publishes no number, the expected value is computed in the test
with plain numpy from the course's formula, and a comment says so.
"""

import re

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import nn
from autograd_lite.testing import layer_dims
from nn import deep, logistic, shallow


def course_sigmoid(z):
    return 1 / (1 + np.exp(-z))


def course_cost(A, Y):
    """The course's cost as it writes it (m from Y; A broadcast against Y)."""
    m = Y.shape[1]
    return -1 / m * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))


def published(actual, want):
    """The course prints its expected arrays to 8 decimals: agree to that rounding."""
    np.testing.assert_allclose(actual, want, rtol=1e-6, atol=5e-9)


def printed(capsys):
    return capsys.readouterr().out.splitlines()


# ---- week 2: logistic regression -------------------------------------------------------------

def test_w2_sigmoid():
    # public_tests.sigmoid_test
    out = logistic.sigmoid(np.array([0, 2]))
    assert type(out) is np.ndarray
    published(out, [0.5, 0.88079708])
    assert np.isclose(logistic.sigmoid(1), 0.7310585)


@pytest.mark.parametrize("dim", [3, 4])
def test_w2_initialize_with_zeros(dim):
    # public_tests.initialize_with_zeros_test_1/_2: b must be exactly a Python float
    w, b = logistic.initialize_with_zeros(dim)
    assert type(b) is float and b == 0.0
    assert type(w) is np.ndarray and w.shape == (dim, 1) and not w.any()


def test_w2_propagate_notebook_case():
    # the notebook's cell: asserts type(db) == np.float64; Expected Output dw, db, cost
    grads, cost = logistic.propagate(np.array([[1.], [2]]), 1.5,
                                     np.array([[1., -2., -1.], [3., 0.5, -3.2]]),
                                     np.array([[1, 1, 0]]))
    assert type(grads["dw"]) is np.ndarray and grads["dw"].shape == (2, 1)
    assert type(grads["db"]) is np.float64
    published(grads["dw"], [[0.25071532], [-0.06604096]])
    assert np.isclose(grads["db"], -0.1250040450043965, rtol=1e-12)
    # the course's cost is np.squeeze(np.array(cost)): a 0-d array
    assert type(cost) is np.ndarray and cost.shape == ()
    assert np.isclose(cost, 0.15900537707692405, rtol=1e-12)


def test_w2_propagate_public_test():
    # public_tests.propagate_test
    w = np.array([[1.], [2.], [-1]])
    X = np.array([[1., 2., -1., 0], [3., 4., -3.2, 1], [3., 4., -3.2, -3.5]])
    grads, cost = logistic.propagate(w, 2.5, X, np.array([[1, 1, 0, 0]]))
    published(grads["dw"], [[-0.03909333], [0.12501464], [-0.99960809]])
    assert np.isclose(grads["db"], 0.288106326429569, rtol=1e-12)
    assert np.isclose(cost, 2.0424567983978403, rtol=1e-12)


def test_w2_optimize_records_every_100_and_prints_as_the_course(capsys):
    # public_tests.optimize_test: 101 iterations record exactly 2 costs
    params, grads, costs = logistic.optimize(
        np.array([[1.], [2.]]), 2., np.array([[1., 2., -1.], [3., 4., -3.2]]),
        np.array([[1, 0, 1]]), num_iterations=101, learning_rate=0.1, print_cost=True)
    assert type(costs) is list and len(costs) == 2
    published(costs, [5.80154532, 0.31057104])
    published(params["w"], [[-0.70916784], [-0.42390859]])
    assert np.isclose(params["b"], 2.26891346)
    published(grads["dw"], [[0.06188603], [-0.01407361]])
    assert np.isclose(grads["db"], -0.04709353)
    # the course prints "Cost after iteration %i: %f" % (i, cost) at 0 and 100
    assert printed(capsys) == ["Cost after iteration 0: 5.801545",
                               "Cost after iteration 100: 0.310571"]


def test_w2_predict_takes_a_column_or_a_rank_1_w():
    # public_tests.predict_test; the course's predict reshapes w to (n_x, 1) itself
    X = np.array([[1., -0.3, 1.5], [2, 0, 1], [0, -1.5, 2]])
    for w in (np.array([[0.3], [0.5], [-0.2]]), np.array([0.3, 0.5, -0.2])):
        pred = logistic.predict(w, -0.33333, X)
        assert type(pred) is np.ndarray and pred.shape == (1, 3)
        np.testing.assert_array_equal(pred, [[1., 0., 1.]])


def test_w2_model_public_test(capsys):
    # public_tests.model_test: np.random.seed(0), X randn(4, 7), x_test randn(4, 3), and a
    # rank-1 y_test
    rng = np.random.RandomState(0)
    Y = np.array([1, 0, 0, 1, 0, 0, 1]).reshape(1, 7)
    X, x_test = rng.randn(4, 7), rng.randn(4, 3)
    y_test = np.array([0, 1, 0])
    d = logistic.model(X, Y, x_test, y_test, num_iterations=50, learning_rate=0.01,
                       print_cost=True)
    assert type(d["costs"]) is list and len(d["costs"]) == 1
    published(d["costs"], [0.69314718])
    published(d["w"], [[0.08639757], [-0.08231268], [-0.11798927],
                                        [0.12866053]])
    assert np.isclose(d["b"], -0.03983236094816321, rtol=1e-10)
    pub_test, pub_train = np.array([[1., 1., 0.]]), np.array([[1., 1., 0., 1., 0., 0., 1.]])
    np.testing.assert_array_equal(d["Y_prediction_test"], pub_test)
    np.testing.assert_array_equal(d["Y_prediction_train"], pub_train)
    # printing: the cost at 0, then the accuracies as the course's model formats them
    # (computed here with the course's formula from the published predictions)
    train = 100 - np.mean(np.abs(pub_train - Y)) * 100
    test = 100 - np.mean(np.abs(pub_test - y_test)) * 100
    assert printed(capsys) == ["Cost after iteration 0: 0.693147",
                               f"train accuracy: {train} %", f"test accuracy: {test} %"]


def test_w2_model_refuses_a_transposed_Y_test():
    X, Y = np.ones((2, 4)), np.array([[1, 0, 1, 0]])
    with pytest.raises(nn.ShapeError, match=r"Y_test should be \(1, m\) = \(1, 3\), got "
                                            r"\(3, 1\) \(transposed"):
        logistic.model(X, Y, np.ones((2, 3)), np.ones((3, 1)), num_iterations=1)


# ---- week 3: one hidden layer ----------------------------------------------------------------

W3_PREDICT_PARAMS = {
    # public_tests.update_parameters_test / predict_test's parameters
    "W1": np.array([[-0.00615039, 0.0169021], [-0.02311792, 0.03137121],
                    [-0.0169217, -0.01752545], [0.00935436, -0.05018221]]),
    "W2": np.array([[-0.0104319, -0.04019007, 0.01607211, 0.04440255]]),
    "b1": np.array([[-8.97523455e-07], [8.15562092e-06], [6.04810633e-07], [-2.54560700e-06]]),
    "b2": np.array([[9.14954378e-05]])}


def test_w3_layer_sizes():
    # public_tests.layer_sizes_test
    rng = np.random.RandomState(1)
    assert shallow.layer_sizes(rng.randn(5, 3), rng.randn(2, 3)) == (5, 4, 2)
    out = shallow.layer_sizes(rng.randn(7, 5), rng.randn(5, 5))
    assert type(out) is tuple and out == (7, 4, 5)


def test_w3_initialize_parameters():
    # public_tests.initialize_parameters_test: (3, 5, 2) after np.random.seed(2)
    p = shallow.initialize_parameters(3, 5, 2)
    published(p["W1"], [[-0.00416758, -0.00056267, -0.02136196],
                                         [0.01640271, -0.01793436, -0.00841747],
                                         [0.00502881, -0.01245288, -0.01057952],
                                         [-0.00909008, 0.00551454, 0.02292208],
                                         [0.00041539, -0.01117925, 0.00539058]])
    published(p["W2"], [[-5.96159700e-03, -1.91304965e-04, 1.17500122e-02,
                                          -7.47870949e-03, 9.02525097e-05],
                                         [-8.78107893e-03, -1.56434170e-03, 2.56570452e-03,
                                          -9.88779049e-03, -3.38821966e-03]])
    assert p["b1"].shape == (5, 1) and p["b2"].shape == (2, 1)
    assert not p["b1"].any() and not p["b2"].any()


def test_w3_forward_propagation():
    # public_tests.forward_propagation_test
    rng = np.random.RandomState(1)
    X, b1 = rng.randn(2, 3), rng.randn(4, 1)
    params = {"W1": np.array([[-0.00416758, -0.00056267], [-0.02136196, 0.01640271],
                              [-0.01793436, -0.00841747], [0.00502881, -0.01245288]]),
              "W2": np.array([[-0.01057952, -0.00909008, 0.00551454, 0.02292208]]),
              "b1": b1, "b2": np.array([[-1.3]])}
    A2, cache = shallow.forward_propagation(X, params)
    published(A2, [[0.21292656, 0.21274673, 0.21295976]])
    published(cache["Z2"], [[-1.30737426, -1.30844761, -1.30717618]])
    published(cache["Z1"][0], [1.7386459, 1.74687437, 1.74830797])
    published(cache["A1"][3], [-0.22397799, -0.25730819, -0.2197236])
    assert set(cache) == {"Z1", "A1", "Z2", "A2"}


def _w3_cost_case():
    # public_tests.compute_cost_test: Y of bools after np.random.seed(1)
    Y = np.random.RandomState(1).randn(1, 5) > 0
    return np.array([[0.5002307, 0.49985831, 0.50023963, 0.25, 0.7]]), Y


def test_w3_compute_cost_is_a_python_float():
    A2, Y = _w3_cost_case()
    cost = shallow.compute_cost(A2, Y)
    assert type(cost) is float  # the course's test: type(output) == float
    assert np.isclose(cost, 0.5447066599017815, rtol=1e-12)


def test_the_course_functions_on_tensors_give_the_engines_cost_and_hand_gradients():
    """The course's numpy code runs on Tensors: L_model_forward on Tensor parameters, then
    compute_cost, gives J as a Tensor (it was a float cut off from the graph, after a
    warning), and J.backward() gives L_model_backward's gradients."""
    import autograd_lite as al
    rng = np.random.RandomState(1)
    X, Y = rng.randn(3, 5), (rng.rand(1, 5) > 0.5).astype(float)
    params = deep.initialize_parameters_deep([3, 4, 1])
    P = {k: al.Tensor(v, requires_grad=True) for k, v in params.items()}
    AL, _ = deep.L_model_forward(X, P)
    J = deep.compute_cost(AL, Y)
    assert type(J) is al.Tensor
    J.backward()
    AL_hand, caches = deep.L_model_forward(X, params)
    grads = deep.L_model_backward(AL_hand, Y, caches)
    assert J.item() == pytest.approx(deep.compute_cost(AL_hand, Y), rel=1e-12)
    for k in params:
        np.testing.assert_allclose(P[k].grad, grads[f"d{k}"], rtol=1e-10, atol=1e-14)
    A2 = al.Tensor(np.full((1, 5), 0.5), requires_grad=True)  # week 3's, a Tensor too
    J2 = shallow.compute_cost(A2, Y)
    J2.backward()
    np.testing.assert_allclose(A2.grad, (A2.data - Y) / (A2.data * (1 - A2.data)) / 5)
    assert type(shallow.compute_cost(A2.data, Y)) is float  # arrays: the course's float


def test_the_course_relu_on_tensors_has_relu_backwards_derivative_at_zero():
    """A dead unit has Z exactly 0 (an example of zeros, a bias of 0): np.maximum(0, Z) on
    Tensors shared the tie's gradient (0.5), so the engine's db disagreed with
    L_model_backward's and check_gradients marked the course's right db WRONG."""
    import autograd_lite as al
    X = np.array([[1.0, 0.0, -2.0], [2.0, 0.0, 0.5]])  # the second example is all zeros
    Y = np.array([[1.0, 0.0, 1.0]])
    params = deep.initialize_parameters_deep([2, 3, 1])  # biases 0: Z1[:, 1] is exactly 0
    P = {k: al.Tensor(v, requires_grad=True) for k, v in params.items()}
    AL, _ = deep.L_model_forward(X, P)
    deep.compute_cost(AL, Y).backward()
    AL_hand, caches = deep.L_model_forward(X, params)
    assert (caches[0][1][:, 1] == 0).all()  # Z1 of the zero example
    grads = deep.L_model_backward(AL_hand, Y, caches)
    for k in params:
        np.testing.assert_allclose(P[k].grad, grads[f"d{k}"], rtol=1e-12, atol=1e-15)


def test_w3_compute_cost_takes_a_rank_1_A2():
    # the current edition's test feeds A2 of shape (m,) with Y (1, m); the course's formula
    # broadcasts, so the published inputs flattened give the published value
    A2, Y = _w3_cost_case()
    cost = shallow.compute_cost(A2.ravel(), Y)
    assert type(cost) is float and np.isclose(cost, 0.5447066599017815, rtol=1e-12)
    # and any rank-1 A2: the course's formula in plain numpy is the reference
    rng = np.random.default_rng(20)
    A = rng.uniform(0.05, 0.95, 9)
    Yr = (rng.random((1, 9)) > 0.5).astype(float)
    assert np.isclose(shallow.compute_cost(A, Yr), course_cost(A, Yr), rtol=1e-12)
    assert np.isclose(deep.compute_cost(A, Yr), course_cost(A, Yr), rtol=1e-12)


def test_w3_compute_cost_takes_the_older_editions_third_argument():
    A2, Y = _w3_cost_case()
    assert shallow.compute_cost(A2, Y, W3_PREDICT_PARAMS) == shallow.compute_cost(A2, Y)


@pytest.mark.parametrize("compute, name", [(shallow.compute_cost, "A2"),
                                           (deep.compute_cost, "AL")])
def test_cost_shape_errors_name_the_prediction_and_never_m_minus_1(compute, name):
    Y = np.array([[1, 0, 1, 1, 0]])
    # (m, 1) against (1, m) would broadcast to (m, m) in the course's formula: refused
    with pytest.raises(nn.ShapeError) as err:
        compute(np.full((5, 1), 0.5), Y)
    msg = str(err.value)
    assert msg.startswith(f"compute_cost: {name} should be (1, m) = (1, 5)")
    assert msg.endswith(f"got (5, 1) (transposed: use {name}.T)")
    assert "-1)" not in msg and "Y should" not in msg
    with pytest.raises(nn.ShapeError, match=rf"{name} should be \(1, m\) = \(1, 5\), .*got "
                                            r"\(5,\) \(a rank-1 array, refused because "
                                            r"strict=True"):
        compute(np.full(5, 0.5), Y, strict=True)
    for A in (np.full((2, 5), 0.5), np.float64(0.5)):
        with pytest.raises(nn.ShapeError, match=rf"{name} should be \(1, m\)") as err:
            compute(A, Y)
        assert "-1" not in str(err.value)
    # predictions and labels that disagree in number: both are named (either may be wrong)
    with pytest.raises(nn.ShapeError, match=rf"{name} has 5 predictions, shape \(5,\), but Y "
                                            r"has 4 labels, shape \(1, 4\)"):
        compute(np.full(5, 0.5), np.ones((1, 4)))
    with pytest.raises(nn.ShapeError, match=r"^Y should be \(1, m\) = \(1, 5\), got \(5, 1\)"):
        compute(np.full(5, 0.5), np.ones((5, 1)))  # a wrong Y is blamed on Y


def test_w3_backward_propagation():
    # public_tests.backward_propagation_test (draw order: X, Y, W1, W2, A1, A2, Z1, Z2)
    rng = np.random.RandomState(1)
    X, Y = rng.randn(3, 7), rng.randn(1, 7) > 0
    params = {"W1": rng.randn(9, 3), "W2": rng.randn(1, 9), "b1": np.zeros((9, 1)),
              "b2": np.zeros((1, 1))}
    cache = {"A1": rng.randn(9, 7), "A2": rng.randn(1, 7), "Z1": rng.randn(9, 7),
             "Z2": rng.randn(1, 7)}
    grads = shallow.backward_propagation(params, cache, X, Y)
    published(grads["dW2"], [[-0.35768529, 0.22046323, -0.29551566,
                                               -0.12202786, 0.18809552, 0.13700323,
                                               0.35892872, -0.02220353, -0.03976687]])
    published(grads["db2"], [[-0.78032466]])
    published(grads["dW1"][0], [-0.24468458, -0.24371232, 0.15959609])
    published(grads["db1"][:3], [[0.1463639], [-0.33647992], [-0.51738006]])
    assert {k: v.shape for k, v in grads.items()} == {"dW1": (9, 3), "db1": (9, 1),
                                                      "dW2": (1, 9), "db2": (1, 1)}


def test_w3_update_parameters_default_learning_rate_is_1_2():
    # public_tests.update_parameters_test: called without a learning rate
    grads = {"dW1": np.array([[0.00023322, -0.00205423], [0.00082222, -0.00700776],
                              [-0.00031831, 0.0028636], [-0.00092857, 0.00809933]]),
             "dW2": np.array([[-1.75740039e-05, 3.70231337e-03, -1.25683095e-03,
                               -2.55715317e-03]]),
             "db1": np.array([[1.05570087e-07], [-3.81814487e-06], [-1.90155145e-07],
                              [5.46467802e-07]]),
             "db2": np.array([[-1.08923140e-05]])}
    p = shallow.update_parameters(W3_PREDICT_PARAMS, grads)
    published(p["W1"], [[-0.00643025, 0.01936718], [-0.02410458, 0.03978052],
                                         [-0.01653973, -0.02096177], [0.01046864, -0.05990141]])
    published(p["W2"], [[-0.01041081, -0.04463285, 0.01758031, 0.04747113]])
    published(p["b2"], [[0.00010457]])


@pytest.mark.parametrize("seed, W1, b2", [
    # the edition whose initialize_parameters seeds itself with 2 (multiple_test version)
    (2, [[-0.65848169, 1.21866811], [-0.76204273, 1.39377573], [0.5792005, -1.10397703],
         [0.76773391, -1.41477129]], 0.20459656),
    # the edition whose test calls np.random.seed(3) before nn_model
    (3, [[0.56305445, -1.03925886], [0.7345426, -1.36286875], [-0.72533346, 1.33753027],
         [0.74757629, -1.38274074]], 0.21344644)])
def test_w3_nn_model_public_test(seed, W1, b2):
    rng = np.random.RandomState(1)
    X, Y = rng.randn(2, 3), rng.randn(1, 3) > 0
    kwargs = {} if seed == 2 else {"seed": 3}
    p = shallow.nn_model(X, Y, 4, **kwargs)
    published(p["W1"], W1)
    published(p["b2"], [[b2]])
    assert {k: v.shape for k, v in p.items()} == {"W1": (4, 2), "b1": (4, 1), "W2": (1, 4),
                                                  "b2": (1, 1)}


def test_w3_nn_model_prints_every_1000_as_the_course(capsys):
    X, Y = nn.planar_flower()
    shallow.nn_model(X, Y, 4, num_iterations=2001, print_cost=True)
    lines = printed(capsys)
    # the first cost, computed here in plain numpy from the seed-2 initial parameters
    P = shallow.initialize_parameters(2, 4, 1)
    A2 = course_sigmoid(P["W2"] @ np.tanh(P["W1"] @ X + P["b1"]) + P["b2"])
    assert lines[0] == f"Cost after iteration 0: {course_cost(A2, Y):f}"  # the course's %f
    assert [line.split(":")[0] for line in lines] == [
        f"Cost after iteration {i}" for i in (0, 1000, 2000)]
    assert all(re.fullmatch(r"Cost after iteration \d+: \d+\.\d{6}", line) for line in lines)


def test_w3_predict():
    # public_tests.predict_test
    X = np.random.RandomState(1).randn(2, 3)
    predictions = shallow.predict(W3_PREDICT_PARAMS, X)
    np.testing.assert_array_equal(predictions, [[True, False, True]])
    assert predictions.dtype == bool  # the course returns A2 > 0.5 itself


# ---- week 4, step by step --------------------------------------------------------------------

def test_w4_initialize_parameters():
    # public_tests.initialize_parameters_test: (3, 2, 1), np.random.seed(1), randn * 0.01
    p = deep.initialize_parameters(3, 2, 1)
    published(p["W1"], [[0.01624345, -0.00611756, -0.00528172],
                                         [-0.01072969, 0.00865408, -0.02301539]])
    published(p["W2"], [[0.01744812, -0.00761207]])
    assert p["b1"].shape == (2, 1) and p["b2"].shape == (1, 1)


def test_w4_initialize_parameters_deep_step_by_step_and_application():
    # public_tests.initialize_parameters_deep_test: [5, 4, 3], np.random.seed(3), * 0.01
    p = deep.initialize_parameters_deep([5, 4, 3])
    published(p["W1"][0], [0.01788628, 0.0043651, 0.00096497, -0.01863493,
                                            -0.00277388])
    published(p["W2"][2], [-0.00768836, -0.00230031, 0.00745056, 0.01976111])
    assert [p[k].shape for k in ("W1", "b1", "W2", "b2")] == [(4, 5), (4, 1), (3, 4), (3, 1)]
    # the application's helper (no published numbers: plain numpy from its formula)
    dims = [7, 5, 3, 1]
    app = deep.initialize_parameters_deep(dims, seed=1, init="lecun")
    rng = np.random.RandomState(1)
    for l in range(1, len(dims)):
        np.testing.assert_array_equal(
            app[f"W{l}"], rng.randn(dims[l], dims[l - 1]) / np.sqrt(dims[l - 1]))


def test_w4_linear_forward():
    # public_tests.linear_forward_test
    rng = np.random.RandomState(1)
    A_prev, W, b = rng.randn(3, 2), rng.randn(1, 3), rng.randn(1, 1)
    Z, cache = deep.linear_forward(A_prev, W, b)
    published(Z, [[3.26295337, -1.23429987]])
    assert type(cache) is tuple and all(x is y for x, y in zip(cache, (A_prev, W, b)))


def test_w4_linear_forward_shape_errors_name_the_array():
    A, W, b = np.ones((3, 2)), np.ones((4, 3)), np.zeros((4, 1))
    with pytest.raises(nn.ShapeError, match=r"linear_forward: b should be \(n\[l\], 1\) = "
                                            r"\(4, 1\), got \(4,\) \(a rank-1 array"):
        deep.linear_forward(A, W, np.zeros(4))
    with pytest.raises(nn.ShapeError, match=r"linear_forward: W should be \(n\[l\], n\[l-1\]\) "
                                            r"with n\[l-1\] = 3 \(the rows of A_prev \(3, 2\)\), "
                                            r"got \(3, 4\)"):
        deep.linear_forward(A, W.T, b)
    with pytest.raises(nn.ShapeError, match=r"linear_forward: A_prev should be \(n\[l-1\], m\)"):
        deep.linear_forward(np.ones(3), W, b)


def test_w4_linear_activation_forward():
    # public_tests.linear_activation_forward_test
    rng = np.random.RandomState(2)
    A_prev, W, b = rng.randn(3, 2), rng.randn(1, 3), rng.randn(1, 1)
    for activation, want in (("sigmoid", [[0.96890023, 0.11013289]]),
                             ("relu", [[3.43896131, 0.]])):
        A, cache = deep.linear_activation_forward(A_prev, W, b, activation)
        published(A, want)
        (linear_cache, Z) = cache
        assert all(x is y for x, y in zip(linear_cache, (A_prev, W, b)))
        published(Z, [[3.43896131, -2.08938436]])


def test_w4_L_model_forward():
    # public_tests.L_model_forward_test (np.random.seed(6))
    rng = np.random.RandomState(6)
    X = rng.randn(5, 4)
    params = {}
    for l, (n, n_prev) in enumerate([(4, 5), (3, 4), (1, 3)], start=1):
        params[f"W{l}"], params[f"b{l}"] = rng.randn(n, n_prev), rng.randn(n, 1)
    AL, caches = deep.L_model_forward(X, params)
    published(AL, [[0.03921668, 0.70498921, 0.19734387, 0.04728177]])
    assert len(caches) == 3
    published(caches[0][1][0], [-5.23825714, 3.18040136, 0.4074501,
                                                 -1.88612721])
    published(caches[2][1], [[-3.19864676, 0.87117055, -1.40297864,
                                               -3.00319435]])


def test_w4_compute_cost():
    # public_tests.compute_cost_test
    cost = deep.compute_cost(np.array([[.8, .9, 0.4]]), np.asarray([[1, 1, 0]]))
    assert cost == 0.2797765635793422  # bit for bit: the notebook's printed value (-sum / m
    # gave ...423, where a learner's exact comparison failed; the course's -1/m * sum)
    # the course's np.squeeze(cost): a float with shape ()
    assert isinstance(cost, float) and np.shape(cost) == ()


def test_w4_linear_backward():
    # public_tests.linear_backward_test
    rng = np.random.RandomState(1)
    dZ, A, W, b = rng.randn(3, 4), rng.randn(5, 4), rng.randn(3, 5), rng.randn(3, 1)
    dA_prev, dW, db = deep.linear_backward(dZ, (A, W, b))
    published(dA_prev[0], [-1.15171336, 0.06718465, -0.3204696, 2.09812712])
    published(dW[2], [0.97913304, -0.24376494, -0.08839671, 0.55151192,
                                       -0.10290907])
    published(db, [[-0.14713786], [-0.11313155], [-0.13209101]])
    with pytest.raises(nn.ShapeError, match=r"linear_backward: dZ should be \(n\[l\], m\) = "
                                            r"\(3, 4\).*got \(4, 3\)"):
        deep.linear_backward(dZ.T, (A, W, b))


def test_w4_linear_activation_backward():
    # public_tests.linear_activation_backward_test
    rng = np.random.RandomState(2)
    dA, A, W, b, Z = (rng.randn(1, 2), rng.randn(3, 2), rng.randn(1, 3), rng.randn(1, 1),
                      rng.randn(1, 2))
    cache = ((A, W, b), Z)
    dA_prev, dW, db = deep.linear_activation_backward(dA, cache, "sigmoid")
    published(dA_prev, [[0.11017994, 0.01105339], [0.09466817, 0.00949723],
                                         [-0.05743092, -0.00576154]])
    published(dW, [[0.10266786, 0.09778551, -0.01968084]])
    published(db, [[-0.05729622]])
    dA_prev, dW, db = deep.linear_activation_backward(dA, cache, "relu")
    published(dA_prev, [[0.44090989, 0.], [0.37883606, 0.],
                                         [-0.2298228, 0.]])
    published(dW, [[0.44513824, 0.37371418, -0.10478989]])
    published(db, [[-0.20837892]])


def test_w4_L_model_backward_with_the_courses_hand_built_caches():
    # public_tests.L_model_backward_test: AL is randn, unrelated to sigmoid(Z2) of the
    # caches (a tuple), so the course's dAL form is what its numbers follow
    rng = np.random.RandomState(3)
    AL, Y = rng.randn(1, 2), np.array([[1, 0]])
    c1 = ((rng.randn(4, 2), rng.randn(3, 4), rng.randn(3, 1)), rng.randn(3, 2))
    c2 = ((rng.randn(3, 2), rng.randn(1, 3), rng.randn(1, 1)), rng.randn(1, 2))
    grads = deep.L_model_backward(AL, Y, (c1, c2))
    assert set(grads) == {"dA0", "dA1", "dW1", "db1", "dW2", "db2"}
    published(grads["dA1"], [[0.12913162, -0.44014127],
                                              [-0.14175655, 0.48317296],
                                              [0.01663708, -0.05670698]])
    published(grads["dW2"], [[-0.39202432, -0.13325855, -0.04601089]])
    published(grads["db2"], [[0.15187861]])
    published(grads["dA0"][:, 1], [0.52257901, -0.3269206, -0.32070404,
                                                    -0.74079187])
    published(grads["dW1"], [[0.41010002, 0.07807203, 0.13798444, 0.10502167],
                                              [0., 0., 0., 0.],
                                              [0.05283652, 0.01005865, 0.01777766, 0.0135308]])
    published(grads["db1"], [[-0.22007063], [0.], [-0.02835349]])


def test_w4_L_model_backward_refuses_an_unusable_hand_built_AL():
    c = ((np.ones((2, 2)), np.ones((1, 2)), np.zeros((1, 1))), np.zeros((1, 2)))
    with pytest.raises(ValueError, match="L_model_backward: AL is not sigmoid"):
        deep.L_model_backward(np.array([[1.0, 0.3]]), np.array([[0, 1]]), [c])


def test_w4_update_parameters():
    # public_tests.update_parameters_test (parameters after seed 2, grads after seed 3)
    rng = np.random.RandomState(2)
    params = {"W1": rng.randn(3, 4), "b1": rng.randn(3, 1), "W2": rng.randn(1, 3),
              "b2": rng.randn(1, 1)}
    rng = np.random.RandomState(3)
    grads = {"dW1": rng.randn(3, 4), "db1": rng.randn(3, 1), "dW2": rng.randn(1, 3),
             "db2": rng.randn(1, 1)}
    p = deep.update_parameters(params, grads, 0.1)
    published(p["W1"][0], [-0.59562069, -0.09991781, -2.14584584, 1.82662008])
    published(p["b1"], [[-0.04659241], [-1.28888275], [0.53405496]])
    published(p["W2"], [[-0.55569196, 0.0354055, 1.32964895]])
    published(p["b2"], [[-0.84610769]])


# ---- week 4, the application -----------------------------------------------------------------

def _w4_app_case():
    # public_tests.L_layer_model_test: np.random.seed(1), X randn(10, 10)
    X = np.random.RandomState(1).randn(10, 10)
    return X, np.array([1, 1, 1, 1, 0, 0, 0, 1, 1, 0]).reshape(1, 10)


def test_w4_L_layer_model_public_test():
    X, Y = _w4_app_case()
    dims = (10, 5, 6, 1)
    params, costs = deep.L_layer_model(X, Y, dims, 0.0075, 2)
    # 2 iterations record 1 cost, a 0-d array (the test's type check wants an ndarray)
    assert type(costs) is list and len(costs) == 1
    assert type(costs[0]) is np.ndarray and costs[0].shape == ()
    assert np.isclose(costs[0], 0.70723944)
    published(params["W1"][0, :5], [0.51384638, -0.19333098, -0.16705238,
                                                     -0.33923196, 0.273477])
    published(params["b1"][0], [-2.16491028e-04])
    published(params["W3"], [[-0.09079199, -0.08117381, 0.07667568,
                                               0.16665535, 0.08029575, 0.04805811]])
    published(params["b3"], [[0.0013201]])
    params, costs = deep.L_layer_model(X, Y, dims, 0.02, 3)
    assert len(costs) == 1 and np.isclose(costs[0], 0.70723944)
    published(params["W3"], [[-0.09087434, -0.07882982, 0.07821609,
                                               0.16442826, 0.0783229, 0.04648216]])
    published(params["b3"], [[0.00525865]])


def _course_two_layer_model(X, Y, dims, learning_rate, num_iterations):
    """The course's two_layer_model loop, in plain numpy as it is written (its dA2 form)."""
    rng = np.random.RandomState(1)
    W1, W2 = rng.randn(dims[1], dims[0]) * 0.01, rng.randn(dims[2], dims[1]) * 0.01
    b1, b2 = np.zeros((dims[1], 1)), np.zeros((dims[2], 1))
    m, costs = X.shape[1], []
    for i in range(num_iterations):
        Z1 = W1 @ X + b1
        A1 = np.maximum(0, Z1)
        Z2 = W2 @ A1 + b2
        A2 = course_sigmoid(Z2)
        cost = np.squeeze(-1 / m * (Y @ np.log(A2).T + (1 - Y) @ np.log(1 - A2).T))
        dA2 = -(np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
        dZ2 = dA2 * A2 * (1 - A2)
        dW2, db2 = dZ2 @ A1.T / m, np.sum(dZ2, axis=1, keepdims=True) / m
        dZ1 = np.where(Z1 > 0, W2.T @ dZ2, 0)
        dW1, db1 = dZ1 @ X.T / m, np.sum(dZ1, axis=1, keepdims=True) / m
        W1, b1 = W1 - learning_rate * dW1, b1 - learning_rate * db1
        W2, b2 = W2 - learning_rate * dW2, b2 - learning_rate * db2
        if i % 100 == 0:
            costs.append(cost)
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}, costs


def test_w4_two_layer_model_records_one_cost_for_two_iterations():
    X, Y = _w4_app_case()
    params, costs = deep.two_layer_model(X, Y, (10, 4, 1), num_iterations=2)
    want_params, want_costs = _course_two_layer_model(X, Y, (10, 4, 1), 0.0075, 2)
    assert type(costs) is list and len(costs) == 1 == len(want_costs)
    assert type(costs[0]) is np.ndarray and np.isclose(costs[0], want_costs[0], rtol=1e-12)
    for k in want_params:
        np.testing.assert_allclose(params[k], want_params[k], rtol=1e-10, atol=1e-15,
                                   err_msg=k)


@pytest.mark.parametrize("train", [deep.L_layer_model, deep.two_layer_model])
def test_w4_costs_printing_and_the_opt_in_last_cost(train, capsys):
    X, Y = _w4_app_case()
    dims = (10, 5, 6, 1) if train is deep.L_layer_model else (10, 4, 1)
    _, costs = train(X, Y, dims, num_iterations=150)
    assert len(costs) == 2 and printed(capsys) == []  # iterations 0 and 100; no print
    _, with_last = train(X, Y, dims, num_iterations=150, print_cost=True, record_last=True)
    assert len(with_last) == 3
    np.testing.assert_array_equal(with_last[:2], costs)
    # printed at 0, 100 and the last, as "{}".format(i, np.squeeze(cost)) does
    assert printed(capsys) == [f"Cost after iteration {i}: {float(c)!r}"
                               for i, c in zip((0, 100, 149), with_last)]
    _, costs = train(X, Y, dims, num_iterations=101, record_last=True)
    assert len(costs) == 2  # the last is 100, recorded once


# ---- dZ[L] = AL - Y, the course's dAL form, and where they part -----------------------------

@given(dims=layer_dims(min_layers=1, max_layers=4, max_width=8), m=st.integers(1, 16),
       seed=st.integers(0, 2**16))
def test_dZL_equals_the_courses_dAL_form_where_AL_is_not_saturated(dims, m, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((dims[0], m))
    Y = (rng.random((1, m)) > 0.5).astype(float)
    params = nn.init.lecun(dims, seed)
    AL, caches = deep.L_model_forward(X, params)
    assume(np.all((AL > 1e-6) & (AL < 1 - 1e-6)))
    grads = deep.L_model_backward(AL, Y, caches)
    # the course: dAL = -(Y/AL - (1-Y)/(1-AL)), dZ[L] = dAL * s(1-s), then linear_backward
    (A_prev, WL, _), ZL = caches[-1]
    s = course_sigmoid(ZL)
    dZL = -(Y / AL - (1 - Y) / (1 - AL)) * s * (1 - s)
    L = len(caches)
    np.testing.assert_allclose(grads[f"dW{L}"], dZL @ A_prev.T / m, rtol=1e-8, atol=1e-14)
    np.testing.assert_allclose(grads[f"db{L}"], dZL.sum(axis=1, keepdims=True) / m,
                               rtol=1e-8, atol=1e-14)
    np.testing.assert_allclose(grads[f"dA{L - 1}"], WL.T @ dZL, rtol=1e-8, atol=1e-14)


def test_dZL_stays_finite_where_the_courses_form_divides_by_zero():
    params = {"W1": np.array([[40.0]]), "b1": np.zeros((1, 1))}  # AL rounds to 1.0
    X, Y = np.array([[1.0]]), np.array([[0.0]])
    AL, caches = deep.L_model_forward(X, params)
    assert AL[0, 0] == 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        assert not np.isfinite(-(Y / AL - (1 - Y) / (1 - AL))).all()
    grads = deep.L_model_backward(AL, Y, caches)
    np.testing.assert_array_equal(grads["dW1"], [[1.0]])  # dZ = AL - Y = 1, times X / m


@pytest.mark.parametrize("compute, name", [(shallow.compute_cost, "A2"),
                                           (deep.compute_cost, "AL")])
def test_a_different_number_of_predictions_and_labels_names_both(compute, name):
    with pytest.raises(nn.ShapeError, match=rf"compute_cost: {name} has 4 predictions, shape "
                                            r"\(1, 4\), but Y has 5 labels, shape \(1, 5\); "
                                            r"both should be \(1, m\)"):
        compute(np.array([[0.5, 0.4, 0.3, 0.2]]), np.array([[1, 0, 1, 0, 1]]))


@pytest.mark.parametrize("model", ["deep", "shallow"])
@pytest.mark.parametrize("with_X", [True, False])
def test_a_transposed_W1_is_blamed_on_W1_not_on_b1_or_W2(model, with_X):
    """A learner's review: W1 given as (n_x, n[1]) = (5, 4) was reported as "b1 should be
    (n[1], 1) = (5, 1), got (4, 1)" (and, with b1 made (5, 1) to please it, as W2's fault):
    W1's rows were taken for n[1]. The README's mistakes table says W[l] transposed names
    W[l]; X transposed is still blamed on X."""
    from nn.checks import check_parameters
    X = np.random.default_rng(0).standard_normal((5, 7))
    P = (nn.deep.initialize_parameters_deep([5, 4, 1]) if model == "deep"
         else nn.shallow.initialize_parameters(5, 4, 1))
    wrong = {**P, "W1": P["W1"].T}
    with pytest.raises(nn.ShapeError, match=r"^W1 should be \(n\[1\], n_x\) = \(4, 5\), got "
                                            r"\(5, 4\) \(transposed\?\)$"):
        check_parameters(wrong, X if with_X else None)
    if with_X:
        with pytest.raises(nn.ShapeError, match=r"^W1 should be .* \(transposed\?\)$"):
            check_parameters({**wrong, "b1": np.zeros((5, 1))}, X)
        with pytest.raises(nn.ShapeError, match=r"^X should be \(n_x, m\) = \(5, 7\)"):
            check_parameters(P, X.T)
    assert check_parameters(P, X if with_X else None) == [5, 4, 1]
    with pytest.raises(nn.ShapeError, match=r"^b1 should be \(n\[1\], 1\) = \(4, 1\)"):
        check_parameters({**P, "b1": np.zeros((5, 1))}, X if with_X else None)  # b1 wrong


def test_a_right_W1_is_not_blamed_for_a_transposed_X_or_W2():
    """A hostile review of the test above: X.T with m = n[1] (the flower's 4 examples) was
    blamed on W1, and without X a transposed W2 with n[2] = n_x was too."""
    from nn.checks import check_parameters
    X = np.random.default_rng(0).standard_normal((2, 4))
    p = nn.shallow.initialize_parameters(2, 4, 1)
    with pytest.raises(nn.ShapeError, match=r"^X should be \(n_x, m\) = \(2, 4\)"):
        nn.shallow.forward_propagation(X.T, p)
    P = nn.deep.initialize_parameters_deep([5, 4, 5, 1])
    with pytest.raises(nn.ShapeError, match=r"^W2 should be .* got \(4, 5\)"):
        check_parameters({**P, "W2": P["W2"].T})


def test_a_transposed_W1_whose_shape_is_X_s_is_told_by_b1():
    """A second hostile review: W1 (2, 4) transposed beside X (2, 4) (m = n[1]) blamed a
    right b1, and so did week 2's column w given as W1 (3, 1) for one example X (3, 1): X
    fits W1 either way there, and b1's rows tell."""
    from nn.checks import check_parameters
    P = {"W1": np.ones((2, 4)), "b1": np.zeros((4, 1)), "W2": np.ones((1, 4)),
         "b2": np.zeros((1, 1))}
    with pytest.raises(nn.ShapeError, match=r"^W1 should be \(n\[1\], n_x\) = \(4, 2\)"):
        check_parameters(P, np.ones((2, 4)))
    with pytest.raises(nn.ShapeError, match=r"^W1 should be \(n\[1\], n_x\) = \(1, 3\)"):
        check_parameters({"W1": np.ones((3, 1)), "b1": np.zeros((1, 1))}, np.ones((3, 1)))
    right = {**P, "W1": np.ones((4, 2))}
    assert check_parameters(right, np.ones((2, 4))) == [2, 4, 1]
    with pytest.raises(nn.ShapeError, match=r"^X should be"):
        check_parameters(right, np.ones((4, 2)))


def test_c2_backward_propagation_with_dropout_on_the_courses_own_test_case():
    """public_tests.backward_propagation_with_dropout_test: its cache is scaled by 1 / 0.5
    (A1, A2), its call passes keep_prob=0.8; nn refused it, so the notebook's cell raised.
    The course's formula with 0.8 gives its expected output; nn warns and gives it."""
    from nn.regularization import DropoutScaleWarning, backward_propagation_with_dropout
    np.random.seed(1)
    X, Y = np.random.randn(3, 5), np.array([[1, 1, 0, 1, 0]])
    Z1 = np.array([[-1.52855314, 3.32524635, 2.13994541, 2.60700654, -0.75942115],
                   [-1.98043538, 4.1600994, 0.79051021, 1.46493512, -0.45506242]])
    W1 = np.array([[-1.09989127, -0.17242821, -0.87785842], [0.04221375, 0.58281521, -1.10061918]])
    b1 = np.array([[1.14472371], [0.90159072]])
    W2 = np.array([[0.50249434, 0.90085595], [-0.68372786, -0.12289023],
                   [-0.93576943, -0.26788808]])
    b2 = np.array([[0.53035547], [-0.69166075], [-0.39675353]])
    W3, b3 = np.array([[-0.6871727, -0.84520564, -0.67124613]]), np.array([[0.86888616]])
    D1 = np.array([[True, False, True, True, True], [True, True, True, True, False]])
    A1 = np.array([[0., 0., 4.27989081, 5.21401307, 0.],
                   [0., 8.32019881, 1.58102041, 2.92987024, 0.]])
    Z2 = np.array([[0.53035547, 8.02565606, 4.10524802, 5.78975856, 0.53035547],
                   [-0.69166075, -1.71413186, -3.81223329, -4.61667916, -0.69166075],
                   [-0.39675353, -2.62563561, -4.82528105, -6.0607449, -0.39675353]])
    D2 = np.array([[True, False, True, False, True], [False, True, False, True, True],
                   [False, False, True, False, False]])
    A2 = np.array([[1.06071093, 0., 8.21049603, 0., 1.06071093], [0.] * 5, [0.] * 5])
    Z3 = np.array([[-0.7415562, -0.0126646, -5.65469333, -0.0126646, -0.7415562]])
    A3 = np.array([[0.32266394, 0.49683389, 0.00348883, 0.49683389, 0.32266394]])
    cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
    with pytest.warns(DropoutScaleWarning, match="scaled by 1 / 0.5"):
        gradients = backward_propagation_with_dropout(X, Y, cache, keep_prob=0.8)
    published(gradients["dA1"], [[0.36544439, 0., -0.00188233, 0., -0.17408748],
                                 [0.65515713, 0., -0.00337459, 0., -0.]])
    published(gradients["dA2"], [[0.58180856, 0., -0.00299679, 0., -0.27715731],
                                 [0., 0.53159854, -0., 0.53159854, -0.34089673],
                                 [0., 0., -0.00292733, 0., -0.]])
