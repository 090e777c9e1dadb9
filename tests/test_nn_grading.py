"""`autograd-lite grade`: Gradescope's results.json, validated against the format that
Gradescope documents (gradescope-autograders.readthedocs.io, "Autograder Specifications",
"Output format"), written out below as a JSON schema; a partial score per gradient key,
the smallest failing case and its diagram; a learner that fails to import or raises
scores 0 with its traceback; --strict exits 1 on a score that is not full."""

import inspect
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nn import deep
from nn.cli import main

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parent.parent
LEARNERS = ROOT / "examples" / "learners"

# Gradescope's documented results.json. Every field is optional, except that a score is
# needed at the top or on every test. additionalProperties: false, so that a misspelt
# field (which Gradescope would silently ignore) fails here.
VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
FORMAT = {"enum": ["text", "html", "simple_format", "md", "ansi"]}
TEST = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "score": {"type": "number"},
        "max_score": {"type": "number"},
        "status": {"enum": ["passed", "failed"]},
        "name": {"type": "string"},
        "name_format": FORMAT,
        "number": {"type": "string"},
        "output": {"type": "string"},
        "output_format": FORMAT,
        "tags": {"type": "array", "items": {"type": "string"}},
        "visibility": VISIBILITY,
        "extra_data": {"type": "object"},
    },
}
RESULTS_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number"},
        "output": {"type": "string"},
        "output_format": FORMAT,
        "test_output_format": FORMAT,
        "test_name_format": FORMAT,
        "visibility": VISIBILITY,
        "stdout_visibility": VISIBILITY,
        "extra_data": {"type": "object"},
        "tests": {"type": "array", "items": TEST},
        "leaderboard": {"type": "array", "items": {
            "type": "object", "required": ["name", "value"],
            "properties": {"name": {"type": "string"}, "value": {},
                           "order": {"enum": ["asc", "desc"]}}}},
    },
    "anyOf": [{"required": ["score"]},
              {"required": ["tests"],
               "properties": {"tests": {"items": {"required": ["score"]}}}}],
}


def grade(capsys, tmp_path, learner, *options):
    out = tmp_path / "results.json"
    code = main(["grade", str(learner), "-o", str(out), "--examples", "20",
                 "--diagrams", str(tmp_path / "diagrams"), *options])
    printed = capsys.readouterr().out
    results = json.loads(out.read_text())
    jsonschema.validate(results, RESULTS_SCHEMA)
    assert results["score"] == pytest.approx(sum(t["score"] for t in results["tests"]))
    return code, results, printed


def test_the_schema_itself_refuses_what_gradescope_would_not_read():
    jsonschema.Draft202012Validator.check_schema(RESULTS_SCHEMA)
    for bad in ({"tests": [{"name": "no score"}]}, {"score": "50"},
                {"score": 1, "tests": [{"score": 1, "visiblity": "visible"}]},
                {"score": 1, "visibility": "public"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, RESULTS_SCHEMA)


def test_a_wrong_learner_scores_per_gradient_key(capsys, tmp_path):
    code, results, printed = grade(capsys, tmp_path, LEARNERS / "deep_wrong.py", "--points",
                                   "60")
    assert code == 0  # without --strict a failing grade is still a grade
    # the keys L_model_backward returns for the graded sizes [3, 4, 3, 2, 1], from nn itself
    keys = [k for k in deep.L_model_backward(*_one_case([3, 4, 3, 2, 1]))
            if not k.startswith("dA")]
    names = [t["name"] for t in results["tests"]]
    assert sorted(names) == sorted(f"L_model_backward: {k}" for k in keys)
    for t in results["tests"]:  # the planted bug: every dW misses its 1/m, every db is right
        wrong = t["name"].split(": ")[1].startswith("dW")
        assert t["max_score"] == pytest.approx(60 / len(keys))
        assert (t["status"], t["score"]) == (("failed", 0.0) if wrong else
                                             ("passed", t["max_score"]))
        if wrong:  # the smallest case, [1, 1], has dW1 only: it is named under dW1 only
            named = "smallest failing case: layer_dims=[1, 1], m=2, seed=0" in t["output"]
            assert named is t["name"].endswith(": dW1"), t["output"]
    assert results["score"] == pytest.approx(30.0)
    diagram = Path(results["extra_data"]["diagram"])
    assert diagram.exists() and str(diagram) in results["output"]
    assert results["extra_data"]["counterexample"] == {"layer_dims": [1, 1], "m": 2, "seed": 0}
    assert "score 30.00 / 60.00" in printed
    assert main(["grade", str(LEARNERS / "deep_wrong.py"), "-o", str(tmp_path / "r.json"),
                 "--examples", "5", "--strict"]) == 1


def _one_case(dims):
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((dims[0], 4)), np.ones((1, 4))
    parameters = deep.initialize_parameters_deep(dims)
    AL, caches = deep.L_model_forward(X, parameters)
    return AL, Y, caches


def test_a_correct_learner_scores_full_and_strict_passes(capsys, tmp_path):
    code, results, _ = grade(capsys, tmp_path, LEARNERS / "propagate_correct.py", "--strict",
                             "--visibility", "after_published")
    assert code == 0 and results["score"] == 100.0
    assert [t["name"] for t in results["tests"]] == ["propagate: dw", "propagate: db",
                                                      "propagate: cost"]
    assert results["tests"][2]["output"] == "cost equals the engine's cost on every case tried"
    assert results["tests"][0]["output"] == "dw equals the engine's gradient on every case tried"
    assert {t["visibility"] for t in results["tests"]} == {"after_published"}
    assert results["extra_data"]["counterexample"] is None


@pytest.mark.parametrize("source,expected", [
    ("def L_model_backward(AL, Y, caches):\n    return {\n", "SyntaxError"),
    ("import numpy as np\nraise RuntimeError('my setup failed')\n", "my setup failed"),
    ("import sys\nsys.exit(3)\n", "SystemExit"),
    ("def L_model_backward(AL, Y, caches):\n    return 1 / 0\n", "ZeroDivisionError"),
    ("def nothing_graded():\n    pass\n", "defines none of the graded functions"),
])
def test_a_learner_that_fails_scores_zero_with_its_traceback(capsys, tmp_path, source,
                                                            expected):
    learner = tmp_path / "learner.py"
    learner.write_text(source)
    code, results, printed = grade(capsys, tmp_path, learner)
    assert code == 0 and results["score"] == 0
    assert [t["max_score"] for t in results["tests"]] == [100.0]
    assert expected in results["output"] and expected in results["tests"][0]["output"]
    if expected != "defines none of the graded functions":
        assert str(learner) in results["output"]  # the line, as python learner.py says it
        assert ("Traceback" in results["output"]) == (expected != "SyntaxError")
        # the learner's frames alone: the grader's and importlib's would seem to blame them
        assert "grading.py" not in results["output"] and "<frozen" not in results["output"]
    assert main(["grade", str(learner), "-o", str(tmp_path / "r.json"), "--strict"]) == 1


def test_a_keyboard_interrupt_stops_the_grade_and_its_results_say_so(capsys, tmp_path):
    """Ctrl-C stops grading (exit 130); the 0 left said the code ended the process by
    os._exit or a signal."""
    learner = tmp_path / "learner.py"
    learner.write_text("def propagate(w, b, X, Y):\n    raise KeyboardInterrupt\n")
    out = tmp_path / "results.json"
    assert main(["grade", str(learner), "-o", str(out)]) == 130
    results = json.loads(out.read_text())
    jsonschema.validate(results, RESULTS_SCHEMA)
    assert results["score"] == 0.0
    assert "grading was interrupted (KeyboardInterrupt: a Ctrl-C, or the learner's code " \
           "raised it) before a score was given" in results["output"], results["output"]
    assert "os._exit" not in results["output"]


def _variant(tmp_path, source, old, new, name):
    """A learner's file: one of the examples with one line changed."""
    text = (LEARNERS / source).read_text()
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new))
    return path


def test_a_key_wrong_only_on_cases_that_shrinking_drops_still_fails(tmp_path):
    # a dW transposed whenever it is square: hypothesis found 28 failing cases, kept one
    # ([2, 2, 1]: dW1 only) and dW2 got full marks, "equals the engine's gradient on every
    # case tried"
    from nn.grading import grade as grade_file
    path = _variant(tmp_path, "deep_correct.py", "    dA_prev = np.dot(W.T, dZ)\n",
                    "    dA_prev = np.dot(W.T, dZ)\n    if dW.shape[0] == dW.shape[1]:\n"
                    "        dW = dW.T\n", "square.py")
    results = grade_file(str(path), examples=60, out_dir=str(tmp_path / "out"))
    status = {t["name"].split(": ")[1]: t["status"] for t in results["tests"]}
    assert status["dW2"] == "failed" and status["dW1"] == "failed", status
    assert all(status[k] == "passed" for k in ("db1", "db2", "db3")), status
    for t in results["tests"]:
        if t["status"] == "passed":
            assert "every case tried" in t["output"]


def test_a_learner_that_writes_into_its_inputs_is_graded_on_what_it_returned(tmp_path):
    # W *= 2 after computing the gradients: graded against the engine at the doubled W (0/100)
    from nn.grading import grade as grade_file
    path = _variant(tmp_path, "deep_correct.py", "    dA_prev = np.dot(W.T, dZ)\n",
                    "    dA_prev = np.dot(W.T, dZ)\n    W *= 2\n", "writes.py")
    assert grade_file(str(path), examples=10, out_dir=str(tmp_path / "out"))["score"] == 100.0


@pytest.mark.parametrize("old,new,verdict", [
    ('return {"dw": dw, "db": db}', 'return {"dw": dw}', "no 'db' in your gradients"),
    ('return {"dw": dw, "db": db}', 'return {"db": db}', "no 'dw' in your gradients"),
    ('return {"dw": dw, "db": db}', 'return {"dw": dw, "db": np.array([db, db])}',
     r"db should have the shape of b, \(1, 1\), got \(2,\)"),
    ('return {"dw": dw, "db": db}', 'return {"dw": dw, "db": str(db)}',
     "'db' is not a numeric array"),  # a string was read as the number
    ('return {"dw": dw, "db": db}, np.squeeze(cost)',
     'return np.squeeze(cost), {"dw": dw, "db": db}',
     r"propagate should return \(grads, cost\).*it returned a tuple \(float64, dict\)"),
    ('return {"dw": dw, "db": db}, np.squeeze(cost)',  # text and a list scored 100
     'return {"dw": dw, "db": db}, str(np.squeeze(cost))',
     r"the cost should be one number \(np.squeeze\(cost\).*got str"),
    ('return {"dw": dw, "db": db}, np.squeeze(cost)',
     'return {"dw": dw, "db": db}, [np.squeeze(cost)]', r"the cost should be one number.*list"),
])
def test_week_2s_propagate_is_told_what_is_wrong_with_what_it_returned(tmp_path, old, new,
                                                                       verdict):
    from nn.grading import grade as grade_file
    path = _variant(tmp_path, "propagate_correct.py", old, new, "propagate.py")
    results = grade_file(str(path), examples=5, out_dir=str(tmp_path / "out"))
    text = results["output"] + "".join(t["output"] for t in results["tests"])
    assert re.search(verdict, text), text
    assert results["score"] < 100


def test_a_key_that_only_a_deeper_network_has_is_scored_when_wrong(tmp_path):
    """dW4 existed only in random 4-layer cases, not in the fixed [3, 4, 3, 1]: its failure
    was named in the output but scored nothing (100/100, --strict exited 0). The fixed
    cases now have as many layers as the random ones can."""
    from nn.grading import grade as grade_file
    path = _variant(tmp_path, "deep_correct.py", "    return grads\n",
                    "    if len(caches) == 4:\n        grads['dW4'] = 2 * grads['dW4']\n"
                    "    return grads\n", "deep4.py")
    results = grade_file(str(path), examples=60, out_dir=str(tmp_path / "out"))
    status = {t["name"].split(": ")[1]: t["status"] for t in results["tests"]}
    assert status.pop("dW4") == "failed" and set(status.values()) == {"passed"}, status
    assert results["score"] == pytest.approx(100 * 7 / 8)
    assert main(["grade", str(path), "-o", str(tmp_path / "r.json"), "--examples", "60",
                 "--strict"]) == 1


@pytest.mark.parametrize("call", ["sys.exit()", "exit(0)"])
def test_a_learner_that_exits_inside_its_function_scores_zero_with_a_results_file(
        capsys, tmp_path, call):
    """SystemExit inside propagate left no results.json and exit code 0, even --strict."""
    path = _variant(tmp_path, "propagate_correct.py", 'return {"dw": dw, "db": db}',
                    f'import sys\n    {call}\n    return {{"dw": dw, "db": db}}', "exits.py")
    code, results, _ = grade(capsys, tmp_path, path, "--strict")
    assert code == 1 and results["score"] == 0
    assert "called exit() (SystemExit" in results["output"]
    assert results["extra_data"]["model"] == "logistic"  # for a program, not only the text
    assert results["extra_data"]["function"] == "propagate"
    crashed = results["extra_data"]["crashed_on"]
    assert crashed["layer_dims"] == [1, 1] and crashed["m"] == 1 and "exit()" in crashed["error"]


def test_what_a_learner_returned_is_not_reported_as_a_crash_in_the_grader(tmp_path):
    from nn.grading import grade as grade_file
    path = _variant(tmp_path, "propagate_correct.py",
                    'return {"dw": dw, "db": db}, np.squeeze(cost)',
                    'return np.squeeze(cost), {"dw": dw, "db": db}', "swapped.py")
    results = grade_file(str(path), examples=5, out_dir=str(tmp_path / "out"))
    assert "returned the wrong thing: propagate should return (grads, cost)" in results["output"]
    assert "Traceback" not in results["output"]  # the grader's frames would seem to blame it


def test_a_graded_name_with_other_arguments_is_told_which():
    from nn.registry import for_learner

    class Learner:
        @staticmethod
        def propagate(w, b, X, Y, print_cost):
            return {}, 0.0
    with pytest.raises(LookupError, match=r"defines propagate\(w, b, X, Y, print_cost\), but "
                                          r"logistic's takes propagate\(w, b, X, Y\)"):
        for_learner(Learner)


def test_a_model_named_for_a_function_of_other_arguments_says_which_model_fits(capsys, tmp_path):
    """--model initialization on week 3's backward_propagation(parameters, cache, X, Y) ran
    it with (X, Y, cache): a bare TypeError, 'missing 1 required positional argument'."""
    path = tmp_path / "week3.py"
    path.write_text("def backward_propagation(parameters, cache, X, Y):\n    return {}\n")
    code, results, _ = grade(capsys, tmp_path, path, "--model", "initialization")
    err = results["output"]
    assert results["score"] == 0.0
    assert ("defines backward_propagation(parameters, cache, X, Y), but initialization's takes "
            "backward_propagation(X, Y, cache): give it those arguments (extra ones need a "
            "default); --model shallow grades the function it defines") in err, err
    assert "TypeError" not in err
    two = tmp_path / "two.py"
    two.write_text("def backward_propagation(X, Y):\n    return {}\n")
    code, results, _ = grade(capsys, tmp_path, two)  # no model fits: each one's arguments
    err = results["output"]
    assert ("but shallow's takes backward_propagation(parameters, cache, X, Y), "
            "initialization's takes backward_propagation(X, Y, cache), optimization's takes "
            "backward_propagation(X, Y, cache)") in err, err


def test_a_fixed_case_failure_is_the_summarys_first_line_and_cases_counts_those_run(tmp_path):
    from nn.grading import FIXED_CASES, graded_dims
    from nn.grading import grade as grade_file
    from nn.registry import COURSE_MODELS, random_case
    m, seed = FIXED_CASES[-1]  # wrong on this fixed case's X alone
    X = random_case(COURSE_MODELS["logistic"], graded_dims(COURSE_MODELS["logistic"]), m,
                    seed)[0]  # (a random case of one seed starts with the same X[0, 0])
    path = _variant(tmp_path, "propagate_correct.py", 'return {"dw": dw, "db": db}',
                    f'if X.shape == {X.shape} and X[0, 0] == {X[0, 0]!r}:\n        dw = 2 * dw'
                    '\n    return {"dw": dw, "db": db}', "fixed.py")
    results = grade_file(str(path), examples=30, out_dir=str(tmp_path / "out"))
    assert results["output"].splitlines()[0].endswith(
        "is wrong on dw, on the fixed cases or those of the second search (hypothesis's "
        "first search passed its 30 random cases): each key's test names the cases")
    assert "on layer_dims=" in results["tests"][0]["output"]  # the fixed case, named
    assert results["score"] == pytest.approx(200 / 3)  # dw of dw, db and the cost
    assert results["extra_data"]["cases"] == 30 + len(FIXED_CASES)


def test_the_courses_own_formula_passes_where_it_loses_precision():
    """At Z[L] = 23 (1 - AL = 1e-10) the course's dAL = -(Y/AL - (1-Y)/(1-AL)) is 1.6e-7
    from the exact gradient: WRONG at the grader's old 1e-7, about one case in 1,500."""
    import importlib.util

    from nn.grading import check_case
    from nn.registry import COURSE_MODELS
    spec = importlib.util.spec_from_file_location("learner", LEARNERS / "deep_correct.py")
    learner = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(learner)
    report = check_case(COURSE_MODELS["deep"], learner.L_model_backward, [4, 3, 7, 1, 1], 10,
                        26074)
    assert report.passed, str(report)
    assert max(r.diff_engine or 0.0 for r in report.rows) > 1e-7  # the case shows the loss


def test_l2s_lambd_varies_over_the_cases_so_a_hard_coded_one_fails(tmp_path):
    """Every case used lambd = 0.7: a learner with 0.7 written in scored 100."""
    import inspect

    from nn import regularization
    from nn.grading import grade as grade_file
    source = inspect.getsource(regularization._backward).replace("_backward(", "_core(", 1)
    learner = tmp_path / "l2.py"
    learner.write_text(
        "import numpy as np\n\n\n" + source.replace("(lambd / m)", "(0.7 / m)") + "\n\n"
        "def backward_propagation_with_regularization(X, Y, cache, lambd):\n"
        "    Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3 = cache\n"
        "    return _core(X, Y, W1, A1, W2, A2, W3, A3, lambd=lambd)\n")
    results = grade_file(str(learner), examples=10, out_dir=str(tmp_path / "out"))
    assert results["score"] < 100
    wrong = [t["output"] for t in results["tests"] if t["status"] == "failed"]
    assert wrong and all("lambd=" in text for text in wrong)
    right = learner.read_text().replace("(0.7 / m)", "(lambd / m)")
    learner.write_text(right)
    assert grade_file(str(learner), examples=10, out_dir=str(tmp_path / "out"))["score"] == 100


@pytest.mark.parametrize("model, source, verdict", [
    ("shallow", "def backward_propagation(parameters, cache, X, Y):\n"
                "    return cache['A1'], cache['A2']\n",
     r"backward_propagation should return grads, a dict \{'dW1': dW1, .*it returned a tuple "
     r"\(ndarray, ndarray\)"),
    ("deep", "def L_model_backward(AL, Y, caches):\n    grads = {}\n",
     r"L_model_backward should return grads, a dict \{'dA0'.*it returned None \(is a return "
     r"statement missing\?\)"),
    ("regularization", "def backward_propagation_with_regularization(X, Y, cache, lambd):\n"
                       "    return [1.0]\n",
     r"backward_propagation_with_regularization should return grads, a dict \{'dZ3'.*it "
     r"returned a list \(float\)"),
])
def test_every_graded_function_is_told_what_is_wrong_with_what_it_returned(
        tmp_path, model, source, verdict):
    """Only propagate's return was checked: the others' wrong returns showed the grader's
    traceback, ending in check_gradients' own words ('grads must be a dict'), which name a
    call the learner never made."""
    from nn.grading import grade as grade_file
    path = tmp_path / f"{model}.py"
    path.write_text(source)
    results = grade_file(str(path), model_name=model, examples=5, out_dir=str(tmp_path / "o"))
    assert re.search(verdict, results["output"]), results["output"]
    assert "Traceback" not in results["output"] and results["score"] == 0


def test_a_file_with_two_graded_functions_has_the_specific_one_graded(tmp_path, monkeypatch):
    """A notebook export of week 6 holds backward_propagation_with_regularization and the
    plain backward_propagation helper; the helper was graded (as "initialization"), and a
    wrong L2 term scored 100. The longer name is graded, and the output says so."""
    from nn import grading
    from nn.grading import grade as grade_file
    monkeypatch.setattr(grading, "OWN_WORK", False)  # (its learner calls nn's answer)
    path = tmp_path / "both.py"
    path.write_text(
        "from nn.regularization import backward_propagation_with_regularization as right\n"
        "def backward_propagation_with_regularization(X, Y, cache, lambd):\n"
        "    grads = right(X, Y, cache, lambd)\n"
        "    grads['dW1'] = grads['dW1'] * 1.5\n"
        "    return grads\n"
        "def backward_propagation(X, Y, cache):\n"
        "    return right(X, Y, cache, 0.0)\n")
    results = grade_file(str(path), examples=5, out_dir=str(tmp_path / "o"))
    assert results["extra_data"]["model"] == "regularization" and results["score"] < 100
    assert "the file also defines backward_propagation; this one is graded" in results["output"]


def test_a_learner_imports_its_helpers_from_its_own_folder(tmp_path, monkeypatch):
    """The course's notebooks import relu_backward from dnn_utils beside them: the grader
    raised ModuleNotFoundError (score 0) unless run with PYTHONPATH=."""
    from nn import grading
    from nn.grading import grade as grade_file
    monkeypatch.setattr(grading, "OWN_WORK", False)  # (its helper is nn's answer)
    (tmp_path / "student_helpers.py").write_text(
        "from nn.deep import L_model_backward as course_backward\n")
    path = tmp_path / "student.py"
    path.write_text("from student_helpers import course_backward\n"
                    "def L_model_backward(AL, Y, caches):\n"
                    "    return course_backward(AL, Y, caches)\n")
    results = grade_file(str(path), examples=5, out_dir=str(tmp_path / "o"))
    assert results["score"] == 100, results["output"]
    # imported inside the function, at grading time (second review: ModuleNotFoundError)
    path.write_text("def L_model_backward(AL, Y, caches):\n"
                    "    from student_helpers import course_backward\n"
                    "    return course_backward(AL, Y, caches)\n")
    assert grade_file(str(path), examples=5, out_dir=str(tmp_path / "o"))["score"] == 100
    # a learner that takes its own folder off sys.path: graded all the same (second review:
    # the grader's own remove() raised, then 'internal error (UnboundLocalError)')
    path.write_text("import sys\nsys.path.pop(0)\n"
                    "from nn.deep import L_model_backward as course_backward\n"
                    "def L_model_backward(AL, Y, caches):\n"
                    "    return course_backward(AL, Y, caches)\n")
    assert grade_file(str(path), examples=5, out_dir=str(tmp_path / "o"))["score"] == 100


def test_a_learner_path_that_names_no_file_exits_1_and_still_scores_0(capsys, tmp_path):
    """grade nope.py (a typo) exited 0, as a real grade does."""
    out = tmp_path / "r.json"
    assert main(["grade", str(tmp_path / "nope.py"), "-o", str(out)]) == 1
    assert json.loads(out.read_text())["score"] == 0
    assert "no learner file at" in capsys.readouterr().out


def test_a_near_miss_of_a_graded_name_is_pointed_at(tmp_path):
    """examples/learners/gradient_check_buggy.py defines backward_propagation_n: the grader
    listed the graded names and no more."""
    from nn.grading import grade as grade_file
    results = grade_file(str(LEARNERS / "gradient_check_buggy.py"), examples=5,
                         out_dir=str(tmp_path))
    assert "backward_propagation_n is not one of them (Course 2's gradient checking " \
           "exercise: check it with nn.gradient_checking.gradient_check_n" in results["output"]
    path = tmp_path / "v2.py"
    path.write_text("def propagate_v2(w, b, X, Y):\n    return {}, 0.0\n")
    assert "propagate_v2 is not one of them (the grader grades only these" in \
        grade_file(str(path), examples=5, out_dir=str(tmp_path))["output"]


@pytest.mark.parametrize("old, new, verdict, score", [
    ("return {\"dw\": dw, \"db\": db}, np.squeeze(cost)",
     "return {\"dw\": dw, \"db\": db}, 12345.0",
     r"cost: yours is 12345, the engine's", 200 / 3),
    ("return {\"dw\": dw, \"db\": db}, np.squeeze(cost)",
     "return {\"dw\": dw, \"db\": db}, -np.squeeze(cost)", r"cost: yours is -", 200 / 3),
    ("return {\"dw\": dw, \"db\": db}, np.squeeze(cost)",
     "return {\"dw\": dw, \"db\": db}, [cost, cost]",
     r"the cost should be one number \(np.squeeze\(cost\).*got list", 200 / 3),
    ("return {\"dw\": dw, \"db\": db}, np.squeeze(cost)",
     "return {\"dw\": dw, \"db\": db}, np.float32(np.squeeze(cost))", None, 100.0),
])
def test_week_2s_cost_is_graded_beside_its_gradients(tmp_path, old, new, verdict, score):
    """propagate returns (grads, cost), and a cost of 12345.0 scored 100 (teacher's trial):
    the cost is a third test, against the engine's (relative 1e-6; 1e-4 in float32)."""
    from nn.grading import grade as grade_file
    path = _variant(tmp_path, "propagate_correct.py", old, new, "cost.py")
    results = grade_file(str(path), examples=10, out_dir=str(tmp_path / "out"))
    assert results["score"] == pytest.approx(score), results["output"]
    if verdict:
        assert re.search(verdict, results["output"]), results["output"]


def test_float32_learners_pass_the_cases_where_a_difference_loses_float32s_digits():
    """Learners who cast to float32 inside, otherwise the course's code: hypothesis at 300
    examples found cases where A - Y (A = 1 - 8e-4, Y = 1) or tanh's 1 - A**2 (A = 0.999)
    lose digits in float32 (3e-5 and 2e-6 off), and the right learners failed. Those VJPs'
    magnitudes are their operands' sum; a wrong gradient still fails there."""
    from nn.grading import check_case
    from nn.registry import COURSE_MODELS

    def propagate(w, b, X, Y):
        X, w, Y = X.astype(np.float32), w.astype(np.float32), Y.astype(np.float32)
        A = 1 / (1 + np.exp(-(w.T @ X + b)))
        return {"dw": X @ (A - Y).T / X.shape[1], "db": (A - Y).sum() / X.shape[1]}, \
            -np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A))

    def backward_propagation(parameters, cache, X, Y):
        f = lambda a: np.asarray(a, dtype=np.float32)  # noqa: E731
        m, X, Y = X.shape[1], f(X), f(Y)
        W2, A1, A2 = f(parameters["W2"]), f(cache["A1"]), f(cache["A2"])
        dZ2 = A2 - Y
        dZ1 = (W2.T @ dZ2) * (1 - A1 ** 2)
        return {"dW1": dZ1 @ X.T / m, "db1": dZ1.sum(1, keepdims=True) / m,
                "dW2": dZ2 @ A1.T / m, "db2": dZ2.sum(1, keepdims=True) / m}

    def flipped(parameters, cache, X, Y):
        grads = backward_propagation(parameters, cache, X, Y)
        return dict(grads, db1=-grads["db1"])
    assert check_case(COURSE_MODELS["logistic"], propagate, [3, 1], 1, 1462).passed
    assert check_case(COURSE_MODELS["shallow"], backward_propagation, [1, 1, 1], 1, 6).passed
    assert not check_case(COURSE_MODELS["shallow"], flipped, [1, 1, 1], 1, 6).passed


SHALLOW_RIGHT = """import numpy as np
def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    W2, A1, A2 = parameters["W2"], cache["A1"], cache["A2"]
    dZ2 = A2 - Y
    dW2 = dZ2 @ A1.T / m
    db2 = dZ2.sum(axis=1, keepdims=True) / m
    dZ1 = W2.T @ dZ2 * (1 - A1 ** 2)
    dW1 = dZ1 @ X.T / m
    db1 = dZ1.sum(axis=1, keepdims=True) / m
"""


def test_a_learner_that_crashes_on_some_cases_and_is_wrong_on_others_gets_its_own_traceback(
        capsys, tmp_path):
    """hypothesis met two distinct failures (the crash, the wrong dW1) and raised an
    ExceptionGroup, which the grader reported as the learner's crash, with the grader's
    frames and hypothesis's as its traceback."""
    learner = tmp_path / "crashes_at_m3.py"
    learner.write_text(SHALLOW_RIGHT + """    if m == 3:
        raise ValueError("my code breaks at m = 3")
    if m == 5:
        dW1 = 2 * dW1
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
""")
    code, results, _ = grade(capsys, tmp_path, learner)
    assert code == 0 and results["score"] == 0
    output = results["output"]
    assert "ValueError: my code breaks at m = 3" in output and str(learner) in output
    assert "Exception Group" not in output and "hypothesis" not in output
    assert "grading.py" not in output and "registry.py" not in output  # the grader's frames


def test_the_graders_own_failure_gives_no_score_and_says_it_is_not_the_learners(
        capsys, tmp_path, monkeypatch):
    """An exception in the grader's code (here the engine's check) was reported as the
    learner's crash, scoring a right learner 0."""
    from nn import grading

    def broken(*args, **kwargs):
        raise KeyError("the grader's own bug")

    monkeypatch.setattr(grading.al, "check_gradients", broken)
    learner = tmp_path / "right.py"
    learner.write_text(SHALLOW_RIGHT + '    return {"dW1": dW1, "db1": db1, "dW2": dW2, '
                                       '"db2": db2}\n')
    with pytest.raises(grading.GraderError, match="not the learner's fault") as raised:
        grading.grade(str(learner), examples=5, out_dir=str(tmp_path / "out"))
    assert isinstance(raised.value.__cause__, KeyError)
    out = tmp_path / "results.json"
    assert main(["grade", str(learner), "-o", str(out)]) == 1
    error = capsys.readouterr().err
    assert "internal error (GraderError)" in error and "not the learner's fault" in error
    assert not out.exists()  # no 0 written for Gradescope to record


def test_a_learner_that_writes_into_its_inputs_gets_a_note(capsys, tmp_path):
    """propagate doing X *= 0.5 after its gradients scored 100 with no word: the grader
    hands out copies, which hid a bug that breaks the course's optimize loop."""
    path = _variant(tmp_path, "propagate_correct.py", 'return {"dw": dw, "db": db}',
                    'X *= 0.5\n    return {"dw": dw, "db": db}', "writes.py")
    code, results, _ = grade(capsys, tmp_path, path)
    assert results["score"] == 100.0  # graded on what it returned
    assert "note: propagate writes into its inputs (X)" in results["output"]
    assert results["extra_data"]["wrote_into"] == ["X"]
    _, right, _ = grade(capsys, tmp_path, LEARNERS / "propagate_correct.py")
    assert "writes into" not in right["output"] and right["extra_data"]["wrote_into"] == []


def test_a_crash_beside_a_wrong_gradient_still_scores_zero(capsys, tmp_path):
    """One failing line made hypothesis take the crash and the wrong db1 for one bug: it
    shrank to the wrong db1 and dropped the crash, scoring 87.5 where the same file without
    the db1 bug scored 0."""
    learner = _deep_learner(tmp_path, "m == 3", "g['db1'] = g['db1'] * 2")
    out = tmp_path / "results.json"
    assert main(["grade", str(learner), "-o", str(out), "--examples", "60"]) == 0
    results = json.loads(out.read_text())
    assert results["score"] == 0 and "my code breaks here" in results["output"]
    assert _crash_case(results["output"])[1] == 3


def test_a_return_the_grader_cannot_read_is_the_learners_not_the_graders(capsys, tmp_path):
    """A ragged dW1 ([dW1, 0]) made numpy raise in the grader: GraderError, no score."""
    path = _variant(tmp_path, "propagate_correct.py", 'return {"dw": dw, "db": db}',
                    'return {"dw": [dw, 0], "db": db}', "ragged.py")
    code, results, _ = grade(capsys, tmp_path, path)
    assert code == 0 and results["tests"][0]["status"] == "failed"
    assert "'dw' is not an array of numbers" in results["tests"][0]["output"]
    path = _variant(tmp_path, "propagate_correct.py", 'return {"dw": dw, "db": db}',
                    'return {"dw": dw, "db": [[db, db], db]}', "ragged_db.py")  # read by the grader
    code, results, _ = grade(capsys, tmp_path, path)
    assert code == 0 and results["score"] == 0
    assert "propagate returned something the grader cannot read" in results["output"]


def _deep_learner(tmp_path, crash, wrong=""):
    """A learner's L_model_backward: the course's (deep_correct.py, put beside it), which
    raises IndexError where ``crash`` holds (m examples, L layers, n the widths n_x, n[1],
    ..., n[L-1]; ``calls``, a list the learner's module keeps) and applies ``wrong`` to its
    gradients g."""
    (tmp_path / "deep_correct.py").write_text((LEARNERS / "deep_correct.py").read_text())
    learner = tmp_path / "deep_crash.py"
    learner.write_text("from deep_correct import L_model_backward as _right\n\n"
                       "calls = []\n\n\n"
                       "def L_model_backward(AL, Y, caches):\n"
                       "    m, L = AL.shape[1], len(caches)\n"
                       "    n = [cache[0][0].shape[0] for cache in caches]\n"
                       f"    if {crash}:\n"
                       "        raise IndexError('my code breaks here')\n"
                       "    g = _right(AL, Y, caches)\n"
                       f"    {wrong}\n"
                       "    return g\n")
    return learner


def _crash_case(output):
    """(layer_dims, m) of the case the output says the learner raised on."""
    found = re.search(r"L_model_backward on layer_dims=(\[[\d, ]+\]), m=(\d+), seed=\d+: "
                      r"raised:", output)
    assert found, output
    return json.loads(found[1]), int(found[2])


def test_a_learner_wrong_on_small_cases_that_crashes_on_larger_ones_scores_zero(capsys,
                                                                              tmp_path):
    """Wrong db1 on every case, an IndexError on 3-layer networks with m > 8: hypothesis
    stopped at the first wrong db1 ([1, 1]) and shrank it, so no case it ran had 3 layers
    (the fixed cases have 4), and the crash scored 87.5."""
    learner = _deep_learner(tmp_path, "L == 3 and m > 8", "g['db1'] = 2 * g['db1']")
    code, results, printed = grade(capsys, tmp_path, learner)
    assert code == 0 and results["score"] == 0 and "score 0.00 / 100.00" in printed
    output = results["output"]
    assert "IndexError: my code breaks here" in output and str(learner) in output
    assert "grading.py" not in output and "hypothesis" not in output  # the learner's frames
    dims, m = _crash_case(output)
    assert len(dims) == 4 and m > 8


def test_the_crash_named_is_the_smallest_the_crash_search_found(tmp_path):
    """The same learner at 100 cases: the edge case [1, 1, 1, 1], m = 16 crashes, and the
    crash-only search, which a wrong gradient does not stop, shrinks its crash to m = 9."""
    from nn.grading import grade as grade_file
    learner = _deep_learner(tmp_path, "L == 3 and m > 8", "g['db1'] = 2 * g['db1']")
    results = grade_file(str(learner), examples=100, out_dir=str(tmp_path / "out"))
    assert results["score"] == 0
    assert _crash_case(results["output"]) == ([1, 1, 1, 1], 9)


def test_a_crash_only_at_the_largest_m_scores_zero(capsys, tmp_path):
    """Right everywhere but m = MAX_M (16): 100 random cases never drew it (100/100)."""
    from nn.grading import MAX_M
    learner = _deep_learner(tmp_path, f"m == {MAX_M}")
    code, results, _ = grade(capsys, tmp_path, learner, "--strict")
    assert code == 1 and results["score"] == 0
    assert "IndexError: my code breaks here" in results["output"]
    assert _crash_case(results["output"])[1] == MAX_M


@pytest.mark.parametrize("crash", [  # (what random cases missed)
    "L == {layers} and {width} in n[1:]",  # a hidden layer MAX_WIDTH wide (20 cases)
    "L == {layers} and all(k == {width} for k in n)",  # every layer MAX_WIDTH wide (100)
    "n[-1] == {width}",  # the last hidden layer MAX_WIDTH wide, any depth (20)
])
def test_a_crash_only_with_the_most_layers_or_the_widest_layer_scores_zero(tmp_path, crash):
    from nn.grading import MAX_LAYERS, MAX_WIDTH
    from nn.grading import grade as grade_file
    learner = _deep_learner(tmp_path, crash.format(layers=MAX_LAYERS, width=MAX_WIDTH))
    results = grade_file(str(learner), examples=20, out_dir=str(tmp_path / "out"))
    assert results["score"] == 0 and "IndexError: my code breaks here" in results["output"]
    dims, _ = _crash_case(results["output"])
    assert MAX_WIDTH in dims[:-1] and (len(dims) == MAX_LAYERS + 1 or "L ==" not in crash)


@pytest.mark.parametrize("model", ["logistic", "shallow", "deep", "two_layer", "initialization",
                                   "regularization", "optimization"])
def test_the_crash_search_leaves_right_and_wrong_learners_scores_alone(tmp_path, model,
                                                                       monkeypatch):
    """The course's own function, of every model, scores 100 on the edge cases too (n_x = 1,
    every layer MAX_WIDTH wide, m = 1 and MAX_M); a wrong one that never crashes scores
    what its keys earn, as before the crash search."""
    from nn import grading
    from nn.grading import grade as grade_file
    monkeypatch.setattr(grading, "OWN_WORK", False)  # (nn's answer, graded as a learner)
    from nn.registry import COURSE_MODELS
    name = COURSE_MODELS[model].learner
    right = tmp_path / "right.py"  # the course's function, called from one the file defines
    arguments = ", ".join(k for k, p in inspect.signature(COURSE_MODELS[model].reference)
                          .parameters.items() if p.default is inspect.Parameter.empty)
    right.write_text(f"from nn.registry import COURSE_MODELS\n\n\n"
                     f"def {name}({arguments}, **options):\n"
                     f"    return COURSE_MODELS[{model!r}].reference({arguments}, **options)\n")
    results = grade_file(str(right), model, examples=20, out_dir=str(tmp_path / "out"))
    assert results["score"] == 100, results["output"]
    if model == "deep":
        wrong = _deep_learner(tmp_path, "False", "g['db1'] = 2 * g['db1']")
        results = grade_file(str(wrong), examples=20, out_dir=str(tmp_path / "out"))
        assert results["score"] == pytest.approx(100 * 7 / 8), results["output"]
        assert "raised" not in results["output"]


@pytest.mark.parametrize("call", [30, 150])  # in the first search; in the crash-only one
def test_a_learner_that_crashes_once_scores_zero_not_a_grader_error(tmp_path, call):
    """A learner that keeps state (here a count of its calls) and raises on one call:
    hypothesis reran the failing case, which passed, and raised Flaky, reported as the
    grader's own failure (no score)."""
    from nn.grading import grade as grade_file
    learner = _deep_learner(tmp_path, f"calls.append(m) or len(calls) == {call}")
    results = grade_file(str(learner), examples=100, out_dir=str(tmp_path / "out"))
    assert results["score"] == 0 and "IndexError: my code breaks here" in results["output"]


def test_the_crash_named_is_the_smallest_even_when_the_first_search_met_one(tmp_path):
    """A hostile review: when the first search already met a crash (beside a wrong dW1), the
    crash-only search did not run: [4, 4, 8, 4, 1], m=4 was named where [1, 1, 1, 1, 1],
    m=1 crashes too."""
    from nn.grading import grade as grade_file
    learner = _deep_learner(tmp_path, "L == 4", "g['dW1'] = g['dW1'] * 2")
    results = grade_file(str(learner), examples=100, out_dir=str(tmp_path / "out"))
    assert results["score"] == 0
    assert _crash_case(results["output"]) == ([1, 1, 1, 1, 1], 1)


@pytest.mark.parametrize("name, old, new, expected", [
    ("random", "    return grads\n",  # wrong one call in five: it scored 100 or 87.5 by the run
     "    import random\n    if random.random() < 0.2:\n"
     "        grads['dW1'] = grads['dW1'] * 1.01\n    return grads\n",
     "different results for the same input on two calls"),
    ("numpy_random", "    return grads\n",
     "    if np.random.rand() < 0.5:\n        grads['db1'] = grads['db1'] + 1e-3\n"
     "    return grads\n",
     "different results for the same input on two calls"),
    ("list", "    return grads\n",
     "    grads['dW1'] = grads['dW1'].tolist()\n    return grads\n",
     "dW1 is a list; the course's gradients are numpy arrays of real numbers"),
    ("matrix", "    return grads\n",
     "    grads['dW1'] = np.asmatrix(grads['dW1'])\n    return grads\n",
     "dW1 is a matrix"),
    ("complex", "    return grads\n", "    grads['db1'] = grads['db1'] + 0j\n    return grads\n",
     "db1 is of complex128"),
    ("object", "    return grads\n", "    grads['db1'] = grads['db1'].astype(object)\n"
     "    return grads\n", "db1 is of object"),
    ("tensor", "    return grads\n",
     "    import autograd_lite as al\n    grads['dW1'] = al.Tensor(grads['dW1'])\n"
     "    return grads\n",
     "dW1 is an autograd_lite Tensor"),
    ("imported", "def L_model_backward(AL, Y, caches):",
     "from nn.deep import L_model_backward  # noqa\n\n\ndef _mine(AL, Y, caches):",
     "L_model_backward is nn.deep's, imported, not written"),
    ("tampered", "def L_model_backward(AL, Y, caches):",
     "import autograd_lite as al\nal.check_gradients = lambda *a, **k: None\n\n\n"
     "def L_model_backward(AL, Y, caches):", "the learner's code replaced autograd_lite"),
    ("tampered_class", "def L_model_backward(AL, Y, caches):",
     "import autograd_lite.gradcheck as g\ng.GradientReport.passed = property(lambda s: True)"
     "\n\n\ndef L_model_backward(AL, Y, caches):", "GradientReport.passed"),
    ("tampered_constant", "def L_model_backward(AL, Y, caches):",
     "import nn.grading\nnn.grading.FIXED_CASES = ()\n\n\ndef L_model_backward(AL, Y, caches):",
     "the learner's code replaced"),
    ("tampered_in_call", "    return grads\n",
     "    import autograd_lite as al\n    al.check_gradients = lambda *a, **k: None\n"
     "    return grads\n", "the learner's code replaced autograd_lite"),
])
@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # (np.matrix, on purpose)
def test_a_learner_that_would_have_scored_100_wrongly_scores_zero(tmp_path, name, old, new,
                                                                  expected):
    """Each scored 100 before: randomness that hypothesis's reseeding froze to one draw,
    gradients of a type the course's update cannot use (the key fails), the library's own
    function, and a file that replaced the grader's check."""
    import autograd_lite as al
    from autograd_lite.gradcheck import GradientReport
    from nn import grading
    from nn.grading import grade as grade_file
    check, passed, fixed = al.check_gradients, GradientReport.passed, grading.FIXED_CASES
    path = _variant(tmp_path, "deep_correct.py", old, new, f"{name}.py")
    results = grade_file(str(path), examples=30, out_dir=str(tmp_path / "out"))
    text = results["output"] + "".join(t["output"] for t in results["tests"])
    assert expected in text
    keys = len(results["tests"])
    assert results["score"] == (0.0 if name not in ("list", "matrix", "complex", "object",
                                                    "tensor")
                                else pytest.approx(100.0 * (keys - 1) / keys))  # one key fails
    assert al.check_gradients is check  # put back for whatever is graded next
    assert GradientReport.passed is passed and grading.FIXED_CASES is fixed


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # (np.matrix, on purpose)
def test_a_key_that_is_not_graded_is_not_made_a_test_by_its_type(tmp_path):
    """dA0 as an np.matrix became a ninth test, failed: 88.9 for right gradients."""
    from nn.grading import grade as grade_file
    path = _variant(tmp_path, "deep_correct.py", "    return grads\n",
                    "    grads['dA0'] = np.asmatrix(grads['dA0'])\n    return grads\n",
                    "dA0_matrix.py")
    results = grade_file(str(path), examples=10, out_dir=str(tmp_path / "out"))
    assert results["score"] == 100.0 and len(results["tests"]) == 8


@pytest.mark.parametrize("name,old,new,expected", [
    ("endless", "def L_model_backward(AL, Y, caches):",
     "def L_model_backward(AL, Y, caches):\n    while True:\n        pass\n\n\n"
     "def _unused(AL, Y, caches):", "L_model_backward ran longer than 0.5 s"),
    ("swallows_the_timeout", "def L_model_backward(AL, Y, caches):",  # a bare except in a loop
     "def L_model_backward(AL, Y, caches):\n    while True:\n        try:\n"
     "            np.zeros(3)\n        except:  # noqa: E722\n            pass\n\n\n"
     "def _unused(AL, Y, caches):", "L_model_backward ran longer than 0.5 s"),
    ("returns_after_catching_it", "def L_model_backward(AL, Y, caches):",
     "import time\n\n\ndef L_model_backward(AL, Y, caches):\n    try:\n        time.sleep(60)\n"
     "    except BaseException:\n        return {}\n\n\ndef _unused(AL, Y, caches):",
     "L_model_backward ran longer than 0.5 s"),
    ("endless_import", "def L_model_backward(AL, Y, caches):",
     "while True:\n    pass\n\n\ndef L_model_backward(AL, Y, caches):", "importing "),
])
def test_a_learner_that_runs_past_the_time_limit_scores_zero_naming_the_case(
        capsys, tmp_path, name, old, new, expected):
    """An endless loop hung the grader: Gradescope then killed it, with no results.json."""
    path = _variant(tmp_path, "deep_correct.py", old, new, f"{name}.py")
    code, results, printed = grade(capsys, tmp_path, path, "--time-limit", "0.5")
    assert code == 0 and results["score"] == 0.0
    assert expected in results["output"] and "time limit" in results["output"]
    assert results["execution_time"] < 10  # stopped at once: no shrinking, no crash search
    if name != "endless_import":
        case = results["extra_data"]["crashed_on"]
        assert {"layer_dims", "m", "seed"} <= case.keys()
        assert f"on layer_dims={case['layer_dims']}, m={case['m']}" in results["output"]
    import signal
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # the timer is off again


def test_a_slow_but_finishing_learner_passes_under_a_larger_limit_or_none(tmp_path):
    from nn.grading import grade as grade_file
    path = _variant(tmp_path, "deep_correct.py", "    return grads\n",
                    "    import time\n    time.sleep(0.02)\n    return grads\n", "slow.py")
    slow = grade_file(str(path), examples=1, out_dir=str(tmp_path), time_limit=0.005)
    assert slow["score"] == 0.0 and "ran longer than 0.005 s" in slow["output"]
    for limit in (5.0, None):
        assert grade_file(str(path), examples=1, out_dir=str(tmp_path),
                          time_limit=limit)["score"] == 100.0


def test_grading_outside_the_main_thread_works_without_a_time_limit(tmp_path):
    """SIGALRM serves the main thread only: a grader run in a thread must still grade."""
    import threading

    from nn.grading import grade as grade_file
    got = {}
    thread = threading.Thread(target=lambda: got.update(grade_file(
        str(LEARNERS / "deep_correct.py"), examples=2, out_dir=str(tmp_path))))
    thread.start()
    thread.join(60)
    assert got["score"] == 100.0


@pytest.mark.parametrize("value", ["-1", "nan", "inf", "ten"])
def test_a_bad_time_limit_is_a_usage_error(capsys, value):
    assert main(["grade", str(LEARNERS / "deep_correct.py"), "--time-limit", value]) == 2
    assert "--time-limit: must be a number of seconds" in capsys.readouterr().err


@pytest.mark.parametrize("name,old,new,failed", [
    ("right", "", "", set()),
    # each below scored nothing: dropout's backward could not be graded at all
    ("keep_prob_hard_coded", "    dA1 = dA1 / keep_prob\n", "    dA1 = dA1 / 0.86\n",
     {"dW1", "db1"}),  # right on every case whose keep_prob is 0.86
    # right: A2 > 0 in dZ2 is 0 where D2 dropped the unit, so the mask is applied anyway
    ("no_mask_in_layer_2", "    dA2 = dA2 * D2\n", "", set()),
    ("multiplied_by_keep_prob", "    dA2 = dA2 / keep_prob\n", "    dA2 = dA2 * keep_prob\n",
     {"dW1", "db1", "dW2", "db2"}),
    ("not_scaled", "    dA2 = dA2 / keep_prob\n", "", {"dW1", "db1", "dW2", "db2"}),
])
def test_course_2s_dropout_backward_is_graded_against_the_engine_through_the_same_masks(
        tmp_path, name, old, new, failed):
    from nn.grading import grade as grade_file
    path = _variant(tmp_path, "dropout_correct.py", old, new, f"{name}.py")
    results = grade_file(str(path), examples=30, out_dir=str(tmp_path / "out"))
    assert results["extra_data"]["function"] == "backward_propagation_with_dropout"
    keys = {t["name"].split(": ")[1]: t["status"] for t in results["tests"]}
    assert keys.keys() == {f"d{p}{l}" for p in "Wb" for l in (1, 2, 3)}
    assert {k for k, status in keys.items() if status == "failed"} == failed
    assert results["score"] == pytest.approx(100 * (6 - len(failed)) / 6)
    if failed:
        assert "keep_prob=" in results["output"]  # the case names the keep_prob it used


def test_dropout_backward_that_draws_its_own_masks_scores_zero(tmp_path):
    from nn.grading import grade as grade_file
    path = _variant(tmp_path, "dropout_correct.py", "    dA2 = dA2 * D2\n",
                    "    dA2 = dA2 * (np.random.rand(*dA2.shape) < keep_prob)\n", "drawn.py")
    results = grade_file(str(path), examples=5, out_dir=str(tmp_path / "out"))
    assert results["score"] == 0.0 and "different results" in results["output"]


def test_a_file_with_l2_and_dropout_grades_l2_unless_function_picks_dropout(capsys, tmp_path):
    l2 = _course2_l2_learner()
    both = tmp_path / "week1.py"
    both.write_text((LEARNERS / "dropout_correct.py").read_text() + "\n\n" + l2)
    _, results, _ = grade(capsys, tmp_path, both)
    assert results["extra_data"]["function"] == "backward_propagation_with_regularization"
    assert "also defines backward_propagation_with_dropout" in results["output"]
    assert "--function picks another" in results["output"]
    _, results, _ = grade(capsys, tmp_path, both, "--function",
                          "backward_propagation_with_dropout")
    assert results["extra_data"]["function"] == "backward_propagation_with_dropout"
    assert results["score"] == 100.0
    _, results, _ = grade(capsys, tmp_path, both, "--model", "initialization", "--function",
                          "backward_propagation_with_dropout")
    assert results["score"] == 0.0
    assert ("initialization grades backward_propagation, not "
            "backward_propagation_with_dropout") in results["output"]


def _course2_l2_learner() -> str:
    """backward_propagation_with_regularization as the course writes it."""
    return '''
def backward_propagation_with_regularization(X, Y, cache, lambd):
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = 1./m * np.dot(dZ3, A2.T) + lambd / m * W3
    db3 = 1./m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1./m * np.dot(dZ2, A1.T) + lambd / m * W2
    db2 = 1./m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1./m * np.dot(dZ1, X.T) + lambd / m * W1
    db1 = 1./m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2,
            "db2": db2, "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}
'''


def test_every_key_is_checked_on_every_case_not_only_those_before_the_first_failure(tmp_path):
    """hypothesis stops at the first wrong key: the others had been tried only on the cases
    before it, and a learner whose every dW is wrong for m >= 12 scored 75 (dW3 and dW4
    "equal the engine's gradient on every case tried")."""
    from nn.grading import grade as grade_file
    path = _variant(tmp_path, "deep_correct.py", "    dA_prev = np.dot(W.T, dZ)\n",
                    "    dA_prev = np.dot(W.T, dZ)\n    if m >= 12:\n        dW = dW * 1.01\n",
                    "large_m.py")
    results = grade_file(str(path), examples=20, out_dir=str(tmp_path / "out"))
    failed = {t["name"].split(": ")[1] for t in results["tests"] if t["status"] == "failed"}
    assert failed == {"dW1", "dW2", "dW3", "dW4"}
    assert results["score"] == 50.0


@pytest.mark.parametrize("name,body", [
    ("catches_inside_its_loop", "    while True:\n        try:\n            while True:\n"
                                "                pass\n        except BaseException:\n"
                                "            pass\n"),
    ("turns_the_alarm_off", "    import signal\n    signal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
                            "    while True:\n        pass\n"),
])
def test_a_learner_that_will_not_stop_still_gets_a_results_file_with_0(tmp_path, name, body):
    """A timeout caught inside the learner's own loop, or SIGALRM turned off, hung the
    grader: the watchdog writes the 0 and ends the process."""
    learner = tmp_path / f"{name}.py"
    learner.write_text(f"def L_model_backward(AL, Y, caches):\n{body}")
    out = tmp_path / "results.json"
    done = subprocess.run([sys.executable, "-m", "nn", "grade", str(learner), "-o", str(out),
                           "--time-limit", "0.5", "--diagrams", str(tmp_path)],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    results = json.loads(out.read_text())
    jsonschema.validate(results, RESULTS_SCHEMA)
    assert results["score"] == 0.0 and "did not stop when told" in results["output"]


def test_grading_keeps_a_harness_alarm_that_was_already_set(tmp_path):
    """Each call's timer cancelled a timer already running (pytest-timeout's, say)."""
    import signal

    from nn.grading import grade as grade_file
    rang = []
    previous = signal.signal(signal.SIGALRM, lambda *_: rang.append(True))
    signal.setitimer(signal.ITIMER_REAL, 600)
    try:
        assert grade_file(str(LEARNERS / "deep_correct.py"), examples=2,
                          out_dir=str(tmp_path))["score"] == 100.0
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 500 < remaining <= 600 and not rang
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_a_right_learner_is_graded_against_the_engine_not_finite_differences():
    """Where the output saturates (m = 1, keep_prob 0.5), central differences gave 0 for a
    gradient of -6e-15 that the learner and the engine agreed on, and the right dropout
    learner lost dW2 to db3: the grade is the engine's comparison, as the README says."""
    import importlib.util

    from nn.grading import check_case
    from nn.registry import COURSE_MODELS
    spec = importlib.util.spec_from_file_location("dropout_correct",
                                                  LEARNERS / "dropout_correct.py")
    learner = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(learner)
    model = COURSE_MODELS["regularization"].graded()[1]
    assert model.learner == "backward_propagation_with_dropout"
    report = check_case(model, learner.backward_propagation_with_dropout, [1, 5, 1, 1], 1, 8)
    assert report.passed, report


def test_slow_code_that_would_outlast_the_autograder_scores_zero_with_its_reason(
        capsys, tmp_path):
    """Each call had its limit, but none for them all: about 450 calls just under 10 s would
    outlast Gradescope's own limit, whose timeout leaves no results.json, so no reason."""
    from nn.grading import grade as grade_file
    path = _variant(tmp_path, "deep_correct.py", "    return grads\n",
                    "    import time\n    time.sleep(0.03)\n    return grads\n", "slow.py")
    slow = grade_file(str(path), examples=5, out_dir=str(tmp_path), total_time_limit=0.2)
    assert slow["score"] == 0.0
    assert ("has run 0.2 s in all over the calls so far (the grader's total time limit, "
            "under the autograder's own; each call was under its 10 s): make it faster, or "
            "total_time_limit (--total-time-limit) sets it") in slow["output"]
    assert slow["execution_time"] < 10
    code, results, _ = grade(capsys, tmp_path, path, "--examples", "5",
                             "--total-time-limit", "0.2")
    assert code == 0 and results["score"] == 0.0 and "in all" in results["output"]
    code, results, _ = grade(capsys, tmp_path, path, "--examples", "1",
                             "--total-time-limit", "0")  # none: it finishes, and passes
    assert results["score"] == 100.0


def test_the_total_is_checked_between_calls_where_there_is_no_timer(tmp_path):
    """Outside the main thread SIGALRM cannot stop a call; the total still ends the grading
    at the next call."""
    import threading

    from nn.grading import grade as grade_file
    path = _variant(tmp_path, "deep_correct.py", "    return grads\n",
                    "    import time\n    time.sleep(0.03)\n    return grads\n", "slow.py")
    out = {}
    worker = threading.Thread(target=lambda: out.update(grade_file(
        str(path), examples=5, out_dir=str(tmp_path), total_time_limit=0.1)))
    worker.start()
    worker.join(60)
    assert out["score"] == 0.0 and "was not called: the learner's code has run 0.1 s" \
        in out["output"]


# ---- a teacher's hostile submissions (an outside tester): each scored what it did not earn,
# or left no results.json ------------------------------------------------------------------

MISSING_1_OVER_M = ("dW = 1 / m * np.dot(dZ, A_prev.T)", "dW = np.dot(dZ, A_prev.T)")


def _hostile(tmp_path, extra, wrong=True):
    """deep_correct.py, with the 1/m of dW left out (scores 50) unless ``wrong`` is False,
    and ``extra`` at its top level; graded by the command in a process of its own."""
    text = (LEARNERS / "deep_correct.py").read_text()
    if wrong:
        text = text.replace(*MISSING_1_OVER_M)
    learner = tmp_path / "hostile.py"
    learner.write_text(text + "\n" + extra + "\n")
    out = tmp_path / "res" / "results.json"
    out.parent.mkdir()
    done = subprocess.run([sys.executable, "-m", "nn", "grade", str(learner), "-o",
                           str(out.relative_to(tmp_path)), "--examples", "10", "--diagrams",
                           "figs"], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env=_THIS_CHECKOUT)
    return done, (json.loads(out.read_text()) if out.exists() else None)


# the command of this checkout, whichever one the environment installed
_THIS_CHECKOUT = {**os.environ, "PYTHONPATH": os.pathsep.join(
    [str(ROOT), os.environ.get("PYTHONPATH", "")])}


@pytest.mark.parametrize("attack", [
    # json.dump wrapped at import: it wrote 100 where 50 was printed
    "import json\n_dump = json.dump\n"
    "def _full(obj, fh, **kw):\n"
    "    obj['score'] = 100.0\n    [t.update(score=t['max_score']) for t in obj['tests']]\n"
    "    _dump(obj, fh, **kw)\njson.dump = _full\n"
    "json.dumps = lambda obj, **kw: '{\"score\": 100.0}'",
    # an atexit hook that rewrote results.json after the grade
    "import atexit, glob\n"
    "def _rewrite():\n"
    "    for p in glob.glob('res/*.json'):\n"
    "        open(p, 'w').write('{\"score\": 100.0, \"tests\": []}')\n"
    "atexit.register(_rewrite)",
    # a chdir at import moved -o res/results.json away
    "import os, tempfile\nos.chdir(tempfile.gettempdir())",
])
def test_a_hostile_top_level_does_not_change_the_score_written(tmp_path, attack):
    done, results = _hostile(tmp_path, attack)
    assert done.returncode == 0, done.stderr
    assert results["score"] == 50.0, results["output"]


def test_a_learner_that_ends_the_process_leaves_a_zero_with_its_reason(tmp_path):
    text = (LEARNERS / "deep_correct.py").read_text().replace(
        "def L_model_backward(AL, Y, caches):",
        "def L_model_backward(AL, Y, caches):\n    import os\n    os._exit(0)\n\n\n"
        "def _unused(AL, Y, caches):")
    learner = tmp_path / "exits.py"
    learner.write_text(text)
    out = tmp_path / "results.json"
    subprocess.run([sys.executable, "-m", "nn", "grade", str(learner), "-o", str(out)],
                   cwd=tmp_path, capture_output=True, timeout=300, env=_THIS_CHECKOUT)
    results = json.loads(out.read_text())  # there was none: Gradescope's error, no reason
    jsonschema.validate(results, RESULTS_SCHEMA)
    assert results["score"] == 0 and "ended the process (os._exit" in results["output"]


@pytest.mark.parametrize("body", [
    "from nn.deep import L_model_backward as _answer\n\n\n"
    "def L_model_backward(AL, Y, caches):\n    return _answer(AL, Y, caches)\n",
    "import numpy as np\n\n\n"  # imported inside the function
    "def L_model_backward(AL, Y, caches):\n"
    "    import nn.deep as d\n    return d.L_model_backward(AL, Y, caches)\n",
])
def test_a_wrapper_around_nns_answer_scores_zero(capsys, tmp_path, body):
    learner = tmp_path / "wrapper.py"
    learner.write_text(body)
    code, results, _ = grade(capsys, tmp_path, learner)  # it scored 100
    assert results["score"] == 0 and "nn.deep.L_model_backward, nn's own answer" in \
        results["output"]


def test_a_propagate_computed_by_the_engine_scores_zero(capsys, tmp_path):
    learner = tmp_path / "engine.py"
    learner.write_text(
        "import autograd_lite as al\n\n\n"
        "def propagate(w, b, X, Y):\n"
        "    def cost(w, b):\n"
        "        A = al.sigmoid(w.T @ X + b)\n"
        "        return -(Y * al.log(A) + (1 - Y) * al.log(1 - A)).sum() / X.shape[1]\n"
        "    J, (dw, db) = al.value_and_grad(cost, argnums=(0, 1))(w, b)\n"
        "    return {'dw': dw, 'db': db}, float(J)\n")
    code, results, _ = grade(capsys, tmp_path, learner)
    assert results["score"] == 0 and "autograd_lite's backward pass" in results["output"]
    code, results, _ = grade(capsys, tmp_path, LEARNERS / "propagate_correct.py")
    assert results["score"] == 100  # numpy by hand: not watched into a false 0


def test_huge_messages_prints_and_key_lists_are_bounded(capsys, tmp_path):
    from nn.grading import OUTPUT_CHARS
    raising = tmp_path / "raising.py"
    raising.write_text((LEARNERS / "deep_correct.py").read_text().replace(
        "def L_model_backward(AL, Y, caches):",
        "def L_model_backward(AL, Y, caches):\n    print('y' * 100_000)\n"
        "    raise ValueError('x' * 1_000_000)\n\n\ndef _unused(AL, Y, caches):"))
    code, results, printed = grade(capsys, tmp_path, raising)
    assert results["score"] == 0 and "characters left out" in results["output"]
    assert all(len(t["output"]) < OUTPUT_CHARS + 200 for t in [results, *results["tests"]])
    assert "characters left out" in results["extra_data"]["crashed_on"]["error"]
    assert len(json.dumps(results)) < 4 * OUTPUT_CHARS  # the whole file (crashed_on's error
    # carried the message whole: a 5 MB results.json for ValueError('y' * 5_000_000))
    assert printed.count("y") < OUTPUT_CHARS + 1000  # 100,000 twice a case, before
    assert "the grader shows no more of the learner's printing" in printed
    junk = tmp_path / "junk.py"
    junk.write_text((LEARNERS / "deep_correct.py").read_text().replace(
        "    return grads", "    grads.update(('junk%d' % i, 0.0) for i in range(20_000))\n"
        "    return grads"))
    code, results, _ = grade(capsys, tmp_path, junk)
    assert results["score"] == 100


def test_the_watch_steps_aside_for_a_teachers_profiler_and_a_learners_stdout_is_its_own(
        capsys, tmp_path):
    # a hostile review: under cProfile a right learner scored 0 ("'Profile' object is not
    # callable", the grader's own restore), and a notebook's
    # sys.stdout = io.TextIOWrapper(sys.stdout.buffer, ...) at the top failed to import
    import cProfile

    from nn.grading import grade as grade_file
    profile = cProfile.Profile()
    profile.enable()
    try:
        assert grade_file(str(LEARNERS / "deep_correct.py"), examples=5,
                          out_dir=str(tmp_path / "o"))["score"] == 100
    finally:
        profile.disable()
    learner = tmp_path / "enc.py"
    learner.write_text((LEARNERS / "deep_correct.py").read_text() +
                       "\nimport sys\nENCODING = sys.stdout.encoding.lower()\n")
    code, results, _ = grade(capsys, tmp_path, learner)
    assert results["score"] == 100, results["output"]


def test_a_folder_given_to_grade_is_said_to_be_one(capsys, tmp_path):
    code, results, _ = grade(capsys, tmp_path, LEARNERS)
    assert results["score"] == 0 and "is a folder; give the learner's .py file" in \
        results["output"]


def test_a_grade_report_says_nothing_of_samples_where_no_differences_are_taken(capsys,
                                                                            tmp_path):
    # a stranger: every row said "central differences at 0 of 1 entries (a seeded sample,
    # max_numerical=None takes all)" beside "(no central differences were taken)"
    code, results, printed = grade(capsys, tmp_path, LEARNERS / "deep_wrong.py")
    assert "central differences at 0 of" not in results["output"] + printed


def test_examples_0_grades_the_fixed_cases_alone(capsys, tmp_path):
    # a teacher: a learner could not run the fixed cases alone for quick feedback (1..10,000)
    code, results, printed = grade(capsys, tmp_path, LEARNERS / "deep_wrong.py", "--examples",
                                   "0")
    assert results["score"] == 50
    assert "on the fixed cases (no random ones: --examples 0)" in results["output"]
    code, results, printed = grade(capsys, tmp_path, LEARNERS / "deep_correct.py",
                                   "--examples", "0")
    assert results["score"] == 100


def test_a_profile_the_learner_sets_does_not_turn_the_watch_off(capsys, tmp_path):
    # a second review: sys.setprofile(lambda *a: None) at the top scored 100 again
    learner = tmp_path / "cheat.py"
    learner.write_text("import sys\nsys.setprofile(lambda *a: None)\n"
                       "from nn.deep import L_model_backward as _answer\n\n\n"
                       "def L_model_backward(AL, Y, caches):\n"
                       "    return _answer(AL, Y, caches)\n")
    code, results, _ = grade(capsys, tmp_path, learner)
    assert results["score"] == 0 and "nn's own answer" in results["output"]


def test_the_learners_stdout_wrapper_and_writelines_stay_bounded(capsys, tmp_path):
    # a second review: a notebook's io.TextIOWrapper(sys.stdout.buffer), dropped, closed the
    # real stdout ("internal error (ValueError)"); writelines passed 100,000 characters
    from nn.grading import OUTPUT_CHARS
    learner = tmp_path / "wrapped.py"
    learner.write_text((LEARNERS / "deep_correct.py").read_text().replace(
        "def L_model_backward(AL, Y, caches):",
        "def L_model_backward(AL, Y, caches):\n    import io, sys\n"
        "    sys.stdout.writelines(['w' * 50_000] * 2)\n"
        "    sys.stdout = io.TextIOWrapper(sys.stdout.buffer, encoding='utf-8')\n"
        "    print('b' * 50_000)\n    return _unused(AL, Y, caches)\n\n\n"
        "def _unused(AL, Y, caches):"))
    code, results, printed = grade(capsys, tmp_path, learner)
    assert code == 0 and results["score"] == 100, results["output"]
    assert printed.count("w") + printed.count("b") < OUTPUT_CHARS + 1000


def test_a_callers_edit_of_a_wrong_learners_results_stands(tmp_path):
    # a second review: drawing the counterexample imported logging, whose atexit hook was
    # taken for the learner's, and the caller's edit was undone at exit
    script = tmp_path / "caller.py"
    out = tmp_path / "r.json"
    script.write_text(
        "import json\nfrom nn import cli\n"
        f"cli.main(['grade', {str(LEARNERS / 'deep_wrong.py')!r}, '-o', {str(out)!r}, "
        f"'--examples', '5', '--diagrams', {str(tmp_path / 'd')!r}])\n"
        f"r = json.load(open({str(out)!r}))\nr['score'] = 42.0\n"
        f"json.dump(r, open({str(out)!r}, 'w'))\n")
    subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                   timeout=300, env=_THIS_CHECKOUT, check=True)
    assert json.loads(out.read_text())["score"] == 42.0


_HELPER = '''import numpy as np

def relu_backward(dA, Z):
    return dA * (Z > 0)

def sigmoid_backward(dA, Z):
    s = 1 / (1 + np.exp(-Z))
    return dA * s{tail}
'''

_USES_HELPER = '''import numpy as np
from dnn_utils import relu_backward, sigmoid_backward   # the learner's own helper file

def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    dA = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    for l in reversed(range(L)):
        (A_prev, W, b), Z = caches[l]
        dZ = sigmoid_backward(dA, Z) if l == L - 1 else relu_backward(dA, Z)
        m = A_prev.shape[1]
        grads["dW" + str(l + 1)] = dZ @ A_prev.T / m
        grads["db" + str(l + 1)] = dZ.sum(axis=1, keepdims=True) / m
        dA = grads["dA" + str(l)] = W.T @ dZ
    return grads
'''


def test_learners_graded_in_one_process_each_get_their_own_helpers(tmp_path, monkeypatch):
    """A teacher's batch script: bob's helper lacks sigmoid's (1 - s), and he scored 100
    after alice, whose dnn_utils stayed loaded; alice scored 0 after bob."""
    from nn.grading import grade
    for who, tail in (("alice", " * (1 - s)"), ("bob", "")):
        (tmp_path / who).mkdir()
        (tmp_path / who / "dnn_utils.py").write_text(_HELPER.format(tail=tail))
        (tmp_path / who / "submission.py").write_text(_USES_HELPER)
    teachers = type(sys)("dnn_utils")  # the teacher's own module of that name, loaded first
    teachers.__file__ = str(tmp_path / "teacher" / "dnn_utils.py")
    monkeypatch.setitem(sys.modules, "dnn_utils", teachers)
    scores = [grade(str(tmp_path / who / "submission.py"), examples=3,
                    out_dir=str(tmp_path / "out"))["score"]
              for who in ("alice", "bob", "alice", "bob")]
    assert scores == [100.0, 0.0, 100.0, 0.0]
    assert sys.modules["dnn_utils"] is teachers  # set aside while they were graded


def test_a_learners_copy_of_the_library_beside_its_file_does_not_replace_the_graders(tmp_path):
    """A hostile review: a submission folder holding autograd_lite/ (a learner who copied the
    library in) set aside the grader's own, whose lazy imports then loaded the learner's
    copy: no score, 'the grader itself failed'. (A fresh process, as the command runs.)"""
    for package in ("autograd_lite", "nn"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("raise ImportError('the copy')\n")
    learner = tmp_path / "submission.py"
    learner.write_text((LEARNERS / "deep_correct.py").read_text())
    code = ("import sys; from nn.grading import grade; "
            f"r = grade({str(learner)!r}, examples=3, out_dir={str(tmp_path / 'out')!r}); "
            "print(r['score']); print(r['output'])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=str(ROOT), timeout=120)
    assert done.stdout.startswith("100.0"), done.stdout + done.stderr


def test_function_names_the_graded_function_and_the_model_is_the_one_that_fits(capsys,
                                                                                tmp_path):
    """grade --function backward_propagation took shallow's, the first in the registry, and
    scored every right Course 2 learner 0 (h19 review)."""
    from nn.registry import for_learner

    class Course2:
        @staticmethod
        def backward_propagation(X, Y, cache):
            return {}
    assert for_learner(Course2, function="backward_propagation").name == "initialization"


def test_the_smallest_failing_case_names_a_missing_one_over_m(capsys, tmp_path):
    """deep_wrong's smallest case, a (1, 1) dW1 at m = 2, showed two numbers and no hint:
    one entry is too few for check_gradients to call it a slip (h19 stranger)."""
    code, results, printed = grade(capsys, tmp_path, LEARNERS / "deep_wrong.py")
    assert "smallest failing case: layer_dims=[1, 1], m=2" in printed.lower()
    assert "dW1: at (0, 0) yours is -0.00979878, the engine's -0.00489939; yours is m = 2 " \
           "times the engine's (a missing 1/m?)" in printed
