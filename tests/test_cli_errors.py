"""The command line on hostile input: constants that overflow or divide by zero, bad values,
numeric options out of range, and training runs that diverge. Each ends in a number as
numpy gives it, or in exactly one line on stderr with the documented exit status."""

import io
import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import nn
from autograd_lite import Tensor
from autograd_lite.expr import ExpressionError, evaluate, parse_value
from nn.cli import MAX_SEED, build_parser, main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err):
    assert "Traceback" not in err and "internal error" not in err, err
    assert len(err.strip().splitlines()) == 1, err
    return err.strip()


# ---- constants follow numpy, not Python's float arithmetic ------------------------------

with np.errstate(all="ignore"):
    F = np.float64
    CONSTANTS = [  # expression over a = 1, numpy's own value of it
        ("a + 1/0", F(1) + F(1) / F(0)),
        ("a - 1/0", F(1) - F(1) / F(0)),
        ("a * (0/0)", F(1) * (F(0) / F(0))),
        ("a + 9**9**9", F(1) + F(9) ** F(9) ** F(9)),
        ("1e308*10 + a", F(1e308) * F(10) + F(1)),
        ("a + 1" + "0" * 400, np.inf),  # an int literal past float64 reads as inf, like 1e400
        ("a + (-2)**0.5", F(1) + F(-2) ** F(0.5)),
        ("a * 0**-1", F(1) * F(0) ** F(-1)),
    ]


@pytest.mark.parametrize("text,expected", CONSTANTS, ids=[c[0][:20] for c in CONSTANTS])
def test_constants_give_numpys_inf_and_nan(text, expected):
    out = evaluate(text, {"a": Tensor(1.0, requires_grad=True)})
    assert isinstance(out, Tensor) and out.dtype == np.float64
    np.testing.assert_array_equal(out.data, expected)


@pytest.mark.parametrize("text,expected", CONSTANTS[:4], ids=[c[0] for c in CONSTANTS[:4]])
def test_graph_of_an_infinite_constant_prints_it_and_the_gradient(capsys, text, expected):
    code, out, err = run(capsys, "graph", text, "a=1")
    assert code == 0 and err == ""
    assert f"out = {float(expected):g}" in out
    assert "d out / d a = " in out


def test_an_expression_of_constants_only_is_a_float64_tensor():
    out = evaluate("1/0 - 1/0", {})
    assert out.dtype == np.float64 and np.isnan(out.item())


@pytest.mark.parametrize("text,message", [
    ("sum(b, axis=1.5)", "axis must be a whole number"),  # was truncated to axis=1
    ("sum(b, axis=1e400)", "axis must be a whole number"),  # was an OverflowError
    ("sum(b, axis=99999999999999999999)", "axis"),
])
def test_bad_axes_are_expression_errors(text, message):
    with pytest.raises(ExpressionError, match=message) as err:
        evaluate(text, {"b": Tensor([[1.0, 2.0]])})
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("call", [
    lambda: evaluate("1if a else a", {"a": Tensor(1.0)}),  # Python warns "invalid decimal
    lambda: parse_value("1in"),                             # literal" before refusing these
])
def test_python_syntax_warnings_become_one_expression_error(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ExpressionError) as err:
            call()
    assert caught == [] and "\n" not in str(err.value)


# ---- values ------------------------------------------------------------------------------

def test_a_bad_value_is_named_once(capsys):
    with pytest.raises(ExpressionError) as err:
        parse_value("x")
    assert str(err.value) == ("cannot read the value 'x': only numbers (nan and inf too) and "
                              "lists of numbers are allowed")
    code, out, err = run(capsys, "graph", "a", "a=x")
    assert code == 1 and out == ""
    assert err == ("autograd-lite: error: cannot read the value 'x': only numbers (nan and inf "
                   "too) and lists of numbers are allowed\n")


def test_nan_and_inf_are_values_as_numpy_names_them(capsys):
    # an outside tester could not give a=nan or a=inf, the edge cases a learner checks
    np.testing.assert_array_equal(parse_value("[1, -inf, inf]"), [1.0, -np.inf, np.inf])
    assert np.isnan(parse_value("nan"))
    code, out, err = run(capsys, "graph", "log(a) * b", "a=inf", "b=2")
    assert code == 0 and "out = inf" in out and "d out / d a = 0" in out, err


@pytest.mark.parametrize("text,reason", [
    ("[1, [2]]", "inhomogeneous"),
    ("-[1, 2]", "a sign goes before a number"),  # was a TypeError from negating a list
    ("[" * 70 + "]" * 70, "nested more than"),
    ("[1, 2", "use a number or a list"),
    ("9" * 5000, "cannot read the value '99999"),  # the value is shown shortened
])
def test_bad_values_are_one_expression_error_naming_the_value_once(text, reason):
    with pytest.raises(ExpressionError, match=reason) as err:
        parse_value(text)
    message = str(err.value)
    assert message.count("cannot read the value") == 1 and "\n" not in message
    assert len(message) < 200


@pytest.mark.parametrize("text,expected", [
    ("1e400", np.inf), ("-1e400", -np.inf), ("1" + "0" * 400, np.inf),
    ("[1, -2.5, +3]", [1.0, -2.5, 3.0]),
])
def test_values_beyond_float64_read_as_inf(text, expected):
    value = parse_value(text)
    assert value.dtype == np.float64
    np.testing.assert_array_equal(value, expected)


# ---- numeric options: out of range is a usage error (exit 2) ---------------------------------

OUT_OF_RANGE = [
    (["train", "shallow", "--iterations", "-5"], "--iterations: must be a whole number from 1 "
                                                 "to 1,000,000, got '-5'"),
    (["train", "shallow", "--iterations", "0"], "--iterations: must be a whole number"),
    (["train", "shallow", "--iterations", "1000001"], "from 1 to 1,000,000"),
    (["train", "shallow", "--iterations", "99999999999"], "from 1 to 1,000,000"),
    (["train", "shallow", "--iterations", "2.5"], "--iterations: must be a whole number"),
    (["train", "shallow", "--layers", "99999999999"], "--layers sizes must be positive integers "
                                                      "from 1 to 10,000"),
    (["train", "shallow", "--layers", "10001"], "from 1 to 10,000"),
    (["train", "deep", "--layers", "5,-3"], "from 1 to 10,000"),
    (["train", "deep", "--layers", "2,0,1"], "from 1 to 10,000"),
    (["train", "deep", "--layers", "5000,5000", "--data", "flower"], "25,025,001 parameters"),
    (["train", "deep", "--layers", "20000,1", "--data", "flower"], "hidden layers of 1 to "
                                                                    "10,000 units, got 20000,1; "
                                                                    "a full list starts with "
                                                                    "this data's n_x = 2"),
    (["train", "deep", "--layers", ",".join(["2"] * 101)], "at most 100 hidden layers"),
    # the course's layers_dims less n_x read as hidden sizes made a 1-unit hidden layer, in silence
    (["train", "deep", "--layers", "20,7,5,1", "--data", "flower"],
     "--layers 20,7,5,1 ends in a hidden layer of one unit before the output unit "
     "(2,20,7,5,1,1): give the hidden sizes alone, --layers 20,7,5, or the full list that "
     "starts with this data's n_x = 2, --layers 2,20,7,5,1 (--layers 2,20,7,5,1,1 if one "
     "unit is meant)"),
    (["check", "deep", "--layers", "4,1"], "--layers 4,1 ends in a hidden layer of one unit"),
    # spaces were deleted ("20 7 5" trained a 2075-unit layer) and empty sizes skipped
    (["train", "deep", "--layers", "", "--data", "flower"], "--layers must be integers "
                                                            "separated by commas, such as 20,7,5"),
    (["train", "deep", "--layers", "20,,5", "--data", "flower"], "got '20,,5'"),
    (["train", "deep", "--layers", ",", "--data", "flower"], "got ','"),
    (["train", "deep", "--layers", "4,1,1", "--data", "flower"],  # (offered --layers 4,1)
     "--layers 4,1,1 ends in a hidden layer of one unit before the output unit (2,4,1,1,1): "
     "give the full list that starts with this data's n_x = 2, --layers 2,4,1,1 (--layers "
     "2,4,1,1,1 if one unit is meant)"),
    (["train", "shallow", "--learning-rate", "nan"], "--learning-rate: must be a positive "
                                                     "finite number"),
    (["train", "shallow", "--learning-rate", "inf"], "positive finite"),
    (["train", "shallow", "--learning-rate=-inf"], "positive finite"),
    (["train", "shallow", "--learning-rate", "0"], "positive finite"),
    (["train", "shallow", "--learning-rate", "-0.01"], "positive finite"),
    (["train", "shallow", "--learning-rate", "1e-400"], "positive finite"),  # reads as 0.0
    (["train", "shallow", "--learning-rate", "fast"], "positive finite"),
    (["grade", "examples/learners/deep_correct.py", "--points", "0"],
     "--points: must be a positive finite number such as 100, got '0'"),  # (said 0.0075)
    (["train", "shallow", "--seed", "-1"], "--seed: must be a whole number from 0 to "
                                           "4,294,967,295"),
    (["train", "shallow", "--seed", str(2**32)], "from 0 to 4,294,967,295"),
    (["check", "deep", "--seed", "-1"], "from 0 to 4,294,967,295"),
    (["check", "deep", "--n-x", "0"], "--n-x: must be a whole number from 1 to 1,000"),
    (["check", "deep", "--n-x", "99999999999"], "from 1 to 1,000"),
    (["check", "deep", "--m", "-1"], "--m: must be a whole number from 1 to 1,000"),
    (["check", "deep", "--m", "1001"], "from 1 to 1,000"),
    (["check", "deep", "--layers", "400,400"], "at most 100,000 are allowed"),
    (["check", "shallow", "--layers", "99999999999"], "from 1 to 10,000"),
]


@pytest.mark.parametrize("argv,message", OUT_OF_RANGE, ids=[" ".join(a)[:40] for a, _ in
                                                            OUT_OF_RANGE])
def test_numeric_options_out_of_range_are_usage_errors(capsys, argv, message):
    code, out, err = run(capsys, *argv, "--no-progress" if argv[0] == "train" else "--json")
    assert code == 2, err
    line = one_line(err)
    assert line.startswith("autograd-lite: usage error: ") and message in line
    assert out == ""  # refused before any training or checking


@pytest.mark.parametrize("layers, dims", [("20,7,5", "[2, 20, 7, 5, 1]"),
                                           ("20 7 5", "[2, 20, 7, 5, 1]"),
                                           (" 20, 7 ,5 ", "[2, 20, 7, 5, 1]"),
                                           ("2,20,7,5,1", "[2, 20, 7, 5, 1]"),
                                           ("2,4,1,1", "[2, 4, 1, 1]"), ("1", "[2, 1, 1]")])
def test_layers_that_say_what_they_mean_are_taken(capsys, layers, dims):
    code, out, err = run(capsys, "train", "deep", "--data", "flower", "--layers", layers,
                         "--iterations", "1", "--no-progress")
    assert code == 0, err
    assert out.startswith(f"training deep {dims} on flower")


def test_a_trailing_one_is_taken_where_the_model_allows_one_reading_alone(capsys):
    # initialization has exactly two hidden layers: 10,1 can only be hidden sizes (refused)
    code, out, err = run(capsys, "train", "initialization", "--layers", "10,1",
                         "--iterations", "1", "--no-progress")
    assert code == 0, err
    assert out.startswith("training initialization [2, 10, 1, 1] on circles")


@pytest.mark.parametrize("argv,attribute,value", [
    (["train", "deep", "--iterations", "1"], "iterations", 1),
    (["train", "deep", "--iterations", "1000000"], "iterations", 1_000_000),
    (["train", "deep", "--learning-rate", "1e-300"], "learning_rate", 1e-300),
    (["train", "deep", "--learning-rate", "1e6"], "learning_rate", 1e6),
    (["train", "deep", "--seed", "0"], "seed", 0),
    (["train", "deep", "--seed", str(MAX_SEED)], "seed", 2**32 - 1),
    (["check", "deep", "--n-x", "1000"], "n_x", 1000),
    (["check", "deep", "--m", "1"], "m", 1),
])
def test_numeric_options_at_their_bounds_are_accepted(argv, attribute, value):
    assert getattr(build_parser().parse_args(argv), attribute) == value


def test_the_bounds_are_stated_in_help(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for bound in ("1 to 1,000,000", "each 1 to 10,000", "10,000,000 parameters",
                  "0 to 4,294,967,295", "positive finite number"):
        assert bound in text


# ---- training that diverges -----------------------------------------------------------------

def _first_non_finite(model_args, learning_rate, iterations, gradients):
    """The first iteration whose cost is NaN or inf, from Model.fit itself."""
    X, Y = nn.planar_flower()
    model = nn.Model(*model_args)
    with np.errstate(all="ignore"), pytest.raises(FloatingPointError) as diverged:
        model.fit(X, Y, learning_rate, iterations, gradients=gradients, progress=False,
                  record_every=1)
    return int(np.flatnonzero(~np.isfinite(diverged.value.costs))[0])


@pytest.mark.parametrize("gradients", ["hand", "engine"])
def test_a_diverging_run_stops_at_the_first_non_finite_cost(capsys, gradients):
    code, out, err = run(capsys, "train", "deep", "--learning-rate", "1e50", "--no-progress",
                         "--gradients", gradients, "--data", "flower")
    expected = _first_non_finite(([2, 20, 7, 5, 1], "relu", "lecun", 1), 1e50, 10,
                                 gradients)
    assert code == 1
    line = one_line(err)
    assert line == (f"autograd-lite: error: the cost became nan at iteration {expected} "
                    f"(learning rate 1e+50): training diverged; lower --learning-rate")
    assert "final cost" not in out and "accuracy" not in out


def test_a_run_whose_last_update_is_non_finite_is_an_error(capsys):
    # costs of iterations 0-2 are finite; the update after iteration 2 makes W1 inf
    code, _, err = run(capsys, "train", "deep", "--learning-rate", "1e50", "--iterations", "3",
                       "--no-progress", "--data", "flower")
    assert code == 1
    assert "the parameters became NaN or inf in the last update" in one_line(err)


def test_a_short_run_of_the_courses_zigzag_start_gets_no_note(capsys, cat_dir):
    """The course's cat logistic regression zigzags up for its first iterations (0.693,
    0.741, 0.753, 0.867, ...); 10 of them ended at 0.877 and were told the learning rate
    may be too high, the course's own (h18 nn)."""
    code, out, err = run(capsys, "train", "logistic", "--data", f"cat:{cat_dir}",
                         "--iterations", "10", "--no-progress")
    assert code == 0 and "final cost: 0.877" in out and "note:" not in out, out
    code, out, err = run(capsys, "train", "shallow", "--learning-rate", "50", "--iterations",
                         "50", "--no-progress")  # far above its start: said
    assert "note: the cost rose from 0.69" in out


def test_a_rising_but_finite_cost_trains_with_a_note(capsys):
    code, out, err = run(capsys, "train", "shallow", "--learning-rate", "1e6", "--iterations",
                         "150", "--no-progress")
    assert code == 0 and err == ""
    assert "note: the cost rose from 0.69" in out and "learning rate may be too high" in out


# ---- the installed command ---------------------------------------------------------------------

def _script(*argv):
    exe = os.path.join(os.path.dirname(sys.executable), "autograd-lite")
    return subprocess.run([exe, *argv], capture_output=True, text=True, cwd=REPO, check=False,
                          timeout=120)


@pytest.mark.parametrize("argv,code,stdout,stderr", [
    (["graph", "a + 1/0", "a=1"], 0, "out = inf", ""),
    (["graph", "a + 9**9**9", "a=1"], 0, "out = inf", ""),
    (["graph", "log(a)", "a=0"], 0, "d out / d a = inf", ""),  # no RuntimeWarning lines
    (["graph", "a", "a=x"], 1, "", "autograd-lite: error: cannot read the value 'x': only "),
    (["graph", "1if a else a", "a=1"], 1, "", "syntax error"),  # no SyntaxWarning line
    (["graph", "a", "a=1in"], 1, "", "cannot read the value '1in'"),
    (["train", "shallow", "--iterations", "-5"], 2, "", "--iterations: must be a whole number"),
    (["train", "shallow", "--layers", "99999999999"], 2, "", "from 1 to 10,000"),
    (["train", "shallow", "--learning-rate", "nan"], 2, "", "positive finite number"),
    (["train", "deep", "--learning-rate", "1e50", "--data", "flower"], 1, "training deep",
     "cost became nan"),
])
def test_console_script_exit_codes_and_one_line(argv, code, stdout, stderr):
    done = _script(*argv)
    assert done.returncode == code, done.stderr
    assert stdout in done.stdout
    if stderr:
        assert stderr in one_line(done.stderr)
    else:
        assert done.stderr == ""


@pytest.mark.parametrize("output", ["e.pdf", "out", "e.svg.bak"])
def test_graph_output_without_a_suffix_it_writes_is_a_usage_error_before_any_work(
        capsys, tmp_path, output):
    code, out, err = run(capsys, "graph", "a*2", "a=1", "-o", str(tmp_path / output))
    assert code == 2 and out == "" and "internal error" not in err
    assert f"{output}' does not end in a suffix" in err and ".svg .png" in err
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("command", [
    ["graph", "(a+b)*(b+1)", "a=2", "b=3", "-o", "{}/e.svg"],
    ["train", "shallow", "--iterations", "1", "--no-progress", "--plot", "{}/x.png"],
    ["train", "shallow", "--iterations", "1", "--no-progress", "--save", "{}/p.npz"],
    ["grade", "examples/learners/propagate_correct.py", "-o", "{}/results.json"],
], ids=["graph -o", "train --plot", "train --save", "grade -o"])
def test_an_output_into_a_folder_that_does_not_exist_is_a_usage_error_before_any_work(
        capsys, tmp_path, command):
    """The results were printed (or the model trained), then '[Errno 2] No such file or
    directory' (exit 1)."""
    missing = tmp_path / "out"
    code, out, err = run(capsys, *[a.format(missing) for a in command])
    assert code == 2 and out == "" and "Errno" not in err
    assert f"there is no folder '{missing}'; create it (mkdir -p" in err


def test_grade_writes_its_results_into_its_own_diagrams_folder_made_for_them(
        capsys, tmp_path, monkeypatch):
    """`grade -o grader_out/results.json` was refused: the grader makes grader_out (its
    diagrams' folder) only later. The folder -o names is made when it is --diagrams's."""
    monkeypatch.chdir(tmp_path)
    learner = os.path.join(ROOT, "examples", "learners", "propagate_correct.py")
    code, out, err = run(capsys, "grade", learner, "--examples", "5", "-o",
                         "grader_out/results.json")
    assert code == 0, err
    assert json.loads((tmp_path / "grader_out" / "results.json").read_text())["score"] == 100
    code, out, err = run(capsys, "grade", learner, "--examples", "5", "--diagrams", "figs",
                         "-o", "figs/r.json")
    assert code == 0 and (tmp_path / "figs" / "r.json").is_file(), err
    code, out, err = run(capsys, "grade", learner, "-o", "elsewhere/r.json")  # not its folder
    assert code == 2 and out == "" and "there is no folder 'elsewhere'" in err
    assert not (tmp_path / "elsewhere").exists()


def test_plot_with_a_suffix_matplotlib_cannot_write_is_a_usage_error_before_training(
        capsys, tmp_path):
    code, out, err = run(capsys, "train", "shallow", "--iterations", "1", "--no-progress",
                         "--plot", str(tmp_path / "x.xyz"))
    assert code == 2 and "training" not in out and "internal error" not in err
    assert "x.xyz: the figure is written in the format its suffix names" in err and ".png" in err


@pytest.mark.parametrize("argv,code,message", [
    (["a*b", "a=2", "b=3", "c=4"], 1, "c given a value but not in the expression 'a*b'"),
    (["a*b", "a=2", "b=3", "a=5"], 2, "a is given two values"),
])
def test_a_name_given_a_value_the_expression_does_not_use_is_an_error(argv, code, message,
                                                                      capsys):
    """c=4 was accepted silently: a typo in the expression (a*b for a*c) looked like a
    gradient of 0."""
    got, out, err = run(capsys, "graph", *argv)
    assert got == code and out == "" and message in one_line(err)


def test_an_expression_starting_with_a_minus_is_told_to_follow_two_dashes(capsys):
    """A learner's report: graph "-a**2" a=3 gave argparse's bare "unrecognized arguments"."""
    assert main(["graph", "-a**2", "a=3"]) == 2
    err = capsys.readouterr().err
    assert "unrecognized arguments: -a**2; an expression that starts with '-' reads as an " \
           "option: put -- before it, after the options (graph --explain -- '-a**2' a=3)" in err
    assert main(["graph", "--", "-a**2", "a=3"]) == 0  # the advice works
    assert "out = -9" in capsys.readouterr().out
    assert main(["graph", "--explain", "--", "-a**2", "a=3"]) == 0  # with an option too
    assert "d out / d a = -6" in capsys.readouterr().out
    # an option after -- (an outside tester followed the old advice so) is told to move
    assert main(["graph", "--", "-a**2", "a=3", "--explain"]) == 2
    assert "put the options before --" in capsys.readouterr().err
    assert main(["graph", "--bogus", "a=3"]) == 2  # an option stays an option
    assert "starts with '-'" not in capsys.readouterr().err


def test_a_method_call_and_clips_one_bound_in_an_expression(capsys):
    """'a.prod()' said "calling 'this expression' is not allowed"; clip(a, max=...) was
    refused, leaving no way to give the upper bound alone."""
    from nn.cli import main
    assert main(["graph", "a.prod()", "a=2"]) == 1
    assert "method calls are not allowed: write prod(x, ...) for x.prod(...)" in \
        capsys.readouterr().err
    assert main(["graph", "clip(a, max=1.5)", "a=2"]) == 0
    assert "out = 1.5" in capsys.readouterr().out


@pytest.mark.parametrize("expression, said", [
    ("np.exp(a)", "write exp(...) for np.exp(...): the expression's functions are the "
                  "engine's, named alone"),
    ("math.log(a)", "write log(...) for math.log(...)"),
    # a dotted path, or a name that is not an input, is a module too (review)
    ("np.linalg.norm(a)", "write norm(...) for np.linalg.norm(...)"),
    ("F.relu(a)", "write relu(...) for F.relu(...)"),
    ("torch.nn.functional.relu(a)", "write relu(...) for torch.nn.functional.relu(...)"),
    ("np.foo(a)", "calling 'np.foo' is not allowed; functions: abs,"),
    ("(a + 1)(a)", "calling 'a + 1' is not allowed"),
])
def test_a_module_prefixed_call_is_told_to_drop_the_module(capsys, expression, said):
    """np.exp(a), what a numpy user types first, was told 'method calls are not allowed:
    write exp(x, ...) for x.exp(...)', about a method it never called."""
    from nn.cli import main
    assert main(["graph", expression, "a=2"]) == 1
    err = capsys.readouterr().err
    assert said in err and "method calls" not in err


def test_an_expression_that_ends_too_early_is_told_where(capsys):
    """'a*' said 'at column 0' (Python gives no offset at the end of the input)."""
    from nn.cli import main
    assert main(["graph", "a*", "a=1"]) == 1
    err = capsys.readouterr().err
    assert "syntax error in the expression at its end (an operator last?)" in err
    assert main(["graph", "a*(b", "a=1", "b=2"]) == 1
    assert "at column 3" in capsys.readouterr().err


@pytest.mark.parametrize("expression, out", [
    ("sum(x, 0)", "out = [4., 6.]"), ("sum(x, 1, True)", "out = [[3.],"),
    ("logsumexp(x, 0)", "out = [3.126928, 4.126928]"),
    ("sum(x, axis=(0, 1))", "out = 10"), ("mean(x, (0, 1))", "out = 2.5"),
    ("softmax(x, 0)", "out = [[0.119203, 0.119203],"), ("clip(x, 1, 3)", "out = [[1., 2.],"),
])
def test_graph_takes_an_axis_as_python_and_numpy_do(capsys, expression, out):
    """A learner's review: sum(x, 0) said "axis must be an int or a tuple of ints, got
    np.float64(0.0)" (the literal had become a float64 constant), and axis=(0, 1) "must be
    a whole number". Positional axes and keepdims, and tuples of axes, are taken now."""
    from nn.cli import main
    assert main(["graph", expression, "x=[[1, 2], [3, 4]]"]) == 0
    assert out in capsys.readouterr().out


@pytest.mark.parametrize("expression, said", [
    ("a^b", "^ is not a power here (as in Python): write a ** b"),
    ("a % b", "% (the remainder) is not in the language"),
    ("a < b", "comparisons (<, ==, ...) have no gradient"),
    ("a if b else a", "'a if b else a' is not allowed in an expression"),
    ("sum(a, 0, axis=0)", "sum() got axis twice"),
    ("sum(a, 1.5)", "axis must be a whole number such as 0, 1 or -1, or a tuple of them"),
])
def test_graph_says_what_it_refuses_in_the_words_typed(capsys, expression, said):
    """"a^b" said "BinOp is not allowed in an expression", naming Python's syntax tree, not
    the ^ typed (which a learner meant as a power), nor that + is a BinOp too."""
    from nn.cli import main
    assert main(["graph", expression, "a=[2.0, 1.0]", "b=3"]) == 1
    err = capsys.readouterr().err
    assert said in err and "BinOp" not in err and "Compare" not in err, err


def test_output_into_a_pipe_closed_early_ends_quietly(monkeypatch, capsys):
    """`graph ... --explain | head -8` ended with "error: [Errno 32] Broken pipe" (a
    learner's review): the reader having gone is not an error to report, as for cat."""
    from nn.cli import main

    class ClosedPipe(io.StringIO):
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")
    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    code = main(["graph", "sum(x @ x)", "x=[[1, 2], [3, 4]]", "--explain"])
    assert code == 141 and capsys.readouterr().err == ""


def test_graph_given_an_assignment_says_to_write_the_expression_alone(capsys):
    """"e = (a+b)*(b+1)", as the README's prose writes it, was "syntax error in the
    expression at column 3: invalid syntax" (a stranger's trial)."""
    from nn.cli import main
    assert main(["graph", "e = (a+b)*(b+1)", "a=2", "b=3"]) == 1
    assert ("an assignment is not an expression: write '(a+b)*(b+1)' alone"
            in capsys.readouterr().err)
    for broken in ("e = a +", "e = ", "x = y = a"):  # nothing better to suggest: as before
        assert main(["graph", broken, "a=2"]) == 1
        assert "syntax error in the expression" in capsys.readouterr().err


def test_python_m_nn_names_itself_in_its_usage():
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-m", "nn", "train", "--help"], capture_output=True,
                          text=True, timeout=120, check=True)
    assert done.stdout.startswith("usage: python -m nn train")


def test_a_diagrams_folder_that_cannot_be_made_is_a_usage_error_before_grading(
        capsys, tmp_path):
    """A wrong learner was graded whole, then its diagram could not be written: 'internal
    error (GraderError)', exit 1, and no results.json."""
    afile = tmp_path / "afile"
    afile.write_text("")
    learner = os.path.join(ROOT, "examples", "learners", "deep_wrong.py")
    for folder, said in ((afile, "is a file"), (afile / "sub", f"is below {afile}, which is a")):
        code, out, err = run(capsys, "grade", learner, "--examples", "0", "--diagrams",
                             str(folder), "-o", str(tmp_path / "r.json"))
        assert code == 2 and out == "" and said in err and "internal error" not in err


def test_a_diagram_that_cannot_be_written_does_not_cost_the_grade(tmp_path, monkeypatch):
    from nn import grading
    real = grading.os.makedirs

    def refused(path, *args, **kwargs):  # (the folder went away, or was made read-only)
        if "figs" in str(path):
            raise PermissionError(13, "Permission denied")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(grading.os, "makedirs", refused)
    learner = os.path.join(ROOT, "examples", "learners", "deep_wrong.py")
    results = grading.grade(learner, examples=3, out_dir=str(tmp_path / "figs"))
    assert results["score"] == 50.0
    assert "its diagram: not written" in results["output"] + "".join(
        t["output"] for t in results["tests"])


@pytest.mark.parametrize("value", ["abc", "", "-5", "99999999"])
def test_a_bad_grader_examples_variable_is_a_usage_error_of_grade_alone(
        capsys, tmp_path, monkeypatch, value):
    """A bare int() of $GRADER_EXAMPLES, read as the parser was built, broke every command
    with a traceback; -5 was an internal error; a huge one ran past --examples' cap."""
    monkeypatch.setenv("GRADER_EXAMPLES", value)
    code, out, err = run(capsys, "graph", "a+b", "a=1", "b=2")
    assert code == 0 and "d out / d a = 1" in out
    learner = os.path.join(ROOT, "examples", "learners", "deep_wrong.py")
    code, out, err = run(capsys, "grade", learner, "-o", str(tmp_path / "r.json"))
    assert code == 2 and "from 0 to 10,000" in err and "$GRADER_EXAMPLES" in err


def test_a_save_path_that_is_a_folder_or_in_an_unwritable_one_is_refused_before_training(
        capsys, tmp_path, monkeypatch):
    """train --save FOLDER trained all its iterations, then failed, and the model was lost."""
    assert main(["train", "shallow", "--save", str(tmp_path), "--no-progress"]) == 2
    err = capsys.readouterr()
    assert f"argument --save: {str(tmp_path)!r} is a folder; give a file in it" in err.err
    assert "Cost after" not in err.out  # said before any training
    import autograd_lite.expr as expr  # (root may write anywhere: the check is what is tested)
    monkeypatch.setattr(expr.os, "access", lambda path, mode: False)
    assert main(["train", "shallow", "--save", str(tmp_path / "m.npz"),
                 "--no-progress"]) == 2
    assert f"the folder {str(tmp_path)!r} is not writable for you" in capsys.readouterr().err


def test_a_save_that_cannot_write_names_the_folder_not_the_temporary_file(
        tmp_path, monkeypatch):
    import nn.model

    def refused(path, *args):
        raise PermissionError(13, "Permission denied", path)
    monkeypatch.setattr(nn.model.os, "open", refused)
    with pytest.raises(PermissionError, match=rf"save: cannot write in {tmp_path} "
                                              r"\(Permission denied\); save the model in a "
                                              "folder you can write"):
        nn.Model([2, 3, 1], seed=0).save(tmp_path / "m.npz")


def test_an_output_that_is_a_writable_file_in_a_folder_that_is_not_is_taken(monkeypatch):
    """-o /dev/stdout: writable, in /dev, which is not (refused for a user, not for root)."""
    import autograd_lite.expr as expr
    monkeypatch.setattr(expr.os, "access", lambda path, mode: path == "/dev/stdout")
    assert expr.output_path("/dev/stdout") == "/dev/stdout"
    with pytest.raises(Exception, match=r"'/dev/new.svg': the folder '/dev' is not writable"):
        expr.output_path("/dev/new.svg")
