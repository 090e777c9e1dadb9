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

from nn import regularization
from nn.data import DATASETS
from nn.registry import COURSE_MODELS

THOROUGH = os.environ.get("AUTOGRAD_LITE_PROFILE") == "thorough"
# The random x 10 start saturates the sigmoid and its trajectory amplifies rounding: hand and
# engine part after ~200 iterations (both still end at 83 % / 86 %), so its prefix is 100.
ENGINE_PREFIX = {"initialization": 100, "regularization": 1000, "optimization": 100}


def _same_parameters(hand, engine):
    assert set(hand) == set(engine)
    for k in hand:
        np.testing.assert_allclose(engine[k], hand[k], rtol=1e-9, atol=1e-12, err_msg=k)


def _rows(name):
    model = COURSE_MODELS[name]
    return [pytest.param(model, r, id=r.setting) for r in model.results]


def _train(model, data, result, **settings):
    """(parameters, costs) from the registry's train function (the course's model) with the
    published row's options."""
    run = model.run(n_x=data.train_X.shape[0], **{**result.options, **settings})
    return model.train(data, run)


def _accuracies(model, parameters, data):
    """(train %, test % or None) to the course's two decimals."""
    train = round(model.accuracy(parameters, data.train_X, data.train_Y), 2)
    if data.test_X is None:
        return train, None
    return train, round(model.accuracy(parameters, data.test_X, data.test_Y), 2)


def _check_engine(model, data, result):
    """The engine path: its first ENGINE_PREFIX iterations equal the hand path's (quick), or
    the full run reproduces the published accuracies (thorough)."""
    n = model.iterations if THOROUGH else ENGINE_PREFIX[model.name]
    engine, _ = _train(model, data, result, iterations=n, gradients="engine")
    if THOROUGH:
        assert _accuracies(model, engine, data) == result.expected
    else:
        _same_parameters(_train(model, data, result, iterations=n)[0], engine)


def test_the_readme_says_what_the_quick_profile_runs():
    """The README's Course 2 paragraph names each engine prefix that ENGINE_PREFIX sets."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    text = " ".join(readme.split("**Course 2.**")[1].split("<!-- results2:start")[0].split())
    for name, n in ENGINE_PREFIX.items():
        assert f"`{name}`: first {n:,} {COURSE_MODELS[name].unit}s" in text, name
    assert "every row runs its hand-derived path at full length" in text


def test_the_course_2_entries_are_its_three_trained_models():
    assert [m.name for m in COURSE_MODELS.values() if m.course == 2] == [
        "initialization", "regularization", "optimization"]


# ---- Initialization: circles, [2, 10, 5, 1], lr 0.01, 15,000 iterations ---------------------
# ---- Regularization: football, [2, 20, 3, 1], lr 0.3, 30,000 iterations ---------------------

@pytest.mark.parametrize("model, result", _rows("initialization") + _rows("regularization"))
def test_initialization_and_regularization_published_accuracies(model, result, request):
    """Hand path, full 15,000 (30,000) iterations; engine path: its first 100 (1000)
    iterations equal the hand path's (quick) or the full run gives the same accuracies
    (thorough). Both record the cost every 1000 iterations."""
    directory = request.getfixturevalue("football_dir") if model.data == "football" else None
    d = DATASETS[model.data].load(directory and str(directory))
    params, costs = _train(model, d, result)
    assert _accuracies(model, params, d) == result.expected
    assert costs[0] == result.costs[0] and len(costs) == model.iterations // 1000
    _check_engine(model, d, result)


# ---- Optimization: moons, [2, 5, 2, 1], He seed 3, mini-batches of 64, 5000 epochs ----------

@pytest.mark.parametrize("model, result", _rows("optimization"))
def test_optimization_published_accuracies(model, result, capsys):
    """Hand path, full 5000 epochs; engine path: its first 100 epochs (500 mini-batch steps)
    equal the hand path's (quick) or the full run gives the same accuracy (thorough)."""
    d = DATASETS[model.data].load(None)
    params, _ = _train(model, d, result, print_cost=True)
    assert _accuracies(model, params, d) == result.expected
    printed = capsys.readouterr().out.splitlines()
    assert len([line for line in printed if line.startswith("Cost after epoch")]) == 5
    if result.costs:
        assert printed[0] == f"Cost after epoch 0: {result.costs[0]:f}"
    _check_engine(model, d, result)


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
    assert "first disagreement: dW2 (layer 2), the one backprop reaches first" in done.stdout
