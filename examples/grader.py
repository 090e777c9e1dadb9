"""Grade a learner's hand-written backprop against the engine, by property-based testing.

    python examples/grader.py examples/learners/deep_wrong.py --json grade.json

The learner's file defines the graded function of one of nn's course models, in plain
numpy: propagate(w, b, X, Y) (week 2), backward_propagation(parameters, cache, X, Y)
(week 3), L_model_backward(AL, Y, caches) (week 4), or Course 2's
backward_propagation(X, Y, cache) and backward_propagation_with_regularization(X, Y, cache,
lambd). The model is found from the function (--model picks one: nn.registry.COURSE_MODELS
lists them and how each is called). Hypothesis tries many random layer sizes, m and seeds;
a failure is shrunk to the smallest case, reported as a table, drawn as a diagram and
scored in JSON.
"""

import argparse
import importlib.util
import json
import os
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autograd_lite as al
from autograd_lite.testing import layer_dims
from nn.registry import COURSE_MODELS, for_learner, random_case

# ---- settings ----------------------------------------------------------------------------
EXAMPLES = int(os.environ.get("GRADER_EXAMPLES", 100))  # random cases to try
MAX_LAYERS, MAX_WIDTH, MAX_M = 4, 8, 16
OUT_DIR = "grader_out"  # the counterexample's diagram goes here


def load_learner(path):
    if not os.path.isfile(path):
        sys.exit(f"grader: no learner file at {path}")
    spec = importlib.util.spec_from_file_location("learner", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check(model, function, dims, m, seed):
    """The learner's gradients on one random case, against the engine's (the report), and
    the case (X, Y, parameters)."""
    X, Y, params = random_case(model, dims, m, seed)  # X (n_x, m), Y (1, m)
    yours = model.grade(function, params, X, Y, **model.grade_options)
    cost = lambda P: model.engine(P, X, Y, **model.grade_options)  # noqa: E731
    return al.check_gradients(cost, params, yours, max_numerical=50), (X, Y, params)


def dims_strategy(model):
    """Layer sizes [n_x, n[1], ..., 1] with as many hidden layers as the model takes."""
    lo, hi = model.hidden_layers
    return layer_dims(lo + 1, min(hi + 1, MAX_LAYERS), 1, MAX_WIDTH)


def grade(path, name=None):
    learner = load_learner(path)
    try:
        model = for_learner(learner, name)
    except LookupError as err:
        sys.exit(f"grader: {path}: {err}")
    function = getattr(learner, model.learner)
    last = {}

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(dims=dims_strategy(model), m=st.integers(1, MAX_M), seed=st.integers(0, 2**16))
    def prop(dims, m, seed):
        case = {"layer_dims": dims, "m": m, "seed": seed}
        try:
            report, _ = check(model, function, dims, m, seed)
        except Exception as err:  # the learner's code crashed: that case fails
            last.update(case=case, report=None, error=f"{type(err).__name__}: {err}")
            raise AssertionError(last["error"]) from err
        if not report.passed:
            last.update(case=case, report=report, error=None)
            raise AssertionError(str(report))

    result = {"learner": path, "model": model.name, "function": model.learner,
              "cases": EXAMPLES}
    try:
        prop()
        return {**result, "passed": True, "score": 1.0, "counterexample": None, "report": None}
    except AssertionError:
        report = last["report"]
        result.update(passed=False, score=0.0 if report is None else report.score,
                      counterexample=last["case"], error=last["error"],
                      report=None if report is None else report.to_dict())
        if report is not None:
            result["diagram"] = draw_counterexample(model, function, last["case"], report)
        result["text"] = str(report) if report is not None else last["error"]
        return result


def draw_counterexample(model, function, case, report):
    """The counterexample's graph, with the disagreeing gradients outlined."""
    _, (X, Y, params) = check(model, function, case["layer_dims"], case["m"], case["seed"])
    P = {k: al.Tensor(v, requires_grad=True, name=k) for k, v in params.items()}
    cost = model.engine(P, X, Y, **model.grade_options)
    cost.name = "J"
    cost.backward(retain_graph=True)
    os.makedirs(OUT_DIR, exist_ok=True)
    graph = al.draw(cost, compare=report, show_values=False)
    path = os.path.join(OUT_DIR, "counterexample.dot")
    graph.render_to(path)
    try:
        return graph.render_to(os.path.join(OUT_DIR, "counterexample.svg"))
    except al.RenderError:
        return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("learner", nargs="?", default="examples/learners/deep_correct.py")
    parser.add_argument("--model", choices=list(COURSE_MODELS),
                        help="the course model whose function the file defines (default: the "
                             "first that it does, in nn.registry's order)")
    parser.add_argument("--json", default="grade.json", help="where to write the score")
    args = parser.parse_args(argv)
    result = grade(args.learner, args.model)
    if result["passed"]:
        print(f"{args.learner}: {result['function']} ({result['model']}) passed "
              f"{result['cases']} random cases")
    else:
        c = result["counterexample"]
        print(f"{args.learner}: {result['function']} ({result['model']}) is wrong. Smallest "
              f"failing case: layer_dims={c['layer_dims']}, m={c['m']}, seed={c['seed']}")
        print(result["text"])
        if result.get("diagram"):
            print(f"diagram: {result['diagram']}")
    print(f"score {result['score']:.2f} -> {args.json}")
    with open(args.json, "w") as fh:
        json.dump({k: v for k, v in result.items() if k != "text"}, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
