"""Every example runs in its quick mode; the grader scores the correct and the wrong learner."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import cat_data_dir

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"


def run_example(name, tmp_path, *args, env=None):
    full_env = dict(os.environ, QUICK="1", GRADER_EXAMPLES="25", **(env or {}))
    return subprocess.run([sys.executable, str(EXAMPLES / name), *args], cwd=tmp_path,
                          env=full_env, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("name", ["computation_graph.py", "shallow_flower.py",
                                  "gradient_check.py"])
def test_examples_without_data(name, tmp_path):
    done = run_example(name, tmp_path)
    assert done.returncode == 0, done.stderr
    if name == "computation_graph.py":
        assert "de/db = 9" in done.stdout and (tmp_path / "computation_graph.svg").exists()


@pytest.mark.parametrize("name", ["logistic_regression_cat.py", "deep_cat.py"])
def test_examples_with_cat_data(name, tmp_path):
    data = cat_data_dir()
    if data is None:
        pytest.skip("cat/non-cat data not found: set CATVNONCAT_DIR")
    done = run_example(name, tmp_path, env={"CATVNONCAT_DIR": str(data)})
    assert done.returncode == 0, done.stderr
    assert "test accuracy" in done.stdout


def test_cat_examples_say_where_the_data_should_be(tmp_path):
    done = run_example("deep_cat.py", tmp_path, env={"CATVNONCAT_DIR": str(tmp_path / "no")})
    assert done.returncode != 0 and "CATVNONCAT_DIR" in done.stderr


def test_grader_passes_the_correct_learner(tmp_path):
    done = run_example("grader.py", tmp_path, str(EXAMPLES / "learners" / "deep_correct.py"),
                       "--json", "g.json")
    assert done.returncode == 0, done.stderr
    result = json.loads((tmp_path / "g.json").read_text())
    assert result["passed"] and result["score"] == 1.0


def test_grader_shrinks_and_scores_the_wrong_learner(tmp_path):
    done = run_example("grader.py", tmp_path, str(EXAMPLES / "learners" / "deep_wrong.py"),
                       "--json", "g.json")
    assert done.returncode == 0, done.stderr
    result = json.loads((tmp_path / "g.json").read_text())
    assert not result["passed"] and result["report"]["first_failure"] == "dW1"
    assert result["counterexample"]["m"] == 2  # the smallest m that shows a missing 1/m
    assert result["counterexample"]["layer_dims"] == [1, 1]
    assert 0 < result["score"] < 1
    assert (tmp_path / "grader_out" / "counterexample.dot").exists()
    assert "first disagreement: dW1" in done.stdout


def test_grader_handles_propagate_learners(tmp_path):
    done = run_example("grader.py", tmp_path,
                       str(EXAMPLES / "learners" / "propagate_correct.py"), "--json", "g.json")
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "g.json").read_text())["passed"]


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
    assert any("image/png" in o.get("data", {}) for o in outputs)  # an inline plot
