"""Model.fit's Course 2 options (optimizer, mini_batch_size, lambd, keep_prob, lr_decay)
against the course's own model functions, nn.regularization.model and
nn.optimization.model, from the same seeds; and the engine path against the hand path."""

import functools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from autograd_lite.testing import layer_dims
from nn import optimization, regularization


def _same(got, expected, rtol=1e-9):
    assert sorted(got) == sorted(expected)
    for k in expected:
        np.testing.assert_allclose(got[k], expected[k], rtol=rtol, atol=1e-12, err_msg=k)


def _differ(a, b):
    return any(not np.allclose(a[k], b[k], rtol=1e-6) for k in a)


# ---- the regularization assignment: [2, 20, 3, 1], randn / sqrt(n[l-1]) seed 3, lr 0.3 -----

@pytest.mark.parametrize("option", [{"lambd": 0.7}, {"keep_prob": 0.86}])
def test_fit_with_l2_or_dropout_follows_the_courses_regularization_model(option):
    """800 iterations on the circles: beyond ~1000 at lr 0.3, rounding differences of 1e-16
    (nn's sigmoid against the course's) grow as units cross relu's kink."""
    data = nn.load_circles()
    X, Y = data.train_X, data.train_Y
    model = nn.Model([2, 20, 3, 1], init="lecun", seed=3)  # the course's initializer
    costs = model.fit(X, Y, 0.3, 800, progress=False, record_every=1000, **option)
    expected, course_costs = regularization.model(X, Y, num_iterations=800, return_costs=True,
                                                  print_cost=False, **option)
    _same(model.parameters, expected)
    np.testing.assert_allclose(costs[0], course_costs[0], rtol=1e-12)
    plain = regularization.model(X, Y, num_iterations=800, print_cost=False)
    assert _differ(expected, plain)  # the option changes the trajectory


# ---- the optimization assignment: [2, 5, 2, 1], He seed 3, mini-batches of 64 --------------

_SCHEDULE_50 = functools.partial(optimization.schedule_lr_decay, time_interval=50)


@pytest.mark.parametrize("optimizer, learning_rate, lr_decay", [
    ("gd", 0.0007, None), ("momentum", 0.0007, None), ("adam", 0.0007, None),
    ("gd", 0.1, _SCHEDULE_50), ("momentum", 0.1, _SCHEDULE_50), ("adam", 0.01, _SCHEDULE_50),
    ("gd", 0.1, "update_lr")])
def test_fit_on_mini_batches_follows_the_courses_optimization_model(optimizer, learning_rate,
                                                                    lr_decay):
    """The published rows' settings for 200 epochs (the step decay every 50 epochs rather
    than 1000, so that it acts): the same parameters and epoch costs."""
    X, Y = nn.load_moons()
    model = nn.Model([2, 5, 2, 1], init="he", seed=3)
    costs = model.fit(X, Y, learning_rate, 200, progress=False, optimizer=optimizer,
                      mini_batch_size=64, lr_decay=lr_decay)
    decay = optimization.DECAYS.get(lr_decay, lr_decay)
    expected, course_costs = optimization.model(X, Y, [2, 5, 2, 1], optimizer, learning_rate,
                                                num_epochs=200, decay=decay, return_costs=True,
                                                print_cost=False)
    _same(model.parameters, expected)
    np.testing.assert_allclose(costs[:2], course_costs, rtol=1e-9)


def test_fit_decays_by_the_courses_schedule_every_1000_epochs():
    """lr_decay="schedule_lr_decay" is the course's, every 1000 epochs (one batch of 300 a
    epoch, to keep it quick)."""
    X, Y = nn.load_moons()
    model = nn.Model([2, 5, 2, 1], init="he", seed=3)
    model.fit(X, Y, 0.1, 1010, progress=False, mini_batch_size=300,
              lr_decay="schedule_lr_decay")
    expected = optimization.model(X, Y, [2, 5, 2, 1], "gd", 0.1, 300, num_epochs=1010,
                                  decay=optimization.schedule_lr_decay, print_cost=False)
    _same(model.parameters, expected)
    undecayed = optimization.model(X, Y, [2, 5, 2, 1], "gd", 0.1, 300, num_epochs=1010,
                                   print_cost=False)
    assert _differ(expected, undecayed)


def test_fit_takes_the_optimizers_hyperparameters():
    X, Y = nn.load_moons()
    for optimizer, settings in (("momentum", {"beta": 0.5}),
                                ("adam", {"beta1": 0.8, "beta2": 0.99, "epsilon": 1e-4})):
        model = nn.Model([2, 5, 2, 1], init="he", seed=3)
        model.fit(X, Y, 0.01, 20, progress=False, optimizer=optimizer, mini_batch_size=64,
                  **settings)
        _same(model.parameters, optimization.model(X, Y, [2, 5, 2, 1], optimizer, 0.01,
                                                   num_epochs=20, print_cost=False,
                                                   **settings))


def test_fit_without_options_is_batch_gradient_descent():
    """The default stays the course's L_layer_model loop (a reference written here)."""
    X, Y = nn.planar_flower()
    model = nn.Model([2, 4, 3, 1], seed=1)
    start = model.parameters
    copy = {k: v.copy() for k, v in start.items()}
    costs = model.fit(X, Y, 0.5, 30, progress=False, record_every=10)
    _same(start, copy, rtol=0)  # fit leaves the dict it started from as it was
    parameters = start
    for _ in range(30):
        AL, caches = nn.deep.L_model_forward(X, parameters)
        grads = nn.deep.L_model_backward(AL, Y, caches)
        parameters = {k: v - 0.5 * grads["d" + k] for k, v in parameters.items()}
    _same(model.parameters, parameters, rtol=1e-13)
    assert len(costs) == 4


# ---- both gradient paths support every option --------------------------------------------

@st.composite
def fit_options(draw):
    options = {"optimizer": draw(st.sampled_from(["gd", "momentum", "adam"])),
               "mini_batch_size": draw(st.sampled_from([None, 1, 7, 64])),
               "lr_decay": draw(st.sampled_from([None, "update_lr", "schedule_lr_decay"]))}
    regularizer = draw(st.sampled_from(["none", "lambd", "keep_prob"]))
    if regularizer == "lambd":
        options["lambd"] = draw(st.floats(0.01, 2.0))
    elif regularizer == "keep_prob":
        options["keep_prob"] = draw(st.floats(0.5, 0.95))
    return options


@given(dims=layer_dims(min_layers=1, max_layers=4, max_width=6), options=fit_options(),
       hidden=st.sampled_from(["relu", "tanh", "leaky_relu"]), m=st.integers(5, 40),
       seed=st.integers(0, 2**16))
def test_the_engine_path_equals_the_hand_path_for_every_option(dims, options, hidden, m, seed):
    dims = [*dims[:-1], 1]
    if len(dims) == 2:  # dropout needs a hidden layer (fit refuses it without one)
        options = {**options, "keep_prob": 1.0}
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((dims[0], m))
    Y = (rng.random((1, m)) > 0.5).astype(float)
    fitted = {}
    for gradients in ("hand", "engine"):
        model = nn.Model(dims, hidden=hidden, init="xavier", seed=seed)
        costs = model.fit(X, Y, 0.05, 4, gradients, progress=False, record_every=1, **options)
        fitted[gradients] = model.parameters, costs
    _same(fitted["engine"][0], fitted["hand"][0])
    # The hand cost takes log(1 - AL) of a rounded AL (clipped at 1 - 1e-15), the engine's
    # is exact from Z[L]: they part where an example saturates on the wrong side, which the
    # small start (xavier) and keep_prob >= 0.5 keep away from.
    np.testing.assert_allclose(fitted["engine"][1], fitted["hand"][1], rtol=1e-7)


# ---- errors name fit and what to do ------------------------------------------------------

@pytest.mark.parametrize("options, error, message", [
    ({"lambd": 0.7, "keep_prob": 0.86}, ValueError, "fit: use L2 regularization .* not both"),
    ({"optimizer": "rmsprop"}, ValueError, r"fit: optimizer must be one of \['gd'"),
    ({"beta": 0.9}, ValueError, "fit: beta is a setting of optimizer='momentum', not of "
                                "optimizer='gd'"),
    ({"optimizer": "adam", "beta": 0.9}, ValueError, "its settings: beta1, beta2, epsilon"),
    ({"optimizer": "momentum", "beta1": 0.9}, ValueError, "beta1 is a setting of "
                                                          "optimizer='adam'"),
    ({"optimizer": "momentum", "beta": 1.0}, ValueError, r"fit: beta must be a number in \[0, "
                                                         r"1\) \(the course's 0.9\)"),
    ({"optimizer": "adam", "epsilon": 0.0}, ValueError, "fit: epsilon must be a finite "
                                                        "positive number"),
    ({"mini_batch_size": 0}, ValueError, "fit: mini_batch_size must be None .* got 0"),
    ({"mini_batch_size": 6.4}, ValueError, "fit: mini_batch_size must be None"),
    ({"lambd": -1}, ValueError, "fit: lambd"),
    ({"keep_prob": 0}, ValueError, r"fit: keep_prob .* \(0, 1\]"),
    ({"lr_decay": "exponential"}, ValueError, "fit: lr_decay must be None, one of "
                                              r"\['update_lr', 'schedule_lr_decay'\]"),
    ({"lr_decay": 0.5}, TypeError, "fit: lr_decay must be None"),
    ({"decay_rate": 0.5}, ValueError, "fit: decay_rate is given but lr_decay is None"),
    ({"lr_decay": "update_lr", "decay_rate": -1}, ValueError, "fit: decay_rate must be"),
])
def test_bad_options_are_refused_by_name(options, error, message):
    X, Y = nn.planar_flower()
    model = nn.Model([2, 3, 1], seed=0)
    before = {k: v.copy() for k, v in model.parameters.items()}
    with pytest.raises(error, match=message):
        model.fit(X, Y, 0.1, 2, progress=False, **options)
    _same(model.parameters, before, rtol=0)  # nothing was trained


@pytest.mark.parametrize("options", [{"keep_prob": 0.8}, {"lambd": 0.7},
                                     {"optimizer": "adam", "mini_batch_size": 64}],
                         ids=["dropout", "L2", "adam"])
def test_fit_with_course_2_options_and_compile_equals_eager_bit_for_bit(options):
    X, Y = nn.planar_flower()
    runs = []
    for compiled in (False, True):
        model = nn.Model([2, 4, 1], hidden="tanh", seed=1)
        costs = model.fit(X, Y, 0.5, 30, gradients="engine", progress=False, compile=compiled,
                          **options)
        runs.append((costs, model.parameters))
    (eager_costs, eager), (compiled_costs, compiled) = runs
    assert compiled_costs == eager_costs
    for key in eager:
        np.testing.assert_array_equal(compiled[key], eager[key])


@pytest.mark.parametrize("mini_batch_size", [None, 300, 64, 10])
def test_l2_with_mini_batches_reports_the_courses_J_and_takes_its_step(mini_batch_size):
    """A learner's report: with lambd and mini-batches the epoch's cost counted the L2 term
    once per batch (64: 1.27 for J = 0.82; 10: 4.11), and each step took lambd/m_b W."""
    X, Y = nn.planar_flower()
    m, lambd = X.shape[1], 5.0
    model = nn.Model([2, 5, 2, 1], seed=3, init="he")
    start = dict(model.parameters)
    AL, _ = nn.deep.L_model_forward(X, start)
    cross_entropy = -np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))
    J = cross_entropy + lambd / (2 * m) * sum(np.sum(np.square(start[f"W{l}"]))
                                              for l in (1, 2, 3))
    costs = model.fit(X, Y, 1e-12, 1, progress=False, lambd=lambd, record_every=1,
                      mini_batch_size=mini_batch_size)
    assert costs[0] == pytest.approx(J, rel=1e-9)
    # one step of one batch: dW = dW(cross-entropy of the batch) + lambd/m W, m of all of X
    model = nn.Model([2, 5, 2, 1], seed=3, init="he")
    model.fit(X[:, :10], Y[:, :10], 0.1, 1, progress=False, lambd=lambd, mini_batch_size=10,
              record_every=1)  # one batch holding the whole of this X: m = 10
    AL, caches = nn.deep.L_model_forward(X[:, :10], start)
    grads = nn.deep.L_model_backward(AL, Y[:, :10], caches, lambd=lambd)
    np.testing.assert_allclose(model.parameters["W1"], start["W1"] - 0.1 * grads["dW1"],
                               rtol=1e-12)
