"""The course's published results, reproduced by both the hand-derived and the engine paths.

Hyperparameters and seeds from the course (see the README's results table). The cat tests
need the course's data ($CATVNONCAT_DIR or ../shared/data/catvnoncat) and skip without it.
"""

import re

import numpy as np
import pytest

import nn
from nn import deep, logistic, shallow


def test_flower_one_hidden_layer_of_4_tanh_units_reaches_90_percent():
    X, Y = nn.planar_flower()
    params = shallow.nn_model(X, Y, n_h=4, num_iterations=10000, seed=2)
    accuracy = np.mean(shallow.predict(params, X) == Y)
    assert accuracy >= 0.90  # the course prints 90 %; we get 90.75 %
    assert np.isclose(accuracy, 0.9075)


def test_flower_with_engine_gradients_reaches_90_percent_too():
    X, Y = nn.planar_flower()
    P = shallow.initialize_parameters(2, 4, 1, seed=2)
    for _ in range(10000):  # rounding differences grow after ~7000 steps at lr 1.2
        P = shallow.update_parameters(P, shallow.backward_propagation_engine(P, X, Y), 1.2)
    for k in P:
        assert np.all(np.isfinite(P[k]))
    assert np.mean(shallow.predict(P, X) == Y) >= 0.90


def test_flower_hand_and_engine_trajectories_agree_for_1000_steps():
    X, Y = nn.planar_flower()
    P = shallow.initialize_parameters(2, 4, 1, seed=2)
    H = dict(P)
    for _ in range(1000):
        P = shallow.update_parameters(P, shallow.backward_propagation_engine(P, X, Y), 1.2)
        _, cache = shallow.forward_propagation(X, H)
        H = shallow.update_parameters(H, shallow.backward_propagation(H, cache, X, Y), 1.2)
    for k in P:
        np.testing.assert_allclose(P[k], H[k], rtol=1e-10, atol=1e-12)


def _printed_costs(capsys):
    """{iteration: cost} from the lines "Cost after iteration i: cost" printed so far."""
    lines = capsys.readouterr().out.splitlines()
    found = [re.fullmatch(r"Cost after iteration (\d+): (\S+)", line) for line in lines]
    return {int(f[1]): float(f[2]) for f in found if f}, lines


def test_logistic_regression_on_cats(cat_dir, capsys):
    d = nn.load_catvnoncat(cat_dir)
    r = logistic.model(d.train_X, d.train_Y, d.test_X, d.test_Y, num_iterations=2000,
                       learning_rate=0.005, print_cost=True)
    assert np.isclose(r["train_accuracy"], 99.04306220095694)
    assert np.isclose(r["test_accuracy"], 70.0)
    assert len(r["costs"]) == 20  # iterations 0, 100, ..., 1900
    assert np.isclose(r["costs"][19], 0.140872, atol=1e-6)  # iteration 1900
    # the notebook's expected output, line for line where it prints them
    _, lines = _printed_costs(capsys)
    assert lines[:2] == ["Cost after iteration 0: 0.693147",
                         "Cost after iteration 100: 0.584508"]
    assert lines[19] == "Cost after iteration 1900: 0.140872"
    assert lines[20:] == ["train accuracy: 99.04306220095694 %", "test accuracy: 70.0 %"]


def test_logistic_regression_on_cats_with_engine_gradients(cat_dir):
    d = nn.load_catvnoncat(cat_dir)
    w, b = logistic.initialize_with_zeros(12288)
    for _ in range(2000):
        grads, _ = logistic.propagate_engine(w, b, d.train_X, d.train_Y)
        w, b = w - 0.005 * grads["dw"], b - 0.005 * grads["db"]
    assert np.isclose(np.mean(logistic.predict(w, b, d.train_X) == d.train_Y), 0.9904306220095)
    assert np.isclose(np.mean(logistic.predict(w, b, d.test_X) == d.test_Y), 0.70)


# The application notebook's printed costs ("Expected Output"), by iteration.
TWO_LAYER_COSTS = {0: 0.6930497356599888, 100: 0.6464320953428849, 2499: 0.04421498215868956}
L_LAYER_COSTS = {0: 0.7717493284237686, 100: 0.6720534400822914, 200: 0.6482632048575212,
                 2400: 0.09287821526472398, 2499: 0.08843994344170202}


def _check_course_costs(costs, capsys, published):
    """costs: the course's 25 (0, 100, ..., 2400); printed: those and 2499, the last."""
    printed, _ = _printed_costs(capsys)
    assert sorted(printed) == list(range(0, 2500, 100)) + [2499]
    assert len(costs) == 25
    for i, cost in published.items():
        assert np.isclose(printed[i], cost, rtol=1e-9), i
        if i % 100 == 0:
            assert np.isclose(costs[i // 100], cost, rtol=1e-9), i


@pytest.mark.parametrize("gradients", ["hand", "engine"])
def test_two_layer_model_on_cats(cat_dir, gradients, capsys):
    d = nn.load_catvnoncat(cat_dir)
    if gradients == "hand":
        params, costs = deep.two_layer_model(d.train_X, d.train_Y, [12288, 7, 1],
                                             num_iterations=2500, print_cost=True)
        _check_course_costs(costs, capsys, TWO_LAYER_COSTS)
        model = nn.Model([12288, 7, 1])
        model.parameters = params
    else:
        model = nn.Model([12288, 7, 1], init="small_random", seed=1)
        costs = model.fit(d.train_X, d.train_Y, 0.0075, 2500, gradients="engine",
                          progress=False)
        assert np.isclose(costs[-1], TWO_LAYER_COSTS[2499], rtol=1e-9)  # fit records the last
    assert np.isclose(model.accuracy(d.train_X, d.train_Y), 1.0)
    assert np.isclose(model.accuracy(d.test_X, d.test_Y), 0.72)


@pytest.mark.parametrize("gradients", ["hand", "engine"])
def test_L_layer_model_on_cats(cat_dir, gradients, capsys):
    d = nn.load_catvnoncat(cat_dir)
    dims = [12288, 20, 7, 5, 1]
    if gradients == "hand":
        params, costs = deep.L_layer_model(d.train_X, d.train_Y, dims, num_iterations=2500,
                                           print_cost=True)
        _check_course_costs(costs, capsys, L_LAYER_COSTS)
        model = nn.Model(dims)
        model.parameters = params
    else:
        model = nn.Model(dims, init="lecun", seed=1)
        costs = model.fit(d.train_X, d.train_Y, 0.0075, 2500, gradients="engine",
                          progress=False)
        assert np.isclose(costs[-1], L_LAYER_COSTS[2499], rtol=1e-9)  # fit records the last
    assert np.isclose(model.accuracy(d.train_X, d.train_Y), 0.9856459330143539)
    assert np.isclose(model.accuracy(d.test_X, d.test_Y), 0.80)
