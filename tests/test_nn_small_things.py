"""Small things users hit (issue 19, point 7): where failure diagrams go, the two initializers'
defaults and their reason, `check`'s heading, and the planted bug of the gradient_check
example saying it is planted. (What the README's commands write is gitignored:
conftest.assert_git_ignores, run by tests/test_readme.py and tests/test_examples.py.)"""

import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nn
from autograd_lite.testing import assert_gradients_match
from nn.cli import main

REPO = Path(__file__).resolve().parent.parent


def test_failure_diagrams_go_to_this_runs_own_folder(tmp_path_factory):
    folder = Path(os.environ["AUTOGRAD_LITE_FAILURE_DIR"])
    assert tmp_path_factory.getbasetemp() in folder.parents  # per run, not a global /tmp
    with pytest.raises(AssertionError, match="diagram: ") as caught:
        assert_gradients_match(lambda x: (x * x).sum(), lambda x: x, [np.ones(3)],
                               name="planted_x_squared")
    assert str(folder / "planted_x_squared") in str(caught.value)
    dot = Path(caught.value.diagram).with_suffix(".dot")  # named for this failure
    assert dot.parent == folder and dot.read_text().startswith("digraph")


def test_model_and_l_layer_model_say_why_their_default_inits_differ():
    assert inspect.signature(nn.Model).parameters["init"].default == "he"
    assert inspect.signature(nn.deep.L_layer_model).parameters["init"].default == "lecun"
    for doc in (nn.Model.__doc__, nn.deep.L_layer_model.__doc__):
        assert '"he"' in doc and '"lecun"' in doc and "relu" in doc
    dims = [5, 4, 3, 1]  # the documented way to start where L_layer_model starts
    course = nn.deep.initialize_parameters_deep(dims, seed=1, init="lecun")
    mine = nn.Model(dims, init="lecun", seed=1).parameters
    for k in course:
        np.testing.assert_array_equal(mine[k], course[k])


def test_check_says_what_it_checked(capsys):
    assert main(["check", "deep", "--seed", "4"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ("check deep: nn.deep.L_model_backward (hand-derived) vs the engine's "
                        "backward() and central differences; layer_dims [3, 20, 7, 5, 1], "
                        "random X (3, 5), Y (1, 5), seed 4")
    assert lines[1].startswith("gradient  shape")
    assert main(["check", "deep", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["passed"] is True  # JSON stays one document


def test_the_gradient_check_example_says_its_bug_is_planted(tmp_path):
    done = subprocess.run([sys.executable, str(REPO / "examples" / "gradient_check.py")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    planted = out.index("bug planted on purpose, a missing 1/m in dW1")
    assert out.index("The correct gradients") < out.index("PASS") < planted
    assert planted < out.index("WRONG")  # said before the WRONG row is shown


# ---- h18: labels an accuracy is scored against, and softmax predictions ---------------------

def _flower_params():
    X, Y = nn.planar_flower()
    return X, Y, nn.regularization.initialize_parameters([2, 10, 5, 1])


@pytest.mark.parametrize("relabel", [lambda Y: 2 * Y - 1, lambda Y: Y + 1, lambda Y: 255 * Y])
def test_test_labels_other_than_0_and_1_are_refused_as_the_training_labels_are(relabel):
    """model(X, Y, X, 2Y - 1) gave a test accuracy of -3 %, and the Course 2 accuracy of
    -1/1 labels 0.39 for 0.935: only the training labels were checked."""
    X, Y, params = _flower_params()
    with pytest.raises(ValueError, match="model: Y_test must hold the labels 0 and 1 only"):
        nn.logistic.model(X, Y, X, relabel(Y), num_iterations=5)
    for module in (nn.regularization, nn.initialization, nn.optimization):
        with pytest.raises(ValueError, match="accuracy: Y must hold the labels 0 and 1 only"):
            module.accuracy(X, relabel(Y), params)
    with pytest.raises(ValueError, match="predict: y must hold the labels 0 and 1 only"):
        nn.regularization.predict(X, relabel(Y), params)
    assert 0 <= nn.regularization.accuracy(X, Y, params) <= 1  # 0/1 labels, as before


def test_an_accuracy_of_no_examples_is_refused_not_nan():
    X, Y, params = _flower_params()
    model = nn.Model([2, 3, 1], seed=0)
    with pytest.raises(ValueError, match=r"accuracy: Y has m = 0 examples \(shape \(1, 0\)\)"):
        model.accuracy(X[:, :0], Y[:, :0])
    with pytest.raises(ValueError, match="accuracy: Y has m = 0 examples"):
        nn.optimization.accuracy(X[:, :0], Y[:, :0], params)


def test_week2_model_says_x_is_transposed_and_that_y_test_is_missing():
    X, Y = nn.planar_flower()
    with pytest.raises(nn.ShapeError, match=r"model: X should be \(n_x, m\) with examples as "
                                            r"columns, got \(400, 2\).*use X.T"):
        nn.logistic.model(X.T, Y, num_iterations=5)
    with pytest.raises(TypeError, match="model: X_test is given without Y_test"):
        nn.logistic.model(X, Y, X, num_iterations=5)


def test_deep_predict_gives_each_examples_class_for_a_softmax_output():
    """A (3, m) output was thresholded unit by unit: 19 of 150 columns had no class or two."""
    from nn import deep
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 40))
    params = deep.initialize_parameters_deep([2, 5, 3])
    AL, _ = deep.L_model_forward(X, params, output="softmax")
    p = deep.predict(X, None, params, output="softmax")
    assert p.shape == (1, 40) and np.array_equal(p[0], np.argmax(AL, axis=0))
    with pytest.raises(ValueError, match=r"predict: the output layer has 3 units \(W2 is "
                                         r"\(3, 5\)\), where a sigmoid output has 1; for 3 "
                                         r"classes, predict\(X, y, parameters, "
                                         r"output=\"softmax\"\)"):
        deep.predict(X, None, params)


def test_softmax_predictions_need_two_units_or_more():
    from nn import deep
    params = deep.initialize_parameters_deep([2, 3, 1])
    with pytest.raises(ValueError, match=r"predict: output=\"softmax\" needs an output layer "
                                         r"of C >= 2 units"):
        deep.predict(np.ones((2, 4)), None, params, output="softmax")
    with pytest.raises(ValueError, match=r"predict: output must be one of"):
        deep.predict(np.ones((2, 4)), None, params, output="tanh")
