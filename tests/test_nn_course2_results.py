"""Course 2's published results (../shared/data/README.md), by the hand-derived and the engine
paths.

Every row runs the hand path (the course's backward functions) for the course's full count
and checks the accuracies exactly as the course prints them (to two decimals of a percent),
and the first printed cost to the last digit where the course prints one.

The engine path (gradients from autograd_lite's backward) depends on the profile:
- "ci" (quick, the default): it runs the first ENGINE_PREFIX iterations (epochs for the
  optimizers) and must equal the hand path's parameters there to rtol 1e-9.
- "thorough" (AUTOGRAD_LITE_PROFILE=thorough): it also runs the full count and must reproduce
  the same accuracies.
The football rows need ../shared/data/football (or $FOOTBALL_DIR) and skip without it.
Cost, measured as process CPU time: about 46 s for this file in "ci" (each training row
1.5-6 s, Adam's the longest), about 90 s in "thorough".
"""

import os

import numpy as np
import pytest

import nn
from nn import initialization, optimization, regularization

THOROUGH = os.environ.get("AUTOGRAD_LITE_PROFILE") == "thorough"
# The random x 10 start saturates the sigmoid and its trajectory amplifies rounding: hand and
# engine part after ~200 iterations (both still end at 83 % / 86 %), so its prefix is 100.
ENGINE_PREFIX = {"initialization": 100, "regularization": 1000, "optimization": 100}


def _percent(accuracy):
    return round(100 * accuracy, 2)


def _same_parameters(hand, engine):
    assert set(hand) == set(engine)
    for k in hand:
        np.testing.assert_allclose(engine[k], hand[k], rtol=1e-9, atol=1e-12, err_msg=k)


# ---- Initialization: circles, [2, 10, 5, 1], lr 0.01, 15,000 iterations ---------------------

INIT_ROWS = [  # initialization, train %, test %, the course's first printed cost
    ("zeros", 50.0, 50.0, 0.6931471805599453),
    ("random", 83.0, 86.0, np.inf),
    ("he", 99.33, 96.0, 0.8830537463419761),
]


@pytest.mark.parametrize("init, train, test, cost0", INIT_ROWS)
def test_initialization_published_accuracies(init, train, test, cost0):
    """Hand path, full 15,000 iterations; engine path: its first 100 iterations equal the
    hand path's (quick) or the full run gives the same accuracies (thorough)."""
    d = nn.load_circles()
    params, costs = initialization.model(d.train_X, d.train_Y, initialization=init,
                                         return_costs=True)
    assert _percent(initialization.accuracy(d.train_X, d.train_Y, params)) == train
    assert _percent(initialization.accuracy(d.test_X, d.test_Y, params)) == test
    assert costs[0] == cost0 and len(costs) == 15
    n = 15000 if THOROUGH else ENGINE_PREFIX["initialization"]
    engine = initialization.model(d.train_X, d.train_Y, initialization=init,
                                  num_iterations=n, gradients="engine")
    if THOROUGH:
        assert _percent(initialization.accuracy(d.train_X, d.train_Y, engine)) == train
        assert _percent(initialization.accuracy(d.test_X, d.test_Y, engine)) == test
    else:
        _same_parameters(initialization.model(d.train_X, d.train_Y, initialization=init,
                                              num_iterations=n), engine)


# ---- Regularization: football, [2, 20, 3, 1], lr 0.3, 30,000 iterations ----------------------

@pytest.fixture
def football(football_dir):
    return nn.load_football(football_dir)


REG_ROWS = [  # lambd, keep_prob, train %, test %, the course's first printed cost
    (0, 1, 94.79, 91.5, 0.6557412523481002),
    (0.7, 1, 93.84, 93.0, 0.6974484493131264),
    (0, 0.86, 92.89, 95.0, 0.6543912405149825),
]


@pytest.mark.parametrize("lambd, keep_prob, train, test, cost0", REG_ROWS)
def test_regularization_published_accuracies(football, lambd, keep_prob, train, test, cost0):
    """Hand path, full 30,000 iterations; engine path: its first 1000 iterations equal the
    hand path's (quick) or the full run gives the same accuracies (thorough)."""
    d = football
    kw = dict(lambd=lambd, keep_prob=keep_prob)
    params, costs = regularization.model(d.train_X, d.train_Y, return_costs=True, **kw)
    assert _percent(regularization.accuracy(d.train_X, d.train_Y, params)) == train
    assert _percent(regularization.accuracy(d.test_X, d.test_Y, params)) == test
    assert costs[0] == cost0 and len(costs) == 30
    n = 30000 if THOROUGH else ENGINE_PREFIX["regularization"]
    engine = regularization.model(d.train_X, d.train_Y, num_iterations=n, gradients="engine",
                                  **kw)
    if THOROUGH:
        assert _percent(regularization.accuracy(d.train_X, d.train_Y, engine)) == train
        assert _percent(regularization.accuracy(d.test_X, d.test_Y, engine)) == test
    else:
        _same_parameters(regularization.model(d.train_X, d.train_Y, num_iterations=n, **kw),
                         engine)


# ---- Optimization: moons, [2, 5, 2, 1], He seed 3, mini-batches of 64, 5000 epochs ----------

OPT_ROWS = [  # optimizer, learning rate, decay, train %, the course's first printed cost
    ("gd", 0.0007, None, 71.67, "0.702405"),
    ("momentum", 0.0007, None, 71.67, None),
    ("adam", 0.0007, None, 94.33, "0.702166"),
    ("gd", 0.1, "schedule_lr_decay", 94.33, None),
    ("momentum", 0.1, "schedule_lr_decay", 95.33, None),
    ("adam", 0.01, "schedule_lr_decay", 94.0, None),
    ("gd", 0.1, "update_lr", 65.33, None),
]


@pytest.mark.parametrize("optimizer, lr, decay, train, cost0", OPT_ROWS)
def test_optimization_published_accuracies(optimizer, lr, decay, train, cost0, capsys):
    """Hand path, full 5000 epochs; engine path: its first 100 epochs (500 mini-batch steps)
    equal the hand path's (quick) or the full run gives the same accuracy (thorough)."""
    X, Y = nn.load_moons()
    kw = dict(learning_rate=lr, decay=decay and getattr(optimization, decay))
    params = optimization.model(X, Y, [2, 5, 2, 1], optimizer, print_cost=True, **kw)
    assert _percent(optimization.accuracy(X, Y, params)) == train
    printed = capsys.readouterr().out.splitlines()
    assert len([line for line in printed if line.startswith("Cost after epoch")]) == 5
    if cost0 is not None:
        assert printed[0] == f"Cost after epoch 0: {cost0}"
    n = 5000 if THOROUGH else ENGINE_PREFIX["optimization"]
    engine = optimization.model(X, Y, [2, 5, 2, 1], optimizer, num_epochs=n,
                                gradients="engine", **kw)
    if THOROUGH:
        assert _percent(optimization.accuracy(X, Y, engine)) == train
    else:
        _same_parameters(optimization.model(X, Y, [2, 5, 2, 1], optimizer, num_epochs=n, **kw),
                         engine)


# ---- Gradient checking -------------------------------------------------------------------

@pytest.mark.parametrize("gradients", ["hand", "engine"])
def test_gradient_check_1d_published_difference(gradients):
    from nn import gradient_checking as gc

    assert repr(gc.gradient_check(3, 4, gradients=gradients)) == "7.814075313343006e-11"


def test_gradient_check_nd_published_difference_hand_and_engine():
    """The notebook's buggy backward (dW2 x 2, db1 with 4/m) gives the course's number; so do
    the engine's gradients with the same two bugs planted."""
    import sys
    from pathlib import Path

    from nn import gradient_checking as gc

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples" / "learners"))
    try:
        from gradient_check_buggy import backward_propagation_n
    finally:
        sys.path.pop(0)
    X, Y, parameters = gc.gradient_check_n_test_case()
    _, cache = gc.forward_propagation_n(X, Y, parameters)
    hand = backward_propagation_n(X, Y, cache)
    assert repr(gc.gradient_check_n(parameters, hand, X, Y)) == "0.2850931567761623"
    engine = regularization.backward_propagation_engine(X, Y.reshape(1, -1), parameters)
    engine["dW2"] = engine["dW2"] * 2
    engine["db1"] = engine["db1"] * 4
    assert repr(gc.gradient_check_n(parameters, engine, X, Y)) == "0.2850931567761623"


def test_gradient_check_example_shows_the_number_and_names_the_two_bugs(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / "examples" / "course2_gradient_check.py"
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "difference = 0.2850931567761623" in done.stdout
    assert "difference = 7.814075313343006e-11" in done.stdout
    assert "check_gradients: wrong = ['db1', 'dW2']" in done.stdout
    assert "first disagreement: db1 (layer 1)" in done.stdout
