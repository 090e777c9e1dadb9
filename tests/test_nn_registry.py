"""The course-model registry: every entry is reachable from train, check and the grader;
train runs the course's own function with the registry's options; the README's results
tables are generated from it."""

import dataclasses
import importlib.util
import inspect
import re
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import autograd_lite as al
import nn
from nn import optimization, regularization
from nn.cli import main
from nn.registry import COURSE_MODELS, for_learner

ROOT = Path(__file__).resolve().parent.parent
NAMES = list(COURSE_MODELS)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _spy(monkeypatch, name, field):
    """Replace the entry's ``field`` by a wrapper that records its calls."""
    model = COURSE_MODELS[name]
    calls = []
    original = getattr(model, field)

    def spy(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setitem(COURSE_MODELS, name, dataclasses.replace(model, **{field: spy}))
    return calls


# ---- reachable from train, check and the grader -----------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_every_entry_is_trained_by_train(name, capsys, monkeypatch):
    calls = _spy(monkeypatch, name, "train")
    code, out, err = run(capsys, "train", name, "--data", "flower", "--iterations", "2",
                         "--no-progress")
    assert code == 0, err
    assert len(calls) == 1 and calls[0][1].iterations == 2
    assert out.startswith(f"training {name} ") and "train accuracy" in out


@pytest.mark.parametrize("name", NAMES)
def test_every_entry_is_checked_by_check(name, capsys, monkeypatch):
    calls = _spy(monkeypatch, name, "hand")
    code, out, _ = run(capsys, "check", name, "--json")
    assert code == 0 and len(calls) == 1
    assert '"passed": true' in out


@pytest.mark.parametrize("name", NAMES)
def test_every_entry_is_graded_by_the_grader(name, tmp_path, monkeypatch):
    """A learner whose graded function is nn's own passes; one that halves a dW fails."""
    from nn import grading

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(grading, "OWN_WORK", False)  # (nn's answer, graded as a learner)
    model = COURSE_MODELS[name]
    ref = model.reference
    right = tmp_path / "right.py"
    arguments = ", ".join(k for k, p in inspect.signature(ref).parameters.items()
                          if p.default is inspect.Parameter.empty)
    right.write_text(f"from {ref.__module__} import {ref.__name__} as course\n\n\n"  # its own
                     f"def {model.learner}({arguments}, **options):\n"
                     f"    return course({arguments}, **options)\n")
    result = grading.grade(str(right), name, examples=5)
    assert result["score"] == 100.0, result["output"]
    assert result["extra_data"]["model"] == name
    assert result["extra_data"]["function"] == model.learner
    halved = grading.load_learner(str(right))  # the same function, one gradient halved

    def wrong(*args):
        out = getattr(halved, model.learner)(*args)
        grads = out[0] if isinstance(out, tuple) else out
        key = sorted(k for k in grads if k[1] in "Ww")[0]
        grads = {**grads, key: grads[key] / 2}
        return (grads, *out[1:]) if isinstance(out, tuple) else grads

    report = grading.check_case(model, wrong, model.layer_dims(3), 4, 0)
    assert not report.passed and 0 < report.score < 1


def test_the_grader_finds_the_model_from_the_learners_function():
    def module(**functions):
        learner = types.ModuleType("learner")
        learner.__dict__.update(functions)
        return learner

    def week3(parameters, cache, X, Y):
        return {}

    def course2(X, Y, cache):
        return {}

    assert for_learner(module(propagate=lambda w, b, X, Y: None)).name == "logistic"
    assert for_learner(module(backward_propagation=week3)).name == "shallow"
    assert for_learner(module(backward_propagation=course2)).name == "initialization"
    assert for_learner(module(backward_propagation=course2), "optimization").name == \
        "optimization"
    with pytest.raises(LookupError, match="defines none of the graded functions"):
        for_learner(module())


# ---- train runs the course's function with the registry's options ------------------------------

def _saved(tmp_path, capsys, *argv):
    code, out, err = run(capsys, "train", *argv, "--no-progress", "--save",
                         str(tmp_path / "m.npz"))
    assert code == 0, err
    return nn.load(tmp_path / "m.npz").parameters, out


def test_train_shallow_is_the_courses_nn_model(tmp_path, capsys):
    got, _ = _saved(tmp_path, capsys, "shallow", "--iterations", "300")
    X, Y = nn.planar_flower()
    expected = nn.shallow.nn_model(X, Y, 4, 300, seed=2)
    for k in expected:
        np.testing.assert_array_equal(got[k], expected[k])


def test_train_regularization_with_lambd_is_the_courses_model_with_l2(tmp_path, capsys):
    got, out = _saved(tmp_path, capsys, "regularization", "--lambd", "0.7", "--iterations",
                      "20", "--data", "flower")
    assert "lambd 0.7" in out.splitlines()[0]
    X, Y = nn.planar_flower()
    expected = regularization.model(X, Y, lambd=0.7, num_iterations=20, print_cost=False)
    plain = regularization.model(X, Y, num_iterations=20, print_cost=False)
    for k in expected:
        np.testing.assert_array_equal(got[k], expected[k])
    assert not np.array_equal(got["W1"], plain["W1"])  # the L2 term is there


def test_train_optimization_with_adam_is_the_courses_model_with_adam(tmp_path, capsys):
    got, out = _saved(tmp_path, capsys, "optimization", "--optimizer", "adam", "--iterations",
                      "3", "--decay", "schedule_lr_decay")
    assert "3 epochs" in out and "Cost after epoch 0: 0.702166" in out  # the notebook's
    X, Y = nn.load_moons()
    expected = optimization.model(X, Y, [2, 5, 2, 1], "adam", num_epochs=3,
                                  decay=optimization.schedule_lr_decay, print_cost=False)
    for k in expected:
        np.testing.assert_array_equal(got[k], expected[k])


@pytest.mark.parametrize("argv,message", [
    (["regularization", "--lambd", "-1"], "--lambd: must be a number from 0 to 1e6"),
    (["regularization", "--keep-prob", "0"], "--keep-prob: must be in (0, 1]"),
    (["regularization", "--lambd", "0.7", "--keep-prob", "0.86"], "not both"),
    (["regularization", "--layers", "5", "--data", "flower"],
     "exactly two hidden layers, e.g. --layers 20,3"),
    (["optimization", "--optimizer", "sgd"], "invalid choice: 'sgd'"),
    (["optimization", "--mini-batch-size", "0"], "must be a whole number from 1"),
    (["deep", "--lambd", "0.7"], "--lambd is not an option of deep"),
    (["logistic", "--seed", "3"], "takes no --seed"),
    # accepted and ignored before (an outside tester): zeros draw nothing
    (["initialization", "--initialization", "zeros", "--seed", "9"], "--seed would change"),
    (["deep", "--data", "flower", "--init", "zeros", "--seed", "4"], "--seed would change"),
])
def test_bad_model_options_are_usage_errors(argv, message, capsys, monkeypatch):
    monkeypatch.delenv("CATVNONCAT_DIR", raising=False)
    code, out, err = run(capsys, "train", *argv, "--no-progress")
    assert code == 2 and out == "", err
    assert len(err.strip().splitlines()) == 1 and message in err


@pytest.mark.parametrize("argv", [["logistic"], ["shallow", "--data", "cat"],
                                  ["logistic", "--data", "cat:/nonexistent"]])
def test_missing_data_exits_1_saying_where_to_get_it(argv, capsys, monkeypatch, tmp_path):
    """As the README says: missing data is exit 1, found after the command line (it was 2,
    a usage error, unless a folder was given)."""
    monkeypatch.delenv("CATVNONCAT_DIR", raising=False)
    monkeypatch.setenv("AUTOGRAD_LITE_DATA_DIR", str(tmp_path / "empty"))
    code, out, err = run(capsys, "train", *argv, "--no-progress")
    assert code == 1 and out == "" and len(err.strip().splitlines()) == 1, err
    assert "autograd-lite: error:" in err and ("give --data cat:DIR" in err
                                               or "/nonexistent" in err)


def test_check_takes_the_options_that_change_the_gradients(capsys):
    for argv in (["--lambd", "0.7"], ["--keep-prob", "0.5"]):
        code, out, _ = run(capsys, "check", "regularization", *argv, "--json")
        assert code == 0 and '"passed": true' in out
    code, _, err = run(capsys, "check", "optimization", "--optimizer", "adam")
    assert code == 2 and "unrecognized arguments" in err


# ---- the README's results tables -------------------------------------------------------------

@pytest.mark.parametrize("course,block", [(1, "results"), (2, "results2")])
def test_readme_results_tables_are_generated_from_the_registry(course, block):
    make_docs = _load(ROOT / "docs" / "make_docs.py", "make_docs")
    readme = (ROOT / "README.md").read_text()
    found = re.search(rf"<!-- {block}:start -->\n(.*?)\n<!-- {block}:end -->", readme, re.S)
    assert found, f"README.md lacks the generated {block} table (run python docs/make_docs.py)"
    table = make_docs.results_table(course)
    assert found.group(1).strip() == table.strip(), \
        f"README's {block} table is stale: run python docs/make_docs.py"
    rows = [m for m in COURSE_MODELS.values() if m.course == course]
    assert table.count("\n") - 1 == sum(len(m.results) for m in rows)


# ---- the command line's house rules -------------------------------------------------------------

def test_train_works_without_graphviz():
    code = ("import sys; sys.modules['graphviz'] = None\n"
            "from nn.cli import main\n"
            "code = main(['train', 'shallow', '--iterations', '2', '--no-progress'])\n"
            "assert 'autograd_lite.diagram' not in sys.modules\n"
            "sys.exit(code)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "train accuracy" in done.stdout


def test_a_bug_is_reported_as_an_internal_error(capsys, monkeypatch):
    def broken(directory):
        raise KeyError("a bug")

    monkeypatch.setitem(nn.data.DATASETS, "flower",
                        nn.data.DATASETS["flower"]._replace(load=broken))
    code, _, err = run(capsys, "train", "shallow", "--no-progress")
    assert code == 1
    assert err == "autograd-lite: internal error (KeyError): 'a bug'\n"
    for argv in (["--debug", "train", "shallow"], ["train", "shallow", "--debug"]):
        with pytest.raises(KeyError, match="a bug"):  # the traceback, wherever --debug stands
            main(argv + ["--no-progress"])


@pytest.mark.parametrize("argv", [["graph", "a*b", "a=2", "b=3", "--debug"],
                                  ["data", "where", "--debug"], ["check", "shallow", "--debug"]])
def test_debug_may_follow_the_command(argv, capsys):
    code, out, err = run(capsys, *argv)
    assert code == 0 and err == "", err


def test_version_and_the_two_python_m_entry_points(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out == f"autograd-lite {al.__version__}\n"
    nn_m = subprocess.run([sys.executable, "-m", "nn", "check", "shallow"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert nn_m.returncode == 0 and "all gradients agree" in nn_m.stdout
    al_m = subprocess.run([sys.executable, "-m", "autograd_lite", "train", "deep"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert al_m.returncode == 2 and al_m.stdout == ""
    assert al_m.stderr.count("\n") == 1 and "python -m nn train" in al_m.stderr
    from autograd_lite.__main__ import main as al_main  # --help too (it was "unrecognized")
    for argv in (["train", "--help"], ["check", "-h"], ["train", "shallow", "--help"]):
        assert al_main(argv) == 2
        err = capsys.readouterr().err
        assert f"{argv[0]} is nn's command" in err and f"python -m nn {argv[0]}" in err, err


def test_checks_usage_error_lists_the_options_check_takes(capsys):
    """check optimization --lambd listed --beta, --optimizer, ... (train's), which check then
    refused as unrecognized arguments."""
    code, out, err = run(capsys, "check", "optimization", "--lambd", "0.7")
    assert code == 2
    assert "--lambd is not an option of optimization for check (its options: none)" in err
    code, out, err = run(capsys, "check", "deep", "--keep-prob", "0.5")
    assert "not an option of deep for check (its options: none)" in err
    assert run(capsys, "check", "regularization", "--lambd", "0.7")[0] == 0  # one it takes
