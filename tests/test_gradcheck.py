"""The checkers themselves: they pass right gradients and catch wrong ones, with messages
that name the input, the entry and both values."""

import inspect
import json
import re
import warnings

import numpy as np
import pytest

import autograd_lite as al
from autograd_lite import Tensor

RNG = np.random.default_rng(0)


def test_numerical_grad_single_and_several_inputs():
    g = al.numerical_grad(lambda x: al.sum(x ** 3), np.array([1.0, 2.0]))
    np.testing.assert_allclose(g, [3, 12], rtol=1e-8)
    gx, gy = al.numerical_grad(lambda x, y: al.sum(x * y), np.ones(2), np.array([2.0, 3.0]))
    np.testing.assert_allclose(gx, [2, 3], rtol=1e-8)
    np.testing.assert_allclose(gy, [1, 1], rtol=1e-8)
    with pytest.raises(ValueError, match="single number"):
        al.numerical_grad(lambda x: x * 2, np.ones(2))


BAD_EXP = al.custom_op(np.exp, lambda g, ans, x: g * ans * 1.01, name="bad_exp")
GOOD_CUBE = al.custom_op(lambda x: x ** 3, lambda g, ans, x: 3 * x ** 2 * g, name="cube")


def test_gradcheck_passes_right_and_catches_wrong_gradients():
    x = RNG.standard_normal((2, 3))
    assert al.gradcheck(GOOD_CUBE, [x])
    assert al.gradcheck(GOOD_CUBE, [x], fast_mode=True)
    with pytest.raises(al.GradcheckError, match=r"input 0 .*shape \(2, 3\).*index \(\d, \d\)"
                                                r".*backward gives .*finite differences"):
        al.gradcheck(BAD_EXP, [x])
    with pytest.raises(al.GradcheckError, match="fast mode"):
        al.gradcheck(BAD_EXP, [x], fast_mode=True)
    assert al.gradcheck(BAD_EXP, [x], raise_exception=False) is False


def test_gradcheck_fast_mode_on_a_large_input():
    x = RNG.standard_normal((200, 300))
    assert al.gradcheck(lambda t: al.tanh(t) * t, [x], fast_mode=True)


def test_gradgradcheck_catches_a_wrong_second_derivative():
    # right first derivative, wrong second: its VJP uses a constant where x is needed
    sneaky = al.custom_op(lambda x: x ** 3,
                          lambda g, ans, x: g * 3 * np.asarray(x) ** 2, name="sneaky")
    x = RNG.uniform(0.5, 1.5, 3)
    assert al.gradcheck(sneaky, [x])
    with pytest.raises(al.GradcheckError), \
            pytest.warns(al.CutOffWarning, match="made by 'add'"):  # the VJP's np.asarray(x)
        al.gradgradcheck(sneaky, [x])
    assert al.gradgradcheck(GOOD_CUBE, [x])


def test_custom_op_decorator_form_and_errors():
    @al.custom_op
    def softplus(x):
        return np.logaddexp(0, x)

    softplus.defvjp(lambda g, ans, x: g / (1 + np.exp(-x)))
    assert al.gradcheck(softplus, [RNG.standard_normal(4)])
    assert softplus.name == "softplus"
    with pytest.raises(TypeError, match="vjp"):
        softplus(Tensor(1.0), Tensor(2.0))
    with pytest.raises(TypeError, match="forward"):
        al.custom_op(3)


def test_custom_op_gradients_are_copied_not_aliased():
    leak = al.custom_op(lambda x: x * 1.0, lambda g, ans, x: g)  # returns g itself
    x = Tensor(np.ones(3), requires_grad=True)
    y = leak(x)
    seed = np.ones(3)
    y.backward(seed)
    seed[0] = 5
    np.testing.assert_array_equal(x.grad, [1, 1, 1])


# ---- check_gradients against deliberately wrong course gradients -----------------------------

def _logistic_setup():
    n_x, m = 4, 7
    X = RNG.standard_normal((n_x, m))
    Y = (RNG.random((1, m)) > 0.5).astype(float)
    params = {"W1": RNG.standard_normal((1, n_x)), "b1": np.array([[0.2]])}

    def cost(P):
        return al.binary_cross_entropy_with_logits(P["W1"] @ X + P["b1"], Y)

    A = 1 / (1 + np.exp(-(params["W1"] @ X + params["b1"])))
    return X, Y, params, cost, A, m


def test_check_gradients_passes_the_course_formulas():
    X, Y, params, cost, A, m = _logistic_setup()
    dZ = A - Y
    report = al.check_gradients(cost, params, {"dW1": dZ @ X.T / m,
                                               "db1": dZ.sum(axis=1, keepdims=True) / m})
    assert report.passed and report.score == 1.0 and report.first_failure is None
    assert "all gradients agree" in str(report)


@pytest.mark.parametrize("mistake", ["dz = y - a", "missing 1/m", "transposed dW",
                                     "db without keepdims"])
def test_check_gradients_catches_classic_mistakes(mistake):
    X, Y, params, cost, A, m = _logistic_setup()
    dZ = A - Y
    dW, db = dZ @ X.T / m, dZ.sum(axis=1, keepdims=True) / m
    if mistake == "dz = y - a":
        dW, db = -dW, -db
    elif mistake == "missing 1/m":
        dW = dZ @ X.T
    elif mistake == "transposed dW":
        dW = dW.T
    else:
        db = dZ.sum(axis=1) / m
    report = al.check_gradients(cost, params, {"dW1": dW, "db1": db})
    assert not report.passed
    bad = {r.key: r for r in report.rows if not r.passed}
    if mistake == "transposed dW":
        assert bad["dW1"].status == "shape" and "transposed" in bad["dW1"].message
    if mistake == "db without keepdims":
        assert bad["db1"].status == "shape" and "rank-1" in bad["db1"].message
    assert report.first_failure.key in bad


def test_check_gradients_reports_missing_and_extra_keys_and_points_at_first_layer():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((3, 5))
    params = {"W1": rng.standard_normal((2, 3)), "b1": rng.standard_normal((2, 1)),
              "W2": rng.standard_normal((1, 2)), "b2": rng.standard_normal((1, 1))}

    def cost(P):
        return al.sum(al.tanh(P["W2"] @ al.tanh(P["W1"] @ X + P["b1"]) + P["b2"]))

    report = al.check_gradients(cost, params, lambda p: {"dW2": np.zeros((1, 2)),
                                                         "dA0": np.zeros((3, 5))})
    statuses = {r.key: r.status for r in report.rows}
    assert statuses == {"dW1": "missing", "db1": "missing", "dW2": "wrong", "db2": "missing",
                        "dA0": "extra"}
    assert report.first_failure.key == "dW2"  # backprop's first: the last layer's
    assert "first disagreement: dW2 (layer 2), the one backprop reaches first" in str(report)
    data = json.loads(report.to_json())
    assert data["passed"] is False and data["first_failure"] == "dW2"
    assert data["score"] == 0.0 and len(data["rows"]) == 5


def test_check_gradients_samples_big_parameters():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((300, 4))
    params = {"W1": rng.standard_normal((10, 300)) * 0.01}
    engine = {"dW1": None}

    def cost(P):
        return al.sum(al.tanh(P["W1"] @ X))

    T = Tensor(params["W1"], requires_grad=True)
    cost({"W1": T}).backward()
    engine["dW1"] = T.grad
    report = al.check_gradients(cost, params, engine, max_numerical=50)
    assert report.passed and report.rows[0].numerical_entries == "50 of 3000"


# ---- every checker catches every classic mistake ------------------------------------------

def _course_logistic():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((3, 4))  # (n_x, m)
    Y = np.array([[1.0, 0.0, 1.0, 0.0]])  # (1, m)
    return X, Y


def _hand_grads(W, b, X, Y, mistake):
    m = X.shape[1]
    A = 1 / (1 + np.exp(-(W @ X + b)))
    dZ = Y - A if mistake == "dz = y - a" else A - Y
    dW = dZ @ X.T / (1 if mistake == "missing 1/m" else m)
    if mistake == "transposed dW":
        dW = dW.T
    db = dZ.sum(axis=1) / m if mistake == "db without keepdims" else \
        dZ.sum(axis=1, keepdims=True) / m
    return dW, db


MISTAKES = ["dz = y - a", "missing 1/m", "transposed dW", "db without keepdims"]


@pytest.mark.parametrize("mistake", MISTAKES)
def test_every_checker_catches_the_mistake(mistake):
    from autograd_lite.testing import assert_gradients_match

    X, Y = _course_logistic()
    W, b = np.array([[0.2, -0.1, 0.4]]), np.array([[0.1]])

    def cost(W_, b_):
        return al.binary_cross_entropy_with_logits(W_ @ X + b_, Y)

    # 1. check_gradients on a dict of named gradients
    dW, db = _hand_grads(W, b, X, Y, mistake)
    report = al.check_gradients(lambda P: cost(P["W1"], P["b1"]), {"W1": W, "b1": b},
                                {"dW1": dW, "db1": db})
    assert not report.passed
    # 2. the property helper
    with pytest.raises(AssertionError):
        assert_gradients_match(cost, lambda W_, b_: _hand_grads(W_, b_, X, Y, mistake), [W, b],
                               name=f"mistake_{mistake}")
    # 3. gradcheck of a custom op whose VJP is the hand-derived gradient
    op = al.custom_op(lambda W_, b_: np.mean(np.logaddexp(0, W_ @ X + b_) - Y * (W_ @ X + b_)),
                      lambda g, ans, W_, b_: g * _hand_grads(W_, b_, X, Y, mistake)[0],
                      lambda g, ans, W_, b_: g * _hand_grads(W_, b_, X, Y, mistake)[1])
    with pytest.raises((al.GradcheckError, ValueError)):
        al.gradcheck(op, [W, b])


def test_every_checker_passes_the_right_gradients():
    from autograd_lite.testing import assert_gradients_match

    X, Y = _course_logistic()
    W, b = np.array([[0.2, -0.1, 0.4]]), np.array([[0.1]])

    def cost(W_, b_):
        return al.binary_cross_entropy_with_logits(W_ @ X + b_, Y)

    dW, db = _hand_grads(W, b, X, Y, None)
    assert al.check_gradients(lambda P: cost(P["W1"], P["b1"]), {"W1": W, "b1": b},
                              {"dW1": dW, "db1": db}).passed
    assert_gradients_match(cost, lambda W_, b_: _hand_grads(W_, b_, X, Y, None), [W, b])
    op = al.custom_op(lambda W_, b_: np.mean(np.logaddexp(0, W_ @ X + b_) - Y * (W_ @ X + b_)),
                      lambda g, ans, W_, b_: g * _hand_grads(W_, b_, X, Y, None)[0],
                      lambda g, ans, W_, b_: g * _hand_grads(W_, b_, X, Y, None)[1])
    assert al.gradcheck(op, [W, b])


# ---- non-finite values and costs the engine cannot see never pass ---------------------------

@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NaN/inf on purpose
def test_check_gradients_fails_a_nan_cost_as_users_type_it():
    W = al.Tensor(np.array([[0.0, 1.0]]), requires_grad=True)

    def cost(params):
        return al.log(params["W1"]).sum() * np.nan

    report = al.check_gradients(cost, {"W1": W.data}, {"dW1": np.zeros((1, 2))})
    assert not report.passed and not report
    assert report.score == 0.0 and report.first_failure.key == "dW1"
    row = report.rows[0]
    assert row.status == "not finite" and "the cost is nan" in row.message
    assert "NOT FINITE" in str(report) and "the cost is nan" in str(report)
    data = json.loads(report.to_json(allow_nan=False))  # strict JSON: no NaN literals
    assert data["passed"] is False and data["score"] == 0.0
    assert data["rows"][0]["status"] == "not finite" and data["rows"][0]["passed"] is False


W_EDGE = np.array([[0.0, 1.0]])  # sqrt and log are not differentiable at the first entry
W_NEAR = np.array([[1e-7, 1.0]])  # log is finite here, NaN at 1e-7 - eps


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NaN/inf on purpose
@pytest.mark.parametrize("cost, W, yours, cause", [
    (lambda P: al.sum(P["W1"]) + np.inf, W_EDGE, np.ones((1, 2)), r"the cost is inf"),
    (lambda P: al.sum(al.log(P["W1"])), W_EDGE, np.array([[1e300, 1.0]]),
     r"the cost is -inf"),
    (lambda P: al.sum(P["W1"] ** 2), W_EDGE, np.array([[0.0, np.nan]]),
     r"dW1 \(yours\) is nan at index \(0, 1\)"),
    (lambda P: al.sum(P["W1"] ** 2), W_EDGE, np.array([[-np.inf, 2.0]]),
     r"dW1 \(yours\) is -inf at index \(0, 0\)"),
    (lambda P: al.sum(al.sqrt(P["W1"])), W_EDGE, np.array([[0.0, 0.5]]),
     r"the engine's dW1 is inf at index \(0, 0\)"),
    (lambda P: al.sum(al.log(P["W1"])), W_NEAR, 1 / W_NEAR,
     r"finite differences .* nan at index \(0, 0\)"),
], ids=["inf cost", "-inf cost (log 0)", "nan in yours", "-inf in yours",
        "inf in the engine's (sqrt at 0)", "nan in finite differences (log near 0)"])
def test_check_gradients_fails_every_non_finite_value_and_says_which(cost, W, yours, cause):
    report = al.check_gradients(cost, {"W1": W}, {"dW1": yours})
    assert not report.passed and report.score == 0.0
    row = report.rows[0]
    assert row.status == "not finite" and re.search(cause, row.message), row.message
    assert json.loads(report.to_json(allow_nan=False))["passed"] is False


def _numpy_compute_cost(A, Y):  # the course's hand-written cost: numpy in, a float out
    m = Y.shape[1]
    return float(-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m)


@pytest.mark.parametrize("cost, error, cause", [
    (lambda P: _numpy_compute_cost(1 / (1 + np.exp(-np.asarray(P["W1"]) @ np.ones((2, 3)))),
                                   np.array([[1.0, 0.0, 1.0]])), TypeError, "float"),
    (lambda P: np.sum(np.asarray(P["W1"]) ** 2), TypeError, "float64"),
    (lambda P: al.sum(P["W1"].detach() ** 2), ValueError, "not connected to any parameter"),
    (lambda P: al.sum(al.Tensor(P["W1"].data) ** 2), ValueError,
     "not connected to any parameter"),
], ids=["course compute_cost", "numpy scalar", "detach", "Tensor of .data"])
def test_check_gradients_refuses_a_cost_the_engine_cannot_differentiate(cost, error, cause):
    with warnings.catch_warnings(record=True) as seen, pytest.raises(error, match=cause) as err:
        warnings.simplefilter("always")
        al.check_gradients(cost, {"W1": np.array([[0.5, -0.2]])}, {"dW1": np.zeros((1, 2))})
    assert "check_gradients" in str(err.value) and "Tensors" in str(err.value)
    cut = [str(w.message) for w in seen if issubclass(w.category, al.CutOffWarning)]
    if "np.asarray" in inspect.getsource(cost):  # numpy took W1's values: said at once
        assert cut and "a leaf Tensor ('W1') that requires grad" in cut[0], cut
    else:
        assert not cut, cut


def test_check_gradients_accepts_a_parameter_the_cost_does_not_use():
    W = np.array([[0.5, -0.2]])
    report = al.check_gradients(lambda P: al.sum(P["W1"] ** 2), {"W1": W, "b1": np.ones((1, 1))},
                                {"dW1": 2 * W, "db1": np.zeros((1, 1))})
    assert report.passed, str(report)
    np.testing.assert_array_equal(report.engine_grads["b1"], [[0.0]])


X_EDGE = np.array([0.0, 1.0])
X_NEAR = np.array([1e-7, 1.0])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NaN/inf on purpose
@pytest.mark.parametrize("f, x, cause", [
    (lambda x: al.sum(x) + np.inf, X_EDGE, r"f\(inputs\) is inf"),
    (lambda x: al.log(x - 1), X_EDGE, r"f\(inputs\) is nan at output entry \(0,\)"),
    (lambda x: al.sum(al.sqrt(x)), X_EDGE,
     r"backward's gradient w\.r\.t\. input 0 \(shape \(2,\)\) is inf at index \(0,\)"),
    (lambda x: al.sum(al.log(x)), X_NEAR,
     r"finite differences w\.r\.t\. input 0 \(shape \(2,\)\) are nan at index \(0,\)"),
    (lambda x: al.log(x) * 2, X_NEAR,
     r"finite differences of output entry \(0,\) w\.r\.t\. input 0 .* nan at index \(0,\)"),
], ids=["inf output", "nan output", "inf in backward (sqrt at 0)", "nan in finite differences",
        "nan in finite differences, vector output"])
def test_gradcheck_fails_every_non_finite_value_and_says_which(f, x, cause):
    with pytest.raises(al.GradcheckError, match=cause):
        al.gradcheck(f, [x])
    assert al.gradcheck(f, [x], raise_exception=False) is False


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NaN/inf on purpose
@pytest.mark.parametrize("f, x, cause", [
    (lambda x: al.sum(x) + np.inf, X_EDGE, r"f\(inputs\) is inf"),
    (lambda x: al.sum(al.sqrt(x)), X_EDGE, r"backward's gradient w\.r\.t\. input 0 .* inf"),
    (lambda x: al.sum(al.log(x)), X_NEAR, r"f\(inputs [+-] eps u\) is nan"),
], ids=["inf output", "inf in backward", "nan in finite differences"])
def test_gradcheck_fast_mode_fails_every_non_finite_value(f, x, cause):
    with pytest.raises(al.GradcheckError, match=cause):
        al.gradcheck(f, [x], fast_mode=True)
    assert al.gradcheck(f, [x], fast_mode=True, raise_exception=False) is False


def test_gradcheck_refuses_outputs_built_outside_the_engine():
    x = np.array([0.5, -0.2])
    with pytest.raises(TypeError, match="gradcheck: f returned a float.*not a Tensor"), \
            pytest.warns(al.CutOffWarning, match="a leaf Tensor"):
        al.gradcheck(lambda t: float(np.sum(np.asarray(t) ** 2)), [x])
    with pytest.raises(al.GradcheckError, match="not connected to any input.*Tensors"):
        al.gradcheck(lambda t: al.sum(t.detach() ** 2), [x])
    with pytest.raises(al.GradcheckError, match="not connected to any input"):
        al.gradcheck(lambda t: al.sum(t.detach() ** 2), [x], fast_mode=True)
    # a Tensor that truly does not depend on the input: zero both ways, as in PyTorch
    assert al.gradcheck(lambda t: al.Tensor(np.ones(2)) * 3, [x])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NaN/inf on purpose
@pytest.mark.parametrize("f, x, cause", [
    (lambda x: al.sum(al.log(x)) * np.nan, np.array([0.5, 1.0]), r"f\(inputs\) is nan"),
    (lambda x: al.sum(x * al.log(x)), X_NEAR, r"finite differences .* nan at index \(0,\)"),
    (lambda x: al.sum(x ** 1.5), X_EDGE, r"backward's gradient .* inf at index \(0,\)"),
], ids=["nan cost", "nan in finite differences of the gradient", "inf second derivative"])
def test_gradgradcheck_fails_every_non_finite_value_and_says_which(f, x, cause):
    with pytest.raises(al.GradcheckError, match=cause):
        al.gradgradcheck(f, [x])
    assert al.gradgradcheck(f, [x], raise_exception=False) is False


def test_gradgradcheck_refuses_outputs_built_outside_the_engine():
    x = np.array([0.5, -0.2])
    with pytest.raises(TypeError, match="gradgradcheck: f returned a float.*not a Tensor"), \
            pytest.warns(al.CutOffWarning, match="a leaf Tensor"):
        al.gradgradcheck(lambda t: float(np.sum(np.asarray(t) ** 3)), [x])
    with pytest.raises(ValueError, match="gradgradcheck: .*not connected to any input"):
        al.gradgradcheck(lambda t: al.sum(t.detach() ** 3), [x])
    assert al.gradgradcheck(lambda t: al.sum(3 * t), [x])  # linear: second derivative 0


def test_a_kink_where_you_agree_with_the_engine_is_explained_not_blamed_on_you():
    """Exactly at relu's kink the differences average its sides (0.5); yours and the
    engine's 0 lie between its one-sided slopes, 0 and 1: a subgradient, passed with a note
    (it failed, and nn's own L_model_backward failed a teacher's property test where He
    init's b = 0 under a dead unit gave Z = 0 exactly)."""
    report = al.check_gradients(lambda P: P["W1"].relu().sum(), {"W1": np.zeros((1, 2))},
                                {"dW1": np.zeros((1, 2))})
    assert report.passed
    row = report.rows[0]
    assert "yours equals the engine's; the central differences differ only where the cost " \
           "has a kink" in row.message
    outside = al.check_gradients(lambda P: P["W1"].relu().sum(), {"W1": np.zeros((1, 2))},
                                 {"dW1": np.full((1, 2), -0.5)})  # not between 0 and 1
    assert not outside.passed
    moved = al.check_gradients(lambda P: P["W1"].relu().sum(), {"W1": np.full((1, 2), 0.3)},
                               {"dW1": np.ones((1, 2))})
    assert moved.passed  # off the kink, as the message says


def test_a_kink_within_eps_of_a_parameter_is_looked_at_closer_before_calling_yours_wrong():
    """A learner's report: at the course's small initialisation (W * 0.01, b = 0) a Z came
    within eps = 1e-6 of relu's kink (|Z| = 1.3e-7 in the cat network), the differences
    averaged its two sides, and a right db was WRONG. Taken again at eps / 100 they see one
    side, and agree."""
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((2, 5)), (rng.random((1, 5)) > 0.5) * 1.0
    W1, b1 = 0.01 * rng.standard_normal((3, 2)), np.zeros((3, 1))
    b1[0, 0] = 3e-7 - (W1 @ X)[0, 0]  # Z1[0, 0] = 3e-7
    W2, b2 = rng.standard_normal((1, 3)), np.zeros((1, 1))

    def cost(Q):
        A1 = al.relu(Q["W1"] @ X + Q["b1"])
        return al.binary_cross_entropy_with_logits(Q["W2"] @ A1 + Q["b2"], Y)
    Z1 = W1 @ X + b1  # the course's backward, by hand
    A1 = np.maximum(Z1, 0)
    dZ2 = (1 / (1 + np.exp(-(W2 @ A1 + b2))) - Y) / 5
    dZ1 = (W2.T @ dZ2) * (Z1 > 0)
    grads = {"dW1": dZ1 @ X.T, "db1": dZ1.sum(1, keepdims=True), "dW2": dZ2 @ A1.T,
             "db2": dZ2.sum(1, keepdims=True)}
    params = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    report = al.check_gradients(cost, params, grads)
    assert report.passed, report
    assert "at eps / 100 they agree with yours" in report.rows[1].message
    wrong = al.check_gradients(cost, params, dict(grads, dW1=grads["dW1"] * 1.01))
    assert [r.status for r in wrong.rows] == ["wrong", "ok", "ok", "ok"]


def test_float32_parameters_without_layer_numbers_are_each_checked_on_their_own_scale():
    """'weight' and 'bias' were one group: the float32 floor, 10 eps32 times the norm of both
    gradients (dweight ~ 3e6), let dbias pass sign-flipped or as 0 (relative difference 1).
    PyTorch's float32 autograd gives dbias -0.61245787, 7e-8 from float64's."""
    rng = np.random.default_rng(0)
    x = rng.uniform(1e6, 1e7, (1, 20))
    y = 3e-7 * x + 0.5 + 0.1 * rng.standard_normal((1, 20))

    def cost(P):
        return ((P["weight"] * x + P["bias"] - y) ** 2).mean()
    for dtype in (np.float64, np.float32):
        P = {"weight": np.array([[3e-7]], dtype), "bias": np.array([[0.2]], dtype)}
        r = P["weight"].astype(float) * x + P["bias"].astype(float) - y
        dw, db = (2 * r * x).mean(keepdims=True), (2 * r).mean(keepdims=True)
        assert al.check_gradients(cost, P, {"dweight": dw, "dbias": db}).passed
        for wrong in (-db, 0 * db):
            report = al.check_gradients(cost, P, {"dweight": dw, "dbias": wrong})
            assert [row.key for row in report.rows if not row.passed] == ["dbias"], dtype


def test_float32_rounding_of_a_gradient_that_cancels_is_measured_not_guessed():
    """A bias whose gradient cancels to 0 in float64 is 1e-9-ish when computed in float32
    (the learner's): the floor includes the engine's own float32 rounding of it."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 50)).astype(np.float32)
    x -= x.mean()  # so that d/dbias of sum(weight * x + bias) * x is sum(x) = 0 in float64

    def cost(P):
        return ((P["weight"] * x + P["bias"]) * x).sum()
    P = {"weight": np.array([[0.5]], np.float32), "bias": np.array([[0.1]], np.float32)}
    learner_db = np.float32(x.astype(np.float32).sum())  # float32 rounding, not 0
    dw = (2 * P["weight"] * x * x).sum(keepdims=True)
    report = al.check_gradients(cost, P, {"dweight": dw, "dbias": np.array([[learner_db]])})
    assert report.passed, str(report)


def test_a_wrong_custom_vjp_is_named_as_the_one_that_disagrees():
    """Yours agreed with the finite differences to 5e-11, and the row read as if yours were
    wrong: "yours is 1.29131, the engine's -1.29131"."""
    softplus = al.custom_op(lambda z: np.logaddexp(0, z), lambda g, ans, z: -g / (1 + np.exp(-z)),
                            name="softplus_sign_flipped")
    P = {"w": np.array([[0.3, -0.2, 0.1]])}
    report = al.check_gradients(lambda P: softplus(P["w"] * 2.0).sum(), P,
                                {"dw": 2 / (1 + np.exp(-2 * P["w"]))})
    assert not report.passed
    assert "yours agrees with the finite differences and the engine's does not: a rule of " \
           "the engine's is wrong here, most likely the VJP of custom op " \
           "'softplus_sign_flipped'" in report.rows[0].message


def _float32_logistic_at_its_optimum(seed, m=500):
    """(cost, parameters, a float32 learner's gradients) of a logistic regression trained to
    its optimum in float64, then given as float32: there db cancels to ~1e-9."""
    rng = np.random.default_rng(seed)
    X, Y = rng.standard_normal((4, m)), (rng.random((1, m)) < 0.5).astype(float)
    w, b = np.zeros((4, 1)), 0.0
    for _ in range(300):  # gradient descent, in float64
        A = 1 / (1 + np.exp(-(w.T @ X + b)))
        w, b = w - X @ (A - Y).T / m, b - np.mean(A - Y)
    X32, Y32 = X.astype(np.float32), Y.astype(np.float32)
    P = {"w": w.astype(np.float32), "b": np.array([[b]], np.float32)}
    A = 1 / (1 + np.exp(-(P["w"].T @ X32 + P["b"])))
    mine = {"dw": X32 @ (A - Y32).T / np.float32(m),
            "db": np.sum(A - Y32, keepdims=True) / np.float32(m)}

    def cost(Q):
        return al.binary_cross_entropy_with_logits(Q["w"].T @ X32 + Q["b"], Y32)
    return cost, P, mine


def test_the_engine_is_blamed_only_when_the_differences_side_with_you_alone():
    """At the optimum yours (1e-9), the engine's db and the differences all lie within the
    differences' resolution, and the row blamed the engine's rule."""
    report = al.check_gradients(*_float32_logistic_at_its_optimum(6))
    assert all("rule of the engine's" not in row.message for row in report.rows)


def test_float32_gradients_that_cancel_at_an_optimum_pass():
    """One float32 run of the engine can land on the float64 value (db came out exactly 0),
    and 22 right learners in 300 failed; with three neighbours one rounding away, 2 did
    (seeds 117 and 255); with eps32 times the terms db sums (sum |A - Y| / m), none."""
    failed = [seed for seed in [*range(20), 117, 255]
              if not al.check_gradients(*_float32_logistic_at_its_optimum(seed)).passed]
    assert failed == []


def test_the_float32_measure_leaves_float64_parameters_as_given():
    """float32(1e4 + 4e-4) is 1e4: rounding the float64 s too made the "rounding" of dw all
    of dw, and -dw, 0 and 5 dw passed."""
    x = np.array([[1.0], [2.0], [-1.5]])
    P = {"w": np.array([[0.5], [-0.25], [1.0]], np.float32), "s": np.array([[1e4 + 4e-4]])}

    def cost(Q):
        return al.sum(Q["w"] * x) * (al.sum(Q["s"]) - 1e4)
    dw = x * (P["s"][0, 0] - 1e4)
    ds = np.array([[np.sum(P["w"].astype(float) * x)]])
    verdicts = [al.check_gradients(cost, P, {"dw": g.astype(np.float32), "ds": ds}).passed
                for g in (dw, -dw, 0 * dw, 5 * dw)]
    assert verdicts == [True, False, False, False]


def test_a_cost_that_draws_new_random_numbers_each_call_is_named_as_such():
    """A dropout cost drawing fresh masks at each call: every row was WRONG, blamed on "a
    kink" (central differences -85821 where both give -0.19). Seeding inside works."""
    X = np.random.default_rng(0).standard_normal((3, 20))
    P = {"W1": np.full((2, 3), 0.1)}

    def dropout_cost(Q, seed=None):
        if seed is not None:
            np.random.seed(seed)
        D = np.random.rand(2, 20) < 0.8
        return al.sum(al.tanh(Q["W1"] @ X) * D / 0.8)
    with pytest.raises(ValueError, match=r"draws random numbers \(dropout masks\?\)"):
        al.check_gradients(dropout_cost, P, {"dW1": np.zeros((2, 3))})
    np.random.seed(1)
    D = np.random.rand(2, 20) < 0.8
    dW1 = ((1 - np.tanh(P["W1"] @ X) ** 2) * D / 0.8) @ X.T
    assert al.check_gradients(lambda Q: dropout_cost(Q, seed=1), P, {"dW1": dW1}).passed


def test_a_number_is_taken_as_the_gradient_of_a_one_number_parameter():
    """db2 = np.sum(dZ2) / m, a number, for b2 (1, 1): the shallow grader scored it SHAPE
    (25 points), where week 2 takes its db as a number, as the course returns it. A rank-1
    (1,) is still the keepdims mistake, and more entries keep the strict rule."""
    P = {"b": np.array([[0.5]]), "c": np.array([[0.5], [1.0]])}
    cost = lambda Q: al.sum(Q["b"] * 3.0) + al.sum(Q["c"] ** 2)  # noqa: E731
    for db in (3.0, np.float64(3.0), np.array(3.0), np.array([[3.0]])):
        assert al.check_gradients(cost, P, {"db": db, "dc": 2 * P["c"]}).passed
    report = al.check_gradients(cost, P, {"db": np.array([3.0]), "dc": (2 * P["c"]).ravel()})
    assert [r.status for r in report.rows] == ["shape", "shape"]


# ---- a custom op's wrong VJP is named; the message's index is the table's -----------------

CUBE_BAD = al.custom_op(lambda x: x ** 3, lambda g, ans, x: 2 * x ** 2 * g, name="cube_bad")
CUBE_X = {"x": np.array([0.5, -1.0, 2.0])}


def _table_line(report, key):
    return next(line for line in str(report).splitlines() if line.startswith(key + " "))


def test_a_wrong_custom_vjp_copied_by_hand_is_blamed_on_the_custom_op_first():
    # the message told of kinks, saturated sigmoids and large inputs, never the custom op
    report = al.check_gradients(lambda P: CUBE_BAD(P["x"]).sum(), CUBE_X,
                                {"dx": 2 * CUBE_X["x"] ** 2})
    row = report.rows[0]
    assert row.status == "wrong"
    assert "custom op 'cube_bad'" in row.message and "VJP" in row.message
    assert "kink" not in row.message or row.message.index("cube_bad") < row.message.index("kink")
    assert "al.gradcheck" in row.message


def test_the_index_in_the_message_is_the_tables_worst_index():
    # the message said (2,), the table (0,): yours equals the engine's everywhere
    report = al.check_gradients(lambda P: CUBE_BAD(P["x"]).sum(), CUBE_X,
                                {"dx": 2 * CUBE_X["x"] ** 2})
    row = report.rows[0]
    assert row.worst_index == (2,) and "at (2,)" in row.message
    assert "(2,)" in _table_line(report, "dx")
    assert (row.yours, row.engine) == (8.0, 8.0)  # the values there


def test_a_kink_without_a_custom_op_points_the_table_at_it():
    P = {"x": np.array([1.0, 0.0, 2.0])}  # relu's kink at x[1]
    report = al.check_gradients(lambda P: al.sum(al.relu(P["x"])), P,
                                {"dx": np.array([1.0, 0.0, 1.0])})
    row = report.rows[0]  # yours, the engine's 0, lies between the slopes 0 and 1: passed
    assert row.status == "ok" and "kink" in row.message and "custom" not in row.message
    past = al.check_gradients(lambda P: al.sum(al.relu(P["x"]) * P["x"]), P,
                              {"dx": np.array([2.0, 1.0, 4.0])})  # d(relu(x) x) is 0 at x = 0
    row = past.rows[0]
    assert row.status == "wrong" and row.worst_index == (1,) and "at (1,)" in row.message
    assert "(1,)" in _table_line(past, "dx")


def test_a_right_hand_gradient_past_a_wrong_custom_vjp_names_the_op():
    report = al.check_gradients(lambda P: CUBE_BAD(P["x"]).sum(), CUBE_X,
                                {"dx": 3 * CUBE_X["x"] ** 2})
    message = report.rows[0].message
    assert "yours agrees with the finite differences and the engine's does not" in message
    assert "custom op 'cube_bad'" in message


def test_a_wrong_hand_gradient_past_a_wrong_custom_vjp_names_the_op_too():
    report = al.check_gradients(lambda P: CUBE_BAD(P["x"]).sum(), CUBE_X,
                                {"dx": 5 * CUBE_X["x"] ** 2})
    message = report.rows[0].message
    assert message.startswith("at (2,) yours is 20, the engine's 8")
    assert "custom op 'cube_bad'" in message


def test_two_custom_ops_are_both_named():
    double = al.custom_op(lambda x: 2 * x, lambda g, ans, x: 2 * g, name="double")
    report = al.check_gradients(lambda P: CUBE_BAD(double(P["x"])).sum(), CUBE_X,
                                {"dx": 16 * CUBE_X["x"] ** 2})  # the engine's, wrong
    assert "custom ops 'cube_bad' and 'double'" in report.rows[0].message


def test_only_the_courses_parameter_names_are_read_as_layers():
    """first_failure orders by layer: embed128 was read as layer 128, ahead of W3."""
    rng = np.random.default_rng(0)
    params = {"embed128": rng.standard_normal((2, 2)), "W3": rng.standard_normal((2, 2))}
    report = al.check_gradients(lambda P: (P["embed128"] * P["W3"]).sum(), params,
                                {"dembed128": np.zeros((2, 2)), "dW3": np.zeros((2, 2))})
    assert report.first_failure.key == "dW3"
    assert "first disagreement: dW3 (layer 3)" in str(report)


def test_a_wrong_shape_that_is_another_parameters_asks_about_the_keys():
    """dW1 holding dW2's (3, 4) beside W1 (4, 3) was hinted "(transposed?)" alone."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3, 5))
    params = {"W1": rng.standard_normal((4, 3)), "b1": np.zeros((4, 1)),
              "W2": rng.standard_normal((3, 4)), "b2": np.zeros((3, 1))}
    shifted = {"dW1": np.zeros((3, 4)), "db1": np.zeros((4, 1)), "dW2": np.zeros((3, 4)),
               "db2": np.zeros((3, 1))}
    report = al.check_gradients(
        lambda P: al.sum(P["W2"] @ al.tanh(P["W1"] @ X + P["b1"]) + P["b2"]), params, shifted)
    assert "that is dW2's shape: are the gradients stored under the right keys?" in str(report)


@pytest.mark.parametrize("wrong", [11.0, 20.0, -10.0])
def test_a_wrong_entry_fails_beside_one_whose_terms_cancel_at_1e16(wrong):
    """The float64 rounding floor was the norm of the terms of the whole parameter: the
    entry that sums +-1e16 gave the other, dW = 10, room to pass sign-flipped. Per entry,
    it does not."""
    X = np.array([[1e16, -1e16, 1e16, -1e16], [1.0, 1.0, 2.0, 2.0]])
    cost = lambda p: 0.5 * al.sum((p["W"] @ X) ** 2)  # noqa: E731
    W = np.array([[0.0, 1.0]])  # dW = [[0, 10]]
    assert al.check_gradients(cost, {"W": W}, {"dW": np.array([[0.0, 10.0]])}).passed
    assert not al.check_gradients(cost, {"W": W}, {"dW": np.array([[0.0, wrong]])}).passed


def test_the_reports_footer_names_only_the_checks_that_ran():
    """A report with no finite differences (the grader's: max_numerical=0) said it "passes
    below ... 1e-05 vs central differences", a check whose column was all '-'."""
    params = {"W1": np.ones((1, 2))}
    hand = {"dW1": 2 * np.ones((1, 2))}
    cost = lambda P: al.sum(P["W1"] ** 2)  # noqa: E731
    without = str(al.check_gradients(cost, params, hand, max_numerical=0))
    assert "vs the engine (no central differences were taken)" in without
    assert "vs central differences" not in without
    assert "vs central differences (eps=" in str(al.check_gradients(cost, params, hand))


# ---- an engineer checking hand-written gradients of their own functions (outside tester) ----

def test_check_gradients_fails_one_wrong_entry_beside_entries_a_billion_times_bigger():
    # the course's norm-wise rule alone: 1e-3 off in 2e6 passed as "all gradients agree"
    def cost(P):
        return 1e6 * P["w"][0] ** 2 / 2 + 1e-3 * P["w"][1] ** 2 / 2
    report = al.check_gradients(cost, {"w": np.array([1.0, 1.0])},
                                {"dw": np.array([1e6, 2e-3])})
    assert not report.passed and report.rows[0].worst_index == (1,)
    assert "at (1,) yours is 0.002, the engine's 0.001" in str(report)
    assert al.check_gradients(cost, {"w": np.array([1.0, 1.0])},
                              {"dw": np.array([1e6, 1e-3])}).passed


def test_check_gradients_leaves_out_differences_that_round_at_a_large_parameter():
    # at x ~ 1e12, x + 1e-6 == x: the differences were 0, and the engine's own gradient,
    # given as yours, failed as "a kink ... or a saturated sigmoid"
    x = 1e12 + np.random.default_rng(0).standard_normal(10)

    def cost(P):
        return ((P["x"] - P["x"].mean()) ** 2).sum()
    right = al.grad(lambda x: cost({"x": x}))(x)
    report = al.check_gradients(cost, {"x": x}, {"dx": right})
    assert report.passed and report.rows[0].unresolved == 10, str(report)
    assert "10 where x +- eps rounds (eps=1e-06 is below their float spacing" in str(report)
    # a step of eps |x| there instead failed sin(3000 W) at W = 1000 (a hostile review)
    mysin = al.custom_op(np.sin, lambda g, ans, x: g * np.cos(x), name="mysin")
    W = np.array([[1000.0, 1000.3]])
    assert al.check_gradients(lambda p: mysin(3000 * p["W"]).sum(), {"W": W},
                              {"dW": 3000 * np.cos(3000 * W)}).passed
    wrong = right.copy()
    wrong[3] *= 1.5
    assert not al.check_gradients(cost, {"x": x}, {"dx": wrong}).passed


def test_check_gradients_says_when_differences_were_taken_at_a_sample():
    W = np.random.default_rng(0).standard_normal((60, 60))
    report = al.check_gradients(lambda P: (P["W"] ** 2).sum(), {"W": W}, {"dW": 2 * W})
    assert report.passed
    assert "dW: central differences at 2000 of 3600 entries (a seeded sample" in str(report)


def test_gradcheck_takes_one_array_as_one_input():
    cube = al.custom_op(lambda x: x ** 3, lambda g, ans, x: 3 * x ** 2 * g, name="cube")
    assert al.gradcheck(cube, np.array([0.5, 1.0, 2.0]))  # 3 inputs of one number before
    assert al.gradcheck(lambda x: (x * x).sum(), al.tensor([1.0, 2.0], requires_grad=True))


def test_gradcheck_holds_a_tensor_without_requires_grad_constant():
    scale = al.custom_op(lambda x, c: x * c, lambda g, a, x, c: g * c, None, name="xc")
    assert al.gradcheck(scale, [np.ones(3), al.tensor([1.0, 2.0, 3.0])])
    with pytest.raises(al.GradcheckError, match=r"input 0 .*index \(2,\)"):
        wrong = al.custom_op(lambda x, c: x * c, lambda g, a, x, c: g * c * (c < 2.5), None,
                             name="wrong")
        al.gradcheck(wrong, [np.ones(3), al.tensor([1.0, 2.0, 3.0])])
    bad = al.custom_op(lambda x: x ** 2, lambda g, ans, x: g * 3 * x, name="bad")
    with pytest.raises(al.GradcheckError):  # int arrays are checked, as floats
        al.gradcheck(lambda x: bad(x).sum(), [np.arange(1, 4)])
    with pytest.raises(ValueError, match="nothing to check"):  # (not a vacuous pass)
        al.gradcheck(lambda x: bad(x).sum(), [al.tensor([1.0, 2.0])])
    with pytest.raises(TypeError, match=r"input 1 is not differentiable\. .*hold constant "
                                        r"as al\.tensor\(c\)"):
        al.gradcheck(scale, [np.ones(3), np.array([1.0, 2.0, 3.0])])


def test_gradcheck_says_the_rule_it_applied():
    wrong = al.custom_op(np.sin, lambda g, ans, x: g * np.cos(x) * 1.5, name="sin15")
    with pytest.raises(al.GradcheckError,
                       match=r"\|backward - finite differences\| = 0\.\d+ > atol \+ rtol "
                             r"\|finite differences\| = 0\.\d+"):
        al.gradcheck(wrong, [np.array([0.3])])


def test_assert_gradients_match_names_the_wrong_entry_of_a_large_array():
    x = np.random.default_rng(0).standard_normal((40, 50))

    def hand(x):
        g = 2 * x
        g[17, 33] += 1.0
        return g
    from autograd_lite.testing import GradientMismatchError, assert_gradients_match
    with pytest.raises(GradientMismatchError, match=r"index \(17, 33\)"):
        assert_gradients_match(lambda x: (x * x).sum(), hand, [x])


def test_check_gradients_takes_either_subgradient_at_a_kink_and_blames_no_rule():
    # relu at 0: yours 0.5 (the differences' average) was WRONG, "a rule of the engine's
    # is wrong here", where assert_gradients_match took it
    def cost(P):
        return al.relu(P["x"]).sum()
    at_kink = al.check_gradients(cost, {"x": np.array([0.0, 1.0])}, {"dx": np.array([0.5, 1.0])})
    assert at_kink.passed and "kink" in str(at_kink) and "engine's is wrong" not in str(at_kink)
    assert not al.check_gradients(cost, {"x": np.array([0.0, 1.0])},
                                  {"dx": np.array([1.5, 1.0])}).passed  # not between 0 and 1
    assert not al.check_gradients(cost, {"x": np.array([-1.0, 1.0])},
                                  {"dx": np.array([1.0, 1.0])}).passed  # no kink at -1


def test_gradcheck_says_an_index_input_must_be_closed_over_and_no_inputs_is_nothing():
    with pytest.raises(IndexError, match=r"close over an index instead"):
        al.gradcheck(lambda x, i: x[i].sum(), [np.arange(6.0).reshape(3, 2), np.array([2, 0])])
    with pytest.raises(ValueError, match="no inputs were given"):
        al.gradcheck(lambda: al.tensor(1.0), [])


def test_check_gradients_fails_what_a_custom_vjp_leaves_unchecked_where_x_eps_rounds():
    # a second review: a VJP wrong only at |x| > 1e6 passed, its entries left out
    mysin = al.custom_op(np.sin, lambda g, a, x: g * np.cos(x) * np.where(abs(x) > 1e6, -1.0, 1.0),
                         name="mysin")
    x = np.array([1e12, 0.5, 0.7])

    def cost(P):
        return mysin(P["x"]).sum()
    report = al.check_gradients(cost, {"x": x}, {"dx": al.grad(lambda v: cost({"x": v}))(x)})
    assert not report.passed and "goes through custom op 'mysin'" in str(report)


def test_nn_s_own_backward_passes_at_an_exact_relu_kink():
    """A teacher's property test: dims [6, 1, 1, 1], m = 1, He init (b = 0) and a dead unit
    upstream give Z2 = 0 exactly; db2 was WRONG for nn's own L_model_backward (the slopes
    there, 0 and 0.107, were not told for a kink: a gap of 0.1 relative was asked)."""
    from nn.deep import (
        L_model_backward,
        L_model_cost_engine,
        L_model_forward,
        initialize_parameters_deep,
    )
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((6, 1)), (rng.random((1, 1)) > 0.5).astype(float)
    P = initialize_parameters_deep([6, 1, 1, 1], seed=0, init="he")
    AL, caches = L_model_forward(X, P)
    assert caches[1][1][0, 0] == 0.0  # Z2, exactly at the kink
    grads = L_model_backward(AL, Y, caches)
    assert al.check_gradients(lambda T: L_model_cost_engine(T, X, Y), P, grads).passed
    wrong = {**grads, "db2": np.array([[0.3]])}  # past the right slope, 0.107
    assert not al.check_gradients(lambda T: L_model_cost_engine(T, X, Y), P, wrong).passed


@pytest.mark.parametrize("offset", [1e7, 1e9])
def test_a_costs_rounding_noise_is_not_taken_for_a_kink(offset):
    """A hostile review: with the kink test loosened, sum(w^2) + 1e9 rounded its one-sided
    slopes apart by ~0.2, and an 18 % wrong gradient passed as "a kink's subgradient"."""
    w = {"w": np.array([[-0.83304, 0.5]])}
    right = 2 * w["w"]
    cost = lambda P: (P["w"] ** 2).sum() + offset  # noqa: E731
    assert al.check_gradients(cost, w, {"dw": right}).passed
    assert not al.check_gradients(cost, w, {"dw": right + np.array([[0.3, 0.0]])}).passed


# ---- ties: one kink shared by several entries ------------------------------------------------

_WEIGHTS = np.array([1.0, 2.0, 3.0])
_TIED = np.array([2.0, 2.0, 1.0, 5.0, 0.0, 0.0])  # rows [2, 2], [1, 5], [0, 0]: two ties


def _row_max_cost(x, weights=_WEIGHTS):
    return (al.max(x.reshape(3, 2), axis=1) * weights).sum()


def _every_tied_max(x, weights=_WEIGHTS):  # the max-pool bug: the whole gradient to each
    X = x.reshape(3, 2)
    return ((X == X.max(1, keepdims=True)) * weights[:, None]).ravel()


def _first_max(x, weights=_WEIGHTS, last=False):  # np.argmax's choice: a subgradient
    X = x.reshape(3, 2)
    g = np.zeros((3, 2))
    g[np.arange(3), 1 - X[:, ::-1].argmax(1) if last else X.argmax(1)] = weights
    return g.ravel()


@pytest.mark.parametrize("hand,bug", [
    (_every_tied_max, True), (_first_max, False), (lambda x: _first_max(x, last=True), False),
])
def test_a_gradient_at_a_tie_that_is_no_subgradient_as_a_whole_passes_with_a_note(hand, bug):
    """Entry by entry, each tied max lies between its own one-sided slopes (0 and its
    weight), so the whole gradient to every tied entry passed, noted "both are
    subgradients". Along (1, 1) over [2, 2] the max rises once, where that gradient says
    twice: the note says so. Not a failure: where convex and concave relu kinks cancel
    along such a direction, relu'(0) = 1, a convention, differs the same way (h19)."""
    report = al.check_gradients(lambda P: _row_max_cost(P["x"]), {"x": _TIED},
                                {"dx": hand(_TIED)})
    message = report.rows[0].message
    assert report.passed and "both are subgradients" not in message, report
    assert ("yours is no subgradient as a whole" in message) is bug, message
    if bug:
        assert ("but moving (0,), (1,), (4,), (5,) together (along [0.333 0.333 1.    1.   ]"
                "), the cost's slope is 3.33333 where yours gives 6.66667") in message


@pytest.mark.parametrize("hand,said", [((1.0, 1.0), True), ((1.0, -1.0), False),
                                       ((0.25, -0.25), False)])
def test_abs_of_a_difference_at_a_tie_notes_a_gradient_that_is_no_subgradient(hand, said):
    """|x0 - x1| at x0 = x1: the subgradients are (a, -a), |a| <= 1."""
    report = al.check_gradients(lambda P: al.abs(P["v"][0] - P["v"][1]),
                                {"v": np.array([1.0, 1.0])}, {"dv": np.array(hand)})
    assert report.passed
    assert ("no subgradient as a whole" in report.rows[0].message) is said, report


def test_relu_one_at_zero_beside_cancelling_kinks_passes_without_doubt():
    """A convex tie (a and c share relu(-a - c)) beside a concave one (-relu(x + y)) at 0:
    the engine's gradient and relu'(0) = 1's both passed before the tie test, which failed
    both (h19 review); they pass again."""
    def cost(P):
        a, c, x, y = P["w"][0], P["w"][1], P["w"][2], P["w"][3]
        return al.relu(-a - c) + al.relu(-2 * a + 2 * c) - al.relu(x + y)
    for hand in (np.zeros(4), np.array([-3.0, 1.0, -1.0, -1.0])):
        assert al.check_gradients(cost, {"w": np.zeros(4)}, {"dw": hand}).passed
        al.testing.assert_gradients_match(lambda w: cost({"w": w}), lambda w, g=hand: g,
                                          [np.zeros(4)])


def test_a_tie_under_a_negative_weight_keeps_its_first_max():
    """-max(x0, x1) at a tie is concave there: np.argmax's choice still passes."""
    weights = np.array([-1.0, 2.0, -3.0])
    report = al.check_gradients(lambda P: _row_max_cost(P["x"], weights), {"x": _TIED},
                                {"dx": _first_max(_TIED, weights)})
    assert report.passed, report


def test_arguments_given_the_other_way_round_are_said_so():
    """gradcheck([x], f) raised "'function' object is not iterable"; check_gradients(cost,
    grads, params) a KeyError from inside the cost (h18 engineer)."""
    x = np.array([1.0, 2.0])
    for check in (al.gradcheck, al.gradgradcheck):
        with pytest.raises(TypeError, match=r"give the function first, then its inputs .*"
                                            r"got them the other way round"):
            check([x], lambda x: (x * x).sum())
    P = {"W": np.ones((2, 2))}
    with pytest.raises(TypeError, match=r"the parameters come second and your gradients "
                                        r"third; got \['dW'\] second and \['W'\] third"):
        al.check_gradients(lambda P: (P["W"] ** 2).sum(), {"dW": 2 * P["W"]}, P)


@pytest.mark.parametrize("slip,said", [
    (lambda g: 5 * g, "yours is 5 times the engine's everywhere (a missing 1/5? 1/m, if m = "
                      "5)"),
    (lambda g: -g, "yours is -1 times the engine's everywhere (a sign?)"),
    (lambda g: g / 5, "yours is 0.2 times the engine's everywhere (an extra 1/5? 1/m twice, "
                      "if m = 5)"),
    (lambda g: g.T, "yours is the engine's transposed"),
    (lambda g: g + 1, None),  # no simple slip: nothing more is said
])
def test_a_gradient_off_by_a_factor_or_transposed_says_so(slip, said):
    """The course's slips, named: dW without 1/m is m times the engine's everywhere."""
    rng = np.random.default_rng(1)
    W, X = rng.standard_normal((3, 3)), rng.standard_normal((3, 5))
    weights = rng.standard_normal((3, 5))

    def cost(P):
        return (P["W"] @ X * weights).sum() / 5

    right = weights @ X.T / 5
    report = al.check_gradients(cost, {"W": W}, {"dW": slip(right)})
    message = report.rows[0].message
    assert report.rows[0].status == "wrong" and message.startswith("at (")
    if said is None:
        assert "times the engine's" not in message and "transposed" not in message
    else:
        assert message.endswith("; " + said), message
    with pytest.raises(al.testing.GradientMismatchError) as caught:
        al.testing.assert_gradients_match(lambda W: cost({"W": W}), lambda W: slip(right), [W])
    text = str(caught.value)
    assert said in text if said else "times the engine's" not in text, text


def test_no_slip_is_named_where_the_engines_gradient_is_the_wrong_one():
    """A custom op's VJP missing a factor 3: 'a missing 1/3, such as 1/m?' blamed the
    learner, whose gradient the same message then called right (h19 review)."""
    cube = al.custom_op(lambda x: x ** 3, lambda g, ans, x: g * x ** 2, name="cube_third")
    x = np.array([1.0, 2.0, 3.0])
    report = al.check_gradients(lambda P: cube(P["x"]).sum(), {"x": x}, {"dx": 3 * x ** 2})
    message = report.rows[0].message
    assert not report.passed and "yours agrees with the finite differences" in message
    assert "times the engine's" not in message and "1/m" not in message, message


def test_the_table_calls_an_extra_key_unchecked_not_a_fault():
    """The course's dA and dZ keys read 'EXTRA' in the result column, beside nn's own right
    backward, as if something were wrong (h19 stranger); and no line ends in spaces."""
    w = np.array([1.0, 2.0])
    report = al.check_gradients(lambda P: (P["w"] ** 2).sum(), {"w": w},
                                {"dw": 2 * w, "dA0": np.zeros(2)})
    table = str(report)
    assert report.passed and "EXTRA" not in table
    assert table.splitlines()[3].split()[-1] == "unchecked"
    assert all(line == line.rstrip() for line in table.splitlines())
