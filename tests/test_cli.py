"""The command line: graph, train and check, and one-line errors with non-zero exits."""

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from nn.cli import main

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_graph_prints_gradients_and_writes_diagrams(capsys, tmp_path):
    for suffix in ("svg", "png", "dot"):
        code, out, err = run(capsys, "graph", "(a+b)*(b+1)", "a=2", "b=3", "-o",
                             str(tmp_path / f"e.{suffix}"))
        assert code == 0, err
        assert "d out / d a = 4" in out and "d out / d b = 9" in out and "out = 20" in out
        assert (tmp_path / f"e.{suffix}").stat().st_size > 100


def test_graph_explain_and_arrays(capsys):
    code, out, _ = run(capsys, "graph", "sum(x * x) + exp(y)", "x=[1,2,3]", "y=0", "--explain")
    assert code == 0
    assert "d out / d x = [2., 4., 6.]" in out and "d out / d y = 1" in out
    assert "upstream grad" in out
    code, out, _ = run(capsys, "graph", "(a+b)*(b+1)", "a=2", "b=3", "--explain")
    assert "b: 4 + 5 = 9" in out


def test_graph_code_prints_the_generated_numpy_code_which_runs_to_the_same_gradients(capsys):
    code, out, err = run(capsys, "graph", "sum(tanh(w * x) + w)", "w=[0.5,-1]", "x=[2,3]",
                         "--code")
    assert code == 0, err
    source = out[out.index("import numpy as np"):]
    assert "def expression(w, x):" in source and "Tensor" not in source
    assert "dw = " in source and "# backward" in source
    namespace = {}
    exec(source, namespace)  # noqa: S102  (the printed code defines the function)
    w, x = np.array([0.5, -1.0]), np.array([2.0, 3.0])
    value, (dw, dx) = namespace["expression"](w, x)
    assert np.isclose(value, np.sum(np.tanh(w * x) + w))
    np.testing.assert_allclose(dw, (1 - np.tanh(w * x) ** 2) * x + 1)
    np.testing.assert_allclose(dx, (1 - np.tanh(w * x) ** 2) * w)
    assert f"d out / d w = {np.array2string(dw, precision=6, separator=', ')}" in out


def test_the_courses_example_code_names_each_gradient_where_a_forward_value_is_its_value(capsys):
    """de/dd = c and de/dc = d: each gradient keeps its line, so db reads as a sum of two
    gradients (it read ``db = t3 + dt3``, t3 the forward a + b standing for dt5)."""
    code, out, err = run(capsys, "graph", "(a+b)*(b+1)", "a=2", "b=3", "--code")
    assert code == 0, err
    backward = out[out.index("# backward"):].splitlines()[1:]
    lines = [line.strip() for line in backward]
    assert lines[:3] == ["dt3 = t5", "dt5 = t3", "db = dt5 + dt3"], backward
    namespace = {}
    exec(out[out.index("import numpy as np"):], namespace)  # noqa: S102
    assert namespace["expression"](2.0, 3.0) == (20.0, (4.0, 9.0))


@pytest.mark.parametrize("expression,value", [("1/0", "inf"), ("0/0", "nan"), ("2 + 3", "5")])
def test_graph_of_numbers_alone_prints_numpys_value_as_its_help_says(capsys, expression, value):
    code, out, err = run(capsys, "graph", expression)
    assert code == 0 and err == ""
    assert f"out = {value}\n" in out and "no gradients" in out


@pytest.mark.parametrize("argv,message,status", [
    (["graph", "a.__class__", "a=1"], "'a.__class__' is not allowed in an expression", 1),
    (["graph", "__import__('os')", "a=1"], "not allowed", 1),
    (["graph", "a + c", "a=1"], "unknown name 'c'", 1),
    (["graph", "a +", "a=1"], "syntax error", 1),
    (["graph", "a", "a=[1,2"], "cannot read the value", 1),
    (["graph", "a", "a"], "name=value", 2),
    (["graph", "2 + 3", "--explain"], "does not depend on any input", 1),
    (["graph", "2 + 3", "--code"], "does not depend on any input", 1),
    (["graph", "a", "a=1", "--rankdir", "XY"], "invalid choice: 'XY'", 2),
    (["train", "deep", "--data", "cat:/no/such/dir"], "not found", 1),
    (["train", "deep", "--data", "mnist"], "--data must be", 2),
    (["train", "deep", "--layers", "4,x"], "--layers", 2),
    (["train", "deep", "--layers", "0"], "positive", 2),
    (["train", "shallow", "--layers", "4,4"], "exactly one hidden layer", 2),
    (["train", "logistic", "--layers", "3", "--data", "flower"], "no hidden layer", 2),
    (["train", "tiny"], "invalid choice", 2),
    (["check", "deep", "--m", "0"], "from 1 to 1,000", 2),
])
def test_user_errors_are_one_line_and_non_zero(capsys, argv, message, status):
    code, out, err = run(capsys, *argv)
    assert code == status  # 2: the command line itself; 1: found later
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_malformed_cat_files_are_one_line_errors(capsys, tmp_path):
    (tmp_path / "train_catvnoncat.h5").write_text("not hdf5")
    (tmp_path / "test_catvnoncat.h5").write_text("not hdf5")
    code, _, err = run(capsys, "train", "logistic", "--data", f"cat:{tmp_path}")
    assert code == 1 and "HDF5" in err and len(err.strip().splitlines()) == 1


def test_train_on_flower_saves_and_plots(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    code, out, err = run(capsys, "train", "shallow", "--iterations", "300", "--no-progress",
                         "--save", str(tmp_path / "m.npz"), "--plot", str(tmp_path / "c.png"))
    assert code == 0, err
    assert "train accuracy" in out
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"
    import nn
    saved = nn.load(tmp_path / "m.npz")
    assert saved.layer_dims == [2, 4, 1]
    # its cost curve too, as Model.fit records it: every 100 iterations and the last (the
    # file had none, so nn.load(f).costs was [])
    printed = [float(line.split(": ")[1]) for line in out.splitlines()
               if line.startswith("Cost after iteration")]
    assert len(saved.costs) == 4 and saved.costs[0] == pytest.approx(printed[0], rel=1e-6)
    assert f"final cost: {saved.costs[-1]:.6f}" in out


@pytest.mark.parametrize("hidden", ["tanh", "sigmoid", "leaky_relu"])
def test_train_deep_scores_the_network_it_trained(capsys, tmp_path, monkeypatch, hidden):
    """A learner's report: --hidden tanh trained a tanh network and scored it through relu
    (50.00 % printed; the saved model scores 89.75 %). The plot's boundary used relu too."""
    import matplotlib

    import nn
    from nn import plot
    matplotlib.use("Agg")
    drawn = []
    monkeypatch.setattr(plot, "plot_decision_boundary",
                        lambda predict, X, *a, **k: drawn.append(predict(X)))
    code, out, err = run(capsys, "train", "deep", "--data", "flower", "--hidden", hidden,
                         "--layers", "4", "--learning-rate", "1.2", "--iterations", "300",
                         "--seed", "2", "--init", "small_random", "--no-progress",
                         "--save", str(tmp_path / "m.npz"), "--plot", str(tmp_path / "p.png"))
    assert code == 0, err
    from nn.cli import DATASETS
    data = DATASETS["flower"].load(None)
    model = nn.load(tmp_path / "m.npz")
    assert f"train accuracy: {100 * model.accuracy(data.train_X, data.train_Y):.2f} %" in out
    np.testing.assert_array_equal(drawn[0], model.predict(data.train_X))


def test_train_each_model_with_engine_gradients(capsys):
    for model in ("logistic", "shallow", "deep"):
        code, out, err = run(capsys, "train", model, "--iterations", "50", "--no-progress",
                             "--gradients", "engine", "--data", "flower")
        assert code == 0, err
        assert "train accuracy" in out


def test_train_logistic_on_cats_prints_the_courses_cost_curve(capsys, cat_dir):
    code, out, _ = run(capsys, "train", "logistic", "--data", f"cat:{cat_dir}", "--no-progress")
    assert code == 0 and "train accuracy: 99.04 %" in out and "test accuracy: 70.00 %" in out
    curve = [line for line in out.splitlines() if line.startswith("Cost after")]
    assert [line.split(":")[0] for line in curve] == [
        f"Cost after iteration {i}" for i in range(0, 2000, 100)]
    assert curve[0] == "Cost after iteration 0: 0.693147"  # the notebook's lines
    assert curve[1] == "Cost after iteration 100: 0.584508"
    assert curve[-1] == "Cost after iteration 1900: 0.140872"


def test_plot_without_matplotlib_says_what_to_install(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code, _, err = run(capsys, "train", "shallow", "--iterations", "1", "--plot", "x.png")
    assert code == 2 and "pip install 'autograd-lite[plot]'" in err


@pytest.mark.parametrize("model", ["logistic", "shallow", "deep"])
def test_check_prints_a_passing_report_and_json(capsys, model):
    code, out, _ = run(capsys, "check", model)
    assert code == 0 and "all gradients agree" in out
    code, out, _ = run(capsys, "check", model, "--json", "--m", "3", "--seed", "4")
    data = json.loads(out)
    assert code == 0 and data["passed"] and data["score"] == 1.0


def test_console_script_and_python_m_work():
    exe = os.path.join(os.path.dirname(sys.executable), "autograd-lite")
    for cmd in ([exe], [sys.executable, "-m", "autograd_lite"], [sys.executable, "-m", "nn"]):
        done = subprocess.run(cmd + ["graph", "(a+b)*(b+1)", "a=2", "b=3"], capture_output=True,
                              text=True, cwd=REPO, check=False)
        assert done.returncode == 0, done.stderr
        assert "d out / d b = 9" in done.stdout


def test_values_parse_to_float_arrays():
    from autograd_lite.expr import parse_value
    np.testing.assert_array_equal(parse_value("[[1, -2], [3, 4.5]]"), [[1, -2], [3, 4.5]])


@pytest.mark.parametrize("gradients, cost", [("hand", "17.269788"), ("engine", "30546.610111")])
def test_a_saturated_cost_is_clipped_by_hand_and_exact_in_the_engine_as_the_readme_says(
        capsys, gradients, cost):
    code, out, err = run(capsys, "train", "deep", "--data", "circles", "--init", "large_random",
                         "--iterations", "1", "--no-progress", "--gradients", gradients)
    assert code == 0, err
    assert f"final cost: {cost}" in out
    assert f"({float(cost):.2f}" in open(os.path.join(REPO, "README.md")).read()


def test_python_m_nn_cli_runs_the_command_line_as_python_m_nn_does():
    """python -m nn.cli printed nothing and exited 0 (no __main__ block; second review)."""
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-m", "nn.cli", "graph", "a*2", "a=3"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "out = 6" in done.stdout, done.stderr


def test_the_cat_models_full_layer_list_is_taken_as_help_shows_it(capsys, cat_dir):
    """--layers 12288,20,7,5,1, the list train --help shows, was refused: n_x = 12288 is
    over the 10,000-unit cap, which is for hidden layers (n_x comes from the data)."""
    assert main(["train", "deep", "--data", f"cat:{cat_dir}", "--layers", "12288,20,7,5,1",
                 "--iterations", "1"]) == 0
    assert "[12288, 20, 7, 5, 1]" in capsys.readouterr().out


def test_an_input_named_out_gets_its_own_box_and_the_output_another_name(capsys, tmp_path):
    """"out*2" out=3 drew two boxes named out and printed d out / d out = 2."""
    code, printed, _ = run(capsys, "graph", "out*2", "out=3", "-o", str(tmp_path / "o.dot"))
    assert code == 0 and "out2 = 6" in printed and "d out2 / d out = 2" in printed
    labels = re.findall(r'label="(\w+)\\n', (tmp_path / "o.dot").read_text())
    assert sorted(labels) == ["out", "out2"]
    code, printed, _ = run(capsys, "graph", "a", "a=2", "--explain")  # the input itself
    assert "a: 1" in printed and "d out / d a = 1" in printed and "out: 1" not in printed


def test_a_typed_constant_is_drawn_as_typed_and_precision_sets_the_digits(capsys, tmp_path):
    """a * 1.00001 was drawn `a * 1`, and `a: 1 + -1 = 1e-05` read as false arithmetic."""
    run(capsys, "graph", "a*1.00001 - a", "a=2", "-o", str(tmp_path / "c.dot"))
    assert "a * 1.00001" in (tmp_path / "c.dot").read_text()
    code, printed, _ = run(capsys, "graph", "a*1.00001 - a", "a=2", "--explain", "--precision",
                           "8")
    assert "a: 1.00001 + -1 = 1e-05" in printed
    assert run(capsys, "graph", "a", "a=1", "--precision", "0")[0] == 2


@pytest.mark.parametrize("expression,says", [
    ("max(a, b)", "Python's max of two values is maximum(a, b)"),
    ("min(a, b)", "Python's min of two values is minimum(a, b)"),
    ("max(a, 0)", "maximum(a, 0)"),  # a relu, as Python reads it: it gave a, as numpy's axis 0
    ("sum(a, b)", "the sum of two is a + b"),
])
def test_max_min_and_sum_of_two_values_say_what_to_write(capsys, expression, says):
    """They said "axis must be a whole number", and max(a, 0) gave a silently."""
    code, _, err = run(capsys, "graph", expression, "a=1", "b=2")
    assert code == 1 and says in err


def test_explain_of_a_graph_too_big_for_its_table_still_draws_it(capsys, tmp_path):
    """It was reported as an internal error, and the -o diagram was not written."""
    expression = " + ".join(f"a*{i}" for i in range(40))
    code, out, err = run(capsys, "graph", expression, "a=1", "--explain", "-o",
                         str(tmp_path / "big.dot"))
    assert code == 0 and "d out / d a = 780" in out and "-o draws it" in err
    assert (tmp_path / "big.dot").exists()


def test_a_tuple_of_axes_is_still_an_axis_for_max_and_sum(capsys):
    for expression, value in (("sum(x, (0, 1))", "out = 10"), ("max(x, (0, 1))", "out = 4")):
        code, out, _ = run(capsys, "graph", expression, "x=[[1,2],[3,4]]")
        assert code == 0 and value in out
