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
