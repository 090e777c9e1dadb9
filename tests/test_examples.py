"""Every example runs in its quick mode and prints what it promises (checked against the
course's numbers or an independent computation); the grader scores the correct and the wrong
learner, and grades a learner for every model of the registry."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import assert_git_ignores, cat_data_dir

import nn

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"


def run_example(name, tmp_path, *args, env=None):
    full_env = dict(os.environ, QUICK="1", GRADER_EXAMPLES="25", **(env or {}))
    done = subprocess.run([sys.executable, str(EXAMPLES / name), *args], cwd=tmp_path,
                          env=full_env, capture_output=True, text=True, timeout=600)
    assert_git_ignores(tmp_path)  # what it writes, run from a clone's root
    return done


def test_computation_graph_prints_the_courses_gradients_and_draws_them(tmp_path):
    done = run_example("computation_graph.py", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "e = 20, de/da = 4, de/db = 9" in done.stdout  # c = a + b = 5, d = b + 1 = 4
    svg = (tmp_path / "computation_graph.svg").read_text()
    assert svg.lstrip().startswith("<") and "<svg" in svg


def _flower_by_hand(n_h, iterations, learning_rate):
    """The week-3 network written out in numpy from the course's formulas, for comparison."""
    X, Y = nn.planar_flower()  # (2, 400), (1, 400)
    m = X.shape[1]
    rng = np.random.RandomState(2)  # the course's np.random.seed(2), W1 then W2
    W1, b1 = rng.randn(n_h, 2) * 0.01, np.zeros((n_h, 1))
    W2, b2 = rng.randn(1, n_h) * 0.01, np.zeros((1, 1))
    for _ in range(iterations):
        A1 = np.tanh(W1 @ X + b1)
        A2 = 1 / (1 + np.exp(-(W2 @ A1 + b2)))
        dZ2 = A2 - Y
        dZ1 = (W2.T @ dZ2) * (1 - A1 ** 2)
        dW2, db2 = dZ2 @ A1.T / m, dZ2.mean(axis=1, keepdims=True)
        dW1, db1 = dZ1 @ X.T / m, dZ1.mean(axis=1, keepdims=True)
        W1, b1, W2, b2 = (W1 - learning_rate * dW1, b1 - learning_rate * db1,
                          W2 - learning_rate * dW2, b2 - learning_rate * db2)
    A2 = 1 / (1 + np.exp(-(W2 @ np.tanh(W1 @ X + b1) + b2)))
    return 100 * np.mean((A2 > 0.5) == Y)


def test_shallow_flower_prints_the_accuracy_the_courses_formulas_give(tmp_path):
    done = run_example("shallow_flower.py", tmp_path)  # quick: 1000 iterations, no sweep
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "Cost after iteration 0: 0.693048"
    found = re.search(r"accuracy with 4 hidden units: ([\d.]+) %", done.stdout)
    assert found and float(found[1]) == round(_flower_by_hand(4, 1000, 1.2), 2)
    assert_png(tmp_path / "flower_boundary.png")  # nn.plot's decision boundary


def assert_png(path):
    """A PNG that is more than one flat colour."""
    from matplotlib.image import imread

    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = imread(path)
    assert np.any(np.abs(pixels - pixels[0, 0]) > 0.05, axis=-1).mean() > 0.01


def test_gradient_check_passes_the_right_gradients_and_names_the_bug(tmp_path):
    done = run_example("gradient_check.py", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "softplus VJP passes gradcheck: True" in done.stdout
    assert "all gradients agree" in done.stdout  # the correct dW, db
    assert "first disagreement: dW1" in done.stdout  # the missing 1/m
    assert 'grader JSON: {"passed": false' in done.stdout


def test_logistic_regression_cat_prints_the_courses_costs(tmp_path):
    data = cat_data_dir()
    if data is None:
        pytest.skip("cat/non-cat data not found: set CATVNONCAT_DIR")
    done = run_example("logistic_regression_cat.py", tmp_path, str(data),  # the folder given
                       env={"CATVNONCAT_DIR": str(tmp_path / "not here")})  # quick: 200 it.
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:2] == ["Cost after iteration 0: 0.693147",  # the notebook's own lines
                         "Cost after iteration 100: 0.584508"]
    gap = re.search(r"max \|dw - engine dw\| = (\S+)", done.stdout)
    assert gap and float(gap[1]) < 1e-12
    assert_png(tmp_path / "logistic_costs.png")  # nn.plot's cost curve


def test_deep_cat_starts_at_the_courses_cost_and_saves_what_it_scored(tmp_path):
    data = cat_data_dir()
    if data is None:
        pytest.skip("cat/non-cat data not found: set CATVNONCAT_DIR")
    done = run_example("deep_cat.py", tmp_path, env={"CATVNONCAT_DIR": str(data)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("cost: 0.7717 -> ")  # the notebook's cost at iteration 0
    model = nn.load(tmp_path / "deep_cat.npz")
    assert model.layer_dims == [12288, 20, 7, 5, 1]
    cats = nn.load_catvnoncat(data)
    for split, X, Y in (("train", cats.train_X, cats.train_Y), ("test", cats.test_X, cats.test_Y)):
        assert f"{split} accuracy: {100 * model.accuracy(X, Y):.2f} %" in done.stdout
    assert_png(tmp_path / "deep_cat_costs.png")
    assert_png(tmp_path / "deep_cat_mislabeled.png")  # nn.plot's grid of mislabelled images


def test_cat_examples_say_where_the_data_should_be(tmp_path):
    done = run_example("deep_cat.py", tmp_path, env={"CATVNONCAT_DIR": str(tmp_path / "no")})
    assert done.returncode != 0 and "(from $CATVNONCAT_DIR) not found" in done.stderr
    env = {k: v for k, v in os.environ.items() if k != "CATVNONCAT_DIR"}
    env.update(AUTOGRAD_LITE_DATA_DIR=str(tmp_path / "empty"), QUICK="1")
    done = subprocess.run([sys.executable, str(EXAMPLES / "logistic_regression_cat.py")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode != 0 and "autograd-lite data add cat" in done.stderr


def test_grader_passes_the_correct_learner(tmp_path):
    done = run_example("grader.py", tmp_path, str(EXAMPLES / "learners" / "deep_correct.py"),
                       "--json", "grade.json")
    assert done.returncode == 0, done.stderr
    result = json.loads((tmp_path / "grade.json").read_text())
    assert result["score"] == 100.0 and all(t["status"] == "passed" for t in result["tests"])


def test_grader_shrinks_and_scores_the_wrong_learner(tmp_path):
    done = run_example("grader.py", tmp_path, str(EXAMPLES / "learners" / "deep_wrong.py"),
                       "--json", "grade.json")
    assert done.returncode == 0, done.stderr
    result = json.loads((tmp_path / "grade.json").read_text())
    case = result["extra_data"]["counterexample"]
    assert case["m"] == 2  # the smallest m that shows a missing 1/m
    assert case["layer_dims"] == [1, 1]
    assert 0 < result["score"] < 100
    assert (tmp_path / "grader_out" / "counterexample.dot").exists()
    assert "first disagreement: dW1" in done.stdout


def test_grader_handles_propagate_learners(tmp_path):
    done = run_example("grader.py", tmp_path,
                       str(EXAMPLES / "learners" / "propagate_correct.py"), "--json", "grade.json")
    assert done.returncode == 0, done.stderr
    result = json.loads((tmp_path / "grade.json").read_text())
    assert [t["name"] for t in result["tests"]] == ["propagate: dw", "propagate: db",
                                                     "propagate: cost"]
    assert result["score"] == 100.0


def test_notebook_tour_executes(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(EXAMPLES / "tour.ipynb", as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/svg+xml" in o.get("data", {}) for o in outputs)  # an inline diagram
    # nn.plot's two figures, shown as the cells' last expressions
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 2
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "nn.plot.plot_decision_boundary(" in code and "nn.plot.plot_costs(" in code
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    # Course 2: zeros never break the symmetry; randn x 10 starts saturated; He learns best
    assert " zeros: first cost 0.6931, last 0.6931; train 50.00%, test 50%" in text
    assert "random: first cost inf, " in text
    train = {k: float(v) for k, v in re.findall(r"(\w+): first cost .*?train ([\d.]+)%", text)}
    assert train["he"] > train["random"] > train["zeros"]
    # the gradient-check story: the course's one number, check_gradients' two keys
    assert "the course: difference = 0.2850931567761623" in text
    assert "check_gradients: wrong = ['dW2', 'db1']" in text
